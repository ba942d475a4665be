#include "tools/frontdesk/report_commands.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_replace.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/reports/crafted_log_test_util.h"
#include "libs/reports/fhir_audit_export.h"

namespace frontdesk::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace ev = ::frontdesk::events::v1;

class ReportCommandsTest : public ::testing::Test {
 protected:
  ReportCommandsTest()
      : clock_(absl::FromUnixSeconds(1795000000)),
        chain_(reports::testing::Named("frontdesk-cli"), &clock_),
        recorder_(&access_log_, &chain_, absl::Seconds(1)) {
    reports::testing::ScriptWeek(&crafted_);
    io_.recorder = &recorder_;
    io_.for_each_record =
        [this](const std::string& topic, absl::Time, absl::Time,
               const std::function<void(eventlog::StoredRecord)>& each) {
          for (const auto& r : crafted_.records())
            if (r.topic == topic) each(r);
          return absl::OkStatus();
        };
  }

  ReportArgs Args(const std::string& role) {
    ReportArgs a;
    a.actor_id = "ann";
    a.role = role;
    a.purpose = "HOPERAT";
    a.policy_in_force = FRONTDESK_SAMPLE_POLICY;
    a.from = "2026-11-23";
    a.to = "2026-11-30";
    return a;
  }

  std::vector<ev::AccessRecorded> Accesses() {
    std::vector<ev::AccessRecorded> out;
    for (const auto& r : access_log_.Topic(kafka::kAccessTopic)) {
      auto e = events::OpenEnvelopeBytes(r.value);
      EXPECT_TRUE(e.ok());
      ev::AccessRecorded a;
      a.ParseFromString(e->body.payload());
      out.push_back(a);
    }
    return out;
  }

  // A keyring file holding the crafted log's tenant key.
  std::string KeyringFile() {
    const std::string path = ::testing::TempDir() + "/reports_keyring";
    std::string hex;
    for (int i = 0; i < 32; ++i) hex += "6b";
    std::ofstream g(path, std::ios::trunc);
    g << reports::testing::kTenant << " " << hex << "\n";
    g.close();
    chmod(path.c_str(), 0600);
    return path;
  }

  reports::testing::CraftedLog crafted_;
  FakeClock clock_;
  eventlog::InMemoryEventLog access_log_;
  events::EventChain chain_;
  access::AccessRecorder recorder_;
  ReportIo io_;
  std::stringstream out_, err_;
};

TEST_F(ReportCommandsTest, ExportIsRecordedAndValid) {
  ReportArgs a = Args("auditor");
  ASSERT_EQ(RunAuditExport(a, io_, out_, err_), 0) << err_.str();
  auto bundle = nlohmann::json::parse(out_.str());
  EXPECT_TRUE(reports::ValidateAuditBundleShape(bundle).ok());
  EXPECT_EQ(bundle["entry"].size(), 38u);
  auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 1u);
  EXPECT_EQ(accesses[0].actor_id(), "ann");
  EXPECT_EQ(accesses[0].action(), "export");
  EXPECT_TRUE(accesses[0].allowed());
  EXPECT_EQ(accesses[0].via(), "cli");
  EXPECT_EQ(accesses[0].resource(),
            "range/2026-11-23T00:00:00Z..2026-11-30T00:00:00Z");
}

TEST_F(ReportCommandsTest, JsonlIsOneObjectPerLine) {
  ReportArgs a = Args("auditor");
  a.format = "jsonl";
  ASSERT_EQ(RunAuditExport(a, io_, out_, err_), 0) << err_.str();
  std::string line;
  int lines = 0;
  while (std::getline(out_, line)) {
    EXPECT_TRUE(nlohmann::json::parse(line).is_object());
    ++lines;
  }
  EXPECT_EQ(lines, 38);
}

TEST_F(ReportCommandsTest, WrongRoleIsRefusedAndRecorded) {
  ReportArgs a = Args("front-desk");
  EXPECT_EQ(RunAuditExport(a, io_, out_, err_), 4);
  EXPECT_THAT(out_.str(), IsEmpty());
  EXPECT_THAT(err_.str(), HasSubstr("refused: role \"front-desk\" is not "
                                    "granted \"export\""));
  auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 1u);
  EXPECT_FALSE(accesses[0].allowed());
  EXPECT_EQ(accesses[0].action(), "export");
}

TEST_F(ReportCommandsTest, KeyringWithoutPhiReadIsRefused) {
  ReportArgs a = Args("auditor");
  a.keyring_file = KeyringFile();
  EXPECT_EQ(RunWeeklyReport(a, io_, out_, err_), 4);
  EXPECT_THAT(out_.str(), IsEmpty());
  auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 2u);
  EXPECT_TRUE(accesses[0].allowed());
  EXPECT_EQ(accesses[1].action(), "open_phi");
  EXPECT_FALSE(accesses[1].allowed());
}

TEST_F(ReportCommandsTest, AccessThatCannotBeRecordedReadsNothing) {
  access_log_.SetAvailable(false);
  ReportArgs a = Args("auditor");
  EXPECT_EQ(RunWeeklyReport(a, io_, out_, err_), 1);
  EXPECT_THAT(out_.str(), IsEmpty());
  EXPECT_THAT(err_.str(), HasSubstr("could not be recorded"));
}

TEST_F(ReportCommandsTest, BadArgumentsNameTheFlag) {
  ReportArgs a = Args("auditor");
  a.from = "last tuesday";
  EXPECT_EQ(RunWeeklyReport(a, io_, out_, err_), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--from"));
  a = Args("auditor");
  a.format = "pdf";
  EXPECT_EQ(RunWeeklyReport(a, io_, out_, err_), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--format: \"pdf\""));
  a = Args("auditor");
  a.actor_id.clear();
  EXPECT_EQ(RunAuditExport(a, io_, out_, err_), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--actor: required"));
  a = Args("practice-manager");
  EXPECT_EQ(RunSimulate(a, io_, out_, err_), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--policy: required"));
  a.candidate_policy = FRONTDESK_SAMPLE_POLICY;
  EXPECT_EQ(RunSimulate(a, io_, out_, err_), 2);
  EXPECT_THAT(err_.str(), HasSubstr("--keyring_file: required"));
  EXPECT_THAT(Accesses(), IsEmpty());
}

TEST_F(ReportCommandsTest, WeeklyCsvWithWordsForPhiRead) {
  ReportArgs a = Args("practice-manager");
  a.format = "csv";
  a.keyring_file = KeyringFile();
  ASSERT_EQ(RunWeeklyReport(a, io_, out_, err_), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("calls_by_request_type,refill,3\n"));
  EXPECT_THAT(out_.str(), HasSubstr("unanswered_texts,do you do x-rays?,2\n"));
  auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 2u);
  EXPECT_EQ(accesses[0].action(), "report");
  EXPECT_EQ(accesses[1].action(), "open_phi");
  EXPECT_TRUE(accesses[1].allowed());
}

// The scripted week's decisions were written by hand, not by the rules
// library: the baseline check reports them, and the same policy changes
// nothing. The simulation itself is tested in
// libs/reports/policy_simulation_test.cc.
TEST_F(ReportCommandsTest, SimulateRecordsItsAccess) {
  ReportArgs a = Args("practice-manager");
  a.candidate_policy = FRONTDESK_SAMPLE_POLICY;
  a.keyring_file = KeyringFile();
  ASSERT_EQ(RunSimulate(a, io_, out_, err_), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("Simulation under sunrise-"));
  EXPECT_THAT(out_.str(), HasSubstr("Baseline check: "));
  EXPECT_THAT(out_.str(), HasSubstr("No decision would change."));
  auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 2u);
  EXPECT_EQ(accesses[0].action(), "simulate");
}

}  // namespace
}  // namespace frontdesk::cli
