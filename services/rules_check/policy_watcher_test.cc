#include "services/rules_check/policy_watcher.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "frontdesk/policy/v1/policy_events.pb.h"
#include "gtest/gtest.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::rules_check {
namespace {

namespace ev = ::frontdesk::events::v1;
namespace pv = ::frontdesk::policy::v1;

std::string Sample() {
  std::ifstream in(FRONTDESK_SAMPLE_POLICY);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class PolicyWatcherTest : public ::testing::Test {
 protected:
  PolicyWatcherTest()
      : clock_(absl::FromUnixSeconds(1800000000)),
        chain_(Producer(), &clock_) {}

  static ev::Producer Producer() {
    ev::Producer p;
    p.set_service("rules-check");
    p.set_instance("test");
    return p;
  }

  void SetUp() override {
    path_ = ::testing::TempDir() + "/watched_policy.yaml";
    Write(Sample());
    auto p = policy::LoadPolicyFile(path_);
    ASSERT_TRUE(p.ok()) << p.status();
    checker_ = std::make_unique<RulesChecker>(
        std::make_shared<const HandoffMap>(
            std::make_shared<const policy::ClinicPolicy>(*std::move(p))),
        &log_, &chain_, absl::Seconds(2));
    watcher_ = std::make_unique<PolicyWatcher>(path_, checker_.get(), &log_,
                                               &chain_, absl::Seconds(2));
  }

  void Write(const std::string& text) {
    std::ofstream out(path_, std::ios::trunc);
    out << text;
  }

  std::string Edited(const std::string& from, const std::string& to) {
    std::string s = Sample();
    s.replace(s.find(from), from.size(), to);
    return s;
  }

  // The policy topic's events, opened.
  std::vector<ev::EventBody> PolicyEvents() {
    std::vector<ev::EventBody> out;
    for (const auto& r : log_.Topic(kafka::kPolicyTopic)) {
      auto e = events::OpenEnvelopeBytes(r.value);
      EXPECT_TRUE(e.ok());
      EXPECT_EQ(r.key, "policy/sunrise-family-medicine");
      out.push_back(e->body);
    }
    return out;
  }

  std::string path_;
  FakeClock clock_;
  events::EventChain chain_;
  eventlog::InMemoryEventLog log_;
  std::unique_ptr<RulesChecker> checker_;
  std::unique_ptr<PolicyWatcher> watcher_;
};

TEST_F(PolicyWatcherTest, GoodEditActivatesANewVersionOnTheRecord) {
  ASSERT_TRUE(watcher_->AnnounceInitial().ok());
  const std::string before = checker_->map()->policy().version();
  Write(Edited("      - chest pressure\n",
               "      - chest pressure\n      - crushing chest\n"));
  ASSERT_TRUE(watcher_->Reload().ok());
  const std::string after = checker_->map()->policy().version();
  EXPECT_NE(before, after);
  EXPECT_EQ(watcher_->activations(), 2);

  auto events = PolicyEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].type(), ev::EVENT_TYPE_POLICY_ACTIVATED);
  pv::PolicyActivated a;
  ASSERT_TRUE(a.ParseFromString(events[1].payload()));
  EXPECT_EQ(a.old_version(), before);
  EXPECT_EQ(a.new_version(), after);
  EXPECT_EQ(a.source(), path_);
  ASSERT_EQ(a.changes_size(), 1);
  EXPECT_EQ(a.changes(0), "human_only urgent-symptoms: +1 trigger");
  EXPECT_EQ(events[1].policy_version(), after);

  // The new trigger is in force.
  auto d = checker_->map()->Evaluate("a crushing chest feeling", {}, {});
  EXPECT_EQ(d.rule_id(), "HO-URGENT-001");
  EXPECT_EQ(d.policy_version(), after);

  // Unchanged content: nothing new.
  ASSERT_TRUE(watcher_->Reload().ok());
  EXPECT_EQ(PolicyEvents().size(), 2u);
}

TEST_F(PolicyWatcherTest, BrokenEditKeepsTheOldPolicy) {
  const std::string before = checker_->map()->policy().version();
  Write(Edited("    queue: nurse-line\n    urgent: true\n",
               "    queue: nurse-lines\n    urgent: true\n"));
  absl::Status st = watcher_->Reload();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(
      st.message(), "human_only[0].queue: no queue with id \"nurse-lines\""))
      << st;
  EXPECT_EQ(checker_->map()->policy().version(), before);
  EXPECT_EQ(watcher_->failures(), 1);
  auto events = PolicyEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type(), ev::EVENT_TYPE_POLICY_REJECTED);
  pv::PolicyRejected r;
  ASSERT_TRUE(r.ParseFromString(events[0].payload()));
  EXPECT_EQ(r.version_in_force(), before);
  ASSERT_EQ(r.errors_size(), 1);
  EXPECT_TRUE(absl::StartsWith(r.errors(0), path_ + ":")) << r.errors(0);
}

TEST_F(PolicyWatcherTest, UnrecordedActivationKeepsTheOldPolicy) {
  const std::string before = checker_->map()->policy().version();
  Write(Edited("rollout_mode: answers", "rollout_mode: capture_only"));
  log_.SetAvailable(false);
  absl::Status st = watcher_->Reload();
  EXPECT_EQ(st.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(checker_->map()->policy().version(), before);
  log_.SetAvailable(true);
  ASSERT_TRUE(watcher_->Reload().ok());
  EXPECT_NE(checker_->map()->policy().version(), before);
}

TEST_F(PolicyWatcherTest, PollingPicksUpAnEdit) {
  watcher_->Start(absl::Milliseconds(20));
  Write(Edited("label: \"sunrise-2026.11.27-1\"",
               "label: \"sunrise-2026.11.27-2\""));
  for (int i = 0; i < 500 && watcher_->activations() == 0; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  watcher_->Stop();
  EXPECT_EQ(watcher_->activations(), 1);
  EXPECT_TRUE(absl::StartsWith(checker_->map()->policy().version(),
                               "sunrise-2026.11.27-2+"));
}

}  // namespace
}  // namespace frontdesk::rules_check
