-- pc_media_stale.sql - how old the last confirmation of a live engine may be for a PUT
-- on a media call.

CREATE OR REPLACE FUNCTION pc_media_stale() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '2 seconds' $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_media_stale() FROM PUBLIC;
