-- 008_notify_after_commit.sql - NOTIFY recording_events after the change commits, not in
-- its transaction.
--
-- A transaction that notifies holds a database-wide lock from just before its commit
-- until the commit is on disk (PostgreSQL keeps notifications in commit order that way),
-- so every durable change that notified waited for the one before it to reach the disk:
-- no two commits shared a flush. Measured with pgbench on pc_action, durable: 1,295 tps
-- with the NOTIFY in the transaction, 2,278 without.
--
-- Now an event only marks its session (pc.changed). The worker sends SELECT pc_notify()
-- right behind each PUT, pipelined in the same round trip but in a transaction of its
-- own; it notifies when the session's last change committed. That transaction writes
-- nothing, so its commit need not wait for the disk. The notification is a wake-up: the
-- events are in recording_event, committed, and a consumer also reads them on a timer.

-- (Absent on a database made after the functions left the migrations: schema/functions/
-- has recording_event_mark, pc_notify and pc_call_end.)
DROP TRIGGER IF EXISTS recording_event_notify ON recording_event;
DROP FUNCTION IF EXISTS recording_event_notify();
