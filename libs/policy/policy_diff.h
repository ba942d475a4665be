// What changed between two policies, in plain lines for the policy
// activation event and for reviewers. A policy holds no PHI, so neither does
// this.
//
// Example lines:
//   "label: sunrise-1 -> sunrise-2"
//   "rollout_mode: answers -> scheduling"
//   "human_only urgent-symptoms: +2 triggers, -1 trigger"
//   "approved_texts office-hours: version 3 -> 4"
//   "queues nurse-line: added"
#ifndef FRONTDESK_LIBS_POLICY_POLICY_DIFF_H_
#define FRONTDESK_LIBS_POLICY_POLICY_DIFF_H_

#include <string>
#include <vector>

#include "frontdesk/policy/v1/policy.pb.h"

namespace frontdesk::policy {

// One line per change; empty when the policies are equal.
std::vector<std::string> DescribePolicyChanges(
    const frontdesk::policy::v1::Policy& before,
    const frontdesk::policy::v1::Policy& after);

}  // namespace frontdesk::policy

#endif  // FRONTDESK_LIBS_POLICY_POLICY_DIFF_H_
