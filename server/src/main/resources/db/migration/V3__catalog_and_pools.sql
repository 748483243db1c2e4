-- Public model aliases (the catalog) and the router pools that serve them.
CREATE TABLE router_pools (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL DEFAULT 'dedicated' CHECK (kind IN ('dedicated', 'network', 'ephemeral')),
    state       TEXT NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'degraded', 'paused', 'draining')),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- router_key_ref names a secret held in configuration (router.secret.<ref>); the key itself is never stored here.
CREATE TABLE router_pool_targets (
    id              BIGSERIAL PRIMARY KEY,
    pool_id         BIGINT NOT NULL REFERENCES router_pools (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    base_url        TEXT NOT NULL,
    protocol        TEXT NOT NULL DEFAULT 'cortensor-v3' CHECK (protocol IN ('cortensor-v1', 'cortensor-v3', 'openai')),
    session_id      BIGINT,
    router_key_ref  TEXT,
    weight          INTEGER NOT NULL DEFAULT 1 CHECK (weight > 0),
    max_concurrency INTEGER NOT NULL DEFAULT 256 CHECK (max_concurrency > 0),
    state           TEXT NOT NULL DEFAULT 'enabled' CHECK (state IN ('enabled', 'disabled')),
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (pool_id, name)
);

CREATE TABLE models (
    alias               TEXT PRIMARY KEY,
    display_name        TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    owned_by            TEXT NOT NULL DEFAULT 'cortensor',
    context_length      INTEGER NOT NULL CHECK (context_length > 0),
    max_output_tokens   INTEGER NOT NULL CHECK (max_output_tokens > 0),
    chat_template       TEXT NOT NULL CHECK (chat_template IN ('chatml', 'gemma', 'gpt-oss', 'generic')),
    -- prices in micro-USD per million tokens (integers; 0 = free)
    prompt_price        BIGINT NOT NULL DEFAULT 0,
    completion_price    BIGINT NOT NULL DEFAULT 0,
    state               TEXT NOT NULL DEFAULT 'enabled' CHECK (state IN ('enabled', 'disabled')),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- priority 0 is the primary pool; higher numbers are ordered fallbacks.
CREATE TABLE router_pool_models (
    model_alias TEXT NOT NULL REFERENCES models (alias) ON DELETE CASCADE,
    pool_id     BIGINT NOT NULL REFERENCES router_pools (id) ON DELETE CASCADE,
    priority    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (model_alias, pool_id),
    UNIQUE (model_alias, priority)
);

-- Which models a plan may use; no row for a plan means "all enabled models".
CREATE TABLE model_access_policies (
    plan_id     BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    model_alias TEXT NOT NULL REFERENCES models (alias) ON DELETE CASCADE,
    PRIMARY KEY (plan_id, model_alias)
);

-- The Cortensor launch catalog, served by the 'default' pool until operators map it elsewhere.
INSERT INTO router_pools (name) VALUES ('default');
INSERT INTO models (alias, display_name, description, context_length, max_output_tokens, chat_template) VALUES
  ('oss-20b',  'gpt-oss 20B',  'OpenAI gpt-oss 20B open-weight model on Cortensor routers.',  131072, 8192, 'gpt-oss'),
  ('oss-120b', 'gpt-oss 120B', 'OpenAI gpt-oss 120B open-weight model on Cortensor routers.', 131072, 8192, 'gpt-oss'),
  ('gemma-4',  'Gemma 4',      'Google Gemma 4 on Cortensor routers.',                         32768, 8192, 'gemma'),
  ('qwen',     'Qwen',         'Qwen instruct model on Cortensor routers.',                    32768, 8192, 'chatml');
INSERT INTO router_pool_models (model_alias, pool_id, priority)
  SELECT alias, (SELECT id FROM router_pools WHERE name = 'default'), 0 FROM models;
