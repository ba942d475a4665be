// RulesChecker: decides a step and puts the decision on the record.
//
// Evaluate and Authorize validate the request, consult the HandoffMap in
// force (AuthorizeBooking: the booking rules of its policy, booking_rules.h),
// publish a DecisionRecorded event to frontdesk.calls.v1, and return
// the decision only after Kafka acknowledged it. They fail closed: if the
// decision cannot be recorded, no decision is returned, and the caller must
// take no action.
//
// The HandoffMap can be swapped at any time (policy reload); each request
// uses the map in force when it started, and its decision names that
// policy's version.
//
// Thread-safe. The log and chain must outlive the checker.
#ifndef FRONTDESK_SERVICES_RULES_CHECK_RULES_CHECKER_H_
#define FRONTDESK_SERVICES_RULES_CHECK_RULES_CHECKER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/rules/v1/rules_service.pb.h"
#include "libs/common/clock.h"
#include "libs/eventlog/event_log.h"
#include "libs/events/event_chain.h"
#include "services/rules_check/handoff_map.h"

namespace frontdesk::rules_check {

class RulesChecker {
 public:
  // `clock` gives `now` to the booking rules (same-day, past slots); it must
  // outlive the checker.
  RulesChecker(std::shared_ptr<const HandoffMap> map, eventlog::EventLog* log,
               events::EventChain* chain, absl::Duration append_timeout,
               const Clock* clock = RealClock::Get());

  // INVALID_ARGUMENT names the bad field; NOT_FOUND for an unknown tenant;
  // UNAVAILABLE or DEADLINE_EXCEEDED when the decision could not be recorded.
  absl::StatusOr<frontdesk::rules::v1::Decision> Evaluate(
      const frontdesk::rules::v1::EvaluateRequest& request);
  absl::StatusOr<frontdesk::rules::v1::Decision> Authorize(
      const frontdesk::rules::v1::AuthorizeRequest& request);
  // A find, hold or book under the booking rules. Besides the errors above,
  // INVALID_ARGUMENT for a malformed booking request (booking_rules.h).
  absl::StatusOr<frontdesk::rules::v1::BookingDecision> AuthorizeBooking(
      const frontdesk::rules::v1::AuthorizeBookingRequest& request);

  std::shared_ptr<const HandoffMap> map() const;
  void SetMap(std::shared_ptr<const HandoffMap> map);

 private:
  absl::Status CheckCall(const std::string& tenant_id,
                         const std::string& call_id,
                         const HandoffMap& map) const;
  absl::Status Record(const std::string& tenant_id, const std::string& call_id,
                      uint32_t turn, const std::string& proposed,
                      const frontdesk::rules::v1::Decision& d,
                      const HandoffMap& map);
  // Appends a DecisionRecorded to the call's events; fails closed.
  absl::Status Publish(const std::string& tenant_id, const std::string& call_id,
                       const frontdesk::events::v1::DecisionRecorded& recorded,
                       const HandoffMap& map);

  mutable absl::Mutex mu_;
  std::shared_ptr<const HandoffMap> map_ ABSL_GUARDED_BY(mu_);
  eventlog::EventLog* const log_;
  events::EventChain* const chain_;
  const absl::Duration append_timeout_;
  const Clock* const clock_;
};

}  // namespace frontdesk::rules_check

#endif  // FRONTDESK_SERVICES_RULES_CHECK_RULES_CHECKER_H_
