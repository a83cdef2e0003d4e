-- 004_list_token.sql - the list checks its token again, as pc_action does: a worker
-- may remember what a token's context is (it never changes), but whether the token is
-- still valid is decided by the statement that serves the request, so a revocation or an
-- expiry takes effect at once without a look-up of its own.

CREATE FUNCTION pc_token_ok(p_token bigint) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM access_token t
                    WHERE t.id = p_token AND t.revoked_at IS NULL AND t.expires_at > now())
$$;

DROP FUNCTION pc_list(bigint, bigint, text, boolean, text, integer, integer);

-- List PhoneCalls, once p_token (the token's id) is found valid: one row per view of the
-- calls of the requested page, ordered by published then id; total counts every call in
-- scope. With p_one, only p_call (a NULL p_call is a malformed id). A page past the end
-- yields one row with no call, to carry the total. The scope filter is one of four
-- constant texts, chosen before planning, so each scope is planned on its own index;
-- every value is bound, never formatted.
CREATE FUNCTION pc_list(p_token bigint, p_org bigint, p_user bigint, p_ext text, p_one boolean,
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
    IF NOT pc_token_ok(p_token) THEN
        SELECT 'access_denied'::text AS code, NULL::bigint AS ext_id INTO v_res;
    ELSE
        v_res := pc_resolve(p_org, p_user, p_ext);
    END IF;
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
