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

-- How old the last confirmation may be for a PUT on a media call.
CREATE FUNCTION pc_media_stale() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '2 seconds' $$;

-- The advisory lock an adapter holds, shared, while it is connected.
CREATE FUNCTION pc_media_lock() RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT 7270151::bigint $$;

-- Whether session p_pid (NULL: any) holds pc_media_lock() in this database.
CREATE FUNCTION pc_media_held(p_pid integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM pg_locks l
                    WHERE l.locktype = 'advisory' AND l.granted
                      AND (p_pid IS NULL OR l.pid = p_pid)
                      AND l.database = (SELECT oid FROM pg_database
                                         WHERE datname = current_database())
                      AND l.classid = (pc_media_lock() >> 32)::oid
                      AND l.objid = (pc_media_lock() & 4294967295)::oid
                      AND l.objsubid = 1)
$$;

-- An adapter is connected now and one confirmed a live engine recently.
CREATE FUNCTION pc_media_live() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM media_heartbeat WHERE seen_at > now() - pc_media_stale())
       AND pc_media_held(NULL)
$$;

ALTER TYPE pc_action_target ADD ATTRIBUTE media boolean;

-- 011's checks, and for a media call: the call's row lock (taken before the view's, as
-- pc_call_end does) and a live media plane, checked last (bad input answers its own
-- error first).
CREATE OR REPLACE FUNCTION pc_action_check(p_token bigint, p_org bigint, p_user bigint,
                                           p_ext text, p_call text, p_view text,
                                           p_action text, p_format text)
RETURNS pc_action_target
LANGUAGE plpgsql AS $$
DECLARE
    v_t   pc_action_target;
    v_res record;
BEGIN
    -- the token is checked again inside the transaction: a revocation takes effect at once
    SELECT t.app_id, CASE WHEN a.kind = 'user' THEN a.id END
      INTO v_t.app_id, v_t.actor_user_id
      FROM access_token t JOIN app p ON p.id = t.app_id JOIN account a ON a.id = p.account_id
     WHERE t.id = p_token AND t.revoked_at IS NULL AND t.expires_at > now();
    IF NOT FOUND THEN
        v_t.code := 'access_denied';
        RETURN v_t;
    END IF;

    v_res := pc_resolve(p_org, p_user, p_ext);
    IF v_res.code <> 'ok' THEN
        v_t.code := v_res.code;
        RETURN v_t;
    END IF;

    SELECT c.id, c.org_id, e.number, e.user_id, c.media
      INTO v_t.call_id, v_t.org_id, v_t.extension, v_t.user_id, v_t.media
      FROM phone_call c JOIN extension e ON e.id = c.extension_id
     WHERE c.id = p_call
       AND CASE WHEN v_res.ext_id IS NOT NULL THEN c.extension_id = v_res.ext_id
                ELSE (p_user IS NULL OR e.user_id = p_user)
                     AND (p_org IS NULL OR c.org_id = p_org) END;
    IF NOT FOUND THEN
        v_t.code := 'pc_phonecall_invalid';
        RETURN v_t;
    END IF;
    IF v_t.media THEN
        PERFORM 1 FROM phone_call c WHERE c.id = v_t.call_id FOR NO KEY UPDATE;
        IF NOT FOUND THEN   -- it ended while this request waited for it
            v_t.code := 'pc_phonecall_invalid';
            RETURN v_t;
        END IF;
    END IF;

    SELECT v.id, v.extension_id, v.recording, v.recording_format,
           e.recording_enabled AND e.recording_trigger = 'on_demand'
      INTO v_t.view_id, v_t.view_extension_id, v_t.recording, v_t.recording_format,
           v_t.on_demand
      FROM phone_call_view v JOIN extension e ON e.id = v.extension_id
     WHERE v.call_id = v_t.call_id AND v.id = p_view
       FOR UPDATE OF v;
    IF NOT FOUND THEN
        v_t.code := 'pc_phonecallview_invalid';
        RETURN v_t;
    END IF;

    IF p_action = 'start' AND p_format IS NULL THEN
        v_t.code := 'pc_format_invalid';
    ELSIF NOT v_t.on_demand THEN
        v_t.code := 'pc_recording_disabled';
    ELSIF v_t.media AND NOT pc_media_live() THEN
        v_t.code := 'service_unavailable';
    ELSE
        v_t.code := 'ok';
    END IF;
    RETURN v_t;
END $$;

-- Whether any view of the call records (the engine's capture), for a media call.
CREATE FUNCTION pc_media_capture(p_call text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM phone_call_view v
                    WHERE v.call_id = p_call AND v.recording IS NOT NULL)
$$;

-- 011's change, with the capture flag on a media call's event.
CREATE OR REPLACE FUNCTION pc_action_apply(p_t pc_action_target, p_token bigint,
                                           p_action text, p_format text, p_request text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF p_action = 'stop' AND p_t.recording IS NOT NULL THEN
        UPDATE phone_call_view v SET recording = NULL, recording_format = NULL
         WHERE v.call_id = p_t.call_id AND v.id = p_t.view_id;
        INSERT INTO recording_event (org_id, call_id, view_id, extension_id, action,
                                     actor_user_id, app_id, token_id, started_at, stopped_at,
                                     format, request_id, capture)
        VALUES (p_t.org_id, p_t.call_id, p_t.view_id, p_t.view_extension_id, 'stop',
                p_t.actor_user_id, p_t.app_id, p_token, p_t.recording, now(),
                p_t.recording_format, p_request,
                CASE WHEN p_t.media THEN pc_media_capture(p_t.call_id) END);
        RETURN true;
    ELSIF p_action = 'start' AND p_t.recording IS NULL THEN
        UPDATE phone_call_view v SET recording = now(), recording_format = p_format
         WHERE v.call_id = p_t.call_id AND v.id = p_t.view_id;
        INSERT INTO recording_event (org_id, call_id, view_id, extension_id, action,
                                     actor_user_id, app_id, token_id, started_at, format,
                                     request_id, capture)
        VALUES (p_t.org_id, p_t.call_id, p_t.view_id, p_t.view_extension_id, 'start',
                p_t.actor_user_id, p_t.app_id, p_token, now(), p_format, p_request,
                CASE WHEN p_t.media THEN true END);
        RETURN true;
    END IF;
    RETURN false;
END $$;

-- 008's end of a call, and for a media call an 'end' event for every view that was ever
-- recorded (its audio file is made from them): a view recording at the end with its
-- current interval, as before; a view stopped by then with its last interval.
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
                                 started_at, stopped_at, format, capture, file)
    SELECT v.org_id, v.call_id, v.id, v.extension_id, 'end',
           coalesce(v.recording, s.started_at), coalesce(s.stopped_at, now()),
           coalesce(v.recording_format, s.format), CASE WHEN v_call.media THEN false END,
           CASE WHEN v_call.media THEN v.org_id || '/' || v.call_id || '/' || v.id || '.wav' END
      FROM phone_call_view v
      LEFT JOIN LATERAL (
            SELECT e.started_at, e.stopped_at, e.format FROM recording_event e
             WHERE v_call.media AND v.recording IS NULL
               AND e.org_id = v.org_id AND e.call_id = v.call_id AND e.view_id = v.id
               AND e.action = 'stop'
             ORDER BY e.id DESC LIMIT 1) s ON true
     WHERE v.call_id = p_call AND (v.recording IS NOT NULL OR s.started_at IS NOT NULL)
     ORDER BY v.id;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    UPDATE media_call SET ended_at = now() WHERE call_id = p_call AND ended_at IS NULL;
    DELETE FROM phone_call WHERE id = p_call;
    IF v_n > 0 THEN
        PERFORM pg_notify('recording_events', '');
    END IF;
    RETURN v_n;
END $$;

-- Text the SIP proxy passes, hex-encoded: its SQL module has no bound parameters, and
-- hex digits cannot end a literal. NULL for anything that is not valid UTF-8 without
-- control characters.
CREATE FUNCTION pc_sip_text(p_hex text, p_max integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v text;
BEGIN
    IF p_hex IS NULL OR p_hex !~ '^([0-9A-Fa-f]{2})*$' OR length(p_hex) > 2 * p_max THEN
        RETURN NULL;
    END IF;
    v := convert_from(decode(p_hex, 'hex'), 'UTF8');
    RETURN CASE WHEN v ~ '[\x01-\x1f\x7f]' THEN NULL ELSE v END;
EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
    RETURN NULL;
END $$;

-- An answered SIP call (the proxy calls this on the INVITE's 2xx): the call and a view
-- per party that is an extension here, the caller's first; the call belongs to the
-- caller's extension, or to the callee's when the caller is outside. A view records
-- from the answer when its extension records always. Returns the phoneCallId and
-- whether the engine should capture from the answer, or no row when neither party is an
-- extension here (nothing to show or record). A 2xx sent again finds the call made.
CREATE FUNCTION pc_sip_begin(p_sip_hex text, p_from_hex text, p_to_hex text,
                             p_name_hex text, p_node text)
RETURNS TABLE (call_id text, capture boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_sip    text := pc_sip_text(p_sip_hex, 255);
    v_from   text := pc_sip_text(p_from_hex, 64);
    v_to     text := pc_sip_text(p_to_hex, 64);
    v_name   text := pc_sip_text(p_name_hex, 128);
    v_caller extension%ROWTYPE;
    v_callee extension%ROWTYPE;
    v_owner  extension%ROWTYPE;
    v_id     text;
    v_cid    text;
BEGIN
    IF v_sip IS NULL OR v_from IS NULL OR v_to IS NULL THEN
        RAISE EXCEPTION 'pc_sip_begin: malformed call' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT m.call_id INTO v_id FROM media_call m WHERE m.sip_call_id = v_sip;
    IF FOUND THEN
        RETURN QUERY SELECT v_id, pc_media_capture(v_id);
        RETURN;
    END IF;
    SELECT * INTO v_caller FROM extension x WHERE x.number = v_from;
    SELECT * INTO v_callee FROM extension x WHERE x.number = v_to;
    v_owner := CASE WHEN v_caller.id IS NOT NULL THEN v_caller ELSE v_callee END;
    IF v_owner.id IS NULL THEN
        RETURN;
    END IF;
    v_id := replace(gen_random_uuid()::text, '-', '');
    v_cid := CASE WHEN coalesce(v_name, '') = '' THEN '<' || v_from || '>'
                  ELSE v_name || ' <' || v_from || '>' END;
    INSERT INTO phone_call (id, org_id, extension_id, answered, media)
    VALUES (v_id, v_owner.org_id, v_owner.id, now(), true);
    INSERT INTO media_call (call_id, org_id, sip_call_id, node)
    VALUES (v_id, v_owner.org_id, v_sip, p_node);
    INSERT INTO phone_call_view (call_id, id, org_id, extension_id, answered, status,
                                 caller_id, source, destination, recording, recording_format)
    SELECT v_id, to_char(row_number() OVER (ORDER BY p.k), 'FM00'), x.org_id, x.id, now(), 5,
           v_cid, ARRAY[v_from], ARRAY[v_to],
           CASE WHEN x.recording_enabled AND x.recording_trigger = 'always' THEN now() END,
           CASE WHEN x.recording_enabled AND x.recording_trigger = 'always'
                THEN x.recording_format END
      FROM (VALUES (1, v_caller.id), (2, v_callee.id)) AS p (k, ext_id)
      JOIN extension x ON x.id = p.ext_id;
    RETURN QUERY SELECT v_id, pc_media_capture(v_id);
END $$;

-- A SIP call hung up (BYE, the dialog's timeout): pc_call_end of its call. NULL when
-- no live call has that Call-ID.
CREATE FUNCTION pc_sip_end(p_sip_hex text) RETURNS integer
LANGUAGE sql AS $$
    SELECT pc_call_end(m.call_id) FROM media_call m
     WHERE m.sip_call_id = pc_sip_text(p_sip_hex, 255) AND m.ended_at IS NULL
$$;

-- The SIP proxy p_node started: the calls it carried before are gone. Returns how many
-- it ended.
CREATE FUNCTION pc_sip_restart(p_node text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_call text;
    v_n    integer := 0;
BEGIN
    FOR v_call IN SELECT m.call_id FROM media_call m
                   WHERE m.node = p_node AND m.ended_at IS NULL ORDER BY m.call_id LOOP
        PERFORM pc_call_end(v_call);
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END $$;

-- The adapter's confirmation of a live engine (p_engine: its name and version). The
-- first one of a session takes the session's shared hold on pc_media_lock().
CREATE FUNCTION pc_media_beat(p_adapter text, p_engine text) RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_lock_shared(pc_media_lock())
     WHERE NOT pc_media_held(pg_backend_pid());
    INSERT INTO media_heartbeat AS h (adapter, engine, seen_at)
    VALUES (p_adapter, p_engine, clock_timestamp())
    ON CONFLICT (adapter) DO UPDATE SET engine = EXCLUDED.engine, seen_at = EXCLUDED.seen_at;
$$;

-- The adapter's read, inside its batch's transaction: takes the consumer's lock (a
-- second adapter under the same name waits here until the first commits), then the
-- events past its acknowledgements (seal first, in a transaction of its own), with the
-- SIP Call-ID of a media call's event (NULL: no engine carries that call, nothing to
-- apply). The adapter commits a batch in which it applied anything durably (it says so in
-- the transaction), whatever its session's synchronous_commit.
CREATE FUNCTION pc_media_next(p_consumer text, p_limit integer)
RETURNS TABLE (event_id bigint, org_id bigint, seq bigint, action text, call_id text,
               view_id text, capture boolean, sip_call_id text, file text,
               created_at double precision)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    INSERT INTO media_consumer (consumer) VALUES (p_consumer) ON CONFLICT DO NOTHING;
    PERFORM 1 FROM media_consumer c WHERE c.consumer = p_consumer FOR UPDATE;
    RETURN QUERY
    SELECT e.id, s.org_id, n.seq, e.action, e.call_id, e.view_id, e.capture, m.sip_call_id,
           e.file, extract(epoch FROM e.created_at)::double precision
      FROM event_seq s
      LEFT JOIN event_ack a ON a.consumer = p_consumer AND a.org_id = s.org_id
     CROSS JOIN LATERAL (
            SELECT n.event_id, n.seq FROM event_number n
             WHERE n.org_id = s.org_id AND n.seq > coalesce(a.seq, 0)
             ORDER BY n.seq
             LIMIT p_limit) n
      JOIN recording_event e ON e.id = n.event_id
      LEFT JOIN media_call m ON e.capture IS NOT NULL AND m.call_id = e.call_id
     WHERE s.last > coalesce(a.seq, 0)
     ORDER BY s.org_id, n.seq
     LIMIT p_limit;
END $$;

-- The outcome of applying one event (applied: the engine confirmed at p_at; otherwise
-- p_error), recorded once; the end of a view puts its audio file in hand.
CREATE FUNCTION pc_media_outcome(p_consumer text, p_event bigint, p_sent timestamptz,
                                 p_at timestamptz, p_error text, p_attempts integer)
RETURNS void
LANGUAGE sql AS $$
    WITH o AS (
        INSERT INTO media_outcome (event_id, consumer, sent_at, applied_at, error, attempts)
        VALUES (p_event, p_consumer, p_sent, p_at, left(p_error, 200), p_attempts)
        ON CONFLICT (event_id) DO NOTHING
        RETURNING applied_at
    )
    UPDATE media_stats SET applied = applied + (SELECT count(*) FROM o WHERE applied_at IS NOT NULL),
                           failed = failed + (SELECT count(*) FROM o WHERE applied_at IS NULL)
     WHERE EXISTS (SELECT 1 FROM o);
    INSERT INTO media_file (event_id, consumer)
    SELECT e.id, p_consumer FROM recording_event e WHERE e.id = p_event AND e.file IS NOT NULL
    ON CONFLICT (event_id) DO NOTHING;
$$;

-- The audio files in hand, oldest first: the view's call (its SIP Call-ID finds its
-- audio) and the file to make.
CREATE FUNCTION pc_media_files(p_consumer text, p_limit integer)
RETURNS TABLE (event_id bigint, call_id text, view_id text, sip_call_id text, file text,
               ended double precision, format text)
LANGUAGE sql STABLE AS $$
    SELECT e.id, e.call_id, e.view_id, m.sip_call_id, e.file,
           extract(epoch FROM e.created_at)::double precision, e.format
      FROM media_file f
      JOIN recording_event e ON e.id = f.event_id
      JOIN media_call m ON m.call_id = e.call_id
     WHERE f.consumer = p_consumer AND f.made_at IS NULL AND f.error IS NULL
     ORDER BY f.event_id
     LIMIT p_limit
$$;

-- A file made (p_error NULL) or given up. Returns how many files of its call are still
-- in hand: at 0 the engine's recording of the call may go.
CREATE FUNCTION pc_media_file_done(p_event bigint, p_error text) RETURNS bigint
LANGUAGE sql AS $$
    UPDATE media_file SET made_at = CASE WHEN p_error IS NULL THEN now() END,
                          error = left(p_error, 200)
     WHERE event_id = p_event AND made_at IS NULL AND error IS NULL;
    SELECT count(*) FROM media_file f JOIN recording_event e ON e.id = f.event_id
     WHERE f.made_at IS NULL AND f.error IS NULL
       AND e.call_id = (SELECT call_id FROM recording_event WHERE id = p_event);
$$;

-- The adapter's acknowledgement of what it applied (the highest number per organization).
CREATE FUNCTION pc_media_ack(p_consumer text, p_orgs bigint[], p_seqs bigint[])
RETURNS void
LANGUAGE sql AS $$
    INSERT INTO event_ack AS a (consumer, org_id, seq)
    SELECT p_consumer, u.o, u.s FROM unnest(p_orgs, p_seqs) AS u (o, s)
    ON CONFLICT (consumer, org_id) DO UPDATE SET seq = greatest(a.seq, EXCLUDED.seq),
                                                 acked_at = now()
$$;

-- The recorded intervals of a view of a media call, from its events (for its file), in
-- microseconds of Unix time.
CREATE FUNCTION pc_media_intervals(p_call text, p_view text)
RETURNS TABLE (from_us bigint, to_us bigint)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT (extract(epoch FROM e.started_at) * 1000000)::bigint,
                    (extract(epoch FROM e.stopped_at) * 1000000)::bigint
      FROM recording_event e
     WHERE e.call_id = p_call AND e.view_id = p_view AND e.action IN ('stop', 'end')
       AND e.capture IS NOT NULL
     ORDER BY 1, 2
$$;

-- The media plane as the service sees it (health and metrics): whether an adapter
-- confirmed a live engine in time, when the freshest confirmation was (Unix time), the
-- events applied and refused, and how long the oldest event the adapters have not
-- taken yet has waited: the first past an adapter's acknowledgement in each
-- organization, and any of a media call not numbered yet (no one sealed since). Each
-- part reads an index or a one-row table: health checks run it often. PL/pgSQL, whose
-- plans a session keeps; no JIT: on tables not analyzed yet the estimates would have the
-- plan compiled (0.3 s) for a read of a few rows.
CREATE FUNCTION pc_media_status(
    OUT live boolean, OUT configured boolean, OUT heartbeat_at double precision,
    OUT applied bigint, OUT failed bigint, OUT lag double precision)
LANGUAGE plpgsql STABLE SET jit = off AS $$
DECLARE
    v_taken   timestamptz;
    v_waiting timestamptz;
BEGIN
    live := pc_media_live();
    SELECT count(*) > 0, extract(epoch FROM max(h.seen_at))
      INTO configured, heartbeat_at FROM media_heartbeat h;
    SELECT s.applied, s.failed INTO applied, failed FROM media_stats s;
    SELECT min(e.created_at) INTO v_taken
      FROM media_consumer c CROSS JOIN event_seq q
      LEFT JOIN event_ack a ON a.consumer = c.consumer AND a.org_id = q.org_id
     CROSS JOIN LATERAL (
            SELECT n.event_id FROM event_number n
             WHERE n.org_id = q.org_id AND n.seq > coalesce(a.seq, 0)
             ORDER BY n.seq LIMIT 1) n
      JOIN recording_event e ON e.id = n.event_id
     WHERE q.last > coalesce(a.seq, 0);
    SELECT min(e.created_at) INTO v_waiting
      FROM event_tick t JOIN recording_event e ON e.xid >= pg_snapshot_xmin(t.snap)
     WHERE e.capture IS NOT NULL AND NOT pg_visible_in_snapshot(e.xid, t.snap);
    lag := coalesce(extract(epoch FROM now() - least(v_taken, v_waiting)), 0);
END $$;

-- The consumers' read (014) with the audio file an 'end' names: a column more, so the
-- functions are made again (a caller of SELECT * gets the new column last).
DROP FUNCTION pc_events_next(text, integer, bigint[], bigint[]);
DROP FUNCTION pc_events_read(text, integer);
CREATE FUNCTION pc_events_read(p_consumer text, p_limit integer)
RETURNS TABLE (org_id bigint, seq bigint, action text, call_id text, view_id text,
               extension text, actor_user_id bigint, app_id bigint, started_at timestamptz,
               stopped_at timestamptz, format text, request_id text, file text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT s.org_id, n.seq, e.action, e.call_id, e.view_id, x.number, e.actor_user_id,
           e.app_id, e.started_at, e.stopped_at, e.format, e.request_id, e.file
      FROM event_seq s
      LEFT JOIN event_ack a ON a.consumer = p_consumer AND a.org_id = s.org_id
     CROSS JOIN LATERAL (
            SELECT n.event_id, n.seq FROM event_number n
             WHERE n.org_id = s.org_id AND n.seq > coalesce(a.seq, 0)
             ORDER BY n.seq
             LIMIT p_limit) n
      JOIN recording_event e ON e.id = n.event_id
      JOIN extension x ON x.id = e.extension_id
     WHERE s.last > coalesce(a.seq, 0)
     ORDER BY s.org_id, n.seq
     LIMIT p_limit;
END $$;

CREATE FUNCTION pc_events_next(p_consumer text, p_limit integer, p_orgs bigint[],
                               p_seqs bigint[])
RETURNS TABLE (org_id bigint, seq bigint, action text, call_id text, view_id text,
               extension text, actor_user_id bigint, app_id bigint, started_at timestamptz,
               stopped_at timestamptz, format text, request_id text, file text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    INSERT INTO event_ack AS a (consumer, org_id, seq)
    SELECT p_consumer, u.o, u.s FROM unnest(p_orgs, p_seqs) AS u (o, s)
    ON CONFLICT (consumer, org_id) DO UPDATE SET seq = greatest(a.seq, EXCLUDED.seq),
                                                 acked_at = now();
    PERFORM pc_events_seal();
    RETURN QUERY SELECT * FROM pc_events_read(p_consumer, p_limit);
END $$;
REVOKE ALL ON FUNCTION pc_events_read(text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION pc_events_next(text, integer, bigint[], bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_events_read(text, integer) TO pc_events;
GRANT EXECUTE ON FUNCTION pc_events_next(text, integer, bigint[], bigint[]) TO pc_events;

-- Who may call what: the SIP proxy its three functions; the adapter the seal, its read,
-- outcomes, acknowledgements, intervals and heartbeat; the worker the status.
DO $$
DECLARE
    f text;
    g record;
BEGIN
    FOR g IN SELECT * FROM (VALUES
            ('pc_sip_begin(text, text, text, text, text)', 'pc_sip'),
            ('pc_sip_end(text)', 'pc_sip'),
            ('pc_sip_restart(text)', 'pc_sip'),
            ('pc_media_beat(text, text)', 'pc_media'),
            ('pc_media_next(text, integer)', 'pc_media'),
            ('pc_media_outcome(text, bigint, timestamptz, timestamptz, text, integer)',
             'pc_media'),
            ('pc_media_ack(text, bigint[], bigint[])', 'pc_media'),
            ('pc_media_intervals(text, text)', 'pc_media'),
            ('pc_media_files(text, integer)', 'pc_media'),
            ('pc_media_file_done(bigint, text)', 'pc_media'),
            ('pc_events_seal()', 'pc_media'),
            ('pc_media_status()', 'pc_worker')) AS t (fn, r) LOOP
        f := g.fn;
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = public, pg_temp',
                       f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f, g.r);
    END LOOP;
END $$;
GRANT USAGE ON SCHEMA public TO pc_sip, pc_media;
