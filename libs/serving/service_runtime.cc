#include "libs/serving/service_runtime.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <cstdio>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/serving/transport_security.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"
#include "spdlog/spdlog.h"

namespace frontdesk::serving {

namespace {

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

void BlockShutdownSignals() {
  sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::string EnvOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Start(
    const ServiceOptions& options, const std::vector<grpc::Service*>& services,
    std::shared_ptr<prometheus::Registry> registry) {
  std::unique_ptr<ServiceRuntime> rt(new ServiceRuntime());
  rt->options_ = options;
  // absl::Mutex deadlock detection is a debugging aid (the sanitizer and
  // unit-test builds keep it); under load it took about 3% of the services'
  // CPU (perf, bench/load_memory.sh).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (!options.tls_dir.empty()) {
    absl::StatusOr<std::shared_ptr<TransportSecurity>> tls =
        TransportSecurity::FromDir(options.tls_dir, options.service_name);
    if (!tls.ok()) return tls.status();
    credentials = (*tls)->ServerCredentials(DepartmentPeerRules());
  } else if (options.plaintext_for_development) {
    spdlog::warn(
        "event=plaintext_grpc PLAINTEXT gRPC: no TLS, no peer check. "
        "Development only; never with real patients");
    credentials = grpc::InsecureServerCredentials();
  } else {
    return absl::FailedPreconditionError(
        "no transport security: pass --tls_dir (or set FRONTDESK_TLS_DIR), "
        "or --plaintext_for_development for a local experiment");
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat(options.host, ":", options.grpc_port),
                           credentials, &rt->grpc_port_);
  for (grpc::Service* s : services) builder.RegisterService(s);
  rt->server_ = builder.BuildAndStart();
  if (!rt->server_ || rt->grpc_port_ == 0) {
    return absl::UnavailableError(absl::StrCat(
        "grpc: cannot listen on ", options.host, ":", options.grpc_port));
  }
  if (options.health_port > 0) {
    // Nothing but the health service is registered here.
    grpc::ServerBuilder health;
    int bound = 0;
    health.AddListeningPort(
        absl::StrCat(options.host, ":", options.health_port),
        grpc::InsecureServerCredentials(), &bound);
    rt->health_server_ = health.BuildAndStart();
    if (!rt->health_server_ || bound == 0) {
      rt->server_->Shutdown();
      return absl::UnavailableError(
          absl::StrCat("grpc health: cannot listen on ", options.host, ":",
                       options.health_port));
    }
  }

  try {
    rt->exposer_ = std::make_unique<prometheus::Exposer>(
        absl::StrCat(options.host, ":", options.metrics_port));
  } catch (const std::exception& e) {
    rt->server_->Shutdown();
    return absl::UnavailableError(
        absl::StrCat("metrics: cannot listen on ", options.host, ":",
                     options.metrics_port, ": ", e.what()));
  }
  rt->exposer_->RegisterCollectable(registry);
  const std::vector<int> ports = rt->exposer_->GetListeningPorts();
  rt->metrics_port_ = ports.empty() ? 0 : ports.front();

  if (!options.ready_file.empty()) {
    const std::string tmp = options.ready_file + ".tmp";
    {
      std::ofstream out(tmp);
      out << "grpc_port=" << rt->grpc_port_ << "\n"
          << "metrics_port=" << rt->metrics_port_ << "\n";
      if (!out) {
        return absl::InternalError(
            absl::StrCat("ready file ", options.ready_file, ": cannot write"));
      }
    }
    std::rename(tmp.c_str(), options.ready_file.c_str());
  }
  spdlog::info("event=serving grpc_port={} metrics_port={}", rt->grpc_port_,
               rt->metrics_port_);
  return rt;
}

ServiceRuntime::~ServiceRuntime() { Shutdown(); }

void ServiceRuntime::RegisterCollectable(
    const std::weak_ptr<prometheus::Collectable>& collectable) {
  exposer_->RegisterCollectable(collectable);
}

void ServiceRuntime::WaitForShutdownSignal() {
  sigset_t set = ShutdownSignals();
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("event=shutdown_signal signal={}", sig);
  Shutdown();
}

void ServiceRuntime::Shutdown() {
  if (stopped_ || !server_) return;
  stopped_ = true;
  server_->GetHealthCheckService()->Shutdown();
  if (health_server_) {
    health_server_->GetHealthCheckService()->Shutdown();
  }
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(options_.drain));
  server_->Wait();
  if (health_server_) {
    health_server_->Shutdown(std::chrono::system_clock::now());
    health_server_->Wait();
  }
  spdlog::info("event=server_stopped");
}

}  // namespace frontdesk::serving
