-- Operator console sessions (/admin): an operator signs in with their operator token and the browser then holds a
-- random session token in an HttpOnly, SameSite=Strict cookie; only its SHA-256 is stored here. A session lives as
-- long as the token it was opened with: revoking that token or disabling the operator ends it.
CREATE TABLE operator_sessions (
    id            BIGSERIAL PRIMARY KEY,
    token_hash    BYTEA NOT NULL UNIQUE,
    operator_id   BIGINT NOT NULL REFERENCES operators (id),
    token_id      BIGINT NOT NULL REFERENCES operator_tokens (id),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at    TIMESTAMPTZ NOT NULL,
    user_agent    TEXT,
    client_addr   TEXT,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX operator_sessions_operator ON operator_sessions (operator_id) WHERE revoked_at IS NULL;
