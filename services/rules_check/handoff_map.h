// HandoffMap: a compiled clinic policy that puts each caller turn into a lane
// and names the rule that did it.
//
// The order is fixed:
//   1. Human-only triggers, over the utterance and every speech-recognition
//      alternative. Any match decides: human-only. If several categories
//      match, an urgent one wins, then the earliest match. Negation is not
//      considered: "no chest pain" still goes to a person.
//   2. AI-assisted conditions (new patient, procedure, same day, insurance
//      edge case, frustrated caller, complex reschedule), by phrase.
//   3. Request-type identification, by phrasing; the first request type in
//      policy order that matches wins. Failing that, the request type the
//      call context carries.
//   4. AI-owned, only when the request type is AI-owned in the policy, the
//      rollout mode grants what it needs, and (for answers) an approved text
//      matched.
// Anything else is AI-assisted: a callback and a handoff. Nothing is
// AI-owned by default.
//
// Intake. A handoff (or offer) for a request type whose PHI scope collects
// fields is preceded by intake: the decision's action is COLLECT_FIELD and
// next_field names the first field not yet taken (consent first). While the
// context says a field is being asked for, a turn that is not human-only is
// an intake step: the field must be in the scope (else a denied handoff,
// rule AUTH-COLLECT-FIELD), and the decision names the next field, or hands
// off when intake is complete. The exception: the agent could not read the
// turn as a value and the caller named another request type or an
// AI-assisted condition; then the turn is evaluated afresh (the caller
// switched requests).
//
// Request types that close the call match only when the context says the
// agent asked "anything else?". A name given when a name was asked for (and
// read as one by the agent) is checked against urgent triggers only: "Sue
// Roe" is not a legal threat.
//
// Pure: no I/O, no clock. Thread-safe once built.
#ifndef FRONTDESK_SERVICES_RULES_CHECK_HANDOFF_MAP_H_
#define FRONTDESK_SERVICES_RULES_CHECK_HANDOFF_MAP_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "frontdesk/rules/v1/rules_service.pb.h"
#include "libs/policy/clinic_policy.h"
#include "services/rules_check/phrase_matcher.h"

namespace frontdesk::rules_check {

// The rule of step 5: nothing understood.
inline constexpr const char* kDefaultRuleId = policy::kNotUnderstoodRuleId;
using policy::kAskingAnythingElse;

class HandoffMap {
 public:
  explicit HandoffMap(std::shared_ptr<const policy::ClinicPolicy> policy);

  const policy::ClinicPolicy& policy() const { return *policy_; }
  std::shared_ptr<const policy::ClinicPolicy> shared_policy() const {
    return policy_;
  }

  // Fills every field of the decision except decision_id.
  frontdesk::rules::v1::Decision Evaluate(
      absl::string_view utterance, const std::vector<std::string>& alternatives,
      const frontdesk::rules::v1::CallContext& context) const;

  // Decides one concrete action. INVALID_ARGUMENT when no action is given or
  // a field name is unknown.
  absl::StatusOr<frontdesk::rules::v1::Decision> Authorize(
      const frontdesk::rules::v1::ProposedAction& action) const;

 private:
  enum class Group { kTrigger, kAssisted, kRequestType, kAnswerText };
  struct Ref {
    Group group;
    int index;           // category, condition, request type or text index
    std::string phrase;  // as the policy spells it
  };

  void Say(const std::string& text_id, frontdesk::rules::v1::Decision* d) const;
  void Route(const std::string& queue_id,
             frontdesk::rules::v1::Decision* d) const;
  // The text that tells the caller what happens next for a request type.
  const std::string& NextSteps(
      const frontdesk::policy::v1::RequestType& rt) const;
  // The first field of the type's intake order not yet taken (nor
  // `also_taken`); UNSPECIFIED when none is left.
  frontdesk::policy::v1::IntakeField NextField(
      const std::string& request_type,
      const frontdesk::rules::v1::CallContext& context,
      frontdesk::policy::v1::IntakeField also_taken) const;
  // Turns a handoff or offer into the first intake step when the request
  // type has fields left to collect.
  void StartIntake(const frontdesk::rules::v1::CallContext& context,
                   frontdesk::rules::v1::Decision* d) const;
  frontdesk::rules::v1::Decision IntakeStep(
      frontdesk::policy::v1::IntakeField asked,
      const frontdesk::rules::v1::CallContext& context,
      frontdesk::rules::v1::Decision d) const;

  std::shared_ptr<const policy::ClinicPolicy> policy_;
  std::vector<Ref> refs_;
  PhraseMatcher triggers_;
  PhraseMatcher assisted_;
  PhraseMatcher requests_;
  int answers_type_ = -1;  // the request type answered from approved texts
};

}  // namespace frontdesk::rules_check

#endif  // FRONTDESK_SERVICES_RULES_CHECK_HANDOFF_MAP_H_
