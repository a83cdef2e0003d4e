-- pc_sip_end.sql - a SIP call hung up (BYE, the dialog's timeout): pc_call_end of its
-- call. NULL when no live call has that Call-ID.

CREATE OR REPLACE FUNCTION pc_sip_end(p_sip_hex text) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT pc_call_end(m.call_id) FROM media_call m
     WHERE m.sip_call_id = pc_sip_text(p_sip_hex, 255) AND m.ended_at IS NULL
$$;

-- Granted to the SIP proxy (pc_sip).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_sip_end(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_sip_end(text) TO pc_sip;
