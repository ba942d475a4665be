// Test support: EHR stand-ins whose answers a test scripts, for the cases the
// simulated EHR never produces (a foreign OperationOutcome, a garbled
// header, a wrong resource). Test-only.
//
//   ScriptedEhrServer: an HTTP server on a free loopback port; every request
//     under /fhir is recorded (method, path, idempotency key, body) and
//     answered by the test's `Answer` function.
//   SilentEhrServer: a socket that listens and never accepts or answers:
//     the kernel completes the connection, the request is sent, and no reply
//     ever comes.
#ifndef FRONTDESK_LIBS_SCHEDULING_SCRIPTED_EHR_SERVER_H_
#define FRONTDESK_LIBS_SCHEDULING_SCRIPTED_EHR_SERVER_H_

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace frontdesk::scheduling {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::string idempotency_key;
  // The URL's query parameters.
  httplib::Params params;
  std::string body;
};

class ScriptedEhrServer {
 public:
  // Called for every request; `n` counts requests from 0. Runs on the
  // server's threads.
  using Answer =
      std::function<void(int n, const httplib::Request&, httplib::Response&)>;

  explicit ScriptedEhrServer(Answer answer) : answer_(std::move(answer)) {
    auto handle = [this](const httplib::Request& req, httplib::Response& res) {
      int n;
      {
        absl::MutexLock lock(&mu_);
        n = static_cast<int>(requests_.size());
        requests_.push_back({req.method, req.path,
                             req.get_header_value("Idempotency-Key"),
                             req.params, req.body});
      }
      answer_(n, req, res);
    };
    server_.Get("/fhir/.*", handle);
    server_.Post("/fhir/.*", handle);
    server_.Patch("/fhir/.*", handle);
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (!server_.is_running() && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(1));
    }
  }
  ~ScriptedEhrServer() {
    server_.stop();
    if (thread_.joinable()) thread_.join();
  }

  int port() const { return port_; }
  std::string base_url() const {
    return absl::StrCat("http://127.0.0.1:", port_, "/fhir");
  }
  std::vector<RecordedRequest> requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  const Answer answer_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  absl::Mutex mu_;
  std::vector<RecordedRequest> requests_ ABSL_GUARDED_BY(mu_);
};

class SilentEhrServer {
 public:
  SilentEhrServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (fd_ < 0 ||
        bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(fd_, 64) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~SilentEhrServer() {
    if (fd_ >= 0) close(fd_);
  }
  // 0 when the socket could not be set up.
  int port() const { return port_; }
  std::string base_url() const {
    return absl::StrCat("http://127.0.0.1:", port_, "/fhir");
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace frontdesk::scheduling

#endif  // FRONTDESK_LIBS_SCHEDULING_SCRIPTED_EHR_SERVER_H_
