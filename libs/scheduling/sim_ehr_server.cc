#include "libs/scheduling/sim_ehr_server.h"

#include <httplib.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/scheduling/fhir_json.h"
#include "libs/scheduling/sqlite_schedule_store.h"
#include "spdlog/spdlog.h"

namespace frontdesk::scheduling {
namespace {

using json = nlohmann::json;

void Send(httplib::Response& res, int http_status, const json& body) {
  res.status = http_status;
  res.set_content(body.dump(), fhir::kFhirJson);
}

void SendStatus(httplib::Response& res, const absl::Status& s) {
  Send(res, fhir::HttpStatusFor(s.code()), fhir::OperationOutcomeFor(s));
}

absl::StatusOr<json> Body(const httplib::Request& req) {
  json j = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return absl::InvalidArgumentError("body: not valid JSON");
  }
  return j;
}

// The proposed appointment id an appt-resource names (its clinician, visit
// type and start).
absl::StatusOr<std::string> IdFor(const fhir::ApptParameters& p) {
  if (!p.has_resource) return p.appointment_id;
  const Appointment& a = p.resource;
  if (a.practitioner.empty()) {
    return absl::InvalidArgumentError(
        "parameter appt-resource: Appointment.participant: no Practitioner");
  }
  if (a.visit_type.empty()) {
    return absl::InvalidArgumentError(
        "parameter appt-resource: Appointment.serviceType: no code");
  }
  return SqliteScheduleStore::ProposedId(a.practitioner, a.visit_type, a.start);
}

}  // namespace

SimEhrServer::SimEhrServer(Scheduler* scheduler, SimEhrServerOptions options)
    : scheduler_(scheduler), options_(std::move(options)) {}

SimEhrServer::~SimEhrServer() { Stop(); }

absl::StatusOr<int> SimEhrServer::Start() {
  server_ = std::make_unique<httplib::Server>();
  const size_t threads = static_cast<size_t>(std::max(1, options_.threads));
  server_->new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  server_->set_payload_max_length(1 << 20);
  server_->set_keep_alive_timeout(5);
  server_->set_keep_alive_max_count(1000);
  // Replies go out as headers then body; without this each waits for the
  // client's delayed ACK.
  server_->set_tcp_nodelay(true);
  Route();
  const bool bound =
      options_.port == 0
          ? (port_ = server_->bind_to_any_port(options_.bind)) > 0
          : server_->bind_to_port(options_.bind, options_.port);
  if (!bound) {
    port_ = 0;
    return absl::UnavailableError(absl::StrCat(
        "sim EHR: cannot listen on ", options_.bind, ":", options_.port));
  }
  if (options_.port != 0) port_ = options_.port;
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (!server_->is_running() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(1));
  }
  return port_;
}

void SimEhrServer::Stop() {
  if (server_ == nullptr || stopping_.exchange(true)) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

void SimEhrServer::Route() {
  httplib::Server& s = *server_;
  s.set_default_headers({
      {fhir::kSimulatedHeader, "true; a simulated EHR, not a clinic's record"},
      {"Cache-Control", "no-store"},
  });
  s.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty())
          return httplib::Server::HandlerResponse::Unhandled;
        const int code = res.status;
        SendStatus(res, absl::Status(fhir::CodeForHttpStatus(code),
                                     code == 404   ? "no such endpoint"
                                     : code == 413 ? "body: too large"
                                                   : "bad request"));
        res.status = code;
        return httplib::Server::HandlerResponse::Handled;
      }));
  s.set_exception_handler([](const httplib::Request& req,
                             httplib::Response& res, std::exception_ptr) {
    // The path is whatever the client sent (it could carry anything), so
    // only its method and size are logged.
    spdlog::error("event=sim_ehr_request_failed method={} path_bytes={}",
                  req.method, req.path.size());
    SendStatus(res, absl::InternalError("internal error"));
  });

  const std::string base = options_.base_path;
  auto hook = [this](const char* op) {
    if (options_.before_reply) options_.before_reply(op);
  };

  s.Get(base + "/metadata", [base](const httplib::Request&,
                                   httplib::Response& res) {
    Send(res, 200,
         json{{"resourceType", "CapabilityStatement"},
              {"status", "active"},
              {"kind", "instance"},
              {"fhirVersion", "4.0.1"},
              {"format", json::array({"json"})},
              {"software", {{"name", "frontdesk simulated EHR"}}},
              {"implementation",
               {{"description",
                 "SIMULATED EHR for demos and tests; not a clinic's record"}}},
              {"rest",
               json::array(
                   {json{{"mode", "server"},
                         {"resource",
                          json::array({json{
                              {"type", "Appointment"},
                              {"operation",
                               json::array({json{{"name", "find"}},
                                            json{{"name", "hold"}},
                                            json{{"name", "book"}}})}}})}}})}});
  });

  s.Post(
      base + R"(/Appointment/\$find)",
      [this, hook, base](const httplib::Request& req, httplib::Response& res) {
        auto body = Body(req);
        if (!body.ok()) return SendStatus(res, body.status());
        auto request = fhir::FindRequestFromParameters(*body);
        if (!request.ok()) return SendStatus(res, request.status());
        // The standard search parameter, as the guide limits $find.
        if (req.has_param("_count") &&
            !absl::SimpleAtoi(req.get_param_value("_count"),
                              &request->max_results)) {
          return SendStatus(res, absl::InvalidArgumentError(
                                     "_count: expected a whole number"));
        }
        auto found = scheduler_->Find(*request);
        hook("find");
        if (!found.ok()) return SendStatus(res, found.status());
        for (auto& a : *found) a.simulated = true;
        Send(res, 200, fhir::BundleOf(*found, base, true));
      });

  s.Post(
      base + R"(/Appointment/\$hold)",
      [this, hook, base](const httplib::Request& req, httplib::Response& res) {
        auto body = Body(req);
        if (!body.ok()) return SendStatus(res, body.status());
        auto p = fhir::ApptParametersFrom(*body, "hold");
        if (!p.ok()) return SendStatus(res, p.status());
        auto id = IdFor(*p);
        if (!id.ok()) return SendStatus(res, id.status());
        auto held = scheduler_->Hold({.appointment_id = *id,
                                      .idempotency_key = req.get_header_value(
                                          fhir::kIdempotencyHeader)});
        hook("hold");
        if (!held.ok()) return SendStatus(res, held.status());
        held->simulated = true;
        if (held->status == AppointmentStatus::kPending &&
            held->hold_expires != absl::InfinitePast()) {
          res.set_header("Expires", fhir::FormatHttpDate(held->hold_expires));
        }
        Send(res, 200, fhir::BundleOf({*held}, base, true));
      });

  s.Post(base + R"(/Appointment/\$book)", [this, hook, base](
                                              const httplib::Request& req,
                                              httplib::Response& res) {
    auto body = Body(req);
    if (!body.ok()) return SendStatus(res, body.status());
    auto p = fhir::ApptParametersFrom(*body, "book");
    if (!p.ok()) return SendStatus(res, p.status());
    auto id = IdFor(*p);
    if (!id.ok()) return SendStatus(res, id.status());
    if (p->patient.empty()) {
      return SendStatus(
          res, absl::InvalidArgumentError("parameter patient-id: required"));
    }
    auto booked = scheduler_->Book(
        {.appointment_id = *id,
         .patient = p->patient,
         .cancelled_appointment_id = p->cancelled_appointment_id,
         .idempotency_key = req.get_header_value(fhir::kIdempotencyHeader)});
    hook("book");
    if (!booked.ok()) return SendStatus(res, booked.status());
    std::vector<Appointment> out = {*booked};
    if (!booked->replaces.empty()) {
      auto old = scheduler_->Get(booked->replaces);
      if (old.ok()) out.push_back(*old);
    }
    for (auto& a : out) a.simulated = true;
    Send(res, 200, fhir::BundleOf(out, base, true));
  });

  s.Patch(base + R"(/Appointment/([A-Za-z0-9\-\.]{1,64}))",
          [this, hook](const httplib::Request& req, httplib::Response& res) {
            auto body = Body(req);
            if (!body.ok()) return SendStatus(res, body.status());
            // JSON Patch: [{"op": "replace", "path": "/status",
            // "value": "cancelled"}], the only change this server accepts.
            const json& ops = *body;
            if (!ops.is_array() || ops.size() != 1 || !ops[0].is_object() ||
                ops[0].value("op", "") != "replace" ||
                ops[0].value("path", "") != "/status" ||
                ops[0].value("value", "") != "cancelled") {
              return SendStatus(
                  res, absl::InvalidArgumentError(
                           "body: expected a JSON Patch replacing /status "
                           "with \"cancelled\""));
            }
            auto cancelled = scheduler_->Cancel(req.matches[1].str());
            hook("cancel");
            if (!cancelled.ok()) return SendStatus(res, cancelled.status());
            cancelled->simulated = true;
            Send(res, 200, fhir::AppointmentToJson(*cancelled));
          });

  s.Get(base + R"(/Appointment/([A-Za-z0-9\-\.]{1,64}))",
        [this, hook](const httplib::Request& req, httplib::Response& res) {
          auto got = scheduler_->Get(req.matches[1].str());
          hook("get");
          if (!got.ok()) return SendStatus(res, got.status());
          got->simulated = true;
          Send(res, 200, fhir::AppointmentToJson(*got));
        });
}

}  // namespace frontdesk::scheduling
