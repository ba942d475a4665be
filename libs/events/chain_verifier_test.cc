#include "libs/events/chain_verifier.h"

#include <vector>

#include "gtest/gtest.h"
#include "libs/events/event_chain.h"

namespace frontdesk::events {
namespace {

namespace ev = ::frontdesk::events::v1;

class ChainVerifierTest : public ::testing::Test {
 protected:
  ChainVerifierTest() : clock_(absl::FromUnixSeconds(1800000000)) {
    ev::Producer answer;
    answer.set_service("answer");
    answer.set_instance("a1");
    ev::Producer rules;
    rules.set_service("rules-check");
    rules.set_instance("r1");
    answer_ = std::make_unique<EventChain>(answer, &clock_);
    rules_ = std::make_unique<EventChain>(rules, &clock_);
  }

  std::string Next(EventChain& chain, const std::string& call = "call-1") {
    EventDraft d;
    d.tenant_id = "sunrise";
    d.call_id = call;
    d.type = ev::EVENT_TYPE_TURN_RECEIVED;
    return chain.Next(d).SerializeAsString();
  }

  std::vector<Finding> Verify(const std::vector<std::string>& records) {
    ChainVerifier v("call-1");
    for (size_t i = 0; i < records.size(); ++i) {
      (void)v.Add(records[i], "calls/0@" + std::to_string(i));
    }
    return v.findings();
  }

  FakeClock clock_;
  std::unique_ptr<EventChain> answer_;
  std::unique_ptr<EventChain> rules_;
};

TEST_F(ChainVerifierTest, InterleavedProducersVerifyClean) {
  std::vector<std::string> log = {Next(*answer_), Next(*rules_), Next(*answer_),
                                  Next(*rules_), Next(*answer_)};
  ChainVerifier v("call-1");
  for (size_t i = 0; i < log.size(); ++i) {
    ASSERT_TRUE(v.Add(log[i], std::to_string(i)).ok());
  }
  EXPECT_TRUE(v.findings().empty());
  EXPECT_EQ(v.intact_events(), 5);
  EXPECT_EQ(v.producers(), 2u);
}

TEST_F(ChainVerifierTest, AlteredEventIsReportedAtItsPosition) {
  std::vector<std::string> log = {Next(*answer_), Next(*answer_)};
  ev::EventEnvelope env;
  ASSERT_TRUE(env.ParseFromString(log[1]));
  (*env.mutable_body())[5] ^= 0x20;
  log[1] = env.SerializeAsString();
  const auto findings = Verify(log);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, FindingKind::kAltered);
  EXPECT_EQ(findings[0].position, "calls/0@1");
}

TEST_F(ChainVerifierTest, RemovedEventIsReportedAsMissing) {
  std::vector<std::string> log = {Next(*answer_), Next(*answer_),
                                  Next(*answer_)};
  log.erase(log.begin() + 1);
  const auto findings = Verify(log);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, FindingKind::kMissing);
  EXPECT_EQ(findings[0].position, "calls/0@1");
  EXPECT_EQ(findings[0].detail, "answer/a1 sequence 2 missing before 3");
}

TEST_F(ChainVerifierTest, TruncatedTailIsInvisibleButHeadLossIsNot) {
  // Losing the first event breaks the link of the second.
  std::vector<std::string> log = {Next(*answer_), Next(*answer_)};
  log.erase(log.begin());
  const auto findings = Verify(log);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, FindingKind::kMissing);
  EXPECT_EQ(findings[0].detail, "answer/a1 sequence 1 missing before 2");
}

TEST_F(ChainVerifierTest, DuplicatedEventIsReported) {
  std::vector<std::string> log = {Next(*answer_), Next(*answer_)};
  log.push_back(log[1]);
  const auto findings = Verify(log);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, FindingKind::kDuplicate);
  EXPECT_EQ(findings[0].position, "calls/0@2");
}

TEST_F(ChainVerifierTest, ReorderedEventsAreReported) {
  std::vector<std::string> log = {Next(*answer_), Next(*answer_),
                                  Next(*answer_)};
  std::swap(log[1], log[2]);
  const auto findings = Verify(log);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].kind, FindingKind::kMissing);
  EXPECT_EQ(findings[0].position, "calls/0@1");
  EXPECT_EQ(findings[1].kind, FindingKind::kReordered);
  EXPECT_EQ(findings[1].position, "calls/0@2");
  EXPECT_EQ(findings[1].detail, "answer/a1 sequence 2 arrived after 3");
}

TEST_F(ChainVerifierTest, SubstitutedEventBreaksTheLink) {
  // A forged event with a valid hash but the wrong prev_hash.
  std::vector<std::string> log = {Next(*answer_), Next(*answer_)};
  ev::EventEnvelope env;
  ASSERT_TRUE(env.ParseFromString(log[1]));
  ev::EventBody body;
  ASSERT_TRUE(body.ParseFromString(env.body()));
  body.set_prev_hash(std::string(32, 'x'));
  log[1] = SealEnvelope(body).SerializeAsString();
  const auto findings = Verify(log);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, FindingKind::kMissing);
  EXPECT_EQ(findings[0].detail,
            "answer/a1 sequence 2 does not link to the previous event's hash");
}

TEST_F(ChainVerifierTest, EventOfAnotherCallIsForeign) {
  std::vector<std::string> log = {Next(*answer_), Next(*answer_, "call-2")};
  const auto findings = Verify(log);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].kind, FindingKind::kForeign);
}

}  // namespace
}  // namespace frontdesk::events
