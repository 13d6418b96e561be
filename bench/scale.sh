#!/usr/bin/env bash
# The scale run: N first-time workers (each with a person of its own) through ONE durable gateway, in chunks, each
# chunk sent once at full speed by a lean driver, under the shipped pod's heap limit.
#   bench/scale.sh                         1,000,000 workers in chunks of 100,000 (about 15 minutes on 2 cores)
#   WORKERS=300000 CHUNK=50000 bench/scale.sh
#   LISTO_ROOT=/path/to/other/checkout bench/scale.sh    measure another build (e.g. main before a change)
#   HEAP_LIMIT=0 bench/scale.sh            no heap limit (how the population grows when nothing stops it)
#   GATEWAY_ENV="DOTNET_gcServer=0 Memory__EntityCollectionAgeSeconds=30" bench/scale.sh   other settings
# Per chunk it prints ingest/s, p50/p99 ack, 503s retried, RSS, the GC heap after the last collection, activations
# and the database's size. Then: a sample check of the final state, the idle floor as activations are collected, a
# restart and cold reads. The heap limit is the pod's: DOTNET_GCHeapHardLimit = 75% of limits.memory in
# deploy/k8s/base/gateway.yaml. Writes bench/results/scale-<UTC time>/ (table.txt, summary.json, logs).
set -euo pipefail
cd "$(dirname "$0")/.."

WORKERS=${WORKERS:-1000000}; CHUNK=${CHUNK:-100000}; CONCURRENCY=${CONCURRENCY:-32}; CLIENTS=${CLIENTS:-50}
PG_PORT=${BENCH_PG_PORT:-55434}; LISTO_ROOT=${LISTO_ROOT:-.}; IDLE_SECONDS=${IDLE_SECONDS:-240}; COLD_READS=${COLD_READS:-2000}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/scale-$stamp
mkdir -p "$out"
. bench/common.sh

# The pod's memory limit and the heap limit .NET derives inside it (75% of the cgroup limit).
limit=$(python3 - <<'EOF'
import re
text = open("deploy/k8s/base/gateway.yaml").read()
m = re.search(r"limits:\s*\n\s*memory:\s*(\d+)(Mi|Gi)", text)
n, unit = int(m.group(1)), m.group(2)
print(n * (1024 if unit == "Gi" else 1) * 1024 * 1024)
EOF
)
heap=${HEAP_LIMIT:-$((limit * 3 / 4))}
echo "pod limits.memory: $((limit / 1048576)) MiB; DOTNET_GCHeapHardLimit: $((heap / 1048576)) MiB" | tee "$out/limits.txt" >&2

echo "building (Release)..." >&2
build bench/Scale bench/Baseline "$LISTO_ROOT/src/Gateway" "$LISTO_ROOT/src/Silo"
bin() { echo "$1/bin/Release/net10.0/$2.dll"; }
echo "listo: $(git -C "$LISTO_ROOT" log -1 --format='%h %s' | cut -c1-100)$(git -C "$LISTO_ROOT" diff --quiet HEAD -- src || echo ' (+ uncommitted changes)')${GATEWAY_ENV:+; gateway env: $GATEWAY_ENV}" | tee "$out/build.txt" >&2

server=$(scripts/postgres.sh start .data/bench-pg "$PG_PORT")
psql_admin() { psql "host=127.0.0.1 port=$PG_PORT user=listo dbname=postgres" -qAtc "$1"; }
psql_admin "DROP DATABASE IF EXISTS bench_scale" >/dev/null; psql_admin "CREATE DATABASE bench_scale" >/dev/null

wait_http() { # url pid
  for _ in $(seq 1 480); do curl -fs -o /dev/null "$1" 2>/dev/null && return 0; kill -0 "$2" 2>/dev/null || { echo "process exited" >&2; return 1; }; sleep 0.25; done
  echo "not ready: $1" >&2; return 1
}
driver() { dotnet "$(bin bench/Scale listo-scale)" "$@" --secret "$secret" --key "$key" --clients "$CLIENTS" --concurrency "$CONCURRENCY"; }

# 0. The driver's own ceiling: the same chunk against a bare endpoint that answers at once.
Baseline__Bare=true Baseline__Url=http://127.0.0.1:6090 dotnet "$(bin bench/Baseline listo-baseline)" >"$out/bare.log" 2>&1 &
bare=$!; pids+=($bare)
for _ in $(seq 1 120); do curl -s -o /dev/null http://127.0.0.1:6090/ && break; sleep 0.25; done
driver ingest --from 0 --count "$CHUNK" --tag bare --ingress http://127.0.0.1:6090 --internal http://127.0.0.1:6090 > "$out/bare.json"
kill "$bare"; wait "$bare" 2>/dev/null || true
echo "driver ceiling (bare endpoint): $(python3 -c "import json;print(json.load(open('$out/bare.json'))['perSecond'])")/s" | tee "$out/driver.txt" >&2

listo_env=(DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
  ConnectionStrings__Listo="${server/Database=listo/Database=bench_scale};Maximum Pool Size=64"
  Orleans__ClusterId=scale Orleans__ServiceId=scale Orleans__SiloPort=11411 Orleans__GatewayPort=30411
  Webhooks__Secrets__0="$secret" QueryApi__Keys__0="$key" Logging__LogLevel__Default=Warning
  Gateway__IngressUrl=http://127.0.0.1:7180 Gateway__InternalUrl=http://127.0.0.1:7181)
[ "$heap" -gt 0 ] && listo_env+=(DOTNET_GCHeapHardLimit="$(printf '0x%x' "$heap")")
# GATEWAY_ENV adds settings to the gateway's environment, e.g. GATEWAY_ENV="DOTNET_gcServer=0" to compare GC modes.
read -r -a extra <<< "${GATEWAY_ENV:-}"; listo_env+=("${extra[@]}")
env "${listo_env[@]}" dotnet "$(bin "$LISTO_ROOT/src/Silo" Listo.Orleans.Silo)" migrate >/dev/null
start_gateway() {
  env "${listo_env[@]}" dotnet "$(bin "$LISTO_ROOT/src/Gateway" Listo.Orleans.Gateway)" >>"$out/gateway.log" 2>&1 &
  gw=$!; pids+=($gw); wait_http http://127.0.0.1:7181/health/ready "$gw"
}
ingress=(--ingress http://127.0.0.1:7180 --internal http://127.0.0.1:7181 --tag "s$RANDOM")

# One line of figures for the gateway now: RSS (and its peak), GC heap after the last collection, activations, db size.
stats() {
  python3 - "$gw" "$PG_PORT" <<'EOF'
import sys, re, json, subprocess, urllib.request
pid, port = sys.argv[1], sys.argv[2]
status = open(f"/proc/{pid}/status").read()
kb = lambda k: int(re.search(rf"{k}:\s+(\d+)", status).group(1)) * 1024
metrics = urllib.request.urlopen("http://127.0.0.1:7181/metrics", timeout=30).read().decode()
def total(name):
    return sum(float(m.group(1)) for m in re.finditer(rf"^{name}(?:{{[^}}]*}})? (\S+)$", metrics, re.M))
db = subprocess.run(["psql", f"host=127.0.0.1 port={port} user=listo dbname=bench_scale", "-qAtc",
    "SELECT pg_database_size('bench_scale')"], capture_output=True, text=True).stdout.strip()
print(json.dumps({"rssBytes": kb("VmRSS"), "peakRssBytes": kb("VmHWM"),
    "gcHeapBytes": total("dotnet_gc_last_collection_heap_size_bytes"), "activations": total("orleans_catalog_activations"),
    "dbBytes": int(db or 0)}))
EOF
}

start_gateway
echo "gateway idle: $(stats)" | tee "$out/idle-start.json" >&2
printf '%10s %9s %8s %8s %6s %9s %9s %9s %11s %9s\n' workers ingest/s p50_ms p99_ms 503s rss_MiB peak_MiB heap_MiB activations db_MiB | tee "$out/table.txt"
for ((from = 0; from < WORKERS; from += CHUNK)); do
  count=$((WORKERS - from < CHUNK ? WORKERS - from : CHUNK))
  if ! kill -0 "$gw" 2>/dev/null; then echo "the gateway died before chunk $from" | tee -a "$out/table.txt"; break; fi
  driver ingest --from "$from" --count "$count" "${ingress[@]}" > "$out/chunk-$from.json" || true
  if ! kill -0 "$gw" 2>/dev/null; then
    echo "the gateway DIED during the chunk from $from: $(python3 -c "import json;d=json.load(open('$out/chunk-$from.json'));print(d['errors'],'errors;',d['firstError'][:160])")" | tee -a "$out/table.txt"
    break
  fi
  stats > "$out/stats-$from.json"
  python3 - "$out/chunk-$from.json" "$out/stats-$from.json" $((from + count)) <<'EOF' | tee -a "$out/table.txt"
import json, sys
c, s, n = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
mib = lambda b: b / 1048576
print(f"{n:>10,} {c['perSecond']:>9,.0f} {c['p50Ms']:>8.1f} {c['p99Ms']:>8.1f} {c['retried503']:>6} {mib(s['rssBytes']):>9.0f} {mib(s['peakRssBytes']):>9.0f} "
      f"{mib(s['gcHeapBytes']):>9.0f} {s['activations']:>11,.0f} {mib(s['dbBytes']):>9.0f}" + (f"  ERRORS {c['errors']}: {c['firstError'][:120]}" if c['errors'] else ""))
EOF
done

delivered=$(python3 -c "import glob,json;print(sum(json.load(open(f))['count'] for f in glob.glob('$out/chunk-*.json')))")
if kill -0 "$gw" 2>/dev/null; then
  driver check --count 2000 --population "$delivered" "${ingress[@]}" > "$out/check.json" || true
  echo "sample check: $(cat "$out/check.json")" | tee -a "$out/table.txt"
  # The idle floor: activations are collected once idle past their age; the heap follows.
  for ((t = 60; t <= IDLE_SECONDS; t += 60)); do
    sleep 60
    echo "idle ${t}s: $(stats)" | tee -a "$out/table.txt"
  done
  kill -TERM "$gw"; wait "$gw" 2>/dev/null || true
  start_gateway
  driver reads --count "$COLD_READS" --population "$delivered" "${ingress[@]}" > "$out/cold-reads.json" || true
  echo "cold reads after a restart: $(cat "$out/cold-reads.json")" | tee -a "$out/table.txt"
fi

python3 - "$out" <<'EOF'
import glob, json, os, sys
out = sys.argv[1]
chunks = sorted((json.load(open(f)) for f in glob.glob(f"{out}/chunk-*.json")), key=lambda c: c["from"])
stats = {int(os.path.basename(f)[6:-5]): json.load(open(f)) for f in glob.glob(f"{out}/stats-*.json")}
summary = {"chunks": [dict(c, **stats.get(c["from"], {})) for c in chunks]}
for name in ("check", "cold-reads", "bare"):
    p = f"{out}/{name}.json"
    if os.path.exists(p):
        summary[name] = json.load(open(p))
if len(chunks) > 2:
    summary["lastOverSecond"] = round(chunks[-1]["perSecond"] / chunks[1]["perSecond"], 3)
    print(f"last chunk's rate / second chunk's: {summary['lastOverSecond']}")
summary["retried503"] = sum(c["retried503"] for c in chunks)
summary["errors"] = sum(c["errors"] for c in chunks)
print(f"503s retried: {summary['retried503']}; deliveries not acknowledged: {summary['errors']}")
json.dump(summary, open(f"{out}/summary.json", "w"), indent=1)
EOF
