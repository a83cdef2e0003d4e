-- demo.sql - demonstration data, loaded by `make run` and the test suite, never by a
-- migration. Loading it again restores the demo state: the seed's example then works
-- verbatim. The demo tokens below exist only here; like every token they are stored
-- as SHA-256 digests.

BEGIN;

INSERT INTO account (id, kind, parent_id, org_id, name) VALUES
    (1,  'admin',            NULL, NULL, 'Admin'),
    (2,  'service_provider', 1,    NULL, 'Default Service Provider'),
    (3,  'organization',     2,    3,    'Default Organization'),
    (4,  'organization',     2,    4,    'Second Organization'),
    (12, 'user',             3,    3,    'Default User'),
    (13, 'user',             3,    3,    'Colleague User'),
    (20, 'user',             4,    4,    'Second Organization User')
ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, parent_id = EXCLUDED.parent_id,
    org_id = EXCLUDED.org_id, name = EXCLUDED.name;

-- App 1 has client credentials for POST /oauth/token.php: key demo-crm-user-12, secret
-- demo-crm-user-12-secret (stored as its digest).
INSERT INTO app (id, account_id, org_id, name, client_id, secret_hash, revoked_at) VALUES
    (1, 12, 3,    'Demo CRM of user 12', 'demo-crm-user-12', sha256('demo-crm-user-12-secret'), NULL),
    (2, 3,  3,    'Demo contact centre of organization 3', NULL, NULL, NULL),
    (3, 1,  NULL, 'Demo global App', NULL, NULL, NULL),
    (4, 2,  NULL, 'Demo App of a service provider', NULL, NULL, NULL),
    (5, 20, 4,    'Demo App of user 20', NULL, NULL, NULL),
    (6, 4,  4,    'Demo contact centre of organization 4', NULL, NULL, NULL),
    (7, 13, 3,    'Demo App of user 13', NULL, NULL, NULL)
ON CONFLICT (id) DO UPDATE SET account_id = EXCLUDED.account_id, org_id = EXCLUDED.org_id,
    name = EXCLUDED.name, client_id = EXCLUDED.client_id, secret_hash = EXCLUDED.secret_hash,
    revoked_at = EXCLUDED.revoked_at;

INSERT INTO access_token (id, app_id, org_id, token_hash, expires_at, revoked_at) VALUES
    (1, 1, 3,    sha256('demo-user-12-token'),    now() + interval '30 days', NULL),
    (2, 2, 3,    sha256('demo-org-3-token'),      now() + interval '30 days', NULL),
    (3, 3, NULL, sha256('demo-admin-token'),      now() + interval '30 days', NULL),
    (4, 4, NULL, sha256('demo-sp-token'),         now() + interval '30 days', NULL),
    (5, 1, 3,    sha256('demo-expired-token'),    now() - interval '1 hour',  NULL),
    (6, 1, 3,    sha256('demo-revoked-token'),    now() + interval '30 days', now()),
    (7, 6, 4,    sha256('demo-org-4-token'),      now() + interval '30 days', NULL),
    (8, 5, 4,    sha256('demo-user-20-token'),    now() + interval '30 days', NULL),
    (9, 7, 3,    sha256('demo-user-13-token'),    now() + interval '30 days', NULL)
ON CONFLICT (id) DO UPDATE SET app_id = EXCLUDED.app_id, org_id = EXCLUDED.org_id,
    token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at,
    revoked_at = EXCLUDED.revoked_at;

INSERT INTO extension (id, org_id, user_id, number, recording_enabled, recording_trigger) VALUES
    (1, 3, 12, '0003*210', true,  'on_demand'),
    (2, 3, 12, '0003*211', false, 'always'),
    (3, 3, 13, '0003*220', true,  'on_demand'),
    -- records every call from its answer (real calls through the media plane: make call)
    (5, 3, 12, '0003*212', true,  'always'),
    (4, 4, 20, '0004*100', true,  'on_demand')
ON CONFLICT (id) DO UPDATE SET org_id = EXCLUDED.org_id, user_id = EXCLUDED.user_id,
    number = EXCLUDED.number, recording_enabled = EXCLUDED.recording_enabled,
    recording_trigger = EXCLUDED.recording_trigger;

INSERT INTO phone_call (id, org_id, extension_id, answered, published) VALUES
    ('444444',               3, 1, '2012-06-27T16:08:45+03:00', '2012-06-27T16:08:40+03:00'),
    ('b817d2618fe6f1804333', 3, 1, '2012-06-27T16:08:55+03:00', '2012-06-27T16:08:50+03:00'),
    ('555555',               3, 2, '2012-06-27T16:10:05+03:00', '2012-06-27T16:10:00+03:00'),
    ('777777',               3, 3, '2012-06-27T16:11:05+03:00', '2012-06-27T16:11:00+03:00'),
    ('666666',               4, 4, '2012-06-27T16:12:05+03:00', '2012-06-27T16:12:00+03:00')
ON CONFLICT (id) DO UPDATE SET org_id = EXCLUDED.org_id, extension_id = EXCLUDED.extension_id,
    answered = EXCLUDED.answered, published = EXCLUDED.published;

INSERT INTO phone_call_view (call_id, id, org_id, extension_id, answered, status, caller_id,
                             source, destination, recording, recording_format) VALUES
    ('444444', '01', 3, 1, '2012-06-27T16:08:45+03:00', 5, 'John Doe <3333>',
     '{7778888}', '{0003*210}', '2012-06-27T16:08:45+03:00', 'wav'),
    ('b817d2618fe6f1804333', '01', 3, 1, '2012-06-27T16:08:55+03:00', 5, 'John Doe <3333>',
     '{7778888}', '{0003*210}', '2012-06-27T16:08:55+03:00', 'wav'),
    ('555555', '01', 3, 2, '2012-06-27T16:10:05+03:00', 5, 'Jane Roe <4444>',
     '{7779999}', '{0003*211}', NULL, NULL),
    ('777777', '01', 3, 3, '2012-06-27T16:11:05+03:00', 5, 'Max Mustermann <5555>',
     '{7770000}', '{0003*220}', '2012-06-27T16:11:05+03:00', 'wav'),
    ('666666', '01', 4, 4, '2012-06-27T16:12:05+03:00', 5, 'Erika Musterfrau <6666>',
     '{7771111}', '{0004*100}', '2012-06-27T16:12:05+03:00', 'wav')
ON CONFLICT (call_id, id) DO UPDATE SET org_id = EXCLUDED.org_id,
    extension_id = EXCLUDED.extension_id, answered = EXCLUDED.answered,
    status = EXCLUDED.status, caller_id = EXCLUDED.caller_id, source = EXCLUDED.source,
    destination = EXCLUDED.destination, recording = EXCLUDED.recording,
    recording_format = EXCLUDED.recording_format;

-- identities continue after the fixed demo ids
SELECT setval(pg_get_serial_sequence('account', 'id'), greatest(100, (SELECT max(id) FROM account)));
SELECT setval(pg_get_serial_sequence('app', 'id'), greatest(100, (SELECT max(id) FROM app)));
SELECT setval(pg_get_serial_sequence('access_token', 'id'), greatest(100, (SELECT max(id) FROM access_token)));
SELECT setval(pg_get_serial_sequence('extension', 'id'), greatest(100, (SELECT max(id) FROM extension)));

COMMIT;
