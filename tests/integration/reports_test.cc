// audit export, report weekly and simulate against the real department: a
// few real calls through the real services and broker, then the real
// `frontdesk` binary reads them back from Kafka. Each command must record
// its access on frontdesk.access.v1; a refused one too.
//
// The commands read every call of the tenant in the time range, and other
// suites use the same broker and tenant. The range is the few seconds of
// this suite's calls, and the test first checks (with the jsonl export)
// that no other department wrote a call in it.
#include <grpcpp/grpcpp.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/uuid.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_key_reader.h"
#include "libs/reports/fhir_audit_export.h"
#include "nlohmann/json.hpp"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {
namespace {

using ::testing::HasSubstr;
namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;

struct Ran {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ReportsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto d = Department::Start();
    ASSERT_TRUE(d.ok()) << d.status();
    dept_ = d->release();
  }
  static void TearDownTestSuite() {
    if (dept_ != nullptr) {
      EXPECT_TRUE(dept_->Stop().ok());
    }
    delete dept_;
    dept_ = nullptr;
  }

  // Runs the frontdesk tool; stdout and stderr go to files in the
  // department's folder.
  Ran Frontdesk(const std::vector<std::string>& args) {
    const std::string out = dept_->dir() + "/tool.out";
    const std::string err = dept_->dir() + "/tool.err";
    std::string cmd = std::string(FRONTDESK_BIN_DIR) + "/frontdesk";
    for (const std::string& a : args) absl::StrAppend(&cmd, " '", a, "'");
    absl::StrAppend(&cmd, " --kafka_brokers=", dept_->kafka().brokers, " >",
                    out, " 2>", err);
    Ran r;
    const int status = std::system(cmd.c_str());
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  std::string Call(const std::vector<std::string>& turns) {
    auto answer = dept_->Answer();
    av::StartCallRequest start;
    start.set_tenant_id(kTenant);
    start.set_channel(av::CHANNEL_VOICE);
    start.set_direction(av::DIRECTION_INBOUND);
    start.set_reason(av::CALL_REASON_AFTER_HOURS);
    start.set_caller_number("+15550109999");
    av::StartCallResponse call;
    grpc::ClientContext sctx;
    EXPECT_TRUE(answer->StartCall(&sctx, start, &call).ok());
    for (const std::string& words : turns) {
      av::TurnRequest turn;
      turn.set_call_id(call.call_id());
      turn.set_utterance(words);
      av::TurnResponse reply;
      grpc::ClientContext ctx;
      EXPECT_TRUE(answer->Turn(&ctx, turn, &reply).ok());
    }
    av::EndCallRequest end;
    end.set_call_id(call.call_id());
    av::EndCallResponse ended;
    grpc::ClientContext ectx;
    EXPECT_TRUE(answer->EndCall(&ectx, end, &ended).ok());
    return call.call_id();
  }

  std::vector<ev::AccessRecorded> AccessesOf(const std::string& actor) {
    kafka::KafkaKeyReader reader(dept_->kafka());
    auto records = reader.ReadKey(kafka::kAccessTopic, "actor/" + actor);
    EXPECT_TRUE(records.ok()) << records.status();
    std::vector<ev::AccessRecorded> out;
    if (!records.ok()) return out;
    for (const auto& r : *records) {
      auto e = events::OpenEnvelopeBytes(r.value);
      if (!e.ok()) continue;
      ev::AccessRecorded a;
      a.ParseFromString(e->body.payload());
      out.push_back(a);
    }
    return out;
  }

  static Department* dept_;
};

Department* ReportsTest::dept_ = nullptr;

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

TEST_F(ReportsTest, ExportReportAndSimulateOverRealCalls) {
  const absl::Time from = absl::Now() - absl::Seconds(1);
  std::set<std::string> mine;
  mine.insert(Call({"I need a refill of my prescription"}));
  mine.insert(Call({"where do I park"}));
  mine.insert(Call({"what are your office hours"}));
  mine.insert(Call({"I have chest pain"}));
  const absl::Time to = absl::Now() + absl::Seconds(1);
  const std::string actor = "reports-it-" + NewUuid();
  const std::string policy =
      std::string(FRONTDESK_SOURCE_DIR) + "/examples/clinic/policy.yaml";
  const std::vector<std::string> who = {"--actor=" + actor, "--purpose=HOPERAT",
                                        "--policy_in_force=" + policy};
  auto with = [&](std::vector<std::string> args) {
    args.push_back("--from=" + Rfc3339(from));
    args.push_back("--to=" + Rfc3339(to));
    args.insert(args.end(), who.begin(), who.end());
    return args;
  };

  // jsonl: exactly this suite's calls in the range.
  Ran jsonl =
      Frontdesk(with({"audit", "export", "--format=jsonl", "--role=auditor"}));
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  std::set<std::string> started;
  std::istringstream lines(jsonl.out);
  std::string line;
  while (std::getline(lines, line)) {
    auto o = nlohmann::json::parse(line);
    if (o["event"] == "CallStarted") started.insert(o["call_id"]);
  }
  ASSERT_EQ(started, mine)
      << "another department wrote calls in this suite's range; rerun";

  // FHIR: a Bundle of the R4 shape, the calls' events in it, and no patient
  // identity without the key.
  Ran fhir =
      Frontdesk(with({"audit", "export", "--format=fhir", "--role=auditor"}));
  ASSERT_EQ(fhir.exit_code, 0) << fhir.err;
  auto bundle = nlohmann::json::parse(fhir.out);
  EXPECT_TRUE(reports::ValidateAuditBundleShape(bundle).ok())
      << reports::ValidateAuditBundleShape(bundle);
  int call_started = 0;
  for (const auto& entry : bundle["entry"]) {
    if (entry["resource"]["subtype"][0]["code"] == "call-started")
      ++call_started;
  }
  EXPECT_EQ(call_started, 4);
  EXPECT_THAT(fhir.out, ::testing::Not(HasSubstr("+15550109999")));

  // The weekly report's figures match the calls made.
  Ran csv = Frontdesk(
      with({"report", "weekly", "--format=csv", "--role=practice-manager"}));
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_THAT(csv.out, HasSubstr("summary,calls,4\n"));
  EXPECT_THAT(csv.out, HasSubstr("calls_by_request_type,general-question,2\n"));
  EXPECT_THAT(csv.out, HasSubstr("calls_by_request_type,refill,1\n"));
  EXPECT_THAT(csv.out, HasSubstr("calls_by_lane,human_only,1\n"));
  EXPECT_THAT(csv.out, HasSubstr("summary,answered with an approved text,2\n"));
  Ran html = Frontdesk(
      with({"report", "weekly", "--format=html", "--role=practice-manager"}));
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_THAT(html.out, HasSubstr("<svg"));

  // Simulation: general-question moved to ai_assisted changes exactly its
  // two decisions.
  const std::string candidate = dept_->dir() + "/candidate.yaml";
  {
    const std::string yaml = ReadFile(std::string(FRONTDESK_SOURCE_DIR) +
                                      "/examples/clinic/policy.yaml");
    const std::string from_lane =
        "  - id: general-question\n    rule_id: RT-GENERAL\n    lane: "
        "ai_owned\n";
    ASSERT_NE(yaml.find(from_lane), std::string::npos);
    std::ofstream(candidate)
        << absl::StrReplaceAll(yaml, {{from_lane,
                                       "  - id: general-question\n    rule_id: "
                                       "RT-GENERAL\n    lane: ai_assisted\n"}});
  }
  Ran sim = Frontdesk(with({"simulate", "--policy=" + candidate,
                            "--keyring_file=" + dept_->keyring_file(),
                            "--role=practice-manager"}));
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  EXPECT_THAT(sim.out, HasSubstr("ai_owned -> ai_assisted: 2 decisions\n"));
  EXPECT_THAT(sim.out, HasSubstr(" 2 would change"));
  EXPECT_THAT(sim.out, HasSubstr("Baseline check: 0 replayed turns"));

  // A role without `export` is refused, and the refusal is recorded.
  Ran refused = Frontdesk(with({"audit", "export", "--role=practice-manager"}));
  EXPECT_EQ(refused.exit_code, 4) << refused.err;
  EXPECT_EQ(refused.out, "");

  // Every command recorded its access, in order.
  std::vector<std::string> got;
  for (const ev::AccessRecorded& a : AccessesOf(actor)) {
    got.push_back(absl::StrCat(a.action(), ":", a.role(), ":",
                               a.allowed() ? "allowed" : "refused", ":",
                               a.via()));
    EXPECT_EQ(a.purpose(), "HOPERAT");
  }
  EXPECT_EQ(got, (std::vector<std::string>{
                     "export:auditor:allowed:cli",
                     "export:auditor:allowed:cli",
                     "report:practice-manager:allowed:cli",
                     "report:practice-manager:allowed:cli",
                     "simulate:practice-manager:allowed:cli",
                     "open_phi:practice-manager:allowed:cli",
                     "export:practice-manager:refused:cli",
                 }));
}

}  // namespace
}  // namespace frontdesk::testing
