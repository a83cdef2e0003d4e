-- pc_list.sql - List PhoneCalls, once p_token (the token's id) is found valid: one row
-- per view of the calls of the requested page, ordered by published then id (both
-- reversed with p_desc); total counts every call in scope that the filter keeps. With
-- p_one, only p_call (a NULL p_call is a malformed id). A page past the end yields one
-- row with no call, to carry the total.
--
-- The filter: p_by 'id' or 'published' (NULL: none) with p_op equals, contains,
-- startsWith, greaterThan, lessThan, present or inArray; the values in p_ids (by id) or
-- p_secs (by published: whole seconds since 1970, UTC), one each but for inArray. The
-- worker has parsed and checked them (docs/api.md, "List parameters").
--
-- The scope filter is one of four constant texts, and the filter one per form, chosen
-- before planning, so each is planned on its own index (009_list_parameters.sql) and no
-- filter reads every live call of an organization; every value is bound, never
-- formatted. Ids compare as text, byte for byte (COLLATE "C", whatever the database's
-- collation); dates compare to the second, the precision the API writes them in.

CREATE OR REPLACE FUNCTION pc_list(p_token bigint, p_org bigint, p_user bigint,
                                   p_self boolean, p_ext text, p_one boolean, p_call text,
                                   p_start integer, p_count integer, p_desc boolean,
                                   p_by text, p_op text, p_ids text[], p_secs bigint[])
RETURNS TABLE (code pc_status, total bigint, call_id text, call_ext text, owner_user bigint,
               org_id bigint, org_name text, answered text, published text,
               view_id text, view_ext text, view_answered text, status smallint,
               caller_id text, source text, destination text, recording text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_res    record;
    v_scope  text;
    v_from   text := 'phone_call c';
    v_filter text := 'true';
    v_dir    text := CASE WHEN p_desc THEN 'DESC' ELSE 'ASC' END;
    v_text   text;
    v_hi     text;
    v_t1     timestamptz;
    v_t2     timestamptz;
BEGIN
    IF NOT pc_token_ok(p_token) THEN
        SELECT 'token_invalid'::pc_status AS code, NULL::bigint AS ext_id INTO v_res;
    ELSE
        v_res := pc_resolve(p_org, p_user, p_self, p_ext);
    END IF;
    IF v_res.code = 'ok' AND p_one AND p_call IS NULL THEN
        v_res.code := 'call_unknown';
    END IF;

    -- The filter's text, one per form; its values are bound below ($7 to $12).
    IF v_res.code = 'ok' AND p_by IS NOT NULL AND p_op <> 'present' THEN
        IF p_by = 'id' AND cardinality(p_ids) >= 1 THEN
            v_text := p_ids[1];
            CASE p_op
            WHEN 'equals', 'inArray' THEN
                v_filter := 'c.id = ANY($7)';
            WHEN 'contains' THEN
                -- ids are [A-Za-z0-9]: nothing in them is a LIKE wildcard
                v_filter := 'c.id LIKE $8';
                v_text := '%' || v_text || '%';
            WHEN 'startsWith' THEN
                -- the ids with that prefix lie between it and the prefix whose last
                -- byte is one higher
                v_filter := 'c.id COLLATE "C" >= $8 AND c.id COLLATE "C" < $10';
                v_hi := left(v_text, -1) || chr(ascii(right(v_text, 1)) + 1);
            WHEN 'greaterThan' THEN
                v_filter := 'c.id COLLATE "C" > $8';
            WHEN 'lessThan' THEN
                v_filter := 'c.id COLLATE "C" < $8';
            ELSE
                v_res.code := 'filter_op_unfit';
            END CASE;
        ELSIF p_by = 'published' AND cardinality(p_secs) >= 1 THEN
            v_t1 := to_timestamp(p_secs[1]);
            CASE p_op
            WHEN 'equals' THEN
                v_filter := 'c.published >= $11 AND c.published < $12';
                v_t2 := v_t1 + interval '1 second';
            WHEN 'greaterThan' THEN
                v_filter := 'c.published >= $11';
                v_t1 := v_t1 + interval '1 second';
            WHEN 'lessThan' THEN
                v_filter := 'c.published < $11';
            WHEN 'inArray' THEN
                -- one index range per distinct second; seconds do not overlap, so no
                -- call is found twice
                v_from := '(SELECT DISTINCT s FROM unnest($9) s) r JOIN phone_call c'
                          ' ON c.published >= to_timestamp(r.s)'
                          ' AND c.published < to_timestamp(r.s + 1)';
            ELSE
                v_res.code := 'filter_op_unfit';
            END CASE;
        ELSE
            v_res.code := 'filter_value_unfit';
        END IF;
    END IF;

    IF v_res.code <> 'ok' THEN
        RETURN QUERY SELECT v_res.code, 0::bigint, NULL::text, NULL::text, NULL::bigint,
            NULL::bigint, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
            NULL::text, NULL::smallint, NULL::text, NULL::text, NULL::text, NULL::text;
        RETURN;
    END IF;

    -- pc_resolve has confined the extension and the user to p_org already.
    v_scope := CASE WHEN v_res.ext_id IS NOT NULL THEN 'c.extension_id = $1'
                    WHEN p_user IS NOT NULL THEN 'e.user_id = $2'
                    WHEN p_org IS NOT NULL THEN 'c.org_id = $3'
                    ELSE 'true' END;
    IF p_one THEN
        v_scope := v_scope || ' AND c.id = $4';
    END IF;

    RETURN QUERY EXECUTE format($q$
    WITH calls AS (
        SELECT c.id, c.org_id, c.answered, c.published, e.number, e.user_id
          FROM %1$s JOIN extension e ON e.id = c.extension_id
         WHERE %2$s AND %3$s
    ), page AS (
        SELECT * FROM calls ORDER BY published %4$s, id %4$s OFFSET $5 LIMIT $6
    ), meta AS (
        SELECT count(*) AS total FROM calls
    )
    SELECT 'ok'::pc_status, meta.total, pg.id, pg.number, pg.user_id, pg.org_id, o.name,
           pc_date(pg.answered), pc_date(pg.published),
           v.id, ve.number, pc_date(v.answered), v.status, v.caller_id,
           array_to_string(v.source, E'\x1f'), array_to_string(v.destination, E'\x1f'),
           pc_date(v.recording)
      FROM meta
      LEFT JOIN page pg ON true
      LEFT JOIN account o ON o.id = pg.org_id
      LEFT JOIN phone_call_view v ON v.call_id = pg.id
      LEFT JOIN extension ve ON ve.id = v.extension_id
     ORDER BY pg.published %4$s, pg.id %4$s, v.id
    $q$, v_from, v_scope, v_filter, v_dir)
    USING v_res.ext_id, p_user, p_org, p_call, p_start, p_count,
          p_ids, v_text, p_secs, v_hi, v_t1, v_t2;
END $$;

-- Granted to the workers (pc_worker).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_list(bigint, bigint, bigint, boolean, text, boolean, text,
                               integer, integer, boolean, text, text, text[], bigint[])
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_list(bigint, bigint, bigint, boolean, text, boolean, text,
                                  integer, integer, boolean, text, text, text[], bigint[])
    TO pc_worker;
