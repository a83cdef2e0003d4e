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

DROP TRIGGER recording_event_notify ON recording_event;
DROP FUNCTION recording_event_notify();

CREATE OR REPLACE FUNCTION recording_event_number() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_seq AS s (org_id, last) VALUES (NEW.org_id, 1)
    ON CONFLICT (org_id) DO UPDATE SET last = s.last + 1
    RETURNING s.last INTO NEW.seq;
    -- session-wide, but undone with the transaction if it rolls back
    PERFORM set_config('pc.changed', '1', false);
    RETURN NEW;
END $$;

-- Notifies recording_events if this session's last transaction recorded an event.
-- Meant to run in a transaction of its own: then, writing nothing, it commits without
-- waiting for the disk. Inside a transaction that wrote, it leaves the commit durable.
CREATE FUNCTION pc_notify() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('pc.changed', true), '') <> '1' THEN
        RETURN false;
    END IF;
    PERFORM set_config('pc.changed', '', false);
    IF pg_current_xact_id_if_assigned() IS NULL THEN
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    PERFORM pg_notify('recording_events', '');
    RETURN true;
END $$;

-- A call's end is rare, and its caller may not call pc_notify: it notifies itself.
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
                                 started_at, stopped_at, format)
    SELECT v.org_id, v.call_id, v.id, v.extension_id, 'end', v.recording, now(),
           v.recording_format
      FROM phone_call_view v
     WHERE v.call_id = p_call AND v.recording IS NOT NULL
     ORDER BY v.id;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    DELETE FROM phone_call WHERE id = p_call;
    IF v_n > 0 THEN
        PERFORM pg_notify('recording_events', '');
    END IF;
    RETURN v_n;
END $$;
