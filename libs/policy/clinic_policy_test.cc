#include "libs/policy/clinic_policy.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace frontdesk::policy {
namespace {

constexpr char kMinimal[] = R"(policy_version: "v1"
clinic:
  tenant_id: demo
  name: Demo Clinic
  timezone: UTC
queues:
  - id: front-desk
    owner_role: front-desk
    backup_role: manager
    claim_window_minutes: 30
human_only:
  - id: urgent
    rule_id: HO-1
    queue: front-desk
    urgent: true
    triggers: ["Chest pain!"]
approved_texts:
  - id: t
    version: 1
    text: "Hello."
scripts:
  greeting: t
  fallback: t
  urgent: t
  handoff: t
  callback: t
  goodbye: t
default_queue: front-desk
)";

std::string Replace(std::string s, const std::string& from,
                    const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  s.replace(at, from.size(), to);
  return s;
}

TEST(ClinicPolicyTest, SamplePolicyLoads) {
  absl::StatusOr<ClinicPolicy> p = LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->clinic.tenant_id, "sunrise-family-medicine");
  EXPECT_EQ(p->FindQueue("nurse-line")->claim_window, absl::Minutes(5));
  EXPECT_EQ(p->FindText("office-hours")->version, 3u);
  EXPECT_EQ(p->FindText("nope"), nullptr);
  EXPECT_EQ(p->human_only[0].triggers[0], "chest pain");
}

TEST(ClinicPolicyTest, MinimalPolicyLoadsNormalized) {
  absl::StatusOr<ClinicPolicy> p = ParsePolicy(kMinimal, "mini.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->human_only[0].triggers,
            std::vector<std::string>{"chest pain"});
  EXPECT_EQ(p->QueueIds(), std::vector<std::string>{"front-desk"});
}

TEST(ClinicPolicyTest, UnknownKeyNamesLineAndColumn) {
  auto p = ParsePolicy(Replace(kMinimal, "  name: Demo Clinic",
                               "  name: Demo Clinic\n  colour: blue"),
                       "mini.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(p.status().message()),
            "mini.yaml:5:3: clinic: unknown key \"colour\"; expected one of: "
            "name, tenant_id, timezone");
}

TEST(ClinicPolicyTest, WrongTypeIsAnError) {
  auto p = ParsePolicy(Replace(kMinimal, "claim_window_minutes: 30",
                               "claim_window_minutes: soon"),
                       "mini.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(std::string(p.status().message()),
            "mini.yaml:10:27: queues[0].claim_window_minutes: expected an "
            "integer");
}

TEST(ClinicPolicyTest, DanglingQueueIsAnError) {
  auto p = ParsePolicy(Replace(kMinimal, "    queue: front-desk",
                               "    queue: nurse"),
                       "mini.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(std::string(p.status().message()),
            "mini.yaml:14:12: human_only[0].queue: no queue with id \"nurse\"");
}

TEST(ClinicPolicyTest, DanglingScriptIsAnError) {
  auto p = ParsePolicy(Replace(kMinimal, "  goodbye: t", "  goodbye: bye"),
                       "mini.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(std::string(p.status().message()),
            "mini.yaml:27:12: scripts.goodbye: no approved text with id "
            "\"bye\"");
}

TEST(ClinicPolicyTest, DuplicateTextIdIsAnError) {
  auto p = ParsePolicy(
      Replace(kMinimal, "scripts:",
              "  - id: t\n    version: 2\n    text: \"Again.\"\nscripts:"),
      "mini.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(std::string(p.status().message()),
            "mini.yaml:21:9: approved_texts[1].id: duplicate approved text id "
            "\"t\"");
}

TEST(ClinicPolicyTest, MissingKeyAndBrokenYamlAreErrors) {
  auto missing = ParsePolicy(Replace(kMinimal, "default_queue: front-desk\n", ""),
                             "mini.yaml");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(std::string(missing.status().message()),
            "mini.yaml:1:1: policy: missing required key \"default_queue\"");

  auto broken = ParsePolicy("clinic: [unclosed", "bad.yaml");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(broken.status().message(), "bad.yaml:"))
      << broken.status();

  auto file = LoadPolicyFile("/nonexistent/policy.yaml");
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
}

TEST(ClinicPolicyTest, UnknownTimeZoneIsAnError) {
  auto p = ParsePolicy(Replace(kMinimal, "timezone: UTC", "timezone: Mars/Base"),
                       "mini.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(std::string(p.status().message()),
            "mini.yaml:5:13: clinic.timezone: unknown time zone \"Mars/Base\"");
}

TEST(NormalizeTextTest, LowercasesAndStripsPunctuation) {
  EXPECT_EQ(NormalizeText("  I CAN'T breathe!!  "), "i can't breathe");
  EXPECT_EQ(NormalizeText("I can\xE2\x80\x99t breathe"), "i can't breathe");
  EXPECT_EQ(NormalizeText("chest-pain, now."), "chest pain now");
  EXPECT_EQ(NormalizeText(""), "");
}

}  // namespace
}  // namespace frontdesk::policy
