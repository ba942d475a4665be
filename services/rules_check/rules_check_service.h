// The gRPC edge of rules-check. Maps RulesChecker's statuses to gRPC
// statuses one to one; holds no logic of its own. Metrics:
//   frontdesk_rules_decisions_total{lane,category,rule}  counter; lane is
//       ai_owned, ai_assisted, human_only, or failed (no decision could be
//       recorded; category and rule "none"). AuthorizeBooking counts under
//       category "booking" with lane ai_owned, ai_assisted or outside_rules
//       and the booking rule's id.
//   frontdesk_errors_total{kind}  counter: bad_request (INVALID_ARGUMENT,
//       NOT_FOUND), decision_unrecorded (any other failure)
// Labels come from the policy in force (its categories, request types and
// rule ids), never from the caller's words; a request type the caller names
// that the policy does not know is labelled "unknown".
#ifndef FRONTDESK_SERVICES_RULES_CHECK_RULES_CHECK_SERVICE_H_
#define FRONTDESK_SERVICES_RULES_CHECK_RULES_CHECK_SERVICE_H_

#include "frontdesk/rules/v1/rules_service.grpc.pb.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/rules_check/rules_checker.h"

namespace frontdesk::rules_check {

class RulesCheckService final
    : public frontdesk::rules::v1::RulesCheck::Service {
 public:
  // `checker` must outlive the service.
  RulesCheckService(RulesChecker* checker, prometheus::Registry& registry);

  grpc::Status Evaluate(
      grpc::ServerContext* context,
      const frontdesk::rules::v1::EvaluateRequest* request,
      frontdesk::rules::v1::EvaluateResponse* response) override;
  grpc::Status Authorize(
      grpc::ServerContext* context,
      const frontdesk::rules::v1::AuthorizeRequest* request,
      frontdesk::rules::v1::AuthorizeResponse* response) override;
  grpc::Status AuthorizeBooking(
      grpc::ServerContext* context,
      const frontdesk::rules::v1::AuthorizeBookingRequest* request,
      frontdesk::rules::v1::AuthorizeBookingResponse* response) override;

 private:
  // Counts, logs (ids and codes only) and maps a decision or its error.
  grpc::Status Finish(const char* what, const std::string& call_id,
                      absl::StatusOr<frontdesk::rules::v1::Decision> d,
                      frontdesk::rules::v1::Decision* out);
  // Counts and logs a failure; returns it as a gRPC status.
  grpc::Status Failed(const char* what, const std::string& logged_id,
                      const absl::Status& status);

  RulesChecker* checker_;
  prometheus::Family<prometheus::Counter>& decisions_;
  prometheus::Family<prometheus::Counter>& errors_;
};

}  // namespace frontdesk::rules_check

#endif  // FRONTDESK_SERVICES_RULES_CHECK_RULES_CHECK_SERVICE_H_
