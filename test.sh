#!/usr/bin/env bash
# Runs every test of Listo.Orleans. On a fresh Debian machine with the .NET 10 SDK this is all the set-up:
# it restores, builds and runs the whole suite, then prints 'N passed, N failed' as its last line.
set -euo pipefail
cd "$(dirname "$0")"

log=$(mktemp)
pg_dir=.data/pg-test
pg_port=${LISTO_TEST_PG_PORT:-55433}
cleanup() { rm -f "$log"; scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# The storage tests need a real PostgreSQL: a private server on loopback, installed from Debian's package
# when missing (as root, e.g. in CI), started under .data/ and stopped when the run ends.
if [ -z "${LISTO_TEST_POSTGRES:-}" ]; then
  server=$(scripts/postgres.sh start "$pg_dir" "$pg_port")
  export LISTO_TEST_POSTGRES="${server/Database=listo/Database=postgres}"
fi

# The manifest tests render deploy/k8s with kubectl's kustomize and validate it with Node.js (npm packages): Node.js
# and npm come from Debian's packages when missing (as root); kubectl has no Debian package, so it must be installed.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing Node.js and npm (Debian packages) for the manifest tests..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2
  else
    echo "The manifest tests need Node.js and npm: sudo apt-get install -y nodejs npm" >&2
  fi
fi
if ! command -v kubectl >/dev/null; then
  echo "The manifest tests need kubectl (its built-in kustomize renders deploy/k8s): install it from Kubernetes' packages (https://kubernetes.io/docs/tasks/tools/)." >&2
fi

status=0
results=.data/test-results
rm -rf "$results"
dotnet test Listo.Orleans.sln --nologo -v quiet --logger "trx;LogFileName=listo.trx" --results-directory "$results" 2>&1 | tee "$log" || status=$?

# Quiet output names a failed test but not why: print each failure's message from the results file.
if grep -qs '<Message>' "$results"/*.trx; then
  echo "--- failure messages ---"
  sed -n '/<UnitTestResult [^>]*outcome="Failed"/{s/.*testName="\([^"]*\)".*/\1/p};/<Message>/,/<\/Message>/p' "$results"/*.trx
fi

# One summary line per test assembly: "Passed!  - Failed: 0, Passed: 100, Skipped: 0, Total: 100, ..."
read -r passed failed skipped < <(grep -E '^(Passed|Failed)!' "$log" | awk -F'[:,]' '
  { f += $2; p += $4; s += $6 } END { printf "%d %d %d\n", p, f, s }')

if [ "$status" -eq 0 ] && [ "$((passed + failed))" -eq 0 ]; then
  echo "No test ran: treating as a failure." >&2
  status=1
fi
if [ "$skipped" -gt 0 ]; then
  echo "$skipped test(s) were skipped: every test must run." >&2
  status=1
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or the runner failed before any test could report
fi

echo "$passed passed, $failed failed"
exit "$status"
