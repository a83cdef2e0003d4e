-- pc_media_live.sql - an adapter is connected now and one confirmed a live engine
-- recently. No false 202: a PUT on a media call while it is not answers
-- service_unavailable and changes nothing (015_media.sql).

CREATE OR REPLACE FUNCTION pc_media_live() RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM media_heartbeat WHERE seen_at > now() - pc_media_stale())
       AND pc_media_held(NULL)
$$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_media_live() FROM PUBLIC;
