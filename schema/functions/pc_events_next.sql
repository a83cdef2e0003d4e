-- pc_events_next.sql - the consumer's cycle in one round trip: acknowledges what it
-- printed of the last batch (p_orgs, p_seqs: the highest number printed per
-- organization), seals, and returns the next batch. Under load every round trip is a
-- wait for the scheduler, so one instead of three. The rows reach the client before the
-- commit, but libpq hands them over only with the end of the statement, after the
-- commit (and the seal's flush); a commit that fails fails the statement.

CREATE OR REPLACE FUNCTION pc_events_next(p_consumer text, p_limit integer,
                                          p_orgs bigint[], p_seqs bigint[])
RETURNS TABLE (org_id bigint, seq bigint, action text, call_id text, view_id text,
               extension text, actor_user_id bigint, app_id bigint, started_at timestamptz,
               stopped_at timestamptz, format text, request_id text, file text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    INSERT INTO event_ack AS a (consumer, org_id, seq)
    SELECT p_consumer, u.o, u.s FROM unnest(p_orgs, p_seqs) AS u (o, s)
    ON CONFLICT (consumer, org_id) DO UPDATE SET seq = greatest(a.seq, EXCLUDED.seq),
                                                 acked_at = now();
    PERFORM pc_events_seal();
    RETURN QUERY SELECT * FROM pc_events_read(p_consumer, p_limit);
END $$;

-- Granted to pc-events (pc_events).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_events_next(text, integer, bigint[], bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_events_next(text, integer, bigint[], bigint[]) TO pc_events;
