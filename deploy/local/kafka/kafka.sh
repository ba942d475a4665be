#!/usr/bin/env bash
# Runs a single-node KRaft Apache Kafka broker for local runs and tests.
#
# Usage: kafka.sh fetch|start|stop|status|pid|reset
#
#   fetch   copies the broker jars pinned in pom.xml (Maven Central) into
#           target/dependency; does nothing when they are already there.
#   start   formats the storage once, starts the broker, and returns only when
#           the broker answers a metadata request. Idempotent.
#   stop    stops the broker (SIGTERM, then SIGKILL after a grace period).
#   status  prints "running <pid> <bootstrap>" or "stopped"; exit 0 when running.
#   pid     prints the broker's pid (for fault-injection tests).
#   reset   stops the broker and deletes its data.
#
# Environment:
#   FRONTDESK_RUN_DIR   run folder (default: <repo>/run); data lives in
#                       $FRONTDESK_RUN_DIR/kafka
#   KAFKA_PORT          client listener port on 127.0.0.1 (default 19092)
#   KAFKA_CONTROLLER_PORT  KRaft controller port (default 19093)
#   KAFKA_HEAP          JVM heap cap (default 512m)
#   KAFKA_START_TIMEOUT seconds to wait for the broker to answer (default 120)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
run_dir="${FRONTDESK_RUN_DIR:-$repo/run}/kafka"
port="${KAFKA_PORT:-19092}"
cport="${KAFKA_CONTROLLER_PORT:-19093}"
heap="${KAFKA_HEAP:-512m}"
timeout="${KAFKA_START_TIMEOUT:-120}"
jars="$here/target/dependency"
pidfile="$run_dir/broker.pid"
bootstrap="127.0.0.1:$port"

log() { echo "kafka.sh: $*" >&2; }

fetch() {
  if [[ -f "$jars/.complete" ]]; then return 0; fi
  log "fetching the pinned broker jars with Maven"
  (cd "$here" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime)
  touch "$jars/.complete"
}

running_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid
  pid="$(cat "$pidfile")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

answers() {
  kcat -b "$bootstrap" -L -m 3 >/dev/null 2>&1
}

write_config() {
  mkdir -p "$run_dir/data"
  cat >"$run_dir/server.properties" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$run_dir/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
unclean.leader.election.enable=false
CONF
}

start() {
  fetch
  if pid="$(running_pid)"; then
    if answers; then log "already running (pid $pid) on $bootstrap"; return 0; fi
  else
    write_config
    if [[ ! -f "$run_dir/data/meta.properties" ]]; then
      java "-Dlog4j2.configurationFile=$here/log4j2.properties" -cp "$jars/*" kafka.tools.StorageTool format \
        -t "$(java -cp "$jars/*" kafka.tools.StorageTool random-uuid)" \
        -c "$run_dir/server.properties" >"$run_dir/format.log" 2>&1 || {
        log "formatting the storage failed; see $run_dir/format.log"; exit 1; }
    fi
    log "starting the broker on $bootstrap (heap $heap)"
    nohup java "-Dlog4j2.configurationFile=$here/log4j2.properties" "-Xms128m" "-Xmx$heap" -XX:+UseG1GC -Djava.awt.headless=true \
      -cp "$jars/*" kafka.Kafka "$run_dir/server.properties" \
      >"$run_dir/broker.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
  fi
  local waited=0
  until answers; do
    if ! running_pid >/dev/null; then
      log "the broker exited; last lines of $run_dir/broker.log:"
      tail -n 20 "$run_dir/broker.log" >&2 || true
      exit 1
    fi
    if (( waited >= timeout )); then log "the broker did not answer within ${timeout}s"; exit 1; fi
    sleep 1; waited=$((waited + 1))
  done
  log "broker answers on $bootstrap"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then rm -f "$pidfile"; log "not running"; return 0; fi
  kill -CONT "$pid" 2>/dev/null || true   # a SIGSTOPped broker cannot exit
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$pidfile"
  log "stopped"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status)
    if pid="$(running_pid)"; then echo "running $pid $bootstrap"; else echo "stopped"; exit 1; fi ;;
  pid) running_pid ;;
  reset) stop; rm -rf "$run_dir"; log "data removed" ;;
  *) sed -n '2,22p' "$0" >&2; exit 2 ;;
esac
