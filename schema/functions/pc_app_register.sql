-- pc_app_register.sql - registers an App to p_account with a key and the digest of a
-- secret the caller made (tools/apps). Returns the App's id, or NULL when there is no
-- such account.

CREATE OR REPLACE FUNCTION pc_app_register(p_account bigint, p_name text, p_client text,
                                           p_secret bytea)
RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO app (account_id, org_id, name, client_id, secret_hash)
    SELECT a.id, a.org_id, p_name, p_client, p_secret FROM account a WHERE a.id = p_account
    RETURNING id
$$;

-- Granted to tools/apps (pc_apps).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_app_register(bigint, text, text, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_app_register(bigint, text, text, bytea) TO pc_apps;
