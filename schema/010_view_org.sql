-- 010_view_org.sql - a view's organization is its call's, by constraint: a view of one
-- organization under another's call would be listed and stopped in the call's
-- organization, and its event filed there, out of sight of its own.
--
-- Rows that already break it are not changed here (their extension belongs to the other
-- organization, so neither side can be corrected blindly): the migration stops, names
-- how many there are, and changes nothing. Fix or delete them, then migrate again:
--   SELECT v.call_id, v.id, v.org_id, c.org_id AS call_org
--     FROM phone_call_view v JOIN phone_call c ON c.id = v.call_id
--    WHERE v.org_id <> c.org_id;

DO $$
DECLARE
    v_bad bigint;
BEGIN
    SELECT count(*) INTO v_bad
      FROM phone_call_view v JOIN phone_call c ON c.id = v.call_id
     WHERE v.org_id <> c.org_id;
    IF v_bad > 0 THEN
        RAISE EXCEPTION '% phone_call_view rows belong to another organization than their call', v_bad
            USING HINT = 'See schema/010_view_org.sql: fix or delete them, then migrate again.';
    END IF;
END $$;

ALTER TABLE phone_call ADD CONSTRAINT phone_call_id_org_key UNIQUE (id, org_id);
ALTER TABLE phone_call_view
    ADD CONSTRAINT phone_call_view_call_org_fkey FOREIGN KEY (call_id, org_id)
        REFERENCES phone_call (id, org_id) ON DELETE CASCADE ON UPDATE CASCADE;
