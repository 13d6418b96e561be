#!/usr/bin/env bash
# A private PostgreSQL server on loopback under a folder of this repo, for tests and the local cluster.
#   scripts/postgres.sh start <dir> <port>   installs the Debian package if missing, initdb, start, create db 'listo'
#   scripts/postgres.sh stop  <dir>          fast shutdown
#   scripts/postgres.sh url   <dir> <port>   prints the Npgsql connection string
# PG_EXTRA_OPTS adds server options at start (e.g. "-c shared_preload_libraries=pg_stat_statements").
# Trust authentication on 127.0.0.1 only: a throwaway developer/test server, never a deployment.
set -euo pipefail

cmd=${1:?usage: postgres.sh start|stop|url <dir> [port]}
dir=$(mkdir -p "${2:?data folder}" && cd "$2" && pwd)
port=${3:-55432}

find_bin() {
  local candidate
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && { echo "$candidate"; return 0; }
  done
  return 1
}

ensure_installed() {
  find_bin >/dev/null && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "PostgreSQL is not installed: run 'sudo apt-get install -y postgresql' (or run this script as root)." >&2
    exit 1
  fi
  echo "Installing PostgreSQL (Debian package)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  # The package may start a system cluster on 5432; ours is separate and needs none of it.
  find_bin >/dev/null
}

# initdb refuses to run as root: as root, the server runs as the 'postgres' user the package creates.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown -R postgres "$dir"
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() { echo "Host=127.0.0.1;Port=$port;Database=listo;Username=listo"; }

case "$cmd" in
  start)
    ensure_installed
    bin=$(find_bin)
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      mkdir -p "$dir/data"
      as_owner "$bin/initdb" -D "$dir/data" -U listo --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    if ! as_owner "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=300 -c fsync=on ${PG_EXTRA_OPTS:-}" >/dev/null \
        || { tail -20 "$dir/server.log" >&2; exit 1; }
    fi
    as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U listo -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'listo'" | grep -q 1 \
      || as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U listo listo
    url
    ;;
  stop)
    bin=$(find_bin) || exit 0
    [ -f "$dir/data/PG_VERSION" ] || exit 0
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  url) url ;;
  *) echo "usage: postgres.sh start|stop|url <dir> [port]" >&2; exit 2 ;;
esac
