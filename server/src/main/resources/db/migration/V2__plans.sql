-- Plans are data. Limits are filled in by the plans feature; this is the shape it extends.
CREATE TABLE plans (
    id           BIGSERIAL PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    limits       JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE plan_subscriptions (
    id              BIGSERIAL PRIMARY KEY,
    plan_id         BIGINT NOT NULL REFERENCES plans (id),
    user_id         BIGINT REFERENCES users (id),
    organization_id BIGINT REFERENCES organizations (id),
    started_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    ended_at        TIMESTAMPTZ,
    CHECK ((user_id IS NULL) <> (organization_id IS NULL))
);
CREATE UNIQUE INDEX plan_subscriptions_current_user ON plan_subscriptions (user_id) WHERE ended_at IS NULL AND user_id IS NOT NULL;
CREATE UNIQUE INDEX plan_subscriptions_current_org ON plan_subscriptions (organization_id) WHERE ended_at IS NULL AND organization_id IS NOT NULL;

INSERT INTO plans (code, name) VALUES ('free', 'Free');
