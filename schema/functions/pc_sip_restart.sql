-- pc_sip_restart.sql - the SIP proxy p_node started: the calls it carried before are
-- gone. Returns how many it ended.

CREATE OR REPLACE FUNCTION pc_sip_restart(p_node text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_call text;
    v_n    integer := 0;
BEGIN
    FOR v_call IN SELECT m.call_id FROM media_call m
                   WHERE m.node = p_node AND m.ended_at IS NULL ORDER BY m.call_id LOOP
        PERFORM pc_call_end(v_call);
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END $$;

-- Granted to the SIP proxy (pc_sip).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_sip_restart(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_sip_restart(text) TO pc_sip;
