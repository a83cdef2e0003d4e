-- pc_action_check.sql - the checks of StopRecording / StartRecording, in the contract's
-- order, without the change: 'ok' and the view to change, or what is wrong (pc_status). The view row is locked, so concurrent actions on it are serialized. For a media
-- call, the call's row lock too (taken before the view's, as pc_call_end does) and a
-- live media plane, checked last (bad input answers its own error first).

CREATE OR REPLACE FUNCTION pc_action_check(p_token bigint, p_org bigint, p_user bigint,
                                           p_self boolean, p_ext text, p_call text,
                                           p_view text, p_action text, p_format text)
RETURNS pc_action_target
LANGUAGE plpgsql AS $$
DECLARE
    v_t   pc_action_target;
    v_res record;
BEGIN
    -- the token is checked again inside the transaction: a revocation takes effect at once
    SELECT t.app_id, CASE WHEN a.kind = 'user' THEN a.id END
      INTO v_t.app_id, v_t.actor_user_id
      FROM access_token t JOIN app p ON p.id = t.app_id JOIN account a ON a.id = p.account_id
     WHERE t.id = p_token AND t.revoked_at IS NULL AND t.expires_at > now();
    IF NOT FOUND THEN
        v_t.code := 'token_invalid';
        RETURN v_t;
    END IF;

    v_res := pc_resolve(p_org, p_user, p_self, p_ext);
    IF v_res.code <> 'ok' THEN
        v_t.code := v_res.code;
        RETURN v_t;
    END IF;

    SELECT c.id, c.org_id, e.number, e.user_id, c.media
      INTO v_t.call_id, v_t.org_id, v_t.extension, v_t.user_id, v_t.media
      FROM phone_call c JOIN extension e ON e.id = c.extension_id
     WHERE c.id = p_call
       AND CASE WHEN v_res.ext_id IS NOT NULL THEN c.extension_id = v_res.ext_id
                ELSE (p_user IS NULL OR e.user_id = p_user)
                     AND (p_org IS NULL OR c.org_id = p_org) END;
    IF NOT FOUND THEN
        v_t.code := 'call_unknown';
        RETURN v_t;
    END IF;
    IF v_t.media THEN
        PERFORM 1 FROM phone_call c WHERE c.id = v_t.call_id FOR NO KEY UPDATE;
        IF NOT FOUND THEN   -- it ended while this request waited for it
            v_t.code := 'call_unknown';
            RETURN v_t;
        END IF;
    END IF;

    SELECT v.id, v.extension_id, v.recording, v.recording_format,
           e.recording_enabled AND e.recording_trigger = 'on_demand'
      INTO v_t.view_id, v_t.view_extension_id, v_t.recording, v_t.recording_format,
           v_t.on_demand
      FROM phone_call_view v JOIN extension e ON e.id = v.extension_id
     WHERE v.call_id = v_t.call_id AND v.id = p_view
       FOR UPDATE OF v;
    IF NOT FOUND THEN
        v_t.code := 'view_unknown';
        RETURN v_t;
    END IF;

    IF p_action = 'start' AND p_format IS NULL THEN
        v_t.code := 'format_missing';
    ELSIF NOT v_t.on_demand THEN
        v_t.code := 'not_on_demand';
    ELSIF v_t.media AND NOT pc_media_live() THEN
        v_t.code := 'media_down';
    ELSE
        v_t.code := 'ok';
    END IF;
    RETURN v_t;
END $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_action_check(bigint, bigint, bigint, boolean, text, text,
                                       text, text, text)
    FROM PUBLIC;
