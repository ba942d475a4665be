#include "libs/reminders/outbound_channel.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "libs/policy/clinic_policy.h"
#include "nlohmann/json.hpp"

namespace frontdesk::reminders {
namespace {

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/reminders_channel_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const std::string& path, const std::string& content) {
  std::ofstream out(path);
  out << content;
}

TEST(FileOutboundChannelTest, AppendsOneJsonLinePerMessage) {
  TempDir dir;
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  auto channel = FileOutboundChannel::Open(
      {.out_path = dir.File("out.jsonl"), .replies_path = ""}, &clock);
  ASSERT_TRUE(channel.ok()) << channel.status();
  EXPECT_EQ((*channel)->kind(), "file");
  ASSERT_TRUE((*channel)
                  ->Send({.conversation_id = "reminder/a-1",
                          .patient_ref = "Patient/p-1",
                          .text_id = "reminder",
                          .text_version = 1,
                          .text = "First."})
                  .ok());
  clock.Advance(absl::Seconds(90));
  ASSERT_TRUE((*channel)
                  ->Send({.conversation_id = "reminder/a-2",
                          .patient_ref = "Patient/p-2",
                          .text_id = "reminder-confirmed",
                          .text_version = 3,
                          .text = "Second \"quoted\"."})
                  .ok());

  std::vector<std::string> lines =
      absl::StrSplit(ReadAll(dir.File("out.jsonl")), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  nlohmann::json first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first, nlohmann::json({{"time", "2027-01-15T08:00:00+00:00"},
                                   {"conversation_id", "reminder/a-1"},
                                   {"patient_ref", "Patient/p-1"},
                                   {"text_id", "reminder"},
                                   {"text_version", 1},
                                   {"text", "First."}}));
  nlohmann::json second = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(second["time"], "2027-01-15T08:01:30+00:00");
  EXPECT_EQ(second["text"], "Second \"quoted\".");
  EXPECT_EQ(second["text_version"], 3);
}

TEST(FileOutboundChannelTest, ScriptedRepliesComeInFileOrderPerPatient) {
  TempDir dir;
  Write(dir.File("replies.jsonl"),
        "{\"patient_ref\": \"Patient/p-1\", \"reply\": \"cancel\"}\n"
        "\n"
        "{\"patient_ref\": \"Patient/p-2\", \"reply\": \"yes\"}\n"
        "{\"patient_ref\": \"Patient/p-1\", \"reply\": \"2\"}\n");
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  auto channel =
      FileOutboundChannel::Open({.out_path = dir.File("out.jsonl"),
                                 .replies_path = dir.File("replies.jsonl")},
                                &clock);
  ASSERT_TRUE(channel.ok()) << channel.status();

  ASSERT_TRUE((*channel)
                  ->Send({.conversation_id = "reminder/a-1",
                          .patient_ref = "Patient/p-1",
                          .text_id = "reminder",
                          .text_version = 1,
                          .text = "x"})
                  .ok());
  auto r1 = (*channel)->NextReply("reminder/a-1", "Patient/p-1");
  ASSERT_TRUE(r1.ok()) << r1.status();
  EXPECT_EQ(*r1, std::optional<std::string>("cancel"));
  auto r2 = (*channel)->NextReply("reminder/a-1", "Patient/p-1");
  EXPECT_EQ(*r2, std::optional<std::string>("2"));
  auto r3 = (*channel)->NextReply("reminder/a-1", "Patient/p-1");
  EXPECT_EQ(*r3, std::nullopt);
  // Another patient's replies are theirs, also in a conversation this
  // process did not start.
  auto other = (*channel)->NextReply("reminder/a-9", "Patient/p-2");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(*other, std::optional<std::string>("yes"));
  EXPECT_EQ(*(*channel)->NextReply("reminder/a-9", "Patient/p-3"),
            std::nullopt);
}

TEST(FileOutboundChannelTest, BadRepliesLineIsNamedByNumberNotContent) {
  TempDir dir;
  Write(dir.File("replies.jsonl"),
        "{\"patient_ref\": \"Patient/p-1\", \"reply\": \"yes\"}\n"
        "Jane Roe 555-0142 wants to cancel\n");
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  auto channel =
      FileOutboundChannel::Open({.out_path = dir.File("out.jsonl"),
                                 .replies_path = dir.File("replies.jsonl")},
                                &clock);
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(channel.status().message().find("replies.jsonl:2:"),
            std::string::npos)
      << channel.status();
  EXPECT_EQ(channel.status().message().find("Jane"), std::string::npos);
  EXPECT_EQ(channel.status().message().find("555-0142"), std::string::npos);
}

TEST(FileOutboundChannelTest, OpenRefusesMissingPaths) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  EXPECT_EQ(FileOutboundChannel::Open({}, &clock).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FileOutboundChannel::Open({.out_path = "/tmp/x.jsonl",
                                       .replies_path = "/nonexistent/r.jsonl"},
                                      &clock)
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

TEST(FileOutboundChannelTest, UnwritableFileIsUnavailable) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  auto channel = FileOutboundChannel::Open(
      {.out_path = "/nonexistent-dir/out.jsonl", .replies_path = ""}, &clock);
  ASSERT_TRUE(channel.ok());
  absl::Status s = (*channel)->Send({.conversation_id = "c",
                                     .patient_ref = "Patient/p-1",
                                     .text_id = "reminder",
                                     .text_version = 1,
                                     .text = "Call 555-0142"});
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message().find("555-0142"), std::string::npos);
}

class GatewayChannelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = std::move(*p);
  }
  policy::ClinicPolicy policy_;
};

TEST_F(GatewayChannelTest, RefusedWithoutBaaOnRecord) {
  // The sample policy lists language-model with baa_on_record: false.
  auto channel = CreateGatewayChannel(
      policy_,
      {.subprocessor_id = "language-model", .kind = "sms", .endpoint = ""});
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(channel.status().message(),
            "BAA gate: PHI may not be sent to subprocessor \"language-model\": "
            "it has no BAA on record");
}

TEST_F(GatewayChannelTest, RefusedWhenNotInThePolicy) {
  auto channel = CreateGatewayChannel(
      policy_,
      {.subprocessor_id = "cheap-sms-co", .kind = "sms", .endpoint = ""});
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(channel.status().message(),
            "BAA gate: PHI may not be sent to subprocessor \"cheap-sms-co\": "
            "it is not in the policy");
}

TEST_F(GatewayChannelTest, WithBaaGetsPastTheGateToTheMissingAdapter) {
  auto channel = CreateGatewayChannel(
      policy_,
      {.subprocessor_id = "sms-gateway", .kind = "sms", .endpoint = ""});
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kUnimplemented);
  // A subprocessor with a BAA that is not a messaging one is refused too.
  auto hosting = CreateGatewayChannel(
      policy_,
      {.subprocessor_id = "clinic-hosting", .kind = "sms", .endpoint = ""});
  EXPECT_EQ(hosting.status().code(), absl::StatusCode::kInvalidArgument);
  auto bad_kind = CreateGatewayChannel(
      policy_,
      {.subprocessor_id = "sms-gateway", .kind = "fax", .endpoint = ""});
  EXPECT_EQ(bad_kind.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace frontdesk::reminders
