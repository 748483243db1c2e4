-- One table for every browser session, customer (portal) and operator (console): the same token scheme, sliding
-- expiry and revocation, told apart by audience. Exactly one principal column is set, so both keep their foreign
-- key. The token lives only in the browser's cookie; the row keeps its SHA-256. An operator session also names the
-- operator token it was opened with (credential_id): revoking that token ends the session.
CREATE TABLE browser_sessions (
    id              BIGSERIAL PRIMARY KEY,
    audience        TEXT NOT NULL CHECK (audience IN ('customer', 'operator')),
    token_hash      BYTEA NOT NULL UNIQUE,
    user_id         BIGINT REFERENCES users (id) ON DELETE CASCADE,
    operator_id     BIGINT REFERENCES operators (id),
    credential_id   BIGINT REFERENCES operator_tokens (id),
    organization_id BIGINT REFERENCES organizations (id) ON DELETE SET NULL, -- a customer's acting account; NULL = personal
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ NOT NULL,
    user_agent      TEXT,
    client_addr     TEXT,
    revoked_at      TIMESTAMPTZ,
    CHECK ((audience = 'customer' AND user_id IS NOT NULL AND operator_id IS NULL AND credential_id IS NULL)
        OR (audience = 'operator' AND operator_id IS NOT NULL AND credential_id IS NOT NULL AND user_id IS NULL))
);
CREATE INDEX browser_sessions_user ON browser_sessions (user_id) WHERE revoked_at IS NULL AND user_id IS NOT NULL;
CREATE INDEX browser_sessions_operator ON browser_sessions (operator_id) WHERE revoked_at IS NULL AND operator_id IS NOT NULL;

-- Live sessions survive the move: nobody is signed out by an upgrade.
INSERT INTO browser_sessions (audience, token_hash, user_id, organization_id, created_at, last_seen_at, expires_at,
                              user_agent, client_addr, revoked_at)
SELECT 'customer', token_hash, user_id, organization_id, created_at, last_seen_at, expires_at, user_agent, client_addr,
       revoked_at
FROM user_sessions WHERE revoked_at IS NULL AND expires_at > now();
INSERT INTO browser_sessions (audience, token_hash, operator_id, credential_id, created_at, last_seen_at, expires_at,
                              user_agent, client_addr, revoked_at)
SELECT 'operator', token_hash, operator_id, token_id, created_at, last_seen_at, expires_at, user_agent, client_addr,
       revoked_at
FROM operator_sessions WHERE revoked_at IS NULL AND expires_at > now();

DROP TABLE user_sessions;
DROP TABLE operator_sessions;
