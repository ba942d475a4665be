#include "services/rules_check/rules_check_service.h"

#include "libs/common/service_logging.h"
#include "spdlog/spdlog.h"

namespace frontdesk::rules_check {

namespace rv = ::frontdesk::rules::v1;

RulesCheckService::RulesCheckService(RulesChecker* checker,
                                     prometheus::Registry& registry)
    : checker_(checker),
      decisions_(prometheus::BuildCounter()
                     .Name("frontdesk_rules_decisions_total")
                     .Help("Decisions made, by lane; lane=\"failed\" when the "
                           "decision could not be recorded")
                     .Register(registry)) {}

grpc::Status RulesCheckService::Finish(const char* what,
                                       const std::string& call_id,
                                       absl::StatusOr<rv::Decision> d,
                                       rv::Decision* out) {
  if (!d.ok()) {
    decisions_.Add({{"lane", "failed"}}).Increment();
    // Status messages carry field names and codes, never caller words.
    spdlog::warn("event={}_failed call_id={} code={} detail=\"{}\"", what,
                 call_id, absl::StatusCodeToString(d.status().code()),
                 d.status().message());
    return grpc::Status(static_cast<grpc::StatusCode>(d.status().code()),
                        std::string(d.status().message()));
  }
  decisions_.Add({{"lane", rv::Lane_Name(d->lane())}}).Increment();
  spdlog::info("event={} call_id={} decision_id={} lane={} rule={} allowed={}",
               what, call_id, d->decision_id(), rv::Lane_Name(d->lane()),
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

}  // namespace frontdesk::rules_check
