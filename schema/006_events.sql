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
-- (USER: the append-only trigger, where it exists already; on a database made after the
-- functions left the migrations it comes after them, and there is no event to number.)
ALTER TABLE recording_event DISABLE TRIGGER USER;
UPDATE recording_event e SET seq = n.seq
  FROM (SELECT id, row_number() OVER (PARTITION BY org_id ORDER BY id) AS seq
          FROM recording_event) n
 WHERE n.id = e.id;
ALTER TABLE recording_event ENABLE TRIGGER USER;
INSERT INTO event_seq (org_id, last)
SELECT org_id, max(seq) FROM recording_event GROUP BY org_id;
ALTER TABLE recording_event ALTER COLUMN seq SET NOT NULL,
                            ADD UNIQUE (org_id, seq);

-- What each consumer has processed: the last number per organization.
CREATE TABLE event_ack (
    consumer text   NOT NULL CHECK (consumer ~ '^[A-Za-z0-9._-]{1,64}$'),
    org_id   bigint NOT NULL REFERENCES account (id),
    seq      bigint NOT NULL CHECK (seq >= 0),
    acked_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, org_id)
);

-- The functions: schema/functions/. The trigger that numbered each event here became
-- recording_event_mark (013 numbers events after their commit); pc_call_end.
