-- data.sql - the benchmark's data set, loaded by tools/bench on its own cluster next to
-- the demo data: 10 organizations, 1,000 users each with an App and a token
-- ("bench-user-<u>-token", stored as its SHA-256 like every token), 10,000 extensions
-- recorded on demand, and 200,000 live calls with two views each: view 1 being recorded,
-- view 2 not. Call n (1..200,000) is "<1000000 + n>" on extension "<700000 + e>" of user
-- "<100000 + u>", where e = (n - 1) % 10000 + 1 and u = (n - 1) % 1000 + 1: the load
-- generators compute a request from n alone.

BEGIN;

INSERT INTO account (id, kind, parent_id, org_id, name)
SELECT 1000 + o, 'organization', 2, 1000 + o, 'Bench organization ' || o
  FROM generate_series(1, 10) o;

INSERT INTO account (id, kind, parent_id, org_id, name)
SELECT 100000 + u, 'user', 1000 + (u - 1) % 10 + 1, 1000 + (u - 1) % 10 + 1,
       'Bench user ' || u
  FROM generate_series(1, 1000) u;

INSERT INTO app (id, account_id, org_id, name)
SELECT 100000 + u, 100000 + u, 1000 + (u - 1) % 10 + 1, 'Bench App of user ' || u
  FROM generate_series(1, 1000) u;

INSERT INTO access_token (id, app_id, org_id, token_hash, expires_at)
SELECT 100000 + u, 100000 + u, 1000 + (u - 1) % 10 + 1,
       sha256(convert_to('bench-user-' || u || '-token', 'UTF8')), now() + interval '1 day'
  FROM generate_series(1, 1000) u;

INSERT INTO extension (id, org_id, user_id, number, recording_enabled, recording_trigger)
SELECT 100000 + e, 1000 + ((e - 1) % 1000) % 10 + 1, 100000 + (e - 1) % 1000 + 1,
       (700000 + e)::text, true, 'on_demand'
  FROM generate_series(1, 10000) e;

INSERT INTO phone_call (id, org_id, extension_id, answered, published)
SELECT (1000000 + n)::text, 1000 + ((n - 1) % 1000) % 10 + 1, 100000 + (n - 1) % 10000 + 1,
       now(), now() - make_interval(secs => n)
  FROM generate_series(1, 200000) n;

INSERT INTO phone_call_view (call_id, id, org_id, extension_id, answered, status, caller_id,
                             source, destination, recording, recording_format)
SELECT c.id, v.id, c.org_id, c.extension_id, c.answered, 5, 'Bench caller',
       '{7778888}', ARRAY[(700000 + (n - 1) % 10000 + 1)::text],
       CASE v.id WHEN '1' THEN now() END, CASE v.id WHEN '1' THEN 'wav' END
  FROM generate_series(1, 200000) n
  JOIN phone_call c ON c.id = (1000000 + n)::text
 CROSS JOIN (VALUES ('1'), ('2')) v (id);

COMMIT;

VACUUM ANALYZE account, app, access_token, extension, phone_call, phone_call_view;
