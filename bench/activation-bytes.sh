#!/usr/bin/env bash
# What an idle activation holds, from two heap dumps (dotnet-dump, live objects only): one durable gateway, warmed with W first-time workers, dumped,
# then given N more first-time workers (each with a person of its own: one worker and one person activation each),
# left idle a few seconds and dumped again. The difference, type by type, divided by N is what one idle worker plus
# one idle person activation keep alive (their directory entries included); the types each grain alone owns say how it
# splits between them.
#   bench/activation-bytes.sh                       N=20000 after W=2000
#   N=40000 bench/activation-bytes.sh
#   LISTO_ROOT=/path/to/other/checkout bench/activation-bytes.sh    another build (e.g. main before a change)
# Activations are kept for the whole run (Memory:EntityCollectionAgeSeconds=3600; before that setting existed the
# default age was 15 minutes), so nothing is collected between the dumps. Writes bench/results/heap-<UTC time>/.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-20000}; W=${W:-2000}; PG_PORT=${BENCH_PG_PORT:-55434}; LISTO_ROOT=${LISTO_ROOT:-.}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=bench/results/heap-$stamp
mkdir -p "$out"
. bench/common.sh
command -v dotnet-dump >/dev/null || export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-dump >/dev/null || dotnet tool install -g dotnet-dump >/dev/null

echo "building (Release)..." >&2
build bench/Scale "$LISTO_ROOT/src/Gateway" "$LISTO_ROOT/src/Silo"
bin() { echo "$1/bin/Release/net10.0/$2.dll"; }
echo "listo: $(git -C "$LISTO_ROOT" log -1 --format='%h %s' | cut -c1-100)$(git -C "$LISTO_ROOT" diff --quiet HEAD -- src || echo ' (+ uncommitted changes)')" | tee "$out/build.txt" >&2

server=$(scripts/postgres.sh start .data/bench-pg "$PG_PORT")
psql_admin() { psql "host=127.0.0.1 port=$PG_PORT user=listo dbname=postgres" -qAtc "$1"; }
psql_admin "DROP DATABASE IF EXISTS bench_heap" >/dev/null; psql_admin "CREATE DATABASE bench_heap" >/dev/null
listo_env=(DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
  ConnectionStrings__Listo="${server/Database=listo/Database=bench_heap}"
  Orleans__ClusterId=heap Orleans__ServiceId=heap Orleans__SiloPort=11412 Orleans__GatewayPort=30412
  Webhooks__Secrets__0="$secret" QueryApi__Keys__0="$key" Logging__LogLevel__Default=Warning
  Gateway__IngressUrl=http://127.0.0.1:7182 Gateway__InternalUrl=http://127.0.0.1:7183
  Memory__EntityCollectionAgeSeconds=3600)
env "${listo_env[@]}" dotnet "$(bin "$LISTO_ROOT/src/Silo" Listo.Orleans.Silo)" migrate >/dev/null
env "${listo_env[@]}" dotnet "$(bin "$LISTO_ROOT/src/Gateway" Listo.Orleans.Gateway)" >"$out/gateway.log" 2>&1 &
gw=$!; pids+=($gw)
for _ in $(seq 1 480); do curl -fs -o /dev/null http://127.0.0.1:7183/health/ready && break; sleep 0.25; done
driver() { dotnet "$(bin bench/Scale listo-scale)" ingest "$@" --secret "$secret" --clients 50 --concurrency 16 \
  --ingress http://127.0.0.1:7182 --internal http://127.0.0.1:7183 --tag h >/dev/null; }

# A full heap dump (dotnet-gcdump's event stream is lossy on .NET 10 and dropped most objects), and the live objects in it.
dump() { # name
  sleep 5
  dotnet-dump collect -p "$gw" --type Heap -o "$out/$1.dmp" >/dev/null
  dotnet-dump analyze "$out/$1.dmp" -c "dumpheap -stat -live" -c exit > "$out/$1.txt"
  rm -f "$out/$1.dmp"
}
driver --from 0 --count "$W"
dump before
driver --from "$W" --count "$N"
dump after

python3 - "$out" "$N" <<'EOF' | tee "$out/table.txt"
import re, sys
out, n = sys.argv[1], int(sys.argv[2])
def read(name):
    types = {}
    for line in open(f"{out}/{name}.txt"):
        m = re.match(r"\s*[0-9a-f]{8,16}\s+([\d,]+)\s+([\d,]+)\s+(.+?)\s*$", line)
        if m:
            count, size, t = int(m.group(1).replace(",", "")), int(m.group(2).replace(",", "")), m.group(3)
            s, c = types.get(t, (0, 0))
            types[t] = (s + size, c + count)
    return types
a, b = read("before"), read("after")
diff = {t: (b.get(t, (0, 0))[0] - a.get(t, (0, 0))[0], b.get(t, (0, 0))[1] - a.get(t, (0, 0))[1]) for t in set(a) | set(b)}
total = sum(s for s, _ in diff.values())
print(f"{n:,} new workers, each with its own person: the live heap grew {total / 1048576:.1f} MiB, {total / n:,.0f} bytes per worker + person")
print(f"{'bytes/pair':>10} {'objects/pair':>12}  type (the 30 largest differences)")
for t, (s, c) in sorted(diff.items(), key=lambda kv: -kv[1][0])[:30]:
    print(f"{s / n:>10,.0f} {c / n:>12.2f}  {t[:110]}")
EOF
