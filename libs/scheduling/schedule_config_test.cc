#include "libs/scheduling/schedule_config.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/policy/clinic_policy.h"

namespace frontdesk::scheduling {
namespace {

using ::testing::HasSubstr;

TEST(ScheduleConfigTest, LoadsTheSampleSchedule) {
  auto s = LoadScheduleFile(FRONTDESK_SAMPLE_SCHEDULE);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->timezone_name, "America/Chicago");
  EXPECT_EQ(s->slot_step_minutes, 10);
  EXPECT_EQ(s->hold_duration, absl::Minutes(5));
  ASSERT_NE(s->FindVisitType("new-patient"), nullptr);
  EXPECT_EQ(s->FindVisitType("new-patient")->minutes, 60);
  ASSERT_NE(s->FindClinician("dr-patel"), nullptr);
  EXPECT_TRUE(s->FindClinician("dr-patel")->Offers("follow-up"));
  EXPECT_FALSE(s->FindClinician("dr-patel")->Offers("procedure"));
  EXPECT_EQ(s->bookings.size(), 4u);
  EXPECT_TRUE(s->Closed("dr-patel", absl::CivilDay(2026, 12, 25), 600, 620));
  EXPECT_TRUE(s->Closed("dr-patel", absl::CivilDay(2026, 12, 31), 600, 620));
  EXPECT_FALSE(s->Closed("dr-nguyen", absl::CivilDay(2026, 12, 31), 600, 620));
  // Christmas Eve closes at noon.
  EXPECT_FALSE(s->Closed("dr-patel", absl::CivilDay(2026, 12, 24), 600, 620));
  EXPECT_TRUE(s->Closed("dr-patel", absl::CivilDay(2026, 12, 24), 710, 730));
}

// The schedule and the policy describe the same clinic: the same visit types
// and minutes, every clinician the policy allows for a type offers it, every
// weekly block is inside the policy's booking hours, and every policy
// exclusion and clinic holiday is closed time here.
TEST(ScheduleConfigTest, AgreesWithThePolicy) {
  auto s = LoadScheduleFile(FRONTDESK_SAMPLE_SCHEDULE);
  ASSERT_TRUE(s.ok()) << s.status();
  auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  ASSERT_TRUE(p.ok()) << p.status();
  const auto& booking = p->proto().booking();
  EXPECT_EQ(p->proto().clinic().timezone(), s->timezone_name);
  ASSERT_EQ(booking.visit_types_size(),
            static_cast<int>(s->visit_types.size()));
  for (const auto& vt : booking.visit_types()) {
    const VisitTypeSpec* mine = s->FindVisitType(vt.id());
    ASSERT_NE(mine, nullptr) << vt.id();
    EXPECT_EQ(mine->minutes, static_cast<int>(vt.minutes())) << vt.id();
    for (const std::string& c : vt.clinicians()) {
      const ClinicianSpec* spec = s->FindClinician(c);
      ASSERT_NE(spec, nullptr) << c;
      EXPECT_TRUE(spec->Offers(vt.id())) << c << " " << vt.id();
    }
  }
  auto minutes = [](const std::string& hhmm) {
    return std::stoi(hhmm.substr(0, 2)) * 60 + std::stoi(hhmm.substr(3, 2));
  };
  for (const ClinicianSpec& c : s->clinicians) {
    for (const WeeklyBlock& b : c.weekly) {
      bool inside = false;
      for (const auto& h : booking.hours()) {
        // WEEKDAY_MONDAY = 1 ... WEEKDAY_SUNDAY = 7; absl::Weekday monday = 0.
        if (static_cast<int>(h.day()) - 1 != static_cast<int>(b.day)) continue;
        inside = inside || (b.from_minute >= minutes(h.open()) &&
                            b.to_minute <= minutes(h.close()));
      }
      EXPECT_TRUE(inside) << c.id << " block " << b.from_minute;
    }
  }
  for (const auto& ex : booking.exclusions()) {
    absl::CivilDay day;
    ASSERT_TRUE(absl::ParseCivilTime(ex.date(), &day));
    const std::string who =
        ex.clinician().empty() ? "dr-patel" : ex.clinician();
    EXPECT_TRUE(s->Closed(who, day, 12 * 60, 13 * 60)) << ex.date();
  }
  for (const auto& h : p->proto().clinic().holidays()) {
    absl::CivilDay day;
    ASSERT_TRUE(absl::ParseCivilTime(h.date(), &day));
    EXPECT_TRUE(s->Closed("dr-nguyen", day, 0, 24 * 60)) << h.date();
  }
}

struct BadCase {
  const char* name;
  const char* yaml;
  const char* expected;
};

constexpr char kGood[] = R"(timezone: America/Chicago
slot_step_minutes: 10
hold_minutes: 5
visit_types:
  - {id: follow-up, minutes: 20}
clinicians:
  - id: dr-a
    visit_types: [follow-up]
    weekly:
      - {day: monday, from: "08:30", to: "12:00"}
)";

TEST(ScheduleConfigTest, ParsesAMinimalSchedule) {
  auto s = ParseScheduleYaml(kGood, "s.yaml");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->clinicians.size(), 1u);
  EXPECT_EQ(s->clinicians[0].weekly[0].from_minute, 8 * 60 + 30);
  EXPECT_EQ(s->clinicians[0].weekly[0].to_minute, 12 * 60);
}

TEST(ScheduleConfigTest, RejectsBadInputNamingLineAndField) {
  const BadCase cases[] = {
      {"unknown top key", "timezone: America/Chicago\nfoo: 1\n",
       "s.yaml:2: schedule.foo: unknown key"},
      {"bad timezone",
       "timezone: Mars/Olympus\nslot_step_minutes: 10\nhold_minutes: 5\n"
       "visit_types: [{id: a, minutes: 20}]\n"
       "clinicians: [{id: c, visit_types: [a], weekly: []}]\n",
       "s.yaml:1: schedule.timezone: unknown time zone \"Mars/Olympus\""},
      {"bad day",
       "timezone: UTC\nslot_step_minutes: 10\nhold_minutes: 5\n"
       "visit_types: [{id: a, minutes: 20}]\nclinicians:\n  - id: c\n"
       "    visit_types: [a]\n    weekly:\n"
       "      - {day: mon, from: \"08:00\", to: \"09:00\"}\n",
       "s.yaml:9: clinicians[0].weekly[0].day: expected a day name like "
       "\"monday\", got \"mon\""},
      {"bad time",
       "timezone: UTC\nslot_step_minutes: 10\nhold_minutes: 5\n"
       "visit_types: [{id: a, minutes: 20}]\nclinicians:\n  - id: c\n"
       "    visit_types: [a]\n    weekly:\n"
       "      - {day: monday, from: \"8am\", to: \"09:00\"}\n",
       "s.yaml:9: clinicians[0].weekly[0].from: expected a time \"HH:MM\", "
       "got \"8am\""},
      {"unknown visit type",
       "timezone: UTC\nslot_step_minutes: 10\nhold_minutes: 5\n"
       "visit_types: [{id: a, minutes: 20}]\nclinicians:\n  - id: c\n"
       "    visit_types: [b]\n    weekly: []\n",
       "s.yaml:7: clinicians[0].visit_types[0]: unknown visit type \"b\""},
      {"minutes not on a block",
       "timezone: UTC\nslot_step_minutes: 10\nhold_minutes: 5\n"
       "visit_types: [{id: a, minutes: 22}]\n"
       "clinicians: [{id: c, visit_types: [a], weekly: []}]\n",
       "s.yaml:4: visit_types[0].minutes: must be a multiple of 5"},
      {"missing minutes",
       "timezone: UTC\nslot_step_minutes: 10\nhold_minutes: 5\n"
       "visit_types:\n  - {id: a}\n"
       "clinicians: [{id: c, visit_types: [a], weekly: []}]\n",
       "s.yaml:5: visit_types[0].minutes: missing"},
      {"exclusion for unknown clinician",
       "timezone: UTC\nslot_step_minutes: 10\nhold_minutes: 5\n"
       "visit_types: [{id: a, minutes: 20}]\n"
       "clinicians: [{id: c, visit_types: [a], weekly: []}]\n"
       "exclusions:\n  - {date: \"2026-12-01\", clinician: dr-x}\n",
       "s.yaml:7: exclusions[0].clinician: unknown clinician \"dr-x\""},
      {"bad date",
       "timezone: UTC\nslot_step_minutes: 10\nhold_minutes: 5\n"
       "visit_types: [{id: a, minutes: 20}]\n"
       "clinicians: [{id: c, visit_types: [a], weekly: []}]\n"
       "holidays:\n  - {date: \"12/25/2026\"}\n",
       "s.yaml:7: holidays[0].date: expected a date \"YYYY-MM-DD\", got "
       "\"12/25/2026\""},
      {"booking with a type the clinician does not offer",
       "timezone: UTC\nslot_step_minutes: 10\nhold_minutes: 5\n"
       "visit_types: [{id: a, minutes: 20}, {id: b, minutes: 20}]\n"
       "clinicians: [{id: c, visit_types: [a], weekly: []}]\n"
       "bookings:\n  - {id: s1, clinician: c, visit_type: b, "
       "start: \"2026-12-01T09:00\", patient: Patient/x}\n",
       "s.yaml:7: bookings[0].visit_type: \"b\" is not a visit type this "
       "clinician offers"},
      {"not yaml", "timezone: [\n", "s.yaml:2: not valid YAML"},
  };
  for (const BadCase& c : cases) {
    auto s = ParseScheduleYaml(c.yaml, "s.yaml");
    ASSERT_FALSE(s.ok()) << c.name;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(s.status().message(), HasSubstr(c.expected)) << c.name;
  }
}

TEST(ScheduleConfigTest, MissingFileIsNotFound) {
  auto s = LoadScheduleFile("/nonexistent/schedule.yaml");
  EXPECT_EQ(s.status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace frontdesk::scheduling
