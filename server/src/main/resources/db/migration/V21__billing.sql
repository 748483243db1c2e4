-- Money: prices per model, a cost on every usage event, an append-only ledger, prepaid credits and spend budgets.
-- Every amount is an integer in micro-USD (1 USD = 1 000 000). Owned by the billing feature.

-- Prices are micro-USD per million tokens: prompt_price for input, completion_price for output; reasoning tokens
-- are output tokens, priced at reasoning_price when set.
ALTER TABLE models ADD COLUMN reasoning_price BIGINT CHECK (reasoning_price >= 0);
ALTER TABLE models ADD CONSTRAINT models_prices_not_negative CHECK (prompt_price >= 0 AND completion_price >= 0);
UPDATE models SET prompt_price = 50000, completion_price = 200000 WHERE alias = 'oss-20b';
UPDATE models SET prompt_price = 100000, completion_price = 500000 WHERE alias = 'oss-120b';
UPDATE models SET prompt_price = 80000, completion_price = 300000 WHERE alias = 'gemma-4';
UPDATE models SET prompt_price = 60000, completion_price = 240000 WHERE alias = 'qwen';

-- A prepaid plan admits a request only when its worst-case cost can be held against the account's credits.
ALTER TABLE plans ADD COLUMN prepaid BOOLEAN NOT NULL DEFAULT FALSE;
INSERT INTO plans (code, name, description, monthly_price_cents, position, limits, prepaid) VALUES
  ('prepaid', 'Pay as you go', 'Prepaid credits, charged per token at each model''s price. No weekly allowance.', 0, 4,
   '{"rpm": 600, "tpm": 1000000, "max_concurrent": 32}', TRUE);
INSERT INTO model_access_policies (plan_id, model_alias)
  SELECT p.id, m.alias FROM plans p CROSS JOIN models m WHERE p.code = 'prepaid';

-- What each served request cost, and the prices (per million tokens) it was charged at: those in force when it
-- was admitted.
ALTER TABLE usage_events ADD COLUMN cost_micros BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_events ADD COLUMN prompt_price BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_events ADD COLUMN completion_price BIGINT NOT NULL DEFAULT 0;

-- The ledger: one row per money movement, never updated or deleted (V4's trigger). account is 'u<id>' or
-- 'o<id>'. A usage entry names its request (at most one per request); a grant, adjustment or (later) payment may
-- carry an idempotency key so that a retried call (or a payment provider's webhook) is one entry.
ALTER TABLE billing_ledger ADD COLUMN account TEXT;
ALTER TABLE billing_ledger ADD COLUMN request_id TEXT UNIQUE;
ALTER TABLE billing_ledger ADD COLUMN idempotency_key TEXT UNIQUE;
ALTER TABLE billing_ledger ADD COLUMN actor TEXT;
UPDATE billing_ledger SET account = CASE WHEN organization_id IS NOT NULL THEN 'o' || organization_id
                                          ELSE 'u' || user_id END WHERE account IS NULL;
ALTER TABLE billing_ledger ALTER COLUMN account SET NOT NULL;
CREATE INDEX billing_ledger_account_time ON billing_ledger (account, created_at);

-- An account's balance is the sum of its ledger, kept here in the same transaction as every entry;
-- reserved_micros is what requests in flight hold against it. reconcile compares the two sums.
CREATE TABLE billing_balances (
    account           TEXT PRIMARY KEY,
    balance_micros    BIGINT NOT NULL DEFAULT 0,
    reserved_micros   BIGINT NOT NULL DEFAULT 0 CHECK (reserved_micros >= 0),
    low_balance_micros BIGINT CHECK (low_balance_micros >= 0), -- the account's "credits are low" alert threshold
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Spend caps customers set on their account or one key, per UTC day or calendar month (UTC).
CREATE TABLE billing_budgets (
    scope       TEXT NOT NULL CHECK (scope IN ('account', 'key')),
    scope_id    TEXT NOT NULL,          -- 'u12' / 'o3' for an account, the key's id for a key
    period      TEXT NOT NULL CHECK (period IN ('day', 'month')),
    cap_micros  BIGINT NOT NULL CHECK (cap_micros > 0),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, scope_id, period)
);

-- Spend per budget and period: spent (settled) and reserved (held by requests in flight).
CREATE TABLE billing_spend (
    counter         TEXT NOT NULL,      -- '<scope>:<scope_id>:<period>'
    period_start    TIMESTAMPTZ NOT NULL,
    spent_micros    BIGINT NOT NULL DEFAULT 0,
    reserved_micros BIGINT NOT NULL DEFAULT 0 CHECK (reserved_micros >= 0),
    PRIMARY KEY (counter, period_start)
);

-- What one request in flight holds: released (and its actual cost charged) when its usage is written.
CREATE TABLE billing_holds (
    request_id    TEXT PRIMARY KEY,
    account       TEXT NOT NULL,
    prepaid       BOOLEAN NOT NULL,
    amount_micros BIGINT NOT NULL CHECK (amount_micros >= 0),
    counters      TEXT[] NOT NULL,
    periods       TIMESTAMPTZ[] NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX billing_holds_age ON billing_holds (created_at);

-- Holds a request's worst-case cost against the account's credits (when prepaid) and every budget, all or
-- nothing, in one round trip. Returns NULL when held, 'credits' or the refusing budget's counter otherwise (then
-- nothing is held).
-- The hold commits without waiting for its WAL flush (synchronous_commit off for this transaction only): it is on
-- the request path, and a flush costs milliseconds. Atomicity and isolation are unchanged, so replicas still can
-- never hold more than there is; only a crash of the PostgreSQL server itself can lose the holds of its last
-- moments (at most 3 × wal_writer_delay), which bounds how far below zero a balance could then go.
CREATE FUNCTION billing_hold(p_request_id TEXT, p_account TEXT, p_prepaid BOOLEAN, p_amount BIGINT,
                             p_counters TEXT[], p_periods TIMESTAMPTZ[], p_caps BIGINT[]) RETURNS TEXT AS $$
DECLARE
    i INT;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    IF p_prepaid THEN
        UPDATE billing_balances SET reserved_micros = reserved_micros + p_amount, updated_at = now()
         WHERE account = p_account AND balance_micros - reserved_micros >= p_amount;
        IF NOT FOUND THEN
            RETURN 'credits';
        END IF;
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_counters, 1), 0) LOOP
        INSERT INTO billing_spend (counter, period_start) VALUES (p_counters[i], p_periods[i])
            ON CONFLICT (counter, period_start) DO NOTHING;
        UPDATE billing_spend SET reserved_micros = reserved_micros + p_amount
         WHERE counter = p_counters[i] AND period_start = p_periods[i]
           AND spent_micros + reserved_micros + p_amount <= p_caps[i];
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'billing_refused:' || p_counters[i];
        END IF;
    END LOOP;
    INSERT INTO billing_holds (request_id, account, prepaid, amount_micros, counters, periods)
        VALUES (p_request_id, p_account, p_prepaid, p_amount, coalesce(p_counters, '{}'), coalesce(p_periods, '{}'));
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- Releases a hold (if the request still has one) without charging anything.
CREATE FUNCTION billing_release(p_request_id TEXT) RETURNS BOOLEAN AS $$
DECLARE
    h billing_holds;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true); -- as billing_hold: a lost release only over-holds
    DELETE FROM billing_holds WHERE request_id = p_request_id RETURNING * INTO h;
    IF NOT FOUND THEN
        RETURN FALSE;
    END IF;
    IF h.prepaid THEN
        UPDATE billing_balances SET reserved_micros = reserved_micros - h.amount_micros, updated_at = now()
         WHERE account = h.account;
    END IF;
    UPDATE billing_spend s SET reserved_micros = s.reserved_micros - h.amount_micros
      FROM unnest(h.counters, h.periods) AS c (counter, period_start)
     WHERE s.counter = c.counter AND s.period_start = c.period_start;
    RETURN TRUE;
END
$$ LANGUAGE plpgsql;

-- Settles finished requests, in the usage writer's transaction: each hold is released, and each served request
-- (its usage event written) is charged its cost: one ledger entry, the balance and every budget of its hold.
-- Idempotent: a request already in the ledger is charged nothing again, a hold already released is not released
-- twice.
CREATE FUNCTION billing_settle(p_request_ids TEXT[], p_accounts TEXT[], p_costs BIGINT[], p_served BOOLEAN[])
    RETURNS VOID AS $$
DECLARE
    i INT;
    h billing_holds;
    held BOOLEAN;
    entry BIGINT;
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_request_ids, 1), 0) LOOP
        DELETE FROM billing_holds WHERE request_id = p_request_ids[i] RETURNING * INTO h;
        held := FOUND;
        IF held THEN
            IF h.prepaid THEN
                UPDATE billing_balances SET reserved_micros = reserved_micros - h.amount_micros, updated_at = now()
                 WHERE account = h.account;
            END IF;
            UPDATE billing_spend s SET reserved_micros = s.reserved_micros - h.amount_micros
              FROM unnest(h.counters, h.periods) AS c (counter, period_start)
             WHERE s.counter = c.counter AND s.period_start = c.period_start;
        END IF;
        IF p_served[i] THEN
            INSERT INTO billing_ledger (account, user_id, organization_id, usage_event_id, request_id, entry_type,
                                        amount_micros, description)
            SELECT p_accounts[i], u.user_id, u.organization_id, u.id, u.request_id, 'usage', -p_costs[i],
                   u.model_alias || ': ' || u.prompt_tokens || ' in, ' || u.completion_tokens || ' out'
              FROM usage_events u WHERE u.request_id = p_request_ids[i]
            ON CONFLICT (request_id) DO NOTHING
            RETURNING id INTO entry;
            IF entry IS NOT NULL THEN
                INSERT INTO billing_balances (account, balance_micros) VALUES (p_accounts[i], -p_costs[i])
                    ON CONFLICT (account) DO UPDATE
                    SET balance_micros = billing_balances.balance_micros - p_costs[i], updated_at = now();
                IF held THEN
                    UPDATE billing_spend s SET spent_micros = s.spent_micros + p_costs[i]
                      FROM unnest(h.counters, h.periods) AS c (counter, period_start)
                     WHERE s.counter = c.counter AND s.period_start = c.period_start;
                END IF;
            END IF;
            entry := NULL;
        END IF;
    END LOOP;
END
$$ LANGUAGE plpgsql;
