-- Per-account limit overrides set by operators (issue 14): the same keys as plans.limits (rpm, tpm,
-- short_window_requests, short_window_seconds, weekly_requests, weekly_tokens, max_concurrent). A key here replaces
-- the plan's value for that account (higher or lower); keys not here keep the plan's. An account has at most one
-- row; the row is deleted when its last override is removed. Overrides stay when the account changes plan. Every
-- change is audited (action account.limits) with the operator's reason; the row keeps the latest for display.
CREATE TABLE account_limit_overrides (
    user_id         BIGINT REFERENCES users (id) ON DELETE CASCADE,
    organization_id BIGINT REFERENCES organizations (id) ON DELETE CASCADE,
    limits          JSONB NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by      TEXT NOT NULL,
    reason          TEXT NOT NULL,
    CHECK ((user_id IS NULL) <> (organization_id IS NULL))
);
CREATE UNIQUE INDEX account_limit_overrides_user ON account_limit_overrides (user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX account_limit_overrides_org ON account_limit_overrides (organization_id)
    WHERE organization_id IS NOT NULL;
