# frontdesk: the command-line tool for operators, staff and auditors (replay,
# queue, policy check, classify, call). Also carries grpc_health_probe, for
# checking a service by hand from inside the cluster.
#
# Build from the repository root (see deploy/docker/README.md):
#   docker build -f deploy/docker/frontdesk.Dockerfile -t frontdesk/frontdesk:0.1.0 .
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
 && cmake --build /build --target frontdesk grpc_health_probe

# --- runtime: only the shared libraries the binary loads (ldd, then dpkg -S),
# time zones for the clinic's hours, and CA certificates for Kafka over TLS.
FROM debian:12.11-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libgrpc++1.51 libprotobuf32 librdkafka++1 librdkafka1 libyaml-cpp0.7 \
      libstemmer0d libabsl20220623 libssl3 \
      tzdata ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 frontdesk \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin frontdesk
COPY --from=build /build/bin/frontdesk /usr/local/bin/frontdesk
COPY --from=build /build/bin/grpc_health_probe /usr/local/bin/grpc_health_probe

# A keyring, when replaying with PHI, is mounted at run time, never baked in:
#   docker run --rm -v "$PWD/keyring:/etc/frontdesk/keys/keyring:ro" \
#     frontdesk/frontdesk:0.1.0 replay --keyring_file /etc/frontdesk/keys/keyring --call <id>
USER 10001:10001
# A command-line tool, not a server: nothing to check.
HEALTHCHECK NONE
ENTRYPOINT ["/usr/local/bin/frontdesk"]
CMD ["--help"]
