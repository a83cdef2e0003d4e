-- pc_media_ack.sql - the adapter's acknowledgement of what it applied (the highest
-- number per organization).

CREATE OR REPLACE FUNCTION pc_media_ack(p_consumer text, p_orgs bigint[], p_seqs bigint[])
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO event_ack AS a (consumer, org_id, seq)
    SELECT p_consumer, u.o, u.s FROM unnest(p_orgs, p_seqs) AS u (o, s)
    ON CONFLICT (consumer, org_id) DO UPDATE SET seq = greatest(a.seq, EXCLUDED.seq),
                                                 acked_at = now()
$$;

-- Granted to the media adapter (pc_media).
-- It runs as the owner, with a search_path no caller can change.
REVOKE ALL ON FUNCTION pc_media_ack(text, bigint[], bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pc_media_ack(text, bigint[], bigint[]) TO pc_media;
