#include "libs/scheduling/natural_date.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace frontdesk::scheduling {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

absl::TimeZone Chicago() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("America/Chicago", &zone));
  return zone;
}

absl::Time Local(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), Chicago());
}

// The sample clinic: Monday..Thursday 08:30-16:30, Friday 08:30-15:30,
// closed at the weekend. A 7-day horizon keeps the expectations short.
NaturalDateContext Context(absl::Time now) {
  NaturalDateContext c;
  c.now = now;
  c.zone = Chicago();
  for (absl::Weekday d : {absl::Weekday::monday, absl::Weekday::tuesday,
                          absl::Weekday::wednesday, absl::Weekday::thursday}) {
    c.hours.Set(d, 8 * 60 + 30, 16 * 60 + 30);
  }
  c.hours.Set(absl::Weekday::friday, 8 * 60 + 30, 15 * 60 + 30);
  c.clinicians = {{"dr-patel", "Dr. Patel"},
                  {"dr-nguyen", "Dr. Nguyen"},
                  {"np-garcia", "Nurse Practitioner Garcia"},
                  {"pa-okafor", "Physician Assistant Okafor"}};
  c.horizon_days = 7;
  return c;
}

// "2026-12-03 12:00-16:30" for a window inside one local day, otherwise
// "2026-12-05 00:00-2026-12-07 00:00"; intervals joined by ", ".
std::string Format(const DateWindow& w) {
  absl::TimeZone zone = Chicago();
  std::vector<std::string> parts;
  for (const TimeInterval& in : w.intervals) {
    std::string start = absl::FormatTime("%Y-%m-%d %H:%M", in.start, zone);
    std::string end_day = absl::FormatTime("%Y-%m-%d", in.end, zone);
    std::string end = end_day == start.substr(0, 10)
                          ? absl::FormatTime("%H:%M", in.end, zone)
                          : absl::FormatTime("%Y-%m-%d %H:%M", in.end, zone);
    parts.push_back(absl::StrCat(start, "-", end));
  }
  return absl::StrJoin(parts, ", ");
}

// Fixed clinic times.
// Wednesday 2026-12-02 14:05, during office hours.
const absl::Time kWed = Local(2026, 12, 2, 14, 5);
// Friday 2026-12-04 18:30, after closing.
const absl::Time kFriEve = Local(2026, 12, 4, 18, 30);
// Sunday 2026-12-06 10:00, closed.
const absl::Time kSun = Local(2026, 12, 6, 10, 0);
// Saturday 2027-03-13 09:00 CST; clocks go forward Sunday 2027-03-14 02:00.
const absl::Time kBeforeDst = Local(2027, 3, 13, 9, 0);

struct Row {
  absl::Time now;
  const char* utterance;
  const char* windows;
  std::vector<std::string> practitioners = {};
  bool asap = false;
};

// Every row asserts the exact windows, practitioners and the ASAP flag.
const Row kRows[] = {
    // The phrasings from the issue.
    {kWed,
     "next Tuesday morning with Dr. Patel",
     "2026-12-08 08:30-12:00",
     {"dr-patel"}},
    {kWed, "anything after 3 this week",
     "2026-12-02 15:00-16:30, 2026-12-03 15:00-16:30, 2026-12-04 15:00-15:30"},
    {kWed, "tomorrow afternoon", "2026-12-03 12:00-16:30"},
    {kWed, "the 14th", "2026-12-14 08:30-16:30"},
    {kWed, "December 3rd at 10", "2026-12-03 09:30-10:30"},
    {kWed, "first thing Monday", "2026-12-07 08:30-09:30"},
    {kWed, "end of next week",
     "2026-12-10 08:30-16:30, 2026-12-11 08:30-15:30"},
    {kWed, "in two weeks",
     "2026-12-14 08:30-16:30, 2026-12-15 08:30-16:30, 2026-12-16 08:30-16:30, "
     "2026-12-17 08:30-16:30, 2026-12-18 08:30-15:30"},
    {kWed, "Friday before noon", "2026-12-04 08:30-12:00"},
    {kWed, "this Thursday or Friday",
     "2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30"},
    {kWed, "any time next week",
     "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30, 2026-12-09 08:30-16:30, "
     "2026-12-10 08:30-16:30, 2026-12-11 08:30-15:30"},
    {kWed, "sometime in the morning",
     "2026-12-03 08:30-12:00, 2026-12-04 08:30-12:00, 2026-12-07 08:30-12:00, "
     "2026-12-08 08:30-12:00"},
    {kWed,
     "as soon as possible",
     "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30, "
     "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30",
     {},
     true},
    {kWed, "after lunch on Wednesday", "2026-12-02 14:05-16:30"},
    {kWed, "not Monday",
     "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30, "
     "2026-12-08 08:30-16:30"},
    // Weekdays: today counts while the asked-for time is left.
    {kWed, "Wednesday morning", "2026-12-09 08:30-12:00"},
    {kWed, "Wednesday", "2026-12-02 14:05-16:30"},
    {kWed, "this Monday", "2026-12-07 08:30-16:30"},
    {kWed, "next Friday", "2026-12-11 08:30-15:30"},
    {kWed, "next Thursday or Friday",
     "2026-12-10 08:30-16:30, 2026-12-11 08:30-15:30"},
    {kWed, "Tuesday morning or Thursday afternoon",
     "2026-12-03 12:00-16:30, 2026-12-08 08:30-12:00"},
    {kWed, "Thursday or Friday afternoon",
     "2026-12-03 12:00-16:30, 2026-12-04 12:00-15:30"},
    {kWed, "any Monday or Tuesday afternoon",
     "2026-12-07 12:00-16:30, 2026-12-08 12:00-16:30"},
    {kWed, "Thursday, December 3rd", "2026-12-03 08:30-16:30"},
    // Days relative to today.
    {kWed, "today", "2026-12-02 14:05-16:30"},
    {kWed, "this afternoon", "2026-12-02 14:05-16:30"},
    {kWed, "tonight", "2026-12-02 17:00-2026-12-03 00:00"},
    {kWed, "the day after tomorrow", "2026-12-04 08:30-15:30"},
    {kWed, "in 3 days", "2026-12-05 00:00-2026-12-06 00:00"},
    {kWed, "in a week",
     "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30, 2026-12-09 08:30-16:30, "
     "2026-12-10 08:30-16:30, 2026-12-11 08:30-15:30"},
    {kWed, "two weeks from now",
     "2026-12-14 08:30-16:30, 2026-12-15 08:30-16:30, 2026-12-16 08:30-16:30, "
     "2026-12-17 08:30-16:30, 2026-12-18 08:30-15:30"},
    {kWed, "the week after next",
     "2026-12-14 08:30-16:30, 2026-12-15 08:30-16:30, 2026-12-16 08:30-16:30, "
     "2026-12-17 08:30-16:30, 2026-12-18 08:30-15:30"},
    // Weeks, weekends and months.
    {kWed, "this week",
     "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30"},
    {kWed, "early next week", "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30"},
    {kWed, "later this week", "2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30"},
    {kWed, "midweek", "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30"},
    {kWed, "the weekend", "2026-12-05 00:00-2026-12-07 00:00"},
    {kWed, "next weekend", "2026-12-12 00:00-2026-12-14 00:00"},
    {kWed, "Saturday morning", "2026-12-05 00:00-12:00"},
    {kWed, "next week but not Monday",
     "2026-12-08 08:30-16:30, 2026-12-09 08:30-16:30, 2026-12-10 08:30-16:30, "
     "2026-12-11 08:30-15:30"},
    {kWed, "not Monday or Tuesday next week",
     "2026-12-09 08:30-16:30, 2026-12-10 08:30-16:30, 2026-12-11 08:30-15:30"},
    {kWed, "any day but Friday this week",
     "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30"},
    {kWed, "mid December",
     "2026-12-11 08:30-15:30, 2026-12-14 08:30-16:30, 2026-12-15 08:30-16:30, "
     "2026-12-16 08:30-16:30, 2026-12-17 08:30-16:30, 2026-12-18 08:30-15:30"},
    {kWed, "early next month",
     "2027-01-01 08:30-15:30, 2027-01-04 08:30-16:30, 2027-01-05 08:30-16:30, "
     "2027-01-06 08:30-16:30, 2027-01-07 08:30-16:30, 2027-01-08 08:30-15:30"},
    // Dates.
    {kWed, "December 14th", "2026-12-14 08:30-16:30"},
    {kWed, "January 5th", "2027-01-05 08:30-16:30"},
    {kWed, "the 4th of January at 9am", "2027-01-04 08:30-09:30"},
    {kWed, "December 31st, 2026", "2026-12-31 08:30-16:30"},
    {kWed, "december twenty first", "2026-12-21 08:30-16:30"},
    {kWed, "the fourteenth in the afternoon", "2026-12-14 12:00-16:30"},
    {kWed, "February 29th", "2028-02-29 08:30-16:30"},
    {kWed, "Could I come in on the 14th at 2:30?", "2026-12-14 14:00-15:00"},
    // Times of day.
    {kWed, "tomorrow at 3pm", "2026-12-03 14:30-15:30"},
    {kWed, "Thursday between 2 and 4", "2026-12-03 14:00-16:00"},
    {kWed, "Monday from 9 to 11", "2026-12-07 09:00-11:00"},
    {kWed, "Tuesday 2-4pm", "2026-12-08 14:00-16:00"},
    {kWed, "11 to 1 on Friday", "2026-12-04 11:00-13:00"},
    {kWed, "around 10 tomorrow", "2026-12-03 09:30-10:30"},
    {kWed, "10:30 a.m. on Thursday", "2026-12-03 10:00-11:00"},
    {kWed, "Monday at noon", "2026-12-07 11:30-12:30"},
    {kWed, "after noon on Monday", "2026-12-07 12:00-16:30"},
    {kWed, "before lunch Tuesday", "2026-12-08 08:30-12:00"},
    {kWed, "after 3:30 today", "2026-12-02 15:30-16:30"},
    {kWed, "late afternoon tomorrow", "2026-12-03 15:00-16:30"},
    {kWed, "early morning on Friday", "2026-12-04 08:30-10:00"},
    {kWed, "end of the day Thursday", "2026-12-03 15:30-16:30"},
    {kWed, "last thing Friday", "2026-12-04 14:30-15:30"},
    {kWed, "first thing in the morning on Tuesday", "2026-12-08 08:30-09:30"},
    {kWed, "at ten on Monday", "2026-12-07 09:30-10:30"},
    {kWed, "not before 10 on Monday", "2026-12-07 10:00-16:30"},
    {kWed, "not in the morning tomorrow", "2026-12-03 12:00-16:30"},
    {kWed, "at ten thirty on Monday", "2026-12-07 10:00-11:00"},
    {kWed, "half past two tomorrow", "2026-12-03 14:00-15:00"},
    {kWed, "quarter to nine on Friday", "2026-12-04 08:30-09:15"},
    {kWed, "around 10ish tomorrow", "2026-12-03 09:30-10:30"},
    {kWed, "I am free Monday", "2026-12-07 08:30-16:30"},
    {kWed, "anything past 3 on Thursday", "2026-12-03 15:00-16:30"},
    {kWed, "in the next couple of days",
     "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30"},
    {kWed, "within the next week",
     "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30, "
     "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30, 2026-12-09 08:30-16:30"},
    {kWed, "a week from Monday", "2026-12-14 08:30-16:30"},
    {kWed, "two weeks from tomorrow", "2026-12-17 08:30-16:30"},
    {kWed, "anytime Tuesday through Thursday",
     "2026-12-08 08:30-16:30, 2026-12-09 08:30-16:30, 2026-12-10 08:30-16:30"},
    {kWed, "Wednesday to Friday",
     "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30"},
    {kWed, "Friday through Monday",
     "2026-12-04 08:30-15:30, 2026-12-07 08:30-16:30"},
    {kWed, "early in the week",
     "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30"},
    // Outside office hours: kept as said; Find returns nothing.
    {kWed, "Friday at 4", "2026-12-04 15:30-16:30"},
    {kWed, "at 7pm on Tuesday", "2026-12-08 18:30-19:30"},
    // Clinicians.
    {kWed, "with Patel on Monday", "2026-12-07 08:30-16:30", {"dr-patel"}},
    {kWed,
     "doctor nguyen next Friday",
     "2026-12-11 08:30-15:30",
     {"dr-nguyen"}},
    {kWed,
     "Monday or Tuesday with Garcia",
     "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30",
     {"np-garcia"}},
    {kWed,
     "THURSDAY AFTERNOON WITH DR. PATEL",
     "2026-12-03 12:00-16:30",
     {"dr-patel"}},
    {kWed,
     "tomorrow at 9 with dr patel or dr nguyen",
     "2026-12-03 08:30-09:30",
     {"dr-patel", "dr-nguyen"}},
    {kWed,
     "not with Dr. Patel, Thursday",
     "2026-12-03 08:30-16:30",
     {"dr-nguyen", "np-garcia", "pa-okafor"}},
    {kWed,
     "ASAP with Dr. Nguyen",
     "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30, "
     "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30",
     {"dr-nguyen"},
     true},
    {kWed,
     "next available with okafor",
     "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30, "
     "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30",
     {"pa-okafor"},
     true},
    {kWed,
     "earliest next week",
     "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30, 2026-12-09 08:30-16:30, "
     "2026-12-10 08:30-16:30, 2026-12-11 08:30-15:30",
     {},
     true},
    // Spelling and punctuation as speech front ends write them.
    {kWed, "3p.m. tomorrow", "2026-12-03 14:30-15:30"},
    {kWed, "dr.patel on friday", "2026-12-04 08:30-15:30", {"dr-patel"}},
    {kWed, "Tuesday the 8th", "2026-12-08 08:30-16:30"},
    {kWed, "in a couple of weeks",
     "2026-12-14 08:30-16:30, 2026-12-15 08:30-16:30, 2026-12-16 08:30-16:30, "
     "2026-12-17 08:30-16:30, 2026-12-18 08:30-15:30"},
    {kWed, "early January 2027",
     "2027-01-01 08:30-15:30, 2027-01-04 08:30-16:30, 2027-01-05 08:30-16:30, "
     "2027-01-06 08:30-16:30, 2027-01-07 08:30-16:30, 2027-01-08 08:30-15:30"},
    {kWed, "mornings next week",
     "2026-12-07 08:30-12:00, 2026-12-08 08:30-12:00, 2026-12-09 08:30-12:00, "
     "2026-12-10 08:30-12:00, 2026-12-11 08:30-12:00"},
    {kWed, "anytime",
     "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30, "
     "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30"},
    {kWed, "the first", "2027-01-01 08:30-15:30"},
    {kWed, "third of May", "2027-05-03 08:30-16:30"},
    {kWed, "next Tuesday and Friday",
     "2026-12-08 08:30-16:30, 2026-12-11 08:30-15:30"},
    {kWed, "may I come tomorrow", "2026-12-03 08:30-16:30"},
    // Weekdays inside a span, and days as bounds.
    {kWed, "Tuesday next week", "2026-12-08 08:30-16:30"},
    {kWed, "Saturday next week", "2026-12-12 00:00-2026-12-13 00:00"},
    {kWed, "Tuesday or Wednesday next week",
     "2026-12-08 08:30-16:30, 2026-12-09 08:30-16:30"},
    {kWed, "Friday or next week",
     "2026-12-04 08:30-15:30, 2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30, "
     "2026-12-09 08:30-16:30, 2026-12-10 08:30-16:30, 2026-12-11 08:30-15:30"},
    {kWed, "Mondays in January",
     "2027-01-04 08:30-16:30, 2027-01-11 08:30-16:30, 2027-01-18 08:30-16:30, "
     "2027-01-25 08:30-16:30"},
    {kWed, "before Friday", "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30"},
    {kWed, "by Friday",
     "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30"},
    {kWed, "before Wednesday",
     "2026-12-02 14:05-16:30, 2026-12-03 08:30-16:30, 2026-12-04 08:30-15:30, "
     "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30"},
    {kWed, "after the 14th",
     "2026-12-15 08:30-16:30, 2026-12-16 08:30-16:30, 2026-12-17 08:30-16:30, "
     "2026-12-18 08:30-15:30, 2026-12-21 08:30-16:30"},
    {kWed, "sometime after next Monday",
     "2026-12-08 08:30-16:30, 2026-12-09 08:30-16:30, 2026-12-10 08:30-16:30, "
     "2026-12-11 08:30-15:30, 2026-12-14 08:30-16:30"},
    {kWed, "after work on Monday", "2026-12-07 08:30-16:30"},
    {kWed, "Monday after 2", "2026-12-07 14:00-16:30"},
    // Friday evening, after closing.
    {kFriEve, "Friday", "2026-12-11 08:30-15:30"},
    {kFriEve, "tomorrow", "2026-12-05 00:00-2026-12-06 00:00"},
    {kFriEve, "this week", "2026-12-05 00:00-2026-12-07 00:00"},
    {kFriEve, "this weekend", "2026-12-05 00:00-2026-12-07 00:00"},
    {kFriEve, "Monday morning", "2026-12-07 08:30-12:00"},
    {kFriEve, "sometime in the morning",
     "2026-12-07 08:30-12:00, 2026-12-08 08:30-12:00, 2026-12-09 08:30-12:00, "
     "2026-12-10 08:30-12:00"},
    // Sunday.
    {kSun, "this week", "2026-12-06 10:00-2026-12-07 00:00"},
    {kSun, "next week",
     "2026-12-07 08:30-16:30, 2026-12-08 08:30-16:30, 2026-12-09 08:30-16:30, "
     "2026-12-10 08:30-16:30, 2026-12-11 08:30-15:30"},
    {kSun, "next Monday", "2026-12-07 08:30-16:30"},
    {kSun, "Sunday", "2026-12-06 10:00-2026-12-07 00:00"},
    {kSun, "tomorrow morning", "2026-12-07 08:30-12:00"},
    // Across the March 2027 change to daylight time.
    {kBeforeDst, "Monday morning", "2027-03-15 08:30-12:00"},
    {kBeforeDst, "Friday at 10", "2027-03-19 09:30-10:30"},
    {kBeforeDst, "tomorrow", "2027-03-14 00:00-2027-03-15 00:00"},
    {kBeforeDst, "next week",
     "2027-03-15 08:30-16:30, 2027-03-16 08:30-16:30, 2027-03-17 08:30-16:30, "
     "2027-03-18 08:30-16:30, 2027-03-19 08:30-15:30"},
};

class PhrasingTest : public ::testing::TestWithParam<Row> {};

TEST_P(PhrasingTest, ReadsTheExpectedWindows) {
  const Row& row = GetParam();
  absl::StatusOr<DateWindow> w =
      ParseNaturalDate(row.utterance, Context(row.now));
  ASSERT_TRUE(w.ok()) << row.utterance << ": " << w.status();
  EXPECT_EQ(Format(*w), row.windows) << row.utterance;
  EXPECT_EQ(w->practitioners, row.practitioners) << row.utterance;
  EXPECT_EQ(w->as_soon_as_possible, row.asap) << row.utterance;
}

// "7_next_Tuesday_morning": the row number and its words, for failures.
template <typename T>
std::string RowName(const ::testing::TestParamInfo<T>& info) {
  std::string name = absl::StrCat(info.index, "_");
  for (const char* c = info.param.utterance; *c != '\0'; ++c) {
    name.push_back(absl::ascii_isalnum(static_cast<unsigned char>(*c)) ? *c
                                                                       : '_');
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Phrasings, PhrasingTest, ::testing::ValuesIn(kRows),
                         RowName<Row>);

TEST(NaturalDateTest, HasAtLeastSixtyPhrasings) {
  EXPECT_GE(std::size(kRows), 60u);
}

// The local windows above are read back through the same zone; these pin
// the absolute instants on both sides of the DST change.
TEST(NaturalDateTest, DaylightTimeShiftsTheAbsoluteWindows) {
  absl::StatusOr<DateWindow> w =
      ParseNaturalDate("monday morning", Context(kBeforeDst));
  ASSERT_TRUE(w.ok()) << w.status();
  // 08:30 CDT is 13:30 UTC (it was 14:30 UTC the Monday before).
  EXPECT_THAT(w->intervals,
              ElementsAre(TimeInterval{absl::FromUnixSeconds(1805117400),
                                       absl::FromUnixSeconds(1805130000)}));
  EXPECT_EQ(absl::FormatTime("%Y-%m-%dT%H:%M", w->intervals[0].start,
                             absl::UTCTimeZone()),
            "2027-03-15T13:30");

  absl::StatusOr<DateWindow> sunday =
      ParseNaturalDate("tomorrow", Context(kBeforeDst));
  ASSERT_TRUE(sunday.ok()) << sunday.status();
  ASSERT_EQ(sunday->intervals.size(), 1u);
  // The day the clocks go forward has 23 hours.
  EXPECT_EQ(sunday->intervals[0].end - sunday->intervals[0].start,
            absl::Hours(23));
}

TEST(NaturalDateTest, HorizonDefaultsToTwoWeeks) {
  NaturalDateContext c = Context(kWed);
  c.horizon_days = NaturalDateContext{}.horizon_days;
  absl::StatusOr<DateWindow> w = ParseNaturalDate("asap", c);
  ASSERT_TRUE(w.ok()) << w.status();
  // Wednesday 2026-12-02 through Tuesday 2026-12-15: ten open days.
  EXPECT_EQ(w->intervals.size(), 10u);
  EXPECT_EQ(w->intervals.front().start, kWed);
  EXPECT_EQ(w->intervals.back().end, Local(2026, 12, 15, 16, 30));
}

TEST(NaturalDateTest, BuildsHoursAndCliniciansFromASchedule) {
  ScheduleConfig s;
  s.clinicians.push_back({"dr-patel",
                          "Dr. Patel",
                          {"follow-up"},
                          {{absl::Weekday::monday, 9 * 60, 12 * 60},
                           {absl::Weekday::monday, 13 * 60, 16 * 60 + 30}}});
  s.clinicians.push_back({"dr-nguyen",
                          "Dr. Nguyen",
                          {"follow-up"},
                          {{absl::Weekday::monday, 8 * 60 + 30, 15 * 60}}});
  OfficeHours hours = OfficeHoursFromSchedule(s);
  EXPECT_EQ(hours.For(absl::Weekday::monday).open_minute, 8 * 60 + 30);
  EXPECT_EQ(hours.For(absl::Weekday::monday).close_minute, 16 * 60 + 30);
  EXPECT_FALSE(hours.IsOpen(absl::Weekday::tuesday));
  std::vector<ClinicianName> names = CliniciansFromSchedule(s);
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[1].id, "dr-nguyen");
  EXPECT_EQ(names[1].display, "Dr. Nguyen");
}

// The sample clinic's schedule gives the policy's booking hours
// (examples/clinic/policy.yaml booking.hours) and names its clinicians as
// callers do.
TEST(NaturalDateTest, ReadsWithTheSampleClinicsSchedule) {
  absl::StatusOr<ScheduleConfig> s =
      LoadScheduleFile(FRONTDESK_SAMPLE_SCHEDULE);
  ASSERT_TRUE(s.ok()) << s.status();
  NaturalDateContext c;
  c.now = kWed;
  c.zone = s->timezone;
  c.hours = OfficeHoursFromSchedule(*s);
  c.clinicians = CliniciansFromSchedule(*s);
  NaturalDateContext expected = Context(kWed);
  for (int d = 0; d < 7; ++d) {
    EXPECT_EQ(c.hours.days[d].open_minute, expected.hours.days[d].open_minute)
        << d;
    EXPECT_EQ(c.hours.days[d].close_minute, expected.hours.days[d].close_minute)
        << d;
  }
  absl::StatusOr<DateWindow> w = ParseNaturalDate(
      "friday afternoon with the physician assistant okafor or garcia", c);
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(Format(*w), "2026-12-04 12:00-15:30");
  EXPECT_THAT(w->practitioners, ElementsAre("pa-okafor", "np-garcia"));
}

struct ErrorRow {
  absl::Time now;
  const char* utterance;
  const char* message;
};

const ErrorRow kErrors[] = {
    {kWed, "yesterday", "the requested time has passed"},
    {kWed, "December 1st, 2026", "the requested time has passed"},
    {kWed, "last Tuesday", "the requested time has passed"},
    {kWed, "last week", "the requested time has passed"},
    {kFriEve, "today", "the requested time has passed"},
    {kWed, "February 30th", "February 30 is not a date"},
    {kWed, "April 31st", "April 31 is not a date"},
    {kWed, "February 29th 2027", "February 29, 2027 is not a date"},
    {kWed, "the 32nd", "a day of the month must be 1 to 31"},
    {kWed, "Thursday December 4th", "the weekday does not match the date"},
    {kWed, "hello is anyone there", "no day or time found"},
    {kWed, "with Dr. Patel", "no day or time found"},
    {kWed, "", "no day or time found"},
    {kWed, "tomorrow with Dr. Smith", "no clinician by that name"},
    {kWed, "next Monday except Monday", "every day asked for is excluded"},
    {kWed, "tomorrow but not at 10", "a time to avoid that cannot be searched"},
    {kWed, "sometime in December 2025", "the requested time has passed"},
    {kWed, "before today", "the requested time has passed"},
    {kWed, "early this week", "the requested time has passed"},
};

class ErrorTest : public ::testing::TestWithParam<ErrorRow> {};

TEST_P(ErrorTest, IsInvalidArgumentWithoutTheCallersWords) {
  const ErrorRow& row = GetParam();
  absl::StatusOr<DateWindow> w =
      ParseNaturalDate(row.utterance, Context(row.now));
  ASSERT_FALSE(w.ok()) << row.utterance << ": " << Format(*w);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(w.status().message(), row.message);
  if (*row.utterance != '\0') {
    EXPECT_THAT(absl::AsciiStrToLower(w.status().message()),
                Not(HasSubstr(absl::AsciiStrToLower(row.utterance))));
  }
}

INSTANTIATE_TEST_SUITE_P(Errors, ErrorTest, ::testing::ValuesIn(kErrors),
                         RowName<ErrorRow>);

// Every combination of up to three words from the vocabulary either reads
// as well-formed windows or fails with one of the generic messages.
TEST(NaturalDateTest, WordCombinationsGiveWellFormedWindowsOrGenericErrors) {
  const std::vector<std::string> words = {
      "next",      "this",     "last",  "tuesday", "friday", "saturday",
      "today",     "tomorrow", "week",  "weekend", "month",  "morning",
      "afternoon", "evening",  "after", "before",  "at",     "3",
      "10",        "noon",     "lunch", "the",     "14th",   "31st",
      "december",  "february", "29",    "30",      "in",     "two",
      "weeks",     "not",      "or",    "and",     "first",  "thing",
      "end",       "of",       "day",   "early",   "late",   "asap",
      "with",      "dr",       "patel", "between", "to",     "2027",
      "half",      "quarter",  "past",  "thirty",  "by",     "mondays",
      "through",   "within",   "few",   "from",    "a",      "couple"};
  const std::vector<std::string> generic = {
      "the requested time has passed",
      "no day or time found",
      "a day of the month must be 1 to 31",
      "the weekday does not match the date",
      "no clinician by that name",
      "every day asked for is excluded",
      "a time to avoid that cannot be searched"};
  int ok = 0;
  for (absl::Time now : {kWed, kFriEve, kBeforeDst}) {
    NaturalDateContext context = Context(now);
    auto check = [&](const std::string& utterance) {
      absl::StatusOr<DateWindow> w = ParseNaturalDate(utterance, context);
      if (!w.ok()) {
        EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument)
            << utterance;
        std::string message(w.status().message());
        bool known = std::find(generic.begin(), generic.end(), message) !=
                         generic.end() ||
                     absl::EndsWith(message, " is not a date");
        EXPECT_TRUE(known) << utterance << ": " << message;
        return;
      }
      ++ok;
      ASSERT_FALSE(w->intervals.empty()) << utterance;
      for (size_t k = 0; k < w->intervals.size(); ++k) {
        const TimeInterval& in = w->intervals[k];
        EXPECT_GE(in.start, now) << utterance;
        EXPECT_LT(in.start, in.end) << utterance;
        if (k > 0) {
          EXPECT_GT(in.start, w->intervals[k - 1].end) << utterance;
        }
      }
      for (const std::string& p : w->practitioners) {
        EXPECT_TRUE(
            std::any_of(context.clinicians.begin(), context.clinicians.end(),
                        [&](const ClinicianName& c) { return c.id == p; }))
            << utterance;
      }
    };
    for (const std::string& a : words) {
      for (const std::string& b : words) {
        check(absl::StrCat(a, " ", b));
        for (const std::string& c : words) {
          check(absl::StrCat(a, " ", b, " ", c));
        }
      }
    }
  }
  // Most combinations read as something.
  EXPECT_GT(ok, 50000);
}

// A clinician's name is the caller's words too: it never reaches a message.
TEST(NaturalDateTest, UnknownClinicianMessageDoesNotNameThem) {
  absl::StatusOr<DateWindow> w =
      ParseNaturalDate("monday with dr zzyzx", Context(kWed));
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(w.status().message()), Not(HasSubstr("zzyzx")));
}

}  // namespace
}  // namespace frontdesk::scheduling
