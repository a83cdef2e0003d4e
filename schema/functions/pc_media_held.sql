-- pc_media_held.sql - whether session p_pid (NULL: any) holds pc_media_lock() in this
-- database.

CREATE OR REPLACE FUNCTION pc_media_held(p_pid integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM pg_locks l
                    WHERE l.locktype = 'advisory' AND l.granted
                      AND (p_pid IS NULL OR l.pid = p_pid)
                      AND l.database = (SELECT oid FROM pg_database
                                         WHERE datname = current_database())
                      AND l.classid = (pc_media_lock() >> 32)::oid
                      AND l.objid = (pc_media_lock() & 4294967295)::oid
                      AND l.objsubid = 1)
$$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_media_held(integer) FROM PUBLIC;
