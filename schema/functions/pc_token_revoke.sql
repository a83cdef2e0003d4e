-- pc_token_revoke.sql - revokes the token whose digest is p_token (tools/apps).
-- Returns whether a live token was revoked.

CREATE OR REPLACE FUNCTION pc_token_revoke(p_token bytea) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH r AS (UPDATE access_token SET revoked_at = now()
                WHERE token_hash = p_token AND revoked_at IS NULL RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM r)
$$;

-- Granted to tools/apps (pc_apps).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_token_revoke(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_token_revoke(bytea) TO pc_apps;
