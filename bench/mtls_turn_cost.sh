#!/usr/bin/env bash
# What mutual TLS adds to a turn: bench/turn_latency against the local
# department with mTLS, then with the same services in plaintext
# (FRONTDESK_PLAINTEXT=1, development only), alternating ROUNDS times so both
# see the same machine. Each run opens one channel and measures TURNS turns
# on it: the percentiles are the per-turn cost of TLS on an open connection
# (answer's own channels to rules-check and handoff-prep are mTLS too). The
# connection setup, with the TLS handshake, is the "first StartCall" line.
#
# Usage: bench/mtls_turn_cost.sh   (ROUNDS=2 TURNS=400 by default)
# Needs the Kafka broker (deploy/local/kafka/kafka.sh start); restarts the
# local services and leaves them running with mTLS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"
bin="${FRONTDESK_BIN_DIR:-$repo/build/bin}"
run="${FRONTDESK_RUN_DIR:-$repo/run}"
rounds="${ROUNDS:-2}"
turns="${TURNS:-400}"
answer="127.0.0.1:${ANSWER_PORT:-7101}"

measure() {  # $1: mtls|plaintext
  deploy/local/services.sh stop >/dev/null 2>&1 || true
  if [[ "$1" == plaintext ]]; then
    FRONTDESK_PLAINTEXT=1 deploy/local/services.sh start >/dev/null
    "$bin/turn_latency" --answer="$answer" --turns="$turns" \
      --plaintext_for_development | sed "s/^/$1: /"
  else
    deploy/local/services.sh start >/dev/null
    "$bin/turn_latency" --answer="$answer" --turns="$turns" \
      --tls_dir="$run/tls" | sed "s/^/$1: /"
  fi
}

for _ in $(seq 1 "$rounds"); do
  measure mtls
  measure plaintext
done
deploy/local/services.sh stop >/dev/null 2>&1 || true
deploy/local/services.sh start >/dev/null
