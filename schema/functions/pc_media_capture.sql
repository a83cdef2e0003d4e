-- pc_media_capture.sql - whether any view of the call records (the engine's capture),
-- for a media call.

CREATE OR REPLACE FUNCTION pc_media_capture(p_call text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM phone_call_view v
                    WHERE v.call_id = p_call AND v.recording IS NOT NULL)
$$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_media_capture(text) FROM PUBLIC;
