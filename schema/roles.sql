-- roles.sql - the database roles of the PhoneCalls service, created once per cluster by
-- a superuser (or a role with CREATEROLE), before the first migration:
--   psql -U postgres -f schema/roles.sql
-- Safe to run again. No role is a superuser, creates roles or databases, or bypasses
-- row security; none has a password here (DEPLOYMENT.md: how each one authenticates).
--
--   pc         owns the schema: migrations and the operator's maintenance run as it
--   pc_worker  the FastCGI workers: may only call the request functions (migration 012;
--              each function's file in schema/functions/ says who may call it)
--   pc_events  the event consumer (pc-events): reads the event stream, writes its
--              acknowledgements
--   pc_apps    the operator's App tool (tools/apps): registers and revokes Apps and
--              tokens, lists Apps without their secrets
--   pc_sip     the SIP proxy (kamailio): writes answered calls and ends them (pc_sip_*)
--   pc_media   the media adapter (pc-media): reads the event stream, records what the
--              media engine made of each event, confirms a live engine
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['pc', 'pc_worker', 'pc_events', 'pc_apps', 'pc_sip', 'pc_media'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I LOGIN', r);
        END IF;
        EXECUTE format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE '
                       'NOREPLICATION NOBYPASSRLS', r);
    END LOOP;
END $$;
-- The owner sees the sessions of the workers and the consumer in pg_stat_activity, and
-- may end them (pg_terminate_backend), as a member of their roles; it gains no other
-- privilege by it, as it owns everything they may use.
GRANT pc_worker, pc_events, pc_sip, pc_media TO pc;
