-- pc_sip_text.sql - text the SIP proxy passes, hex-encoded: its SQL module has no bound
-- parameters, and hex digits cannot end a literal. NULL for anything that is not valid
-- UTF-8 without control characters.

CREATE OR REPLACE FUNCTION pc_sip_text(p_hex text, p_max integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v text;
BEGIN
    IF p_hex IS NULL OR p_hex !~ '^([0-9A-Fa-f]{2})*$' OR length(p_hex) > 2 * p_max THEN
        RETURN NULL;
    END IF;
    v := convert_from(decode(p_hex, 'hex'), 'UTF8');
    RETURN CASE WHEN v ~ '[\x01-\x1f\x7f]' THEN NULL ELSE v END;
EXCEPTION WHEN character_not_in_repertoire OR untranslatable_character THEN
    RETURN NULL;
END $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_sip_text(text, integer) FROM PUBLIC;
