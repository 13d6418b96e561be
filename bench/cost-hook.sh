#!/usr/bin/env bash
# The load generator's --hook for bench/run.sh: a cost snapshot as ingest starts and as it ends.
#   cost-hook.sh PREFIX PID PG_PORT DB METRICS_URL start|end   -> PREFIX.cost-start.json / PREFIX.cost-end.json
set -euo pipefail
cd "$(dirname "$0")/.."
python3 bench/costs.py snapshot "$2" "$3" "$4" "$5" > "$1.cost-$6.json"
