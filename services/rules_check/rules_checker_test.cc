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
    checker_ = std::make_unique<RulesChecker>(
        std::make_shared<const policy::ClinicPolicy>(*std::move(p)), &log_,
        &chain_, absl::Seconds(2));
  }

  rv::EvaluateRequest Request(const std::string& utterance) {
    rv::EvaluateRequest r;
    r.set_tenant_id("sunrise-family-medicine");
    r.set_call_id("call-1");
    r.set_turn_index(1);
    r.set_utterance(utterance);
    return r;
  }

  FakeClock clock_;
  events::EventChain chain_;
  eventlog::InMemoryEventLog log_;
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
  EXPECT_EQ(opened->body.type(), ev::EVENT_TYPE_DECISION_RECORDED);
  EXPECT_EQ(opened->body.policy_version(), "sunrise-2026.11.27-1");
  EXPECT_FALSE(opened->body.has_sealed_phi());
  ev::DecisionRecorded rec;
  ASSERT_TRUE(rec.ParseFromString(opened->body.payload()));
  EXPECT_EQ(rec.decision_id(), d->decision_id());
  EXPECT_EQ(rec.lane(), ev::LANE_HUMAN_ONLY);
  EXPECT_EQ(rec.rule_id(), "HO-URGENT-001");
  EXPECT_EQ(rec.action(), "urgent_script");
  ASSERT_EQ(rec.matched_triggers_size(), 1);
  EXPECT_EQ(rec.matched_triggers(0), "chest pain");
  // The caller's words are not on the record in the clear.
  EXPECT_EQ(records[0].value.find("I have chest pain"), std::string::npos);
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
  auto too_long = checker_->Evaluate(r);
  EXPECT_EQ(too_long.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(too_long.status().message()),
            "utterance: longer than 2000 characters");
  r = Request("hello");
  r.clear_call_id();
  EXPECT_EQ(checker_->Evaluate(r).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(log_.Topic(kafka::kCallsTopic).empty());
}

}  // namespace
}  // namespace frontdesk::rules_check
