#include "services/handoff_prep/staff_console.h"

#include <httplib.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/common/service_logging.h"
#include "nlohmann/json.hpp"
#include "services/handoff_prep/staff_console_page.h"
#include "spdlog/spdlog.h"

namespace frontdesk::handoff_prep {

namespace hv = ::frontdesk::handoff::v1;
using json = nlohmann::json;

namespace {

constexpr char kJson[] = "application/json";
constexpr char kVia[] = "console";

// Serializes without throwing: invalid UTF-8 becomes U+FFFD.
std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

int64_t Millis(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000 + t.nanos() / 1000000;
}

const char* StateName(hv::HandoffState s) {
  switch (s) {
    case hv::HANDOFF_STATE_CREATED:
      return "created";
    case hv::HANDOFF_STATE_CLAIMED:
      return "claimed";
    case hv::HANDOFF_STATE_RESOLVED:
      return "resolved";
    default:
      return "unspecified";
  }
}

// A handoff as the page shows it. The sealed PHI stays out; what the role
// may see of it is already opened in the view.
json ViewJson(const hv::HandoffView& v, absl::Time now) {
  const hv::HandoffPacket& p = v.packet();
  json intake = json::array();
  for (const auto& value : v.intake()) {
    intake.push_back({{"field", value.field()}, {"value", value.value()}});
  }
  json j = {
      {"handoff_id", p.handoff_id()},
      {"call_id", p.call_id()},
      {"queue", p.queue()},
      {"origin_queue", p.origin_queue()},
      {"state", StateName(p.state())},
      {"revision", p.revision()},
      {"priority", p.priority()},
      {"urgent", p.priority() == 1},
      {"category", p.category()},
      {"request_type", p.request_type()},
      {"rule_id", p.rule_id()},
      {"policy_version", p.policy_version()},
      {"matched_triggers",
       std::vector<std::string>(p.matched_triggers().begin(),
                                p.matched_triggers().end())},
      {"trigger_phrase", p.trigger_phrase()},
      {"trigger_source", p.trigger_source()},
      {"trigger_begin", p.trigger_begin()},
      {"trigger_end", p.trigger_end()},
      {"trigger_words", v.trigger_words()},
      {"caller_number", v.caller_number()},
      {"intake", std::move(intake)},
      {"attempted_step", p.attempted_step()},
      {"patient_told", p.patient_told()},
      {"consent_declined", p.consent_declined()},
      {"owner_role", p.owner_role()},
      {"backup_role", p.backup_role()},
      {"last_resort_role", p.last_resort_role()},
      {"escalation_level", p.escalation_level()},
      {"created_ms", Millis(p.created_at())},
      {"deadline_ms", Millis(p.deadline())},
      {"seconds_to_deadline", v.seconds_to_deadline()},
      {"claimed_by", p.claimed_by()},
      {"claimed_role", p.claimed_role()},
      {"claimed_ms", Millis(p.claimed_at())},
      {"resolved_by", p.resolved_by()},
      // The desk's time now: the page counts down deadline_ms - now_ms from
      // its own clock, so a browser clock that is off does not matter.
      {"now_ms", absl::ToUnixMillis(now)},
  };
  return j;
}

// Whether the handoff is open on `queue`. The desk's watch also reports the
// ones that were resolved or moved to another queue, so a watcher can drop
// them.
bool OnQueue(const hv::HandoffView& v, const std::string& queue) {
  return v.packet().queue() == queue &&
         (v.packet().state() == hv::HANDOFF_STATE_CREATED ||
          v.packet().state() == hv::HANDOFF_STATE_CLAIMED);
}

// Just enough for the page to drop a handoff that left the queue: nothing
// of the caller goes to a role the new queue may not serve.
json GoneJson(const hv::HandoffView& v) {
  const hv::HandoffPacket& p = v.packet();
  return {{"handoff_id", p.handoff_id()},
          {"queue", p.queue()},
          {"state", StateName(p.state())},
          {"revision", p.revision()}};
}

int HttpCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kOutOfRange:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return 503;
    default:
      return 500;
  }
}

void SendError(httplib::Response& res, int http_code,
               const std::string& message) {
  res.status = http_code;
  res.set_content(Dump({{"error", message}}), kJson);
}

void SendStatus(httplib::Response& res, const absl::Status& s) {
  SendError(res, HttpCode(s.code()), std::string(s.message()));
}

// Who is asking: the staff token, or in development the asserted headers.
absl::StatusOr<StaffMember> Identify(const auth::StaffAuthenticator& authn,
                                     const std::string& authorization,
                                     const std::string& asserted_id,
                                     const std::string& asserted_role) {
  absl::StatusOr<auth::StaffPrincipal> p =
      authn.Authenticate(authorization, asserted_id, asserted_role);
  if (!p.ok()) return p.status();
  StaffMember who;
  who.id = p->subject;
  who.role = p->role;
  who.via = kVia;
  return who;
}

absl::StatusOr<StaffMember> HeaderIdentity(const auth::StaffAuthenticator& a,
                                           const httplib::Request& req) {
  return Identify(a, req.get_header_value("Authorization"),
                  req.get_header_value("X-Staff-Id"),
                  req.get_header_value("X-Staff-Role"));
}

// A JSON object body with string members `fields` (missing ones read as "").
absl::StatusOr<std::vector<std::string>> StringFields(
    const httplib::Request& req, const std::vector<std::string>& fields) {
  json body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return absl::InvalidArgumentError("body: a JSON object is required");
  }
  std::vector<std::string> out;
  for (const std::string& f : fields) {
    auto it = body.find(f);
    if (it == body.end() || it->is_null()) {
      out.emplace_back();
    } else if (it->is_string()) {
      out.push_back(it->get<std::string>());
    } else {
      return absl::InvalidArgumentError(absl::StrCat(f, ": must be a string"));
    }
  }
  return out;
}

bool IsLoopback(const std::string& address) {
  return address == "localhost" || address == "::1" ||
         absl::StartsWith(address, "127.");
}

// Whether a Host header names this console on loopback.
bool IsLoopbackHost(const std::string& host, int port) {
  const std::string suffix = absl::StrCat(":", port);
  if (!absl::EndsWith(host, suffix)) return false;
  const std::string name = host.substr(0, host.size() - suffix.size());
  return name == "[::1]" || IsLoopback(name);
}

// One server-sent event.
std::string SseEvent(const char* name, const json& data) {
  return absl::StrCat("event: ", name, "\ndata: ", Dump(data), "\n\n");
}

bool Write(httplib::DataSink& sink, const std::string& s) {
  return sink.write(s.data(), s.size());
}

// A live /api/events stream.
struct Stream {
  StaffMember who;
  std::string queue;
  uint64_t version = 0;
  bool snapshot_sent = false;
  absl::Time last_write = absl::InfinitePast();
};

}  // namespace

StaffConsole::StaffConsole(HandoffDesk* desk,
                           std::shared_ptr<const policy::ClinicPolicy> policy,
                           const Clock* clock, StaffConsoleOptions options)
    : desk_(desk),
      policy_(std::move(policy)),
      clock_(clock),
      options_(std::move(options)),
      asserted_(options_.authenticator == nullptr
                    ? auth::StaffAuthenticator::AssertedForDevelopment(
                          policy_->tenant_id())
                    : nullptr),
      authenticator_(options_.authenticator != nullptr ? options_.authenticator
                                                       : asserted_.get()) {}

StaffConsole::~StaffConsole() { Stop(); }

absl::StatusOr<int> StaffConsole::Start() {
  server_ = std::make_unique<httplib::Server>();
  const size_t threads =
      static_cast<size_t>(std::max(1, options_.request_threads) +
                          std::max(0, options_.max_event_streams));
  server_->new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  auto secs = [](absl::Duration d) {
    return static_cast<time_t>(absl::ToInt64Seconds(d));
  };
  auto usecs = [](absl::Duration d) {
    return static_cast<time_t>(
        absl::ToInt64Microseconds(d - absl::Seconds(absl::ToInt64Seconds(d))));
  };
  server_->set_read_timeout(secs(options_.read_timeout),
                            usecs(options_.read_timeout));
  server_->set_write_timeout(secs(options_.write_timeout),
                             usecs(options_.write_timeout));
  server_->set_keep_alive_timeout(2);
  server_->set_payload_max_length(options_.max_body_bytes);
  Route();

  const bool bound =
      options_.port == 0
          ? (port_ = server_->bind_to_any_port(options_.bind)) > 0
          : server_->bind_to_port(options_.bind, options_.port);
  if (!bound) {
    port_ = 0;
    return absl::UnavailableError(absl::StrCat(
        "staff console: cannot listen on ", options_.bind, ":", options_.port));
  }
  if (options_.port != 0) port_ = options_.port;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // httplib's stop() does nothing to a server that is not running yet, so
  // Start returns only once it runs.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!server_->is_running() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  spdlog::info("event=console_serving bind={} port={}", options_.bind, port_);
  return port_;
}

void StaffConsole::Stop() {
  if (server_ == nullptr || stopping_.exchange(true)) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  spdlog::info("event=console_stopped");
}

void StaffConsole::Route() {
  httplib::Server& s = *server_;
  s.set_default_headers({
      {"Cache-Control", "no-store"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
  });

  // Only the console's own page may call the API: a request another origin
  // sends (a browser names it in Origin) is refused before it reaches the
  // desk. On loopback, the Host must be a loopback name too, so a page that
  // rebinds its own name to 127.0.0.1 gets nothing.
  s.set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        const std::string host = req.get_header_value("Host");
        const std::string origin = req.get_header_value("Origin");
        if (!origin.empty() && origin != absl::StrCat("http://", host)) {
          SendError(res, 403, "requests from another origin are refused");
          return httplib::Server::HandlerResponse::Handled;
        }
        if (IsLoopback(options_.bind) && !IsLoopbackHost(host, port_)) {
          SendError(res, 403, "use the console at a loopback address");
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  // Errors httplib answers itself (no route, body too large, ...) get a
  // JSON body too.
  s.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        SendError(res, res.status,
                  res.status == 413   ? "request body too large"
                  : res.status == 404 ? "no such page"
                                      : "bad request");
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler([](const httplib::Request& req,
                             httplib::Response& res, std::exception_ptr) {
    spdlog::error("event=console_request_failed path={}", req.path);
    SendError(res, 500, "internal error");
  });

  s.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'unsafe-inline'; "
                   "style-src 'unsafe-inline'; connect-src 'self'; "
                   "img-src 'self' data:; base-uri 'none'; "
                   "form-action 'none'; frame-ancestors 'none'");
    res.set_header("X-Frame-Options", "DENY");
    res.set_content(kStaffConsolePage, "text/html; charset=utf-8");
  });

  s.Get("/api/queues", [this](const httplib::Request&, httplib::Response& res) {
    json queues = json::array();
    std::set<std::string> roles;
    for (const std::string& id : policy_->QueueIds()) {
      const auto* q = policy_->FindQueue(id);
      if (q == nullptr) continue;
      queues.push_back({{"id", q->id()},
                        {"owner_role", q->owner_role()},
                        {"backup_role", q->backup_role()},
                        {"last_resort_role", q->last_resort_role()},
                        {"claim_window_minutes", q->claim_window_minutes()}});
      for (const std::string& r :
           {q->owner_role(), q->backup_role(), q->last_resort_role()}) {
        if (!r.empty()) roles.insert(r);
      }
    }
    res.set_content(
        Dump({{"queues", std::move(queues)},
              {"roles", std::vector<std::string>(roles.begin(), roles.end())}}),
        kJson);
  });

  s.Get(
      "/api/open", [this](const httplib::Request& req, httplib::Response& res) {
        absl::StatusOr<StaffMember> who = HeaderIdentity(*authenticator_, req);
        if (!who.ok()) return SendStatus(res, who.status());
        auto open = desk_->ListOpen(*who, req.get_param_value("queue"));
        if (!open.ok()) return SendStatus(res, open.status());
        json list = json::array();
        for (const hv::HandoffView& v : *open)
          list.push_back(ViewJson(v, clock_->Now()));
        res.set_content(Dump({{"handoffs", std::move(list)}}), kJson);
      });

  s.Post("/api/claim", [this](const httplib::Request& req,
                              httplib::Response& res) {
    absl::StatusOr<StaffMember> who = HeaderIdentity(*authenticator_, req);
    if (!who.ok()) return SendStatus(res, who.status());
    auto fields = StringFields(req, {"handoff_id"});
    if (!fields.ok()) return SendStatus(res, fields.status());
    auto view = desk_->Claim(*who, (*fields)[0]);
    if (!view.ok()) return SendStatus(res, view.status());
    res.set_content(Dump(ViewJson(*view, clock_->Now())), kJson);
  });

  s.Post("/api/resolve", [this](const httplib::Request& req,
                                httplib::Response& res) {
    absl::StatusOr<StaffMember> who = HeaderIdentity(*authenticator_, req);
    if (!who.ok()) return SendStatus(res, who.status());
    auto fields = StringFields(req, {"handoff_id", "note"});
    if (!fields.ok()) return SendStatus(res, fields.status());
    auto view = desk_->Resolve(*who, (*fields)[0], (*fields)[1]);
    if (!view.ok()) return SendStatus(res, view.status());
    res.set_content(Dump(ViewJson(*view, clock_->Now())), kJson);
  });

  s.Get("/api/events", [this](const httplib::Request& req,
                              httplib::Response& res) {
    auto stream = std::make_shared<Stream>();
    // EventSource cannot send headers: the token comes as a parameter.
    absl::StatusOr<StaffMember> who =
        Identify(*authenticator_, req.get_param_value("token"),
                 req.get_param_value("staff_id"), req.get_param_value("role"));
    if (!who.ok()) return SendStatus(res, who.status());
    stream->who = *who;
    stream->queue = req.get_param_value("queue");
    if (streams_.fetch_add(1) >= options_.max_event_streams) {
      streams_.fetch_sub(1);
      return SendError(res, 503, "too many live consoles; try again later");
    }
    absl::Status watch = desk_->StartWatch(stream->who, stream->queue);
    if (!watch.ok()) {
      streams_.fetch_sub(1);
      return SendStatus(res, watch);
    }
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, stream](size_t, httplib::DataSink& sink) {
          if (stopping_.load()) {
            sink.done();
            return true;
          }
          std::string out;
          if (!stream->snapshot_sent) {
            // The open handoffs now; the page replaces its list with them.
            json list = json::array();
            for (const hv::HandoffView& v : desk_->WaitForChanges(
                     stream->who, stream->queue, &stream->version,
                     absl::ZeroDuration())) {
              if (OnQueue(v, stream->queue))
                list.push_back(ViewJson(v, clock_->Now()));
            }
            out = absl::StrCat("retry: 2000\n\n",
                               SseEvent("snapshot", {{"handoffs", list}}));
            stream->snapshot_sent = true;
          } else {
            for (const hv::HandoffView& v :
                 desk_->WaitForChanges(stream->who, stream->queue,
                                       &stream->version, options_.watch_poll)) {
              absl::StrAppend(
                  &out, SseEvent("handoff", OnQueue(v, stream->queue)
                                                ? ViewJson(v, clock_->Now())
                                                : GoneJson(v)));
            }
          }
          const absl::Time now = absl::Now();
          if (out.empty() && now - stream->last_write >= options_.heartbeat) {
            out = ": still here\n\n";
          }
          if (out.empty()) return true;
          stream->last_write = now;
          // A browser that went away fails the write and ends the stream.
          return Write(sink, out);
        },
        [this](bool) { streams_.fetch_sub(1); });
  });
}

}  // namespace frontdesk::handoff_prep
