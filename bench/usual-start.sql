-- usual-start.sql - pgbench: the same StartRecording as separate statements, the way a PHP
-- or Node.js implementation sends it: BEGIN, token look-up, context checks, the view
-- locked, then (when it is not recorded) UPDATE and INSERT of the event, COMMIT.
-- Data set and organizations: pgbench -D dataset=K -D orgs=N (bench/data.sql).
\set n random(1, 200000)
\set u (:n - 1) % 1000 + 1
\set off :dataset * 1000000
\set key :off + :u
\set tok 100000 + :key
\set org 1000 + :dataset * 1000 + (:u - 1) % :orgs + 1
\set usr 100000 + :off + :u
\set ext 700000 + :off + (:n - 1) % 10000 + 1
\set call 1000000 + :off + :n
BEGIN;
SELECT t.id AS tid, t.app_id AS app, a.id AS acct FROM access_token t JOIN app p ON p.id = t.app_id JOIN account a ON a.id = p.account_id WHERE t.token_hash = sha256(convert_to('bench-user-' || :key || '-token', 'UTF8')) AND t.revoked_at IS NULL AND t.expires_at > now() \gset
SELECT a.id AS uid FROM account a WHERE a.id = :usr AND a.kind = 'user' AND a.org_id = :org \gset
SELECT e.id AS ext_id FROM extension e WHERE e.number = :ext::text AND e.user_id = :usr AND e.org_id = :org \gset
SELECT c.org_id AS corg FROM phone_call c WHERE c.id = :call::text AND c.extension_id = :ext_id \gset
SELECT (v.recording IS NULL)::int AS was_null, v.recording AS rec, v.recording_format AS fmt, v.extension_id AS vext, e.recording_enabled AS enabled FROM phone_call_view v JOIN extension e ON e.id = v.extension_id WHERE v.call_id = :call::text AND v.id = '2' FOR UPDATE OF v \gset
\if :was_null = 1
UPDATE phone_call_view SET recording = now(), recording_format = 'wav' WHERE call_id = :call::text AND id = '2';
INSERT INTO recording_event (org_id, call_id, view_id, extension_id, action, actor_user_id, app_id, token_id, started_at, format, request_id) VALUES (:corg, :call::text, '2', :vext, 'start', :acct, :app, :tid, now(), 'wav', :n::text);
\endif
COMMIT;
-- the notification for the PBX, after the commit (schema/008_notify_after_commit.sql)
SELECT pc_notify();
