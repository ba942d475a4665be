// CraftedLog: builds a log of real, hashed and chained events for the
// reports' unit tests, with a fake clock and an in-memory tenant key.
#ifndef FRONTDESK_LIBS_REPORTS_CRAFTED_LOG_TEST_UTIL_H_
#define FRONTDESK_LIBS_REPORTS_CRAFTED_LOG_TEST_UTIL_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/events/v1/handoff_events.pb.h"
#include "frontdesk/policy/v1/policy_events.pb.h"
#include "libs/common/clock.h"
#include "libs/eventlog/event_log.h"
#include "libs/events/event_chain.h"
#include "libs/phi/in_memory_tenant_keys.h"
#include "libs/phi/phi_keyring.h"
#include "libs/reports/audit_log_events.h"

namespace frontdesk::reports::testing {

inline constexpr char kTenant[] = "sunrise-family-medicine";

inline frontdesk::events::v1::Producer Named(const std::string& service) {
  frontdesk::events::v1::Producer p;
  p.set_service(service);
  p.set_instance(service + "-host:1:1");
  p.set_version("test");
  return p;
}

class CraftedLog {
 public:
  // The week starts on Monday 2026-11-23 00:00 UTC.
  static absl::Time WeekStart() {
    return absl::FromCivil(absl::CivilSecond(2026, 11, 23, 0, 0, 0),
                           absl::UTCTimeZone());
  }

  CraftedLog()
      : clock_(WeekStart() + absl::Hours(9)),
        answer_(Named("answer"), &clock_),
        rules_(Named("rules-check"), &clock_),
        handoff_(Named("handoff-prep"), &clock_),
        records_chain_(Named("record-keeper"), &clock_) {
    auto keys = std::make_unique<phi::InMemoryTenantKeys>();
    (void)keys->AddKey(kTenant, std::string(32, 'k'));
    keyring_ = std::make_unique<phi::PhiKeyring>(std::move(keys));
  }

  FakeClock& clock() { return clock_; }
  events::EventChain& answer() { return answer_; }
  events::EventChain& rules() { return rules_; }
  events::EventChain& handoff() { return handoff_; }
  events::EventChain& record_keeper() { return records_chain_; }

  // Appends one event made by `chain` at the clock's time.
  void Add(events::EventChain& chain, const std::string& topic,
           const std::string& call_id, frontdesk::events::v1::EventType type,
           const google::protobuf::Message& payload,
           const std::optional<frontdesk::events::v1::PhiFields>& phi =
               std::nullopt) {
    events::EventDraft d;
    d.tenant_id = kTenant;
    d.call_id = call_id;
    d.policy_version = "sunrise-test";
    d.type = type;
    d.payload = payload.SerializeAsString();
    if (phi.has_value()) {
      auto sealer = keyring_->SealerFor(kTenant);
      d.sealed_phi = sealer->Seal(*phi, kTenant, call_id);
    }
    auto env = chain.Next(d);
    eventlog::StoredRecord r;
    r.topic = topic;
    r.offset = static_cast<int64_t>(records_.size());
    r.key = call_id;
    r.value = env.SerializeAsString();
    records_.push_back(std::move(r));
  }

  const std::vector<eventlog::StoredRecord>& records() const {
    return records_;
  }

  PhiOpener Opener() const {
    return [this](const frontdesk::events::v1::SealedPhi& s,
                  absl::string_view tenant, absl::string_view call) {
      return keyring_->Open(s, tenant, call);
    };
  }

  AuditLogEvents Week() const {
    return CollectEvents(records_, WeekStart(), WeekStart() + absl::Hours(168));
  }

 private:
  FakeClock clock_;
  events::EventChain answer_, rules_, handoff_, records_chain_;
  std::unique_ptr<phi::PhiKeyring> keyring_;
  std::vector<eventlog::StoredRecord> records_;
};

namespace ev = ::frontdesk::events::v1;

// Helpers that write one event of a scripted call at the clock's time.
class Script {
 public:
  explicit Script(CraftedLog* log) : log_(log) {}

  void Start(const std::string& call, const std::string& caller_number = "") {
    ev::CallStarted p;
    p.set_channel(ev::CHANNEL_VOICE);
    p.set_direction(ev::DIRECTION_INBOUND);
    std::optional<ev::PhiFields> phi;
    if (!caller_number.empty()) {
      phi.emplace();
      phi->set_caller_number(caller_number);
    }
    log_->Add(log_->answer(), "frontdesk.calls.v1", call,
              ev::EVENT_TYPE_CALL_STARTED, p, phi);
  }
  void Turn(const std::string& call, uint32_t turn, const std::string& words) {
    ev::TurnReceived p;
    p.set_turn_index(turn);
    p.set_utterance_chars(static_cast<uint32_t>(words.size()));
    ev::PhiFields phi;
    phi.set_utterance(words);
    log_->Add(log_->answer(), "frontdesk.calls.v1", call,
              ev::EVENT_TYPE_TURN_RECEIVED, p, phi);
  }
  void Decide(const std::string& call, const ev::DecisionRecorded& d) {
    log_->Add(log_->rules(), "frontdesk.calls.v1", call,
              ev::EVENT_TYPE_DECISION_RECORDED, d);
  }
  ev::DecisionRecorded Decision(const std::string& id, uint32_t turn,
                                ev::Lane lane, const std::string& rule,
                                const std::string& category,
                                const std::string& request_type,
                                const std::string& action) {
    ev::DecisionRecorded d;
    d.set_decision_id(id);
    d.set_turn_index(turn);
    d.set_lane(lane);
    d.set_rule_id(rule);
    d.set_category(category);
    d.set_request_type(request_type);
    d.set_action(action);
    d.set_policy_version("sunrise-test");
    return d;
  }
  void Reply(const std::string& call, uint32_t turn,
             const std::string& decision_id, const std::string& asking_for) {
    ev::ReplyGiven p;
    p.set_turn_index(turn);
    p.set_decision_id(decision_id);
    p.set_asking_for(asking_for);
    log_->Add(log_->answer(), "frontdesk.calls.v1", call,
              ev::EVENT_TYPE_REPLY_GIVEN, p);
  }
  void Field(const std::string& call, uint32_t turn, const std::string& field,
             const std::string& value) {
    ev::FieldCollected p;
    p.set_turn_index(turn);
    p.set_field(field);
    p.set_outcome(ev::FieldCollected::OUTCOME_ACCEPTED);
    ev::PhiFields phi;
    auto* v = phi.add_intake();
    v->set_field(field);
    v->set_value(value);
    log_->Add(log_->answer(), "frontdesk.calls.v1", call,
              ev::EVENT_TYPE_FIELD_COLLECTED, p, phi);
  }
  void Unanswered(const std::string& call, uint32_t turn,
                  const std::string& words) {
    ev::QuestionUnanswered p;
    p.set_turn_index(turn);
    p.set_offered("callback");
    ev::PhiFields phi;
    phi.set_utterance(words);
    log_->Add(log_->answer(), "frontdesk.calls.v1", call,
              ev::EVENT_TYPE_QUESTION_UNANSWERED, p, phi);
  }
  void Prepare(const std::string& call, const std::string& handoff,
               const std::string& decision_id, const std::string& queue,
               const std::string& category, ev::Lane lane,
               absl::Duration window) {
    ev::HandoffPrepared p;
    p.set_handoff_id(handoff);
    p.set_decision_id(decision_id);
    p.set_queue(queue);
    p.set_category(category);
    p.set_lane(lane);
    p.set_owner_role("front-desk");
    const absl::Time deadline = log_->clock().Now() + window;
    p.mutable_deadline()->set_seconds(absl::ToUnixSeconds(deadline));
    log_->Add(log_->handoff(), "frontdesk.calls.v1", call,
              ev::EVENT_TYPE_HANDOFF_PREPARED, p);
  }
  void Claim(const std::string& call, const std::string& handoff) {
    ev::HandoffClaimed p;
    p.set_handoff_id(handoff);
    p.set_staff_id("nina");
    p.set_role("nurse");
    log_->Add(log_->handoff(), "frontdesk.calls.v1", call,
              ev::EVENT_TYPE_HANDOFF_CLAIMED, p);
  }
  void Resolve(const std::string& call, const std::string& handoff) {
    ev::HandoffResolved p;
    p.set_handoff_id(handoff);
    p.set_staff_id("nina");
    p.set_role("nurse");
    ev::PhiFields phi;
    phi.set_note("called back");
    log_->Add(log_->handoff(), "frontdesk.calls.v1", call,
              ev::EVENT_TYPE_HANDOFF_RESOLVED, p, phi);
  }
  void Escalate(const std::string& call, const std::string& handoff) {
    ev::HandoffEscalated p;
    p.set_handoff_id(handoff);
    p.set_from_role("nurse");
    p.set_to_role("practice-manager");
    p.set_level(1);
    log_->Add(log_->handoff(), "frontdesk.calls.v1", call,
              ev::EVENT_TYPE_HANDOFF_ESCALATED, p);
  }
  void End(const std::string& call) {
    ev::CallEnded p;
    p.set_how("caller_hung_up");
    log_->Add(log_->answer(), "frontdesk.calls.v1", call,
              ev::EVENT_TYPE_CALL_ENDED, p);
  }
  void Wait(absl::Duration d) { log_->clock().Advance(d); }

 private:
  CraftedLog* log_;
};

// The scripted week of the reports' tests (figures in weekly_report_test.cc):
//   c0        last week: outside the range.
//   c1..c3    refill, ai_assisted, handed off to refills and claimed after
//             60 s, 120 s and 300 s, all resolved.
//   c4        urgent symptoms (two triggers), human_only to nurse-line with a
//             5 min window; escalated at 6 min, claimed at 10 min, resolved.
//   c5        an approved answer (parking), then a question nobody answers;
//             a callback handoff to front-desk that nobody claims.
//   c6        an approved answer (office hours), then the same unanswered
//             question spelled differently; no handoff.
// Plus one access and one policy activation.
inline void ScriptWeek(CraftedLog* log) {
  Script s(log);
  const absl::Time start = CraftedLog::WeekStart();
  log->clock().Set(start - absl::Hours(2));
  s.Start("c0");
  s.End("c0");
  log->clock().Set(start + absl::Hours(9));

  const int claim_seconds[] = {60, 120, 300};
  for (int i = 1; i <= 3; ++i) {
    const std::string call = "c" + std::to_string(i);
    const std::string d = "d" + std::to_string(i);
    const std::string h = "h" + std::to_string(i);
    s.Start(call, "+1555010000" + std::to_string(i));
    s.Turn(call, 1, "I need a refill of my prescription");
    s.Decide(call, s.Decision(d, 1, ev::LANE_AI_ASSISTED, "RT-REFILL", "refill",
                              "refill", "handoff"));
    s.Reply(call, 1, d, "");
    s.Prepare(call, h, d, "refills", "refill", ev::LANE_AI_ASSISTED,
              absl::Minutes(15));
    s.End(call);
    s.Wait(absl::Seconds(claim_seconds[i - 1]));
    s.Claim(call, h);
    s.Wait(absl::Minutes(1));
    s.Resolve(call, h);
    s.Wait(absl::Hours(1));
  }

  s.Start("c4", "+15550100004");
  s.Turn("c4", 1, "I have chest pain and I am short of breath");
  auto d4 = s.Decision("d4", 1, ev::LANE_HUMAN_ONLY, "HO-URGENT",
                       "urgent-symptoms", "", "urgent_script");
  d4.add_matched_triggers("chest pain");
  d4.add_matched_triggers("short of breath");
  s.Decide("c4", d4);
  s.Reply("c4", 1, "d4", "");
  s.Prepare("c4", "h4", "d4", "nurse-line", "urgent-symptoms",
            ev::LANE_HUMAN_ONLY, absl::Minutes(5));
  s.End("c4");
  s.Wait(absl::Minutes(6));
  s.Escalate("c4", "h4");
  s.Wait(absl::Minutes(4));
  s.Claim("c4", "h4");
  s.Resolve("c4", "h4");
  s.Wait(absl::Hours(1));

  s.Start("c5", "+15550100005");
  s.Turn("c5", 1, "where do I park");
  auto q5 = s.Decision("d5a", 1, ev::LANE_AI_OWNED, "RT-GENERAL",
                       "general-question", "general-question", "quote_answer");
  q5.set_approved_text_id("parking");
  q5.set_approved_text_version(1);
  s.Decide("c5", q5);
  auto auth = s.Decision("d5b", 1, ev::LANE_AI_OWNED, "AUTH-QUOTE",
                         "general-question", "general-question", "");
  auth.set_proposed("quote_answer parking");
  auth.set_allowed(true);
  s.Decide("c5", auth);
  s.Reply("c5", 1, "d5a", "");
  s.Turn("c5", 2, "Do you  do X-rays?");
  s.Decide("c5", s.Decision("d5c", 2, ev::LANE_AI_ASSISTED,
                            "AA-CALLBACK-DEFAULT", "callback", "", "handoff"));
  s.Unanswered("c5", 2, "Do you  do X-rays?");
  s.Prepare("c5", "h5", "d5c", "front-desk", "callback", ev::LANE_AI_ASSISTED,
            absl::Minutes(30));
  s.Reply("c5", 2, "d5c", "");
  s.End("c5");
  s.Wait(absl::Hours(1));

  s.Start("c6");
  s.Turn("c6", 1, "what are your hours");
  auto q6 = s.Decision("d6a", 1, ev::LANE_AI_OWNED, "RT-GENERAL",
                       "general-question", "general-question", "quote_answer");
  q6.set_approved_text_id("office-hours");
  q6.set_approved_text_version(1);
  s.Decide("c6", q6);
  s.Turn("c6", 2, "do you do x-rays?");
  s.Decide("c6", s.Decision("d6b", 2, ev::LANE_AI_ASSISTED,
                            "AA-CALLBACK-DEFAULT", "callback", "", "handoff"));
  s.Unanswered("c6", 2, "do you do x-rays?");
  s.End("c6");

  ev::AccessRecorded a;
  a.set_actor_id("auditor-1");
  a.set_role("auditor");
  a.set_action("export");
  a.set_resource("log/frontdesk.calls.v1");
  a.set_allowed(true);
  a.set_purpose("HOPERAT");
  a.set_via("cli");
  log->Add(log->record_keeper(), "frontdesk.access.v1", "actor/auditor-1",
           ev::EVENT_TYPE_ACCESS_RECORDED, a);
  // An emergency read of the nurse line by the medical director.
  ev::AccessRecorded glass;
  glass.set_actor_id("dr-dee");
  glass.set_role("medical-director");
  glass.set_action("list_open");
  glass.set_resource("queue/nurse-line");
  glass.set_allowed(true);
  glass.set_purpose("break glass: nurse line unstaffed during ice storm");
  glass.set_via("grpc");
  glass.set_break_glass(true);
  log->Add(log->record_keeper(), "frontdesk.access.v1", "actor/dr-dee",
           ev::EVENT_TYPE_ACCESS_RECORDED, glass);
  frontdesk::policy::v1::PolicyActivated pa;
  pa.set_tenant_id(kTenant);
  pa.set_new_version("sunrise-test");
  pa.add_changes("human_only urgent-symptoms: +2 triggers");
  log->Add(log->rules(), "frontdesk.policy.v1", kTenant,
           ev::EVENT_TYPE_POLICY_ACTIVATED, pa);
}

}  // namespace frontdesk::reports::testing

#endif  // FRONTDESK_LIBS_REPORTS_CRAFTED_LOG_TEST_UTIL_H_
