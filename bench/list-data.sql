-- list-data.sql - the List filters' data set, loaded by tools/bench-list next to the demo
-- data: 100,000 live calls of one organization (demo organization 3, so that the demo's
-- organization token lists them), on 1,000 extensions of user 12 with two views each.
-- Call n (1..100,000) has a 20-hex-digit id like the seed's b817d2618fe6f1804333 (the
-- first 20 digits of md5('call' || n)) and was published n seconds after
-- 2026-01-01T00:00:00Z, so ids are spread evenly over the hex alphabet and a second holds
-- one call.

BEGIN;

INSERT INTO extension (id, org_id, user_id, number, recording_enabled, recording_trigger)
SELECT 200000 + e, 3, 12, '0003*' || (50000 + e), true, 'on_demand'
  FROM generate_series(1, 1000) e;

INSERT INTO phone_call (id, org_id, extension_id, answered, published)
SELECT left(md5('call' || n), 20), 3, 200000 + (n - 1) % 1000 + 1,
       timestamptz '2026-01-01T00:00:00Z' + make_interval(secs => n),
       timestamptz '2026-01-01T00:00:00Z' + make_interval(secs => n)
  FROM generate_series(1, 100000) n;

INSERT INTO phone_call_view (call_id, id, org_id, extension_id, answered, status, caller_id,
                             source, destination, recording, recording_format)
SELECT c.id, v.id, 3, c.extension_id, c.answered, 5, 'Bench caller', '{7778888}',
       '{0003*210}', CASE v.id WHEN '01' THEN c.answered END,
       CASE v.id WHEN '01' THEN 'wav' END
  FROM phone_call c CROSS JOIN (VALUES ('01'), ('02')) v (id)
 WHERE c.extension_id > 200000;

COMMIT;

VACUUM ANALYZE extension, phone_call, phone_call_view;
