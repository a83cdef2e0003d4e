-- 005_oauth.sql - Apps obtain their tokens from POST /oauth/token.php (client
-- credentials). An App's key (client_id) is public; its secret is stored only as its
-- SHA-256 digest, computed by whoever holds the secret (the worker for a request,
-- tools/apps when registering). Secrets are 256 random bits, so a fast digest is enough:
-- there is no dictionary to try. Revoking an App revokes its tokens; every request
-- function checks its token, so both take effect on the next request.

ALTER TABLE app
    ADD COLUMN client_id   text UNIQUE CHECK (client_id ~ '^[A-Za-z0-9._~-]{1,128}$'),
    ADD COLUMN secret_hash bytea CHECK (length(secret_hash) = 32),
    ADD COLUMN revoked_at  timestamptz,
    ADD CHECK ((client_id IS NULL) = (secret_hash IS NULL));

-- Issues a token to the App of p_client when p_secret is its secret's digest and it is
-- not revoked: stores p_token (the new token's digest), valid p_ttl seconds. Returns 'ok'
-- or 'invalid_client'. The App's row is locked FOR SHARE: a revocation running at the
-- same time either comes first (and this finds the App revoked) or waits for this token
-- and revokes it too.
CREATE FUNCTION pc_oauth_token(p_client text, p_secret bytea, p_token bytea, p_ttl integer)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_app app%ROWTYPE;
BEGIN
    SELECT * INTO v_app FROM app
     WHERE client_id = p_client AND revoked_at IS NULL
       FOR SHARE;
    IF NOT FOUND OR v_app.secret_hash IS DISTINCT FROM p_secret THEN
        RETURN 'invalid_client';
    END IF;
    INSERT INTO access_token (app_id, org_id, token_hash, expires_at)
    VALUES (v_app.id, v_app.org_id, p_token, now() + make_interval(secs => p_ttl));
    RETURN 'ok';
END
$$;

-- Registers an App to p_account with a key and the digest of a secret the caller made.
-- Returns the App's id, or NULL when there is no such account.
CREATE FUNCTION pc_app_register(p_account bigint, p_name text, p_client text, p_secret bytea)
RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO app (account_id, org_id, name, client_id, secret_hash)
    SELECT a.id, a.org_id, p_name, p_client, p_secret FROM account a WHERE a.id = p_account
    RETURNING id
$$;

-- Revokes the App of p_client and every token it holds. Returns how many tokens were
-- revoked, or NULL when there is no such App. The App's row is updated first, so a token
-- being issued at the same time is either refused or revoked here.
CREATE FUNCTION pc_app_revoke(p_client text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
    v_n  bigint;
BEGIN
    UPDATE app SET revoked_at = coalesce(revoked_at, now())
     WHERE client_id = p_client RETURNING id INTO v_id;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE access_token SET revoked_at = now() WHERE app_id = v_id AND revoked_at IS NULL;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;

-- Revokes the token whose digest is p_token. Returns whether a live token was revoked.
CREATE FUNCTION pc_token_revoke(p_token bytea) RETURNS boolean
LANGUAGE sql AS $$
    WITH r AS (UPDATE access_token SET revoked_at = now()
                WHERE token_hash = p_token AND revoked_at IS NULL RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM r)
$$;
