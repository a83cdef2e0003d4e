-- pc_auth.sql - the worker's look-up of a token by its digest: the token's id and its
-- account's kind, id and organization (0 above the organization level). Valid tokens
-- only.

CREATE OR REPLACE FUNCTION pc_auth(p_hash bytea)
RETURNS TABLE (token_id bigint, kind text, account_id bigint, org_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT t.id, a.kind, a.id, coalesce(a.org_id, 0)
      FROM access_token t JOIN app p ON p.id = t.app_id
      JOIN account a ON a.id = p.account_id
     WHERE t.token_hash = p_hash AND t.revoked_at IS NULL AND t.expires_at > now()
$$;

-- Granted to the workers (pc_worker).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_auth(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_auth(bytea) TO pc_worker;
