-- Spend for customers (issue 15, items 4 and 6): the finish reason of every request, its reasoning tokens, spend per
-- day, model and key kept as it is written, and the budget state a hold reports back to the gateway's headers.

-- How each request ended, from the gateway's outcome: stop, length, tool_calls, content_filter (the model's own
-- end), error (refused, failed or cut) or cancelled (the client left). NULL for rows written before V23.
-- reasoning_tokens: the part of completion_tokens spent on reasoning, when the dialect counts it (NULL: unknown).
-- The check is NOT VALID: old rows are all NULL, and validating them would scan the whole table under a lock.
ALTER TABLE request_logs ADD COLUMN finish_reason TEXT;
ALTER TABLE request_logs ADD COLUMN reasoning_tokens INTEGER;
ALTER TABLE request_logs ADD CONSTRAINT request_logs_finish_reason CHECK (finish_reason IN
    ('stop', 'length', 'tool_calls', 'content_filter', 'error', 'cancelled')) NOT VALID;

-- Spend per account, UTC day, model and key, kept by the usage writer in the same statement that inserts the usage
-- events (from the rows it inserted, so a replayed batch adds nothing twice). The overview's month and the usage
-- page's days read at most days × models × keys rows, however many requests an account makes: summing the events
-- themselves took ~1 s for an account with 10^6 requests a month (docs/benchmarks.md, customer spend).
-- account is 'u<user id>' (personal keys) or 'o<organization id>', as in billing.
CREATE TABLE usage_daily (
    account           TEXT NOT NULL,
    day               DATE NOT NULL,
    model_alias       TEXT NOT NULL,
    api_key_id        BIGINT NOT NULL,
    requests          BIGINT NOT NULL,
    prompt_tokens     BIGINT NOT NULL,
    completion_tokens BIGINT NOT NULL,
    cost_micros       BIGINT NOT NULL,
    PRIMARY KEY (account, day, model_alias, api_key_id)
);
INSERT INTO usage_daily (account, day, model_alias, api_key_id, requests, prompt_tokens, completion_tokens, cost_micros)
SELECT CASE WHEN organization_id IS NULL THEN 'u' || user_id ELSE 'o' || organization_id END,
       (occurred_at AT TIME ZONE 'UTC')::date, model_alias, api_key_id, count(*), sum(prompt_tokens),
       sum(completion_tokens), sum(cost_micros)
FROM usage_events GROUP BY 1, 2, 3, 4;

-- Whether an account was ever funded (credits, adjustments, payments): the overview shows a balance then. Without
-- this, the question reads every usage entry of a busy account.
CREATE INDEX billing_ledger_funding ON billing_ledger (account) WHERE entry_type <> 'usage';

-- billing_hold (V21), also answering what each budget has left after the hold: remaining[i] is
-- cap − spent − reserved of p_counters[i], this request's hold included. The gateway turns the smallest into the
-- x-budget-* headers, so they cost no round trip beyond the hold itself. Refusals are as before: 'credits' in
-- refused, or the billing_refused exception naming the budget (then nothing is held).
CREATE FUNCTION billing_hold_remaining(p_request_id TEXT, p_account TEXT, p_prepaid BOOLEAN, p_amount BIGINT,
                                       p_counters TEXT[], p_periods TIMESTAMPTZ[], p_caps BIGINT[],
                                       OUT refused TEXT, OUT remaining BIGINT[]) AS $$
DECLARE
    i INT;
    left_over BIGINT;
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true); -- as billing_hold (V21): on the request path
    remaining := '{}';
    IF p_prepaid THEN
        UPDATE billing_balances SET reserved_micros = reserved_micros + p_amount, updated_at = now()
         WHERE account = p_account AND balance_micros - reserved_micros >= p_amount;
        IF NOT FOUND THEN
            refused := 'credits';
            RETURN;
        END IF;
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_counters, 1), 0) LOOP
        INSERT INTO billing_spend (counter, period_start) VALUES (p_counters[i], p_periods[i])
            ON CONFLICT (counter, period_start) DO NOTHING;
        UPDATE billing_spend SET reserved_micros = reserved_micros + p_amount
         WHERE counter = p_counters[i] AND period_start = p_periods[i]
           AND spent_micros + reserved_micros + p_amount <= p_caps[i]
        RETURNING p_caps[i] - spent_micros - reserved_micros INTO left_over;
        IF NOT FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'billing_refused:' || p_counters[i];
        END IF;
        remaining := remaining || left_over;
    END LOOP;
    INSERT INTO billing_holds (request_id, account, prepaid, amount_micros, counters, periods)
        VALUES (p_request_id, p_account, p_prepaid, p_amount, coalesce(p_counters, '{}'), coalesce(p_periods, '{}'));
END
$$ LANGUAGE plpgsql;

-- The V21 function keeps its signature for replicas of the previous version during a rolling deploy, now through
-- the one body above.
CREATE OR REPLACE FUNCTION billing_hold(p_request_id TEXT, p_account TEXT, p_prepaid BOOLEAN, p_amount BIGINT,
                                        p_counters TEXT[], p_periods TIMESTAMPTZ[], p_caps BIGINT[]) RETURNS TEXT AS $$
    SELECT refused FROM billing_hold_remaining(p_request_id, p_account, p_prepaid, p_amount, p_counters, p_periods,
                                               p_caps);
$$ LANGUAGE sql;
