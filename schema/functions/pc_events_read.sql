-- pc_events_read.sql - the consumer's read: the numbered events past its
-- acknowledgements, in order, a batch at a time (p_limit), with the audio file an 'end'
-- names. Seal first.
--
-- It starts from the organizations (event_seq: one row each, with its last number),
-- keeps those with numbers past the consumer's acknowledgement, and reads each one's
-- events from there by index: a cost that does not grow with the stream (a join of the
-- whole stream with the acknowledgements took 37 ms at 200,000 events). PL/pgSQL, not
-- SQL: PostgreSQL 15 plans a SQL function's query at every call (0.65 ms a read here),
-- PL/pgSQL once per session (0.1 ms).
--
-- pc_media_next reads the stream with the same query, written there again on purpose:
-- one function for both cost delivery, measured with make bench-events at a steady 200
-- changes a second, one organization: inlined (SQL), 1.2 -> 5.2 ms at the median;
-- called (PL/pgSQL, ROWS 10), 1.2 -> 1.9 ms and 6.8 -> 9.8 ms at p99.

CREATE OR REPLACE FUNCTION pc_events_read(p_consumer text, p_limit integer)
RETURNS TABLE (org_id bigint, seq bigint, action text, call_id text, view_id text,
               extension text, actor_user_id bigint, app_id bigint, started_at timestamptz,
               stopped_at timestamptz, format text, request_id text, file text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT s.org_id, n.seq, e.action, e.call_id, e.view_id, x.number, e.actor_user_id,
           e.app_id, e.started_at, e.stopped_at, e.format, e.request_id, e.file
      FROM event_seq s
      LEFT JOIN event_ack a ON a.consumer = p_consumer AND a.org_id = s.org_id
     CROSS JOIN LATERAL (
            SELECT n.event_id, n.seq FROM event_number n
             WHERE n.org_id = s.org_id AND n.seq > coalesce(a.seq, 0)
             ORDER BY n.seq
             LIMIT p_limit) n
      JOIN recording_event e ON e.id = n.event_id
      JOIN extension x ON x.id = e.extension_id
     WHERE s.last > coalesce(a.seq, 0)
     ORDER BY s.org_id, n.seq
     LIMIT p_limit;
END $$;

-- Granted to pc-events (pc_events).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_events_read(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_events_read(text, integer) TO pc_events;
