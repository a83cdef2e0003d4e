-- 009_list_parameters.sql - List PhoneCalls honours UnifiedAPI's other parameters:
-- sortOrder, and a filter (filterBy, filterOp, filterValue) on id or published. The
-- worker has parsed and checked them (docs/api.md, "List parameters"); pc_list
-- picks one constant SQL text per form, binds every value, and each form has an index,
-- so no filter reads every live call of an organization.
--
-- Ids compare as text, byte for byte (COLLATE "C", whatever the database's collation);
-- dates compare to the second, the precision the API writes them in.

-- contains: trigrams, so that a substring is found without reading every id
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX phone_call_id_trgm_idx ON phone_call USING gin (id gin_trgm_ops);
-- startsWith, greaterThan, lessThan: byte order, within an organization and globally
CREATE INDEX phone_call_org_id_idx ON phone_call (org_id, id COLLATE "C");
CREATE INDEX phone_call_id_c_idx ON phone_call (id COLLATE "C");
-- published in the global context (the organization's and extension's indexes lead
-- with their own column)
CREATE INDEX phone_call_published_idx ON phone_call (published, id);

-- pc_list (schema/functions/) takes the parameters: the signature without them goes
-- (absent on a database made after the functions left the migrations).
DROP FUNCTION IF EXISTS pc_list(bigint, bigint, bigint, text, boolean, text, integer, integer);
