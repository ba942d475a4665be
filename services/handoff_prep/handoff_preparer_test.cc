#include "services/handoff_prep/handoff_preparer.h"

#include "frontdesk/events/v1/call_events.pb.h"
#include "gtest/gtest.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::handoff_prep {
namespace {

namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace rv = ::frontdesk::rules::v1;

class HandoffPreparerTest : public ::testing::Test {
 protected:
  HandoffPreparerTest()
      : clock_(absl::FromUnixSeconds(1800000000)),
        chain_(Producer(), &clock_),
        sealer_(*phi::PhiSealer::FromKey(std::string(32, 'k'))) {}

  static ev::Producer Producer() {
    ev::Producer p;
    p.set_service("handoff-prep");
    p.set_instance("test");
    return p;
  }

  void SetUp() override {
    auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
    ASSERT_TRUE(p.ok()) << p.status();
    preparer_ = std::make_unique<HandoffPreparer>(
        std::make_shared<const policy::ClinicPolicy>(*std::move(p)), &log_,
        &chain_, &sealer_, &clock_, absl::Seconds(2));
  }

  hv::PrepareRequest UrgentRequest() {
    hv::PrepareRequest r;
    r.set_tenant_id("sunrise-family-medicine");
    r.set_call_id("call-1");
    rv::Decision* d = r.mutable_decision();
    d->set_decision_id("dec-1");
    d->set_lane(rv::LANE_HUMAN_ONLY);
    d->set_action(rv::ACTION_URGENT_SCRIPT);
    d->set_rule_id("HO-URGENT-001");
    d->set_category("urgent-symptoms");
    d->set_policy_version("sunrise-2026.11.27-1");
    d->add_matched_triggers("chest pain");
    d->set_queue("nurse-line");
    r.set_trigger_utterance("I have chest pain");
    r.set_caller_number("+15555550123");
    r.set_attempted_step("urgent_script");
    r.set_patient_told("Hang up and call 911.");
    return r;
  }

  FakeClock clock_;
  events::EventChain chain_;
  phi::PhiSealer sealer_;
  eventlog::InMemoryEventLog log_;
  std::unique_ptr<HandoffPreparer> preparer_;
};

TEST_F(HandoffPreparerTest, PacketCarriesWhatStaffNeed) {
  auto r = preparer_->Prepare(UrgentRequest());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->duplicate);
  const hv::HandoffPacket& p = r->packet;
  EXPECT_EQ(p.queue(), "nurse-line");
  EXPECT_EQ(p.owner_role(), "triage-nurse");
  EXPECT_EQ(p.backup_role(), "on-call-clinician");
  EXPECT_EQ(p.created_at().seconds(), 1800000000);
  EXPECT_EQ(p.deadline().seconds(), 1800000000 + 5 * 60);
  EXPECT_EQ(p.priority(), 1u);
  EXPECT_EQ(p.rule_id(), "HO-URGENT-001");
  EXPECT_EQ(p.patient_told(), "Hang up and call 911.");
  ASSERT_EQ(p.matched_triggers_size(), 1);
  EXPECT_EQ(p.matched_triggers(0), "chest pain");
  auto phi = sealer_.Open(p.sealed_phi(), "sunrise-family-medicine", "call-1");
  ASSERT_TRUE(phi.ok());
  EXPECT_EQ(phi->utterance(), "I have chest pain");
  EXPECT_EQ(phi->caller_number(), "+15555550123");

  auto queue = log_.Topic("frontdesk.handoff.nurse-line.v1");
  ASSERT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue[0].key, "call-1");
  EXPECT_EQ(queue[0].value.find("I have chest pain"), std::string::npos);
  auto calls = log_.Topic(kafka::kCallsTopic);
  ASSERT_EQ(calls.size(), 1u);
  auto opened = events::OpenEnvelopeBytes(calls[0].value);
  ASSERT_TRUE(opened.ok());
  ev::HandoffPrepared prepared;
  ASSERT_TRUE(prepared.ParseFromString(opened->body.payload()));
  EXPECT_EQ(prepared.handoff_id(), p.handoff_id());
  EXPECT_EQ(prepared.topic(), "frontdesk.handoff.nurse-line.v1");
  EXPECT_EQ(prepared.deadline().seconds(), 1800000300);
}

TEST_F(HandoffPreparerTest, RetryOfSameDecisionMakesNoSecondHandoff) {
  auto first = preparer_->Prepare(UrgentRequest());
  auto second = preparer_->Prepare(UrgentRequest());
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(second->duplicate);
  EXPECT_EQ(first->packet.handoff_id(), second->packet.handoff_id());
  EXPECT_EQ(log_.Topic("frontdesk.handoff.nurse-line.v1").size(), 1u);
  EXPECT_EQ(preparer_->prepared(), 1u);
}

TEST_F(HandoffPreparerTest, UnacknowledgedAttemptIsRetriedWithTheSameId) {
  log_.SetAvailable(false);
  auto first = preparer_->Prepare(UrgentRequest());
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.status().code(), absl::StatusCode::kDeadlineExceeded);
  log_.SetAvailable(true);
  auto second = preparer_->Prepare(UrgentRequest());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(second->duplicate);
  auto queue = log_.Topic("frontdesk.handoff.nurse-line.v1");
  ASSERT_EQ(queue.size(), 2u);
  hv::HandoffPacket a;
  hv::HandoffPacket b;
  ASSERT_TRUE(a.ParseFromString(queue[0].value));
  ASSERT_TRUE(b.ParseFromString(queue[1].value));
  EXPECT_EQ(a.handoff_id(), b.handoff_id());
}

TEST_F(HandoffPreparerTest, UnknownLaneAndOversizedFieldsMakeNoHandoff) {
  hv::PrepareRequest r = UrgentRequest();
  r.mutable_decision()->set_lane(static_cast<rv::Lane>(99));
  auto lane = preparer_->Prepare(r);
  EXPECT_EQ(lane.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(lane.status().message()),
            "decision.lane: not a known Lane value");
  r = UrgentRequest();
  r.set_caller_number(std::string(33, '5'));
  EXPECT_EQ(std::string(preparer_->Prepare(r).status().message()),
            "caller_number: longer than 32 bytes");
  r = UrgentRequest();
  r.set_request_type(std::string(129, 'r'));
  EXPECT_EQ(std::string(preparer_->Prepare(r).status().message()),
            "request_type: longer than 128 bytes");
  r = UrgentRequest();
  r.set_attempted_step(std::string(2001, 's'));
  EXPECT_EQ(std::string(preparer_->Prepare(r).status().message()),
            "attempted_step: longer than 2000 characters");
  r = UrgentRequest();
  r.set_patient_told(std::string(8001, 't'));
  EXPECT_EQ(std::string(preparer_->Prepare(r).status().message()),
            "patient_told: longer than 8000 characters");
  EXPECT_TRUE(log_.Topic(kafka::kCallsTopic).empty());
}

TEST_F(HandoffPreparerTest, BadRequestsNameTheField) {
  hv::PrepareRequest r = UrgentRequest();
  r.mutable_decision()->clear_decision_id();
  EXPECT_EQ(std::string(preparer_->Prepare(r).status().message()),
            "decision.decision_id: required");
  r = UrgentRequest();
  r.mutable_decision()->set_queue("no-such-queue");
  auto bad_queue = preparer_->Prepare(r);
  EXPECT_EQ(bad_queue.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(bad_queue.status().message()),
            "decision.queue: no such queue in the policy");
  r = UrgentRequest();
  r.set_tenant_id("");
  EXPECT_EQ(preparer_->Prepare(r).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(log_.Topic(kafka::kCallsTopic).empty());
}

}  // namespace
}  // namespace frontdesk::handoff_prep
