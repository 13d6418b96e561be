#!/usr/bin/env bash
# A durable Listo.Orleans cluster on this machine: a private PostgreSQL on loopback (under .data/local),
# the schema migration, one headless Silo and one Gateway, all clustered through PostgreSQL.
#   deploy/local/cluster.sh start    build, start everything, print the addresses, secret and key
#   deploy/local/cluster.sh stop     stop the processes and PostgreSQL (state stays in .data/local)
#   deploy/local/cluster.sh status   what is running
#   deploy/local/cluster.sh admin <command> [options]   listo-admin against this cluster (replay, purge, reconcile)
# Variables the caller exports reach the processes, e.g. Listo__ApiBaseUrl and Listo__ApiKey for refetching.
set -euo pipefail
cd "$(dirname "$0")/../.."

state=.data/local
pg_port=${LISTO_LOCAL_PG_PORT:-55432}
mkdir -p "$state"

secrets() {
  if [ ! -f "$state/secrets.env" ]; then
    {
      echo "WEBHOOK_SECRET=whsec_$(head -c 32 /dev/urandom | base64)"
      echo "QUERY_KEY=local_$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    } >"$state/secrets.env"
    chmod 600 "$state/secrets.env"
  fi
  # shellcheck disable=SC1091
  . "$state/secrets.env"
}

running() { [ -f "$state/$1.pid" ] && kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

start_role() { # name dll silo-port gateway-port [extra env...]
  local name=$1 dll=$2 silo_port=$3 gateway_port=$4; shift 4
  if running "$name"; then echo "$name already running (pid $(cat "$state/$name.pid"))"; return; fi
  env "$@" Orleans__SiloPort="$silo_port" Orleans__GatewayPort="$gateway_port" \
    nohup dotnet "$dll" >"$state/$name.log" 2>&1 &
  echo $! >"$state/$name.pid"
  echo "$name started (pid $!, log $state/$name.log)"
}

wait_ready() {
  for _ in $(seq 1 120); do
    curl -fsS http://127.0.0.1:5081/health/ready >/dev/null 2>&1 && return 0
    running gateway || { echo "gateway exited:" >&2; tail -20 "$state/gateway.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "gateway not ready after 60 s; see $state/gateway.log" >&2; exit 1
}

case "${1:-start}" in
  start)
    secrets
    connection=$(scripts/postgres.sh start "$state/pg" "$pg_port")
    echo "PostgreSQL: $connection"
    dotnet build Listo.Orleans.sln -c Release --nologo -v quiet >/dev/null
    common=(DOTNET_ENVIRONMENT=Production ASPNETCORE_ENVIRONMENT=Production
            ConnectionStrings__Listo="$connection" Orleans__ClusterId=listo-local Orleans__ServiceId=listo-local)
    env "${common[@]}" dotnet src/Silo/bin/Release/net10.0/Listo.Orleans.Silo.dll migrate
    start_role silo src/Silo/bin/Release/net10.0/Listo.Orleans.Silo.dll 11112 30001 "${common[@]}"
    start_role gateway src/Gateway/bin/Release/net10.0/Listo.Orleans.Gateway.dll 11111 30000 "${common[@]}" \
      Webhooks__Secrets__0="$WEBHOOK_SECRET" QueryApi__Keys__0="$QUERY_KEY"
    wait_ready
    cat <<INFO
Ready.
  webhooks:  POST http://127.0.0.1:5080/webhooks/listo   secret $WEBHOOK_SECRET
  queries:   GET  http://127.0.0.1:5081/v1/...           key    $QUERY_KEY
  try:       dotnet run --project tools/ListoSend -- --secret '$WEBHOOK_SECRET' samples/worker.updated.json
  operate:   deploy/local/cluster.sh admin reconcile|replay|purge --help
  stop:      deploy/local/cluster.sh stop
INFO
    ;;
  stop)
    for name in gateway silo; do
      if running "$name"; then kill -TERM "$(cat "$state/$name.pid")"; echo "$name stopping"; fi
    done
    for name in gateway silo; do
      for _ in $(seq 1 60); do running "$name" || break; sleep 0.5; done
      rm -f "$state/$name.pid"
    done
    scripts/postgres.sh stop "$state/pg"
    echo "stopped (state kept in $state)"
    ;;
  status)
    for name in silo gateway; do
      if running "$name"; then echo "$name: running (pid $(cat "$state/$name.pid"))"; else echo "$name: stopped"; fi
    done
    curl -fsS http://127.0.0.1:5081/health/ready 2>/dev/null && echo " (ready)" || echo "gateway not ready"
    ;;
  admin)
    shift
    connection=$(scripts/postgres.sh start "$state/pg" "$pg_port")
    dotnet build tools/ListoAdmin -c Release --nologo -v quiet >/dev/null
    exec env ConnectionStrings__Listo="$connection" Orleans__ClusterId=listo-local Orleans__ServiceId=listo-local \
      dotnet tools/ListoAdmin/bin/Release/net10.0/listo-admin.dll "$@"
    ;;
  *) echo "usage: deploy/local/cluster.sh start|stop|status|admin <command>" >&2; exit 2 ;;
esac
