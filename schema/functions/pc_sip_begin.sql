-- pc_sip_begin.sql - an answered SIP call (the proxy calls this on the INVITE's 2xx):
-- the call and a view per party that is an extension here, the caller's first; the call
-- belongs to the caller's extension, or to the callee's when the caller is outside. A
-- view records from the answer when its extension records always. Returns the
-- phoneCallId and whether the engine should capture from the answer, or no row when
-- neither party is an extension here (nothing to show or record). A 2xx sent again
-- finds the call made.

CREATE OR REPLACE FUNCTION pc_sip_begin(p_sip_hex text, p_from_hex text, p_to_hex text,
                                        p_name_hex text, p_node text)
RETURNS TABLE (call_id text, capture boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    v_sip    text := pc_sip_text(p_sip_hex, 255);
    v_from   text := pc_sip_text(p_from_hex, 64);
    v_to     text := pc_sip_text(p_to_hex, 64);
    v_name   text := pc_sip_text(p_name_hex, 128);
    v_caller extension%ROWTYPE;
    v_callee extension%ROWTYPE;
    v_owner  extension%ROWTYPE;
    v_id     text;
    v_cid    text;
BEGIN
    IF v_sip IS NULL OR v_from IS NULL OR v_to IS NULL THEN
        RAISE EXCEPTION 'pc_sip_begin: malformed call' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT m.call_id INTO v_id FROM media_call m WHERE m.sip_call_id = v_sip;
    IF FOUND THEN
        RETURN QUERY SELECT v_id, pc_media_capture(v_id);
        RETURN;
    END IF;
    SELECT * INTO v_caller FROM extension x WHERE x.number = v_from;
    SELECT * INTO v_callee FROM extension x WHERE x.number = v_to;
    v_owner := CASE WHEN v_caller.id IS NOT NULL THEN v_caller ELSE v_callee END;
    IF v_owner.id IS NULL THEN
        RETURN;
    END IF;
    v_id := replace(gen_random_uuid()::text, '-', '');
    v_cid := CASE WHEN coalesce(v_name, '') = '' THEN '<' || v_from || '>'
                  ELSE v_name || ' <' || v_from || '>' END;
    INSERT INTO phone_call (id, org_id, extension_id, answered, media)
    VALUES (v_id, v_owner.org_id, v_owner.id, now(), true);
    INSERT INTO media_call (call_id, org_id, sip_call_id, node)
    VALUES (v_id, v_owner.org_id, v_sip, p_node);
    INSERT INTO phone_call_view (call_id, id, org_id, extension_id, answered, status,
                                 caller_id, source, destination, recording, recording_format)
    SELECT v_id, to_char(row_number() OVER (ORDER BY p.k), 'FM00'), x.org_id, x.id, now(), 5,
           v_cid, ARRAY[v_from], ARRAY[v_to],
           CASE WHEN x.recording_enabled AND x.recording_trigger = 'always' THEN now() END,
           CASE WHEN x.recording_enabled AND x.recording_trigger = 'always'
                THEN x.recording_format END
      FROM (VALUES (1, v_caller.id), (2, v_callee.id)) AS p (k, ext_id)
      JOIN extension x ON x.id = p.ext_id;
    RETURN QUERY SELECT v_id, pc_media_capture(v_id);
END $$;

-- Granted to the SIP proxy (pc_sip).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_sip_begin(text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_sip_begin(text, text, text, text, text) TO pc_sip;
