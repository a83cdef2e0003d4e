-- pc_call_end.sql - a call ended: each of its views still being recorded gets an 'end'
-- event with the recorded interval, then the call and its views go. Returns the number
-- of recordings ended, or NULL when there is no such call. For a media call, every view
-- that was ever recorded gets an 'end' (its audio file is made from them): a view
-- recording at the end with its current interval, as any; a view stopped by then with
-- its last interval. A call's end is rare, and its caller may not call pc_notify: it
-- notifies itself.

CREATE OR REPLACE FUNCTION pc_call_end(p_call text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_call phone_call%ROWTYPE;
    v_n    integer;
BEGIN
    SELECT * INTO v_call FROM phone_call WHERE id = p_call FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    INSERT INTO recording_event (org_id, call_id, view_id, extension_id, action,
                                 started_at, stopped_at, format, capture, file)
    SELECT v.org_id, v.call_id, v.id, v.extension_id, 'end',
           coalesce(v.recording, s.started_at), coalesce(s.stopped_at, now()),
           coalesce(v.recording_format, s.format), CASE WHEN v_call.media THEN false END,
           CASE WHEN v_call.media THEN v.org_id || '/' || v.call_id || '/' || v.id || '.wav' END
      FROM phone_call_view v
      LEFT JOIN LATERAL (
            SELECT e.started_at, e.stopped_at, e.format FROM recording_event e
             WHERE v_call.media AND v.recording IS NULL
               AND e.org_id = v.org_id AND e.call_id = v.call_id AND e.view_id = v.id
               AND e.action = 'stop'
             ORDER BY e.id DESC LIMIT 1) s ON true
     WHERE v.call_id = p_call AND (v.recording IS NOT NULL OR s.started_at IS NOT NULL)
     ORDER BY v.id;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    UPDATE media_call SET ended_at = now() WHERE call_id = p_call AND ended_at IS NULL;
    DELETE FROM phone_call WHERE id = p_call;
    IF v_n > 0 THEN
        PERFORM pg_notify('recording_events', '');
    END IF;
    RETURN v_n;
END $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_call_end(text) FROM PUBLIC;
