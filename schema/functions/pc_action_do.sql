-- pc_action_do.sql - StopRecording / StartRecording without an Idempotency-Key: the
-- checks (pc_action_check), then the change (pc_action_apply). The view row is locked,
-- so concurrent actions on it are serialized and exactly one of them records the
-- change.

CREATE OR REPLACE FUNCTION pc_action_do(p_token bigint, p_org bigint, p_user bigint,
                                        p_self boolean, p_ext text, p_call text,
                                        p_view text, p_action text, p_format text,
                                        p_request text)
RETURNS TABLE (code pc_status, call_id text, extension text, user_id bigint, changed boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_t pc_action_target;
BEGIN
    v_t := pc_action_check(p_token, p_org, p_user, p_self, p_ext, p_call, p_view, p_action,
                           p_format);
    IF v_t.code <> 'ok' THEN
        RETURN QUERY SELECT v_t.code, NULL::text, NULL::text, NULL::bigint, false;
        RETURN;
    END IF;
    RETURN QUERY SELECT 'ok'::pc_status, v_t.call_id, v_t.extension, v_t.user_id,
                        pc_action_apply(v_t, p_token, p_action, p_format, p_request);
END $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_action_do(bigint, bigint, bigint, boolean, text, text, text,
                                    text, text, text)
    FROM PUBLIC;
