-- 003_phonecalls.sql - the PhoneCalls requests as functions, so that each runs as one
-- statement: one round trip, one transaction, every guard and the change together.
--
-- Scope arguments come from the worker's context rules: p_org NULL is the global
-- context; p_user NULL means "whoever owns the extension" (@owner). p_ext NULL is
-- @self; an empty p_ext is a malformed extension. Results carry a contract error code,
-- 'ok' on success.

-- RFC 3339 in the session's TimeZone, which the worker sets from its configuration.
CREATE FUNCTION pc_date(ts timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')
$$;

-- Checks the userId and extension of a request against its scope. Returns the error
-- code or 'ok', and the extension's id (NULL for @self).
CREATE FUNCTION pc_resolve(p_org bigint, p_user bigint, p_ext text,
                           OUT code text, OUT ext_id bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_user IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM account a
         WHERE a.id = p_user AND a.kind = 'user' AND (p_org IS NULL OR a.org_id = p_org)) THEN
        code := 'user_invalid';
        RETURN;
    END IF;
    IF p_ext IS NOT NULL THEN
        SELECT e.id INTO ext_id FROM extension e
         WHERE e.number = p_ext
           AND (p_user IS NULL OR e.user_id = p_user)
           AND (p_org IS NULL OR e.org_id = p_org);
        IF NOT FOUND THEN
            code := 'extension_invalid';
            RETURN;
        END IF;
    END IF;
    code := 'ok';
END $$;

-- StopRecording / StartRecording of one view. The view row is locked, so concurrent
-- actions on it are serialized and exactly one of them records the change.
CREATE FUNCTION pc_action(p_token bigint, p_org bigint, p_user bigint, p_ext text,
                          p_call text, p_view text, p_action text, p_format text,
                          p_request text)
RETURNS TABLE (code text, call_id text, extension text, user_id bigint, changed boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_app   bigint;
    v_actor bigint;
    v_res   record;
    v_call  record;
    v_view  record;
BEGIN
    -- the token is checked again inside the transaction: a revocation takes effect at once
    SELECT t.app_id, CASE WHEN a.kind = 'user' THEN a.id END INTO v_app, v_actor
      FROM access_token t JOIN app p ON p.id = t.app_id JOIN account a ON a.id = p.account_id
     WHERE t.id = p_token AND t.revoked_at IS NULL AND t.expires_at > now();
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'access_denied'::text, NULL::text, NULL::text, NULL::bigint, false;
        RETURN;
    END IF;

    v_res := pc_resolve(p_org, p_user, p_ext);
    IF v_res.code <> 'ok' THEN
        RETURN QUERY SELECT v_res.code, NULL::text, NULL::text, NULL::bigint, false;
        RETURN;
    END IF;

    SELECT c.id, c.org_id, e.number, e.user_id INTO v_call
      FROM phone_call c JOIN extension e ON e.id = c.extension_id
     WHERE c.id = p_call
       AND CASE WHEN v_res.ext_id IS NOT NULL THEN c.extension_id = v_res.ext_id
                ELSE (p_user IS NULL OR e.user_id = p_user)
                     AND (p_org IS NULL OR c.org_id = p_org) END;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'pc_phonecall_invalid'::text, NULL::text, NULL::text, NULL::bigint, false;
        RETURN;
    END IF;

    SELECT v.id, v.extension_id, v.recording, v.recording_format,
           e.recording_enabled, e.recording_trigger INTO v_view
      FROM phone_call_view v JOIN extension e ON e.id = v.extension_id
     WHERE v.call_id = v_call.id AND v.id = p_view
       FOR UPDATE OF v;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'pc_phonecallview_invalid'::text, NULL::text, NULL::text, NULL::bigint, false;
        RETURN;
    END IF;

    IF p_action = 'start' AND p_format IS NULL THEN
        RETURN QUERY SELECT 'pc_format_invalid'::text, NULL::text, NULL::text, NULL::bigint, false;
        RETURN;
    END IF;

    IF NOT (v_view.recording_enabled AND v_view.recording_trigger = 'on_demand') THEN
        RETURN QUERY SELECT 'pc_recording_disabled'::text, NULL::text, NULL::text, NULL::bigint, false;
        RETURN;
    END IF;

    changed := false;
    IF p_action = 'stop' AND v_view.recording IS NOT NULL THEN
        UPDATE phone_call_view SET recording = NULL, recording_format = NULL
         WHERE phone_call_view.call_id = v_call.id AND id = v_view.id;
        INSERT INTO recording_event (org_id, call_id, view_id, extension_id, action,
                                     actor_user_id, app_id, token_id, started_at, stopped_at,
                                     format, request_id)
        VALUES (v_call.org_id, v_call.id, v_view.id, v_view.extension_id, 'stop',
                v_actor, v_app, p_token, v_view.recording, now(),
                v_view.recording_format, p_request);
        changed := true;
    ELSIF p_action = 'start' AND v_view.recording IS NULL THEN
        UPDATE phone_call_view SET recording = now(), recording_format = p_format
         WHERE phone_call_view.call_id = v_call.id AND id = v_view.id;
        INSERT INTO recording_event (org_id, call_id, view_id, extension_id, action,
                                     actor_user_id, app_id, token_id, started_at, format,
                                     request_id)
        VALUES (v_call.org_id, v_call.id, v_view.id, v_view.extension_id, 'start',
                v_actor, v_app, p_token, now(), p_format, p_request);
        changed := true;
    END IF;

    RETURN QUERY SELECT 'ok'::text, v_call.id, v_call.number, v_call.user_id, changed;
END $$;

-- List PhoneCalls: one row per view of the calls of the requested page, ordered by
-- published then id; total counts every call in scope. With p_one, only p_call (a NULL
-- p_call is a malformed id). A page past the end yields one row with no call, to carry
-- the total. The scope filter is one of four constant texts, chosen before planning,
-- so each scope is planned on its own index; every value is bound, never formatted.
CREATE FUNCTION pc_list(p_org bigint, p_user bigint, p_ext text, p_one boolean,
                        p_call text, p_start integer, p_count integer)
RETURNS TABLE (code text, total bigint, call_id text, call_ext text, owner_user bigint,
               org_id bigint, org_name text, answered text, published text,
               view_id text, view_ext text, view_answered text, status smallint,
               caller_id text, source text, destination text, recording text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    v_res    record;
    v_filter text;
BEGIN
    v_res := pc_resolve(p_org, p_user, p_ext);
    IF v_res.code = 'ok' AND p_one AND p_call IS NULL THEN
        v_res.code := 'pc_phonecall_invalid';
    END IF;
    IF v_res.code <> 'ok' THEN
        RETURN QUERY SELECT v_res.code, 0::bigint, NULL::text, NULL::text, NULL::bigint,
            NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text;
        RETURN;
    END IF;

    -- pc_resolve has confined the extension and the user to p_org already.
    v_filter := CASE WHEN v_res.ext_id IS NOT NULL THEN 'c.extension_id = $1'
                     WHEN p_user IS NOT NULL THEN 'e.user_id = $2'
                     WHEN p_org IS NOT NULL THEN 'c.org_id = $3'
                     ELSE 'true' END;
    IF p_one THEN
        v_filter := v_filter || ' AND c.id = $4';
    END IF;

    RETURN QUERY EXECUTE format($q$
    WITH calls AS (
        SELECT c.id, c.org_id, c.answered, c.published, e.number, e.user_id
          FROM phone_call c JOIN extension e ON e.id = c.extension_id
         WHERE %s
    ), page AS (
        SELECT * FROM calls ORDER BY published, id OFFSET $5 LIMIT $6
    ), meta AS (
        SELECT count(*) AS total FROM calls
    )
    SELECT 'ok'::text, meta.total, pg.id, pg.number, pg.user_id, pg.org_id, o.name,
           pc_date(pg.answered), pc_date(pg.published),
           v.id, ve.number, pc_date(v.answered), v.status, v.caller_id,
           array_to_string(v.source, E'\x1f'), array_to_string(v.destination, E'\x1f'),
           pc_date(v.recording)
      FROM meta
      LEFT JOIN page pg ON true
      LEFT JOIN account o ON o.id = pg.org_id
      LEFT JOIN phone_call_view v ON v.call_id = pg.id
      LEFT JOIN extension ve ON ve.id = v.extension_id
     ORDER BY pg.published, pg.id, v.id
    $q$, v_filter)
    USING v_res.ext_id, p_user, p_org, p_call, p_start, p_count;
END $$;
