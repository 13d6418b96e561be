#!/usr/bin/env bash
# Restart time after kill -9: a durable gateway on its own PostgreSQL takes deliveries, is killed with SIGKILL,
# and is started again on the same ports (as Kubernetes restarts a container). Prints, per round, the seconds from
# the new process's start to /health/live and to /health/ready, and keeps its log (with timestamps) to show where
# the time went.   bench/restart.sh [rounds, 3]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}; PG_PORT=${BENCH_PG_PORT:-55434}
GATEWAY_DLL=${GATEWAY_DLL:-src/Gateway/bin/Release/net10.0/Listo.Orleans.Gateway.dll}
out=bench/results/restart-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true; scripts/postgres.sh stop .data/bench-pg >/dev/null 2>&1 || true; }
trap cleanup EXIT

for p in bench/LoadGen src/Gateway src/Silo; do dotnet build "$p" -c Release --nologo -v quiet >>"$out/build.log" 2>&1; done
server=$(scripts/postgres.sh start .data/bench-pg "$PG_PORT")
psql "host=127.0.0.1 port=$PG_PORT user=listo dbname=postgres" -qAtc "DROP DATABASE IF EXISTS restart_listo" >/dev/null
psql "host=127.0.0.1 port=$PG_PORT user=listo dbname=postgres" -qAtc "CREATE DATABASE restart_listo" >/dev/null
secret="whsec_$(head -c 32 /dev/urandom | base64)"
env_vars=(DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__Listo="${server/Database=listo/Database=restart_listo}"
  Orleans__ClusterId=restart Orleans__ServiceId=restart Orleans__SiloPort=11511 Orleans__GatewayPort=30511
  Webhooks__Secrets__0="$secret" QueryApi__Keys__0=restart-key-0123456789 Gateway__IngressUrl=http://127.0.0.1:7280 Gateway__InternalUrl=http://127.0.0.1:7281
  Logging__Console__TimestampFormat="HH:mm:ss.fff " Logging__LogLevel__Default=Information Logging__LogLevel__Microsoft.AspNetCore=Warning)
env "${env_vars[@]}" dotnet src/Silo/bin/Release/net10.0/Listo.Orleans.Silo.dll migrate >/dev/null

seconds_until() { # url start_ns
  while ! curl -fs -o /dev/null "$1"; do kill -0 "$pid" 2>/dev/null || { echo "exited" >&2; return 1; }; sleep 0.05; done
  echo "scale=2; ($(date +%s%N) - $2) / 1000000000" | bc; }

start() { # round
  local t0; t0=$(date +%s%N)
  env "${env_vars[@]}" dotnet "$GATEWAY_DLL" >"$out/round-$1.log" 2>&1 &
  pid=$!
  live=$(seconds_until http://127.0.0.1:7281/health/live "$t0"); ready=$(seconds_until http://127.0.0.1:7281/health/ready "$t0")
  first=$(python3 -c "import json,sys,datetime
t=json.loads(open('$out/round-$1.log').readline())['Timestamp']
print(round(datetime.datetime.fromisoformat(t.replace('Z','+00:00')).timestamp()-$t0/1e9,2))" 2>/dev/null || echo '?')
  echo "round $1: first log line after ${first} s, live after ${live} s, ready after ${ready} s" | tee -a "$out/summary.txt"
}

start 0
for round in $(seq 1 "$ROUNDS"); do
  # Signed traffic, so the killed silo held activations, storage connections and a membership row.
  dotnet bench/LoadGen/bin/Release/net10.0/listo-loadgen.dll --name "restart-$round" --ingress http://127.0.0.1:7280 --reads http://127.0.0.1:7281 \
    --secret "$secret" --key restart-key-0123456789 --people 300 --versions 1 --no-check --read-count 0 --tag "r$round$RANDOM" >/dev/null 2>&1 || true
  kill -9 "$pid"; wait "$pid" 2>/dev/null || true
  start "$round"
done
echo "logs: $out" >&2
