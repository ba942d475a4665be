// ServiceRuntime: what every frontdesk service process shares.
//
// It turns off absl::Mutex deadlock detection (a debugging aid), runs the
// gRPC server (with the standard health service and reflection),
// the Prometheus /metrics endpoint, writes a ready file with the bound ports,
// and turns SIGTERM or SIGINT into a graceful shutdown: health goes to
// NOT_SERVING, new RPCs are refused, and in-flight RPCs get the drain period
// to finish.
//
// Example (main.cc):
//   frontdesk::serving::BlockShutdownSignals();   // first thing in main
//   auto rt = ServiceRuntime::Start(options, {&service}, registry);
//   rt->WaitForShutdownSignal();
//   producer->Flush(...);
#ifndef FRONTDESK_LIBS_SERVING_SERVICE_RUNTIME_H_
#define FRONTDESK_LIBS_SERVING_SERVICE_RUNTIME_H_

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace grpc {
class Server;
class Service;
}  // namespace grpc

namespace prometheus {
class Collectable;
class Exposer;
class Registry;
}  // namespace prometheus

namespace frontdesk::serving {

struct ServiceOptions {
  std::string service_name;
  // Address to bind, for example "127.0.0.1". Port 0 picks a free port.
  std::string host = "127.0.0.1";
  int grpc_port = 0;
  int metrics_port = 0;
  // When set, "grpc_port=N\nmetrics_port=M\n" is written here (atomically)
  // once both listeners are bound.
  std::string ready_file;
  // How long in-flight RPCs may take to finish after a shutdown signal.
  absl::Duration drain = absl::Seconds(10);
  // Mutual TLS: the folder of transport_security.h, read for the identity
  // `service_name`; the server then enforces DepartmentPeerRules(). Empty
  // serves plaintext, which Start allows only with
  // plaintext_for_development.
  std::string tls_dir;
  bool plaintext_for_development = false;
  // When > 0, a second, plaintext gRPC server on this port that serves only
  // grpc.health.v1.Health, for probes that cannot present a client
  // certificate (Kubernetes' grpc probes, the containers' HEALTHCHECK). It
  // reports what the main server reports.
  int health_port = 0;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it later
// starts, so WaitForShutdownSignal can take them. Call before any thread is
// created.
void BlockShutdownSignals();

// The value of the environment variable `name`, or `fallback`.
std::string EnvOr(const char* name, const char* fallback);

class ServiceRuntime {
 public:
  // The services must outlive the runtime.
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> Start(
      const ServiceOptions& options,
      const std::vector<grpc::Service*>& services,
      std::shared_ptr<prometheus::Registry> registry);
  ~ServiceRuntime();

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }

  // Serves `collectable`'s metrics on /metrics too, for as long as it
  // lives (the exposer holds it weakly).
  void RegisterCollectable(
      const std::weak_ptr<prometheus::Collectable>& collectable);

  // Blocks until SIGTERM or SIGINT, then drains and stops the server.
  void WaitForShutdownSignal();
  // Drains and stops the server now. Idempotent.
  void Shutdown();

 private:
  ServiceRuntime() = default;
  ServiceOptions options_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  bool stopped_ = false;
};

}  // namespace frontdesk::serving

#endif  // FRONTDESK_LIBS_SERVING_SERVICE_RUNTIME_H_
