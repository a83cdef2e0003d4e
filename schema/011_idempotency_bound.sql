-- 011_idempotency_bound.sql - Idempotency-Key: a bound per App that no client can pass,
-- and a key stored only for a request that was carried out.
--
-- Until now every PUT with a fresh key stored a row, whatever it answered (an unknown
-- call, a view that does not exist), and the key was claimed before any check: a
-- reused key answered 409 before the request's own 400. Now:
--
-- - The checks of the contract run first (token, userId, extension, phoneCallId,
--   phoneCallViewId, format, precondition); a request that fails one answers its error
--   and stores nothing, as a request Stripe never began to execute: retrying it is safe.
-- - Only then is the key claimed. A key live with another request is a 409; with the
--   same one, the stored answer is replayed. A replay is looked up before the checks too,
--   so a retry gets its stored 202 even after the call ended.
-- - Each App's keys live in a ring of pc_idempotency_keys_max() slots (its row of
--   idempotency_app counts the keys it claimed): a new key takes the next slot,
--   dropping the key that was there, the App's oldest. So an App has at most that many
--   keys, replay protection holds for its most recent ones, and a claim costs one row
--   lock and a few index probes, never a count of the App's rows. The ring's row
--   serializes one App's claims, as event_seq serializes an organization's events;
--   requests without a key never take it.
--
-- No dynamic SQL: every function works as its caller's definer would run it.

-- How many keys an App keeps: replay protection for its latest 10,000 keyed PUTs
-- within the retention (a few MiB of rows per App). A migration may change it: a
-- larger bound takes effect at once; keys past a smaller one go at the next purge.
CREATE FUNCTION pc_idempotency_keys_max() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 10000 $$;

-- How long a key is replayed; after that it may be used again for anything.
CREATE FUNCTION pc_idempotency_ttl() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '24 hours' $$;

-- Each App's ring: the number of keys it claimed so far; the next one takes slot
-- next % pc_idempotency_keys_max().
CREATE TABLE idempotency_app (
    app_id bigint PRIMARY KEY REFERENCES app (id),
    next   bigint NOT NULL DEFAULT 0 CHECK (next >= 0)
);

-- A row now holds what a replay answers (the 202's call, extension and owner) and the
-- request's digest; no error code, since errors are not stored. Keys stored for
-- requests that failed are dropped, and so is every App's excess over the bound, the
-- oldest first.
DELETE FROM idempotency_key WHERE code IS DISTINCT FROM 'ok' OR call_id IS NULL
    OR extension IS NULL OR user_id IS NULL;
ALTER TABLE idempotency_key DROP COLUMN code,
    ALTER COLUMN call_id SET NOT NULL,
    ALTER COLUMN extension SET NOT NULL,
    ALTER COLUMN user_id SET NOT NULL,
    ADD COLUMN slot integer CHECK (slot >= 0);
-- the newest key of an App in slot n - 1, its oldest kept in slot 0; next = n then
-- points at the oldest
UPDATE idempotency_key k SET slot = (least(a.n_keys, pc_idempotency_keys_max()) - a.age)::integer
  FROM (SELECT app_id, key,
               row_number() OVER (PARTITION BY app_id ORDER BY created_at DESC, key) AS age,
               count(*) OVER (PARTITION BY app_id) AS n_keys
          FROM idempotency_key) a
 WHERE k.app_id = a.app_id AND k.key = a.key AND a.age <= pc_idempotency_keys_max();
DELETE FROM idempotency_key WHERE slot IS NULL;
ALTER TABLE idempotency_key ALTER COLUMN slot SET NOT NULL,
    ADD CONSTRAINT idempotency_key_slot_key UNIQUE (app_id, slot);
INSERT INTO idempotency_app (app_id, next)
SELECT app_id, count(*) FROM idempotency_key GROUP BY app_id;

-- What the checks of a PUT found: 'ok' and the view to change (its row locked), or the
-- contract's error code.
CREATE TYPE pc_action_target AS (
    code              text,
    app_id            bigint,
    actor_user_id     bigint,     -- the token's user, for an App of a user
    call_id           text,
    org_id            bigint,
    extension         text,       -- the call's extension number
    user_id           bigint,     -- its owner
    view_id           text,
    view_extension_id bigint,
    recording         timestamptz,
    recording_format  text,
    on_demand         boolean     -- the view's extension records on demand (*1)
);

-- The checks of StopRecording / StartRecording, in the contract's order, without the
-- change: 003's pc_action up to its precondition. The view row is locked, so concurrent
-- actions on it are serialized.
CREATE FUNCTION pc_action_check(p_token bigint, p_org bigint, p_user bigint, p_ext text,
                                p_call text, p_view text, p_action text, p_format text)
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

    SELECT c.id, c.org_id, e.number, e.user_id
      INTO v_t.call_id, v_t.org_id, v_t.extension, v_t.user_id
      FROM phone_call c JOIN extension e ON e.id = c.extension_id
     WHERE c.id = p_call
       AND CASE WHEN v_res.ext_id IS NOT NULL THEN c.extension_id = v_res.ext_id
                ELSE (p_user IS NULL OR e.user_id = p_user)
                     AND (p_org IS NULL OR c.org_id = p_org) END;
    IF NOT FOUND THEN
        v_t.code := 'pc_phonecall_invalid';
        RETURN v_t;
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
    ELSE
        v_t.code := 'ok';
    END IF;
    RETURN v_t;
END $$;

-- The change of a checked action and its event: whether the view changed (stopping what
-- is not recorded, or starting what is, changes nothing).
CREATE FUNCTION pc_action_apply(p_t pc_action_target, p_token bigint, p_action text,
                                p_format text, p_request text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF p_action = 'stop' AND p_t.recording IS NOT NULL THEN
        UPDATE phone_call_view v SET recording = NULL, recording_format = NULL
         WHERE v.call_id = p_t.call_id AND v.id = p_t.view_id;
        INSERT INTO recording_event (org_id, call_id, view_id, extension_id, action,
                                     actor_user_id, app_id, token_id, started_at, stopped_at,
                                     format, request_id)
        VALUES (p_t.org_id, p_t.call_id, p_t.view_id, p_t.view_extension_id, 'stop',
                p_t.actor_user_id, p_t.app_id, p_token, p_t.recording, now(),
                p_t.recording_format, p_request);
        RETURN true;
    ELSIF p_action = 'start' AND p_t.recording IS NULL THEN
        UPDATE phone_call_view v SET recording = now(), recording_format = p_format
         WHERE v.call_id = p_t.call_id AND v.id = p_t.view_id;
        INSERT INTO recording_event (org_id, call_id, view_id, extension_id, action,
                                     actor_user_id, app_id, token_id, started_at, format,
                                     request_id)
        VALUES (p_t.org_id, p_t.call_id, p_t.view_id, p_t.view_extension_id, 'start',
                p_t.actor_user_id, p_t.app_id, p_token, now(), p_format, p_request);
        RETURN true;
    END IF;
    RETURN false;
END $$;

-- The request without a key, as 003 defined it: the checks, then the change.
CREATE OR REPLACE FUNCTION pc_action_do(p_token bigint, p_org bigint, p_user bigint,
                                        p_ext text, p_call text, p_view text, p_action text,
                                        p_format text, p_request text)
RETURNS TABLE (code text, call_id text, extension text, user_id bigint, changed boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_t pc_action_target;
BEGIN
    v_t := pc_action_check(p_token, p_org, p_user, p_ext, p_call, p_view, p_action, p_format);
    IF v_t.code <> 'ok' THEN
        RETURN QUERY SELECT v_t.code, NULL::text, NULL::text, NULL::bigint, false;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'ok'::text, v_t.call_id, v_t.extension, v_t.user_id,
                        pc_action_apply(v_t, p_token, p_action, p_format, p_request);
END $$;

-- Claims p_key for the App's next slot once its request passed every check, storing the
-- answer's call, extension and owner. claim: 'new'; or, when the key is live already (a
-- retry that raced the first request, which committed while this one waited), 'replay'
-- with the stored answer for the same request digest, 'conflict' for another one. The
-- ring's row lock makes claims of one App one at a time, so no two of them store one
-- key, and a claim sees every key committed before it.
CREATE FUNCTION pc_idempotency_claim(p_app bigint, p_key text, p_hash bytea, p_call text,
                                     p_ext text, p_user bigint,
                                     OUT claim text, OUT c_call text, OUT c_ext text,
                                     OUT c_user bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_ring idempotency_app%ROWTYPE;
    v_key  idempotency_key%ROWTYPE;
BEGIN
    INSERT INTO idempotency_app (app_id) VALUES (p_app) ON CONFLICT (app_id) DO NOTHING;
    SELECT * INTO v_ring FROM idempotency_app a WHERE a.app_id = p_app FOR UPDATE;
    SELECT * INTO v_key FROM idempotency_key k WHERE k.app_id = p_app AND k.key = p_key;
    IF FOUND THEN
        IF v_key.created_at > now() - pc_idempotency_ttl() THEN
            claim := CASE WHEN v_key.request_hash = p_hash THEN 'replay' ELSE 'conflict' END;
            c_call := v_key.call_id;
            c_ext := v_key.extension;
            c_user := v_key.user_id;
            RETURN;
        END IF;
        -- expired: the key starts over, in the ring's next slot
        DELETE FROM idempotency_key k WHERE k.app_id = p_app AND k.key = p_key;
    END IF;
    UPDATE idempotency_app a SET next = a.next + 1 WHERE a.app_id = p_app;
    -- the slot's key, if any, is the App's oldest: it goes
    INSERT INTO idempotency_key AS k (app_id, slot, key, request_hash, call_id, extension,
                                      user_id)
    VALUES (p_app, (v_ring.next % pc_idempotency_keys_max())::integer, p_key, p_hash, p_call,
            p_ext, p_user)
    ON CONFLICT (app_id, slot) DO UPDATE
       SET key = EXCLUDED.key, request_hash = EXCLUDED.request_hash,
           call_id = EXCLUDED.call_id, extension = EXCLUDED.extension,
           user_id = EXCLUDED.user_id, created_at = now();
    claim := 'new';
    c_call := p_call;
    c_ext := p_ext;
    c_user := p_user;
END $$;

-- pc_action with an optional key (p_key) and request digest (p_hash). Without a key,
-- pc_action_do. With one: a live key of the token's App stored for the same digest is
-- replayed at once (replayed: true); otherwise the request is checked, and a request
-- that fails a check answers its error and stores nothing; one that passes claims the
-- key (pc_idempotency_claim: 409 when the key is live with another request) and is
-- carried out in the same transaction.
CREATE OR REPLACE FUNCTION pc_action(p_token bigint, p_org bigint, p_user bigint, p_ext text,
                                     p_call text, p_view text, p_action text, p_format text,
                                     p_request text, p_key text DEFAULT NULL,
                                     p_hash bytea DEFAULT NULL)
RETURNS TABLE (code text, call_id text, extension text, user_id bigint, changed boolean,
               replayed boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_idem idempotency_key%ROWTYPE;
    v_t    pc_action_target;
    v_c    record;
BEGIN
    IF p_key IS NULL THEN
        RETURN QUERY SELECT d.code, d.call_id, d.extension, d.user_id, d.changed, false
                       FROM pc_action_do(p_token, p_org, p_user, p_ext, p_call, p_view,
                                         p_action, p_format, p_request) d;
        RETURN;
    END IF;
    -- the same request again: it passed every check once, and its answer stands
    SELECT k.* INTO v_idem
      FROM access_token t JOIN idempotency_key k ON k.app_id = t.app_id
     WHERE t.id = p_token AND t.revoked_at IS NULL AND t.expires_at > now()
       AND k.key = p_key AND k.created_at > now() - pc_idempotency_ttl();
    IF FOUND AND v_idem.request_hash = p_hash THEN
        RETURN QUERY SELECT 'ok'::text, v_idem.call_id, v_idem.extension, v_idem.user_id,
                            false, true;
        RETURN;
    END IF;
    v_t := pc_action_check(p_token, p_org, p_user, p_ext, p_call, p_view, p_action, p_format);
    IF v_t.code <> 'ok' THEN
        RETURN QUERY SELECT v_t.code, NULL::text, NULL::text, NULL::bigint, false, false;
        RETURN;
    END IF;
    v_c := pc_idempotency_claim(v_t.app_id, p_key, p_hash, v_t.call_id, v_t.extension,
                                v_t.user_id);
    IF v_c.claim = 'conflict' THEN
        RETURN QUERY SELECT 'idempotency_key_conflict'::text, NULL::text, NULL::text,
                            NULL::bigint, false, false;
        RETURN;
    END IF;
    IF v_c.claim = 'replay' THEN
        RETURN QUERY SELECT 'ok'::text, v_c.c_call, v_c.c_ext, v_c.c_user, false, true;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'ok'::text, v_t.call_id, v_t.extension, v_t.user_id,
                        pc_action_apply(v_t, p_token, p_action, p_format, p_request), false;
END $$;

-- Removes keys older than the retention (they are never replayed), and any past the
-- bound (after it was lowered); run it from cron. Returns how many went. The rings
-- keep their place.
CREATE OR REPLACE FUNCTION pc_idempotency_purge() RETURNS bigint
LANGUAGE sql AS $$
    WITH d AS (DELETE FROM idempotency_key
                WHERE created_at < now() - pc_idempotency_ttl()
                   OR slot >= pc_idempotency_keys_max()
               RETURNING 1)
    SELECT count(*) FROM d
$$;
