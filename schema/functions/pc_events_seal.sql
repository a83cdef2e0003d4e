-- pc_events_seal.sql - numbers what committed since the last seal, and moves the tick.
-- Returns how many events it numbered. Consumers call it before they read, in a
-- transaction of its own: its commit makes the numbers durable before they are read.
--
-- A batch is what committed between two snapshots: the events whose transaction the
-- last sealed snapshot did not see and the current one sees. A rolled-back change is
-- never seen. Within a batch, events are numbered per organization in the order they
-- were written (their id): two changes of one view are serialized by the view's row
-- lock, so the second writes its event after the first committed, and both are in the
-- same batch or the first in an earlier one. So each organization's numbers stay
-- gap-free and, per call and view, in commit order. Sealing is one short transaction,
-- serialized by the tick row's lock; no change ever waits for it, nor it for a change.
--
-- The seal must commit durably: numbers lost in a crash would be given again, perhaps
-- to other events, after a consumer had printed them. The consumer commits its
-- acknowledgements without waiting for the disk (it keeps what it printed and
-- acknowledges it again on reconnecting), so it runs with synchronous_commit off; the
-- seal raises it back for its own transaction (set_config(..., true) lasts to the
-- transaction's end). 'remote_write' and stronger are kept as they are. A seal with
-- nothing to number returns at once: it takes no lock and writes nothing.

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

-- Granted to pc-events (pc_events) and the media adapter (pc_media).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_events_seal() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_events_seal() TO pc_events;
GRANT EXECUTE ON FUNCTION pc_events_seal() TO pc_media;
