-- pc_idempotency_ttl.sql - how long a key is replayed; after that it may be used again
-- for anything.

CREATE OR REPLACE FUNCTION pc_idempotency_ttl() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '24 hours' $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_idempotency_ttl() FROM PUBLIC;
