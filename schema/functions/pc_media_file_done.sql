-- pc_media_file_done.sql - a file made (p_error NULL) or given up. Returns how many files
-- of its call are still in hand: at 0 the engine's recording of the call may go.

CREATE OR REPLACE FUNCTION pc_media_file_done(p_event bigint, p_error text) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE media_file SET made_at = CASE WHEN p_error IS NULL THEN now() END,
                          error = left(p_error, 200)
     WHERE event_id = p_event AND made_at IS NULL AND error IS NULL;
    SELECT count(*) FROM media_file f JOIN recording_event e ON e.id = f.event_id
     WHERE f.made_at IS NULL AND f.error IS NULL
       AND e.call_id = (SELECT call_id FROM recording_event WHERE id = p_event);
$$;

-- Granted to the media adapter (pc_media).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_media_file_done(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_media_file_done(bigint, text) TO pc_media;
