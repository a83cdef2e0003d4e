-- pc_media_lock.sql - the advisory lock an adapter holds, shared, while it is
-- connected: an adapter that dies lets go of it at once.

CREATE OR REPLACE FUNCTION pc_media_lock() RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT 7270151::bigint $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_media_lock() FROM PUBLIC;
