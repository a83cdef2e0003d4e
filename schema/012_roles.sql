-- 012_roles.sql - least privilege: each process its own role (schema/roles.sql creates
-- them), with only what it needs.
--
-- The worker (pc_worker) reaches the data only through the request functions, which run
-- as the schema's owner (SECURITY DEFINER) with a fixed search_path, so that no object
-- of the caller's can stand in for one of theirs. It holds no privilege on any table:
-- a compromised worker can make the requests an App could make, no more; it cannot read
-- a secret's digest, change or delete an event, or disable a trigger (only the owner
-- can). Grants on tables would have had to include writing recording_event and reading
-- every token's digest, as the functions do.
--
-- The consumer (pc_events) reads the events and the extension numbers they name, and
-- writes its acknowledgements. The App tool (pc_apps) registers and revokes through
-- functions and lists Apps by the columns that hold no secret.
--
-- Every function the owner adds later is executable by no one else until granted
-- (default privileges below); a function granted to the worker must be SECURITY
-- DEFINER with its search_path set (tests/it_roles.c checks it). Who may call each
-- function is said in its file, schema/functions/<name>.sql (REVOKE, GRANT, and
-- SECURITY DEFINER in its definition).

DO $$
BEGIN
    IF (SELECT count(*) FROM pg_roles
         WHERE rolname IN ('pc_worker', 'pc_events', 'pc_apps')) < 3 THEN
        RAISE EXCEPTION 'roles pc_worker, pc_events and pc_apps do not exist'
            USING HINT = 'create them first, as a superuser: psql -f schema/roles.sql';
    END IF;
END $$;

-- Nothing for anyone by default: no table, sequence or function of the schema, now or
-- later (each function's file revokes it from PUBLIC too), and no new object in the
-- schema.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO pc_worker, pc_events, pc_apps;

GRANT SELECT ON recording_event TO pc_events;
GRANT SELECT (id, number) ON extension TO pc_events;
GRANT SELECT, INSERT, UPDATE ON event_ack TO pc_events;

GRANT SELECT (id, client_id, account_id, name, revoked_at) ON app TO pc_apps;
GRANT SELECT (app_id, revoked_at, expires_at) ON access_token TO pc_apps;
