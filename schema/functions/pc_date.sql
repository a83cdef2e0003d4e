-- pc_date.sql - a date as the API writes it: RFC 3339 in the session's TimeZone, which
-- the worker sets from its configuration.

CREATE OR REPLACE FUNCTION pc_date(ts timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT to_char(ts, 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')
$$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_date(timestamptz) FROM PUBLIC;
