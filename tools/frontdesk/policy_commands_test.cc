#include "tools/frontdesk/policy_commands.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/rules_check/handoff_map.h"

namespace frontdesk::cli {
namespace {

TEST(PolicyCommandsTest, CheckSummarizesAGoodPolicy) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(CheckPolicy(FRONTDESK_SAMPLE_POLICY, out, err), 0);
  EXPECT_TRUE(
      absl::StrContains(out.str(), ": ok, version sunrise-2026.11.27-1+"))
      << out.str();
  EXPECT_TRUE(err.str().empty());
}

TEST(PolicyCommandsTest, CheckListsEveryErrorWithItsPlace) {
  const std::string path = ::testing::TempDir() + "/broken_policy.yaml";
  {
    std::ofstream f(path);
    f << "label: x\nclinic:\n  tenant_id: Bad_Id\n  name: X\n  timezone: UTC\n"
         "rollout_mode: sometimes\n";
  }
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(CheckPolicy(path, out, err), 1);
  EXPECT_TRUE(out.str().empty());
  EXPECT_EQ(err.str(),
            path +
                ":6:15: rollout_mode: \"sometimes\" is not one of: "
                "capture_only, answers, scheduling, reminders\n1 error in " +
                path + "\n");
}

TEST(PolicyCommandsTest, ShowPrintsOwnersBackupsAndTriggers) {
  auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  ASSERT_TRUE(p.ok());
  const std::string table = PolicyTable(*p);
  EXPECT_TRUE(
      absl::StrContains(table, "urgent-symptoms  rule HO-URGENT-001  URGENT"))
      << table;
  EXPECT_TRUE(absl::StrContains(
      table,
      "to nurse-line (owner triage-nurse, backup on-call-clinician, 5m)"));
  EXPECT_TRUE(absl::StrContains(table, "triggers: chest pain; chest pressure"));
}

TEST(PolicyCommandsTest, ClassifyJsonHasTheDocumentedFields) {
  auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  ASSERT_TRUE(p.ok());
  const std::string version = p->version();
  rules_check::HandoffMap map(
      std::make_shared<const policy::ClinicPolicy>(*std::move(p)));
  auto j = nlohmann::json::parse(DecisionJson(
      map.Evaluate("um I can't breathe", {}, rules::v1::CallContext())));
  EXPECT_EQ(j["lane"], "human_only");
  EXPECT_EQ(j["category"], "urgent-symptoms");
  EXPECT_EQ(j["trigger"], "can't breathe");
  EXPECT_EQ(j["span"], nlohmann::json::array({5, 18}));
  EXPECT_EQ(j["rule_id"], "HO-URGENT-001");
  EXPECT_EQ(j["policy_version"], version);
  EXPECT_EQ(j["request_type"], "");
  auto q = nlohmann::json::parse(DecisionJson(
      map.Evaluate("where do I park", {}, rules::v1::CallContext())));
  EXPECT_EQ(q["lane"], "ai_owned");
  EXPECT_EQ(q["request_type"], "general-question");
  EXPECT_TRUE(q["trigger"].is_null());
  EXPECT_TRUE(q["span"].is_null());
}

}  // namespace
}  // namespace frontdesk::cli
