#!/usr/bin/env bash
# JMH micro-benchmark of admission (five limits, admit + settle): in process, and through Redis when one answers
# on 127.0.0.1:6379 (or $BENCH_REDIS_URL). Prints JMH's table; pass --write to record it in docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/java.sh
./mvnw -q -B install -Dmaven.test.skip=true -pl bench -am >&2
./mvnw -q -B dependency:build-classpath -pl bench -Dmdep.outputFile=target/jmh.cp >&2
CP="bench/target/classes:$(cat bench/target/jmh.cp)"
REDIS_URL=${BENCH_REDIS_URL:-redis://127.0.0.1:6379}
limiters=local
if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then limiters=local,redis; fi
out=bench/target/jmh-admission.txt
"$JAVA" -Dredis.url="$REDIS_URL" -cp "$CP" org.openjdk.jmh.Main AdmissionBenchmark -p limiter=$limiters \
  -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1 | tee "$out"
if [ "${1:-}" = "--write" ]; then
  table=$(grep -E '^(Benchmark|AdmissionBenchmark)' "$out")
  python3 - "$table" <<'PY'
import re, sys, datetime, pathlib
p = pathlib.Path("docs/benchmarks.md"); s = p.read_text()
block = ("<!-- bench:admission:begin (written by bench/admission.sh --write) -->\n"
         f"Run of {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC (JMH, 1 fork, 5 × 2 s, 1 thread; ns per admit + settle):\n\n"
         "```text\n" + sys.argv[1] + "\n```\n<!-- bench:admission:end -->")
s = re.sub(r"<!-- bench:admission:begin.*?<!-- bench:admission:end -->", block, s, flags=re.S)
p.write_text(s)
PY
fi
