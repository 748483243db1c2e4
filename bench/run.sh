#!/usr/bin/env bash
# Cortensor Portal benchmarks (not tests). One run on this machine, every number against a baseline measured in
# the same run:
#   1. added latency, non-streaming: gateway vs the router simulators directly, open loop at 500/1000/2000 req/s
#   2. maximum throughput, closed loop (wrk): gateway vs nginx proxy_pass to the same simulators
#   3. streaming: 200 concurrent streams, time to first token through the gateway vs directly, gateway heap
#   4. slow streams (slowstreams): 10,000 streams at 20 tokens/s held open through the gateway at once (fewer when
#      the open-files limits cannot hold them: the run says how many and why); streams open, errors, TTFT, frames/s
#      achieved vs offered, gateway heap/RSS/open files, CPU and bytes allocated per token frame
#   5. usage ledger: the ledger writer alone against its own fresh database, records/s and spooling
# Every phase also reports the gateway's CPU time (from /proc) and bytes allocated (portal_jvm_allocated_bytes_total
# from /metrics on its management port) per request, per stream and per token frame. The gateway runs with -Xmx1g (BENCH_SERVER_HEAP).
# Results are written between the markers in docs/benchmarks.md and kept in bench/target/bench-results/.
#
# usage: bench/run.sh [--quick] [--profile] [--no-build] [--build] [--no-doc] [--phases latency,throughput,streams,slowstreams,ledger]
#   --quick     short phases (smoke test of the harness; numbers are not for the doc, implies --no-doc)
#   --phases    run only these phases (implies --no-doc)
#   --hold      start everything, print the URLs and keys, and wait (Ctrl-C stops and cleans up); no measuring
#   --profile   record JFR on the gateway during the throughput and streaming phases; print where CPU time goes
#   --no-build  use the jars as they are; --build: always rebuild them
#   --no-doc    do not touch docs/benchmarks.md
# Environment: BENCH_SERVER_JAVA_OPTS (extra JVM options for the gateway), JAVA_HOME (a JDK >= 21 is picked
# like ./portal does otherwise), BENCH_QUIET_WAIT (seconds to wait for other work on the machine to calm down
# before measuring, default 60), BENCH_SERVER_HEAP (the gateway's -Xmx, default 1g), BENCH_SLOW_STREAMS (streams
# asked for in the slow-streams phase, default 10000; the open-files limits may lower it), BENCH_SLOW_TARGET=direct
# (diagnosis: the slow streams straight to the simulators instead of through the gateway).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

QUICK=0 PROFILE=0 HOLD=0 BUILD=auto WRITE_DOC=1 PHASES=latency,throughput,streams,slowstreams,ledger
while [ $# -gt 0 ]; do
  a=$1; shift
  case "$a" in
    --phases) PHASES=${1:?--phases needs a list}; shift; WRITE_DOC=0 ;;
    --hold) HOLD=1 ;;
    --quick) QUICK=1; WRITE_DOC=0 ;;
    --profile) PROFILE=1 ;;
    --no-build) BUILD=no ;;
    --build) BUILD=yes ;;
    --no-doc) WRITE_DOC=0 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown option $a" >&2; exit 2 ;;
  esac
done

if [ "$QUICK" = 1 ]; then
  WARMUP=3 LAT_SECONDS=3 TP_SECONDS=5 TP_WARMUP=3 STREAM_SECONDS=5 STREAM_WARMUP=3 STREAM_EXTRA_SECONDS=3
  SLOW_RAMP=10 SLOW_SETTLE=3 SLOW_SECONDS=10 SLOW_AFTER=5
else
  WARMUP=25 LAT_SECONDS=10 TP_SECONDS=15 TP_WARMUP=10 STREAM_SECONDS=20 STREAM_WARMUP=10 STREAM_EXTRA_SECONDS=10
  SLOW_RAMP=20 SLOW_SETTLE=5 SLOW_SECONDS=40 SLOW_AFTER=10
fi
RATES=500,1000,2000
LAT_CONNECTIONS=32
TP_CONNECTIONS=64 TP_THREADS=2 TP_SLICES=3
STREAMS=200 STREAMS_LIGHT=50 STREAM_TTFT_MS=50 STREAM_TPS=100 STREAM_TOKENS=64
SLOW_REQUESTED=${BENCH_SLOW_STREAMS:-10000} SLOW_TPS=20 SLOW_TTFT_MS=50
# long enough that no stream ends before the window does, with 30 s to spare
SLOW_TOKENS=$((SLOW_TPS * (SLOW_RAMP + SLOW_SETTLE + SLOW_SECONDS + 30)))
GW_HEAP=${BENCH_SERVER_HEAP:-1g}
# a target's concurrency cap (pool target max=, 256 by default) must not refuse the slow streams
TARGET_MAX=$((SLOW_REQUESTED > 256 ? SLOW_REQUESTED : 256))

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ---- a JDK >= 21, picked like ./portal does ------------------------------------------------------------------
. bench/java.sh
JAVA_BIN=$(dirname "$(readlink -f "$JAVA")")
export JAVA_HOME=$(dirname "$JAVA_BIN")
log "JDK: $JAVA ($("$JAVA" -version 2>&1 | head -1))"

# ---- jars -------------------------------------------------------------------------------------------------------
PORTAL_JAR=server/target/portal.jar
BENCH_JAR=bench/target/bench.jar
if [ "$BUILD" = yes ] || [ ! -f "$PORTAL_JAR" ] || [ ! -f "$BENCH_JAR" ] \
   || { [ "$BUILD" = auto ] && [ -n "$(find pom.xml server/pom.xml server/src/main router-sim/pom.xml router-sim/src/main -newer "$PORTAL_JAR" -print -quit)$(find bench/pom.xml bench/src -newer "$BENCH_JAR" -print -quit)" ]; }; then
  log "building the jars (./mvnw -q -B package -DskipTests) ..."
  ./mvnw -q -B package -DskipTests >&2 || die "build failed (retry with --no-build to use the jars as they are)"
fi
[ -f "$PORTAL_JAR" ] && [ -f "$BENCH_JAR" ] || die "missing $PORTAL_JAR or $BENCH_JAR after the build"

# ---- Debian tools -------------------------------------------------------------------------------------------------
missing=()
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v wrk >/dev/null || missing+=(wrk)
command -v curl >/dev/null || missing+=(curl)
command -v psql >/dev/null || missing+=(postgresql-client)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} from Debian ..."
  as_root apt-get update -qq >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# ---- process and temp-dir bookkeeping ----------------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/portal-bench.XXXXXX")
RESULTS="$WORK/results"
mkdir -p "$RESULTS"
PIDS=()
DB_NAME=""
cleanup() {
  local code=$?
  set +e
  trap - EXIT INT TERM
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill -TERM "${PIDS[i]}" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { log "pid $pid did not stop; killing it"; kill -KILL "$pid" 2>/dev/null; }
    wait "$pid" 2>/dev/null
  done
  if [ -n "$DB_NAME" ]; then
    psql -h 127.0.0.1 -p 5432 -U postgres -qAt -c "DROP DATABASE IF EXISTS $DB_NAME WITH (FORCE)" >/dev/null 2>&1 \
      || log "could not drop database $DB_NAME"
  fi
  [ -n "${LEDGER_DB:-}" ] && psql -h 127.0.0.1 -p 5432 -U postgres -qAt -c "DROP DATABASE IF EXISTS $LEDGER_DB WITH (FORCE)" >/dev/null 2>&1
  if [ "$code" -ne 0 ]; then
    for f in "$WORK"/*.log; do [ -f "$f" ] && { log "--- tail of $(basename "$f")"; tail -n 20 "$f" >&2; }; done
  fi
  if [ -d "$ROOT/bench/target" ]; then # keep the processes' logs of the last run
    rm -rf "$ROOT/bench/target/bench-logs"; mkdir -p "$ROOT/bench/target/bench-logs"
    cp "$WORK"/*.log "$ROOT/bench/target/bench-logs/" 2>/dev/null
    cp "$WORK"/nginx/logs/error.log "$ROOT/bench/target/bench-logs/nginx-error.log" 2>/dev/null
  fi
  rm -rf "$WORK"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}
wait_for_line() { # file pattern seconds pid
  for _ in $(seq 1 $(($3 * 10))); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$4" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
http_code() { rm -f "$WORK/last-body"; curl -s -m 30 -o "$WORK/last-body" -w '%{http_code}' "$@" || true; }

# ---- two router simulators ---------------------------------------------------------------------------------------
ROUTER_KEY=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
SIM_URLS=()
SIM_PORTS=()
for name in sim-a sim-b; do
  "$JAVA" -cp "$PORTAL_JAR" ai.cortensor.routersim.RouterSimMain --name "$name" --port 0 --api-key "$ROUTER_KEY" \
    --sessions 1 >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  wait_for_line "$WORK/$name.log" "router-sim listening on" 60 "$!" || die "$name did not start"
  url=$(grep 'router-sim listening on' "$WORK/$name.log" | awk '{print $NF}')
  SIM_URLS+=("$url")
  SIM_PORTS+=("${url##*:}")
  log "$name: $url (pid $!)"
done
DIRECT_URLS="${SIM_URLS[0]}/api/v3/completions/1,${SIM_URLS[1]}/api/v3/completions/1"

# ---- the gateway ------------------------------------------------------------------------------------------------
GW_PORT=$(free_port)
MGMT_PORT=$(free_port)
while [ "$MGMT_PORT" = "$GW_PORT" ]; do MGMT_PORT=$(free_port); done
PORTAL_ENV=(
  PORTAL_HTTP_PORT="$GW_PORT"
  PORTAL_MANAGEMENT_PORT="$MGMT_PORT" # /metrics is served only there, never on the customers' port
  PORTAL_DATA_DIR="$WORK/data"
  PORTAL_POOL_DEFAULT_TARGETS="cortensor-v3 ${SIM_URLS[0]} session=1 key=main max=$TARGET_MAX, cortensor-v3 ${SIM_URLS[1]} session=1 key=main max=$TARGET_MAX"
  PORTAL_ROUTER_SECRET_MAIN="$ROUTER_KEY"
  PORTAL_HTTP_MAX_IN_FLIGHT=20000 # above the slow-streams phase's 10,000 (the default bound is 8,192)
  PORTAL_HTTP_MAX_CONNECTIONS=20000 # likewise (the default bound on open connections is 10,000)
)
if (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null \
   && psql -h 127.0.0.1 -p 5432 -U postgres -qAt -c 'SELECT 1' >/dev/null 2>&1; then
  DB_NAME="portal_bench_$$_$(date +%s)"
  psql -h 127.0.0.1 -p 5432 -U postgres -qAt -c "CREATE DATABASE $DB_NAME" >/dev/null || die "cannot create database $DB_NAME"
  DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB_NAME?user=postgres"
  PORTAL_ENV+=(PORTAL_DATABASE_URL="$DB_URL")
  PSQL=(psql -h 127.0.0.1 -p 5432 -U postgres -d "$DB_NAME" -qAt -v ON_ERROR_STOP=1)
  DB_MODE="local PostgreSQL $(psql -h 127.0.0.1 -p 5432 -U postgres -qAt -c 'SHOW server_version' | awk '{print $1}') on 127.0.0.1:5432 (fresh database)"
else
  # the server's embedded PostgreSQL on a known port, so psql and create-key can reach it while the server runs
  PG_PORT=$(free_port)
  PORTAL_ENV+=(PORTAL_DATABASE_EMBEDDED_PORT="$PG_PORT")
  DB_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres?user=postgres"
  PSQL=(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1)
  DB_MODE="embedded PostgreSQL (no local server on 5432)"
fi
log "database: $DB_MODE"

# shellcheck disable=SC2086
env "${PORTAL_ENV[@]}" "$JAVA" -Xmx"$GW_HEAP" ${BENCH_SERVER_JAVA_OPTS:-} -jar "$PORTAL_JAR" serve >"$WORK/portal.log" 2>&1 &
PORTAL_PID=$!
PIDS+=("$PORTAL_PID")
GATEWAY="http://127.0.0.1:$GW_PORT"
MANAGEMENT="http://127.0.0.1:$MGMT_PORT" # the gateway's management listener: /metrics
for _ in $(seq 1 1200); do
  [ "$(http_code "$GATEWAY/ready")" = 200 ] && break
  kill -0 "$PORTAL_PID" 2>/dev/null || die "the gateway exited during start-up"
  sleep 0.1
done
[ "$(http_code "$GATEWAY/ready")" = 200 ] || die "the gateway is not ready after 120 s"

# Plans and limits are always enforced; the benchmark account's plan has limits it never reaches, so every
# request goes through admission and settlement but none is refused.
# BENCH_LIMITS=off gives the plan no limits at all (admission then has nothing to count): compare the two runs to
# see what limits cost end to end.
if [ "${BENCH_LIMITS:-on}" = off ]; then
  BENCH_PLAN_LIMITS='{}'
else
  BENCH_PLAN_LIMITS='{"rpm": 1000000000, "tpm": 1000000000000, "short_window_requests": 1000000000, "short_window_seconds": 300,
    "weekly_requests": 1000000000000, "weekly_tokens": 1000000000000000, "max_concurrent": 1000000}'
fi
"${PSQL[@]}" >/dev/null <<SQL || die "cannot create the benchmark plan"
INSERT INTO plans (code, name, limits) VALUES ('bench', 'Benchmark (bench/run.sh)', '$BENCH_PLAN_LIMITS')
ON CONFLICT (code) DO UPDATE SET limits = EXCLUDED.limits;
SQL
API_KEY=$(env "${PORTAL_ENV[@]}" PORTAL_DATABASE_URL="$DB_URL" "$JAVA" -jar "$PORTAL_JAR" create-key \
  --email bench@example.com --plan bench 2>"$WORK/create-key.log" | tail -n 1) \
  || die "create-key failed: $(tail -n 5 "$WORK/create-key.log")"
[ -n "$API_KEY" ] || die "create-key printed no key"
log "gateway: $GATEWAY (pid $PORTAL_PID), management: $MANAGEMENT"

GW_BODY=$("$JAVA" -jar "$BENCH_JAR" body gateway)
DIRECT_BODY=$("$JAVA" -jar "$BENCH_JAR" body direct)
code=$(http_code -X POST "$GATEWAY/v1/chat/completions" -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' -d "$GW_BODY")
[ "$code" = 200 ] || die "gateway sanity request answered $code: $(cat "$WORK/last-body")"

# ---- nginx: the throughput baseline --------------------------------------------------------------------------------
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp/body;
  proxy_temp_path $WORK/nginx/tmp/proxy;
  fastcgi_temp_path $WORK/nginx/tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx/tmp/uwsgi;
  scgi_temp_path $WORK/nginx/tmp/scgi;
  keepalive_requests 1000000;
  upstream sims {
    server 127.0.0.1:${SIM_PORTS[0]};
    server 127.0.0.1:${SIM_PORTS[1]};
    keepalive 256;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / {
      proxy_pass http://sims;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" >"$WORK/nginx.log" 2>&1 &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
NGINX_URL="http://127.0.0.1:$NGINX_PORT"
for _ in $(seq 1 300); do
  (exec 3<>"/dev/tcp/127.0.0.1/$NGINX_PORT") 2>/dev/null && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$WORK/nginx/logs/error.log" >&2; die "nginx exited"; }
  sleep 0.1
done
code=$(http_code -X POST "$NGINX_URL/api/v3/completions/1" -H "Authorization: Bearer $ROUTER_KEY" -H 'Content-Type: application/json' -d "$DIRECT_BODY")
[ "$code" = 200 ] || die "nginx sanity request answered $code: $(cat "$WORK/last-body" 2>/dev/null) $(cat "$WORK/nginx/logs/error.log")"
log "nginx: $NGINX_URL"

if [ "$HOLD" = 1 ]; then
  cat >&2 <<EOF
[bench] holding; Ctrl-C (or kill $$) stops everything
  gateway:    $GATEWAY/v1/chat/completions   API key: $API_KEY   (pid $PORTAL_PID, metrics $MANAGEMENT/metrics)
  simulators: ${SIM_URLS[*]}   router key: $ROUTER_KEY   (POST /api/v3/completions/1, PUT /_sim/behavior)
  nginx:      $NGINX_URL (proxy_pass to the simulators)
  logs:       $WORK
EOF
  while true; do sleep 1; done
fi

# ---- machine ------------------------------------------------------------------------------------------------------
ticks() { # utime+stime clock ticks summed over pids
  local t=0 p v
  for p in "$@"; do
    v=$(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) && t=$((t + v))
  done
  echo "$t"
}
machine_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }
busy_pct() { # seconds -> % of all CPUs busy (everything: with our processes idle, that is other work)
  local b0 t0 b1 t1
  read -r b0 t0 < <(machine_jiffies); sleep "$1"; read -r b1 t1 < <(machine_jiffies)
  echo $(( (b1 - b0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1) ))
}
QUIET_WAIT=${BENCH_QUIET_WAIT:-60}
background=$(busy_pct 3)
waited=0
while [ "$background" -gt 25 ] && [ "$waited" -lt "$QUIET_WAIT" ]; do
  log "other work keeps the machine ${background}% busy; waiting for it to calm down (up to ${QUIET_WAIT} s, BENCH_QUIET_WAIT)"
  sleep 7; waited=$((waited + 10))
  background=$(busy_pct 3)
done
[ "$background" -gt 25 ] && log "WARNING: measuring while other work keeps the machine ${background}% busy; numbers will be noisy"

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain -- server router-sim 2>/dev/null)" ] && commit="$commit (+ uncommitted changes in server/router-sim)"
cat >"$RESULTS/machine.properties" <<EOF
date=$(date -u '+%Y-%m-%d %H:%M UTC')
nproc=$(nproc)
cpu=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
kernel=$(uname -sr)
jdk=$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.vm.vendor/ {v=$2} /java.runtime.version/ {r=$2} END {print r " (" v ")"}')
database=$DB_MODE
commit=$commit
jar_built=$(date -u -r "$PORTAL_JAR" '+%Y-%m-%d %H:%M UTC')
loadavg_before=$(cut -d' ' -f1-3 /proc/loadavg)
background_busy_pct=$background
gateway_heap=-Xmx$GW_HEAP${BENCH_SERVER_JAVA_OPTS:+ $BENCH_SERVER_JAVA_OPTS}
EOF
log "before measuring: other work keeps the machine ${background}% busy, load average $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"

BENCH=("$JAVA" -Xms256m -Xmx1g -jar "$BENCH_JAR")
SIM_PIDS="${PIDS[0]}+${PIDS[1]}"
CPU_GROUPS="gateway=$PORTAL_PID,simulators=$SIM_PIDS"
phase() { [[ ",$PHASES," == *",$1,"* ]]; }

# ---- 1. added latency, open loop -----------------------------------------------------------------------------------
if phase latency; then
  log "phase 1: added latency, open loop at $RATES req/s, $LAT_SECONDS s each (after ${WARMUP} s warm-up)"
  # a long warm-up: after 15 s at 2,000 req/s the gateway's C2 compiler still used half a CPU for the next 10 s
  "${BENCH[@]}" latency --gateway "$GATEWAY/v1/chat/completions" --gateway-key "$API_KEY" \
    --direct "$DIRECT_URLS" --direct-key "$ROUTER_KEY" --rates "$RATES" --seconds "$LAT_SECONDS" \
    --warmup "$WARMUP" --connections "$LAT_CONNECTIONS" --cpu "$CPU_GROUPS" --metrics "$MANAGEMENT/metrics" --out "$RESULTS/latency.properties" >&2
fi

# ---- 2. maximum throughput, closed loop ------------------------------------------------------------------------------
lua() { # file body bearer
  cat >"$1" <<EOF
wrk.method = "POST"
wrk.body = [[$2]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $3"
EOF
}
run_wrk() { # name seconds lua url [proxy pids...]: one slice; appends a line of raw numbers to $WORK/raw-<name>.txt
  local name=$1 seconds=$2 script=$3 url=$4; shift 4
  local out="$WORK/wrk-$name.txt" p0 s0 b0 t0 p1 s1 b1 t1 u0 u1 a0 a1
  read -r u0 a0 < <(gw_counters); p0=$(ticks "$@"); s0=$(ticks "${PIDS[0]}" "${PIDS[1]}"); read -r b0 t0 < <(machine_jiffies)
  wrk -t"$TP_THREADS" -c"$TP_CONNECTIONS" -d"$seconds"s --latency -s "$script" "$url" >"$out.slice" 2>&1 \
    || { cat "$out.slice" >&2; die "wrk $name failed"; }
  p1=$(ticks "$@"); s1=$(ticks "${PIDS[0]}" "${PIDS[1]}"); read -r b1 t1 < <(machine_jiffies); read -r u1 a1 < <(gw_counters)
  cat "$out.slice" >>"$out"; rm -f "$out.slice"
  # requests seconds p50_ms p99_ms errors proxy_ticks sim_ticks busy_jiffies total_jiffies spooled gateway_allocated
  # (the gateway's allocation less one /metrics scrape's own, SCRAPE_BYTES; meaningful for the gateway's slices only)
  tail -n 40 "$out" | awk -v p=$((p1 - p0)) -v sim=$((s1 - s0)) -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v u=$((u1 - u0)) \
      -v a=$((a1 - a0 - SCRAPE_BYTES)) '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    / requests in / { req = $1; secs = $4; sub(/s,?$/, "", secs) }
    /^ +50%/ { p50 = ms($2) }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx/ { err += $NF }
    /Socket errors/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    END { print req, secs, p50, p99, err + 0, p, sim, b, t, u, a }' >>"$WORK/raw-$name.txt"
}
wrk_props() { # name: totals over the slices (p50/p99: the median over slices)
  sort -k3,3n "$WORK/raw-$1.txt" | awk -v n="$1" '
    { req += $1; secs += $2; p50[NR] = $3; err += $5; p += $6; sim += $7; b += $8; t += $9; u += $10; a += $11 }
    END {
      printf "%s.rps=%.0f\n%s.errors=%d\n%s.slices=%d\n", n, req / secs, n, err, n, NR
      printf "%s.p50=%.2f ms\n", n, p50[int((NR + 1) / 2)]
      printf "%s.cpu.proxy_pct=%.0f\n%s.cpu.simulators_pct=%.0f\n", n, p / secs, n, sim / secs
      printf "%s.cpu.proxy_us_per_req=%.0f\n%s.cpu.simulators_us_per_req=%.0f\n", n, p * 10000 / req, n, sim * 10000 / req
      printf "%s.machine_busy_pct=%.0f\n%s.usage_spooled=%d\n", n, (t > 0 ? 100 * b / t : 0), n, u
      if (n == "gateway" && req > 0) printf "%s.alloc_bytes_per_req=%.0f\n", n, a / req
    }'
  sort -k4,4n "$WORK/raw-$1.txt" | awk -v n="$1" '{ p99[NR] = $4 } END { printf "%s.p99=%.2f ms\n", n, p99[int((NR + 1) / 2)] }'
}
wait_usage_drained() { # so that one run's metering backlog is not carried into the next
  for _ in $(seq 1 300); do
    [ "$(curl -s -m 5 "$MANAGEMENT/metrics" | awk '/^portal_usage_queue_depth/ { n += $NF } END { printf "%.0f", n }')" = 0 ] && return 0
    sleep 0.2
  done
  log "the gateway's usage queue did not drain in 60 s"
}
spooled() { # usage records the gateway has sent to its disk spool so far (the usage queue was full)
  curl -s -m 5 "$MANAGEMENT/metrics" | awk '/^portal_usage_records_spooled_total/ { n += $NF } END { printf "%.0f\n", n }'
}
gw_counters() { # one scrape: usage records spooled so far, bytes the gateway has allocated so far
  curl -s -m 10 "$MANAGEMENT/metrics" | awk '
    /^portal_usage_records_spooled_total/ { n += $NF }
    /^portal_jvm_allocated_bytes_total/ { a += $NF }
    END { printf "%.0f %.0f\n", n, a }'
}
scrape_bytes() { # what one /metrics scrape allocates in the gateway: the least of a few back-to-back pairs
  local best=-1 a0 a1 d
  for _ in 1 2 3; do
    read -r _ a0 < <(gw_counters); read -r _ a1 < <(gw_counters); d=$((a1 - a0))
    if [ "$best" -lt 0 ] || [ "$d" -lt "$best" ]; then best=$d; fi
  done
  echo "$best"
}
if phase throughput; then
  lua "$WORK/gateway.lua" "$GW_BODY" "$API_KEY"
  lua "$WORK/direct.lua" "$DIRECT_BODY" "$ROUTER_KEY"
  mapfile -t NGINX_PIDS < <(echo "$NGINX_PID"; ps -o pid= --ppid "$NGINX_PID" | tr -d ' ')
  SCRAPE_BYTES=$(scrape_bytes)
  log "phase 2: maximum throughput, wrk -t$TP_THREADS -c$TP_CONNECTIONS, $TP_SECONDS s each in $TP_SLICES alternating slices (gateway warm-up ${TP_WARMUP} s)"
  run_wrk gateway-warmup "$TP_WARMUP" "$WORK/gateway.lua" "$GATEWAY/v1/chat/completions" "$PORTAL_PID"
  wait_usage_drained
  run_wrk nginx-warmup 3 "$WORK/direct.lua" "$NGINX_URL/api/v3/completions/1" "${NGINX_PIDS[@]}"
  sleep 1
  if [ "$PROFILE" = 1 ]; then
    "$JAVA_BIN/jcmd" "$PORTAL_PID" JFR.start name=bench settings=profile filename="$RESULTS/gateway-throughput.jfr" >/dev/null
  fi
  # nginx and the gateway alternate, so a change in other load on the machine hits both
  for _ in $(seq 1 "$TP_SLICES"); do
    run_wrk nginx $((TP_SECONDS / TP_SLICES)) "$WORK/direct.lua" "$NGINX_URL/api/v3/completions/1" "${NGINX_PIDS[@]}"
    sleep 1
    run_wrk gateway $((TP_SECONDS / TP_SLICES)) "$WORK/gateway.lua" "$GATEWAY/v1/chat/completions" "$PORTAL_PID"
    wait_usage_drained
    sleep 1
  done
  if [ "$PROFILE" = 1 ]; then
    "$JAVA_BIN/jcmd" "$PORTAL_PID" JFR.stop name=bench >/dev/null
  fi
  {
    echo "threads=$TP_THREADS"; echo "connections=$TP_CONNECTIONS"; echo "seconds=$TP_SECONDS"; echo "slices=$TP_SLICES"
    echo "scrape_bytes=$SCRAPE_BYTES"
    wrk_props nginx; wrk_props gateway
  } >"$RESULTS/throughput.properties"
  cp "$WORK"/wrk-*.txt "$RESULTS/"
  sed 's/^/[bench] /' "$RESULTS/throughput.properties" >&2
  if [ "$PROFILE" = 1 ]; then
    "${BENCH[@]}" jfr-top --file "$RESULTS/gateway-throughput.jfr" --top 30 >"$RESULTS/profile-throughput.txt" 2>&1 || true
    log "profile of the gateway under wrk (full text in bench/target/bench-results/profile-throughput.txt):"
    head -n 60 "$RESULTS/profile-throughput.txt" >&2
  fi
fi

sim_behavior() { # ttft_ms tokens_per_s tokens: how both simulators answer from now on
  local url code
  for url in "${SIM_URLS[@]}"; do
    code=$(http_code -X PUT "$url/_sim/behavior" -H 'Content-Type: application/json' \
      -d "{\"ttftMillis\":$1,\"tokensPerSecond\":$2,\"completionTokens\":$3}")
    [ "$code" = 200 ] || die "cannot set the simulator behaviour at $url: $code $(cat "$WORK/last-body")"
  done
}

# ---- 3. streaming -------------------------------------------------------------------------------------------------
if phase streams; then
  log "phase 3: $STREAMS (then $STREAMS_LIGHT) concurrent streams (simulator TTFT $STREAM_TTFT_MS ms, $STREAM_TPS tokens/s, $STREAM_TOKENS tokens), $STREAM_SECONDS s each"
  sim_behavior "$STREAM_TTFT_MS" "$STREAM_TPS" "$STREAM_TOKENS"
  if [ "$PROFILE" = 1 ]; then
    "$JAVA_BIN/jcmd" "$PORTAL_PID" JFR.start name=bench-streams settings=profile >/dev/null
  fi
  "${BENCH[@]}" streams --gateway "$GATEWAY/v1/chat/completions" --gateway-key "$API_KEY" \
    --direct "$DIRECT_URLS" --direct-key "$ROUTER_KEY" --concurrency "$STREAMS,$STREAMS_LIGHT" --extra-seconds "$STREAM_EXTRA_SECONDS" --tokens "$STREAM_TOKENS" \
    --seconds "$STREAM_SECONDS" --warmup "$STREAM_WARMUP" --metrics "$MANAGEMENT/metrics" --pid "$PORTAL_PID" \
    --cpu "$CPU_GROUPS" --out "$RESULTS/streams.properties" >&2
  if [ "$PROFILE" = 1 ]; then
    "$JAVA_BIN/jcmd" "$PORTAL_PID" JFR.stop name=bench-streams filename="$RESULTS/gateway-streams.jfr" >/dev/null
    "${BENCH[@]}" jfr-top --file "$RESULTS/gateway-streams.jfr" --top 30 >"$RESULTS/profile-streams.txt" 2>&1 || true
    log "profile of the gateway while streaming (full text in bench/target/bench-results/profile-streams.txt):"
    head -n 60 "$RESULTS/profile-streams.txt" >&2
  fi
fi

# ---- 4. slow streams --------------------------------------------------------------------------------------------
open_files_limit() { awk '/^Max open files/ { print $4 }' "/proc/$1/limits"; } # soft limit of a process
open_files() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
if phase slowstreams; then
  # Each stream costs the gateway two descriptors (the client's connection and its own to a simulator), the load
  # generator one and a simulator one; every process keeps FD_HEADROOM spare for its own files, the database pool,
  # the usage writer, /metrics scrapes and reconnects. N is the most all of them allow, at most the number asked for.
  FD_HEADROOM=300
  gw_limit=$(open_files_limit "$PORTAL_PID"); gw_open=$(open_files "$PORTAL_PID")
  gen_limit=$(ulimit -Sn); gen_limit=${gen_limit/unlimited/1048576}
  sim_limit=$(open_files_limit "${PIDS[0]}"); sim_open=$(open_files "${PIDS[0]}")
  read -r port_lo port_hi < /proc/sys/net/ipv4/ip_local_port_range
  by_gw=$(((gw_limit - gw_open - FD_HEADROOM) / 2))
  by_gen=$((gen_limit - 100 - FD_HEADROOM))
  by_sims=$((2 * (sim_limit - sim_open - FD_HEADROOM)))
  by_ports=$((port_hi - port_lo + 1 - 1000))
  SLOW_N=$SLOW_REQUESTED SLOW_REASON="as asked"
  limit_by() { # name n why
    if [ "$2" -lt "$SLOW_N" ]; then SLOW_N=$2; SLOW_REASON="$3"; fi
  }
  limit_by gateway "$by_gw" "the gateway's open-files limit: $gw_limit per process (hard limit $(awk '/^Max open files/ { print $5 }' "/proc/$PORTAL_PID/limits"), cannot be raised here), $gw_open open before the phase, 2 per stream (client + simulator connection), $FD_HEADROOM spare"
  limit_by generator "$by_gen" "the load generator's open-files limit: $gen_limit, 1 per stream, $((100 + FD_HEADROOM)) spare"
  limit_by simulators "$by_sims" "the simulators' open-files limit: $sim_limit each, $sim_open open, half the streams each, $FD_HEADROOM spare"
  limit_by ports "$by_ports" "the ephemeral port range $port_lo-$port_hi (1,000 spare)"
  log "phase 4: slow streams: $SLOW_N of $SLOW_REQUESTED requested ($SLOW_REASON); simulator TTFT $SLOW_TTFT_MS ms, $SLOW_TPS tokens/s, $SLOW_TOKENS tokens; ramp $SLOW_RAMP s, settle $SLOW_SETTLE s, window $SLOW_SECONDS s"
  sim_behavior "$SLOW_TTFT_MS" "$SLOW_TPS" "$SLOW_TOKENS"
  if [ "${BENCH_SLOW_TARGET:-gateway}" = direct ]; then # diagnosis: the same streams straight to the simulators
    SLOW_TARGET=(--direct "$DIRECT_URLS" --direct-key "$ROUTER_KEY")
  else
    SLOW_TARGET=(--gateway "$GATEWAY/v1/chat/completions" --gateway-key "$API_KEY" --metrics "$MANAGEMENT/metrics" --pid "$PORTAL_PID")
  fi
  "${BENCH[@]}" slowstreams "${SLOW_TARGET[@]}" \
    --streams "$SLOW_N" --requested "$SLOW_REQUESTED" --limit-reason "$SLOW_REASON" --tps "$SLOW_TPS" \
    --tokens "$SLOW_TOKENS" --ramp "$SLOW_RAMP" --settle "$SLOW_SETTLE" --seconds "$SLOW_SECONDS" --after "$SLOW_AFTER" \
    --cpu "$CPU_GROUPS" --out "$RESULTS/slowstreams.properties" >&2
  echo "heap_limit=$GW_HEAP" >>"$RESULTS/slowstreams.properties"
  if ! kill -0 "$PORTAL_PID" 2>/dev/null; then die "the gateway exited during the slow-streams phase"; fi
  grep -c -E 'ERROR|OutOfMemoryError|Too many open files' "$WORK/portal.log" >/dev/null \
    && log "gateway log lines with ERROR/OutOfMemoryError/Too many open files: $(grep -c -E 'ERROR|OutOfMemoryError|Too many open files' "$WORK/portal.log")"
fi

# ---- 5. usage ledger ------------------------------------------------------------------------------------------------
# The real UsageLedger + UsageStore alone (bench/src/main/java/ai/cortensor/bench/LedgerBench.java) against a fresh
# database of its own, migrated by the server's code: saturated records/s, then an open loop at the gateway's
# throughput limit (BENCH_LEDGER_RATE, default 6000 records/s) counting records that overflow to the disk spool.
if phase ledger; then
  if [ "$QUICK" = 1 ]; then LEDGER_WARMUP=2 LEDGER_SECONDS=3; else LEDGER_WARMUP=5 LEDGER_SECONDS=10; fi
  if [ -n "$DB_NAME" ]; then
    LEDGER_DB="${DB_NAME}_ledger" # dropped by cleanup
    LEDGER_URL="jdbc:postgresql://127.0.0.1:5432/$LEDGER_DB?user=postgres"
  else
    LEDGER_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/portal_bench_ledger?user=postgres" # goes with the embedded data dir
  fi
  log "phase 5: usage ledger, saturated $LEDGER_SECONDS s (after ${LEDGER_WARMUP} s warm-up), then ${BENCH_LEDGER_RATE:-6000} records/s open loop"
  "$JAVA" -Xms256m -Xmx1g -cp "$BENCH_JAR:$PORTAL_JAR" ai.cortensor.bench.BenchMain ledger --database-url "$LEDGER_URL" \
    --seconds "$LEDGER_SECONDS" --warmup "$LEDGER_WARMUP" --rate "${BENCH_LEDGER_RATE:-6000}" --keys 100 \
    --out "$RESULTS/ledger.properties" 2>"$WORK/ledger.log" | grep -v '^{"@timestamp' >&2 \
    || die "the ledger benchmark failed (log: bench/target/bench-logs/ledger.log)"
  if [ -n "${LEDGER_DB:-}" ]; then
    psql -h 127.0.0.1 -p 5432 -U postgres -qAt -c "DROP DATABASE IF EXISTS $LEDGER_DB WITH (FORCE)" >/dev/null
  fi
fi

# ---- report ---------------------------------------------------------------------------------------------------------
# metering must have kept up: every request leaves a usage record, written to PostgreSQL or spooled to disk
curl -s -m 10 "$MANAGEMENT/metrics" | awk '
  /^portal_usage_records_written/ { printf "written=%.0f\n", $NF }
  /^portal_usage_records_spooled/ { printf "spooled=%.0f\n", $NF }
  /^portal_usage_write_failures/ { printf "write_failures=%.0f\n", $NF }
  /^portal_usage_queue_depth/ { printf "queue_depth=%.0f\n", $NF }' >"$RESULTS/usage.properties" || true
sed 's/^/[bench] usage records: /' "$RESULTS/usage.properties" >&2
echo "loadavg_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RESULTS/machine.properties"
mkdir -p bench/target
rm -rf bench/target/bench-results
cp -r "$RESULTS" bench/target/bench-results
if [ "$WRITE_DOC" = 1 ]; then
  "${BENCH[@]}" report --results "$RESULTS" --doc docs/benchmarks.md
  log "results written to docs/benchmarks.md (raw files in bench/target/bench-results)"
else
  "${BENCH[@]}" report --results "$RESULTS" --doc "$WORK/benchmarks.md"
  log "docs/benchmarks.md not touched (raw files in bench/target/bench-results)"
fi
