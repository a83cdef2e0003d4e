-- pc-start.sql - pgbench: the statements the service runs for one StartRecording PUT on a
-- random call of bench/data.sql (view 2), as the worker sends it: one prepared call of
-- pc_action with the context its token and URI resolve to.
\set n random(1, 200000)
\set u (:n - 1) % 1000 + 1
\set tok 100000 + :u
\set org 1000 + (:u - 1) % 10 + 1
\set usr 100000 + :u
\set ext 700000 + (:n - 1) % 10000 + 1
\set call 1000000 + :n
\set view 2
SELECT code, call_id, extension, user_id, changed FROM pc_action(:tok::bigint, :org::bigint, :usr::bigint, :ext::text, :call::text, :view::text, 'start'::text, 'wav'::text, :n::text);
-- then, pipelined by the worker in the same round trip (pgbench sends it in its own),
-- the notification in a transaction of its own (schema/008_notify_after_commit.sql)
SELECT pc_notify();
