-- 013_event_stream.sql - the event stream without a lock per organization.
--
-- Until now each event took the next number of its organization from event_seq, whose
-- row stayed locked until the change committed: every change of one organization waited
-- for the previous one's commit to reach the disk. Now a change writes its event, and the
-- transaction's id with it, and takes no number: numbers are given after commit, by
-- whoever reads the stream (pc_events_seal), a batch at a time.
--
-- A batch is what committed between two snapshots: the events whose transaction the
-- last sealed snapshot did not see and the current one sees. A rolled-back change is
-- never seen. Within a batch, events are numbered per organization in the order they
-- were written (their id): two changes of one view are serialized by the view's row
-- lock, so the second writes its event after the first committed, and both are in the
-- same batch or the first in an earlier one. So each organization's numbers stay gap-free
-- and, per call and view, in commit order. Sealing is one short transaction, serialized
-- by the tick row's lock; no change ever waits for it, nor it for a change.
--
-- A batch's numbers are durable before any consumer reads them (the sealing transaction
-- commits before the read), so a database restart never numbers an event twice.
-- The NOTIFY after a change (pc_notify, 008) is still the consumers' wake-up.

-- The writing transaction, for the batches. Events written before this migration are
-- numbered already (below) and have none.
ALTER TABLE recording_event ADD COLUMN xid xid8;
ALTER TABLE recording_event ALTER COLUMN xid SET DEFAULT pg_current_xact_id();
CREATE INDEX recording_event_xid_idx ON recording_event (xid);

-- Each event's number in its organization, given at sealing.
CREATE TABLE event_number (
    event_id bigint PRIMARY KEY REFERENCES recording_event (id),
    org_id   bigint NOT NULL REFERENCES account (id),
    seq      bigint NOT NULL CHECK (seq >= 1),
    UNIQUE (org_id, seq)
);
INSERT INTO event_number (event_id, org_id, seq)
SELECT id, org_id, seq FROM recording_event;
ALTER TABLE recording_event DROP COLUMN seq;

-- The snapshot the last batch was sealed up to: one row. Everything committed before
-- this migration is numbered; a transaction still open now (it may have written an
-- event after the migration took its lock) is not in it.
CREATE TABLE event_tick (
    one       boolean PRIMARY KEY DEFAULT true CHECK (one),
    snap      pg_snapshot NOT NULL,
    sealed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO event_tick (snap) VALUES (pg_current_snapshot());

-- The insert now only marks its session for pc_notify (008).
CREATE OR REPLACE FUNCTION recording_event_number() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- session-wide, but undone with the transaction if it rolls back
    PERFORM set_config('pc.changed', '1', false);
    RETURN NEW;
END $$;
ALTER TRIGGER recording_event_number ON recording_event RENAME TO recording_event_mark;
ALTER FUNCTION recording_event_number() RENAME TO recording_event_mark;

-- Numbers what committed since the last seal, and moves the tick. Returns how many
-- events it numbered. Consumers call it before they read, in a transaction of its own:
-- its commit makes the numbers durable before they are read.
CREATE FUNCTION pc_events_seal() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_prev pg_snapshot;
    v_now  pg_snapshot;
    v_n    bigint;
BEGIN
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

-- The consumer's read: the numbered events past its acknowledgements, in order, a
-- batch at a time (p_limit). Seal first.
CREATE FUNCTION pc_events_read(p_consumer text, p_limit integer)
RETURNS TABLE (org_id bigint, seq bigint, action text, call_id text, view_id text,
               extension text, actor_user_id bigint, app_id bigint, started_at timestamptz,
               stopped_at timestamptz, format text, request_id text)
LANGUAGE sql STABLE AS $$
    SELECT n.org_id, n.seq, e.action, e.call_id, e.view_id, x.number, e.actor_user_id,
           e.app_id, e.started_at, e.stopped_at, e.format, e.request_id
      FROM event_number n
      JOIN recording_event e ON e.id = n.event_id
      JOIN extension x ON x.id = e.extension_id
      LEFT JOIN event_ack a ON a.consumer = p_consumer AND a.org_id = n.org_id
     WHERE n.seq > coalesce(a.seq, 0)
     ORDER BY n.org_id, n.seq
     LIMIT p_limit
$$;

-- The consumer's role seals and reads through these functions, as the owner; it no
-- longer reads the tables themselves.
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOREACH f IN ARRAY ARRAY['pc_events_seal()'::regprocedure,
                             'pc_events_read(text, integer)'::regprocedure] LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = public, pg_temp',
                       f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO pc_events', f);
    END LOOP;
END $$;
REVOKE SELECT ON recording_event FROM pc_events;
REVOKE SELECT (id, number) ON extension FROM pc_events;
