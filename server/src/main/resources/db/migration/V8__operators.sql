-- Operators: the people who run the service. Roles: admin (every action), support (read-only plus revoking a key
-- and pausing an account). They sign in to /admin/api with a bearer token `ctop_<public id>_<secret>`; as for API
-- keys, only the SHA-256 of the secret is stored.
CREATE TABLE operators (
    id          BIGSERIAL PRIMARY KEY,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'support')),
    state       TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'disabled')),
    created_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX operators_email_key ON operators (lower(email));

CREATE TABLE operator_tokens (
    id            BIGSERIAL PRIMARY KEY,
    public_id     TEXT NOT NULL UNIQUE,
    secret_hash   BYTEA NOT NULL,
    operator_id   BIGINT NOT NULL REFERENCES operators (id),
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at  TIMESTAMPTZ,
    revoked_at    TIMESTAMPTZ
);
CREATE INDEX operator_tokens_operator ON operator_tokens (operator_id);

-- Why and since when an account is paused (the audit log keeps the full history).
ALTER TABLE users ADD COLUMN paused_at TIMESTAMPTZ, ADD COLUMN paused_by TEXT, ADD COLUMN paused_reason TEXT;
ALTER TABLE organizations ADD COLUMN paused_at TIMESTAMPTZ, ADD COLUMN paused_by TEXT, ADD COLUMN paused_reason TEXT;

-- Looking a key up by the first characters of its public id (`ctsr_7Gk2…`) at 10^6 keys.
CREATE INDEX api_keys_public_id_prefix ON api_keys (public_id text_pattern_ops);

-- Request inspection at 10^7 rows: every filter walks an index in (accepted_at DESC, request_id DESC) order, the
-- keyset cursor's order, so a page reads about `limit` rows. Key, user, organization and plain time already have
-- (x, accepted_at DESC) indexes (V4, V6); the request id finishes ties on the same instant.
CREATE INDEX request_logs_model_time ON request_logs (model_alias, accepted_at DESC, request_id DESC);
CREATE INDEX request_logs_pool_time ON request_logs (pool, accepted_at DESC, request_id DESC) WHERE pool IS NOT NULL;
CREATE INDEX request_logs_status_time ON request_logs (status, accepted_at DESC, request_id DESC);

-- The audit log filtered by actor, action or target, newest first (keyset on id).
CREATE INDEX audit_events_actor ON audit_events (actor, id DESC);
CREATE INDEX audit_events_action ON audit_events (action, id DESC);
CREATE INDEX audit_events_target_id ON audit_events (target_type, target_id, id DESC);
DROP INDEX audit_events_target;
