#!/usr/bin/env bash
# The delivery journal's cost: Listo.Orleans durable with the journal on and off (Journal:Enabled=false), in
# alternating rounds on fresh databases, so drift of the machine over the run falls on both alike.
#   bench/journal.sh                 3 rounds of each (about 6 minutes on 2 cores)
#   ROUNDS=1 PEOPLE=1000 bench/journal.sh
# Prints each round and the medians; writes bench/results/<UTC time>-journal/*.json.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-3}; PEOPLE=${PEOPLE:-3000}; CLIENTS=${CLIENTS:-20}; VERSIONS=${VERSIONS:-3}
CONCURRENCY=${CONCURRENCY:-64}; PG_PORT=${BENCH_PG_PORT:-55434}; WARMUP_PEOPLE=${WARMUP_PEOPLE:-1500}
out=bench/results/$(date -u +%Y%m%dT%H%M%SZ)-journal
mkdir -p "$out"
secret="whsec_$(head -c 32 /dev/urandom | base64)"
key="bench_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
gateway=
cleanup() { [ -n "$gateway" ] && kill "$gateway" 2>/dev/null; wait 2>/dev/null || true; scripts/postgres.sh stop .data/bench-pg >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "building (Release)..." >&2
dotnet build Listo.Orleans.sln -c Release --nologo -v quiet >/dev/null
server=$(scripts/postgres.sh start .data/bench-pg "$PG_PORT")
psql_admin() { psql "host=127.0.0.1 port=$PG_PORT user=listo dbname=postgres" -qAtc "$1"; }

run() { # name journal(true|false)
  local name=$1 journal=$2 db
  db="bench_${name//-/_}"
  psql_admin "DROP DATABASE IF EXISTS $db" 2>/dev/null; psql_admin "CREATE DATABASE $db"
  local env=(DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning
    ConnectionStrings__Listo="${server/Database=listo/Database=$db};Maximum Pool Size=64"
    Orleans__ClusterId=journal Orleans__ServiceId=journal Orleans__SiloPort=11711 Orleans__GatewayPort=30711
    Webhooks__Secrets__0="$secret" QueryApi__Keys__0="$key" Journal__Enabled="$journal"
    Gateway__IngressUrl=http://127.0.0.1:7780 Gateway__InternalUrl=http://127.0.0.1:7781)
  env "${env[@]}" dotnet src/Silo/bin/Release/net10.0/Listo.Orleans.Silo.dll migrate >/dev/null
  env "${env[@]}" dotnet src/Gateway/bin/Release/net10.0/Listo.Orleans.Gateway.dll >"$out/$name.log" 2>&1 &
  gateway=$!
  for _ in $(seq 1 240); do curl -fs -o /dev/null http://127.0.0.1:7781/health/ready && break; sleep 0.25; done
  local lg=(dotnet bench/LoadGen/bin/Release/net10.0/listo-loadgen.dll --ingress http://127.0.0.1:7780 --reads http://127.0.0.1:7781
    --secret "$secret" --key "$key" --clients "$CLIENTS" --concurrency "$CONCURRENCY" --read-count 0)
  DOTNET_TieredCompilation=0 "${lg[@]}" --name "$name-warmup" --people "$WARMUP_PEOPLE" --tag "w$name" --no-check >/dev/null 2>&1 || true
  DOTNET_TieredCompilation=0 "${lg[@]}" --name "$name" --people "$PEOPLE" --versions "$VERSIONS" --tag "m$name" --output "$out/$name.json" | tail -1
  kill "$gateway"; wait "$gateway" 2>/dev/null || true; gateway=
}

for round in $(seq 1 "$ROUNDS"); do
  run "journal-on-$round" true
  run "journal-off-$round" false
done

python3 - "$out" <<'EOF'
import json, glob, os, statistics, sys
out = sys.argv[1]
runs = {os.path.basename(p)[:-5]: json.load(open(p)) for p in glob.glob(os.path.join(out, "journal-*.json"))}
on = sorted(r["deliveriesPerSecond"] for n, r in runs.items() if n.startswith("journal-on"))
off = sorted(r["deliveriesPerSecond"] for n, r in runs.items() if n.startswith("journal-off"))
p99 = lambda prefix: statistics.median(r["ackLatencyMs"]["p99"] for n, r in runs.items() if n.startswith(prefix))
m_on, m_off = statistics.median(on), statistics.median(off)
print(f"journal on : {', '.join(f'{x:.0f}' for x in on)} deliveries/s (median {m_on:.0f}, p99 ack median {p99('journal-on'):.1f} ms)")
print(f"journal off: {', '.join(f'{x:.0f}' for x in off)} deliveries/s (median {m_off:.0f}, p99 ack median {p99('journal-off'):.1f} ms)")
print(f"journal cost: {m_off - m_on:.0f} deliveries/s ({(m_on / m_off - 1):+.1%} of throughput, medians)")
ok = all(r["mismatches"] == 0 and r["errors"] == 0 for r in runs.values())
sys.exit(0 if ok else 1)
EOF
