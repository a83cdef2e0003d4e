-- pc_app_revoke.sql - revokes the App of p_client and every token it holds
-- (tools/apps). Returns how many tokens were revoked, or NULL when there is no such App.
-- The App's row is updated first, so a token being issued at the same time is either
-- refused or revoked here. Every request function checks its token, so the revocation
-- takes effect on the next request.

CREATE OR REPLACE FUNCTION pc_app_revoke(p_client text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
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

-- Granted to tools/apps (pc_apps).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_app_revoke(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_app_revoke(text) TO pc_apps;
