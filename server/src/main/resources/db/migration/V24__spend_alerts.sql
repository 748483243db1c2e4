-- Spend alerts (issue 15 item 5): at 50, 80 and 100 % of a spend budget and when a prepaid account's credits fall
-- below the threshold it chose, a mail through the notifications outbox and, when the account configured one, a
-- signed webhook. Owned by the notifications feature; detected by the background round (see Notifications).

ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check
    CHECK (kind IN ('key_revoked', 'account_paused', 'account_unpaused', 'allowance_80', 'allowance_100',
                    'budget_50', 'budget_80', 'budget_100', 'credits_low'));

-- Each alert, once: (account, kind, period) is what makes it fire once per period across replicas. period is the
-- budget's counter, its period's first day and its cap ('key:345:day@2025-03-01/5000000': a changed cap starts its
-- alerts afresh) or, for credits, when the balance was seen below the threshold. skipped: a lower threshold that a
-- higher one superseded in the same round (crossed together: only the higher one is sent, the lower never later).
CREATE TABLE spend_alerts (
    id          BIGSERIAL PRIMARY KEY,
    account     TEXT NOT NULL,                 -- u<user id> or o<organization id>
    kind        TEXT NOT NULL CHECK (kind IN ('budget_50', 'budget_80', 'budget_100', 'credits_low')),
    period      TEXT NOT NULL,
    skipped     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (account, kind, period)
);
CREATE INDEX spend_alerts_period ON spend_alerts (period);
CREATE INDEX spend_alerts_age ON spend_alerts (created_at);

-- Accounts whose credits are below their threshold and were alerted: no new alert until the balance is at or above
-- the threshold again (then the row goes, and the next fall alerts again).
CREATE TABLE credit_alert_state (
    account      TEXT PRIMARY KEY,
    below_since  TIMESTAMPTZ NOT NULL
);

-- The round reads only the current day's and month's spend (past periods pile up: a day budget adds a row a day) and
-- only balances with a threshold (few). Both indexes are on columns that holds and charges never change, so those
-- updates can stay HOT (no index maintenance on the request path).
CREATE INDEX billing_spend_period ON billing_spend (period_start);
CREATE INDEX billing_balances_low_alert ON billing_balances (account) WHERE low_balance_micros IS NOT NULL;

-- The alert round's lock and how far it read refused requests (microseconds since the epoch).
INSERT INTO notification_cursors (name, position)
    VALUES ('spend_alerts', (extract(epoch FROM now()) * 1000000)::bigint);

-- One webhook per account. The secret signs every delivery (HMAC-SHA256); it is shown to the customer once, when
-- created or rotated, and never again (not in pages, APIs or logs).
CREATE TABLE webhook_endpoints (
    account            TEXT PRIMARY KEY,
    url                TEXT NOT NULL,
    secret             TEXT NOT NULL,
    created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
    secret_rotated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One event to deliver: body is the exact JSON posted (and signed) on every attempt; event_id (in the body too)
-- lets the receiver drop a repeat (delivery is at least once). Claimed with a lease, like the mail outbox.
CREATE TABLE webhook_deliveries (
    id               BIGSERIAL PRIMARY KEY,
    account          TEXT NOT NULL,
    event_id         TEXT NOT NULL UNIQUE,
    event_type       TEXT NOT NULL,
    summary          TEXT NOT NULL,               -- for the delivery log: "80 % of the daily budget of $2.00 …"
    body             TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at     TIMESTAMPTZ
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_account ON webhook_deliveries (account, created_at DESC, id DESC);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (created_at);

-- The delivery log the customer sees: one row per attempt.
CREATE TABLE webhook_attempts (
    delivery_id    BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt        INTEGER NOT NULL,
    attempted_at   TIMESTAMPTZ NOT NULL,
    status_code    INTEGER,                    -- null: no HTTP answer (error says why)
    error          TEXT,
    duration_ms    INTEGER NOT NULL,
    next_retry_at  TIMESTAMPTZ,                -- null: delivered, or no attempt left
    PRIMARY KEY (delivery_id, attempt)
);
