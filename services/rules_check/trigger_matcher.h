// Trigger matching: the deterministic first step of every decision.
//
// Human-only trigger phrases are matched on whole words against the
// normalized utterance (see policy::NormalizeText). There is no scoring and no
// model: a phrase is in the utterance or it is not. Matching runs before any
// other rule, and nothing later can override a match.
//
// Example:
//   std::vector<TriggerMatch> m = MatchTriggers(policy, "I have chest pain");
//   // m[0].category->id == "urgent-symptoms", m[0].phrase == "chest pain"
#ifndef FRONTDESK_SERVICES_RULES_CHECK_TRIGGER_MATCHER_H_
#define FRONTDESK_SERVICES_RULES_CHECK_TRIGGER_MATCHER_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "libs/policy/clinic_policy.h"

namespace frontdesk::rules_check {

struct TriggerMatch {
  // Points into the policy, which must outlive the match.
  const policy::HumanOnlyCategory* category = nullptr;
  // The policy's phrase, normalized.
  std::string phrase;
};

// True when `phrase` occurs in `normalized_text` on word boundaries. Both
// must be normalized.
bool ContainsPhrase(absl::string_view normalized_text,
                    absl::string_view phrase);

// Every trigger of every human-only category found in `utterance`, in policy
// order (category order, then phrase order).
std::vector<TriggerMatch> MatchTriggers(const policy::ClinicPolicy& policy,
                                        absl::string_view utterance);

}  // namespace frontdesk::rules_check

#endif  // FRONTDESK_SERVICES_RULES_CHECK_TRIGGER_MATCHER_H_
