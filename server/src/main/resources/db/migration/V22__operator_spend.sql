-- Operators' spend view (issue 15): spend per UTC day and model over every account is one range scan of the
-- window's usage events. V16's usage_events_time (occurred_at) carries the account and the tokens for "accounts by
-- usage"; this one also carries the model and the cost, so both reads are index-only with one index on the time
-- instead of two (each index on usage_events costs every usage write).
DROP INDEX IF EXISTS usage_events_time;
CREATE INDEX usage_events_time ON usage_events (occurred_at)
    INCLUDE (user_id, organization_id, prompt_tokens, completion_tokens, model_alias, cost_micros);
