#include "tools/frontdesk/reminders_commands.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/scheduling/schedule_config.h"
#include "libs/scheduling/sqlite_schedule_store.h"
#include "nlohmann/json.hpp"

namespace frontdesk::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class RemindersCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/reminders_cli_XXXXXX";
    dir_ = mkdtemp(tmpl);
    // The sample policy, with reminders rolled out.
    std::string yaml = ReadAll(FRONTDESK_SAMPLE_POLICY);
    yaml = absl::StrReplaceAll(
        yaml, {{"\nrollout_mode: answers\n", "\nrollout_mode: reminders\n"}});
    std::ofstream(Path("policy.yaml")) << yaml;
    ASSERT_TRUE(absl::LoadTimeZone("America/Chicago", &tz_));
    options_.policy_path = Path("policy.yaml");
    options_.schedule_path = FRONTDESK_SAMPLE_SCHEDULE;
    options_.schedule_db = Path("schedule.db");
    options_.sink_path = Path("sink.jsonl");
    // Monday, November 30, 2026, 10:00 in Chicago: the sample schedule's
    // four seed bookings are due.
    options_.now = absl::FromCivil(absl::CivilMinute(2026, 11, 30, 10, 0), tz_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
  absl::TimeZone tz_;
  RemindersRunOptions options_;
};

TEST_F(RemindersCommandTest, OnePassOverTheSampleSchedule) {
  std::ofstream(Path("replies.jsonl"))
      << "{\"patient_ref\": \"Patient/seed-patient-1\", \"reply\": "
         "\"cancel\"}\n"
         "{\"patient_ref\": \"Patient/seed-patient-1\", \"reply\": \"1\"}\n"
         "{\"patient_ref\": \"Patient/seed-patient-2\", \"reply\": \"yes\"}\n"
         "{\"patient_ref\": \"Patient/seed-patient-3\", "
         "\"reply\": \"Jane Roe here, what should I bring?\"}\n";
  options_.replies_path = Path("replies.jsonl");
  std::ostringstream out, err;
  ASSERT_EQ(RunRemindersOnce(options_, out, err), 0) << err.str();
  EXPECT_EQ(err.str(), "");
  EXPECT_THAT(out.str(),
              HasSubstr("reminders: sent 4, confirmed 1, cancelled 1, "
                        "rescheduled 1, handed off 1, held by limits 0, "
                        "errors 0\n"));
  EXPECT_THAT(out.str(), HasSubstr("handoff handoff-1 queue=front-desk "
                                   "appointment=seed-3 "
                                   "patient_ref=Patient/seed-patient-3 "
                                   "reason=unclear_reply (patient's words "
                                   "withheld)"));
  EXPECT_THAT(out.str(), Not(HasSubstr("Jane")));

  // The sink: one JSON line per message, highest risk first (the 08:30
  // appointments score 15, the others 10).
  std::vector<std::string> lines =
      absl::StrSplit(ReadAll(Path("sink.jsonl")), '\n', absl::SkipEmpty());
  std::vector<std::string> sent;
  for (const std::string& line : lines) {
    nlohmann::json j = nlohmann::json::parse(line);
    sent.push_back(j["conversation_id"].get<std::string>() + " " +
                   j["text_id"].get<std::string>());
  }
  EXPECT_THAT(
      sent, ElementsAre("reminder/seed-4 reminder", "reminder/seed-3 reminder",
                        "reminder/seed-3 reminder-handoff",
                        "reminder/seed-1 reminder",
                        "reminder/seed-1 reminder-reschedule-offer",
                        "reminder/seed-1 reminder-rescheduled",
                        "reminder/seed-2 reminder",
                        "reminder/seed-2 reminder-confirmed"));
  // The booking rules allowed the rebooking.
  EXPECT_THAT(out.str(), HasSubstr("authority=BOOK-VISIT-LANE/ai_owned"));
  nlohmann::json offer = nlohmann::json::parse(lines[4]);
  EXPECT_EQ(offer["text"],
            "Your appointment is cancelled. We can offer: 1) Tuesday, December "
            "1 at 8:30 AM with Dr. Patel; 2) Tuesday, December 1 at 8:40 AM "
            "with Dr. Patel; 3) Tuesday, December 1 at 8:50 AM with Dr. "
            "Patel. Reply with the number of the time you would like, or call "
            "us to find another.");

  // The store: seed-1 is cancelled and the patient is booked at 08:30.
  auto schedule = scheduling::LoadScheduleFile(FRONTDESK_SAMPLE_SCHEDULE);
  ASSERT_TRUE(schedule.ok());
  FakeClock clock(*options_.now);
  auto store = scheduling::SqliteScheduleStore::Open(options_.schedule_db,
                                                     *schedule, &clock);
  ASSERT_TRUE(store.ok()) << store.status();
  auto seed1 = (*store)->Get("seed-1");
  ASSERT_TRUE(seed1.ok());
  EXPECT_EQ(seed1->status, scheduling::AppointmentStatus::kCancelled);
  auto booked =
      (*store)->ListBooked(absl::FromCivil(absl::CivilDay(2026, 12, 1), tz_),
                           absl::FromCivil(absl::CivilDay(2026, 12, 2), tz_));
  ASSERT_TRUE(booked.ok());
  bool moved = false;
  for (const scheduling::Appointment& a : *booked) {
    if (a.patient == "Patient/seed-patient-1") {
      moved = true;
      EXPECT_EQ(a.start,
                absl::FromCivil(absl::CivilMinute(2026, 12, 1, 8, 30), tz_));
      EXPECT_EQ(a.practitioner, "dr-patel");
    }
  }
  EXPECT_TRUE(moved);
}

TEST_F(RemindersCommandTest, RunsOneAfterAnotherKeepTheLimits) {
  std::ostringstream out, err;
  ASSERT_EQ(RunRemindersOnce(options_, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("reminders: sent 4,"));
  EXPECT_TRUE(
      std::filesystem::exists(options_.schedule_db + ".reminders.json"));

  // An hour later: every appointment was reminded an hour ago.
  *options_.now += absl::Hours(1);
  std::ostringstream out2, err2;
  ASSERT_EQ(RunRemindersOnce(options_, out2, err2), 0) << err2.str();
  EXPECT_THAT(out2.str(), HasSubstr("reminders: sent 0, confirmed 0, "
                                    "cancelled 0, rescheduled 0, handed off "
                                    "0, held by limits 4, errors 0\n"));
  // Four hours after the first: the second reminders go out.
  *options_.now += absl::Hours(3);
  std::ostringstream out3, err3;
  ASSERT_EQ(RunRemindersOnce(options_, out3, err3), 0) << err3.str();
  EXPECT_THAT(out3.str(), HasSubstr("reminders: sent 4,"));
  EXPECT_THAT(out3.str(), HasSubstr("attempt=2"));

  std::ofstream(options_.schedule_db + ".reminders.json") << "{}";
  std::ostringstream out4, err4;
  EXPECT_EQ(RunRemindersOnce(options_, out4, err4), 1);
  EXPECT_THAT(err4.str(),
              HasSubstr("reminder state: not a version 1 state object"));
}

TEST_F(RemindersCommandTest, SamplePolicyRolloutDoesNothing) {
  options_.policy_path = FRONTDESK_SAMPLE_POLICY;  // rollout_mode: answers
  std::ostringstream out, err;
  EXPECT_EQ(RunRemindersOnce(options_, out, err), 0);
  EXPECT_EQ(out.str(),
            "reminders: the policy's rollout_mode does not include reminders; "
            "nothing done\n");
  EXPECT_FALSE(std::filesystem::exists(options_.sink_path));
  EXPECT_FALSE(std::filesystem::exists(options_.schedule_db));
}

TEST_F(RemindersCommandTest, QuietHoursDoNothing) {
  options_.now = absl::FromCivil(absl::CivilMinute(2026, 11, 30, 22, 0), tz_);
  std::ostringstream out, err;
  EXPECT_EQ(RunRemindersOnce(options_, out, err), 0) << err.str();
  EXPECT_EQ(out.str(), "reminders: quiet hours; nothing done\n");
  EXPECT_FALSE(std::filesystem::exists(options_.sink_path));
}

TEST_F(RemindersCommandTest, MissingSinkIsABadOption) {
  options_.sink_path = "";
  std::ostringstream out, err;
  EXPECT_EQ(RunRemindersOnce(options_, out, err), 2);
  EXPECT_EQ(err.str(), "frontdesk reminders run: --sink: required\n");
}

}  // namespace
}  // namespace frontdesk::cli
