#include "services/rules_check/handoff_map.h"

#include "gtest/gtest.h"

namespace frontdesk::rules_check {
namespace {

namespace rv = ::frontdesk::rules::v1;

class HandoffMapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = *std::move(p);
  }
  policy::ClinicPolicy policy_;
};

TEST_F(HandoffMapTest, UrgentTriggerIsHumanOnlyWithUrgentScript) {
  rv::Decision d = ApplyHandoffMap(policy_, "I have chest pain");
  EXPECT_EQ(d.lane(), rv::LANE_HUMAN_ONLY);
  EXPECT_EQ(d.action(), rv::ACTION_URGENT_SCRIPT);
  EXPECT_EQ(d.rule_id(), "HO-URGENT-001");
  EXPECT_EQ(d.category(), "urgent-symptoms");
  ASSERT_EQ(d.matched_triggers_size(), 1);
  EXPECT_EQ(d.matched_triggers(0), "chest pain");
  EXPECT_EQ(d.queue(), "nurse-line");
  EXPECT_EQ(d.owner_role(), "triage-nurse");
  EXPECT_EQ(d.backup_role(), "practice-manager");
  EXPECT_EQ(d.claim_window_seconds(), 300u);
  EXPECT_EQ(d.say_text_id(), "urgent-script");
  EXPECT_EQ(d.say_text_version(), 2u);
  EXPECT_EQ(d.say_text(), policy_.FindText("urgent-script")->text);
  EXPECT_EQ(d.policy_version(), "sunrise-2026.11.27-1");
}

TEST_F(HandoffMapTest, TriggerBeatsAnApprovedAnswerInTheSameTurn) {
  // "hours" would quote office hours, but the trigger is matched first.
  rv::Decision d =
      ApplyHandoffMap(policy_, "What are your hours? I think I'm having a reaction");
  EXPECT_EQ(d.lane(), rv::LANE_HUMAN_ONLY);
  EXPECT_EQ(d.rule_id(), "HO-URGENT-001");
}

TEST_F(HandoffMapTest, UrgentCategoryWinsOverEarlierNonUrgentOne) {
  rv::Decision d = ApplyHandoffMap(policy_, "my lawyer says I am suicidal");
  EXPECT_EQ(d.category(), "mental-health-crisis");
  EXPECT_EQ(d.action(), rv::ACTION_URGENT_SCRIPT);
}

TEST_F(HandoffMapTest, NonUrgentHumanOnlyHandsOffWithHandoffWording) {
  rv::Decision d = ApplyHandoffMap(policy_, "I'm calling my lawyer");
  EXPECT_EQ(d.lane(), rv::LANE_HUMAN_ONLY);
  EXPECT_EQ(d.action(), rv::ACTION_HANDOFF);
  EXPECT_EQ(d.queue(), "practice-manager");
  EXPECT_EQ(d.say_text_id(), "handoff-staff");
}

TEST_F(HandoffMapTest, KeywordQuotesApprovedAnswer) {
  rv::Decision d = ApplyHandoffMap(policy_, "Where can I park?");
  EXPECT_EQ(d.lane(), rv::LANE_AI_OWNED);
  EXPECT_EQ(d.action(), rv::ACTION_QUOTE_ANSWER);
  EXPECT_EQ(d.rule_id(), "AO-ANSWER-parking");
  EXPECT_EQ(d.approved_text_id(), "parking");
  EXPECT_EQ(d.approved_text_version(), 1u);
  EXPECT_EQ(d.say_text(), policy_.FindText("parking")->text);
  EXPECT_TRUE(d.queue().empty());
}

TEST_F(HandoffMapTest, NoFitMeansCallbackNotImprovisation) {
  rv::Decision d = ApplyHandoffMap(policy_, "Do you offer travel vaccines?");
  EXPECT_EQ(d.lane(), rv::LANE_AI_ASSISTED);
  EXPECT_EQ(d.action(), rv::ACTION_HANDOFF);
  EXPECT_EQ(d.rule_id(), kDefaultRuleId);
  EXPECT_EQ(d.queue(), "front-desk");
  EXPECT_EQ(d.say_text_id(), "callback");
}

}  // namespace
}  // namespace frontdesk::rules_check
