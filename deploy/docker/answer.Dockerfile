# answer: owns the conversation of each call.
#
# Build from the repository root (see deploy/docker/README.md):
#   docker build -f deploy/docker/answer.Dockerfile -t frontdesk/answer:0.1.0 .
#
# The base image is pinned to a Debian 12 point release. To pin the exact
# bytes as well, add the digest that
#   docker buildx imagetools inspect debian:12.11-slim
# prints, as in FROM debian:12.11-slim@sha256:<digest>, in both stages.

# --- build: the same Debian packages as deploy/local/install-deps.sh (its
# build list, without the test browser and the Kafka broker).
FROM debian:12.11-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler \
      librdkafka-dev libabsl-dev prometheus-cpp-dev \
      libgtest-dev libgmock-dev libbenchmark-dev \
      libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libssl-dev libstemmer-dev \
      libcpp-httplib-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only the sources: never run/ (the local keyring lives there) or build/.
COPY CMakeLists.txt ./
COPY cmake cmake
COPY protos protos
COPY libs libs
COPY services services
COPY tools tools
COPY tests tests
COPY bench bench
COPY deploy deploy
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
 && cmake --build /build --target answer grpc_health_probe

# --- runtime: only the shared libraries the binary loads (ldd, then dpkg -S),
# time zones for the clinic's hours, and CA certificates for Kafka over TLS.
FROM debian:12.11-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libgrpc++1.51 libprotobuf32 librdkafka++1 librdkafka1 libyaml-cpp0.7 \
      libstemmer0d libspdlog1.10 libfmt9 libprometheus-cpp-core1.0 \
      libprometheus-cpp-pull1.0 libabsl20220623 libssl3 \
      tzdata ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 frontdesk \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin frontdesk \
 && mkdir -p /var/lib/frontdesk/journal \
 && chown -R 10001:10001 /var/lib/frontdesk \
 && chmod -R 0700 /var/lib/frontdesk
COPY --from=build /build/bin/answer /usr/local/bin/answer
COPY --from=build /build/bin/grpc_health_probe /usr/local/bin/grpc_health_probe

# Listens on every address of the container; undeliverable records go to the
# journal on the volume, the only place the service writes.
# Mounted at run time, never baked in:
#   /etc/frontdesk/policy/policy.yaml  the clinic's policy
#   /etc/frontdesk/tls/                the mTLS CA and this service's certificate
#                                      (--tls_dir; see transport_security.h)
#   /etc/frontdesk/keys/keyring        the PHI keyring (mode 600, owned by uid 10001)
ENV FRONTDESK_HOST=0.0.0.0 \
    FRONTDESK_JOURNAL_DIR=/var/lib/frontdesk/journal \
    FRONTDESK_POLICY=/etc/frontdesk/policy/policy.yaml \
    FRONTDESK_KEYRING_FILE=/etc/frontdesk/keys/keyring
VOLUME ["/var/lib/frontdesk"]
EXPOSE 7101 7111 9101
USER 10001:10001
# Asks the plaintext, health-only port (--health_port in ENTRYPOINT); the
# gRPC port itself takes only mTLS clients.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["/usr/local/bin/grpc_health_probe", "--timeout_ms=2000", "127.0.0.1:7111"]
# Flags given to `docker run` (or the chart's args) follow these; the last
# value of a flag wins.
ENTRYPOINT ["/usr/local/bin/answer", "--grpc_port=7101", "--health_port=7111", "--metrics_port=9101"]
