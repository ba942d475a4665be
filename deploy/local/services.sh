#!/usr/bin/env bash
# Starts and stops the four frontdesk services on loopback for local runs.
#
# Usage: services.sh start|stop|status
#
# Ports (override with the environment variables in brackets):
#   answer         gRPC 7101 [ANSWER_PORT]         metrics 9101
#   rules-check    gRPC 7102 [RULES_CHECK_PORT]    metrics 9102
#   handoff-prep   gRPC 7103 [HANDOFF_PREP_PORT]   metrics 9103
#   record-keeper  gRPC 7104 [RECORD_KEEPER_PORT]  metrics 9104
#   staff console  HTTP 9180 [CONSOLE_PORT] (handoff-prep; 0 turns it off)
#
# The services talk mutual TLS; clients (the frontdesk tool, benches) pass
# --tls_dir=<run>/tls or set FRONTDESK_TLS_DIR to it.
#
# Everything lives under the run folder ($FRONTDESK_RUN_DIR, default
# <repo>/run): logs/, pids/, tls/ (the development CA and certificates),
# keys/keyring (the PHI keyring, its data keys wrapped by the KEK in
# keys/kek, both mode 600, given a key for the policy's tenant when it has
# none; see libs/phi/README.md), keys/signing/ (each service's event signing key and
# its public key, made when missing) and journal/ (records Kafka never
# acknowledged).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
run="${FRONTDESK_RUN_DIR:-$repo/run}"
bin="${FRONTDESK_BIN_DIR:-$repo/build/bin}"
policy="${FRONTDESK_POLICY:-$repo/examples/clinic/policy.yaml}"
brokers="${FRONTDESK_KAFKA_BROKERS:-127.0.0.1:${KAFKA_PORT:-19092}}"
answer_port="${ANSWER_PORT:-7101}"
rules_port="${RULES_CHECK_PORT:-7102}"
handoff_port="${HANDOFF_PREP_PORT:-7103}"
records_port="${RECORD_KEEPER_PORT:-7104}"
console_port="${CONSOLE_PORT:-9180}"
services=(rules-check handoff-prep record-keeper answer)
# mTLS with the certificates under run/tls; FRONTDESK_PLAINTEXT=1 runs without
# TLS (--plaintext_for_development, loud in every log): only for measuring
# what TLS costs (bench/mtls_turn_cost.sh).
if [[ "${FRONTDESK_PLAINTEXT:-0}" == 1 ]]; then
  transport=(--plaintext_for_development)
else
  transport=(--tls_dir="$run/tls")
fi

log() { echo "services.sh: $*" >&2; }

pid_of() {
  local f="$run/pids/$1.pid"
  [[ -f "$f" ]] || return 1
  local pid; pid="$(cat "$f")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

start_one() {
  local name="$1" port="$2" metrics="$3"; shift 3
  if pid="$(pid_of "$name")"; then log "$name already running (pid $pid)"; return 0; fi
  rm -f "$run/pids/$name.ready"
  nohup "$bin/$name" --grpc_port="$port" --metrics_port="$metrics" \
    --kafka_brokers="$brokers" --journal_dir="$run/journal" \
    --ready_file="$run/pids/$name.ready" "${transport[@]}" "$@" \
    >"$run/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$run/pids/$name.pid"
  for _ in $(seq 1 300); do
    [[ -f "$run/pids/$name.ready" ]] && { log "$name serving on 127.0.0.1:$port (metrics :$metrics)"; return 0; }
    if ! kill -0 "$(cat "$run/pids/$name.pid")" 2>/dev/null; then
      log "$name exited; last lines of $run/logs/$name.log:"; tail -n 20 "$run/logs/$name.log" >&2; return 1
    fi
    sleep 0.1
  done
  log "$name did not become ready within 30s"; return 1
}

# The policy's clinic.tenant_id (for the sample clinic,
# sunrise-family-medicine). A plain sed, not a YAML parser: it expects the
# key indented under clinic:, as in examples/clinic/policy.yaml.
policy_tenant() {
  sed -n -E '/^[[:space:]]+tenant_id:/{s/^[[:space:]]+tenant_id:[[:space:]]*"?([a-z0-9-]+)"?[[:space:]]*(#.*)?$/\1/p;q;}' "$policy"
}

# Gives the PHI keyring an active data key for tenant $1 unless it already
# holds one. The keyring is wrapped: its data keys are encrypted by the KEK in
# keys/kek (both mode 600; libs/phi/README.md). A plain keyring left by an
# older run is wrapped in place, and the plain copy shredded.
ensure_tenant_key() {
  local tenant="$1" keyring="$run/keys/keyring" kek="$run/keys/kek"
  if [[ -f "$keyring" ]] && ! grep -q '^frontdesk-wrapped-keyring v1$' "$keyring"; then
    rm -f "$keyring.wrapped"
    "$bin/frontdesk" keys init --keyring_file="$keyring.wrapped" --kek_file="$kek" \
      --import_plain="$keyring" --tenant="$tenant" >&2
    shred -u "$keyring"
    mv "$keyring.wrapped" "$keyring"
    rm -f "$keyring.wrapped.lock"
    log "wrapped the plain PHI keyring $keyring with the KEK in $kek"
  elif [[ ! -f "$keyring" ]]; then
    "$bin/frontdesk" keys init --keyring_file="$keyring" --kek_file="$kek" --tenant="$tenant" >&2
    log "made the wrapped PHI keyring $keyring (KEK in $kek)"
  elif ! grep -q "^key $tenant [0-9a-f]* [^ ]* - " "$keyring"; then
    "$bin/frontdesk" keys rotate --keyring_file="$keyring" --tenant="$tenant" >&2
    log "added an active PHI key for tenant $tenant to $keyring"
  fi
}

# Gives each service that writes events an Ed25519 signing key unless it has
# one: run/keys/signing/<service>.key (private, mode 600) and <service>.pub
# beside it, the public key an auditor passes to
# `frontdesk replay|verify --producer_keys run/keys/signing`.
ensure_signing_keys() {
  local dir="$run/keys/signing" name
  mkdir -p "$dir"; chmod 700 "$dir"
  for name in answer rules-check handoff-prep record-keeper; do
    if [[ ! -f "$dir/$name.key" ]]; then
      (umask 077; openssl genpkey -algorithm ed25519 -out "$dir/$name.key")
      log "made a signing key for $name in $dir/$name.key"
    fi
    chmod 600 "$dir/$name.key"
    openssl pkey -in "$dir/$name.key" -pubout -out "$dir/$name.pub"
  done
}

start() {
  mkdir -p "$run/logs" "$run/pids" "$run/keys" "$run/journal"
  local tenant; tenant="$(policy_tenant || true)"
  if [[ -z "$tenant" ]]; then log "no clinic.tenant_id found in $policy"; return 1; fi
  ensure_tenant_key "$tenant"
  # mTLS between the services and from the tools: a development CA and one
  # certificate per identity under run/tls, made once.
  "$bin/frontdesk" tls init --out_dir="$run/tls" >&2
  # Staff sign in with tokens: a development token issuer under run/keys
  # (`frontdesk token issue --issuer_key_file run/keys/token-issuer.key ...`).
  "$bin/frontdesk" token keygen --out_dir="$run/keys" >&2
  ensure_signing_keys
  local keyring="$run/keys/keyring" signing="$run/keys/signing"
  start_one rules-check "$rules_port" 9102 --policy="$policy" --signing_key_file="$signing/rules-check.key"
  start_one handoff-prep "$handoff_port" 9103 --policy="$policy" --keyring_file="$keyring" \
    --console_port="$console_port" --signing_key_file="$signing/handoff-prep.key" \
    --token_public_key_file="$run/keys/token-issuer.pub"
  if [[ "$console_port" != 0 ]]; then
    log "staff console: http://127.0.0.1:$console_port/"
  fi
  start_one record-keeper "$records_port" 9104 --policy="$policy" \
    --records_db="$run/records/records.db" --signing_key_file="$signing/record-keeper.key" \
    --token_public_key_file="$run/keys/token-issuer.pub"
  start_one answer "$answer_port" 9101 --policy="$policy" --keyring_file="$keyring" \
    --rules_check_addr="127.0.0.1:$rules_port" --handoff_prep_addr="127.0.0.1:$handoff_port" \
    --signing_key_file="$signing/answer.key"
}

stop() {
  for name in answer record-keeper handoff-prep rules-check; do
    if pid="$(pid_of "$name")"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
      log "stopped $name"
    fi
    rm -f "$run/pids/$name.pid" "$run/pids/$name.ready"
  done
}

status() {
  local rc=0
  for name in "${services[@]}"; do
    if pid="$(pid_of "$name")"; then echo "$name running $pid"; else echo "$name stopped"; rc=1; fi
  done
  return $rc
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) sed -n '2,18p' "$0" >&2; exit 2 ;;
esac
