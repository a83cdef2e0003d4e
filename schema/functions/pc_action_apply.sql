-- pc_action_apply.sql - the change of a checked action and its event: whether the view
-- changed (stopping what is not recorded, or starting what is, changes nothing). The
-- event of a media call carries the capture flag: whether the engine captures the call
-- once the change is made (015_media.sql).

CREATE OR REPLACE FUNCTION pc_action_apply(p_t pc_action_target, p_token bigint,
                                           p_action text, p_format text, p_request text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF p_action = 'stop' AND p_t.recording IS NOT NULL THEN
        UPDATE phone_call_view v SET recording = NULL, recording_format = NULL
         WHERE v.call_id = p_t.call_id AND v.id = p_t.view_id;
        INSERT INTO recording_event (org_id, call_id, view_id, extension_id, action,
                                     actor_user_id, app_id, token_id, started_at, stopped_at,
                                     format, request_id, capture)
        VALUES (p_t.org_id, p_t.call_id, p_t.view_id, p_t.view_extension_id, 'stop',
                p_t.actor_user_id, p_t.app_id, p_token, p_t.recording, now(),
                p_t.recording_format, p_request,
                CASE WHEN p_t.media THEN pc_media_capture(p_t.call_id) END);
        RETURN true;
    ELSIF p_action = 'start' AND p_t.recording IS NULL THEN
        UPDATE phone_call_view v SET recording = now(), recording_format = p_format
         WHERE v.call_id = p_t.call_id AND v.id = p_t.view_id;
        INSERT INTO recording_event (org_id, call_id, view_id, extension_id, action,
                                     actor_user_id, app_id, token_id, started_at, format,
                                     request_id, capture)
        VALUES (p_t.org_id, p_t.call_id, p_t.view_id, p_t.view_extension_id, 'start',
                p_t.actor_user_id, p_t.app_id, p_token, now(), p_format, p_request,
                CASE WHEN p_t.media THEN true END);
        RETURN true;
    END IF;
    RETURN false;
END $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_action_apply(pc_action_target, bigint, text, text, text)
    FROM PUBLIC;
