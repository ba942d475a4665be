// Hot reload against the real rules-check process and broker: a good edit of
// the policy file activates a new version, recorded on frontdesk.policy.v1,
// and decisions follow it; a broken edit is refused and the version in force
// stays.
#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "frontdesk/events/v1/envelope.pb.h"
#include "frontdesk/policy/v1/policy_events.pb.h"
#include "gtest/gtest.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_key_reader.h"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {
namespace {

namespace ev = ::frontdesk::events::v1;
namespace pv = ::frontdesk::policy::v1;
namespace rv = ::frontdesk::rules::v1;

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Write(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
  }
  std::filesystem::rename(tmp, path);
}

rv::Decision Evaluate(rv::RulesCheck::Stub& rules, const std::string& words) {
  rv::EvaluateRequest r;
  r.set_tenant_id(kTenant);
  r.set_call_id("policy-reload-test");
  r.set_turn_index(1);
  r.set_utterance(words);
  rv::EvaluateResponse out;
  grpc::ClientContext ctx;
  grpc::Status s = rules.Evaluate(&ctx, r, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out.decision();
}

TEST(PolicyReloadTest, GoodEditActivatesBrokenEditIsRefused) {
  char tmpl[] = "/tmp/frontdesk-policy-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string path = std::string(tmpl) + "/policy.yaml";
  const std::string original =
      Read(std::string(FRONTDESK_SOURCE_DIR) + "/examples/clinic/policy.yaml");
  Write(path, original);

  auto dept = Department::Start(2000, path);
  ASSERT_TRUE(dept.ok()) << dept.status();
  auto rules = (*dept)->Rules();
  const rv::Decision before =
      Evaluate(*rules, "there is a purple glow around me");
  EXPECT_NE(before.lane(), rv::LANE_HUMAN_ONLY);

  // A good edit: a new urgent trigger.
  std::string edited = original;
  const std::string anchor = "      - chest pressure\n";
  edited.replace(edited.find(anchor), anchor.size(),
                 anchor + "      - purple glow around me\n");
  Write(path, edited);
  rv::Decision after;
  for (int i = 0; i < 100; ++i) {
    after = Evaluate(*rules, "there is a purple glow around me");
    if (after.lane() == rv::LANE_HUMAN_ONLY) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  ASSERT_EQ(after.lane(), rv::LANE_HUMAN_ONLY);
  EXPECT_EQ(after.rule_id(), "HO-URGENT-001");
  EXPECT_NE(after.policy_version(), before.policy_version());

  // A broken edit: refused, the new version stays in force.
  Write(path, edited + "surprise_key: true\n");
  absl::SleepFor(absl::Seconds(2));
  const rv::Decision still =
      Evaluate(*rules, "there is a purple glow around me");
  EXPECT_EQ(still.policy_version(), after.policy_version());

  // The record: activation at start, activation of the edit, the refusal.
  kafka::KafkaKeyReader reader((*dept)->kafka());
  std::vector<ev::EventBody> events;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    auto log =
        reader.ReadKey(kafka::kPolicyTopic, std::string("policy/") + kTenant);
    ASSERT_TRUE(log.ok()) << log.status();
    events.clear();
    bool mine = false;
    for (const auto& r : *log) {
      auto e = events::OpenEnvelopeBytes(r.value);
      ASSERT_TRUE(e.ok());
      // Other runs share the topic: keep this process's events only.
      if (e->body.type() == ev::EVENT_TYPE_POLICY_ACTIVATED) {
        pv::PolicyActivated a;
        ASSERT_TRUE(a.ParseFromString(e->body.payload()));
        mine = a.source() == path;
      } else {
        pv::PolicyRejected rj;
        ASSERT_TRUE(rj.ParseFromString(e->body.payload()));
        mine = rj.source() == path;
      }
      if (mine) events.push_back(e->body);
    }
    if (events.size() >= 3) break;
    absl::SleepFor(absl::Milliseconds(250));
  }
  ASSERT_EQ(events.size(), 3u);
  pv::PolicyActivated first;
  ASSERT_TRUE(first.ParseFromString(events[0].payload()));
  EXPECT_EQ(first.new_version(), before.policy_version());
  pv::PolicyActivated second;
  ASSERT_EQ(events[1].type(), ev::EVENT_TYPE_POLICY_ACTIVATED);
  ASSERT_TRUE(second.ParseFromString(events[1].payload()));
  EXPECT_EQ(second.old_version(), before.policy_version());
  EXPECT_EQ(second.new_version(), after.policy_version());
  ASSERT_EQ(second.changes_size(), 1);
  EXPECT_EQ(second.changes(0), "human_only urgent-symptoms: +1 trigger");
  ASSERT_EQ(events[2].type(), ev::EVENT_TYPE_POLICY_REJECTED);
  pv::PolicyRejected rejected;
  ASSERT_TRUE(rejected.ParseFromString(events[2].payload()));
  EXPECT_EQ(rejected.version_in_force(), after.policy_version());
  ASSERT_EQ(rejected.errors_size(), 1);
  EXPECT_TRUE(
      absl::StrContains(rejected.errors(0), "unknown key \"surprise_key\""))
      << rejected.errors(0);

  absl::Status stopped = (*dept)->Stop();
  EXPECT_TRUE(stopped.ok()) << stopped;
}

}  // namespace
}  // namespace frontdesk::testing
