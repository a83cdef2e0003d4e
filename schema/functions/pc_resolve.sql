-- pc_resolve.sql - checks the userId and extension of a request against its scope:
-- 'ok' and the extension's id (NULL for @self), or what is wrong.
--
-- Scope arguments, here and in the request functions, come from the worker's context
-- rules: p_org NULL is the global context; p_user NULL means "whoever owns the
-- extension" (@owner). p_self is @self (every extension of the user); otherwise p_ext is
-- the extension's number, NULL when it is malformed (then no extension matches).

CREATE OR REPLACE FUNCTION pc_resolve(p_org bigint, p_user bigint, p_self boolean,
                                      p_ext text, OUT code pc_status, OUT ext_id bigint)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF p_user IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM account a
         WHERE a.id = p_user AND a.kind = 'user' AND (p_org IS NULL OR a.org_id = p_org)) THEN
        code := 'user_unknown';
        RETURN;
    END IF;
    IF NOT p_self THEN
        SELECT e.id INTO ext_id FROM extension e
         WHERE e.number = p_ext
           AND (p_user IS NULL OR e.user_id = p_user)
           AND (p_org IS NULL OR e.org_id = p_org);
        IF NOT FOUND THEN
            code := 'extension_unknown';
            RETURN;
        END IF;
    END IF;
    code := 'ok';
END $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_resolve(bigint, bigint, boolean, text) FROM PUBLIC;
