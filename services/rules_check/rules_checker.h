// RulesChecker: decides a step and puts the decision on the record.
//
// Evaluate validates the request, applies the Handoff Map, publishes a
// DecisionRecorded event to frontdesk.calls.v1 and returns the decision only
// after Kafka acknowledged it. It fails closed: if the decision cannot be
// recorded, no decision is returned, and the caller must take no action.
//
// Thread-safe. The policy, log and chain must outlive the checker.
#ifndef FRONTDESK_SERVICES_RULES_CHECK_RULES_CHECKER_H_
#define FRONTDESK_SERVICES_RULES_CHECK_RULES_CHECKER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "frontdesk/rules/v1/rules_service.pb.h"
#include "libs/eventlog/event_log.h"
#include "libs/events/event_chain.h"
#include "libs/policy/clinic_policy.h"

namespace frontdesk::rules_check {

class RulesChecker {
 public:
  RulesChecker(std::shared_ptr<const policy::ClinicPolicy> policy,
               eventlog::EventLog* log, events::EventChain* chain,
               absl::Duration append_timeout);

  // INVALID_ARGUMENT names the bad field; NOT_FOUND for an unknown tenant;
  // UNAVAILABLE or DEADLINE_EXCEEDED when the decision could not be recorded.
  absl::StatusOr<frontdesk::rules::v1::Decision> Evaluate(
      const frontdesk::rules::v1::EvaluateRequest& request);

  const policy::ClinicPolicy& policy() const { return *policy_; }

 private:
  const std::shared_ptr<const policy::ClinicPolicy> policy_;
  eventlog::EventLog* const log_;
  events::EventChain* const chain_;
  const absl::Duration append_timeout_;
};

}  // namespace frontdesk::rules_check

#endif  // FRONTDESK_SERVICES_RULES_CHECK_RULES_CHECKER_H_
