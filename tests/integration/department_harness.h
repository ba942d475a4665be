// Department: the four real services, started as processes against the real
// broker, for one integration test suite.
//
// Each department gets its own folder under /tmp with a fresh PHI keyring
// (one random key for kTenant, mode 600), the services' logs, ready files and
// journals, and its own record-keeper consumer group, so suites never share
// state except the broker.
#ifndef FRONTDESK_TESTS_INTEGRATION_DEPARTMENT_HARNESS_H_
#define FRONTDESK_TESTS_INTEGRATION_DEPARTMENT_HARNESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "frontdesk/answer/v1/answer_service.grpc.pb.h"
#include "frontdesk/handoff/v1/staff_service.grpc.pb.h"
#include "frontdesk/records/v1/records_service.grpc.pb.h"
#include "frontdesk/rules/v1/rules_service.grpc.pb.h"
#include "libs/kafka/kafka_settings.h"
#include "tests/integration/service_process.h"

namespace frontdesk::testing {

inline constexpr char kTenant[] = "sunrise-family-medicine";

// FRONTDESK_KAFKA_BROKERS, or the local broker of deploy/local/kafka.
std::string TestBrokers();

// The local broker's pid, from deploy/local/kafka/kafka.sh pid.
absl::StatusOr<pid_t> BrokerPid();

class Department {
 public:
  // Fails when the broker does not answer (start it with `make test` or
  // deploy/local/kafka/kafka.sh start) or a service does not come up.
  // `policy_path` empty: the sample clinic's policy. With `staff_console`,
  // handoff-prep also serves its web console on a free port (console_port());
  // without, the console is off.
  static absl::StatusOr<std::unique_ptr<Department>> Start(
      int append_timeout_ms = 2000, const std::string& policy_path = "",
      bool staff_console = false);
  ~Department();

  std::unique_ptr<frontdesk::answer::v1::Answer::Stub> Answer() const;
  std::unique_ptr<frontdesk::rules::v1::RulesCheck::Stub> Rules() const;
  std::unique_ptr<frontdesk::records::v1::Records::Stub> Records() const;
  // handoff-prep's staff API (callers add x-staff-id and x-staff-role).
  std::unique_ptr<frontdesk::handoff::v1::StaffQueue::Stub> Staff() const;

  kafka::KafkaSettings kafka() const;
  const std::string& dir() const { return dir_; }
  // The department's mTLS folder (ca.pem, <identity>.pem/.key) for answer,
  // rules-check, handoff-prep, record-keeper and frontdesk-cli; pass it to the
  // frontdesk tool as --tls_dir.
  const std::string& tls_dir() const { return tls_dir_; }
  // A staff token from the department's issuer for `staff_id` in `role`,
  // expiring `ttl` from now (negative: already expired), for `tenant` (the
  // sample clinic when empty). Send it as "authorization: Bearer <token>".
  absl::StatusOr<std::string> StaffToken(const std::string& staff_id,
                                         const std::string& role,
                                         absl::Duration ttl = absl::Hours(1),
                                         const std::string& tenant = "") const;
  // Signs `ctx` in as `staff_id` in `role` (a staff token in
  // "authorization"), with `purpose` as x-purpose when not empty, as the
  // records API wants. A token that cannot be made fails the test.
  void SignIn(grpc::ClientContext* ctx, const std::string& staff_id,
              const std::string& role, const std::string& purpose = "") const;
  // The public key handoff-prep and record-keeper verify staff tokens with.
  const std::string& token_public_key_file() const {
    return token_public_key_file_;
  }
  // An mTLS channel to `address` presenting `identity`'s certificate and
  // expecting `server_identity`.
  std::shared_ptr<grpc::Channel> Channel(
      const std::string& identity, const std::string& address,
      const std::string& server_identity) const;
  // The keyring the services seal with (libs/phi/local_keyring_file.h).
  const std::string& keyring_file() const { return keyring_file_; }
  // The services' event signing keys: <service>.key (private, mode 600) and
  // <service>.pub, for `frontdesk replay --producer_keys`.
  const std::string& signing_keys_dir() const { return signing_keys_dir_; }
  ServiceProcess& answer() { return *answer_; }
  ServiceProcess& rules_check() { return *rules_; }
  ServiceProcess& handoff_prep() { return *handoff_; }
  ServiceProcess& record_keeper() { return *records_; }
  // The port of handoff-prep's staff console on 127.0.0.1; 0 when off.
  int console_port() const { return console_port_; }
  // Each service's name ("answer", "rules-check", "handoff-prep",
  // "record-keeper") and its /metrics port on 127.0.0.1.
  std::vector<std::pair<std::string, int>> MetricsPorts() const;

  // Kills the answer process with SIGKILL and starts a new one with the same
  // flags (on a new port: take a new Answer() stub afterwards).
  absl::Status RestartAnswerAfterKill();
  // Kills handoff-prep with SIGKILL and starts a new one with the same flags
  // on the same gRPC port.
  absl::Status RestartHandoffAfterKill();

  // Kills `service` ("answer", "rules-check", "handoff-prep" or
  // "record-keeper") with SIGKILL and starts it again with the same flags on
  // the same gRPC port, so clients and the other services find it where it
  // was. For the fault suite (tests/fault).
  absl::Status RestartOnSamePortAfterKill(const std::string& service);

  // SIGTERM to every service; OK only when all exit with code 0.
  absl::Status Stop();
  // Every service's log, concatenated.
  std::string Logs() const;

 private:
  std::string dir_;
  std::string tls_dir_;
  std::string token_issuer_key_;
  std::string token_public_key_file_;
  std::string keyring_file_;
  std::string signing_keys_dir_;
  std::unique_ptr<ServiceProcess> rules_;
  std::unique_ptr<ServiceProcess> handoff_;
  std::unique_ptr<ServiceProcess> records_;
  std::unique_ptr<ServiceProcess> answer_;
  std::vector<std::string> answer_args_;
  std::vector<std::string> handoff_args_;
  std::vector<std::string> rules_args_;
  std::vector<std::string> records_args_;
  int console_port_ = 0;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then
// released), for a server that takes its port on the command line.
absl::StatusOr<int> FreeLoopbackPort();

}  // namespace frontdesk::testing

#endif  // FRONTDESK_TESTS_INTEGRATION_DEPARTMENT_HARNESS_H_
