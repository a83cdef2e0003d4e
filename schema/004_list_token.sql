-- 004_list_token.sql - the list checks its token again, as pc_action does: a worker
-- may remember what a token's context is (it never changes), but whether the token is
-- still valid is decided by the statement that serves the request, so a revocation or an
-- expiry takes effect at once without a look-up of its own (schema/functions/:
-- pc_token_ok, pc_list).

-- pc_list took no token before: the signature that goes (absent on a database made
-- after the functions left the migrations).
DROP FUNCTION IF EXISTS pc_list(bigint, bigint, text, boolean, text, integer, integer);
