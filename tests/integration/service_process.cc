#include "tests/integration/service_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace frontdesk::testing {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

absl::StatusOr<std::unique_ptr<ServiceProcess>> ServiceProcess::Start(
    const std::string& binary, std::vector<std::string> args,
    const std::string& work_dir, const std::string& log_path) {
  const std::string name = binary.substr(binary.find_last_of('/') + 1);
  const std::string ready = absl::StrCat(work_dir, "/", name, ".ready");
  unlink(ready.c_str());
  args.insert(args.begin(), binary);
  bool port_given = false;
  for (const std::string& a : args)
    port_given = port_given || absl::StartsWith(a, "--grpc_port=");
  if (!port_given) args.push_back("--grpc_port=0");
  args.push_back("--metrics_port=0");
  args.push_back(absl::StrCat("--ready_file=", ready));
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  auto p = std::unique_ptr<ServiceProcess>(new ServiceProcess());
  p->log_path_ = log_path;
  p->pid_ = fork();
  if (p->pid_ < 0) return absl::InternalError("fork failed");
  if (p->pid_ == 0) {
    // The test blocks no signals the child needs; start clean.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    const std::string text = ReadFile(ready);
    if (!text.empty()) {
      for (absl::string_view line : absl::StrSplit(text, '\n')) {
        std::pair<std::string, std::string> kv = absl::StrSplit(line, '=');
        if (kv.first == "grpc_port")
          (void)absl::SimpleAtoi(kv.second, &p->grpc_port_);
        if (kv.first == "metrics_port")
          (void)absl::SimpleAtoi(kv.second, &p->metrics_port_);
      }
      if (p->grpc_port_ > 0) return p;
    }
    int status = 0;
    if (waitpid(p->pid_, &status, WNOHANG) == p->pid_) {
      p->pid_ = -1;
      return absl::UnavailableError(absl::StrCat(
          name, " exited before serving; log:\n", ReadFile(log_path)));
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(
      absl::StrCat(name, " did not become ready"));
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) (void)Terminate(absl::Seconds(5));
}

bool ServiceProcess::running() const {
  if (pid_ <= 0) return false;
  int status = 0;
  return waitpid(pid_, &status, WNOHANG) == 0;
}

absl::StatusOr<int> ServiceProcess::Terminate(absl::Duration grace) {
  if (pid_ <= 0) return absl::FailedPreconditionError("not running");
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + grace;
  int status = 0;
  while (absl::Now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return absl::DeadlineExceededError("did not exit after SIGTERM; killed");
}

void ServiceProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServiceProcess::address() const {
  return absl::StrCat("127.0.0.1:", grpc_port_);
}

}  // namespace frontdesk::testing
