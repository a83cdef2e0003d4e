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

-- The insert now only marks its session for pc_notify (008): schema/functions/ has that
-- trigger, recording_event_mark (the numbering one, renamed), and pc_events_seal and
-- pc_events_read, which the consumer's role calls as the owner; it no longer reads the
-- tables themselves. The numbering trigger goes (absent on a database made after the
-- functions left the migrations).
DROP TRIGGER IF EXISTS recording_event_number ON recording_event;
DROP FUNCTION IF EXISTS recording_event_number();
REVOKE SELECT ON recording_event FROM pc_events;
REVOKE SELECT (id, number) ON extension FROM pc_events;
