-- pc_idempotency_claim.sql - claims p_key for the App's next slot once its request
-- passed every check, storing the answer's call, extension and owner. claim: 'new'; or,
-- when the key is live already (a retry that raced the first request, which committed
-- while this one waited), 'replay' with the stored answer for the same request digest,
-- 'conflict' for another one. The ring's row lock makes claims of one App one at a
-- time, so no two of them store one key, and a claim sees every key committed before
-- it.
--
-- Each App's keys live in a ring of pc_idempotency_keys_max() slots (its row of
-- idempotency_app counts the keys it claimed): a new key takes the next slot, dropping
-- the key that was there, the App's oldest. So an App has at most that many keys, and a
-- claim costs one row lock and a few index probes, never a count of the App's rows.

CREATE OR REPLACE FUNCTION pc_idempotency_claim(p_app bigint, p_key text, p_hash bytea,
                                                p_call text, p_ext text, p_user bigint,
                                                OUT claim text, OUT c_call text,
                                                OUT c_ext text, OUT c_user bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_ring idempotency_app%ROWTYPE;
    v_key  idempotency_key%ROWTYPE;
BEGIN
    INSERT INTO idempotency_app (app_id) VALUES (p_app) ON CONFLICT (app_id) DO NOTHING;
    SELECT * INTO v_ring FROM idempotency_app a WHERE a.app_id = p_app FOR UPDATE;
    SELECT * INTO v_key FROM idempotency_key k WHERE k.app_id = p_app AND k.key = p_key;
    IF FOUND THEN
        IF v_key.created_at > now() - pc_idempotency_ttl() THEN
            claim := CASE WHEN v_key.request_hash = p_hash THEN 'replay' ELSE 'conflict' END;
            c_call := v_key.call_id;
            c_ext := v_key.extension;
            c_user := v_key.user_id;
            RETURN;
        END IF;
        -- expired: the key starts over, in the ring's next slot
        DELETE FROM idempotency_key k WHERE k.app_id = p_app AND k.key = p_key;
    END IF;
    UPDATE idempotency_app a SET next = a.next + 1 WHERE a.app_id = p_app;
    -- the slot's key, if any, is the App's oldest: it goes
    INSERT INTO idempotency_key AS k (app_id, slot, key, request_hash, call_id, extension,
                                      user_id)
    VALUES (p_app, (v_ring.next % pc_idempotency_keys_max())::integer, p_key, p_hash, p_call,
            p_ext, p_user)
    ON CONFLICT (app_id, slot) DO UPDATE
       SET key = EXCLUDED.key, request_hash = EXCLUDED.request_hash,
           call_id = EXCLUDED.call_id, extension = EXCLUDED.extension,
           user_id = EXCLUDED.user_id, created_at = now();
    claim := 'new';
    c_call := p_call;
    c_ext := p_ext;
    c_user := p_user;
END $$;

-- Granted to no role: only the owner and the functions that run as it call it.
REVOKE ALL ON FUNCTION pc_idempotency_claim(bigint, text, bytea, text, text, bigint)
    FROM PUBLIC;
