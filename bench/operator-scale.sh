#!/usr/bin/env bash
# Operator lookups at scale (issue 6): 10^6 API keys, 10^7 request-log rows, every lookup through the product's own
# code (Operations → DirectoryStore / InspectionStore / AccountInsight), p50/p95/p99/max against the 50 ms target,
# and EXPLAIN (ANALYZE, BUFFERS) of the slowest lookups (bench/target/operator-scale-results/).
#
# usage: bench/operator-scale.sh [--rows N] [--iterations N] [--budget S] [--regenerate] [--label TEXT] [--only PREFIXES] [--write]
#   --rows N        request-log rows (default 10000000; keys N/10, users min(keys/5, 200000), organizations users/10);
#                   e.g. --rows 100000 for a quick run
#   --iterations N  samples per lookup (default 200); --budget S: at most S seconds per lookup (default 30)
#   --regenerate    generate the data even when the database already holds it (a marker table records the sizes)
#   --label TEXT    name of the run in the results (before, after, …)
#   --only PREFIXES only the lookups whose name starts with one of these comma-separated prefixes (e.g.
#                   "find,users,accounts by usage,dashboard": the issue-14 lookups)
#   --write         write the results between the operator-scale markers in docs/benchmarks.md
# Database: PORTAL_BENCH_DATABASE_URL (e.g. jdbc:postgresql://127.0.0.1:5432/portal_scale?user=postgres; the
# database is created when missing), otherwise the product's embedded PostgreSQL with its data in
# PORTAL_BENCH_DATA_DIR (default bench/target/operator-scale). Either way the generated data is kept: reruns with
# the same --rows reuse it. 10^7 rows need ~8 GB of disk. BENCH_JAVA_OPTS: extra JVM options.
set -euo pipefail
cd "$(dirname "$0")/.."
for a in "$@"; do
  case "$a" in -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;; esac
done
. bench/java.sh
# compiled in this worktree (the reactor resolves server to server/target/classes, not a jar in ~/.m2)
./mvnw -q -B compile dependency:build-classpath -pl bench -am -Dmdep.outputFile=target/operator-scale.cp >&2
CP="bench/target/classes:$(cat bench/target/operator-scale.cp)"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain -- server 2>/dev/null)" ] && commit="$commit (+ uncommitted changes in server)"
# shellcheck disable=SC2086
BENCH_COMMIT="$commit" exec "$JAVA" -Xmx2g ${BENCH_JAVA_OPTS:-} -cp "$CP" ai.cortensor.bench.scale.OperatorScale "$@"
