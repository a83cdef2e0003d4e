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
-- No dynamic SQL: every function works as its caller's definer would run it. The
-- functions: schema/functions/ (pc_idempotency_keys_max, pc_idempotency_ttl,
-- pc_action_check, pc_action_apply, pc_action_do, pc_idempotency_claim, pc_action,
-- pc_idempotency_purge).

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
-- points at the oldest. 10000: the bound then (pc_idempotency_keys_max(), which a
-- migration cannot call: the functions are defined after the migrations).
UPDATE idempotency_key k SET slot = (least(a.n_keys, 10000) - a.age)::integer
  FROM (SELECT app_id, key,
               row_number() OVER (PARTITION BY app_id ORDER BY created_at DESC, key) AS age,
               count(*) OVER (PARTITION BY app_id) AS n_keys
          FROM idempotency_key) a
 WHERE k.app_id = a.app_id AND k.key = a.key AND a.age <= 10000;
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
