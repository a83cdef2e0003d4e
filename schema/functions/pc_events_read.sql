-- pc_events_read.sql - the consumer's read: the numbered events past its
-- acknowledgements, in order, a batch at a time (p_limit), with the audio file an 'end'
-- names. Seal first.
--
-- The read itself is pc_stream_pending's (its file says how it stays cheap), inlined
-- into this query. PL/pgSQL, not SQL: PostgreSQL 15 plans a SQL function's query at
-- every call (0.65 ms a read here), PL/pgSQL once per session (0.1 ms).

CREATE OR REPLACE FUNCTION pc_events_read(p_consumer text, p_limit integer)
RETURNS TABLE (org_id bigint, seq bigint, action text, call_id text, view_id text,
               extension text, actor_user_id bigint, app_id bigint, started_at timestamptz,
               stopped_at timestamptz, format text, request_id text, file text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT p.org_id, p.seq, e.action, e.call_id, e.view_id, x.number, e.actor_user_id,
           e.app_id, e.started_at, e.stopped_at, e.format, e.request_id, e.file
      FROM pc_stream_pending(p_consumer, p_limit) p
      JOIN recording_event e ON e.id = p.event_id
      JOIN extension x ON x.id = e.extension_id
     ORDER BY p.org_id, p.seq;
END $$;

-- Granted to pc-events (pc_events).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_events_read(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_events_read(text, integer) TO pc_events;
