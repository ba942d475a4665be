// The Handoff Map: puts a caller's turn into a lane, and names the rule.
//
// Order, fixed:
//   1. Human-only triggers (trigger_matcher.h). Any match decides: the lane is
//      human-only. If several categories match, an urgent one wins, then the
//      first in policy order. An urgent category says the urgent script.
//   2. Approved answers: the first approved text, in policy order, with a
//      keyword in the utterance. AI-owned: quote it word for word.
//   3. Anything else is AI-assisted: no improvising; hand off to the
//      default queue and tell the caller staff will call back.
//
// Pure function of the policy and the utterance; no I/O.
#ifndef FRONTDESK_SERVICES_RULES_CHECK_HANDOFF_MAP_H_
#define FRONTDESK_SERVICES_RULES_CHECK_HANDOFF_MAP_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "frontdesk/rules/v1/rules_service.pb.h"
#include "libs/policy/clinic_policy.h"

namespace frontdesk::rules_check {

// The rule id of step 2 is "AO-ANSWER-<text id>"; of step 3 this constant.
inline constexpr char kDefaultRuleId[] = "AA-CALLBACK-DEFAULT";

// Decides the lane of `utterance`. Fills every field of the decision except
// decision_id. `policy` must be valid (as LoadPolicyFile returns it).
frontdesk::rules::v1::Decision ApplyHandoffMap(
    const policy::ClinicPolicy& policy, absl::string_view utterance);

}  // namespace frontdesk::rules_check

#endif  // FRONTDESK_SERVICES_RULES_CHECK_HANDOFF_MAP_H_
