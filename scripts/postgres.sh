#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests (cluster mode, issue 12): Debian's PostgreSQL (15) in a
# temporary folder, on a free port, bound to 127.0.0.1 only, run as a non-root user, removed on stop.
#
#   scripts/postgres.sh install              install Debian's `postgresql` when missing, never leaving
#                                            the package's own cluster (/var/lib/postgresql) running
#   eval "$(scripts/postgres.sh start)"      start one; prints `export TEST_POSTGRES_URL=… TEST_POSTGRES_DIR=…`
#        [--watch PID]                       …and remove it as soon as process PID is gone (kill -9 too)
#   scripts/postgres.sh env [DIR]            print those export lines again (DIR defaults to $TEST_POSTGRES_DIR)
#   scripts/postgres.sh stop [DIR]           stop the server and delete its folder (same default)
#   scripts/postgres.sh down [DIR]           stop the server as a crash would (immediate: no shutdown
#                                            checkpoint, clients cut off), keeping its folder and port
#   scripts/postgres.sh up [DIR]             start it again on the same port, with the same data
#   scripts/postgres.sh freeze|thaw [DIR]   SIGSTOP/SIGCONT the server: connections stay open and nothing
#                                            answers, as in a network partition
#   scripts/postgres.sh run CMD [ARG…]       start, run CMD with the exports, stop (trap: also on INT/TERM/HUP),
#                                            exit with CMD's status
#
# TEST_POSTGRES_URL is postgres://ob:<random password>@127.0.0.1:<port>/ob. Durability is real (fsync,
# synchronous_commit and full_page_writes stay on, as the outage tests need); only what a throw-away
# server does not need is cut: initdb does not sync its files, WAL is minimal (no replication), no JIT,
# rare checkpoints. No PG* variable is exported, so nothing reaches the code under test by accident.
#
# Needs bun on PATH (to find a free port) and, as root, setpriv (util-linux). PG_BIN overrides which
# server binaries are used; by default the newest /usr/lib/postgresql/*/bin (Debian 12: 15).
set -uo pipefail
PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

log() { echo "postgres.sh: $*" >&2; }

# Installs the package when missing, as scripts/test.sh installs promtool: service starts are forbidden
# for the install (policy-rc.d exit 101) unless a policy is already in place, and a Debian cluster the
# install started anyway is stopped, so nothing listens on :5432 after the tests.
install_postgres() {
  [ -x "$PG_BIN/postgres" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/psql" ] && return 0
  log "installing postgresql (Debian) for the PostgreSQL tests…"
  local sudo_="" policy=/usr/sbin/policy-rc.d own_policy=0 was_running=0 installed
  [ "$(id -u)" = 0 ] || sudo_="sudo"
  pgrep -x postgres >/dev/null 2>&1 && was_running=1
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' | $sudo_ tee "$policy" >/dev/null && $sudo_ chmod +x "$policy" && own_policy=1; fi
  $sudo_ apt-get update -qq && $sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  installed=$?
  [ "$own_policy" = 1 ] && $sudo_ rm -f "$policy"
  [ "$installed" = 0 ] || return 1
  # The package creates a `main` cluster; it must not be left running (nothing of ours uses it).
  if [ "$was_running" = 0 ] && command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters -h 2>/dev/null | while read -r version cluster _; do
      $sudo_ pg_ctlcluster "$version" "$cluster" stop >/dev/null 2>&1 || true
    done
  fi
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [ -x "$PG_BIN/postgres" ]
}

# PostgreSQL refuses to run as root: as root, run its programs as the package's `postgres` user (or
# nobody, when the package did not create one); otherwise as ourselves.
as_owner() {
  if [ "$(id -u)" != 0 ]; then "$@"; return; fi
  local user=postgres
  id "$user" >/dev/null 2>&1 || user=nobody
  setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --clear-groups "$@"
}

free_port() {
  bun -e 'const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }); console.log(s.port); s.stop(true);'
}

owner_ids() {
  if [ "$(id -u)" != 0 ]; then echo "$(id -u):$(id -g)"; return; fi
  local user=postgres
  id "$user" >/dev/null 2>&1 || user=nobody
  echo "$(id -u "$user"):$(id -g "$user")"
}

stop_postgres() {
  local dir="${1:-${TEST_POSTGRES_DIR:-}}"
  [ -n "$dir" ] || { log "stop: no folder given and TEST_POSTGRES_DIR is unset"; return 1; }
  [ -f "$dir/env" ] || [ -d "$dir/data" ] || { log "stop: $dir is not a folder made by postgres.sh start"; return 1; }
  local pids
  pids="$(server_pids "$dir")"
  if [ -n "$pids" ]; then
    # Wake it in case a test froze it, stop it `immediate` (the data is thrown away: no shutdown
    # checkpoint is worth waiting for), and kill what is left if that did not work.
    kill -CONT $pids 2>/dev/null
    as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null 2>&1 || kill -KILL $pids 2>/dev/null
  fi
  rm -rf "$dir"
}

# Removes the server once process $1 is gone; detached (own session, no inherited output) so that it
# survives a kill of the test run's process group and does not hold `$(…)` open.
watch_parent() {
  local parent="$1" dir="$2"
  setsid bash -c '
    while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 1; done
    [ -d "$2" ] && "$3" stop "$2"' watch "$parent" "$dir" "${BASH_SOURCE[0]}" </dev/null >/dev/null 2>&1 &
}

# initdb costs 1-2 s here, so a cluster with the settings and the `ob` database is made once per machine
# (and PostgreSQL build and TEMPLATE_REV), then copied for each start (~0.2 s); each copy gets its own
# password. Built beside its final name and renamed into place, so concurrent first starts are safe.
TEMPLATE_REV=1
template_dir() {
  echo "/tmp/ob-pg-template-$("$PG_BIN/postgres" --version | awk '{print $3}')-r$TEMPLATE_REV-u$(owner_ids | tr ':' '-')"
}

make_template() {
  local template="$1" build
  build="$(mktemp -d "$template.build.XXXXXX")" || return 1
  mkdir -p "$build/sock" && chmod 700 "$build" && chown -R "$(owner_ids)" "$build" || { rm -rf "$build"; return 1; }
  if ! as_owner "$PG_BIN/initdb" -D "$build/data" -U ob --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C --no-sync --no-instructions >"$build/initdb.log" 2>&1; then
    log "initdb failed:"; cat "$build/initdb.log" >&2; rm -rf "$build"; return 1
  fi
  cat >>"$build/data/postgresql.conf" <<EOF
# scripts/postgres.sh: a throw-away test server (port and socket folder are given at start)
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 64MB
fsync = on
synchronous_commit = on
full_page_writes = on
wal_level = minimal
max_wal_senders = 0
checkpoint_timeout = 30min
max_wal_size = 1GB
jit = off
timezone = 'UTC'
log_timezone = 'UTC'
log_min_messages = warning
EOF
  # The database is made over the socket only (listen_addresses empty), so no port is needed yet.
  if ! as_owner "$PG_BIN/pg_ctl" -D "$build/data" -l "$build/server.log" -o "-c listen_addresses= -k $build/sock" -w -t 20 start >/dev/null 2>&1 \
      || ! as_owner "$PG_BIN/psql" -X -q -h "$build/sock" -U ob -d postgres -c "create database ob" >/dev/null 2>>"$build/initdb.log" \
      || ! as_owner "$PG_BIN/pg_ctl" -D "$build/data" -m fast -w -t 20 stop >/dev/null 2>&1; then
    log "making the template cluster failed:"; cat "$build/initdb.log" "$build/server.log" >&2
    as_owner "$PG_BIN/pg_ctl" -D "$build/data" -m immediate stop >/dev/null 2>&1; rm -rf "$build"; return 1
  fi
  rm -rf "$build/sock" "$build/initdb.log" "$build/server.log"
  mv -T "$build" "$template" 2>/dev/null || rm -rf "$build"   # another start won the race: use its copy
}

start_postgres() {
  local watch=""
  if [ "${1:-}" = "--watch" ]; then watch="${2:?--watch needs a PID}"; fi
  [ -x "$PG_BIN/initdb" ] || { log "PostgreSQL is not installed (no $PG_BIN/initdb); run: scripts/postgres.sh install"; return 1; }
  local template dir password port attempt started=0
  template="$(template_dir)"
  [ -f "$template/data/PG_VERSION" ] || make_template "$template" || return 1
  dir="$(mktemp -d /tmp/ob-pg.XXXXXX)" || return 1   # short: the socket path must stay under 107 bytes
  cp -a "$template/data" "$dir/data" && mkdir -p "$dir/sock" && chmod 700 "$dir" && chown "$(owner_ids)" "$dir" "$dir/sock" || { rm -rf "$dir"; return 1; }
  # Armed before the server starts: a caller killed mid-start (a test timeout) must not leave a server behind.
  [ -n "$watch" ] && watch_parent "$watch" "$dir"
  password="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  for attempt in 1 2 3 4 5; do
    port="$(free_port)" || { rm -rf "$dir"; return 1; }
    # -w waits until the server accepts connections; a lost race for the port fails here and retries.
    if as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port -k $dir/sock" -w -t 20 start >/dev/null 2>&1; then
      started=1; break
    fi
    grep -q "could not bind\|Address already in use" "$dir/server.log" 2>/dev/null || break
  done
  if [ "$started" = 0 ]; then log "the server did not start:"; cat "$dir/server.log" >&2; stop_postgres "$dir"; return 1; fi
  if ! as_owner "$PG_BIN/psql" -X -q -h "$dir/sock" -p "$port" -U ob -d ob -c "alter role ob password '$password'" >/dev/null 2>"$dir/psql.log"; then
    log "setting the password failed:"; cat "$dir/psql.log" >&2; stop_postgres "$dir"; return 1
  fi
  rm -f "$dir/psql.log"
  echo "$port" >"$dir/port"
  {
    echo "export TEST_POSTGRES_URL='postgres://ob:$password@127.0.0.1:$port/ob'"
    echo "export TEST_POSTGRES_DIR='$dir'"
  } >"$dir/env"
  cat "$dir/env"
}

server_down() {
  local dir="${1:-${TEST_POSTGRES_DIR:-}}"
  [ -n "$dir" ] && [ -f "$dir/env" ] || { log "down: no server (give its folder or set TEST_POSTGRES_DIR)"; return 1; }
  server_thaw "$dir"
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 10 stop >/dev/null
}

# The postmaster and its children. Each backend leads a session of its own (PostgreSQL calls setsid),
# so there is no process group to signal.
server_pids() {
  local pid
  pid="$(head -1 "$1/data/postmaster.pid" 2>/dev/null)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  echo "$pid" $(pgrep -P "$pid")
}

# freeze: SIGSTOP the server and its backends — connections stay open and nothing answers, as in a
# network partition (unlike `down`, where connections are refused at once). thaw: SIGCONT.
server_freeze() {
  local dir="${1:-${TEST_POSTGRES_DIR:-}}" pids
  pids="$(server_pids "$dir")"; [ -n "$pids" ] || { log "freeze: no running server in '$dir'"; return 1; }
  kill -STOP $pids
}
server_thaw() {
  local dir="${1:-${TEST_POSTGRES_DIR:-}}" pids
  pids="$(server_pids "$dir")"; [ -n "$pids" ] && kill -CONT $pids 2>/dev/null
  return 0
}

server_up() {
  local dir="${1:-${TEST_POSTGRES_DIR:-}}"
  [ -n "$dir" ] && [ -f "$dir/port" ] || { log "up: no server (give its folder or set TEST_POSTGRES_DIR)"; return 1; }
  as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $(cat "$dir/port") -k $dir/sock" -w -t 20 start >/dev/null \
    || { log "up: the server did not start:"; tail -20 "$dir/server.log" >&2; return 1; }
}

print_env() {
  local dir="${1:-${TEST_POSTGRES_DIR:-}}"
  [ -n "$dir" ] && [ -f "$dir/env" ] || { log "env: no running server (give its folder or set TEST_POSTGRES_DIR)"; return 1; }
  cat "$dir/env"
}

run_with_postgres() {
  local exports rc
  exports="$(start_postgres --watch $$)" || return 1
  eval "$exports"
  trap 'stop_postgres "$TEST_POSTGRES_DIR"' EXIT
  trap 'exit 130' INT; trap 'exit 143' TERM; trap 'exit 129' HUP
  "$@"
  rc=$?
  return $rc
}

case "${1:-}" in
  install) install_postgres ;;
  start) shift; start_postgres "$@" ;;
  stop) shift; stop_postgres "$@" ;;
  env) shift; print_env "$@" ;;
  down) shift; server_down "$@" ;;
  up) shift; server_up "$@" ;;
  freeze) shift; server_freeze "$@" ;;
  thaw) shift; server_thaw "$@" ;;
  run) shift; [ $# -gt 0 ] || { log "run: give a command"; exit 2; }; run_with_postgres "$@" ;;
  *) echo "usage: scripts/postgres.sh install | start [--watch PID] | env [DIR] | stop [DIR] | down [DIR] | up [DIR] | freeze [DIR] | thaw [DIR] | run CMD [ARG…]" >&2; exit 2 ;;
esac
