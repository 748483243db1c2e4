-- Operator lookups at 10^6 keys and 10^7 request-log rows (issue 6), measured with bench/operator-scale.sh (results
-- in docs/benchmarks.md). Only what the measured lookups needed beyond V1–V9.

-- A personal account's requests (`user_id = ? AND organization_id IS NULL`: the request list, and the limit counters'
-- week of history behind account status). request_logs_user_time also holds every request the user made with an
-- organization's keys — millions for the owner of a busy organization — which were all read and thrown away. This
-- index holds personal rows only, in the keyset cursor's order.
-- It carries what the limit counters' history sums (status, tokens), so that read is an index-only scan too.
CREATE INDEX request_logs_personal_time ON request_logs (user_id, accepted_at DESC, request_id DESC)
    INCLUDE (status, prompt_tokens, completion_tokens) WHERE organization_id IS NULL;

-- The same for organizations, replacing V6's request_logs_org_time: the cursor's tie-break column, and the columns
-- the week of history sums (before, a busy organization's first status read a week of rows from the heap: ~2 s at
-- 300k requests a week).
CREATE INDEX request_logs_org_cursor ON request_logs (organization_id, accepted_at DESC, request_id DESC)
    INCLUDE (status, prompt_tokens, completion_tokens) WHERE organization_id IS NOT NULL;
DROP INDEX request_logs_org_time;

-- A user's organizations (user lookups): the primary key starts with organization_id.
CREATE INDEX organization_members_user ON organization_members (user_id);

-- Account status sums an account's served usage over the last day and week. Organizations had no usage_events index
-- at all (every status read every usage event); personal accounts had the problem above. Both carry the token
-- columns, so the sums are index-only scans.
CREATE INDEX usage_events_org_time ON usage_events (organization_id, occurred_at)
    INCLUDE (prompt_tokens, completion_tokens) WHERE organization_id IS NOT NULL;
CREATE INDEX usage_events_personal_time ON usage_events (user_id, occurred_at)
    INCLUDE (prompt_tokens, completion_tokens) WHERE organization_id IS NULL;
