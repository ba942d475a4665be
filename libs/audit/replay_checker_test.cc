#include "libs/audit/replay_checker.h"

#include <memory>
#include <string>
#include <vector>

#include "frontdesk/events/v1/call_events.pb.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/events/event_chain.h"

namespace frontdesk::audit {
namespace {

namespace ev = ::frontdesk::events::v1;
using eventlog::StoredRecord;

constexpr char kCall[] = "call-1";
constexpr char kPolicy[] = "2026-11-27.1";

ev::Producer Producer(const std::string& service) {
  ev::Producer p;
  p.set_service(service);
  p.set_instance(service + "-1");
  return p;
}

// A call written by signed producers, as records of one partition.
class ReplayCheckerTest : public ::testing::Test {
 protected:
  ReplayCheckerTest()
      : clock_(absl::FromUnixSeconds(1800000000)),
        answer_key_(events::EventSigner::Generate("answer")),
        rules_key_(events::EventSigner::Generate("rules-check")),
        handoff_key_(events::EventSigner::Generate("handoff-prep")),
        answer_(Producer("answer"), &clock_, answer_key_),
        rules_(Producer("rules-check"), &clock_, rules_key_),
        handoff_(Producer("handoff-prep"), &clock_, handoff_key_) {
    EXPECT_TRUE(keys_.Add("answer", answer_key_->PublicKeyPem()).ok());
    EXPECT_TRUE(keys_.Add("rules-check", rules_key_->PublicKeyPem()).ok());
    EXPECT_TRUE(keys_.Add("handoff-prep", handoff_key_->PublicKeyPem()).ok());
  }

  ev::EventEnvelope Make(events::EventChain& chain, ev::EventType type,
                         const std::string& payload,
                         const std::string& policy = kPolicy) {
    events::EventDraft d;
    d.tenant_id = "sunrise";
    d.call_id = kCall;
    d.policy_version = policy;
    d.type = type;
    d.payload = payload;
    return chain.Next(d);
  }

  void Put(const ev::EventEnvelope& e) { Put(e.SerializeAsString()); }
  void Put(const std::string& value) {
    StoredRecord r;
    r.topic = "frontdesk.calls.v1";
    r.partition = 2;
    r.offset = 100 + static_cast<int64_t>(log_.size());
    r.key = kCall;
    r.value = value;
    log_.push_back(std::move(r));
  }

  static ev::DecisionRecorded Quote(const std::string& id, uint32_t turn) {
    ev::DecisionRecorded d;
    d.set_decision_id(id);
    d.set_turn_index(turn);
    d.set_lane(ev::LANE_AI_OWNED);
    d.set_rule_id("RT-HOURS");
    d.set_policy_version(kPolicy);
    d.set_action("quote_answer");
    d.add_allowed_actions("quote_answer");
    d.set_approved_text_id("hours");
    d.set_approved_text_version(3);
    return d;
  }

  static ev::ReplyGiven Reply(const std::string& decision, uint32_t turn,
                              const std::string& quoted) {
    ev::ReplyGiven r;
    r.set_turn_index(turn);
    r.set_decision_id(decision);
    r.add_quoted_texts(quoted);
    r.add_quoted_texts("anything-else@1");
    return r;
  }

  // CallStarted, then turn 1: a decision quoting hours@3 and the reply.
  void CleanCall() {
    Put(Make(answer_, ev::EVENT_TYPE_CALL_STARTED, ""));
    Put(Make(answer_, ev::EVENT_TYPE_TURN_RECEIVED, ""));
    Put(Make(rules_, ev::EVENT_TYPE_DECISION_RECORDED,
             Quote("d-1", 1).SerializeAsString()));
    Put(Make(answer_, ev::EVENT_TYPE_REPLY_GIVEN,
             Reply("d-1", 1, "hours@3").SerializeAsString()));
  }

  CallCheck Check() { return CheckCall(kCall, log_, &keys_); }

  static std::string EventId(const StoredRecord& r) {
    ev::EventEnvelope e;
    ev::EventBody b;
    e.ParseFromString(r.value);
    b.ParseFromString(e.body());
    return b.event_id();
  }

  FakeClock clock_;
  std::shared_ptr<const events::EventSigner> answer_key_;
  std::shared_ptr<const events::EventSigner> rules_key_;
  std::shared_ptr<const events::EventSigner> handoff_key_;
  events::EventChain answer_;
  events::EventChain rules_;
  events::EventChain handoff_;
  events::ProducerKeys keys_;
  std::vector<StoredRecord> log_;
};

TEST_F(ReplayCheckerTest, CleanCallHasNoFindings) {
  CleanCall();
  const CallCheck c = Check();
  EXPECT_TRUE(c.findings.empty()) << FindingLine(c.findings[0]);
  EXPECT_EQ(c.intact_events, 4);
  EXPECT_EQ(c.signed_events, 4);
  EXPECT_EQ(c.producers, 2u);
  EXPECT_EQ(c.actions_checked, 1);
  EXPECT_TRUE(c.signatures_checked);
  const nlohmann::json j = CallCheckJson(c);
  EXPECT_EQ(j["events"].size(), 4u);
  EXPECT_EQ(j["events"][2]["event_type"], "DecisionRecorded");
  EXPECT_EQ(j["events"][2]["signing_key_id"], rules_key_->key_id());
  EXPECT_EQ(j["counts"]["signed"], 4);
}

TEST_F(ReplayCheckerTest, AlteredPayloadIsNamedWithItsClaimedIdentity) {
  CleanCall();
  // Change the quoted text inside the body and keep the old hash.
  ev::EventEnvelope e;
  ASSERT_TRUE(e.ParseFromString(log_[3].value));
  std::string body = e.body();
  const size_t at = body.find("hours@3");
  ASSERT_NE(at, std::string::npos);
  body[at + 6] = '4';
  e.set_body(body);
  log_[3].value = e.SerializeAsString();

  const CallCheck c = Check();
  ASSERT_EQ(c.findings.size(), 1u);
  const Finding& f = c.findings[0];
  EXPECT_EQ(f.kind, "altered");
  EXPECT_EQ(f.event_id, EventId(log_[3]));
  EXPECT_EQ(f.event_type, "ReplyGiven");
  EXPECT_EQ(f.producer_service, "answer");
  EXPECT_EQ(f.producer_instance, "answer-1");
  EXPECT_EQ(f.sequence, 3u);
  EXPECT_EQ(f.topic, "frontdesk.calls.v1");
  EXPECT_EQ(f.partition, 2);
  EXPECT_EQ(f.offset, 103);
  EXPECT_EQ(f.detail, "envelope.hash: does not match SHA-256 of envelope.body");
}

TEST_F(ReplayCheckerTest, ForgedEventsWithValidHashesAreReported) {
  CleanCall();
  // An unsigned, well-linked, correctly hashed ReplyGiven...
  events::EventChain unsigned_answer(Producer("answer"), &clock_);
  Put(Make(unsigned_answer, ev::EVENT_TYPE_REPLY_GIVEN,
           Reply("d-1", 1, "hours@3").SerializeAsString()));
  // ... and a decision signed by a key rules-check does not hold.
  events::EventChain fake_rules(Producer("rules-check"), &clock_,
                                events::EventSigner::Generate("rules-check"));
  Put(Make(fake_rules, ev::EVENT_TYPE_DECISION_RECORDED,
           Quote("d-9", 2).SerializeAsString()));
  // An action citing the forged decision cites nothing trusted.
  Put(Make(answer_, ev::EVENT_TYPE_REPLY_GIVEN,
           Reply("d-9", 2, "hours@3").SerializeAsString()));

  const CallCheck c = Check();
  ASSERT_EQ(c.findings.size(), 3u);
  EXPECT_EQ(c.findings[0].kind, "forged");
  EXPECT_EQ(c.findings[0].event_id, EventId(log_[4]));
  EXPECT_EQ(c.findings[0].offset, 104);
  EXPECT_EQ(c.findings[0].sequence, 1u);
  EXPECT_EQ(c.findings[0].detail,
            "event " + EventId(log_[4]) + " claims producer answer: unsigned");
  EXPECT_EQ(c.findings[1].kind, "forged");
  EXPECT_EQ(c.findings[1].event_type, "DecisionRecorded");
  EXPECT_EQ(c.findings[1].producer_service, "rules-check");
  EXPECT_EQ(c.findings[1].offset, 105);
  EXPECT_EQ(c.findings[2].kind, "no_decision");
  EXPECT_EQ(c.findings[2].event_id, EventId(log_[6]));
  EXPECT_EQ(c.findings[2].sequence, 4u);
  EXPECT_EQ(c.findings[2].detail,
            "cites decision d-9, which is not on the log for this call "
            "before it");

  // Without keys the same log shows only the missing decision's action as
  // fine: signatures are what catch a forgery.
  const CallCheck unchecked = CheckCall(kCall, log_, nullptr);
  EXPECT_FALSE(unchecked.signatures_checked);
  EXPECT_EQ(unchecked.signed_events, 0);
}

TEST_F(ReplayCheckerTest, GapDuplicateAndReorderAreReported) {
  CleanCall();
  (void)Make(answer_, ev::EVENT_TYPE_TURN_RECEIVED, "");  // seq 4, never stored
  Put(Make(answer_, ev::EVENT_TYPE_TURN_RECEIVED, ""));   // seq 5
  Put(log_[1].value);                                     // duplicate of seq 2
  const ev::EventEnvelope six = Make(answer_, ev::EVENT_TYPE_CALL_ENDED, "");
  const ev::EventEnvelope seven = Make(answer_, ev::EVENT_TYPE_CALL_ENDED, "");
  Put(seven);
  Put(six);

  const CallCheck c = Check();
  ASSERT_EQ(c.findings.size(), 4u);
  EXPECT_EQ(c.findings[0].kind, "missing");
  EXPECT_EQ(c.findings[0].sequence, 5u);
  EXPECT_EQ(c.findings[0].offset, 104);
  EXPECT_EQ(c.findings[0].detail,
            "answer/answer-1 sequence 4 missing before 5");
  EXPECT_EQ(c.findings[1].kind, "duplicate");
  EXPECT_EQ(c.findings[1].event_id, EventId(log_[1]));
  EXPECT_EQ(c.findings[1].sequence, 2u);
  EXPECT_EQ(c.findings[1].offset, 105);
  // A swap shows as a gap where the later event comes first, then the
  // earlier one arriving late.
  EXPECT_EQ(c.findings[2].kind, "missing");
  EXPECT_EQ(c.findings[2].offset, 106);
  EXPECT_EQ(c.findings[3].kind, "reordered");
  EXPECT_EQ(c.findings[3].sequence, 6u);
  EXPECT_EQ(c.findings[3].offset, 107);
  EXPECT_EQ(c.findings[3].detail, "answer/answer-1 sequence 6 arrived after 7");
}

TEST_F(ReplayCheckerTest, ActionWithoutAnyDecisionIsReported) {
  Put(Make(answer_, ev::EVENT_TYPE_CALL_STARTED, ""));
  Put(Make(answer_, ev::EVENT_TYPE_REPLY_GIVEN,
           Reply("", 1, "hours@3").SerializeAsString()));
  // The fallback wording cites no decision and takes no action: fine.
  ev::ReplyGiven fallback;
  fallback.set_turn_index(2);
  fallback.set_fallback(true);
  Put(Make(answer_, ev::EVENT_TYPE_REPLY_GIVEN, fallback.SerializeAsString()));
  Put(Make(answer_, ev::EVENT_TYPE_REPLY_GIVEN,
           Reply("d-404", 3, "hours@3").SerializeAsString()));

  const CallCheck c = Check();
  ASSERT_EQ(c.findings.size(), 2u);
  EXPECT_EQ(c.findings[0].kind, "no_decision");
  EXPECT_EQ(c.findings[0].offset, 101);
  EXPECT_EQ(c.findings[0].detail, "cites no decision");
  EXPECT_EQ(c.findings[1].kind, "no_decision");
  EXPECT_EQ(c.findings[1].offset, 103);
  EXPECT_EQ(c.actions_checked, 2);
}

TEST_F(ReplayCheckerTest, DecisionAfterTheActionDoesNotCount) {
  Put(Make(answer_, ev::EVENT_TYPE_REPLY_GIVEN,
           Reply("d-1", 1, "hours@3").SerializeAsString()));
  Put(Make(rules_, ev::EVENT_TYPE_DECISION_RECORDED,
           Quote("d-1", 1).SerializeAsString()));
  const CallCheck c = Check();
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].kind, "no_decision");
  EXPECT_EQ(c.findings[0].event_type, "ReplyGiven");
}

TEST_F(ReplayCheckerTest, ActionsTheDecisionDidNotAllowAreReported) {
  Put(Make(rules_, ev::EVENT_TYPE_DECISION_RECORDED,
           Quote("d-1", 1).SerializeAsString()));
  // Another approved text than the one allowed.
  Put(Make(answer_, ev::EVENT_TYPE_REPLY_GIVEN,
           Reply("d-1", 1, "parking@1").SerializeAsString()));
  // A handoff the quote decision did not allow.
  ev::HandoffPrepared h;
  h.set_handoff_id("h-1");
  h.set_decision_id("d-1");
  h.set_queue("front-desk");
  Put(Make(handoff_, ev::EVENT_TYPE_HANDOFF_PREPARED, h.SerializeAsString()));

  ev::DecisionRecorded intake;
  intake.set_decision_id("d-2");
  intake.set_turn_index(2);
  intake.set_policy_version(kPolicy);
  intake.set_action("collect_field");
  intake.add_allowed_actions("collect_field");
  intake.add_allowed_actions("handoff");
  intake.set_allowed(true);
  intake.set_collect_field("date_of_birth");
  intake.set_request_type("refill");
  intake.set_queue("nurse");
  intake.set_lane(ev::LANE_AI_ASSISTED);
  Put(Make(rules_, ev::EVENT_TYPE_DECISION_RECORDED,
           intake.SerializeAsString()));
  ev::FieldCollected fc;
  fc.set_turn_index(2);
  fc.set_decision_id("d-2");
  fc.set_field("insurance_member_id");
  fc.set_request_type("refill");
  Put(Make(answer_, ev::EVENT_TYPE_FIELD_COLLECTED, fc.SerializeAsString()));
  fc.set_field("date_of_birth");
  Put(Make(answer_, ev::EVENT_TYPE_FIELD_COLLECTED, fc.SerializeAsString()));
  h.set_handoff_id("h-2");
  h.set_decision_id("d-2");
  h.set_queue("billing");
  Put(Make(handoff_, ev::EVENT_TYPE_HANDOFF_PREPARED, h.SerializeAsString()));
  h.set_queue("nurse");
  h.set_lane(ev::LANE_AI_ASSISTED);
  Put(Make(handoff_, ev::EVENT_TYPE_HANDOFF_PREPARED, h.SerializeAsString()));

  const CallCheck c = Check();
  ASSERT_EQ(c.findings.size(), 4u);
  for (const Finding& f : c.findings) EXPECT_EQ(f.kind, "not_allowed");
  EXPECT_EQ(c.findings[0].offset, 101);
  EXPECT_EQ(c.findings[0].detail,
            "decision d-1 (rule RT-HOURS): the decision allowed quoting "
            "hours@3; the reply quoted [parking@1,anything-else@1]");
  EXPECT_EQ(c.findings[1].offset, 102);
  EXPECT_EQ(c.findings[1].producer_service, "handoff-prep");
  EXPECT_EQ(c.findings[1].detail,
            "decision d-1 (rule RT-HOURS): handoff prepared; the decision "
            "allowed action quote_answer, allowed [quote_answer]");
  EXPECT_EQ(c.findings[2].offset, 104);
  EXPECT_EQ(c.findings[2].event_type, "FieldCollected");
  EXPECT_EQ(c.findings[2].detail,
            "decision d-2 (rule ): collected field insurance_member_id; the "
            "decision allowed field \"date_of_birth\"");
  EXPECT_EQ(c.findings[3].offset, 106);
  EXPECT_EQ(c.findings[3].detail,
            "decision d-2 (rule ): handoff to queue billing; the decision "
            "routed to queue nurse");
  EXPECT_EQ(c.actions_checked, 6);
}

TEST_F(ReplayCheckerTest, DecisionUnderAnotherPolicyVersionIsReported) {
  ev::DecisionRecorded d = Quote("d-1", 1);
  d.set_policy_version("2026-12-01.1");
  Put(Make(rules_, ev::EVENT_TYPE_DECISION_RECORDED, d.SerializeAsString(),
           "2026-12-01.1"));
  Put(Make(answer_, ev::EVENT_TYPE_REPLY_GIVEN,
           Reply("d-1", 1, "hours@3").SerializeAsString()));
  const CallCheck c = Check();
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].kind, "policy_mismatch");
  EXPECT_EQ(c.findings[0].offset, 101);
  EXPECT_EQ(c.findings[0].detail,
            "acted under policy 2026-11-27.1; decision d-1 was made under "
            "policy 2026-12-01.1");
}

TEST_F(ReplayCheckerTest, OnlyRulesCheckDecidesExceptAnswersFailClosedHandoff) {
  // answer writing its own quote decision: not allowed.
  Put(Make(answer_, ev::EVENT_TYPE_DECISION_RECORDED,
           Quote("d-1", 1).SerializeAsString()));
  Put(Make(answer_, ev::EVENT_TYPE_REPLY_GIVEN,
           Reply("d-1", 1, "hours@3").SerializeAsString()));
  // answer's fail-closed handoff decision: allowed for the handoff.
  ev::DecisionRecorded closed;
  closed.set_decision_id("d-2");
  closed.set_turn_index(2);
  closed.set_rule_id("FAIL-CLOSED-RULES-CHECK");
  closed.set_policy_version(kPolicy);
  closed.set_action("handoff");
  closed.set_queue("front-desk");
  closed.set_lane(ev::LANE_AI_ASSISTED);
  Put(Make(answer_, ev::EVENT_TYPE_DECISION_RECORDED,
           closed.SerializeAsString()));
  ev::HandoffPrepared h;
  h.set_decision_id("d-2");
  h.set_queue("front-desk");
  h.set_lane(ev::LANE_AI_ASSISTED);
  Put(Make(handoff_, ev::EVENT_TYPE_HANDOFF_PREPARED, h.SerializeAsString()));

  const CallCheck c = Check();
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].kind, "not_allowed");
  EXPECT_EQ(c.findings[0].offset, 101);
  EXPECT_EQ(c.findings[0].detail, "cites decision d-1 (event " +
                                      EventId(log_[0]) +
                                      "), written by answer, not rules-check");
}

TEST_F(ReplayCheckerTest, FindingLineNamesEverything) {
  Finding f;
  f.kind = "forged";
  f.event_id = "e-1";
  f.event_type = "ReplyGiven";
  f.producer_service = "answer";
  f.producer_instance = "h:1:2";
  f.sequence = 7;
  f.topic = "frontdesk.calls.v1";
  f.partition = 1;
  f.offset = 42;
  f.detail = "unsigned";
  EXPECT_EQ(FindingLine(f),
            "forged at frontdesk.calls.v1/1@42: event e-1 (ReplyGiven, "
            "answer/h:1:2 #7): unsigned");
  const nlohmann::json j = FindingJson(f);
  EXPECT_EQ(j["producer"]["instance"], "h:1:2");
  EXPECT_EQ(j["offset"], 42);
}

}  // namespace
}  // namespace frontdesk::audit
