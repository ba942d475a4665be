#include "services/rules_check/handoff_map.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "libs/policy/internal/yaml_proto_reader.h"

namespace frontdesk::rules_check {

namespace pv = ::frontdesk::policy::v1;
namespace rv = ::frontdesk::rules::v1;

namespace {

constexpr int kMaxAlternatives = 10;

std::string ModeName(pv::RolloutMode m) {
  return absl::AsciiStrToLower(
      pv::RolloutMode_Name(m).substr(std::string("ROLLOUT_MODE_").size()));
}

}  // namespace

HandoffMap::HandoffMap(std::shared_ptr<const policy::ClinicPolicy> policy)
    : policy_(std::move(policy)) {
  const pv::Policy& p = policy_->proto();
  auto add = [&](PhraseMatcher& m, Group g, int index,
                 const std::string& phrase) {
    refs_.push_back({g, index, phrase});
    m.Add(policy::Terms(phrase), static_cast<int>(refs_.size()) - 1);
  };
  for (int i = 0; i < p.human_only_size(); ++i) {
    for (const auto& t : p.human_only(i).triggers())
      add(triggers_, Group::kTrigger, i, t);
  }
  for (int i = 0; i < p.ai_assisted_size(); ++i) {
    for (const auto& t : p.ai_assisted(i).phrases())
      add(assisted_, Group::kAssisted, i, t);
  }
  for (int i = 0; i < p.request_types_size(); ++i) {
    for (const auto& t : p.request_types(i).phrasings()) {
      add(requests_, Group::kRequestType, i, t);
    }
    if (p.request_types(i).answers_from_approved_texts() && answers_type_ < 0) {
      answers_type_ = i;
    }
  }
  if (answers_type_ >= 0) {
    for (int i = 0; i < p.approved_texts_size(); ++i) {
      for (const auto& t : p.approved_texts(i).phrasings()) {
        add(requests_, Group::kAnswerText, i, t);
      }
    }
  }
  triggers_.Build();
  assisted_.Build();
  requests_.Build();
}

void HandoffMap::Say(const std::string& text_id, rv::Decision* d) const {
  const pv::ApprovedText& t = policy_->Script(text_id);
  d->set_say_text(t.text());
  d->set_say_text_id(t.id());
  d->set_say_text_version(t.version());
}

void HandoffMap::Route(const std::string& queue_id, rv::Decision* d) const {
  const pv::Queue* q = policy_->FindQueue(queue_id);
  if (q == nullptr) q = policy_->FindQueue(policy_->proto().default_queue());
  d->set_queue(q->id());
  d->set_owner_role(q->owner_role());
  d->set_backup_role(q->backup_role());
  d->set_claim_window_seconds(
      static_cast<uint32_t>(absl::ToInt64Seconds(policy_->ClaimWindow(*q))));
}

const std::string& HandoffMap::NextSteps(const pv::RequestType& rt) const {
  return rt.next_steps().empty() ? policy_->proto().scripts().handoff()
                                 : rt.next_steps();
}

pv::IntakeField HandoffMap::NextField(const std::string& request_type,
                                      const rv::CallContext& context,
                                      pv::IntakeField also_taken) const {
  for (pv::IntakeField f : policy_->IntakeOrder(request_type)) {
    if (f == also_taken) continue;
    const std::string name = policy::IntakeFieldName(f);
    bool taken = false;
    for (const auto& c : context.collected()) taken = taken || c == name;
    if (!taken) return f;
  }
  return pv::INTAKE_FIELD_UNSPECIFIED;
}

void HandoffMap::StartIntake(const rv::CallContext& context,
                             rv::Decision* d) const {
  if (d->request_type().empty()) return;
  const pv::IntakeField first =
      NextField(d->request_type(), context, pv::INTAKE_FIELD_UNSPECIFIED);
  if (first == pv::INTAKE_FIELD_UNSPECIFIED) return;
  // The handoff (or offer) waits until intake is done: ask the first field.
  d->set_action(rv::ACTION_COLLECT_FIELD);
  d->set_next_field(policy::IntakeFieldName(first));
  Say(policy_->FindFieldWording(first)->ask(), d);
  bool listed = false;
  for (int a : d->allowed_actions()) listed = listed || a == rv::ACTION_HANDOFF;
  if (!listed) d->add_allowed_actions(rv::ACTION_HANDOFF);
  absl::StrAppend(d->mutable_reason(), "; intake first: ", d->next_field());
}

rv::Decision HandoffMap::IntakeStep(pv::IntakeField asked,
                                    const rv::CallContext& context,
                                    rv::Decision d) const {
  const pv::Policy& p = policy_->proto();
  const std::string field = policy::IntakeFieldName(asked);
  const pv::RequestType* rt = policy_->FindRequestType(context.request_type());
  bool in_scope = false;
  if (rt != nullptr) {
    for (pv::IntakeField f : policy_->IntakeOrder(rt->id()))
      in_scope = in_scope || f == asked;
  }
  d.set_request_type(context.request_type());
  d.set_category(context.request_type());
  d.set_collect_field(field);
  if (!in_scope) {
    d.set_lane(rv::LANE_AI_ASSISTED);
    d.set_rule_id("AUTH-COLLECT-FIELD");
    d.set_allowed(false);
    d.set_action(rv::ACTION_HANDOFF);
    d.add_allowed_actions(rv::ACTION_HANDOFF);
    Route(rt == nullptr ? p.default_queue() : rt->queue(), &d);
    Say(p.scripts().handoff(), &d);
    d.set_reason(absl::StrCat("the PHI scope of ",
                              context.request_type().empty()
                                  ? "an unknown request type"
                                  : context.request_type(),
                              " does not collect ", field));
    return d;
  }
  const bool owned = rt->lane() == pv::LANE_AI_OWNED &&
                     policy_->rollout_mode() >= rt->rollout_needed();
  d.set_lane(owned ? rv::LANE_AI_OWNED : rv::LANE_AI_ASSISTED);
  d.set_rule_id(rt->rule_id());
  d.set_allowed(true);
  d.set_store_field(policy_->Stores(rt->id(), asked));
  d.add_allowed_actions(rv::ACTION_COLLECT_FIELD);
  d.add_allowed_actions(rv::ACTION_HANDOFF);
  Route(rt->queue(), &d);
  if (!context.value_understood()) {
    d.set_action(rv::ACTION_COLLECT_FIELD);
    d.set_next_field(field);
    Say(policy_->FindFieldWording(asked)->reask(), &d);
    d.set_reason(absl::StrCat("the answer for ", field,
                              " was not understood; ask again"));
    return d;
  }
  const pv::IntakeField next = NextField(rt->id(), context, asked);
  if (next != pv::INTAKE_FIELD_UNSPECIFIED) {
    d.set_action(rv::ACTION_COLLECT_FIELD);
    d.set_next_field(policy::IntakeFieldName(next));
    Say(policy_->FindFieldWording(next)->ask(), &d);
    d.set_reason(absl::StrCat(field, " is in the PHI scope of ", rt->id(),
                              "; next ", d.next_field()));
    return d;
  }
  d.set_action(rv::ACTION_HANDOFF);
  Say(NextSteps(*rt), &d);
  d.set_reason(absl::StrCat(field, " is in the PHI scope of ", rt->id(),
                            "; intake complete, hand off"));
  return d;
}

rv::Decision HandoffMap::Evaluate(absl::string_view utterance,
                                  const std::vector<std::string>& alternatives,
                                  const rv::CallContext& context) const {
  const pv::Policy& p = policy_->proto();
  const pv::Scripts& scripts = p.scripts();
  rv::Decision d;
  d.set_policy_version(policy_->version());

  // 1. Human-only triggers, in the utterance and every alternative.
  struct Hit {
    int ref;
    std::string source;
    uint32_t begin;
    uint32_t end;
  };
  std::vector<Hit> hits;
  const size_t sources =
      1 + std::min<size_t>(alternatives.size(), kMaxAlternatives);
  for (size_t s = 0; s < sources; ++s) {
    const absl::string_view text =
        s == 0 ? utterance : absl::string_view(alternatives[s - 1]);
    const std::vector<policy::Token> tokens = policy::Tokenize(text);
    for (const PhraseMatch& m : triggers_.FindAll(tokens)) {
      hits.push_back(
          {m.id,
           s == 0 ? "utterance" : absl::StrCat("asr_alternative[", s - 1, "]"),
           tokens[m.first_token].begin, tokens[m.last_token].end});
    }
  }
  // A name given when asked for one is a name: "Sue Roe" is no legal
  // threat. Urgent triggers still count, everywhere.
  if (context.asking_for() == "name" && context.value_understood()) {
    hits.erase(
        std::remove_if(hits.begin(), hits.end(),
                       [&](const Hit& h) {
                         return !p.human_only(refs_[h.ref].index).urgent();
                       }),
        hits.end());
  }
  if (!hits.empty()) {
    const Hit* chosen = &hits.front();
    for (const Hit& h : hits) {
      if (p.human_only(refs_[h.ref].index).urgent()) {
        chosen = &h;
        break;
      }
    }
    const int cat = refs_[chosen->ref].index;
    const pv::HumanOnlyCategory& c = p.human_only(cat);
    d.set_lane(rv::LANE_HUMAN_ONLY);
    d.set_rule_id(c.rule_id());
    d.set_category(c.id());
    for (const Hit& h : hits) {
      if (refs_[h.ref].index != cat) continue;
      bool seen = false;
      for (const auto& t : d.matched_triggers())
        seen = seen || t == refs_[h.ref].phrase;
      if (!seen) d.add_matched_triggers(refs_[h.ref].phrase);
    }
    rv::TriggerHit* th = d.mutable_trigger();
    th->set_phrase(refs_[chosen->ref].phrase);
    th->set_source(chosen->source);
    th->set_begin(chosen->begin);
    th->set_end(chosen->end);
    Route(c.queue(), &d);
    if (c.urgent()) {
      d.set_action(rv::ACTION_URGENT_SCRIPT);
      d.add_allowed_actions(rv::ACTION_URGENT_SCRIPT);
      Say(scripts.urgent(), &d);
    } else {
      d.set_action(rv::ACTION_HANDOFF);
      Say(c.say().empty() ? scripts.handoff() : c.say(), &d);
    }
    d.add_allowed_actions(rv::ACTION_HANDOFF);
    d.set_reason(absl::StrCat("human-only trigger \"", th->phrase(), "\""));
    return d;
  }

  const std::vector<policy::Token> tokens = policy::Tokenize(utterance);
  const bool asking_anything_else = context.asking_for() == kAskingAnythingElse;

  // 3 (computed early so steps 2 and intake can use it): request type, by
  // phrasing. A type that closes the call counts only as the answer to
  // "anything else?".
  int said_type = -1;
  // The first type named other than the one in the context: a caller who
  // switches ("forget the refill, it's about my bill") names both.
  int other_type = -1;
  int answer_text = -1;
  for (const PhraseMatch& m : requests_.FindAll(tokens)) {
    const Ref& r = refs_[m.id];
    const int type = r.group == Group::kAnswerText ? answers_type_ : r.index;
    if (p.request_types(type).closes_call() && !asking_anything_else) continue;
    if (r.group == Group::kAnswerText && answer_text < 0) answer_text = r.index;
    if (said_type < 0 || type < said_type) said_type = type;
    if (p.request_types(type).id() != context.request_type() &&
        (other_type < 0 || type < other_type)) {
      other_type = type;
    }
  }
  // Intake: the utterance answers the field the agent asked for, unless the
  // agent could not read it as a value and the caller asked for something
  // else instead.
  const pv::IntakeField asked =
      policy::IntakeFieldFromName(context.asking_for());
  const bool switching = asked != pv::INTAKE_FIELD_UNSPECIFIED &&
                         !context.value_understood() && other_type >= 0;
  if (switching) said_type = other_type;
  int request_type = said_type;
  // Once the agent asked "anything else?", the earlier request is done and
  // is not the context of what comes next.
  if (request_type < 0 && !context.request_type().empty() &&
      !asking_anything_else) {
    for (int i = 0; i < p.request_types_size(); ++i) {
      if (p.request_types(i).id() == context.request_type()) request_type = i;
    }
  }
  if (request_type >= 0) d.set_request_type(p.request_types(request_type).id());
  const std::vector<PhraseMatch> assisted = assisted_.FindAll(tokens);

  if (asked != pv::INTAKE_FIELD_UNSPECIFIED && !switching &&
      (context.value_understood() || assisted.empty())) {
    return IntakeStep(asked, context, d);
  }

  // 2. AI-assisted conditions.
  if (!assisted.empty()) {
    const Ref& r = refs_[assisted.front().id];
    const pv::AiAssistedCondition& c = p.ai_assisted(r.index);
    d.set_lane(rv::LANE_AI_ASSISTED);
    d.set_rule_id(c.rule_id());
    d.set_category(c.id());
    d.set_action(rv::ACTION_HANDOFF);
    d.add_allowed_actions(rv::ACTION_COLLECT_FIELD);
    d.add_allowed_actions(rv::ACTION_HANDOFF);
    Route(c.queue(), &d);
    Say(scripts.handoff(), &d);
    d.set_reason(absl::StrCat("AI-assisted condition \"", r.phrase, "\""));
    StartIntake(context, &d);
    return d;
  }

  // 3 and 4.
  if (request_type >= 0) {
    const pv::RequestType& rt = p.request_types(request_type);
    d.set_rule_id(rt.rule_id());
    d.set_category(rt.id());
    if (rt.closes_call()) {
      d.set_lane(rv::LANE_AI_OWNED);
      d.set_action(rv::ACTION_CLOSE_CALL);
      d.add_allowed_actions(rv::ACTION_CLOSE_CALL);
      Say(scripts.goodbye(), &d);
      d.set_reason("the caller needs nothing else");
      return d;
    }
    const pv::RolloutMode needs =
        rt.rollout_needed() == pv::ROLLOUT_MODE_UNSPECIFIED
            ? pv::ROLLOUT_MODE_ANSWERS
            : rt.rollout_needed();
    const bool granted = policy_->rollout_mode() >= needs;
    if (rt.lane() == pv::LANE_AI_OWNED && granted) {
      if (rt.answers_from_approved_texts()) {
        if (answer_text >= 0) {
          const pv::ApprovedText& t = p.approved_texts(answer_text);
          d.set_lane(rv::LANE_AI_OWNED);
          d.set_action(rv::ACTION_QUOTE_ANSWER);
          d.add_allowed_actions(rv::ACTION_QUOTE_ANSWER);
          d.set_approved_text_id(t.id());
          d.set_approved_text_version(t.version());
          Say(t.id(), &d);
          d.set_reason(
              absl::StrCat("approved answer ", t.id(), "@", t.version()));
          return d;
        }
        d.set_lane(rv::LANE_AI_ASSISTED);
        d.set_rule_id(kDefaultRuleId);
        d.set_action(rv::ACTION_HANDOFF);
        d.add_allowed_actions(rv::ACTION_HANDOFF);
        Route(rt.queue(), &d);
        Say(scripts.callback(), &d);
        d.set_reason("no approved answer fits; callback");
        return d;
      }
      d.set_lane(rv::LANE_AI_OWNED);
      d.set_action(rv::ACTION_OFFER_SLOTS);
      d.add_allowed_actions(rv::ACTION_COLLECT_FIELD);
      d.add_allowed_actions(rv::ACTION_OFFER_SLOTS);
      d.add_allowed_actions(rv::ACTION_BOOK_SLOT);
      d.add_allowed_actions(rv::ACTION_HANDOFF);
      Route(rt.queue(), &d);
      Say(NextSteps(rt), &d);
      d.set_reason(absl::StrCat("request type ", rt.id(), " is AI-owned"));
      StartIntake(context, &d);
      return d;
    }
    d.set_lane(rt.lane() == pv::LANE_HUMAN_ONLY ? rv::LANE_HUMAN_ONLY
                                                : rv::LANE_AI_ASSISTED);
    d.set_action(rv::ACTION_HANDOFF);
    d.add_allowed_actions(rv::ACTION_COLLECT_FIELD);
    d.add_allowed_actions(rv::ACTION_HANDOFF);
    Route(rt.queue(), &d);
    if (rt.lane() == pv::LANE_AI_OWNED) {
      Say(rt.next_steps().empty() ? scripts.callback() : rt.next_steps(), &d);
      d.set_reason(absl::StrCat("rollout mode ",
                                ModeName(policy_->rollout_mode()),
                                " does not grant ", ModeName(needs)));
    } else {
      Say(NextSteps(rt), &d);
      d.set_reason(absl::StrCat("request type ", rt.id(), " is handed off"));
    }
    StartIntake(context, &d);
    return d;
  }

  // Not understood: AI-assisted, never AI-owned by default.
  d.set_lane(rv::LANE_AI_ASSISTED);
  d.set_rule_id(kDefaultRuleId);
  d.set_category("not-understood");
  d.set_action(rv::ACTION_HANDOFF);
  d.add_allowed_actions(rv::ACTION_HANDOFF);
  Route(p.default_queue(), &d);
  Say(scripts.callback(), &d);
  d.set_reason("not understood; callback");
  return d;
}

absl::StatusOr<rv::Decision> HandoffMap::Authorize(
    const rv::ProposedAction& action) const {
  const pv::Policy& p = policy_->proto();
  rv::Decision d;
  d.set_policy_version(policy_->version());
  auto deny = [&](rv::Lane lane, const std::string& queue,
                  const std::string& reason) {
    d.set_allowed(false);
    d.set_lane(lane);
    d.set_action(rv::ACTION_HANDOFF);
    d.add_allowed_actions(rv::ACTION_HANDOFF);
    Route(queue, &d);
    Say(p.scripts().handoff(), &d);
    d.set_reason(reason);
    return d;
  };
  switch (action.kind_case()) {
    case rv::ProposedAction::kQuoteAnswer: {
      d.set_rule_id("AUTH-QUOTE-ANSWER");
      d.set_category("quote_answer");
      const pv::ApprovedText* t =
          policy_->FindText(action.quote_answer().text_id());
      if (t == nullptr || t->phrasings().empty()) {
        return deny(rv::LANE_AI_ASSISTED, p.default_queue(),
                    "not an approved answer in this policy");
      }
      if (policy_->rollout_mode() < pv::ROLLOUT_MODE_ANSWERS) {
        return deny(rv::LANE_AI_ASSISTED, p.default_queue(),
                    "rollout mode capture_only does not grant answers");
      }
      d.set_allowed(true);
      d.set_lane(rv::LANE_AI_OWNED);
      d.set_action(rv::ACTION_QUOTE_ANSWER);
      d.add_allowed_actions(rv::ACTION_QUOTE_ANSWER);
      d.set_approved_text_id(t->id());
      d.set_approved_text_version(t->version());
      Say(t->id(), &d);
      d.set_reason("approved answer");
      return d;
    }
    case rv::ProposedAction::kCollectField: {
      const auto& c = action.collect_field();
      d.set_rule_id("AUTH-COLLECT-FIELD");
      d.set_category("collect_field");
      d.set_request_type(c.request_type());
      const auto* field_enum = pv::IntakeField_descriptor();
      int field = 0;
      for (int i = 1; i < field_enum->value_count(); ++i) {
        if (policy::internal::YamlProtoReader::EnumValueName(
                field_enum->value(i)) == c.field()) {
          field = field_enum->value(i)->number();
        }
      }
      if (field == 0) {
        return absl::InvalidArgumentError(
            "action.collect_field.field: not an intake field name");
      }
      const pv::PhiScope* scope = policy_->FindPhiScope(c.request_type());
      bool allowed = false;
      if (scope != nullptr) {
        for (int f : scope->collect()) allowed = allowed || f == field;
      }
      if (!allowed) {
        return deny(rv::LANE_AI_ASSISTED, p.default_queue(),
                    absl::StrCat("the PHI scope of ", c.request_type(),
                                 " does not collect ", c.field()));
      }
      d.set_allowed(true);
      d.set_lane(rv::LANE_AI_OWNED);
      d.set_action(rv::ACTION_COLLECT_FIELD);
      d.add_allowed_actions(rv::ACTION_COLLECT_FIELD);
      d.set_reason("within the PHI scope");
      return d;
    }
    case rv::ProposedAction::kOfferSlot:
    case rv::ProposedAction::kBookSlot: {
      const bool book = action.kind_case() == rv::ProposedAction::kBookSlot;
      const std::string visit = book ? action.book_slot().visit_type()
                                     : action.offer_slot().visit_type();
      const std::string clinician = book ? action.book_slot().clinician()
                                         : action.offer_slot().clinician();
      d.set_rule_id(book ? "AUTH-BOOK-SLOT" : "AUTH-OFFER-SLOT");
      d.set_category(book ? "book_slot" : "offer_slot");
      const std::string& exceptions = p.booking().exceptions_queue().empty()
                                          ? p.default_queue()
                                          : p.booking().exceptions_queue();
      if (policy_->rollout_mode() < pv::ROLLOUT_MODE_SCHEDULING) {
        return deny(
            rv::LANE_AI_ASSISTED, exceptions,
            absl::StrCat("rollout mode ", ModeName(policy_->rollout_mode()),
                         " does not grant scheduling"));
      }
      const pv::VisitType* v = policy_->FindVisitType(visit);
      if (v == nullptr) {
        return deny(rv::LANE_AI_ASSISTED, exceptions,
                    "not a visit type of this clinic");
      }
      if (policy::VisitTypeLane(*v) != pv::BOOKING_LANE_AI_OWNED ||
          v->procedure()) {
        return deny(
            rv::LANE_AI_ASSISTED, exceptions,
            absl::StrCat("visit type ", visit, " needs a person to confirm"));
      }
      bool listed = clinician.empty();
      for (const auto& c : v->clinicians()) listed = listed || c == clinician;
      if (!listed) {
        return deny(rv::LANE_AI_ASSISTED, exceptions,
                    absl::StrCat(clinician, " is not bookable for ", visit));
      }
      d.set_allowed(true);
      d.set_lane(rv::LANE_AI_OWNED);
      d.set_action(book ? rv::ACTION_BOOK_SLOT : rv::ACTION_OFFER_SLOTS);
      d.add_allowed_actions(d.action());
      d.set_reason("within the booking rules");
      return d;
    }
    case rv::ProposedAction::kSendReminder: {
      d.set_rule_id("AUTH-SEND-REMINDER");
      d.set_category("send_reminder");
      if (policy_->rollout_mode() < pv::ROLLOUT_MODE_REMINDERS) {
        return deny(
            rv::LANE_AI_ASSISTED, p.default_queue(),
            absl::StrCat("rollout mode ", ModeName(policy_->rollout_mode()),
                         " does not grant reminders"));
      }
      if (policy_->FindVisitType(action.send_reminder().visit_type()) ==
          nullptr) {
        return deny(rv::LANE_AI_ASSISTED, p.default_queue(),
                    "not a visit type of this clinic");
      }
      d.set_allowed(true);
      d.set_lane(rv::LANE_AI_OWNED);
      d.set_action(rv::ACTION_SEND_REMINDER);
      d.add_allowed_actions(rv::ACTION_SEND_REMINDER);
      d.set_reason("reminders granted");
      return d;
    }
    default:
      return absl::InvalidArgumentError(
          "action: required, one of quote_answer, "
          "collect_field, offer_slot, book_slot, "
          "send_reminder");
  }
}

}  // namespace frontdesk::rules_check
