#include "services/handoff_prep/handoff_probe.h"

#include <map>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "prometheus/metric_family.h"
#include "services/handoff_prep/handoff_preparer.h"
#include "services/rules_check/handoff_map.h"

namespace frontdesk::handoff_prep {
namespace {

namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;

using Labels = std::map<std::string, std::string>;

// The sample of `name` with exactly `labels`; fails the test when missing.
prometheus::ClientMetric Sample(prometheus::Registry& registry,
                                const std::string& name, const Labels& labels) {
  for (const auto& f : registry.Collect()) {
    if (f.name != name) continue;
    for (const auto& m : f.metric) {
      Labels got;
      for (const auto& l : m.label) got[l.name] = l.value;
      if (got == labels) return m;
    }
  }
  ADD_FAILURE() << "no sample " << name;
  return {};
}

// The desk and preparer of the sample clinic on a fake clock, with the probe
// as the desk's observer.
class HandoffProbeTest : public ::testing::Test {
 protected:
  HandoffProbeTest()
      : clock_(absl::FromUnixSeconds(1800000000)),
        chain_(Identity(), &clock_),
        sealer_(*phi::PhiSealer::FromKey(std::string(32, 'k'))) {}

  static ev::Producer Identity() {
    ev::Producer p;
    p.set_service("handoff-prep");
    p.set_instance("probe-test");
    return p;
  }

  void SetUp() override {
    auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = std::make_shared<const policy::ClinicPolicy>(*std::move(p));
    map_ = std::make_unique<rules_check::HandoffMap>(policy_);
    desk_ = std::make_unique<HandoffDesk>(policy_, &log_, &chain_, &sealer_,
                                          nullptr, &clock_, absl::Seconds(2));
    probe_ = std::make_unique<HandoffProbe>(registry_, policy_->QueueIds());
    desk_->SetObserver(probe_.get());
    preparer_ = std::make_unique<HandoffPreparer>(
        policy_, &log_, &chain_, &sealer_, &clock_, absl::Seconds(2),
        desk_.get());
  }

  // The handoff of a chest-pain call: the nurse line, a five-minute window.
  std::string ChestPainHandoff(const std::string& call_id) {
    auto d = map_->Evaluate("I have chest pain", {}, {});
    d.set_decision_id(call_id + "-decision");
    hv::PrepareRequest r;
    r.set_tenant_id(policy_->tenant_id());
    r.set_call_id(call_id);
    *r.mutable_decision() = d;
    r.set_attempted_step("handoff");
    r.set_patient_told(d.say_text());
    auto prepared = preparer_->Prepare(r);
    EXPECT_TRUE(prepared.ok()) << prepared.status();
    EXPECT_EQ(prepared->packet.queue(), "nurse-line");
    return prepared.ok() ? prepared->packet.handoff_id() : "";
  }

  double Count(const std::string& name, const Labels& labels) {
    return Sample(registry_, name, labels).counter.value;
  }

  FakeClock clock_;
  events::EventChain chain_;
  phi::PhiSealer sealer_;
  eventlog::InMemoryEventLog log_;
  prometheus::Registry registry_;
  std::shared_ptr<const policy::ClinicPolicy> policy_;
  std::unique_ptr<rules_check::HandoffMap> map_;
  std::unique_ptr<HandoffDesk> desk_;
  std::unique_ptr<HandoffProbe> probe_;
  std::unique_ptr<HandoffPreparer> preparer_;
};

TEST_F(HandoffProbeTest, EveryQueueStartsAtZero) {
  for (const std::string& q : policy_->QueueIds()) {
    EXPECT_EQ(Count("frontdesk_handoffs_claimed_total", {{"queue", q}}), 0);
    EXPECT_EQ(Count("frontdesk_handoffs_escalated_total",
                    {{"queue", q}, {"level", "last_resort"}}),
              0);
  }
}

TEST_F(HandoffProbeTest, AClaimCountsWithItsTimeToClaim) {
  const std::string id = ChestPainHandoff("call-1");
  clock_.Advance(absl::Seconds(90));
  ASSERT_TRUE(desk_->Claim({"nurse-ana", "triage-nurse"}, id).ok());
  ASSERT_TRUE(
      desk_->Resolve({"nurse-ana", "triage-nurse"}, id, "called back").ok());

  EXPECT_EQ(
      Count("frontdesk_handoffs_claimed_total", {{"queue", "nurse-line"}}), 1);
  EXPECT_EQ(
      Count("frontdesk_handoffs_resolved_total", {{"queue", "nurse-line"}}), 1);
  const auto h = Sample(registry_, "frontdesk_handoff_time_to_claim_seconds",
                        {{"queue", "nurse-line"}})
                     .histogram;
  EXPECT_EQ(h.sample_count, 1u);
  EXPECT_DOUBLE_EQ(h.sample_sum, 90);
  // A refused claim is no claim.
  EXPECT_FALSE(desk_->Claim({"nurse-ben", "triage-nurse"}, id).ok());
  EXPECT_EQ(
      Count("frontdesk_handoffs_claimed_total", {{"queue", "nurse-line"}}), 1);
}

TEST_F(HandoffProbeTest, MissedDeadlinesCountOnTheQueueTheHandoffCameFrom) {
  const std::string id = ChestPainHandoff("call-2");
  clock_.Advance(absl::Minutes(5));
  ASSERT_EQ(desk_->EscalateDue(), 1);
  EXPECT_EQ(Count("frontdesk_handoffs_escalated_total",
                  {{"queue", "nurse-line"}, {"level", "backup"}}),
            1);
  clock_.Advance(absl::Minutes(5));
  ASSERT_EQ(desk_->EscalateDue(), 1);
  EXPECT_EQ(Count("frontdesk_handoffs_escalated_total",
                  {{"queue", "nurse-line"}, {"level", "last_resort"}}),
            1);

  // Now on the practice manager's queue; still counted as the nurse line's.
  ASSERT_TRUE(desk_->Claim({"pm", "practice-manager"}, id).ok());
  EXPECT_EQ(
      Count("frontdesk_handoffs_claimed_total", {{"queue", "nurse-line"}}), 1);
  EXPECT_EQ(Count("frontdesk_handoffs_claimed_total",
                  {{"queue", "practice-manager"}}),
            0);
  EXPECT_DOUBLE_EQ(Sample(registry_, "frontdesk_handoff_time_to_claim_seconds",
                          {{"queue", "nurse-line"}})
                       .histogram.sample_sum,
                   600);
}

}  // namespace
}  // namespace frontdesk::handoff_prep
