-- pc_resolve.sql - checks the userId and extension of a request against its scope.
-- Returns the error code or 'ok', and the extension's id (NULL for @self).
--
-- Scope arguments, here and in the request functions, come from the worker's context
-- rules: p_org NULL is the global context; p_user NULL means "whoever owns the
-- extension" (@owner). p_ext NULL is @self; an empty p_ext is a malformed extension.

CREATE OR REPLACE FUNCTION pc_resolve(p_org bigint, p_user bigint, p_ext text,
                                      OUT code text, OUT ext_id bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_user IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM account a
         WHERE a.id = p_user AND a.kind = 'user' AND (p_org IS NULL OR a.org_id = p_org)) THEN
        code := 'user_invalid';
        RETURN;
    END IF;
    IF p_ext IS NOT NULL THEN
        SELECT e.id INTO ext_id FROM extension e
         WHERE e.number = p_ext
           AND (p_user IS NULL OR e.user_id = p_user)
           AND (p_org IS NULL OR e.org_id = p_org);
        IF NOT FOUND THEN
            code := 'extension_invalid';
            RETURN;
        END IF;
    END IF;
    code := 'ok';
END $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_resolve(bigint, bigint, text) FROM PUBLIC;
