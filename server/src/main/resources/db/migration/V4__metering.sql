-- Exactly one row per request, written once when the request ends (lifecycle timestamps inline).
CREATE TABLE request_logs (
    request_id        TEXT PRIMARY KEY,
    accepted_at       TIMESTAMPTZ NOT NULL,
    route             TEXT NOT NULL,
    stream            BOOLEAN NOT NULL DEFAULT FALSE,
    model_alias       TEXT,
    api_key_id        BIGINT,
    user_id           BIGINT,
    organization_id   BIGINT,
    status            TEXT NOT NULL CHECK (status IN ('blocked', 'completed', 'failed', 'cancelled')),
    http_status       INTEGER NOT NULL,
    error_code        TEXT,
    block_reason      TEXT,
    pool              TEXT,
    target            TEXT,
    forwarded_at      TIMESTAMPTZ,
    ttft_ms           INTEGER,
    latency_ms        INTEGER NOT NULL,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    tokens_estimated  BOOLEAN NOT NULL DEFAULT FALSE,
    attempts          JSONB NOT NULL DEFAULT '[]'::jsonb,
    usage_recorded    BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX request_logs_key_time ON request_logs (api_key_id, accepted_at DESC);
CREATE INDEX request_logs_user_time ON request_logs (user_id, accepted_at DESC);
CREATE INDEX request_logs_time ON request_logs (accepted_at DESC);

-- Exactly one row per served request; request_id makes writes idempotent (replays never double-bill).
CREATE TABLE usage_events (
    id                BIGSERIAL PRIMARY KEY,
    request_id        TEXT NOT NULL UNIQUE,
    occurred_at       TIMESTAMPTZ NOT NULL,
    api_key_id        BIGINT NOT NULL,
    user_id           BIGINT NOT NULL,
    organization_id   BIGINT,
    model_alias       TEXT NOT NULL,
    pool              TEXT NOT NULL,
    target            TEXT NOT NULL,
    status            TEXT NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    total_tokens      INTEGER NOT NULL,
    tokens_estimated  BOOLEAN NOT NULL,
    ttft_ms           INTEGER,
    latency_ms        INTEGER NOT NULL
);
CREATE INDEX usage_events_user_time ON usage_events (user_id, occurred_at);
CREATE INDEX usage_events_key_time ON usage_events (api_key_id, occurred_at);

-- Append-only money ledger (integers, micro-USD); billing will write here without touching the request path.
CREATE TABLE billing_ledger (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT,
    organization_id BIGINT,
    usage_event_id  BIGINT UNIQUE REFERENCES usage_events (id),
    entry_type      TEXT NOT NULL CHECK (entry_type IN ('usage', 'credit', 'adjustment', 'payment')),
    amount_micros   BIGINT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE audit_events (
    id           BIGSERIAL PRIMARY KEY,
    occurred_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor        TEXT NOT NULL,
    actor_role   TEXT NOT NULL,
    action       TEXT NOT NULL,
    target_type  TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    before_state JSONB,
    after_state  JSONB,
    reason       TEXT,
    request_id   TEXT,
    client_addr  TEXT
);
CREATE INDEX audit_events_time ON audit_events (occurred_at DESC);
CREATE INDEX audit_events_target ON audit_events (target_type, target_id);

-- Append-only: the product never edits or deletes ledger or audit rows.
CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER billing_ledger_append_only BEFORE UPDATE OR DELETE ON billing_ledger
  FOR EACH ROW EXECUTE FUNCTION forbid_change();
