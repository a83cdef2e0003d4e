-- pc_media_files.sql - the audio files in hand, oldest first: the view's call (its SIP
-- Call-ID finds its audio) and the file to make.

CREATE OR REPLACE FUNCTION pc_media_files(p_consumer text, p_limit integer)
RETURNS TABLE (event_id bigint, call_id text, view_id text, sip_call_id text, file text,
               ended double precision, format text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT e.id, e.call_id, e.view_id, m.sip_call_id, e.file,
           extract(epoch FROM e.created_at)::double precision, e.format
      FROM media_file f
      JOIN recording_event e ON e.id = f.event_id
      JOIN media_call m ON m.call_id = e.call_id
     WHERE f.consumer = p_consumer AND f.made_at IS NULL AND f.error IS NULL
     ORDER BY f.event_id
     LIMIT p_limit
$$;

-- Granted to the media adapter (pc_media).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_media_files(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_media_files(text, integer) TO pc_media;
