-- pc_media_status.sql - the media plane as the service sees it (health and metrics):
-- whether an adapter confirmed a live engine in time, when the freshest confirmation was
-- (Unix time), the events applied and refused, and how long the oldest event the
-- adapters have not taken yet has waited: the first past an adapter's acknowledgement in
-- each organization, and any of a media call not numbered yet (no one sealed since).
-- Each part reads an index or a one-row table: health checks run it often. PL/pgSQL,
-- whose plans a session keeps; no JIT: on tables not analyzed yet the estimates would
-- have the plan compiled (0.3 s) for a read of a few rows.

CREATE OR REPLACE FUNCTION pc_media_status(OUT live boolean, OUT configured boolean,
                                           OUT heartbeat_at double precision,
                                           OUT applied bigint, OUT failed bigint,
                                           OUT lag double precision)
LANGUAGE plpgsql STABLE SET jit = off
SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_taken   timestamptz;
    v_waiting timestamptz;
BEGIN
    live := pc_media_live();
    SELECT count(*) > 0, extract(epoch FROM max(h.seen_at))
      INTO configured, heartbeat_at FROM media_heartbeat h;
    SELECT s.applied, s.failed INTO applied, failed FROM media_stats s;
    SELECT min(e.created_at) INTO v_taken
      FROM media_consumer c CROSS JOIN event_seq q
      LEFT JOIN event_ack a ON a.consumer = c.consumer AND a.org_id = q.org_id
     CROSS JOIN LATERAL (
            SELECT n.event_id FROM event_number n
             WHERE n.org_id = q.org_id AND n.seq > coalesce(a.seq, 0)
             ORDER BY n.seq LIMIT 1) n
      JOIN recording_event e ON e.id = n.event_id
     WHERE q.last > coalesce(a.seq, 0);
    SELECT min(e.created_at) INTO v_waiting
      FROM event_tick t JOIN recording_event e ON e.xid >= pg_snapshot_xmin(t.snap)
     WHERE e.capture IS NOT NULL AND NOT pg_visible_in_snapshot(e.xid, t.snap);
    lag := coalesce(extract(epoch FROM now() - least(v_taken, v_waiting)), 0);
END $$;

-- Granted to the workers (pc_worker).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_media_status() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_media_status() TO pc_worker;
