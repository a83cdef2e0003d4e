-- pc_media_next.sql - the adapter's read, inside its batch's transaction: takes the
-- consumer's lock (a second adapter under the same name waits here until the first
-- commits), then the events past its acknowledgements (seal first, in a transaction of
-- its own), with the SIP Call-ID of a media call's event (NULL: no engine carries that
-- call, nothing to apply). The adapter commits a batch in which it applied anything
-- durably (it says so in the transaction), whatever its session's synchronous_commit.
-- The read is pc_events_read's query (that file says why it is written in both).

CREATE OR REPLACE FUNCTION pc_media_next(p_consumer text, p_limit integer)
RETURNS TABLE (event_id bigint, org_id bigint, seq bigint, action text, call_id text,
               view_id text, capture boolean, sip_call_id text, file text,
               created_at double precision)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    INSERT INTO media_consumer (consumer) VALUES (p_consumer) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM media_consumer c WHERE c.consumer = p_consumer FOR UPDATE;
    RETURN QUERY
    SELECT e.id, s.org_id, n.seq, e.action, e.call_id, e.view_id, e.capture, m.sip_call_id,
           e.file, extract(epoch FROM e.created_at)::double precision
      FROM event_seq s
      LEFT JOIN event_ack a ON a.consumer = p_consumer AND a.org_id = s.org_id
     CROSS JOIN LATERAL (
            SELECT n.event_id, n.seq FROM event_number n
             WHERE n.org_id = s.org_id AND n.seq > coalesce(a.seq, 0)
             ORDER BY n.seq
             LIMIT p_limit) n
      JOIN recording_event e ON e.id = n.event_id
      LEFT JOIN media_call m ON e.capture IS NOT NULL AND m.call_id = e.call_id
     WHERE s.last > coalesce(a.seq, 0)
     ORDER BY s.org_id, n.seq
     LIMIT p_limit;
END $$;

-- Granted to the media adapter (pc_media).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_media_next(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_media_next(text, integer) TO pc_media;
