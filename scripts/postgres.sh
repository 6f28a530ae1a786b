#!/usr/bin/env bash
# A throwaway local PostgreSQL for development and CI, on loopback only.
#   bash scripts/postgres.sh start   # install (Debian package, as root) if missing, init, start, migrate + seed
#   bash scripts/postgres.sh stop [--clean]
#   bash scripts/postgres.sh status | url
# Trust authentication on 127.0.0.1 only: no password exists, so none can leak.
set -euo pipefail
cd "$(dirname "$0")/.."

PGPORT=${PGPORT:-55432}
PGDATABASE=${PGDATABASE:-cinemaabyss}
PGUSER_APP=${PGUSER_APP:-cinemaabyss}
RUN_DIR=${PG_RUN_DIR:-$PWD/.run/postgres}
DATA=$RUN_DIR/data
URL="postgres://$PGUSER_APP@127.0.0.1:$PGPORT/$PGDATABASE"
# The pinned Node of the repo (npm run sets NODE to the runtime npm itself runs on, which may be older).
NODE_BIN=${CINEMAABYSS_NODE:-$PWD/node_modules/.bin/node}

die() { echo "postgres.sh: $*" >&2; exit 1; }

find_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/pg_ctl" ] && echo "$dir"
}

ensure_installed() {
  BIN=$(find_bin || true)
  if [ -z "${BIN:-}" ]; then
    [ "$(id -u)" = 0 ] || die "PostgreSQL server binaries not found; install the Debian package 'postgresql'"
    echo "installing PostgreSQL (Debian package)..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    BIN=$(find_bin) || die "PostgreSQL installation did not provide pg_ctl"
  fi
}

# The server refuses to run as root: then it runs as the 'postgres' system user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  ensure_installed
  mkdir -p "$RUN_DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$RUN_DIR"
  if [ ! -s "$DATA/PG_VERSION" ]; then
    as_owner "$BIN/initdb" -D "$DATA" -U postgres --auth=trust --encoding=UTF8 --no-instructions >/dev/null
  fi
  if ! as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$RUN_DIR/postgres.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $RUN_DIR -c max_connections=200 -c jit=off" >/dev/null \
      || { tail -n 30 "$RUN_DIR/postgres.log" >&2; die "server did not start"; }
  fi
  local psql=("$BIN/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
  if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='$PGUSER_APP'")" ]; then
    "${psql[@]}" -c "CREATE ROLE $PGUSER_APP LOGIN CREATEDB"
  fi
  # Tests and benchmarks drop their throwaway databases WITH (FORCE), which must also end sessions
  # of other roles (an operator's psql, a superuser's) still in them.
  if [ "$("${psql[@]}" -c "SELECT pg_has_role('$PGUSER_APP', 'pg_signal_backend', 'MEMBER')")" != t ]; then
    "${psql[@]}" -c "GRANT pg_signal_backend TO $PGUSER_APP"
  fi
  if [ -z "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='$PGDATABASE'")" ]; then
    "${psql[@]}" -c "CREATE DATABASE $PGDATABASE OWNER $PGUSER_APP"
  fi
  DB_CONNECTION_STRING=$URL "$NODE_BIN" --conditions=source packages/db/src/cli.ts migrate --seed
  echo "PostgreSQL is up: DB_CONNECTION_STRING=$URL"
}

stop() {
  BIN=$(find_bin || true)
  if [ -n "${BIN:-}" ] && [ -s "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    echo "PostgreSQL stopped"
  fi
  if [ "${1:-}" = "--clean" ]; then rm -rf "$RUN_DIR"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  status)
    BIN=$(find_bin || true)
    [ -n "${BIN:-}" ] && [ -s "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 \
      && { echo "running: $URL"; exit 0; } || { echo "stopped"; exit 1; } ;;
  url) echo "$URL" ;;
  *) die "usage: postgres.sh start | stop [--clean] | status | url" ;;
esac
