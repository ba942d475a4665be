#include "services/rules_check/rules_check_service.h"

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "libs/common/input_limits.h"
#include "libs/common/service_logging.h"
#include "libs/common/uuid.h"
#include "spdlog/spdlog.h"

namespace frontdesk::rules_check {

namespace rv = ::frontdesk::rules::v1;

namespace {

// LANE_HUMAN_ONLY -> human_only, as answer reports lanes.
std::string LaneLabel(rv::Lane lane) {
  absl::string_view name = rv::Lane_Name(lane);
  absl::ConsumePrefix(&name, "LANE_");
  return name.empty() ? "unknown" : absl::AsciiStrToLower(name);
}

// The decision's category, when the policy in force vouches for it. Intake
// decisions take their category from the request type the caller's context
// names, which may be anything: only one the policy knows is a label.
std::string CategoryLabel(const rv::Decision& d, const HandoffMap& map) {
  if (d.category().empty()) return "none";
  if (d.category() == d.request_type() &&
      map.policy().FindRequestType(d.category()) == nullptr) {
    return "unknown";
  }
  return d.category();
}

}  // namespace

RulesCheckService::RulesCheckService(RulesChecker* checker,
                                     prometheus::Registry& registry)
    : checker_(checker),
      decisions_(prometheus::BuildCounter()
                     .Name("frontdesk_rules_decisions_total")
                     .Help("Decisions made, by lane, category and rule; "
                           "lane=\"failed\" when no decision could be "
                           "recorded")
                     .Register(registry)),
      errors_(prometheus::BuildCounter()
                  .Name("frontdesk_errors_total")
                  .Help("Errors by kind")
                  .Register(registry)) {
  for (const char* k : {"bad_request", "decision_unrecorded"}) {
    errors_.Add({{"kind", k}});
  }
}

grpc::Status RulesCheckService::Failed(const char* what,
                                       const std::string& logged_id,
                                       const absl::Status& status) {
  decisions_.Add({{"lane", "failed"}, {"category", "none"}, {"rule", "none"}})
      .Increment();
  const absl::StatusCode code = status.code();
  errors_
      .Add({{"kind", code == absl::StatusCode::kInvalidArgument ||
                             code == absl::StatusCode::kNotFound
                         ? "bad_request"
                         : "decision_unrecorded"}})
      .Increment();
  // Status messages carry field names and codes, never caller words.
  spdlog::warn("event={}_failed call_id={} code={} detail=\"{}\"", what,
               logged_id, absl::StatusCodeToString(code), status.message());
  return grpc::Status(static_cast<grpc::StatusCode>(code),
                      std::string(status.message()));
}

grpc::Status RulesCheckService::Finish(const char* what,
                                       const std::string& call_id,
                                       absl::StatusOr<rv::Decision> d,
                                       rv::Decision* out) {
  // Only ids answer could have issued are written to the log: a caller may
  // put anything in a call id, PHI included.
  const std::string logged_id = LooksLikeUuid(call_id) ? call_id : "-";
  if (!d.ok()) return Failed(what, logged_id, d.status());
  decisions_
      .Add({{"lane", LaneLabel(d->lane())},
            {"category", CategoryLabel(*d, *checker_->map())},
            {"rule", d->rule_id().empty() ? "none" : d->rule_id()}})
      .Increment();
  spdlog::info("event={} call_id={} decision_id={} lane={} rule={} allowed={}",
               what, logged_id, d->decision_id(), rv::Lane_Name(d->lane()),
               d->rule_id(), d->allowed());
  *out = *std::move(d);
  return grpc::Status::OK;
}

grpc::Status RulesCheckService::Evaluate(grpc::ServerContext* /*context*/,
                                         const rv::EvaluateRequest* request,
                                         rv::EvaluateResponse* response) {
  return Finish("evaluate", request->call_id(), checker_->Evaluate(*request),
                response->mutable_decision());
}

grpc::Status RulesCheckService::Authorize(grpc::ServerContext* /*context*/,
                                          const rv::AuthorizeRequest* request,
                                          rv::AuthorizeResponse* response) {
  return Finish("authorize", request->call_id(), checker_->Authorize(*request),
                response->mutable_decision());
}

grpc::Status RulesCheckService::AuthorizeBooking(
    grpc::ServerContext* /*context*/,
    const rv::AuthorizeBookingRequest* request,
    rv::AuthorizeBookingResponse* response) {
  const std::string logged_id =
      LooksLikeUuid(request->call_id()) ? request->call_id() : "-";
  absl::StatusOr<rv::BookingDecision> d = checker_->AuthorizeBooking(*request);
  if (!d.ok()) return Failed("authorize_booking", logged_id, d.status());
  absl::string_view outcome = rv::BookingOutcome_Name(d->outcome());
  absl::ConsumePrefix(&outcome, "BOOKING_OUTCOME_");
  const std::string lane = absl::AsciiStrToLower(outcome);
  decisions_
      .Add({{"lane", lane}, {"category", "booking"}, {"rule", d->rule_id()}})
      .Increment();
  spdlog::info(
      "event=authorize_booking call_id={} decision_id={} outcome={} rule={} "
      "allowed={}",
      logged_id, d->decision_id(), lane, d->rule_id(), d->allowed());
  *response->mutable_decision() = *std::move(d);
  return grpc::Status::OK;
}

}  // namespace frontdesk::rules_check
