-- 014_event_read.sql - the consumer's read and seal at a cost that does not grow with
-- the stream, a seal durable whatever the caller's synchronous_commit, and no row that
-- every change of an organization locks.
--
-- pc_events_read (013) joined every numbered event with the consumer's acknowledgements
-- and kept those past them: a scan of the whole stream at each read (37 ms at 200,000
-- events), so delivery slowed as the stream grew. It now starts from the organizations
-- (event_seq: one row each, with its last number), keeps those with numbers past the
-- consumer's acknowledgement, and reads each one's events from there by index.
--
-- pc_events_seal must commit durably: numbers lost in a crash would be given again,
-- perhaps to other events, after a consumer had printed them. The consumer now commits
-- its acknowledgements without waiting for the disk (it keeps what it printed and
-- acknowledges it again on reconnecting), so it runs with synchronous_commit off; the
-- seal raises it back for its own transaction (set_config(..., true) lasts to the
-- transaction's end). 'remote_write' and stronger are kept as they are. A seal with
-- nothing to number returns at once: it takes no lock and writes nothing.
-- Each event's organization was checked against account: a FOR KEY SHARE lock on the
-- organization's row in every change, the one row all changes of an organization share
-- (8 connections on one organization: a MultiXact per change). The event now names its
-- extension together with the organization (extension (id, org_id), as the views do):
-- the lock lands on the extension's row, the check is stricter (the extension is the
-- organization's), and an extension with events can no longer be deleted, which the
-- read, joining the extension, needs: such an event would have been skipped.
ALTER TABLE recording_event
    ADD CONSTRAINT recording_event_extension_org_fkey FOREIGN KEY (extension_id, org_id)
        REFERENCES extension (id, org_id) NOT VALID;
ALTER TABLE recording_event VALIDATE CONSTRAINT recording_event_extension_org_fkey;
ALTER TABLE recording_event DROP CONSTRAINT recording_event_org_id_fkey;

CREATE OR REPLACE FUNCTION pc_events_seal() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_prev pg_snapshot;
    v_now  pg_snapshot;
    v_n    bigint;
BEGIN
    -- Nothing committed since the last seal: no lock, no write, no commit to wait for.
    -- (Unlocked, the tick may be older than a seal in progress: then the batch below,
    -- under the lock, is what is left.)
    SELECT snap INTO v_prev FROM event_tick;
    v_now := pg_current_snapshot();
    IF NOT EXISTS (SELECT 1 FROM recording_event e
                    WHERE e.xid >= pg_snapshot_xmin(v_prev) AND e.xid < pg_snapshot_xmax(v_now)
                      AND pg_visible_in_snapshot(e.xid, v_now)
                      AND NOT pg_visible_in_snapshot(e.xid, v_prev)) THEN
        RETURN 0;
    END IF;
    IF current_setting('synchronous_commit') IN ('off', 'local') THEN
        PERFORM set_config('synchronous_commit', 'on', true);
    END IF;
    -- One sealer at a time. In READ COMMITTED, a sealer that waited here reads the row
    -- as the one before it left it, and its snapshot below is taken after that commit.
    SELECT snap INTO v_prev FROM event_tick FOR UPDATE;
    v_now := pg_current_snapshot();
    WITH batch AS (
        SELECT e.id, e.org_id,
               row_number() OVER (PARTITION BY e.org_id ORDER BY e.id) AS k,
               count(*) OVER (PARTITION BY e.org_id) AS n
          FROM recording_event e
         WHERE e.xid >= pg_snapshot_xmin(v_prev) AND e.xid < pg_snapshot_xmax(v_now)
           AND pg_visible_in_snapshot(e.xid, v_now)
           AND NOT pg_visible_in_snapshot(e.xid, v_prev)
    ), counted AS (
        INSERT INTO event_seq AS s (org_id, last)
        SELECT DISTINCT org_id, n FROM batch
        ON CONFLICT (org_id) DO UPDATE SET last = s.last + EXCLUDED.last
        RETURNING s.org_id, s.last
    )
    INSERT INTO event_number (event_id, org_id, seq)
    SELECT b.id, b.org_id, c.last - b.n + b.k
      FROM batch b JOIN counted c ON c.org_id = b.org_id;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    UPDATE event_tick SET snap = v_now, sealed_at = now();
    RETURN v_n;
END $$;

-- The consumer's read: the numbered events past its acknowledgements, in order, a batch
-- at a time (p_limit). Seal first. PL/pgSQL, not SQL: PostgreSQL 15 plans a SQL
-- function's query at every call (0.65 ms a read here), PL/pgSQL once per session
-- (0.1 ms).
CREATE OR REPLACE FUNCTION pc_events_read(p_consumer text, p_limit integer)
RETURNS TABLE (org_id bigint, seq bigint, action text, call_id text, view_id text,
               extension text, actor_user_id bigint, app_id bigint, started_at timestamptz,
               stopped_at timestamptz, format text, request_id text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT s.org_id, n.seq, e.action, e.call_id, e.view_id, x.number, e.actor_user_id,
           e.app_id, e.started_at, e.stopped_at, e.format, e.request_id
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

-- The consumer's cycle in one round trip: acknowledges what it printed of the last batch
-- (p_orgs, p_seqs: the highest number printed per organization), seals, and returns the
-- next batch. Under load every round trip is a wait for the scheduler, so one instead of
-- three. The rows reach the client before the commit, but libpq hands them over only
-- with the end of the statement, after the commit (and the seal's flush); a commit that
-- fails fails the statement.
CREATE FUNCTION pc_events_next(p_consumer text, p_limit integer, p_orgs bigint[],
                               p_seqs bigint[])
RETURNS TABLE (org_id bigint, seq bigint, action text, call_id text, view_id text,
               extension text, actor_user_id bigint, app_id bigint, started_at timestamptz,
               stopped_at timestamptz, format text, request_id text)
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
REVOKE ALL ON FUNCTION pc_events_next(text, integer, bigint[], bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_events_next(text, integer, bigint[], bigint[]) TO pc_events;
