-- 005_oauth.sql - Apps obtain their tokens from POST /oauth/token.php (client
-- credentials). An App's key (client_id) is public; its secret is stored only as its
-- SHA-256 digest, computed by whoever holds the secret (the worker for a request,
-- tools/apps when registering). Secrets are 256 random bits, so a fast digest is enough:
-- there is no dictionary to try. Revoking an App revokes its tokens; every request
-- function checks its token, so both take effect on the next request.

ALTER TABLE app
    ADD COLUMN client_id   text UNIQUE CHECK (client_id ~ '^[A-Za-z0-9._~-]{1,128}$'),
    ADD COLUMN secret_hash bytea CHECK (length(secret_hash) = 32),
    ADD COLUMN revoked_at  timestamptz,
    ADD CHECK ((client_id IS NULL) = (secret_hash IS NULL));

-- The functions: schema/functions/ (pc_oauth_token, pc_app_register, pc_app_revoke,
-- pc_token_revoke).
