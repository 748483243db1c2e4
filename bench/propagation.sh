#!/usr/bin/env bash
# Propagation time of a key revocation between two gateway replicas (issue 6): N trials of "revoke through replica
# A, poll replica B with its own HTTP requests until it answers 401 revoked_api_key". Uses a fresh database on the
# local PostgreSQL at 127.0.0.1:5432 when one answers (dropped afterwards), else the embedded PostgreSQL.
#   bench/propagation.sh [--trials N] [--write]     (--write records the result in docs/benchmarks.md)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/java.sh
TRIALS=300
WRITE=()
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) TRIALS=$2; shift 2 ;;
    --write) WRITE=(--write docs/benchmarks.md); shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
./mvnw -q -B install -Dmaven.test.skip=true -pl bench -am >&2
./mvnw -q -B dependency:build-classpath -pl bench -Dmdep.outputFile=target/propagation.cp >&2
CP="bench/target/classes:$(cat bench/target/propagation.cp)"
DB=()
DB_NAME=""
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && command -v psql >/dev/null \
   && psql -h 127.0.0.1 -p 5432 -U postgres -qAt -c 'SELECT 1' >/dev/null 2>&1; then
  DB_NAME="bench_propagation_$$"
  psql -h 127.0.0.1 -p 5432 -U postgres -qAt -c "CREATE DATABASE $DB_NAME" >/dev/null
  trap 'psql -h 127.0.0.1 -p 5432 -U postgres -qAt -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
  DB=(--database-url "jdbc:postgresql://127.0.0.1:5432/$DB_NAME?user=postgres")
fi
mkdir -p bench/target/bench-logs
"$JAVA" -cp "$CP" ai.cortensor.bench.PropagationBench --trials "$TRIALS" "${DB[@]}" "${WRITE[@]}" \
  2>bench/target/bench-logs/propagation.log | grep -v '^{"@timestamp' | tee bench/target/propagation.txt
