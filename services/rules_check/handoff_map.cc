#include "services/rules_check/handoff_map.h"

#include "absl/strings/str_cat.h"
#include "services/rules_check/trigger_matcher.h"

namespace frontdesk::rules_check {

namespace rv = ::frontdesk::rules::v1;

namespace {

void Say(const policy::ClinicPolicy& policy, const std::string& text_id,
         rv::Decision* d) {
  const policy::ApprovedText* t = policy.FindText(text_id);
  // The loader guarantees every script id resolves.
  d->set_say_text(t->text);
  d->set_say_text_id(t->id);
  d->set_say_text_version(t->version);
}

void Route(const policy::ClinicPolicy& policy, const std::string& queue_id,
           rv::Decision* d) {
  const policy::Queue* q = policy.FindQueue(queue_id);
  d->set_queue(q->id);
  d->set_owner_role(q->owner_role);
  d->set_backup_role(q->backup_role);
  d->set_claim_window_seconds(
      static_cast<uint32_t>(absl::ToInt64Seconds(q->claim_window)));
}

}  // namespace

rv::Decision ApplyHandoffMap(const policy::ClinicPolicy& policy,
                             absl::string_view utterance) {
  rv::Decision d;
  d.set_policy_version(policy.version);

  const std::vector<TriggerMatch> matches = MatchTriggers(policy, utterance);
  if (!matches.empty()) {
    const policy::HumanOnlyCategory* chosen = matches.front().category;
    for (const TriggerMatch& m : matches) {
      if (m.category->urgent) {
        chosen = m.category;
        break;
      }
    }
    d.set_lane(rv::LANE_HUMAN_ONLY);
    d.set_rule_id(chosen->rule_id);
    d.set_category(chosen->id);
    for (const TriggerMatch& m : matches) {
      if (m.category == chosen) d.add_matched_triggers(m.phrase);
    }
    d.set_action(chosen->urgent ? rv::ACTION_URGENT_SCRIPT : rv::ACTION_HANDOFF);
    Route(policy, chosen->queue, &d);
    Say(policy, chosen->urgent ? policy.scripts.urgent : policy.scripts.handoff,
        &d);
    return d;
  }

  const std::string text = policy::NormalizeText(utterance);
  for (const policy::ApprovedText& t : policy.approved_texts) {
    for (const std::string& keyword : t.keywords) {
      if (ContainsPhrase(text, keyword)) {
        d.set_lane(rv::LANE_AI_OWNED);
        d.set_rule_id(absl::StrCat("AO-ANSWER-", t.id));
        d.set_category("general-question");
        d.set_action(rv::ACTION_QUOTE_ANSWER);
        d.set_approved_text_id(t.id);
        d.set_approved_text_version(t.version);
        Say(policy, t.id, &d);
        return d;
      }
    }
  }

  d.set_lane(rv::LANE_AI_ASSISTED);
  d.set_rule_id(kDefaultRuleId);
  d.set_category("callback");
  d.set_action(rv::ACTION_HANDOFF);
  Route(policy, policy.default_queue, &d);
  Say(policy, policy.scripts.callback, &d);
  return d;
}

}  // namespace frontdesk::rules_check
