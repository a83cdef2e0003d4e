-- pc_action.sql - StopRecording / StartRecording of one view, as one statement: one
-- round trip, one transaction, every guard and the change together. code is 'ok' or
-- what is wrong (pc_status); scope arguments as pc_resolve.sql says.
--
-- With an optional Idempotency-Key (p_key) and request digest (p_hash). Without a key,
-- pc_action_do. With one: a live key of the token's App stored for the same digest is
-- replayed at once (replayed: true); otherwise the request is checked, and a request
-- that fails a check answers its error and stores nothing; one that passes claims the
-- key (pc_idempotency_claim: 409 when the key is live with another request) and is
-- carried out in the same transaction.

CREATE OR REPLACE FUNCTION pc_action(p_token bigint, p_org bigint, p_user bigint,
                                     p_self boolean, p_ext text, p_call text, p_view text,
                                     p_action text, p_format text, p_request text,
                                     p_key text DEFAULT NULL, p_hash bytea DEFAULT NULL)
RETURNS TABLE (code pc_status, call_id text, extension text, user_id bigint, changed boolean,
               replayed boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_idem idempotency_key%ROWTYPE;
    v_t    pc_action_target;
    v_c    record;
BEGIN
    IF p_key IS NULL THEN
        RETURN QUERY SELECT d.code, d.call_id, d.extension, d.user_id, d.changed, false
                       FROM pc_action_do(p_token, p_org, p_user, p_self, p_ext, p_call,
                                         p_view, p_action, p_format, p_request) d;
        RETURN;
    END IF;
    -- the same request again: it passed every check once, and its answer stands
    SELECT k.* INTO v_idem
      FROM access_token t JOIN idempotency_key k ON k.app_id = t.app_id
     WHERE t.id = p_token AND t.revoked_at IS NULL AND t.expires_at > now()
       AND k.key = p_key AND k.created_at > now() - pc_idempotency_ttl();
    IF FOUND AND v_idem.request_hash = p_hash THEN
        RETURN QUERY SELECT 'ok'::pc_status, v_idem.call_id, v_idem.extension, v_idem.user_id,
                            false, true;
        RETURN;
    END IF;
    v_t := pc_action_check(p_token, p_org, p_user, p_self, p_ext, p_call, p_view, p_action,
                           p_format);
    IF v_t.code <> 'ok' THEN
        RETURN QUERY SELECT v_t.code, NULL::text, NULL::text, NULL::bigint, false, false;
        RETURN;
    END IF;
    v_c := pc_idempotency_claim(v_t.app_id, p_key, p_hash, v_t.call_id, v_t.extension,
                                v_t.user_id);
    IF v_c.claim = 'conflict' THEN
        RETURN QUERY SELECT 'key_conflict'::pc_status, NULL::text, NULL::text,
                            NULL::bigint, false, false;
        RETURN;
    END IF;
    IF v_c.claim = 'replay' THEN
        RETURN QUERY SELECT 'ok'::pc_status, v_c.c_call, v_c.c_ext, v_c.c_user, false, true;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'ok'::pc_status, v_t.call_id, v_t.extension, v_t.user_id,
                        pc_action_apply(v_t, p_token, p_action, p_format, p_request), false;
END $$;

-- Granted to the workers (pc_worker).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_action(bigint, bigint, bigint, boolean, text, text, text, text,
                                 text, text, text, bytea)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_action(bigint, bigint, bigint, boolean, text, text, text, text,
                                    text, text, text, bytea)
    TO pc_worker;
