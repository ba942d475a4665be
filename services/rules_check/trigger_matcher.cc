#include "services/rules_check/trigger_matcher.h"

namespace frontdesk::rules_check {

bool ContainsPhrase(absl::string_view normalized_text,
                    absl::string_view phrase) {
  if (phrase.empty()) return false;
  size_t from = 0;
  while (true) {
    const size_t at = normalized_text.find(phrase, from);
    if (at == absl::string_view::npos) return false;
    const size_t end = at + phrase.size();
    const bool left = at == 0 || normalized_text[at - 1] == ' ';
    const bool right = end == normalized_text.size() || normalized_text[end] == ' ';
    if (left && right) return true;
    from = at + 1;
  }
}

std::vector<TriggerMatch> MatchTriggers(const policy::ClinicPolicy& policy,
                                        absl::string_view utterance) {
  const std::string text = policy::NormalizeText(utterance);
  std::vector<TriggerMatch> out;
  for (const policy::HumanOnlyCategory& c : policy.human_only) {
    for (const std::string& phrase : c.triggers) {
      if (ContainsPhrase(text, phrase)) out.push_back({&c, phrase});
    }
  }
  return out;
}

}  // namespace frontdesk::rules_check
