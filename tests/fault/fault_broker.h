// FaultBroker: a Kafka broker of the fault suite's own, to kill and pause.
//
// A separate single-node KRaft instance started with deploy/local/kafka/
// kafka.sh (the same pinned jars) on free loopback ports, with its data under
// the suite's folder. The shared development broker on 19092 is never
// signalled. The suite's process is made a child subreaper, so the broker's
// JVM (which kafka.sh detaches) is reaped here once it is killed.
//
// Not thread-safe.
#ifndef FRONTDESK_TESTS_FAULT_FAULT_BROKER_H_
#define FRONTDESK_TESTS_FAULT_FAULT_BROKER_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace frontdesk::testing {

class FaultBroker {
 public:
  // Formats and starts a broker with its data in `dir`/kafka; returns once it
  // answers a metadata request.
  static absl::StatusOr<std::unique_ptr<FaultBroker>> Start(
      const std::string& dir);
  // Stops the broker (SIGCONT, SIGTERM, then SIGKILL) however the test ends.
  ~FaultBroker();

  // "127.0.0.1:<port>".
  const std::string& bootstrap() const { return bootstrap_; }
  pid_t pid() const { return pid_; }

  // SIGKILL, and waits until the process is gone.
  absl::Status Kill();
  // Starts it again on the same ports and data; returns once it answers.
  absl::Status Restart();
  // SIGSTOP / SIGCONT.
  absl::Status Pause();
  absl::Status Resume();

 private:
  absl::Status RunScript(const std::string& verb, std::string* out);
  absl::Status StartAndReadPid();
  // Waits until an idempotent producer's record is acknowledged.
  absl::Status WarmUp();

  std::string dir_;
  std::string bootstrap_;
  int port_ = 0;
  int controller_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace frontdesk::testing

#endif  // FRONTDESK_TESTS_FAULT_FAULT_BROKER_H_
