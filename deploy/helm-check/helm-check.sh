#!/usr/bin/env bash
# Lints and renders the Helm chart helm/frontdesk, then checks the rendered
# manifests (check_manifests.py) and the values schema.
#
# Usage: deploy/helm-check/helm-check.sh [OUT_DIR]
#
# helm is built once per machine with `go install` from the Go module proxy,
# at the pinned version below, into
#   ${FRONTDESK_TOOLS_CACHE:-$HOME/.cache/frontdesk}/helm-<version>/helm
# and reused from there (about 4 minutes the first time on 2 cores; nothing
# after that). It needs the Go toolchain: `go` on PATH, or
# /usr/local/go/bin/go, or GO=/path/to/go.
#
# What runs, for the default values, the default values with the sample
# policy given inline, and values-production.yaml:
#   helm lint --strict; helm template; check_manifests.py on the result.
# Then check_manifests_test.py (the checker catches broken manifests) and a
# list of bad values that values.schema.json (or the chart) must refuse.
# The rendered manifests stay in OUT_DIR (default build/helm-check).
set -euo pipefail

HELM_VERSION=v3.22.0
# The Kubernetes version the chart is rendered and linted for.
KUBE_VERSION=1.30.0

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
chart="$repo/helm/frontdesk"
out="${1:-$repo/build/helm-check}"
python=/usr/bin/python3

say() { echo "helm-check: $*" >&2; }
die() { say "$*"; exit 1; }

# --- tools ------------------------------------------------------------------

[[ -x $python ]] || die "needs Debian's python3 at $python (deploy/local/install-deps.sh installs it)"
$python -c 'import yaml' 2>/dev/null ||
  die "needs the Debian package python3-yaml (deploy/local/install-deps.sh installs it)"

cache="${FRONTDESK_TOOLS_CACHE:-${HOME:-/root}/.cache/frontdesk}/helm-$HELM_VERSION"
helm="$cache/helm"
if [[ ! -x $helm ]]; then
  go="${GO:-}"
  if [[ -z $go ]]; then
    if command -v go >/dev/null; then go="$(command -v go)"
    elif [[ -x /usr/local/go/bin/go ]]; then go=/usr/local/go/bin/go
    fi
  fi
  if [[ -n ${GO:-} && ! -x $GO ]]; then
    die "helm $HELM_VERSION is not in $cache, and GO=$GO is not an executable to build it with."
  fi
  [[ -n $go && -x $go ]] || die "helm $HELM_VERSION is not in $cache and there is no Go \
toolchain to build it: no go on PATH, none at /usr/local/go/bin/go, GO not set. \
Install Go, or set GO=/path/to/go."
  say "building helm $HELM_VERSION with $("$go" version) into $cache (once per machine)"
  mkdir -p "$cache"
  # The build's module and build caches (about 1.1 GB) live in a scratch
  # folder that goes away afterwards; only the helm binary is kept.
  tmp="$(mktemp -d "$cache/build.XXXXXX")"
  cleanup() { chmod -R u+w "$tmp" 2>/dev/null || true; rm -rf "$tmp"; }
  trap cleanup EXIT
  start=$(date +%s)
  # GOTOOLCHAIN=local: use this Go, never download another one.
  if ! GOTOOLCHAIN=local GOBIN="$tmp/bin" GOMODCACHE="$tmp/mod" GOCACHE="$tmp/cache" \
      GOFLAGS= CGO_ENABLED=0 "$go" install \
      -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
      "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"; then
    die "go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION failed (see above)"
  fi
  mv "$tmp/bin/helm" "$helm"
  say "built helm $HELM_VERSION in $(( $(date +%s) - start ))s"
fi

# helm keeps its own settings and caches out of the user's home.
mkdir -p "$out/helm-home"
export HELM_CACHE_HOME="$out/helm-home/cache" HELM_CONFIG_HOME="$out/helm-home/config" \
  HELM_DATA_HOME="$out/helm-home/data"
say "$("$helm" version --short)"

# --- lint, render, check ------------------------------------------------------

failures=0
fail() { say "FAILED: $*"; failures=$((failures + 1)); }

render() {  # NAME, then extra helm arguments
  local name="$1"; shift
  "$helm" lint --strict --kube-version "$KUBE_VERSION" "$chart" "$@" >"$out/$name.lint" 2>&1 ||
    { cat "$out/$name.lint" >&2; fail "helm lint ($name)"; return; }
  "$helm" template frontdesk "$chart" --namespace frontdesk --kube-version "$KUBE_VERSION" \
    "$@" >"$out/$name.yaml" 2>"$out/$name.err" ||
    { cat "$out/$name.err" >&2; fail "helm template ($name)"; return; }
  $python "$here/check_manifests.py" "$out/$name.yaml" || fail "check_manifests ($name)"
}

render default
render inline-policy --set 'clinics[0].id=sunrise' --set 'clinics[0].tenantId=sunrise-family-medicine' \
  --set 'clinics[0].policy.existingConfigMap=' --set-file "clinics[0].policy.yaml=$repo/examples/clinic/policy.yaml" \
  --set 'clinics[0].queues={nurse-line,front-desk,refills,billing,records,practice-manager,scheduling-exceptions}'
render production -f "$chart/values-production.yaml"

# The inline policy reaches its ConfigMap byte for byte.
if [[ -s $out/inline-policy.yaml ]]; then
  $python - "$out/inline-policy.yaml" "$repo/examples/clinic/policy.yaml" <<'EOF' || fail "inline policy ConfigMap"
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if isinstance(d, dict)]
maps = [d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].endswith("-policy")]
want = open(sys.argv[2]).read()
if len(maps) != 1 or maps[0]["data"]["policy.yaml"].strip() != want.strip():
    sys.exit("check: the inline policy's ConfigMap is missing or differs from the file")
EOF
fi

if [[ -s $out/default.yaml ]]; then
  (cd "$here" && $python check_manifests_test.py "$out/default.yaml") || fail "check_manifests_test"
fi

# --- values the chart must refuse ----------------------------------------------

refused=0
refuse() {  # WHY EXPECTED-TEXT, then helm arguments
  local why="$1" expected="$2"; shift 2
  refused=$((refused + 1))
  if "$helm" template frontdesk "$chart" --kube-version "$KUBE_VERSION" "$@" >/dev/null 2>"$out/refused.err"; then
    fail "accepted $why"
  elif ! grep -q -- "$expected" "$out/refused.err"; then
    cat "$out/refused.err" >&2; fail "refused $why, but without '$expected'"
  fi
}

bad_values="$out/bad-values"
mkdir -p "$bad_values"
cat >"$bad_values/two-clinics-one-id.yaml" <<'EOF'
clinics:
  - {id: east, tenantId: east-clinic, policy: {existingConfigMap: east-policy}, queues: [front-desk]}
  - {id: east, tenantId: other-clinic, policy: {existingConfigMap: other-policy}, queues: [front-desk]}
EOF
cat >"$bad_values/no-policy.yaml" <<'EOF'
clinics:
  - {id: east, tenantId: east-clinic, policy: {existingConfigMap: ""}, queues: [front-desk]}
EOF
cat >"$bad_values/no-queues.yaml" <<'EOF'
clinics:
  - {id: east, tenantId: east-clinic, policy: {existingConfigMap: east-policy}, queues: []}
EOF

refuse "zero answer replicas" "/answer/replicas" --set answer.replicas=0
refuse "zero record-keeper replicas" "/recordKeeper/replicas" --set recordKeeper.replicas=0
refuse "two handoff-prep replicas" "/handoffPrep/replicas" --set handoffPrep.replicas=2
refuse "an empty image tag" "/image/tag" --set image.tag=
refuse "the latest tag" "/image/tag" --set image.tag=latest
refuse "a port that is not a number" "/answer/grpcPort" --set answer.grpcPort=grpc
refuse "a port out of range" "/rulesCheck/metricsPort" --set rulesCheck.metricsPort=70000
refuse "an unknown top-level key" "additional properties" --set replica=3
refuse "an unknown service key" "additional properties" --set answer.replica=3
refuse "no resource limits" "/answer/resources" --set answer.resources.limits=null
refuse "replication factor 1" "/kafka/topics/replicationFactor" --set kafka.topics.replicationFactor=1
refuse "min.insync.replicas 1" "/kafka/topics/minInsyncReplicas" --set kafka.topics.minInsyncReplicas=1
refuse "min.insync.replicas equal to the replication factor" "minInsyncReplicas must be below" \
  --set kafka.topics.minInsyncReplicas=3
refuse "a week of retention" "/kafka/topics/retentionMs" --set kafka.topics.retentionMs=604800000
refuse "a password among the Kafka properties" "sasl.password" --set 'kafka.properties.sasl\.password=x'
refuse "a secret flag" "/answer/extraArgs/0" --set 'answer.extraArgs[0]=--kafka_properties=sasl.password=x'
refuse "SASL without a username" "/kafka/sasl/username" --set kafka.sasl.enabled=true
refuse "TLS without a certificate source" "/tls/existingSecret" --set tls.enabled=true
refuse "an external keyring without a store" "/keyring/externalSecret" --set keyring.externalSecret.enabled=true
refuse "root" "/podSecurityContext/runAsUser" --set podSecurityContext.runAsUser=0
refuse "an unknown anti-affinity" "/podAntiAffinity" --set podAntiAffinity=maybe
refuse "autoscaling bounds upside down" "minReplicas is above maxReplicas" \
  --set answer.autoscaling.minReplicas=5 --set answer.autoscaling.maxReplicas=2
refuse "mTLS with staff taken at their word" "staffTokens.issuerPublicKeySecret: needed" \
  --set tls.enabled=true --set tls.existingSecret=frontdesk-grpc-tls
refuse "two clinics with one id" 'the id "east" is used twice' -f "$bad_values/two-clinics-one-id.yaml"
refuse "a clinic without a policy" "/clinics/0/policy" -f "$bad_values/no-policy.yaml"
refuse "a clinic without queues" "/clinics/0/queues" -f "$bad_values/no-queues.yaml"

if ((failures > 0)); then
  say "$failures checks failed; rendered manifests in $out"
  exit 1
fi
say "chart linted, rendered three ways and checked; $refused kinds of bad values refused; output in $out"
