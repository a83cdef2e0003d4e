-- pc_media_intervals.sql - the recorded intervals of a view of a media call, from its
-- events (for its file), in microseconds of Unix time.

CREATE OR REPLACE FUNCTION pc_media_intervals(p_call text, p_view text)
RETURNS TABLE (from_us bigint, to_us bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT DISTINCT (extract(epoch FROM e.started_at) * 1000000)::bigint,
                    (extract(epoch FROM e.stopped_at) * 1000000)::bigint
      FROM recording_event e
     WHERE e.call_id = p_call AND e.view_id = p_view AND e.action IN ('stop', 'end')
       AND e.capture IS NOT NULL
     ORDER BY 1, 2
$$;

-- Granted to the media adapter (pc_media).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_media_intervals(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_media_intervals(text, text) TO pc_media;
