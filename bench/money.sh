#!/usr/bin/env bash
# JMH micro-benchmark of what money adds to admission: Billing.hold + release against PostgreSQL, for an account with
# neither credits nor budgets (the baseline: no round trip), a prepaid one, and a prepaid one with three budgets.
# Needs a PostgreSQL server: $BENCH_DATABASE_URL, else the local one (a fresh database is created and dropped).
# Prints JMH's table; pass --write to record it in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/java.sh
./mvnw -q -B install -Dmaven.test.skip=true -pl bench -am >&2
./mvnw -q -B dependency:build-classpath -pl bench -Dmdep.outputFile=target/jmh.cp >&2
CP="bench/target/classes:$(cat bench/target/jmh.cp)"
ADMIN_URL=${BENCH_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}
DB=bench_money_$$
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB" >/dev/null
trap 'psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB" >/dev/null' EXIT
JDBC="jdbc:postgresql://127.0.0.1:5432/$DB?user=postgres"
out=bench/target/jmh-money.txt
"$JAVA" -Ddatabase.url="$JDBC" -cp "$CP" org.openjdk.jmh.Main MoneyHoldBenchmark \
  -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 | tee "$out"
if [ "${1:-}" = "--write" ]; then
  table=$(grep -E '^(Benchmark|MoneyHoldBenchmark)' "$out")
  python3 - "$table" <<'PY'
import re, sys, datetime, pathlib
p = pathlib.Path("docs/benchmarks.md"); s = p.read_text()
block = ("<!-- bench:money:begin (written by bench/money.sh --write) -->\n"
         f"Run of {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC (JMH, 1 fork, 5 × 2 s, 1 thread; µs per hold + release):\n\n"
         "```text\n" + sys.argv[1] + "\n```\n<!-- bench:money:end -->")
if "<!-- bench:money:begin" in s:
    s = re.sub(r"<!-- bench:money:begin.*?<!-- bench:money:end -->", block, s, flags=re.S)
else:
    s += "\n## Money on admission\n\n`bench/money.sh [--write]`: what billing adds to admitting one request — `Billing.hold` and its\nrelease against PostgreSQL on this machine. An account that is neither prepaid nor budgeted pays no round trip\n(`none`, the baseline); a prepaid one pays one atomic statement to hold and one to release (in production the\nrelease rides in the usage writer's batch transaction instead).\n\n" + block + "\n"
p.write_text(s)
PY
fi
