#!/usr/bin/env bash
# Throwaway services for the test run: PostgreSQL, ElasticMQ, moto. Source this file, then call
# start_postgres / start_elasticmq / start_moto; each exports the variable the tests read and
# registers its own cleanup in STOP_ACTIONS (run by stop_services, installed as an EXIT trap).
set -euo pipefail
CI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export THAW_CACHE="${THAW_CACHE:-$HOME/.cache/thaw}"
STOP_ACTIONS=()
SERVICE_DIR="$(mktemp -d /tmp/thaw-ci.XXXXXX)"
chmod 755 "$SERVICE_DIR"

log() { printf '\033[1m[ci]\033[0m %s\n' "$*" >&2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_for() { # wait_for NAME SECONDS COMMAND...
  local name=$1 seconds=$2; shift 2
  for _ in $(seq 1 $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "$name did not become ready in ${seconds}s"; return 1
}

stop_services() {
  local i
  for ((i = ${#STOP_ACTIONS[@]} - 1; i >= 0; i--)); do eval "${STOP_ACTIONS[$i]}" || true; done
  rm -rf "$SERVICE_DIR"
}
trap stop_services EXIT

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }; done
  return 1
}

start_postgres() {
  if ! pg_bin >/dev/null; then
    log "installing PostgreSQL from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  local bin port data
  bin="$(pg_bin)"; port="$(free_port)"; data="$SERVICE_DIR/pg"
  local run_as=()
  if [ "$(id -u)" = 0 ]; then run_as=(runuser -u postgres --); fi
  mkdir -p "$data" && [ "$(id -u)" = 0 ] && chown postgres "$data"
  cd /
  "${run_as[@]}" "$bin/initdb" -D "$data" -U postgres -A trust --no-sync -E UTF8 >/dev/null
  "${run_as[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
  cd - >/dev/null
  STOP_ACTIONS+=("(cd / && ${run_as[*]} $bin/pg_ctl -D $data -m immediate stop >/dev/null)")
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on port $port"
}

start_elasticmq() {
  local lib port conf
  lib="$(bash "$CI_DIR/fetch-elasticmq.sh")"; port="$(free_port)"; conf="$SERVICE_DIR/elasticmq.conf"
  cat > "$conf" <<CONF
include classpath("application.conf")
node-address { protocol = http, host = 127.0.0.1, port = $port, context-path = "" }
rest-sqs { enabled = true, bind-port = $port, bind-hostname = "127.0.0.1", sqs-limits = strict }
rest-stats { enabled = false }
CONF
  java -Dconfig.file="$conf" -Dlogback.configurationFile=/dev/null -cp "$lib/*" org.elasticmq.server.Main >"$SERVICE_DIR/elasticmq.log" 2>&1 &
  local pid=$!
  STOP_ACTIONS+=("kill $pid")
  wait_for ElasticMQ 60 curl -sf "http://127.0.0.1:$port/?Action=ListQueues"
  export THAW_TEST_ELASTICMQ_URL="http://127.0.0.1:$port"
  log "ElasticMQ on port $port"
}

start_moto() {
  if ! python3 -c 'import moto.server' 2>/dev/null; then
    log "installing moto[server] from PyPI"
    python3 -m pip install -q "moto[server]==5.2.5" 2>&1 | grep -v 'Running pip as the' >&2 || true
  fi
  local port; port="$(free_port)"
  python3 -m moto.server -H 127.0.0.1 -p "$port" >"$SERVICE_DIR/moto.log" 2>&1 &
  local pid=$!
  STOP_ACTIONS+=("kill $pid")
  wait_for moto 60 curl -sf "http://127.0.0.1:$port/moto-api/"
  export THAW_TEST_MOTO_URL="http://127.0.0.1:$port"
  log "moto on port $port"
}
