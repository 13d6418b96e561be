#!/usr/bin/env bash
# Soak: Listo at half of its peak for SOAK_MINUTES (10), durable then embedded, sampling every SAMPLE_SECONDS (10)
# the gateway's RSS, its GC heap after the last collection, and the load generator's p99 ack of that interval.
# The criterion is flat memory after warm-up. The population is fixed (PEOPLE people at 20 clients, many versions
# each), so the state the grains legitimately hold stops growing once every worker has arrived; what grows after
# that is a leak or an unbounded buffer.
#   bench/soak.sh                          both modes, about 25 minutes
#   SOAK_MODES=embedded SOAK_MINUTES=2 bench/soak.sh
# Writes bench/results/soak-<UTC time>/<mode>.tsv and prints each curve. Run nothing else meanwhile: a build on the
# same two cores turns "half of peak" into an overload and the curve into a queue.
set -euo pipefail
cd "$(dirname "$0")/.."

MODES=${SOAK_MODES:-durable embedded}; MINUTES=${SOAK_MINUTES:-10}; SAMPLE=${SAMPLE_SECONDS:-10}
PEOPLE=${PEOPLE:-2000}; PG_PORT=${BENCH_PG_PORT:-55434}
out=bench/results/soak-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
. bench/common.sh

echo "building (Release)..." >&2
build bench/LoadGen src/Gateway src/Silo
echo "listo: $(git log -1 --format='%h %s' | cut -c1-100)" | tee "$out/build.txt" >&2
loadgen=(env DOTNET_TieredCompilation=0 dotnet bench/LoadGen/bin/Release/net10.0/listo-loadgen.dll)
# --interleave: every person's first version comes first, so the population is complete within the warm-up and
# what grows after it is not state.
common=(--secret "$secret" --key "$key" --clients 20 --duplicates 0.1 --stale 0.1 --concurrency 64 --no-check --read-count 0 --interleave)

wait_ready() { for _ in $(seq 1 240); do curl -fs -o /dev/null "$1" && return 0; kill -0 "$2" 2>/dev/null || return 1; sleep 0.25; done; return 1; }
heap_mib() { # GC heap after the last collection, all generations
  curl -s -m 2 "$1" | awk '/^dotnet_gc_last_collection_heap_size_bytes/ { s += $NF } END { printf "%.0f", s / 1048576 }'; }

soak() { # mode ingress metrics pid
  local mode=$1 ingress=$2 metrics=$3 pid=$4
  # Peak: a warm-up, then a full-speed run of the soak's own shape (the same population, updates with profile
  # changes); the soak runs at half of that, so it measures a server with headroom, not a queue.
  "${loadgen[@]}" --name "$mode-warmup" --ingress "$ingress" --reads "${metrics%/metrics}" "${common[@]}" --people 1500 --versions 2 \
    --tag "w$mode$RANDOM" >/dev/null 2>&1
  "${loadgen[@]}" --name "$mode-peak" --ingress "$ingress" --reads "${metrics%/metrics}" "${common[@]}" --people "$PEOPLE" --versions 6 \
    --tag "p$mode$RANDOM" --output "$out/$mode-peak.json" >/dev/null 2>&1
  local rate versions
  rate=$(python3 -c "import json;print(round(json.load(open('$out/$mode-peak.json'))['deliveriesPerSecond']/2))")
  # Enough versions per worker to last the soak at that rate (about 2 engagements a person, 1.2 deliveries a version).
  versions=$(python3 -c "import math;print(max(3, math.ceil($rate*$MINUTES*60/($PEOPLE*2*1.2))))")
  echo "[$mode] peak $((rate * 2))/s; soaking at $rate/s for $MINUTES min ($PEOPLE people, $versions versions each)" >&2
  : > "$out/$mode-intervals.log"
  printf "seconds\trss_mib\tgc_heap_mib\tp99_ms\tacks_per_s\n" > "$out/$mode.tsv"
  "${loadgen[@]}" --name "$mode-soak" --ingress "$ingress" --reads "${metrics%/metrics}" "${common[@]}" --people "$PEOPLE" --versions "$versions" \
    --rate "$rate" --interval "$SAMPLE" --tag "s$mode$RANDOM" --output "$out/$mode-soak.json" 2>"$out/$mode-intervals.log" >/dev/null &
  local gen=$!
  # One row per interval line the load generator prints: "interval <seconds> <acks/s> <p99 ms>".
  tail -n +1 -f "$out/$mode-intervals.log" --pid "$gen" | while read -r tag seconds acks p99; do
    [ "$tag" = interval ] || continue
    rss=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
    printf "%s\t%s\t%s\t%s\t%s\n" "$seconds" "$rss" "$(heap_mib "$metrics")" "$p99" "$acks" | tee -a "$out/$mode.tsv" >&2
  done
  wait "$gen" || true
  python3 - "$out/$mode.tsv" "$mode" <<'PY' | tee -a "$out/summary.txt" >&2
import sys, csv
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
if len(rows) < 4:
    sys.exit(print(f"[{sys.argv[2]}] too few samples ({len(rows)})"))
warm = rows[len(rows) // 5]  # after the first fifth: warm-up done
last = rows[-1]
growth = lambda key: (float(last[key]) - float(warm[key])) / max(1.0, float(warm[key])) * 100
p99s = sorted(float(r["p99_ms"]) for r in rows[len(rows) // 5:])
print(f"[{sys.argv[2]}] after warm-up (t={warm['seconds']} s) to the end (t={last['seconds']} s): RSS {warm['rss_mib']} -> {last['rss_mib']} MiB ({growth('rss_mib'):+.1f}%), "
      f"GC heap {warm['gc_heap_mib']} -> {last['gc_heap_mib']} MiB ({growth('gc_heap_mib'):+.1f}%), interval p99 median {p99s[len(p99s)//2]:.1f} ms, worst {p99s[-1]:.1f} ms")
PY
}

for mode in $MODES; do
  case $mode in
    durable)
      server=$(scripts/postgres.sh start .data/bench-pg "$PG_PORT")
      psql "host=127.0.0.1 port=$PG_PORT user=listo dbname=postgres" -qAtc "DROP DATABASE IF EXISTS soak_listo" >/dev/null
      psql "host=127.0.0.1 port=$PG_PORT user=listo dbname=postgres" -qAtc "CREATE DATABASE soak_listo" >/dev/null
      listo_env=(DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__Listo="${server/Database=listo/Database=soak_listo}"
        Orleans__ClusterId=soak Orleans__ServiceId=soak Orleans__SiloPort=11411 Orleans__GatewayPort=30411
        Webhooks__Secrets__0="$secret" QueryApi__Keys__0="$key" Logging__LogLevel__Default=Warning)
      env "${listo_env[@]}" dotnet src/Silo/bin/Release/net10.0/Listo.Orleans.Silo.dll migrate >/dev/null
      env "${listo_env[@]}" Gateway__IngressUrl=http://127.0.0.1:7180 Gateway__InternalUrl=http://127.0.0.1:7181 \
        dotnet src/Gateway/bin/Release/net10.0/Listo.Orleans.Gateway.dll >"$out/durable.log" 2>&1 &
      pids+=($!); wait_ready http://127.0.0.1:7181/health/ready "${pids[-1]}"
      soak durable http://127.0.0.1:7180 http://127.0.0.1:7181/metrics "${pids[-1]}"
      kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
      scripts/postgres.sh stop .data/bench-pg >/dev/null ;;
    embedded)
      env DOTNET_ENVIRONMENT=Development ASPNETCORE_ENVIRONMENT=Development Orleans__SiloPort=11412 Orleans__GatewayPort=30412 \
        Webhooks__Secrets__0="$secret" QueryApi__Keys__0="$key" Logging__LogLevel__Default=Warning \
        Gateway__IngressUrl=http://127.0.0.1:8180 Gateway__InternalUrl=http://127.0.0.1:8181 \
        dotnet src/Gateway/bin/Release/net10.0/Listo.Orleans.Gateway.dll >"$out/embedded.log" 2>&1 &
      pids+=($!); wait_ready http://127.0.0.1:8181/health/ready "${pids[-1]}"
      soak embedded http://127.0.0.1:8180 http://127.0.0.1:8181/metrics "${pids[-1]}"
      kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true ;;
  esac
done
echo "results: $out" >&2
