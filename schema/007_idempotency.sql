-- 007_idempotency.sql - Idempotency-Key on PUT: the first answer to a key is stored with
-- it, per App, for 24 hours, in the transaction of the change itself; a retry with the
-- same key and the same request gets that answer again and changes nothing; the same key
-- with another request is a conflict (409). The worker sends the key and a digest of
-- the request (its URI and body).

CREATE TABLE idempotency_key (
    app_id       bigint NOT NULL REFERENCES app (id),
    key          text   NOT NULL CHECK (key ~ '^[\x21-\x7e]{1,255}$'),
    request_hash bytea  NOT NULL CHECK (length(request_hash) = 32),
    code         text,
    call_id      text,
    extension    text,
    user_id      bigint,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (app_id, key)
);
CREATE INDEX idempotency_key_created_idx ON idempotency_key (created_at);

-- The request itself, unchanged, became pc_action_do; pc_action takes the key
-- (schema/functions/: pc_action, pc_action_do, pc_idempotency_purge). The signature
-- without a key goes (absent on a database made after the functions left the
-- migrations), so that a call with nine arguments is not ambiguous.
DROP FUNCTION IF EXISTS pc_action(bigint, bigint, bigint, text, text, text, text, text, text);
