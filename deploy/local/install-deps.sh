#!/usr/bin/env bash
# Installs the Debian packages frontdesk builds, tests and runs with, and the
# pinned Kafka broker jars. Idempotent: installs only what is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=(
  build-essential cmake ninja-build pkg-config ccache
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librdkafka-dev libabsl-dev prometheus-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libssl-dev libstemmer-dev
  kcat maven openjdk-17-jre-headless tzdata
  libcpp-httplib-dev
  # record-keeper's projection (libs/records).
  libsqlite3-dev
  # Signed staff and auditor tokens (libs/auth).
  libjwt-dev
  # The staff console's browser test: headless Chromium over WebDriver.
  chromium chromium-driver
  # promtool for the alerting rules' tests, and the Prometheus server the
  # scrape test starts on its own port (under systemd, Debian also starts a
  # prometheus service on :9090; the tests do not use it).
  prometheus
  # The Helm chart's check reads the rendered manifests with Debian's Python
  # (deploy/helm-check/).
  python3-yaml
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "install-deps: installing ${missing[*]}" >&2
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

"$here/kafka/kafka.sh" fetch
