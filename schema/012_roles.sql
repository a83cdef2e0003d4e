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
-- DEFINER with its search_path set (tests/it_roles.c checks it).

DO $$
BEGIN
    IF (SELECT count(*) FROM pg_roles
         WHERE rolname IN ('pc_worker', 'pc_events', 'pc_apps')) < 3 THEN
        RAISE EXCEPTION 'roles pc_worker, pc_events and pc_apps do not exist'
            USING HINT = 'create them first, as a superuser: psql -f schema/roles.sql';
    END IF;
END $$;

-- The worker's look-up of a token by its digest: the token's id and its account's
-- kind, id and organization (0 above the organization level). Valid tokens only.
CREATE FUNCTION pc_auth(p_hash bytea)
RETURNS TABLE (token_id bigint, kind text, account_id bigint, org_id bigint)
LANGUAGE sql STABLE AS $$
    SELECT t.id, a.kind, a.id, coalesce(a.org_id, 0)
      FROM access_token t JOIN app p ON p.id = t.app_id
      JOIN account a ON a.id = p.account_id
     WHERE t.token_hash = p_hash AND t.revoked_at IS NULL AND t.expires_at > now()
$$;

-- Nothing for anyone by default: no table, sequence or function of the schema, now or
-- later, and no new object in the schema.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO pc_worker, pc_events, pc_apps;

-- The schema's own functions (an extension's, such as pg_trgm's, are left as they are):
-- none for anyone, but each role's own, under whatever argument list each has now,
-- which run as the owner with a search_path no caller can change.
DO $$
DECLARE
    f record;
    v_role text;
BEGIN
    FOR f IN SELECT p.oid::regprocedure AS fn, p.proname AS name FROM pg_proc p
              WHERE p.pronamespace = 'public'::regnamespace
                AND p.proowner = current_user::regrole
                AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                 WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                   AND d.deptype = 'e') LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', f.fn);
        v_role := CASE
            WHEN f.name IN ('pc_auth', 'pc_action', 'pc_list', 'pc_oauth_token', 'pc_notify')
                THEN 'pc_worker'
            WHEN f.name IN ('pc_app_register', 'pc_app_revoke', 'pc_token_revoke')
                THEN 'pc_apps'
        END;
        IF v_role IS NOT NULL THEN
            EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = public, pg_temp',
                           f.fn);
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', f.fn, v_role);
        END IF;
    END LOOP;
END $$;

GRANT SELECT ON recording_event TO pc_events;
GRANT SELECT (id, number) ON extension TO pc_events;
GRANT SELECT, INSERT, UPDATE ON event_ack TO pc_events;

GRANT SELECT (id, client_id, account_id, name, revoked_at) ON app TO pc_apps;
GRANT SELECT (app_id, revoked_at, expires_at) ON access_token TO pc_apps;
