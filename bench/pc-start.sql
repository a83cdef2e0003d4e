-- pc-start.sql - pgbench: the statements the service runs for one StartRecording PUT on a
-- random call of bench/data.sql (view 2), as the worker sends it: one prepared call of
-- pc_action with the context its token and URI resolve to.
-- Data set and organizations: pgbench -D dataset=K -D orgs=N (bench/data.sql).
\set n random(1, 200000)
\set u (:n - 1) % 1000 + 1
\set off :dataset * 1000000
\set tok 100000 + :off + :u
\set org 1000 + :dataset * 1000 + (:u - 1) % :orgs + 1
\set usr 100000 + :off + :u
\set ext 700000 + :off + (:n - 1) % 10000 + 1
\set call 1000000 + :off + :n
\set view 2
SELECT code, call_id, extension, user_id, changed FROM pc_action(:tok::bigint, :org::bigint, :usr::bigint, false, :ext::text, :call::text, :view::text, 'start'::text, 'wav'::text, :n::text);
-- then, pipelined by the worker in the same round trip (pgbench sends it in its own),
-- the notification in a transaction of its own (schema/008_notify_after_commit.sql)
SELECT pc_notify();
