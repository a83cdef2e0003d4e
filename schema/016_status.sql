-- 016_status.sql - what a request function found, as one type in the database's own
-- terms: the worker maps each status to the answer it gives (src/db/status.c), so the
-- SQL neither spells the contract's error codes nor leaves one of them (access_denied:
-- 401 or 403?) to be told apart by the caller. tools/check holds the two lists equal.
CREATE TYPE pc_status AS ENUM (
    'ok',
    'token_invalid',      -- unknown, revoked or expired: the request is not authenticated
    'user_unknown',       -- userId: no such user in the token's scope
    'extension_unknown',  -- extension: malformed, or none of the user's in scope
    'call_unknown',       -- phoneCallId: malformed, or no such call of the extension
    'view_unknown',       -- phoneCallViewId: missing, malformed, or not the call's
    'format_missing',     -- StartRecording without a valid format
    'not_on_demand',      -- the view's extension does not record on demand
    'media_down',         -- a media call, and no media adapter is live
    'key_conflict',       -- the Idempotency-Key is live with another request
    'filter_op_unfit',    -- the List's filter operator does not apply to its field
    'filter_value_unfit', -- the List's filter value does not fit its field
    'client_refused'      -- the token endpoint: unknown client, wrong secret, revoked App
);

-- The checks of a PUT (011) say what they found in it.
ALTER TYPE pc_action_target ALTER ATTRIBUTE code TYPE pc_status;

-- Another return type: the old signature goes before schema/functions/ makes the new.
-- (The request functions take new arguments, so their old signatures are dropped by
-- tools/migrate once it has made the new.)
DROP FUNCTION IF EXISTS pc_oauth_token(text, bytea, bytea, integer);
