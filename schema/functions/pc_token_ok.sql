-- pc_token_ok.sql - whether the token p_token (its id) is valid now. The list checks
-- its token again, as pc_action does: a worker may remember what a token's context is
-- (it never changes), but whether the token is still valid is decided by the statement
-- that serves the request, so a revocation or an expiry takes effect at once without a
-- look-up of its own.

CREATE OR REPLACE FUNCTION pc_token_ok(p_token bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM access_token t
                    WHERE t.id = p_token AND t.revoked_at IS NULL AND t.expires_at > now())
$$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_token_ok(bigint) FROM PUBLIC;
