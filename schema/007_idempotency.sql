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

-- The request itself, unchanged, under a new name.
ALTER FUNCTION pc_action(bigint, bigint, bigint, text, text, text, text, text, text)
    RENAME TO pc_action_do;

-- pc_action with an optional key (p_key) and request digest (p_hash). Without a key, or
-- with a token no longer valid (pc_action_do answers that), nothing is stored. A key
-- another transaction is claiming is waited for, then replayed. replayed: the answer is
-- the stored one.
CREATE FUNCTION pc_action(p_token bigint, p_org bigint, p_user bigint, p_ext text,
                          p_call text, p_view text, p_action text, p_format text,
                          p_request text, p_key text DEFAULT NULL, p_hash bytea DEFAULT NULL)
RETURNS TABLE (code text, call_id text, extension text, user_id bigint, changed boolean,
               replayed boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_app  bigint;
    v_idem idempotency_key%ROWTYPE;
    v_res  record;
BEGIN
    IF p_key IS NOT NULL THEN
        SELECT t.app_id INTO v_app FROM access_token t
         WHERE t.id = p_token AND t.revoked_at IS NULL AND t.expires_at > now();
    END IF;
    IF v_app IS NULL THEN
        RETURN QUERY SELECT d.code, d.call_id, d.extension, d.user_id, d.changed, false
                       FROM pc_action_do(p_token, p_org, p_user, p_ext, p_call, p_view,
                                         p_action, p_format, p_request) d;
        RETURN;
    END IF;
    INSERT INTO idempotency_key AS k (app_id, key, request_hash)
    VALUES (v_app, p_key, p_hash)
    ON CONFLICT (app_id, key) DO NOTHING;
    IF NOT FOUND THEN
        SELECT * INTO v_idem FROM idempotency_key k
         WHERE k.app_id = v_app AND k.key = p_key FOR UPDATE;
        IF v_idem.created_at > now() - interval '24 hours' THEN
            IF v_idem.request_hash IS DISTINCT FROM p_hash THEN
                RETURN QUERY SELECT 'idempotency_key_conflict'::text, NULL::text, NULL::text,
                                    NULL::bigint, false, false;
            ELSE
                RETURN QUERY SELECT v_idem.code, v_idem.call_id, v_idem.extension,
                                    v_idem.user_id, false, true;
            END IF;
            RETURN;
        END IF;
        -- expired: the key starts over
        UPDATE idempotency_key k SET request_hash = p_hash, created_at = now()
         WHERE k.app_id = v_app AND k.key = p_key;
    END IF;
    SELECT d.* INTO v_res
      FROM pc_action_do(p_token, p_org, p_user, p_ext, p_call, p_view, p_action, p_format,
                        p_request) d;
    UPDATE idempotency_key k
       SET code = v_res.code, call_id = v_res.call_id, extension = v_res.extension,
           user_id = v_res.user_id
     WHERE k.app_id = v_app AND k.key = p_key;
    RETURN QUERY SELECT v_res.code, v_res.call_id, v_res.extension, v_res.user_id,
                        v_res.changed, false;
END $$;

-- Removes keys older than 24 hours (they are never replayed); run it from cron. Returns
-- how many went.
CREATE FUNCTION pc_idempotency_purge() RETURNS bigint
LANGUAGE sql AS $$
    WITH d AS (DELETE FROM idempotency_key WHERE created_at < now() - interval '24 hours'
               RETURNING 1)
    SELECT count(*) FROM d
$$;
