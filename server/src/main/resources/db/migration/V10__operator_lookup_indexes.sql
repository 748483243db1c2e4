-- Operator lookups at 10^6 keys and 10^7 request-log rows (issue 6), measured with bench/operator-scale.sh (results
-- in docs/benchmarks.md). Only what the measured lookups needed beyond V1–V9.

-- A personal account's requests (`user_id = ? AND organization_id IS NULL`: the request list, and the limit counters'
-- week of history behind account status). request_logs_user_time also holds every request the user made with an
-- organization's keys — millions for the owner of a busy organization — which were all read and thrown away. This
-- index holds personal rows only, in the keyset cursor's order.
CREATE INDEX request_logs_personal_time ON request_logs (user_id, accepted_at DESC, request_id DESC)
    WHERE organization_id IS NULL;

-- Account status sums an account's served usage over the last day and week. Organizations had no usage_events index
-- at all (every status read every usage event); personal accounts had the problem above. Both carry the token
-- columns, so the sums are index-only scans.
CREATE INDEX usage_events_org_time ON usage_events (organization_id, occurred_at)
    INCLUDE (prompt_tokens, completion_tokens) WHERE organization_id IS NOT NULL;
CREATE INDEX usage_events_personal_time ON usage_events (user_id, occurred_at)
    INCLUDE (prompt_tokens, completion_tokens) WHERE organization_id IS NULL;
