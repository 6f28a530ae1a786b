#!/usr/bin/env bash
# Jaeger (v2: all-in-one, in-memory storage) on loopback for dev and CI, where traces are looked at.
# Built from its Go module through the Go module proxy (no tarball, no Docker), binary cached.
#   bash scripts/jaeger.sh build|start|stop [--clean]|status
# Env: JAEGER_VERSION (1.76.0: the Go module's tag, Jaeger v2 inside), JAEGER_OTLP_PORT (4318, OTLP/HTTP),
#      JAEGER_QUERY_PORT (16686: UI and query API), JAEGER_QUERY_GRPC_PORT (16685),
#      JAEGER_RUN_DIR (.run/jaeger: config, log, pid; another folder runs a second, private Jaeger),
#      GOFLAGS (default -p=1: the build is heavy, one package at a time keeps a small machine usable).
# `start` prints OTEL_EXPORTER_OTLP_ENDPOINT=... and JAEGER_QUERY_URL=... on stdout; everything else goes to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAEGER_VERSION="${JAEGER_VERSION:-1.76.0}"
JAEGER_OTLP_PORT="${JAEGER_OTLP_PORT:-4318}"
JAEGER_QUERY_PORT="${JAEGER_QUERY_PORT:-16686}"
JAEGER_QUERY_GRPC_PORT="${JAEGER_QUERY_GRPC_PORT:-16685}"
MODULE="github.com/jaegertracing/jaeger"
CACHE="$ROOT/.cache/jaeger"
BIN="$CACHE/$JAEGER_VERSION/jaeger"   # one folder per version
RUN="${JAEGER_RUN_DIR:-$ROOT/.run/jaeger}"
PIDFILE="$RUN/jaeger.pid"
LOG="$RUN/jaeger.log"

say() { echo "jaeger.sh: $*" >&2; }
die() { say "$*"; exit 1; }
[[ -x /usr/local/go/bin/go ]] && PATH="$PATH:/usr/local/go/bin"   # where the official Go tarball installs

build() {
  [[ -x "$BIN" ]] && return 0   # warm cache: nothing to do
  command -v go >/dev/null 2>&1 || die "'go' not found on PATH; install Go 1.25+ (https://go.dev/dl/ or apt-get install golang)"
  say "building Jaeger $JAEGER_VERSION from $MODULE/cmd/jaeger (several minutes; log in ${CACHE#"$ROOT"/}/build.log) ..."
  mkdir -p "$CACHE/$JAEGER_VERSION"
  # `go install module@version` refuses modules with replace directives (Jaeger's go.mod has one),
  # so the module is built as the main module, in its read-only copy in the module cache.
  local dir
  dir="$(go mod download -json "$MODULE@v$JAEGER_VERSION" 2>"$CACHE/build.log" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$dir" ]] || { cat "$CACHE/build.log" >&2; die "cannot download $MODULE@v$JAEGER_VERSION (is JAEGER_VERSION a tag of the Go module?)"; }
  # A temporary name then rename: an interrupted build never looks complete.
  if ! (cd "$dir" && GOFLAGS="${GOFLAGS:--p=1}" go build -trimpath -ldflags='-s -w' -o "$BIN.tmp" ./cmd/jaeger) >>"$CACHE/build.log" 2>&1; then
    tail -n 30 "$CACHE/build.log" >&2
    die "go build failed (log above)"
  fi
  mv "$BIN.tmp" "$BIN"
  say "built ${BIN#"$ROOT"/}"
}

pid_alive() {   # our Jaeger is running iff the pid file points at a live process of our binary
  local pid; pid="$(cat "$PIDFILE" 2>/dev/null)" && [[ -n "$pid" ]] || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q "jaeger --config"
}
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
running_ports() { cat "$RUN/ports" 2>/dev/null; }

write_config() {
  mkdir -p "$RUN"
  # Only what a trace needs: OTLP/HTTP in, memory storage, the query API and UI out. The
  # collector's own telemetry is off (it would take port 8888).
  cat >"$RUN/config.yaml" <<EOF
service:
  extensions: [jaeger_storage, jaeger_query]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
    logs:
      level: warn
extensions:
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:$JAEGER_QUERY_PORT
    grpc:
      endpoint: 127.0.0.1:$JAEGER_QUERY_GRPC_PORT
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:$JAEGER_OTLP_PORT
processors:
  batch:
    timeout: 200ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
EOF
  echo "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$JAEGER_OTLP_PORT" >"$RUN/ports"
  echo "JAEGER_QUERY_URL=http://127.0.0.1:$JAEGER_QUERY_PORT" >>"$RUN/ports"
}

start() {
  if pid_alive; then say "already running (pid $(cat "$PIDFILE"))"; running_ports; return 0; fi
  rm -f "$PIDFILE"
  build
  for p in "$JAEGER_OTLP_PORT" "$JAEGER_QUERY_PORT" "$JAEGER_QUERY_GRPC_PORT"; do
    port_open "$p" && die "port $p is already in use by another process (set JAEGER_OTLP_PORT / JAEGER_QUERY_PORT / JAEGER_QUERY_GRPC_PORT)"
  done
  write_config
  nohup "$BIN" --config "$RUN/config.yaml" >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  say "starting (pid $!, log ${LOG#"$ROOT"/}) ..."
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    sleep 0.5
    pid_alive || { tail -n 40 "$LOG" >&2; rm -f "$PIDFILE"; die "jaeger exited during startup (log above)"; }
    # Ready when both ends answer: the query API lists services, the OTLP receiver takes a (empty) export.
    if curl -fsS -o /dev/null "http://127.0.0.1:$JAEGER_QUERY_PORT/api/services" 2>/dev/null &&
      curl -fsS -o /dev/null -H 'content-type: application/json' -d '{}' "http://127.0.0.1:$JAEGER_OTLP_PORT/v1/traces" 2>/dev/null; then
      say "ready after ${SECONDS}s"; running_ports; return 0
    fi
  done
  tail -n 40 "$LOG" >&2
  die "jaeger not ready within 60s (still running as pid $(cat "$PIDFILE"); 'bash scripts/jaeger.sh stop' to kill it)"
}

stop() {
  if pid_alive; then
    local pid; pid="$(cat "$PIDFILE")"
    kill -TERM "$pid"
    for _ in $(seq 20); do pid_alive || break; sleep 0.5; done
    if pid_alive; then say "no exit after 10s, sending SIGKILL"; kill -KILL "$pid"; fi
    say "stopped (pid $pid)"
  else say "not running"; fi
  rm -f "$PIDFILE"
  if [[ "${1:-}" == "--clean" ]]; then rm -rf "$RUN"; say "removed ${RUN#"$ROOT"/}"; fi
}

case "${1:-}" in
  build|start) "$1" ;;
  stop) [[ -z "${2:-}" || "$2" == "--clean" ]] || die "usage: $0 stop [--clean]"; stop "${2:-}" ;;
  status) if pid_alive; then echo "running (pid $(cat "$PIDFILE"))"; running_ports; else echo "stopped"; exit 1; fi ;;
  *) die "usage: $0 build|start|stop [--clean]|status" ;;
esac
