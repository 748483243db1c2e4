-- Customer notifications (issue 14 item 8): an outbox of mails, each written once and delivered by a background
-- sender on any replica. (account, kind, period, user_id) is what makes a notification happen once: period is the
-- audit event it reports ("audit:<id>") or the day an allowance threshold was crossed.
CREATE TABLE notifications (
    id               BIGSERIAL PRIMARY KEY,
    account          TEXT NOT NULL,                  -- u<user id> or o<organization id>
    kind             TEXT NOT NULL CHECK (kind IN ('key_revoked', 'account_paused', 'account_unpaused',
                                                   'allowance_80', 'allowance_100')),
    period           TEXT NOT NULL,
    user_id          BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,  -- the recipient
    email            TEXT NOT NULL,                  -- their address when it was written
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    state            TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_error       TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at          TIMESTAMPTZ,
    UNIQUE (account, kind, period, user_id)
);
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notifications_recipient ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_account_kind ON notifications (account, kind, created_at DESC);

-- How far the audit log has been read for notifications. Starts at the newest event, so that history from before
-- this version is never mailed.
CREATE TABLE notification_cursors (
    name      TEXT PRIMARY KEY,
    position  BIGINT NOT NULL
);
INSERT INTO notification_cursors (name, position) SELECT 'audit', coalesce(max(id), 0) FROM audit_events;
