#!/usr/bin/env bash
# The distributed mode without containers: each service its own process, from its build output,
# against real PostgreSQL and Apache Kafka (both started by their scripts if needed).
#   bash scripts/distributed.sh start   # prints E2E_GATEWAY_URL=http://127.0.0.1:8000
#   bash scripts/distributed.sh stop
# Environment: GRADUAL_MIGRATION, MOVIES_MIGRATION_PERCENT, MIGRATION_MODE pass to the gateway (its starting
# state, read at start only; its live state is in schema gateway of the main database, its audit events
# go to Kafka). Other variables (GATEWAY_ADMIN_TOKENS, LOG_LEVEL, …) are inherited by every service.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=.run/distributed
# The pinned Node of the repo (npm run sets NODE to the runtime npm itself runs on, which may be older).
NODE_BIN=${CINEMAABYSS_NODE:-$PWD/node_modules/.bin/node}
mkdir -p "$RUN"

start_one() { # name port env...
  local name=$1 port=$2; shift 2
  if [ -s "$RUN/$name.pid" ] && kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null; then return; fi
  env PORT="$port" HOST=127.0.0.1 LOG_LEVEL="${LOG_LEVEL:-info}" "$@" \
    "$NODE_BIN" "services/$name/dist/main.js" >"$RUN/$name.log" 2>&1 &
  echo $! >"$RUN/$name.pid"
}

wait_ready() { # name url
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$2" 2>/dev/null && return 0
    kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null || { tail -n 40 "$RUN/$1.log" >&2; echo "distributed.sh: $1 exited" >&2; exit 1; }
    sleep 0.5
  done
  tail -n 40 "$RUN/$1.log" >&2
  echo "distributed.sh: $1 not ready at $2" >&2
  exit 1
}

start() {
  [ -f services/gateway/dist/main.js ] || { echo "distributed.sh: run npm run build first" >&2; exit 1; }
  local pg kafka
  pg=$(bash scripts/postgres.sh start | sed -n 's/.*DB_CONNECTION_STRING=//p')
  kafka=$(bash scripts/kafka.sh start | sed -n 's/^KAFKA_BROKERS=//p')
  local events_db=${pg%/*}/cinemaabyss_events
  psql "$pg" -qAtc "SELECT 1 FROM pg_database WHERE datname='cinemaabyss_events'" | grep -q 1 \
    || psql "$pg" -qc "CREATE DATABASE cinemaabyss_events"
  start_one monolith 8080 DB_CONNECTION_STRING="$pg" KAFKA_BROKERS="$kafka"
  start_one movies 8081 DB_CONNECTION_STRING="$pg" KAFKA_BROKERS="$kafka"
  start_one events 8082 DB_CONNECTION_STRING="$events_db" DB_AUTO_MIGRATE=true KAFKA_BROKERS="$kafka"
  start_one gateway 8000 MONOLITH_URL=http://127.0.0.1:8080 MOVIES_SERVICE_URL=http://127.0.0.1:8081 \
    EVENTS_SERVICE_URL=http://127.0.0.1:8082 GRADUAL_MIGRATION="${GRADUAL_MIGRATION:-false}" \
    MOVIES_MIGRATION_PERCENT="${MOVIES_MIGRATION_PERCENT:-0}" MIGRATION_MODE="${MIGRATION_MODE:-sticky}" \
    GATEWAY_DB_CONNECTION_STRING="$pg" KAFKA_BROKERS="$kafka"
  wait_ready monolith http://127.0.0.1:8080/ready
  wait_ready movies http://127.0.0.1:8081/api/movies/ready
  wait_ready events http://127.0.0.1:8082/api/events/ready
  wait_ready gateway http://127.0.0.1:8000/health
  echo "E2E_GATEWAY_URL=http://127.0.0.1:8000"
}

stop() {
  for name in gateway events movies monolith; do
    if [ -s "$RUN/$name.pid" ]; then
      kill "$(cat "$RUN/$name.pid")" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null || break; sleep 0.25; done
      kill -9 "$(cat "$RUN/$name.pid")" 2>/dev/null || true
      rm -f "$RUN/$name.pid"
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: distributed.sh start | stop" >&2; exit 2 ;;
esac
