-- recording_event_append_only.sql - recording_event is append-only: what changed, by
-- whom, when. Its rows are never updated, deleted or truncated, whoever asks (only the
-- owner may disable the triggers).

CREATE OR REPLACE FUNCTION recording_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'recording_event is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION recording_event_append_only() FROM PUBLIC;

CREATE OR REPLACE TRIGGER recording_event_no_update
    BEFORE UPDATE OR DELETE ON recording_event
    FOR EACH ROW EXECUTE FUNCTION recording_event_append_only();
CREATE OR REPLACE TRIGGER recording_event_no_truncate
    BEFORE TRUNCATE ON recording_event
    FOR EACH STATEMENT EXECUTE FUNCTION recording_event_append_only();
