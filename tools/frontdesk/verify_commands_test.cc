#include "tools/frontdesk/verify_commands.h"

#include <sstream>

#include "gtest/gtest.h"

namespace frontdesk::cli {
namespace {

TEST(VerifyCommandsTest, AuditArgsNameTheMissingFlag) {
  AuditArgs a;
  EXPECT_EQ(CheckAuditArgs(a).message(), "--actor: required (who you are)");
  a.actor_id = "alice";
  EXPECT_EQ(CheckAuditArgs(a).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckAuditArgs(a).message().substr(0, 7), "--role:");
  a.role = "auditor";
  EXPECT_EQ(CheckAuditArgs(a).message(),
            "--purpose: required (why you read the record)");
  a.purpose = "quarterly audit";
  EXPECT_TRUE(CheckAuditArgs(a).ok());
}

TEST(VerifyCommandsTest, BadArgumentsExitTwoBeforeAnyAccess) {
  AuditArgs a;
  a.actor_id = "alice";
  a.role = "auditor";
  a.purpose = "audit";
  std::ostringstream out, err;
  EXPECT_EQ(RunReplayCommand(a, "", "", out, err), 2);
  EXPECT_EQ(err.str(), "frontdesk replay: --call: required\n");
  err.str("");
  EXPECT_EQ(RunVerifyCommand(a, "2026-11-30", "2026-11-23", out, err), 2);
  EXPECT_NE(err.str().find("--to"), std::string::npos) << err.str();
  err.str("");
  a.policy_file = "/nonexistent/policy.yaml";
  EXPECT_EQ(RunReplayCommand(a, "call-1", "", out, err), 2);
  EXPECT_EQ(err.str().rfind("frontdesk replay: --policy: ", 0), 0u)
      << err.str();
  EXPECT_TRUE(out.str().empty());
}

TEST(VerifyCommandsTest, SinceTakesRfc3339OrADate) {
  EXPECT_EQ(*ParseSince("--since", "2026-11-28T05:00:00Z"),
            absl::FromUnixSeconds(1795842000));
  EXPECT_EQ(*ParseSince("--since", "2026-11-28"),
            absl::FromUnixSeconds(1795824000));
  const absl::Status bad = ParseSince("--since", "yesterday").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(),
            "--since: not a time (RFC 3339, or YYYY-MM-DD in UTC)");
  AuditArgs a;
  a.actor_id = "alice";
  a.role = "auditor";
  a.purpose = "audit";
  a.since = "yesterday";
  std::ostringstream out, err;
  EXPECT_EQ(RunReplayCommand(a, "call-1", "", out, err), 2);
  EXPECT_EQ(err.str(),
            "frontdesk replay: --since: not a time (RFC 3339, or YYYY-MM-DD "
            "in UTC)\n");
}

TEST(VerifyCommandsTest, ReplayRendersFindingsAsTextAndJson) {
  audit::CallCheck c;
  c.call_id = "call-1";
  c.signatures_checked = true;
  c.intact_events = 3;
  c.signed_events = 2;
  c.producers = 2;
  audit::Finding f;
  f.kind = "forged";
  f.event_id = "e-9";
  f.event_type = "DecisionRecorded";
  f.producer_service = "rules-check";
  f.producer_instance = "r:1:2";
  f.sequence = 4;
  f.topic = "frontdesk.calls.v1";
  f.partition = 0;
  f.offset = 12;
  f.detail = "unsigned";
  c.findings.push_back(f);
  Timeline t;
  t.lines = {"line one"};
  EXPECT_EQ(RenderReplay(c, t, false),
            "call call-1\nline one\n0 records, 3 intact events from 2 "
            "producers, 0 actions checked against their decisions; 2 "
            "signatures valid\n1 findings:\n  forged at "
            "frontdesk.calls.v1/0@12: event e-9 (DecisionRecorded, "
            "rules-check/r:1:2 #4): unsigned\n");
  const nlohmann::json j = nlohmann::json::parse(RenderReplay(c, t, true));
  EXPECT_EQ(j["findings"][0]["kind"], "forged");
  EXPECT_EQ(j["findings"][0]["offset"], 12);
  EXPECT_EQ(j["timeline"][0], "line one");
}

}  // namespace
}  // namespace frontdesk::cli
