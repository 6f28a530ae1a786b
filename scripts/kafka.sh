#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, no ZooKeeper) on loopback for dev and CI.
# Jars come from Maven Central via mvn only (no tarball download, no Docker).
#   bash scripts/kafka.sh fetch|start|stop [--clean]|status|classpath
# Env: KAFKA_VERSION (4.x), KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP_OPTS,
#      KAFKA_RUN_DIR (.run/kafka: config, data, log, pid; another folder runs a second, private broker).
# `start` prints KAFKA_BROKERS=127.0.0.1:<port> on stdout; everything else goes to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-4.2.0}"  # the newest release @platformatic/kafka is tested against
LOG4J_VERSION="2.25.3"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
CACHE="$ROOT/.cache/kafka"
LIBS="$CACHE/$KAFKA_VERSION"       # one folder per version so a `*` classpath never mixes versions
RUN="${KAFKA_RUN_DIR:-$ROOT/.run/kafka}"
PIDFILE="$RUN/kafka.pid"
LOG="$RUN/kafka.log"

say() { echo "kafka.sh: $*" >&2; }
die() { say "$*"; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' not found on PATH; $2"; }

fetch() {
  [[ -f "$LIBS/.complete" ]] && return 0   # warm cache: nothing to do
  need java "install a JDK 17+ (e.g. apt-get install openjdk-17-jre-headless)"
  need mvn "install Maven 3.6+ (e.g. apt-get install maven)"
  say "fetching Kafka $KAFKA_VERSION jars from Maven Central into ${LIBS#"$ROOT"/} ..."
  mkdir -p "$CACHE"
  # The broker jar brings slf4j-api 1.7.x but no binding, hence log4j-slf4j-impl (slf4j 1.x -> log4j2).
  # kafka-tools adds TopicCommand / console producer+consumer (readiness check, manual testing); its
  # connect-runtime dependency (Jetty, Jersey, ~35 jars) only serves the Connect plugin tool, so drop it.
  cat >"$CACHE/pom-$KAFKA_VERSION.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion><groupId>local.cinemaabyss</groupId><artifactId>kafka-runtime</artifactId>
  <version>$KAFKA_VERSION</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version>
      <exclusions><exclusion><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId></exclusion></exclusions></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
  <build><plugins><plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin></plugins></build>
</project>
EOF
  rm -rf "$LIBS.tmp"
  # Private local repo keeps everything in .cache/kafka; copy to a temp dir then rename, so an interrupted
  # fetch never looks complete. Output goes to a file (Maven 3.8 -q still emits stray ANSI codes).
  if ! mvn -B -q -U -f "$CACHE/pom-$KAFKA_VERSION.xml" -Dmaven.repo.local="$CACHE/m2" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp" >"$CACHE/mvn.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$CACHE/mvn.log" | grep -m 1 "ERROR" >&2 || true
    die "mvn could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (is KAFKA_VERSION a real 4.x release?)"
  fi
  touch "$LIBS.tmp/.complete" && rm -rf "$LIBS" && mv "$LIBS.tmp" "$LIBS"
  say "fetched $(ls "$LIBS" | wc -l) jars"
}

# Short-lived CLI tools (StorageTool, TopicCommand): small heap, C1 only for faster JVM startup, quiet logs.
tool() { java -cp "$LIBS/*" -Xmx256m -XX:TieredStopAtLevel=1 -Dkafka.log.level=WARN \
  -Dlog4j2.configurationFile="$RUN/log4j2.properties" "$@"; }

pid_alive() {   # our broker is running iff the pid file points at a live kafka.Kafka process
  local pid; pid="$(cat "$PIDFILE" 2>/dev/null)" && [[ -n "$pid" ]] || return 1
  # /proc first (slim CI images lack ps); a zombie has an empty cmdline, so it counts as dead.
  if [[ -d /proc/self ]]; then tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline"; else ps -p "$pid" -o args= 2>/dev/null; fi \
    | grep -q 'kafka\.Kafka'
}
running_port() { sed -n 's#^listeners=PLAINTEXT://127.0.0.1:\([0-9]*\),.*#\1#p' "$RUN/server.properties" 2>/dev/null; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_config() {
  mkdir -p "$RUN/data"
  # Static voter list (not --standalone/bootstrap.servers): config stays authoritative, so changing
  # KAFKA_CONTROLLER_PORT between restarts just works without reformatting.
  cat >"$RUN/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$RUN/data
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
EOF
  cat >"$RUN/log4j2.properties" <<'EOF'
appender.err.type = Console
appender.err.name = err
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = ${sys:kafka.log.level:-INFO}
rootLogger.appenderRef.err.ref = err
EOF
}

start() {
  if pid_alive; then
    say "already running (pid $(cat "$PIDFILE"))"; echo "KAFKA_BROKERS=127.0.0.1:$(running_port)"; return 0
  fi
  rm -f "$PIDFILE"
  need java "install a JDK 17+"
  fetch
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    port_open "$p" && die "port $p is already in use by another process (set KAFKA_PORT / KAFKA_CONTROLLER_PORT)"
  done
  write_config
  if [[ ! -f "$RUN/data/meta.properties" ]]; then   # format storage once; later starts reuse the data
    # A random cluster id (16 bytes, URL-safe base64), never one starting with '-': the tool would
    # read it as an option (1 start in 64 failed so). Kafka's own Uuid.randomUuid avoids it too.
    local id=-
    while [[ $id == -* ]]; do id="$(head -c16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"; done
    tool kafka.tools.StorageTool format -t "$id" -c "$RUN/server.properties" >"$RUN/format.log" 2>&1 \
      || { cat "$RUN/format.log" >&2; die "storage format failed"; }
    say "formatted storage (cluster id $id)"
  fi
  # shellcheck disable=SC2086  # KAFKA_HEAP_OPTS is intentionally word-split
  nohup java -cp "$LIBS/*" ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$RUN/log4j2.properties" kafka.Kafka "$RUN/server.properties" \
    >"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  say "starting broker (pid $!, log ${LOG#"$ROOT"/}) ..."
  local deadline=$((SECONDS + 60))
  while ((SECONDS < deadline)); do
    sleep 1   # first: give the forked shell time to exec java, or pid_alive would see bash's cmdline
    pid_alive || { tail -n 40 "$LOG" >&2; rm -f "$PIDFILE"; die "broker exited during startup (log above)"; }
    # An open port is not enough: a metadata round-trip proves the broker is serving clients.
    if port_open "$KAFKA_PORT" && tool org.apache.kafka.tools.TopicCommand \
        --bootstrap-server "127.0.0.1:$KAFKA_PORT" --list >/dev/null 2>&1; then
      say "ready after ${SECONDS}s"; echo "KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"; return 0
    fi
  done
  tail -n 40 "$LOG" >&2
  die "broker not ready within 60s (still running as pid $(cat "$PIDFILE"); 'bash scripts/kafka.sh stop' to kill it)"
}

stop() {
  if pid_alive; then
    local pid; pid="$(cat "$PIDFILE")"
    kill -TERM "$pid"   # graceful: controlled shutdown flushes logs, so the next start skips recovery
    for _ in $(seq 30); do pid_alive || break; sleep 1; done
    if pid_alive; then say "no exit after 30s, sending SIGKILL"; kill -KILL "$pid"; fi
    say "stopped (pid $pid)"
  else say "not running"; fi
  rm -f "$PIDFILE"
  if [[ "$1" == "--clean" ]]; then rm -rf "$RUN"; say "removed ${RUN#"$ROOT"/}"; fi
}

case "${1:-}" in
  fetch|start) "$1" ;;
  stop) [[ -z "${2:-}" || "$2" == "--clean" ]] || die "usage: $0 stop [--clean]"; stop "${2:-}" ;;
  status) if pid_alive; then echo "running (pid $(cat "$PIDFILE"), 127.0.0.1:$(running_port))"; else echo "stopped"; exit 1; fi ;;
  classpath) fetch; echo "$LIBS/*" ;;
  *) die "usage: $0 fetch|start|stop [--clean]|status|classpath" ;;
esac
