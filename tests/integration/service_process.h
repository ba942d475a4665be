// ServiceProcess: one real service binary, run as a child process for an
// integration test, on ports the service picks itself (port 0) and reports
// through its ready file.
#ifndef FRONTDESK_TESTS_INTEGRATION_SERVICE_PROCESS_H_
#define FRONTDESK_TESTS_INTEGRATION_SERVICE_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace frontdesk::testing {

class ServiceProcess {
 public:
  // Starts `binary` with `args` plus --grpc_port=0 --metrics_port=0
  // --ready_file, output to `log_path`, and waits until it is serving.
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> Start(
      const std::string& binary, std::vector<std::string> args,
      const std::string& work_dir, const std::string& log_path);
  ~ServiceProcess();

  // SIGTERM, then waits up to `grace`; returns the exit code, or -signal.
  // SIGKILLs it if it did not exit in time and returns an error.
  absl::StatusOr<int> Terminate(absl::Duration grace = absl::Seconds(20));

  // SIGKILL: the process gets no chance to flush or say goodbye.
  void Kill();

  std::string address() const;
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }
  bool running() const;

 private:
  pid_t pid_ = -1;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  std::string log_path_;
};

// The whole file, or "" when it cannot be read.
std::string ReadFile(const std::string& path);

}  // namespace frontdesk::testing

#endif  // FRONTDESK_TESTS_INTEGRATION_SERVICE_PROCESS_H_
