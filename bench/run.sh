#!/usr/bin/env bash
# Listo.Orleans against the hand-written baseline, same machine, same PostgreSQL, same workload.
#   bench/run.sh                 full run (about 3 minutes on 2 cores)
#   PEOPLE=500 bench/run.sh      a quicker, smaller run
# Prints one table and writes bench/results/<UTC time>/*.json and bench/results/latest.json.
set -euo pipefail
cd "$(dirname "$0")/.."

PEOPLE=${PEOPLE:-3000}; CLIENTS=${CLIENTS:-20}; VERSIONS=${VERSIONS:-3}
CONCURRENCY=${CONCURRENCY:-64}; READS=${READS:-20000}; PG_PORT=${BENCH_PG_PORT:-55434}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/$stamp
mkdir -p "$out"
secret="whsec_$(head -c 32 /dev/urandom | base64)"
key="bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; scripts/postgres.sh stop .data/bench-pg >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "building (Release)..." >&2
dotnet build Listo.Orleans.sln -c Release --nologo -v quiet >/dev/null
bin() { echo "$1/bin/Release/net10.0/$2.dll"; }

server=$(scripts/postgres.sh start .data/bench-pg "$PG_PORT")
psql_admin() { psql "host=127.0.0.1 port=$PG_PORT user=listo dbname=postgres" -qAtc "$1"; }
for db in bench_baseline bench_listo bench_listo_nojournal; do psql_admin "DROP DATABASE IF EXISTS $db" ; psql_admin "CREATE DATABASE $db"; done
pool="Maximum Pool Size=${POOL:-64}"
# The baseline prepares its statements as a competent hand-written service would; Listo runs with its product
# default (ListoDatabase.Normalize adds Max Auto Prepare unless the connection string sets it).
baseline_pool="$pool;Max Auto Prepare=16"
WARMUP_PEOPLE=${WARMUP_PEOPLE:-1500}

wait_http() { # url pid [any: any HTTP answer will do, e.g. a 401]
  local fail=-f; [ "${3:-}" = any ] && fail=
  for _ in $(seq 1 240); do curl $fail -s -o /dev/null "$1" 2>/dev/null && return 0; kill -0 "$2" 2>/dev/null || { echo "process exited" >&2; return 1; }; sleep 0.25; done
  echo "not ready: $1" >&2; return 1
}

loadgen() { # name ingress reads [extra args]
  local name=$1 ingress=$2 reads=$3; shift 3
  # Warm-up on its own ids, long enough that the server's tiered JIT has settled (perf showed the JIT thread
  # busy in the measured window after a 300-person warm-up), then the measured run. The load generator itself
  # is compiled fully up front (no tiering), so its own JIT does not compete with the server under test.
  DOTNET_TieredCompilation=0 dotnet "$(bin bench/LoadGen listo-loadgen)" --name "$name-warmup" --ingress "$ingress" --reads "$reads" --secret "$secret" --key "$key" \
    --people "$WARMUP_PEOPLE" --clients "$CLIENTS" --concurrency "$CONCURRENCY" --read-count 3000 --tag "w$name" --no-check >/dev/null 2>&1 || true
  DOTNET_TieredCompilation=0 dotnet "$(bin bench/LoadGen listo-loadgen)" --name "$name" --ingress "$ingress" --reads "$reads" --secret "$secret" --key "$key" \
    --people "$PEOPLE" --clients "$CLIENTS" --versions "$VERSIONS" --concurrency "$CONCURRENCY" --read-count "$READS" \
    --tag "m$name" --output "$out/$name.json" "$@"
}

# 1. The hand-written baseline.
ConnectionStrings__Baseline="${server/Database=listo/Database=bench_baseline};$baseline_pool" Webhooks__Secrets__0="$secret" QueryApi__Keys__0="$key" \
  Baseline__Url=http://127.0.0.1:6080 dotnet "$(bin bench/Baseline listo-baseline)" >"$out/baseline.log" 2>&1 &
pids+=($!); wait_http http://127.0.0.1:6080/v1/clients/x/workers/y "${pids[-1]}" any
loadgen baseline http://127.0.0.1:6080 http://127.0.0.1:6080
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

# 2. Listo.Orleans, durable: one gateway silo on the same PostgreSQL.
listo_env=(DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
  ConnectionStrings__Listo="${server/Database=listo/Database=bench_listo};$pool"
  Orleans__ClusterId=bench Orleans__ServiceId=bench Orleans__SiloPort=11311 Orleans__GatewayPort=30311
  Webhooks__Secrets__0="$secret" QueryApi__Keys__0="$key" Logging__LogLevel__Default=Warning)
env "${listo_env[@]}" dotnet "$(bin src/Silo Listo.Orleans.Silo)" migrate >/dev/null
env "${listo_env[@]}" Gateway__IngressUrl=http://127.0.0.1:7080 Gateway__InternalUrl=http://127.0.0.1:7081 \
  dotnet "$(bin src/Gateway Listo.Orleans.Gateway)" >"$out/listo-durable.log" 2>&1 &
pids+=($!); wait_http http://127.0.0.1:7081/health/ready "${pids[-1]}"
loadgen listo-durable http://127.0.0.1:7080 http://127.0.0.1:7081
peak=$(python3 -c "import json;print(round(json.load(open('$out/listo-durable.json'))['deliveriesPerSecond']/2))")
loadgen listo-durable-half-rate http://127.0.0.1:7080 http://127.0.0.1:7081 --rate "$peak" --read-count 0
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

# 2b. The same, with the delivery journal off (Journal:Enabled=false), on its own database: the journal's cost.
nojournal_env=("${listo_env[@]/Database=bench_listo;/Database=bench_listo_nojournal;}")
env "${nojournal_env[@]}" dotnet "$(bin src/Silo Listo.Orleans.Silo)" migrate >/dev/null
env "${nojournal_env[@]}" Journal__Enabled=false Orleans__SiloPort=11411 Orleans__GatewayPort=30411 \
  Gateway__IngressUrl=http://127.0.0.1:7180 Gateway__InternalUrl=http://127.0.0.1:7181 \
  dotnet "$(bin src/Gateway Listo.Orleans.Gateway)" >"$out/listo-durable-no-journal.log" 2>&1 &
pids+=($!); wait_http http://127.0.0.1:7181/health/ready "${pids[-1]}"
loadgen listo-durable-no-journal http://127.0.0.1:7180 http://127.0.0.1:7181
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

# 3. Listo.Orleans, embedded (in-memory grain state).
env DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development Orleans__SiloPort=11312 Orleans__GatewayPort=30312 \
  Webhooks__Secrets__0="$secret" QueryApi__Keys__0="$key" Logging__LogLevel__Default=Warning \
  Gateway__IngressUrl=http://127.0.0.1:8080 Gateway__InternalUrl=http://127.0.0.1:8081 \
  dotnet "$(bin src/Gateway Listo.Orleans.Gateway)" >"$out/listo-embedded.log" 2>&1 &
pids+=($!); wait_http http://127.0.0.1:8081/health/ready "${pids[-1]}"
loadgen listo-embedded http://127.0.0.1:8080 http://127.0.0.1:8081
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true

python3 bench/report.py "$out" | tee "$out/table.txt"
cp "$out/summary.json" bench/results/latest.json
