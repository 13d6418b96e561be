#!/usr/bin/env bash
# Reconcile at scale: WORKERS workers (each with a person of its own) known to one durable gateway under the shipped
# pod's heap limit, then `listo-admin reconcile` of all of them against a fake Listo on loopback at RATE requests/s.
# Every DRIFT-th worker changed at the fake without a delivery, so the reconcile applies changes too. While it runs,
# the gateway's RSS, GC heap and activations are sampled every 5 s; the run prints their peaks, the reconcile's rate
# against its limit, and the activations once it has been idle for IDLE seconds (what it touched is collected).
#   bench/reconcile-scale.sh                         200,000 workers at 1,000 requests/s
#   WORKERS=50000 RATE=500 bench/reconcile-scale.sh
# Writes bench/results/reconcile-<UTC time>/.
set -euo pipefail
cd "$(dirname "$0")/.."

WORKERS=${WORKERS:-200000}; CLIENTS=${CLIENTS:-50}; RATE=${RATE:-1000}; DRIFT=${DRIFT:-10}; IDLE=${IDLE:-120}
PG_PORT=${BENCH_PG_PORT:-55434}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/reconcile-$stamp
mkdir -p "$out"
. bench/common.sh

limit=$(python3 -c "
import re
m = re.search(r'limits:\s*\n\s*memory:\s*(\d+)(Mi|Gi)', open('deploy/k8s/base/gateway.yaml').read())
print(int(m.group(1)) * (1024 if m.group(2) == 'Gi' else 1) * 1048576)")
heap=$((limit * 3 / 4))
echo "pod limits.memory: $((limit / 1048576)) MiB; DOTNET_GCHeapHardLimit: $((heap / 1048576)) MiB" | tee "$out/limits.txt" >&2

echo "building (Release)..." >&2
build src/Gateway src/Silo tools/ListoAdmin tools/FakeListo
bin() { echo "$1/bin/Release/net10.0/$2.dll"; }
echo "listo: $(git log -1 --format='%h %s' | cut -c1-100)" | tee "$out/build.txt" >&2

server=$(scripts/postgres.sh start .data/bench-pg "$PG_PORT")
psql_admin() { psql "host=127.0.0.1 port=$PG_PORT user=listo dbname=postgres" -qAtc "$1"; }
psql_admin "DROP DATABASE IF EXISTS bench_reconcile" >/dev/null; psql_admin "CREATE DATABASE bench_reconcile" >/dev/null
api_key="bench-listo-key-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cluster_env=(DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
  ConnectionStrings__Listo="${server/Database=listo/Database=bench_reconcile}"
  Orleans__ClusterId=reconcile Orleans__ServiceId=reconcile Logging__LogLevel__Default=Warning
  Listo__ApiBaseUrl=http://127.0.0.1:6190 Listo__ApiKey="$api_key" Listo__RequestsPerSecond="$RATE")
env "${cluster_env[@]}" dotnet "$(bin src/Silo Listo.Orleans.Silo)" migrate >/dev/null
env "${cluster_env[@]}" DOTNET_GCHeapHardLimit="$(printf '0x%x' "$heap")" Orleans__SiloPort=11413 Orleans__GatewayPort=30413 \
  Webhooks__Secrets__0="$secret" QueryApi__Keys__0="$key" Gateway__IngressUrl=http://127.0.0.1:7184 Gateway__InternalUrl=http://127.0.0.1:7185 \
  dotnet "$(bin src/Gateway Listo.Orleans.Gateway)" >"$out/gateway.log" 2>&1 &
gw=$!; pids+=($gw)
for _ in $(seq 1 480); do curl -fs -o /dev/null http://127.0.0.1:7185/health/ready && break; sleep 0.25; done

# The gateway's memory and activations every 5 s, to a file, for the whole run.
sample() {
  while kill -0 "$gw" 2>/dev/null; do
    python3 - "$gw" <<'EOF' >> "$out/samples.jsonl" || true
import sys, re, json, time, urllib.request
pid = sys.argv[1]
status = open(f"/proc/{pid}/status").read()
kb = lambda k: int(re.search(rf"{k}:\s+(\d+)", status).group(1)) * 1024
m = urllib.request.urlopen("http://127.0.0.1:7185/metrics", timeout=10).read().decode()
total = lambda name: sum(float(x.group(1)) for x in re.finditer(rf"^{name}(?:{{[^}}]*}})? (\S+)$", m, re.M))
print(json.dumps({"t": time.time(), "rss": kb("VmRSS"), "heap": total("dotnet_gc_last_collection_heap_size_bytes"),
                  "activations": total("orleans_catalog_activations"), "pressure": total("listo_memory_pressure")}))
EOF
    sleep 5
  done
}
sample & pids+=($!)

# The fake Listo: seeds the population, delivers it once (the bulk import), drifts every DRIFT-th worker, then serves.
dotnet "$(bin tools/FakeListo fake-listo)" --port 6190 --api-key "$api_key" --clients "$CLIENTS" --workers "$WORKERS" \
  --deliver http://127.0.0.1:7184/webhooks/listo --secret "$secret" --drift-every "$DRIFT" >"$out/fake-listo.log" 2>&1 &
fake=$!; pids+=($fake)
for _ in $(seq 1 7200); do grep -q "faults" "$out/fake-listo.log" 2>/dev/null && break; kill -0 "$fake" || { cat "$out/fake-listo.log" >&2; exit 1; }; sleep 0.5; done
grep "delivered" "$out/fake-listo.log" | tee -a "$out/table.txt" >&2
echo "reconcile_start $(date +%s.%N)" > "$out/marks.txt"

started=$(date +%s.%N)
( cd "$out" && env "${cluster_env[@]}" dotnet "$OLDPWD/$(bin tools/ListoAdmin listo-admin)" reconcile --parallel 64 ) > "$out/reconcile.txt" 2>"$out/reconcile.err" || true
ended=$(date +%s.%N)
echo "reconcile_end $ended" >> "$out/marks.txt"
cat "$out/reconcile.txt" | tee -a "$out/table.txt" >&2
sleep "$IDLE"

python3 - "$out" "$started" "$ended" "$limit" "$IDLE" <<'EOF' | tee -a "$out/table.txt"
import json, sys
out, start, end, limit, idle = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
s = [json.loads(l) for l in open(f"{out}/samples.jsonl")]
during = [x for x in s if start <= x["t"] <= end] or s
mib = lambda b: b / 1048576
print(f"during reconcile ({end - start:.0f} s): peak RSS {mib(max(x['rss'] for x in during)):.0f} MiB of the pod's {mib(limit):.0f} MiB limit, "
      f"peak GC heap {mib(max(x['heap'] for x in during)):.0f} MiB, peak activations {max(x['activations'] for x in during):,.0f}, "
      f"samples under memory pressure {sum(1 for x in during if x['pressure'])} of {len(during)}")
last = s[-1]
print(f"after {idle} s idle: RSS {mib(last['rss']):.0f} MiB, GC heap {mib(last['heap']):.0f} MiB, activations {last['activations']:,.0f}")
EOF
