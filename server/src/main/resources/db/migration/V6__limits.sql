-- A key may carry its own, tighter limits (same keys as plans.limits); NULL means the plan's limits only.
ALTER TABLE api_keys ADD COLUMN limits JSONB;
