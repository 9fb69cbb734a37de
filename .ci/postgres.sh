#!/usr/bin/env bash
# A throwaway PostgreSQL server for the clinic tests: a fresh cluster in a temporary folder, listening only
# on 127.0.0.1 on a free port, with one login role allowed to create the test database.
#
#   .ci/postgres.sh run CMD [ARG...]   start, run CMD with DATABASE_URL exported, stop and delete (always)
#   .ci/postgres.sh start              start; prints DATABASE_URL=... and PGTMP=... (for eval)
#   .ci/postgres.sh stop PGTMP         stop the cluster started with `start` and delete its folder
#
# e.g.  .ci/postgres.sh run .venv/bin/python -m pytest -q tests/clinic
#
# Installs Debian's postgresql package when no server binaries are found (as root, or through sudo),
# without the package's own "main" cluster. As root, the server runs as the postgres user (initdb refuses
# root). The cluster trades durability for speed (fsync off): it holds test data only and is deleted after.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

server_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  # Explicit statuses: a bare `return` inside the EXIT trap would return the status that triggered it.
  if [[ -n "$dir" && -x "$dir/initdb" ]]; then echo "$dir"; return 0; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

install_server() {
  local sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null 2>&1 || { log "PostgreSQL is not installed and this is not root: install postgresql"; exit 2; }
    sudo="sudo"
  fi
  log "installing postgresql (apt-get)"
  # Only the binaries: the tests start their own cluster, so the package's default cluster is not created.
  $sudo mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.d/facebalance-ci.conf >/dev/null
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q postgresql >&2
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

as_owner() {
  # Run a server command as the cluster's owner: postgres when we are root, else ourselves.
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local bin tmp port password
  bin=$(server_bin) || { install_server; bin=$(server_bin); }
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/facebalance-pg.XXXXXX")
  chmod 755 "$tmp"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$tmp"
  port=${FACEBALANCE_PG_PORT:-$(free_port)}
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  as_owner "$bin/initdb" -D "$tmp/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log" >&2; exit 1; }
  as_owner "$bin/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$tmp -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null \
    || { cat "$tmp/server.log" >&2; exit 1; }
  as_owner "$bin/psql" -h "$tmp" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE facebalance LOGIN CREATEDB PASSWORD '$password'" \
    -c "CREATE DATABASE facebalance OWNER facebalance" >/dev/null
  log "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $tmp"
  echo "DATABASE_URL=postgres://facebalance:$password@127.0.0.1:$port/facebalance"
  echo "PGTMP=$tmp"
}

stop() {
  # Runs from the EXIT trap, also after a failed command: every step is attempted, whatever the one before did.
  set +e
  local tmp=$1 bin
  [[ -d "$tmp/data" ]] || { log "no cluster in $tmp"; return 0; }
  bin=$(server_bin)
  as_owner "$bin/pg_ctl" -D "$tmp/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$tmp"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:?usage: postgres.sh stop PGTMP}" ;;
  run)
    shift
    [[ $# -gt 0 ]] || { log "usage: postgres.sh run CMD [ARG...]"; exit 2; }
    out=$(start)
    DATABASE_URL=$(sed -n 's/^DATABASE_URL=//p' <<<"$out")
    PGTMP=$(sed -n 's/^PGTMP=//p' <<<"$out")
    trap 'stop "$PGTMP"' EXIT
    export DATABASE_URL
    "$@"
    ;;
  *) echo "usage: $0 run CMD [ARG...] | start | stop PGTMP" >&2; exit 2 ;;
esac
