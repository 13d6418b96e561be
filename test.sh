#!/usr/bin/env bash
# Runs every test of Listo.Orleans. On a fresh Debian machine with the .NET 10 SDK this is all the set-up:
# it restores, builds and runs the whole suite, then prints 'N passed, N failed' as its last line.
#   ./test.sh          every test: unit, postgres, cluster, process, manifests (about 8 minutes on 2 cores)
#   ./test.sh --fast   the unit tests only (no PostgreSQL, no silo, no child process): under a minute
# Tests are tagged by what they need ([Trait("Category", ...)], tests/Listo.Orleans.Tests/Support/Category.cs), so
# any other choice is a filter away: dotnet test Listo.Orleans.sln --filter Category=postgres
set -euo pipefail
cd "$(dirname "$0")"
fast=false
case "${1:-}" in
  --fast) fast=true ;;
  "") ;;
  *) echo "usage: ./test.sh [--fast]" >&2; exit 2 ;;
esac

log=$(mktemp)
pg_dir=.data/pg-test
pg_port=${LISTO_TEST_PG_PORT:-55433}
started_pg=false
cleanup() { rm -f "$log"; if $started_pg; then scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT

# The storage tests need a real PostgreSQL: a private server on loopback, installed from Debian's package
# when missing (as root, e.g. in CI), started under .data/ and stopped when the run ends.
if ! $fast && [ -z "${LISTO_TEST_POSTGRES:-}" ]; then
  server=$(scripts/postgres.sh start "$pg_dir" "$pg_port")
  started_pg=true
  export LISTO_TEST_POSTGRES="${server/Database=listo/Database=postgres}"
fi

# The manifest tests render deploy/k8s with kubectl's kustomize and validate it with Node.js (npm packages): Node.js
# and npm come from Debian's packages when missing (as root); kubectl has no Debian package, so it must be installed.
if ! $fast && { ! command -v node >/dev/null || ! command -v npm >/dev/null; }; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing Node.js and npm (Debian packages) for the manifest tests..." >&2
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2
  else
    echo "The manifest tests need Node.js and npm: sudo apt-get install -y nodejs npm" >&2
  fi
fi
if ! $fast && ! command -v kubectl >/dev/null; then
  echo "The manifest tests need kubectl (its built-in kustomize renders deploy/k8s): install it from Kubernetes' packages (https://kubernetes.io/docs/tasks/tools/)." >&2
fi

status=0
results=.data/test-results
rm -rf "$results"
filter=(); $fast && filter=(--filter "Category=unit")
dotnet test Listo.Orleans.sln --nologo -v quiet "${filter[@]}" --logger "trx;LogFileName=listo.trx" --results-directory "$results" 2>&1 | tee "$log" || status=$?

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
