-- pc_idempotency_keys_max.sql - how many keys an App keeps: replay protection for its
-- latest 10,000 keyed PUTs within the retention (a few MiB of rows per App). Change it
-- here: a larger bound takes effect at once; keys past a smaller one go at the next
-- purge.

CREATE OR REPLACE FUNCTION pc_idempotency_keys_max() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 10000 $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_idempotency_keys_max() FROM PUBLIC;
