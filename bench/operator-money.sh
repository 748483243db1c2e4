#!/usr/bin/env bash
# Operators' money views at scale (issue 15): the balances page sorted by what is available (no index on it, by
# design) at 10^5 and 10^6 accounts, and spend per day and model over 30 days of 10^6 usage events spread over 120
# days, with V16's usage_events_time and with V22's (which also carries the model and the cost).
# Needs psql and a PostgreSQL at $BENCH_PG (default: -h 127.0.0.1 -U postgres); uses a scratch database it drops.
# Prints psql's timings; docs/benchmarks.md ("Operators' money views") has a run.
set -euo pipefail
PG=${BENCH_PG:-"-h 127.0.0.1 -U postgres"}
DB=bench_operator_money_$$
psql $PG -q -c "CREATE DATABASE $DB"
trap 'psql $PG -q -c "DROP DATABASE IF EXISTS $DB"' EXIT
run() { psql $PG -q -d "$DB" "$@"; }

page='SELECT * FROM billing_balances ORDER BY balance_micros - reserved_micros, account LIMIT 51 \g /dev/null'
next='SELECT * FROM billing_balances WHERE (balance_micros - reserved_micros, account) > (0, '"'"'u5'"'"') ORDER BY balance_micros - reserved_micros, account LIMIT 51 \g /dev/null'
run <<SQL
CREATE TABLE billing_balances (account TEXT PRIMARY KEY, balance_micros BIGINT NOT NULL DEFAULT 0,
  reserved_micros BIGINT NOT NULL DEFAULT 0, low_balance_micros BIGINT, updated_at TIMESTAMPTZ NOT NULL DEFAULT now());
INSERT INTO billing_balances (account, balance_micros, reserved_micros)
  SELECT 'u' || g, (random() * 1e8)::bigint - 5e7, (random() * 1e5)::bigint FROM generate_series(1, 100000) g;
ANALYZE billing_balances;
\echo balances by available, 10^5 accounts: first page x3, a later page x3
\timing on
$page
$page
$page
$next
$next
$next
\timing off
INSERT INTO billing_balances (account, balance_micros, reserved_micros)
  SELECT 'u' || g, (random() * 1e8)::bigint - 5e7, (random() * 1e5)::bigint FROM generate_series(100001, 1000000) g;
ANALYZE billing_balances;
\echo balances by available, 10^6 accounts: first page x3, a later page x3
\timing on
$page
$page
$page
$next
$next
$next
\timing off
SQL

spend="SELECT CAST(occurred_at AT TIME ZONE 'UTC' AS date) AS day, model_alias, count(*), sum(prompt_tokens),
  sum(completion_tokens), sum(cost_micros) FROM usage_events WHERE occurred_at >= now() - interval '30 days'
  AND occurred_at < now() GROUP BY 1, 2 ORDER BY 1, 2"
run <<SQL
CREATE TABLE usage_events (id bigserial PRIMARY KEY, user_id bigint, organization_id bigint, api_key_id bigint,
  model_alias text, prompt_tokens int, completion_tokens int, total_tokens int, cost_micros bigint,
  occurred_at timestamptz, pad text);
INSERT INTO usage_events (user_id, api_key_id, model_alias, prompt_tokens, completion_tokens, total_tokens,
    cost_micros, occurred_at, pad)
  SELECT g % 5000, g % 9000, (ARRAY['qwen','oss-20b','oss-120b','gemma-4'])[1 + g % 4], 200, 300, 500, 50 + g % 100,
         now() - (g * interval '10.368 seconds'), repeat('x', 120) FROM generate_series(1, 1000000) g;
CREATE INDEX usage_events_time ON usage_events (occurred_at)
  INCLUDE (user_id, organization_id, prompt_tokens, completion_tokens);
VACUUM ANALYZE usage_events;
\echo spend per day and model, 30 of 120 days of 10^6 events, V16 index (heap reads for model and cost): x3
\timing on
$spend \g /dev/null
$spend \g /dev/null
$spend \g /dev/null
\timing off
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) $spend;
DROP INDEX usage_events_time;
CREATE INDEX usage_events_time ON usage_events (occurred_at)
  INCLUDE (user_id, organization_id, prompt_tokens, completion_tokens, model_alias, cost_micros);
VACUUM ANALYZE usage_events;
\echo spend per day and model, the same, V22 index: x3
\timing on
$spend \g /dev/null
$spend \g /dev/null
$spend \g /dev/null
\timing off
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) $spend;
SQL
