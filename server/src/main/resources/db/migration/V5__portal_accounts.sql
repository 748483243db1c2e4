-- Sign-in: browser sessions, OIDC identities, emailed one-time links, organization invites.

-- The session token lives only in the customer's cookie; the row keeps its SHA-256.
CREATE TABLE user_sessions (
    id              BIGSERIAL PRIMARY KEY,
    token_hash      BYTEA NOT NULL UNIQUE,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id BIGINT REFERENCES organizations (id) ON DELETE SET NULL, -- the account being acted for; NULL = personal
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ NOT NULL,
    user_agent      TEXT,
    client_addr     TEXT,
    revoked_at      TIMESTAMPTZ
);
CREATE INDEX user_sessions_user ON user_sessions (user_id) WHERE revoked_at IS NULL;

-- An identity from an OpenID Connect provider; the provider says who, our tables hold the account.
CREATE TABLE user_identities (
    issuer      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (issuer, subject)
);

-- Emailed one-time links (verify an address, reset a password); only the token's hash is stored.
CREATE TABLE email_tokens (
    token_hash  BYTEA PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ
);

CREATE TABLE organization_invites (
    id              BIGSERIAL PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email           TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'member')),
    token_hash      BYTEA NOT NULL UNIQUE,
    invited_by      BIGINT NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at      TIMESTAMPTZ NOT NULL,
    accepted_at     TIMESTAMPTZ
);
CREATE INDEX organization_invites_org ON organization_invites (organization_id);

-- What the billing page shows; the limits themselves are enforced by the plans feature.
ALTER TABLE plans ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN monthly_price_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE plans SET description = 'Try every model with a small weekly allowance.', position = 0,
    limits = '{"rpm": 20, "tpm": 40000, "short_window_requests": 50, "short_window_seconds": 300, "weekly_requests": 1000, "weekly_tokens": 1000000, "max_concurrent": 2}'
  WHERE code = 'free';
INSERT INTO plans (code, name, description, monthly_price_cents, position, limits) VALUES
  ('developer', 'Developer', 'For building and testing applications.', 2000, 1,
   '{"rpm": 120, "tpm": 200000, "short_window_requests": 500, "short_window_seconds": 300, "weekly_requests": 20000, "weekly_tokens": 20000000, "max_concurrent": 8}'),
  ('pro', 'Pro', 'For production traffic.', 10000, 2,
   '{"rpm": 600, "tpm": 1000000, "short_window_requests": 3000, "short_window_seconds": 300, "weekly_requests": 200000, "weekly_tokens": 200000000, "max_concurrent": 32}'),
  ('dedicated', 'Dedicated', 'Reserved router capacity and custom limits. Contact us.', 0, 3,
   '{"rpm": 3000, "tpm": 5000000, "max_concurrent": 128}');
