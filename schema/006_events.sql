-- 006_events.sql - the event stream a PBX adapter follows (tools/pc-events.c).
--
-- Every state change commits together with its recording_event row: a stop or a start
-- by an App (pc_action), and the end of a recording because its call ended
-- (pc_call_end). Each row carries a sequence number per organization with no gaps: the
-- number is taken from the organization's counter row, whose lock the transaction holds
-- until it commits, so numbers are committed in order and a rolled-back change gives
-- its number back. The insert also sends NOTIFY recording_events with the organization
-- and number, delivered at commit; a consumer that was not listening replays from the
-- numbers it acknowledged (event_ack).

CREATE TABLE event_seq (
    org_id bigint PRIMARY KEY REFERENCES account (id),
    last   bigint NOT NULL CHECK (last >= 0)
);

-- The end of a recording has no App, token or request behind it.
ALTER TABLE recording_event DROP CONSTRAINT recording_event_action_check;
ALTER TABLE recording_event ADD CHECK (action IN ('start', 'stop', 'end'));
ALTER TABLE recording_event DROP CONSTRAINT recording_event_check;
ALTER TABLE recording_event ADD CHECK ((action IN ('stop', 'end')) = (stopped_at IS NOT NULL));
ALTER TABLE recording_event ALTER COLUMN app_id DROP NOT NULL,
                            ALTER COLUMN token_id DROP NOT NULL,
                            ALTER COLUMN request_id DROP NOT NULL;
ALTER TABLE recording_event ADD CHECK ((action = 'end') = (app_id IS NULL)),
                            ADD CHECK ((action = 'end') = (token_id IS NULL)),
                            ADD CHECK ((action = 'end') = (request_id IS NULL));

-- Number the events already written, per organization in the order they were written.
ALTER TABLE recording_event ADD COLUMN seq bigint;
ALTER TABLE recording_event DISABLE TRIGGER recording_event_no_update;
UPDATE recording_event e SET seq = n.seq
  FROM (SELECT id, row_number() OVER (PARTITION BY org_id ORDER BY id) AS seq
          FROM recording_event) n
 WHERE n.id = e.id;
ALTER TABLE recording_event ENABLE TRIGGER recording_event_no_update;
INSERT INTO event_seq (org_id, last)
SELECT org_id, max(seq) FROM recording_event GROUP BY org_id;
ALTER TABLE recording_event ALTER COLUMN seq SET NOT NULL,
                            ADD UNIQUE (org_id, seq);

CREATE FUNCTION recording_event_number() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO event_seq AS s (org_id, last) VALUES (NEW.org_id, 1)
    ON CONFLICT (org_id) DO UPDATE SET last = s.last + 1
    RETURNING s.last INTO NEW.seq;
    RETURN NEW;
END $$;

CREATE TRIGGER recording_event_number BEFORE INSERT ON recording_event
    FOR EACH ROW EXECUTE FUNCTION recording_event_number();

CREATE FUNCTION recording_event_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('recording_events', NEW.org_id || ':' || NEW.seq);
    RETURN NULL;
END $$;

CREATE TRIGGER recording_event_notify AFTER INSERT ON recording_event
    FOR EACH ROW EXECUTE FUNCTION recording_event_notify();

-- What each consumer has processed: the last number per organization.
CREATE TABLE event_ack (
    consumer text   NOT NULL CHECK (consumer ~ '^[A-Za-z0-9._-]{1,64}$'),
    org_id   bigint NOT NULL REFERENCES account (id),
    seq      bigint NOT NULL CHECK (seq >= 0),
    acked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, org_id)
);

-- A call ended: each of its views still being recorded gets an 'end' event with the
-- recorded interval, then the call and its views go. Returns the number of recordings
-- ended, or NULL when there is no such call.
CREATE FUNCTION pc_call_end(p_call text) RETURNS integer
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
    RETURN v_n;
END $$;
