#!/usr/bin/env bash
# Listo.Orleans against the hand-written baseline: same machine, same PostgreSQL, same streams, one run.
#   bench/run.sh                       both streams (steady, onboarding), about 12 minutes on 2 cores
#   STREAMS=steady bench/run.sh        one stream
#   LISTO_ROOT=/path/to/other/checkout bench/run.sh   measure another build of Listo (e.g. main before a change)
#                                      against this checkout's baseline and load generator
# For each stream: the load generator against a bare endpoint (its own ceiling), the baseline, Listo durable at
# full speed and open loop at half its peak, Listo embedded. Each measured phase runs at least BENCH_SECONDS (30)
# after a warm-up, and prints what a delivery cost: server CPU, PostgreSQL CPU, commits, WAL bytes, bytes
# allocated, GC pause, storage flush size, and machine time per delivery (server + PostgreSQL CPU) with each
# system's efficiency against the baseline's. Writes bench/results/<UTC time>/ and bench/results/latest.json.
set -euo pipefail
cd "$(dirname "$0")/.."

STREAMS=${STREAMS:-steady onboarding}; CONCURRENCY=${CONCURRENCY:-64}; READS=${READS:-20000}
SECONDS_MIN=${BENCH_SECONDS:-30}; PG_PORT=${BENCH_PG_PORT:-55434}; LISTO_ROOT=${LISTO_ROOT:-.}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/$stamp
mkdir -p "$out"
. bench/common.sh

echo "building (Release)..." >&2
build bench/Baseline bench/LoadGen "$LISTO_ROOT/src/Gateway" "$LISTO_ROOT/src/Silo"
bin() { echo "$1/bin/Release/net10.0/$2.dll"; }
echo "listo: $(git -C "$LISTO_ROOT" log -1 --format='%h %s' | cut -c1-100)" | tee "$out/build.txt" >&2

# pg_stat_statements, so a phase whose PostgreSQL CPU is out of line can be explained by its statements (below).
server=$(PG_EXTRA_OPTS="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=top" scripts/postgres.sh start .data/bench-pg "$PG_PORT")
psql_admin() { psql "host=127.0.0.1 port=$PG_PORT user=listo dbname=postgres" -qAtc "$1"; }
fresh_db() { psql_admin "DROP DATABASE IF EXISTS $1" >/dev/null; psql_admin "CREATE DATABASE $1" >/dev/null
  psql "host=127.0.0.1 port=$PG_PORT user=listo dbname=$1" -qAtc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null 2>&1 || true; }
statements() { # db file: the statements that cost PostgreSQL the most since the database was created
  psql "host=127.0.0.1 port=$PG_PORT user=listo dbname=$1" -qAtF $'\t' -c "SELECT calls, round(total_exec_time::numeric), rows, shared_blks_hit,
    left(regexp_replace(query, '\s+', ' ', 'g'), 160) FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = '$1')
    ORDER BY total_exec_time DESC LIMIT 8" > "$2" 2>/dev/null || true; }
pool="Maximum Pool Size=${POOL:-64}"

wait_http() { # url pid [any: any HTTP answer will do, e.g. a 401]
  local fail=-f; [ "${3:-}" = any ] && fail=
  for _ in $(seq 1 240); do curl $fail -s -o /dev/null "$1" 2>/dev/null && return 0; kill -0 "$2" 2>/dev/null || { echo "process exited" >&2; return 1; }; sleep 0.25; done
  echo "not ready: $1" >&2; return 1
}

# phase NAME INGRESS READS DB(or -) METRICS(or -) PID [extra loadgen args]: warm-up, then a measured run sized to last
# at least SECONDS_MIN (sized at three times the warm-up's rate, which is well below the warm peak), with cost snapshots around its ingest.
phase() {
  local name=$1 ingress=$2 reads=$3 db=$4 metrics=$5 pid=$6; shift 6
  local warm=1500 loadgen=(env DOTNET_TieredCompilation=0 dotnet "$(bin bench/LoadGen listo-loadgen)")
  "${loadgen[@]}" --name "$name-warmup" --ingress "$ingress" --reads "$reads" --secret "$secret" --key "$key" $(stream_args "$stream") \
    --people "$warm" --concurrency "$CONCURRENCY" --read-count 0 --tag "w$name$RANDOM" --no-check --output "$out/$name-warmup.json" >/dev/null 2>&1 || true
  local people=${PEOPLE:-}
  [ -n "$people" ] || people=$(python3 -c "
import json,math; w=json.load(open('$out/$name-warmup.json')); rate=float('${RATE:-0}') or w['deliveriesPerSecond']
print(max($warm, math.ceil($SECONDS_MIN*3.0*rate/(w['deliveries']/$warm))))")
  local hook="bench/cost-hook.sh $out/$name $pid $PG_PORT $db $metrics"
  "${loadgen[@]}" --name "$name" --ingress "$ingress" --reads "$reads" --secret "$secret" --key "$key" $(stream_args "$stream") \
    --people "$people" --concurrency "$CONCURRENCY" --tag "m$name$RANDOM" --output "$out/$name.json" --hook "$hook" "$@"
  python3 bench/costs.py diff "$out/$name.cost-start.json" "$out/$name.cost-end.json" \
    "$(python3 -c "import json;print(json.load(open('$out/$name.json'))['deliveries'])")" > "$out/$name.costs.json"
}

for stream in $STREAMS; do
  echo "=== stream: $stream ===" >&2
  # 0. The load generator's own ceiling: a bare endpoint that answers at once (a fixed stream of a few seconds).
  Baseline__Bare=true Baseline__Url=http://127.0.0.1:6090 dotnet "$(bin bench/Baseline listo-baseline)" >"$out/$stream-bare.log" 2>&1 &
  pids+=($!); wait_http http://127.0.0.1:6090/ "${pids[-1]}" any
  PEOPLE=6000 RATE=0 phase "$stream-bare" http://127.0.0.1:6090 http://127.0.0.1:6090 postgres - "${pids[-1]}" --no-check --read-count 0
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

  # 1. The hand-written baseline.
  fresh_db bench_baseline
  ConnectionStrings__Baseline="${server/Database=listo/Database=bench_baseline};$pool;Max Auto Prepare=16" Webhooks__Secrets__0="$secret" QueryApi__Keys__0="$key" \
    Baseline__Url=http://127.0.0.1:6080 dotnet "$(bin bench/Baseline listo-baseline)" >"$out/$stream-baseline.log" 2>&1 &
  pids+=($!); wait_http http://127.0.0.1:6080/v1/clients/x/workers/y "${pids[-1]}" any
  phase "$stream-baseline" http://127.0.0.1:6080 http://127.0.0.1:6080 bench_baseline - "${pids[-1]}" --read-count "$READS"
  statements bench_baseline "$out/$stream-baseline.statements.tsv"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

  # 2. Listo durable: one gateway silo on the same PostgreSQL, then open loop at half its peak.
  fresh_db bench_listo
  listo_env=(DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
    ConnectionStrings__Listo="${server/Database=listo/Database=bench_listo};$pool"
    Orleans__ClusterId=bench Orleans__ServiceId=bench Orleans__SiloPort=11311 Orleans__GatewayPort=30311
    Webhooks__Secrets__0="$secret" QueryApi__Keys__0="$key" Logging__LogLevel__Default=Warning)
  env "${listo_env[@]}" dotnet "$(bin "$LISTO_ROOT/src/Silo" Listo.Orleans.Silo)" migrate >/dev/null
  env "${listo_env[@]}" Gateway__IngressUrl=http://127.0.0.1:7080 Gateway__InternalUrl=http://127.0.0.1:7081 \
    dotnet "$(bin "$LISTO_ROOT/src/Gateway" Listo.Orleans.Gateway)" >"$out/$stream-listo-durable.log" 2>&1 &
  pids+=($!); wait_http http://127.0.0.1:7081/health/ready "${pids[-1]}"
  phase "$stream-listo-durable" http://127.0.0.1:7080 http://127.0.0.1:7081 bench_listo http://127.0.0.1:7081/metrics "${pids[-1]}" --read-count "$READS"
  statements bench_listo "$out/$stream-listo-durable.statements.tsv"
  half=$(python3 -c "import json;print(round(json.load(open('$out/$stream-listo-durable.json'))['deliveriesPerSecond']/2))")
  RATE=$half phase "$stream-listo-durable-half-rate" http://127.0.0.1:7080 http://127.0.0.1:7081 bench_listo http://127.0.0.1:7081/metrics "${pids[-1]}" --rate "$half" --read-count 0
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

  # 3. Listo embedded (in-memory grain state).
  env DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development Orleans__SiloPort=11312 Orleans__GatewayPort=30312 \
    Webhooks__Secrets__0="$secret" QueryApi__Keys__0="$key" Logging__LogLevel__Default=Warning \
    Gateway__IngressUrl=http://127.0.0.1:8080 Gateway__InternalUrl=http://127.0.0.1:8081 \
    dotnet "$(bin "$LISTO_ROOT/src/Gateway" Listo.Orleans.Gateway)" >"$out/$stream-listo-embedded.log" 2>&1 &
  pids+=($!); wait_http http://127.0.0.1:8081/health/ready "${pids[-1]}"
  phase "$stream-listo-embedded" http://127.0.0.1:8080 http://127.0.0.1:8081 postgres http://127.0.0.1:8081/metrics "${pids[-1]}" --read-count "$READS"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
done

python3 bench/report.py "$out" $STREAMS | tee "$out/table.txt"
cp "$out/summary.json" bench/results/latest.json
