#include "services/rules_check/rules_checker.h"

#include "frontdesk/events/v1/call_events.pb.h"
#include "gtest/gtest.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::rules_check {
namespace {

namespace ev = ::frontdesk::events::v1;
namespace rv = ::frontdesk::rules::v1;

class RulesCheckerTest : public ::testing::Test {
 protected:
  RulesCheckerTest()
      : clock_(absl::FromUnixSeconds(1800000000)),
        chain_(Producer(), &clock_) {}

  static ev::Producer Producer() {
    ev::Producer p;
    p.set_service("rules-check");
    p.set_instance("test");
    return p;
  }

  void SetUp() override {
    auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = std::make_shared<const policy::ClinicPolicy>(*std::move(p));
    checker_ = std::make_unique<RulesChecker>(
        std::make_shared<const HandoffMap>(policy_), &log_, &chain_,
        absl::Seconds(2));
  }

  rv::EvaluateRequest Request(const std::string& utterance) {
    rv::EvaluateRequest r;
    r.set_tenant_id("sunrise-family-medicine");
    r.set_call_id("call-1");
    r.set_turn_index(1);
    r.set_utterance(utterance);
    return r;
  }

  ev::DecisionRecorded LastRecorded() {
    auto records = log_.Topic(kafka::kCallsTopic);
    EXPECT_FALSE(records.empty());
    auto opened = events::OpenEnvelopeBytes(records.back().value);
    EXPECT_TRUE(opened.ok());
    EXPECT_EQ(opened->body.type(), ev::EVENT_TYPE_DECISION_RECORDED);
    ev::DecisionRecorded rec;
    EXPECT_TRUE(rec.ParseFromString(opened->body.payload()));
    return rec;
  }

  FakeClock clock_;
  events::EventChain chain_;
  eventlog::InMemoryEventLog log_;
  std::shared_ptr<const policy::ClinicPolicy> policy_;
  std::unique_ptr<RulesChecker> checker_;
};

TEST_F(RulesCheckerTest, DecisionIsRecordedBeforeItIsReturned) {
  auto d = checker_->Evaluate(Request("I have chest pain"));
  ASSERT_TRUE(d.ok()) << d.status();
  auto records = log_.Topic(kafka::kCallsTopic);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].key, "call-1");
  auto opened = events::OpenEnvelopeBytes(records[0].value);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(opened->body.policy_version(), policy_->version());
  EXPECT_FALSE(opened->body.has_sealed_phi());
  ev::DecisionRecorded rec = LastRecorded();
  EXPECT_EQ(rec.decision_id(), d->decision_id());
  EXPECT_EQ(rec.lane(), ev::LANE_HUMAN_ONLY);
  EXPECT_EQ(rec.rule_id(), "HO-URGENT-001");
  EXPECT_EQ(rec.policy_version(), policy_->version());
  EXPECT_EQ(rec.action(), "urgent_script");
  ASSERT_EQ(rec.matched_triggers_size(), 1);
  EXPECT_EQ(rec.matched_triggers(0), "chest pain");
  EXPECT_EQ(rec.trigger_source(), "utterance");
  EXPECT_EQ(rec.trigger_begin(), 7u);
  EXPECT_EQ(rec.trigger_end(), 17u);
  EXPECT_EQ(rec.allowed_actions_size(), 2);
  // The caller's words are not on the record in the clear.
  EXPECT_EQ(records[0].value.find("I have chest pain"), std::string::npos);
}

TEST_F(RulesCheckerTest, AuthorizationIsRecordedToo) {
  rv::AuthorizeRequest r;
  r.set_tenant_id("sunrise-family-medicine");
  r.set_call_id("call-1");
  r.set_turn_index(2);
  r.mutable_action()->mutable_collect_field()->set_request_type("refill");
  r.mutable_action()->mutable_collect_field()->set_field("date_of_birth");
  auto d = checker_->Authorize(r);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_TRUE(d->allowed());
  ev::DecisionRecorded rec = LastRecorded();
  EXPECT_EQ(rec.decision_id(), d->decision_id());
  EXPECT_TRUE(rec.allowed());
  EXPECT_EQ(rec.proposed(), "collect_field refill date_of_birth");
  EXPECT_EQ(rec.rule_id(), "AUTH-COLLECT-FIELD");

  r.mutable_action()->Clear();
  auto none = checker_->Authorize(r);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(RulesCheckerTest, FailsClosedWhenTheLogDoesNotAcknowledge) {
  log_.SetAvailable(false);
  auto d = checker_->Evaluate(Request("What are your hours?"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(std::string(d.status().message()),
            "decision not recorded, failing closed: event log did not "
            "acknowledge within the bound");
}

TEST_F(RulesCheckerTest, OversizedCallContextIsRefusedAndNotRecorded) {
  rv::EvaluateRequest r = Request("what are your hours");
  for (int i = 0; i < 33; ++i) r.mutable_context()->add_collected("name");
  auto many = checker_->Evaluate(r);
  EXPECT_EQ(many.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(many.status().message()),
            "context.collected: more than 32 fields");
  r = Request("what are your hours");
  r.mutable_context()->add_collected(std::string(129, 'c'));
  EXPECT_EQ(std::string(checker_->Evaluate(r).status().message()),
            "context.collected[0]: longer than 128 bytes");
  r = Request("what are your hours");
  r.mutable_context()->set_asking_for(std::string(129, 'a'));
  EXPECT_EQ(std::string(checker_->Evaluate(r).status().message()),
            "context.asking_for: longer than 128 bytes");
  r = Request("what are your hours");
  r.mutable_context()->set_request_type(std::string(129, 't'));
  EXPECT_EQ(std::string(checker_->Evaluate(r).status().message()),
            "context.request_type: longer than 128 bytes");
  EXPECT_TRUE(log_.Topic(kafka::kCallsTopic).empty());
  r = Request("what are your hours");
  for (int i = 0; i < 32; ++i) r.mutable_context()->add_collected("name");
  EXPECT_TRUE(checker_->Evaluate(r).ok());
}

TEST_F(RulesCheckerTest, BadRequestsNameTheField) {
  rv::EvaluateRequest r = Request("hello");
  r.clear_tenant_id();
  EXPECT_EQ(std::string(checker_->Evaluate(r).status().message()),
            "tenant_id: required");
  r = Request("hello");
  r.set_tenant_id("other-clinic");
  EXPECT_EQ(checker_->Evaluate(r).status().code(), absl::StatusCode::kNotFound);
  r = Request("");
  EXPECT_EQ(std::string(checker_->Evaluate(r).status().message()),
            "utterance: required");
  r = Request(std::string(2001, 'a'));
  EXPECT_EQ(std::string(checker_->Evaluate(r).status().message()),
            "utterance: longer than 2000 characters");
  r = Request("hello");
  for (int i = 0; i < 11; ++i) r.add_asr_alternatives("hello");
  EXPECT_EQ(std::string(checker_->Evaluate(r).status().message()),
            "asr_alternatives: more than 10 alternatives");
  r = Request("hello");
  r.add_asr_alternatives(std::string(2001, 'b'));
  EXPECT_EQ(
      std::string(checker_->Evaluate(r).status().message()),
      "asr_alternatives[0]: longer than 2000 characters or not valid UTF-8");
  r = Request("caf\xC3");
  EXPECT_EQ(std::string(checker_->Evaluate(r).status().message()),
            "utterance: not valid UTF-8");
  r = Request("hello");
  r.clear_call_id();
  EXPECT_EQ(checker_->Evaluate(r).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(log_.Topic(kafka::kCallsTopic).empty());
}

}  // namespace
}  // namespace frontdesk::rules_check
