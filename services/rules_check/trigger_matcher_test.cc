#include "services/rules_check/trigger_matcher.h"

#include "gtest/gtest.h"

namespace frontdesk::rules_check {
namespace {

class TriggerMatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = *std::move(p);
  }
  policy::ClinicPolicy policy_;
};

TEST_F(TriggerMatcherTest, MatchesWholeWordsOnly) {
  EXPECT_TRUE(ContainsPhrase("i have chest pain now", "chest pain"));
  EXPECT_TRUE(ContainsPhrase("chest pain", "chest pain"));
  EXPECT_FALSE(ContainsPhrase("my chest painting", "chest pain"));
  EXPECT_FALSE(ContainsPhrase("there is an issue", "sue"));
  EXPECT_TRUE(ContainsPhrase("i'll sue you", "sue"));
  EXPECT_FALSE(ContainsPhrase("anything", ""));
}

TEST_F(TriggerMatcherTest, FindsUrgentPhraseRegardlessOfCaseAndPunctuation) {
  auto m = MatchTriggers(policy_, "Hi... I have CHEST PAIN, and I can't breathe!");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].category->id, "urgent-symptoms");
  EXPECT_EQ(m[0].phrase, "chest pain");
  EXPECT_EQ(m[1].phrase, "i can't breathe");
  EXPECT_EQ(m[2].phrase, "can't breathe");
}

TEST_F(TriggerMatcherTest, CurlyApostropheStillMatches) {
  auto m = MatchTriggers(policy_, "I can\xE2\x80\x99t breathe");
  ASSERT_FALSE(m.empty());
  EXPECT_EQ(m[0].phrase, "i can't breathe");
}

TEST_F(TriggerMatcherTest, NoTriggerNoMatch) {
  EXPECT_TRUE(MatchTriggers(policy_, "What are your hours?").empty());
}

}  // namespace
}  // namespace frontdesk::rules_check
