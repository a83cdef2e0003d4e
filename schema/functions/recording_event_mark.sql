-- recording_event_mark.sql - an event written marks its session (pc.changed), for
-- pc_notify, which the worker runs right behind the change, in a transaction of its own
-- (pc_notify.sql says why the NOTIFY is not in the change's transaction). It numbers
-- nothing: pc_events_seal numbers the events after their commit.

CREATE OR REPLACE FUNCTION recording_event_mark() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- session-wide, but undone with the transaction if it rolls back
    PERFORM set_config('pc.changed', '1', false);
    RETURN NEW;
END $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION recording_event_mark() FROM PUBLIC;

CREATE OR REPLACE TRIGGER recording_event_mark BEFORE INSERT ON recording_event
    FOR EACH ROW EXECUTE FUNCTION recording_event_mark();
