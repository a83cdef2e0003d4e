-- pc_media_beat.sql - the adapter's confirmation of a live engine (p_engine: its name and
-- version), every half second. The first one of a session takes the session's shared
-- hold on pc_media_lock().

CREATE OR REPLACE FUNCTION pc_media_beat(p_adapter text, p_engine text) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT pg_advisory_lock_shared(pc_media_lock())
     WHERE NOT pc_media_held(pg_backend_pid());
    INSERT INTO media_heartbeat AS h (adapter, engine, seen_at)
    VALUES (p_adapter, p_engine, clock_timestamp())
    ON CONFLICT (adapter) DO UPDATE SET engine = EXCLUDED.engine, seen_at = EXCLUDED.seen_at;
$$;

-- Granted to the media adapter (pc_media).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_media_beat(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_media_beat(text, text) TO pc_media;
