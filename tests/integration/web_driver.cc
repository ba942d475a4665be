#include "tests/integration/web_driver.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {

using json = nlohmann::json;

namespace {

// The key W3C WebDriver names element references with.
constexpr char kElementKey[] = "element-6066-11e4-a52e-4f735466cecf";

absl::Status Missing(const std::string& path, const char* package) {
  return absl::FailedPreconditionError(absl::StrCat(
      path, " is missing: install Debian's ", package,
      " package (deploy/local/install-deps.sh installs it for make test)"));
}

// Starts `argv` in a process group of its own, output to `log_path`; the
// child gets SIGTERM if the test process dies first.
absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv,
                            const std::string& log_path) {
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

absl::StatusOr<std::unique_ptr<WebDriver>> WebDriver::Start(
    const WebDriverOptions& options) {
  if (!std::filesystem::exists(options.browser)) {
    return Missing(options.browser, "chromium");
  }
  if (!std::filesystem::exists(options.driver)) {
    return Missing(options.driver, "chromium-driver");
  }
  absl::StatusOr<int> port = FreeLoopbackPort();
  if (!port.ok()) return port.status();
  auto d = std::unique_ptr<WebDriver>(new WebDriver());
  auto pid = Spawn({options.driver, absl::StrCat("--port=", *port),
                    "--log-path=" + options.work_dir + "/chromedriver.log"},
                   options.work_dir + "/chromedriver.out");
  if (!pid.ok()) return pid.status();
  d->pid_ = *pid;
  d->client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  d->client_->set_connection_timeout(2, 0);
  d->client_->set_read_timeout(60, 0);

  // chromedriver is up when it says it is ready.
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  bool ready = false;
  while (!ready && absl::Now() < deadline) {
    auto status = d->Command("GET", "/status", nullptr);
    ready = status.ok() && status->value("ready", false);
    if (!ready) absl::SleepFor(absl::Milliseconds(100));
  }
  if (!ready) {
    return absl::UnavailableError(
        absl::StrCat("chromedriver did not become ready; see ",
                     options.work_dir, "/chromedriver.out"));
  }

  const json capabilities = {
      {"capabilities",
       {{"alwaysMatch",
         {{"browserName", "chrome"},
          {"goog:chromeOptions",
           {{"binary", options.browser},
            {"args",
             {"--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--no-first-run",
              absl::StrCat("--window-size=", options.width, ",",
                           options.height),
              "--user-data-dir=" + options.work_dir +
                  "/chromium-profile"}}}}}}}}};
  auto session = d->Command("POST", "/session", capabilities);
  if (!session.ok()) return session.status();
  d->session_ = session->value("sessionId", "");
  if (d->session_.empty()) {
    return absl::InternalError("chromedriver gave no session id");
  }
  return d;
}

WebDriver::~WebDriver() {
  if (!session_.empty()) {
    (void)Command("DELETE", absl::StrCat("/session/", session_), nullptr);
  }
  if (pid_ <= 0) return;
  kill(-pid_, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

absl::StatusOr<json> WebDriver::Command(const std::string& method,
                                        const std::string& path,
                                        const json& body) {
  httplib::Result r =
      method == "GET" ? client_->Get(path.c_str())
      : method == "DELETE"
          ? client_->Delete(path.c_str())
          : client_->Post(path.c_str(), body.dump(), "application/json");
  if (!r) {
    return absl::UnavailableError(
        absl::StrCat(method, " ", path, ": ", httplib::to_string(r.error())));
  }
  json reply = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (reply.is_discarded() || !reply.is_object()) {
    return absl::InternalError(
        absl::StrCat(method, " ", path, ": not JSON (HTTP ", r->status, ")"));
  }
  json value = reply.value("value", json());
  if (r->status != 200) {
    const std::string error = value.is_object() ? value.value("error", "") : "";
    const std::string message =
        value.is_object() ? value.value("message", "") : "";
    return absl::UnknownError(absl::StrCat(method, " ", path, ": HTTP ",
                                           r->status, " ", error, ": ",
                                           message.substr(0, 500)));
  }
  return value;
}

absl::Status WebDriver::Navigate(const std::string& url) {
  return Command("POST", absl::StrCat("/session/", session_, "/url"),
                 {{"url", url}})
      .status();
}

absl::StatusOr<json> WebDriver::Execute(const std::string& script,
                                        const json& args) {
  return Command("POST", absl::StrCat("/session/", session_, "/execute/sync"),
                 {{"script", script}, {"args", args}});
}

absl::Status WebDriver::WaitUntil(const std::string& script,
                                  absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status last = absl::OkStatus();
  while (absl::Now() < deadline) {
    absl::StatusOr<json> v = Execute(script);
    if (v.ok() && v->is_boolean() && v->get<bool>()) return absl::OkStatus();
    if (!v.ok()) last = v.status();
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::DeadlineExceededError(absl::StrCat(
      "waited ", absl::FormatDuration(timeout), " for: ", script,
      last.ok() ? "" : absl::StrCat(" (last error: ", last.message(), ")")));
}

absl::StatusOr<std::string> WebDriver::Find(const std::string& css) {
  auto v = Command("POST", absl::StrCat("/session/", session_, "/element"),
                   {{"using", "css selector"}, {"value", css}});
  if (!v.ok()) return v.status();
  if (!v->is_object() || !v->contains(kElementKey)) {
    return absl::NotFoundError(absl::StrCat("no element for ", css));
  }
  return (*v)[kElementKey].get<std::string>();
}

absl::Status WebDriver::Click(const std::string& element) {
  return Command("POST",
                 absl::StrCat("/session/", session_, "/element/", element,
                              "/click"),
                 json::object())
      .status();
}

absl::Status WebDriver::Type(const std::string& element,
                             const std::string& text) {
  return Command("POST",
                 absl::StrCat("/session/", session_, "/element/", element,
                              "/value"),
                 {{"text", text}})
      .status();
}

absl::StatusOr<std::string> WebDriver::Screenshot() {
  auto v = Command("GET", absl::StrCat("/session/", session_, "/screenshot"),
                   nullptr);
  if (!v.ok()) return v.status();
  if (!v->is_string()) return absl::InternalError("screenshot: not base64");
  std::string png;
  if (!absl::Base64Unescape(v->get<std::string>(), &png)) {
    return absl::InternalError("screenshot: not base64");
  }
  return png;
}

}  // namespace frontdesk::testing
