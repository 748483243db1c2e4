-- Read-only views for operators who live in psql (docs/operations.md). They never expose a secret hash or a
-- password hash. Grant them to a read-only role, e.g.:
--   CREATE ROLE portal_support LOGIN PASSWORD '…';
--   GRANT USAGE ON SCHEMA public TO portal_support;
--   GRANT SELECT ON support_key_status, support_account_state, support_usage_by_account_day,
--                   support_recent_failures_by_pool TO portal_support;

-- Every key with its owner and what a request with it meets now: active, revoked, expired or account_paused.
CREATE VIEW support_key_status AS
SELECT k.id AS key_id,
       'ctsr_' || k.public_id AS prefix,
       k.name,
       CASE WHEN k.state = 'revoked' THEN 'revoked'
            WHEN k.expires_at <= now() THEN 'expired'
            WHEN COALESCE(o.state, u.state) = 'paused' THEN 'account_paused'
            ELSE 'active' END AS status,
       CASE WHEN k.organization_id IS NULL THEN 'u' || k.user_id ELSE 'o' || k.organization_id END AS account,
       u.email AS owner_email,
       o.name AS organization,
       k.created_at, k.expires_at, k.last_used_at, k.revoked_at, k.revoked_by, k.revoked_reason
FROM api_keys k
JOIN users u ON u.id = k.user_id
LEFT JOIN organizations o ON o.id = k.organization_id;

-- Every account (personal: u<user id>, organization: o<id>) with its state, pause reason, plan and key counts.
CREATE VIEW support_account_state AS
SELECT 'u' || u.id AS account, 'user' AS account_type, u.email AS name, u.state,
       u.paused_at, u.paused_by, u.paused_reason,
       (SELECT p.code FROM plan_subscriptions s JOIN plans p ON p.id = s.plan_id
         WHERE s.user_id = u.id AND s.ended_at IS NULL) AS plan,
       (SELECT count(*) FROM api_keys k WHERE k.user_id = u.id AND k.organization_id IS NULL
           AND k.state = 'active') AS active_keys,
       u.created_at
FROM users u
UNION ALL
SELECT 'o' || o.id, 'organization', o.name, o.state, o.paused_at, o.paused_by, o.paused_reason,
       (SELECT p.code FROM plan_subscriptions s JOIN plans p ON p.id = s.plan_id
         WHERE s.organization_id = o.id AND s.ended_at IS NULL),
       (SELECT count(*) FROM api_keys k WHERE k.organization_id = o.id AND k.state = 'active'),
       o.created_at
FROM organizations o;

-- Served requests and tokens by account and UTC day, from the usage events (what billing would count).
CREATE VIEW support_usage_by_account_day AS
SELECT CASE WHEN organization_id IS NULL THEN 'u' || user_id ELSE 'o' || organization_id END AS account,
       (occurred_at AT TIME ZONE 'UTC')::date AS day,
       count(*) AS requests,
       sum(prompt_tokens) AS prompt_tokens,
       sum(completion_tokens) AS completion_tokens,
       sum(total_tokens) AS total_tokens,
       bool_or(tokens_estimated) AS some_estimated
FROM usage_events
GROUP BY 1, 2;

-- Failed and cancelled requests of the last 24 hours by pool, target and error code (uses request_logs_status_time).
CREATE VIEW support_recent_failures_by_pool AS
SELECT coalesce(pool, '(none)') AS pool, coalesce(target, '(none)') AS target, status, error_code,
       count(*) AS requests, min(accepted_at) AS first_at, max(accepted_at) AS last_at
FROM request_logs
WHERE status IN ('failed', 'cancelled') AND accepted_at > now() - interval '24 hours'
GROUP BY 1, 2, 3, 4;
