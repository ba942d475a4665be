#include "tests/fault/fault_broker.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/kafka/kafka_event_log.h"
#include "libs/kafka/kafka_settings.h"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {
namespace {

// True once `pid` has exited (reaped here, or gone from /proc).
bool Gone(pid_t pid) {
  int status = 0;
  const pid_t r = waitpid(pid, &status, WNOHANG);
  if (r == pid) return true;
  return kill(pid, 0) != 0;
}

bool WaitGone(pid_t pid, absl::Duration limit) {
  const absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (Gone(pid)) return true;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return Gone(pid);
}

}  // namespace

absl::StatusOr<std::unique_ptr<FaultBroker>> FaultBroker::Start(
    const std::string& dir) {
  // kafka.sh detaches the JVM; as a subreaper this process inherits it and
  // can reap it after a kill -9.
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    return absl::InternalError("prctl(PR_SET_CHILD_SUBREAPER) failed");
  }
  auto b = std::unique_ptr<FaultBroker>(new FaultBroker());
  b->dir_ = dir;
  absl::StatusOr<int> port = FreeLoopbackPort();
  if (!port.ok()) return port.status();
  absl::StatusOr<int> cport = FreeLoopbackPort();
  if (!cport.ok()) return cport.status();
  if (*port == *cport) return absl::InternalError("the same free port twice");
  b->port_ = *port;
  b->controller_port_ = *cport;
  b->bootstrap_ = absl::StrCat("127.0.0.1:", b->port_);
  absl::Status started = b->StartAndReadPid();
  if (!started.ok()) return started;
  return b;
}

FaultBroker::~FaultBroker() {
  if (pid_ <= 0) return;
  kill(pid_, SIGCONT);
  kill(pid_, SIGTERM);
  if (!WaitGone(pid_, absl::Seconds(30))) {
    kill(pid_, SIGKILL);
    WaitGone(pid_, absl::Seconds(10));
  }
}

absl::Status FaultBroker::RunScript(const std::string& verb, std::string* out) {
  const std::string cmd = absl::StrCat(
      "FRONTDESK_RUN_DIR='", dir_, "' KAFKA_PORT=", port_,
      " KAFKA_CONTROLLER_PORT=", controller_port_, " KAFKA_HEAP=384m '",
      FRONTDESK_SOURCE_DIR, "/deploy/local/kafka/kafka.sh' ", verb, " 2>>'",
      dir_, "/kafka-script.log'");
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return absl::InternalError("popen of kafka.sh failed");
  char buf[256];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  const int status = pclose(p);
  if (status != 0) {
    return absl::UnavailableError(absl::StrCat(
        "kafka.sh ", verb, " failed; see ", dir_, "/kafka-script.log"));
  }
  return absl::OkStatus();
}

absl::Status FaultBroker::StartAndReadPid() {
  std::string ignored;
  absl::Status st = RunScript("start", &ignored);
  if (!st.ok()) return st;
  std::string out;
  st = RunScript("pid", &out);
  if (!st.ok()) return st;
  int pid = 0;
  if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(out), &pid) || pid <= 0) {
    return absl::InternalError("kafka.sh pid printed no pid");
  }
  pid_ = pid;
  return WarmUp();
}

absl::Status FaultBroker::WarmUp() {
  // A fresh broker answers metadata before its coordinators have loaded; an
  // idempotent producer gets no producer id until they have. One
  // acknowledged record means the services' first appends will not wait.
  kafka::KafkaSettings settings;
  settings.brokers = bootstrap_;
  const std::string topic = "frontdesk.fault-warmup.v1";
  absl::Status st =
      kafka::EnsureTopics(settings, {{topic, 1, 1, {}}}, absl::Seconds(60));
  if (!st.ok()) return st;
  kafka::KafkaEventLogOptions options;
  options.client_id = "frontdesk-fault-warmup";
  auto log = kafka::KafkaEventLog::Create(settings, options);
  if (!log.ok()) return log.status();
  return (*log)->Append({{topic, "warmup", "warmup", "warmup"}},
                        absl::Seconds(120));
}

absl::Status FaultBroker::Kill() {
  if (pid_ <= 0) return absl::FailedPreconditionError("broker not running");
  kill(pid_, SIGKILL);
  if (!WaitGone(pid_, absl::Seconds(30))) {
    return absl::DeadlineExceededError("the broker outlived SIGKILL");
  }
  pid_ = -1;
  return absl::OkStatus();
}

absl::Status FaultBroker::Restart() {
  if (pid_ > 0) return absl::FailedPreconditionError("broker still running");
  // kafka.sh sees the stale pid file's process gone and starts a new one.
  return StartAndReadPid();
}

absl::Status FaultBroker::Pause() {
  if (pid_ <= 0 || kill(pid_, SIGSTOP) != 0) {
    return absl::FailedPreconditionError("broker not running");
  }
  return absl::OkStatus();
}

absl::Status FaultBroker::Resume() {
  if (pid_ <= 0 || kill(pid_, SIGCONT) != 0) {
    return absl::FailedPreconditionError("broker not running");
  }
  return absl::OkStatus();
}

}  // namespace frontdesk::testing
