-- 014_event_read.sql - the consumer's read and seal at a cost that does not grow with
-- the stream, a seal durable whatever the caller's synchronous_commit, and no row that
-- every change of an organization locks.
--
-- pc_events_read (013) joined every numbered event with the consumer's acknowledgements
-- and kept those past them: a scan of the whole stream at each read (37 ms at 200,000
-- events), so delivery slowed as the stream grew. It now starts from the organizations
-- (event_seq: one row each, with its last number), keeps those with numbers past the
-- consumer's acknowledgement, and reads each one's events from there by index.
--
-- pc_events_seal must commit durably: numbers lost in a crash would be given again,
-- perhaps to other events, after a consumer had printed them. The consumer now commits
-- its acknowledgements without waiting for the disk (it keeps what it printed and
-- acknowledges it again on reconnecting), so it runs with synchronous_commit off; the
-- seal raises it back for its own transaction (set_config(..., true) lasts to the
-- transaction's end). 'remote_write' and stronger are kept as they are. A seal with
-- nothing to number returns at once: it takes no lock and writes nothing.
-- Each event's organization was checked against account: a FOR KEY SHARE lock on the
-- organization's row in every change, the one row all changes of an organization share
-- (8 connections on one organization: a MultiXact per change). The event now names its
-- extension together with the organization (extension (id, org_id), as the views do):
-- the lock lands on the extension's row, the check is stricter (the extension is the
-- organization's), and an extension with events can no longer be deleted, which the
-- read, joining the extension, needs: such an event would have been skipped.
ALTER TABLE recording_event
    ADD CONSTRAINT recording_event_extension_org_fkey FOREIGN KEY (extension_id, org_id)
        REFERENCES extension (id, org_id) NOT VALID;
ALTER TABLE recording_event VALIDATE CONSTRAINT recording_event_extension_org_fkey;
ALTER TABLE recording_event DROP CONSTRAINT recording_event_org_id_fkey;

-- The functions: schema/functions/ (pc_events_seal, pc_events_read, pc_events_next).
