-- pc_media_outcome.sql - the outcome of applying one event (applied: the engine
-- confirmed at p_at; otherwise p_error), recorded once, and counted in media_stats; the
-- end of a view puts its audio file in hand.

CREATE OR REPLACE FUNCTION pc_media_outcome(p_consumer text, p_event bigint,
                                            p_sent timestamptz, p_at timestamptz,
                                            p_error text, p_attempts integer)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH o AS (
        INSERT INTO media_outcome (event_id, consumer, sent_at, applied_at, error, attempts)
        VALUES (p_event, p_consumer, p_sent, p_at, left(p_error, 200), p_attempts)
        ON CONFLICT (event_id) DO NOTHING
        RETURNING applied_at
    )
    UPDATE media_stats SET applied = applied + (SELECT count(*) FROM o WHERE applied_at IS NOT NULL),
                           failed = failed + (SELECT count(*) FROM o WHERE applied_at IS NULL)
     WHERE EXISTS (SELECT 1 FROM o);
    INSERT INTO media_file (event_id, consumer)
    SELECT e.id, p_consumer FROM recording_event e WHERE e.id = p_event AND e.file IS NOT NULL
    ON CONFLICT (event_id) DO NOTHING;
$$;

-- Granted to the media adapter (pc_media).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_media_outcome(text, bigint, timestamptz, timestamptz,
                                        text, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_media_outcome(text, bigint, timestamptz, timestamptz,
                                           text, integer)
    TO pc_media;
