-- pc_idempotency_purge.sql - removes keys older than the retention (they are never
-- replayed), and any past the bound (after it was lowered); run it from cron, as the
-- owner (DEPLOYMENT.md). Returns how many went. The rings keep their place.

CREATE OR REPLACE FUNCTION pc_idempotency_purge() RETURNS bigint
LANGUAGE sql AS $$
    WITH d AS (DELETE FROM idempotency_key
                WHERE created_at < now() - pc_idempotency_ttl()
                   OR slot >= pc_idempotency_keys_max()
               RETURNING 1)
    SELECT count(*) FROM d
$$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_idempotency_purge() FROM PUBLIC;
