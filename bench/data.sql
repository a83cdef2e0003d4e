-- data.sql - the benchmark's data set, loaded by tools/bench and tools/bench-events on
-- their own cluster next to the demo data: 1,000 users each with an App and a token, in
-- :orgs organizations (1 to 1,000), 10,000 extensions recorded on demand, and 200,000
-- live calls with two views each: view 1 being recorded, view 2 not.
--
--   psql -v orgs=10 -v dataset=0 -f bench/data.sql
--
-- Several data sets (dataset 0 to 8, each with its own count of organizations) live
-- side by side in the same tables, so that the load generators can alternate between
-- them minute by minute; set k adds off = k * 1,000,000 to every number below. Call n
-- (1..200,000) is "<1000000 + off + n>" on extension "<700000 + off + e>" of user
-- "<100000 + off + u>", where e = (n - 1) % 10000 + 1 and u = (n - 1) % 1000 + 1, whose
-- token is "bench-user-<off + u>-token" (stored as its SHA-256 like every token); user u
-- belongs to organization 1000 + k * 1000 + (u - 1) % orgs + 1. The load generators
-- compute a request from k, orgs and n alone. Data set 0 with 10 organizations is the
-- data set of the runs recorded before data sets had a number.

\set ON_ERROR_STOP on

BEGIN;

-- The two settings, checked once; every statement below reads them from here.
CREATE TEMP TABLE bench_set (
    orgs integer NOT NULL CHECK (orgs BETWEEN 1 AND 1000),
    k    integer NOT NULL CHECK (k BETWEEN 0 AND 8),
    off  bigint  GENERATED ALWAYS AS (k * 1000000::bigint) STORED,
    base bigint  GENERATED ALWAYS AS (1000 + k * 1000::bigint) STORED
) ON COMMIT DROP;
INSERT INTO bench_set (orgs, k) VALUES (:'orgs', :'dataset');

INSERT INTO account (id, kind, parent_id, org_id, name)
SELECT s.base + o, 'organization', 2, s.base + o,
       'Bench organization ' || o || ' of ' || s.orgs || ' (data set ' || s.k || ')'
  FROM bench_set s, generate_series(1, s.orgs) o;

INSERT INTO account (id, kind, parent_id, org_id, name)
SELECT 100000 + s.off + u, 'user', s.base + (u - 1) % s.orgs + 1,
       s.base + (u - 1) % s.orgs + 1, 'Bench user ' || (s.off + u)
  FROM bench_set s, generate_series(1, 1000) u;

INSERT INTO app (id, account_id, org_id, name)
SELECT 100000 + s.off + u, 100000 + s.off + u, s.base + (u - 1) % s.orgs + 1,
       'Bench App of user ' || (s.off + u)
  FROM bench_set s, generate_series(1, 1000) u;

INSERT INTO access_token (id, app_id, org_id, token_hash, expires_at)
SELECT 100000 + s.off + u, 100000 + s.off + u, s.base + (u - 1) % s.orgs + 1,
       sha256(convert_to('bench-user-' || (s.off + u) || '-token', 'UTF8')),
       now() + interval '1 day'
  FROM bench_set s, generate_series(1, 1000) u;

INSERT INTO extension (id, org_id, user_id, number, recording_enabled, recording_trigger)
SELECT 100000 + s.off + e, s.base + ((e - 1) % 1000) % s.orgs + 1,
       100000 + s.off + (e - 1) % 1000 + 1, (700000 + s.off + e)::text, true, 'on_demand'
  FROM bench_set s, generate_series(1, 10000) e;

INSERT INTO phone_call (id, org_id, extension_id, answered, published)
SELECT (1000000 + s.off + n)::text, s.base + ((n - 1) % 1000) % s.orgs + 1,
       100000 + s.off + (n - 1) % 10000 + 1, now(), now() - make_interval(secs => n)
  FROM bench_set s, generate_series(1, 200000) n;

INSERT INTO phone_call_view (call_id, id, org_id, extension_id, answered, status, caller_id,
                             source, destination, recording, recording_format)
SELECT c.id, v.id, c.org_id, c.extension_id, c.answered, 5, 'Bench caller',
       '{7778888}', ARRAY[(700000 + s.off + (n - 1) % 10000 + 1)::text],
       CASE v.id WHEN '1' THEN now() END, CASE v.id WHEN '1' THEN 'wav' END
  FROM bench_set s
 CROSS JOIN generate_series(1, 200000) n
  JOIN phone_call c ON c.id = (1000000 + s.off + n)::text
 CROSS JOIN (VALUES ('1'), ('2')) v (id);

COMMIT;

VACUUM ANALYZE account, app, access_token, extension, phone_call, phone_call_view;
