-- A key may carry its own, tighter limits (same keys as plans.limits); NULL means the plan's limits only.
ALTER TABLE api_keys ADD COLUMN limits JSONB;

-- Rebuilding an organization's weekly counters after a restart reads its recent requests.
CREATE INDEX request_logs_org_time ON request_logs (organization_id, accepted_at DESC) WHERE organization_id IS NOT NULL;
