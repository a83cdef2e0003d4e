-- 015_media.sql - calls a media engine carries: SIP calls written by the SIP proxy
-- (kamailio, role pc_sip) when they are answered and ended when they hang up, their audio
-- recorded by rtpengine, which the media adapter (pc-media, role pc_media) drives from the
-- event stream.
--
-- Recording is a property of the call in the engine (rtpengine records a call or does
-- not); the API records views. The engine captures a call while at least one of its
-- views records, and each view's file is cut to that view's own intervals. So every
-- event of a media call carries `capture`: whether any view of the call records once the
-- change is made. Changes of one media call take the call's row lock, so that flag is
-- true in commit order and the events of one call are numbered in that order; the
-- adapter only has to make the engine's state follow the flag (start and stop recording
-- are idempotent in rtpengine: starting what records, or stopping what does not, does
-- nothing).
--
-- No false 202: the adapter confirms a live engine every half second (pc_media_beat), and
-- holds a shared advisory lock (pc_media_lock()) for as long as its session lasts; a PUT
-- on a media call while no adapter is connected (an adapter that dies lets go of its
-- lock at once), or no confirmation is fresher than pc_media_stale() (an adapter that
-- hangs, an engine that does not answer), answers service_unavailable and changes
-- nothing. Calls no engine carries (the demo's rows) answer as before.

DO $$
BEGIN
    IF (SELECT count(*) FROM pg_roles WHERE rolname IN ('pc_sip', 'pc_media')) < 2 THEN
        RAISE EXCEPTION 'roles pc_sip and pc_media do not exist'
            USING HINT = 'create them first, as a superuser: psql -f schema/roles.sql';
    END IF;
END $$;

-- How a view of the extension records (Phone Terminal Setup: "Recording format").
ALTER TABLE extension ADD COLUMN recording_format text NOT NULL DEFAULT 'wav'
    CHECK (recording_format IN ('wav', 'wav49'));

ALTER TABLE phone_call ADD COLUMN media boolean NOT NULL DEFAULT false;

-- A call a media engine carries: its SIP Call-ID and the SIP proxy (node) that carries
-- it. Outlives the call, as the events do: the adapter finds the call's audio by it
-- after the end.
CREATE TABLE media_call (
    call_id     text        PRIMARY KEY CHECK (call_id ~ '^[A-Za-z0-9]{1,64}$'),
    org_id      bigint      NOT NULL REFERENCES account (id),
    sip_call_id text        NOT NULL UNIQUE CHECK (length(sip_call_id) BETWEEN 1 AND 255),
    node        text        NOT NULL CHECK (node ~ '^[A-Za-z0-9._-]{1,64}$'),
    begun_at    timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz
);
CREATE INDEX media_call_live_idx ON media_call (node) WHERE ended_at IS NULL;

-- Whether the engine captures the call once the event's change is made (media calls
-- only; NULL for the others), and for the 'end' of a media call's view the audio file
-- the adapter makes of its recording (relative to its recordings directory).
ALTER TABLE recording_event ADD COLUMN capture boolean,
                            ADD COLUMN file text CHECK (file ~ '^[0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+\.wav$'),
                            ADD CHECK (file IS NULL OR (action = 'end' AND capture IS NOT NULL));

-- Each adapter's last confirmation of a live engine.
CREATE TABLE media_heartbeat (
    adapter text        PRIMARY KEY CHECK (adapter ~ '^[A-Za-z0-9._-]{1,64}$'),
    engine  text        NOT NULL CHECK (length(engine) BETWEEN 1 AND 128),
    seen_at timestamptz NOT NULL
);

-- What applying each event of a media call to the engine came to: when the engine
-- confirmed it, or the error it gave; written with the adapter's acknowledgement.
CREATE TABLE media_outcome (
    event_id   bigint      PRIMARY KEY REFERENCES recording_event (id),
    consumer   text        NOT NULL CHECK (consumer ~ '^[A-Za-z0-9._-]{1,64}$'),
    sent_at    timestamptz NOT NULL,
    applied_at timestamptz,
    error      text CHECK (length(error) <= 200),
    attempts   integer     NOT NULL CHECK (attempts >= 1),
    CHECK ((applied_at IS NULL) <> (error IS NULL))
);

-- How many events the engines applied and refused, counted as the outcomes are written
-- (one row: what metrics read at each scrape, at no cost that grows).
CREATE TABLE media_stats (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    applied bigint  NOT NULL DEFAULT 0,
    failed  bigint  NOT NULL DEFAULT 0
);
INSERT INTO media_stats DEFAULT VALUES;

-- The audio file of each view of an ended media call (its 'end' event names it): pending
-- from the end's outcome until the adapter made it (made_at) or gave up (error).
CREATE TABLE media_file (
    event_id bigint      PRIMARY KEY REFERENCES recording_event (id),
    consumer text        NOT NULL CHECK (consumer ~ '^[A-Za-z0-9._-]{1,64}$'),
    made_at  timestamptz,
    error    text CHECK (length(error) <= 200),
    CHECK (made_at IS NULL OR error IS NULL)
);
CREATE INDEX media_file_pending_idx ON media_file (consumer, event_id)
    WHERE made_at IS NULL AND error IS NULL;

-- One adapter at a time per consumer name: each batch locks the consumer's row.
CREATE TABLE media_consumer (
    consumer text PRIMARY KEY CHECK (consumer ~ '^[A-Za-z0-9._-]{1,64}$')
);

-- The checks of a PUT (pc_action_target, 011) say whether the call is a media call.
ALTER TYPE pc_action_target ADD ATTRIBUTE media boolean;

-- The consumers' read (014) with the audio file an 'end' names: a column more, so the
-- functions are made again (a caller of SELECT * gets the new column last). Absent on a
-- database made after the functions left the migrations.
DROP FUNCTION IF EXISTS pc_events_next(text, integer, bigint[], bigint[]);
DROP FUNCTION IF EXISTS pc_events_read(text, integer);

-- The functions: schema/functions/: the SIP proxy's (pc_sip_begin, pc_sip_end,
-- pc_sip_restart, and pc_sip_text), the adapter's (pc_events_seal, pc_media_next,
-- pc_media_outcome, pc_media_ack, pc_media_intervals, pc_media_files,
-- pc_media_file_done, pc_media_beat), the worker's pc_media_status, and pc_media_stale,
-- pc_media_lock, pc_media_held, pc_media_live, pc_media_capture, with the media call in
-- pc_action_check, pc_action_apply and pc_call_end. Each file says who may call it.
GRANT USAGE ON SCHEMA public TO pc_sip, pc_media;
