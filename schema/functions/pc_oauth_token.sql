-- pc_oauth_token.sql - POST /oauth/token.php (client credentials). Issues a token to
-- the App of p_client when p_secret is its secret's digest and it is not revoked: stores
-- p_token (the new token's digest), valid p_ttl seconds. Returns 'ok' or
-- 'client_refused'. The App's row is locked FOR SHARE: a revocation running at the same
-- time either comes first (and this finds the App revoked) or waits for this token and
-- revokes it too.
--
-- Secrets are stored only as their SHA-256 digest, computed by whoever holds the secret
-- (the worker for a request, tools/apps when registering). They are 256 random bits, so
-- a fast digest is enough: there is no dictionary to try.

CREATE OR REPLACE FUNCTION pc_oauth_token(p_client text, p_secret bytea, p_token bytea,
                                          p_ttl integer)
RETURNS pc_status
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_app app%ROWTYPE;
BEGIN
    SELECT * INTO v_app FROM app
     WHERE client_id = p_client AND revoked_at IS NULL
       FOR SHARE;
    IF NOT FOUND OR v_app.secret_hash IS DISTINCT FROM p_secret THEN
        RETURN 'client_refused';
    END IF;
    INSERT INTO access_token (app_id, org_id, token_hash, expires_at)
    VALUES (v_app.id, v_app.org_id, p_token, now() + make_interval(secs => p_ttl));
    RETURN 'ok';
END
$$;

-- Granted to the workers (pc_worker).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_oauth_token(text, bytea, bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_oauth_token(text, bytea, bytea, integer) TO pc_worker;
