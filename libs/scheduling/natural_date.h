// Natural dates: turns what a caller says about when ("next Tuesday morning
// with Dr. Patel", "anything after 3 this week", "the 14th") into search
// windows for Scheduler::Find.
//
// Contract:
//   Input: the utterance (any case), `now`, the clinic's time zone, its office
//   hours per weekday and its clinicians (id and display name).
//   Output: one or more [start, end) intervals in absolute time, sorted and
//   merged, never starting before `now`; the practitioner ids mentioned; and
//   whether the caller asked for the first opening ("as soon as possible").
//   Every clock time is clinic-local and converted through the time zone, so
//   windows are right across DST changes.
//   Errors are INVALID_ARGUMENT with a generic message ("no day or time
//   found", "February 30 is not a date", "the requested time has passed").
//   No message quotes the utterance, and nothing is logged: the utterance is
//   free text and may hold PHI.
//
// Reading rules:
//   Days
//   - A weekday name ("Tuesday", "this Tuesday") is its next occurrence; today
//     counts while the asked-for time has some part left today.
//     "next Tuesday" is the Tuesday of next week (weeks run Monday..Sunday);
//     "last Tuesday" is in the past and so an error.
//     A relation carries along a list: "next Thursday or Friday" is both
//     days of next week.
//   - "Tuesday through Thursday" (also "to", "until") runs from the first
//     day named to the next such second day.
//   - "this week" is now to the end of Sunday; "next week" is Monday..Sunday
//     of next week; "the week after next" the week after that. "early" (also
//     "beginning", "start") is Monday..Tuesday, "mid"/"middle" is
//     Tuesday..Thursday, "late"/"later"/"end" is Thursday..Sunday of the week.
//     "early in the week" once Tuesday is over means next week's ("early
//     this week" then is in the past, an error).
//   - "weekend" is Saturday..Sunday of this week ("next weekend": of next
//     week).
//   - "the 14th" is the next 14th (today counts); an ordinal word is a day
//     only after "the"/"on" or before a month ("the first", "third of May"),
//     so "first thing" and "first available" are not dates. "December 3rd"
//     without a year is the next December 3rd (this year unless it is over). A
//     date that cannot exist ("February 30", "April 31", "February 29, 2027")
//     is an error; so is a date wholly in the past ("December 1, 2026",
//     "yesterday", "today" after closing).
//   - "in 3 days" is that day; "in two weeks" (or "two weeks from now") is the
//     Monday..Sunday week holding the day 14 days from today; "in a month"
//     likewise for the same day next month. "a week from Monday" and "two
//     weeks from tomorrow" are that one day. "within the next week", "in the
//     next couple of days", "over the next two weeks" run from today to
//     that day. "this month", "next month",
//     "in March" are whole months.
//   - A weekday with a span picks days from it, closed or not: "Tuesday next
//     week", "Saturday next week", "Mondays in January"; "Tuesday or
//     Wednesday next week" shares the span, "Friday or next week" does not.
//   - A day right after "after"/"before"/"by" bounds a span: "after the
//     14th" is the `horizon_days` days after it, "before Friday" is today to
//     Thursday, "by Friday" today to Friday ("before Wednesday" said on a
//     Wednesday means next week's). Only "the", "on", "next", "this" may
//     stand between: in "after work on Monday" the day is just Monday.
//   - "not Monday", "except Friday", "can't do tomorrow", "any day but
//     Friday" remove those days ("not Monday or Tuesday": both). "not in the
//     morning" keeps the rest of the day, "not before 10" is "after 10"; a
//     time that cannot be avoided by a window ("not at 10") is an error.
//   - A day named on its own (a weekday, a date, "tomorrow", "weekend") is
//     kept even when the clinic is closed: Find then returns nothing. A span
//     of days (a week, a month, the search horizon) keeps only the open days
//     with time left, unless there are none: then it keeps every day ("this
//     week" on a Friday evening is the weekend).
//   - With no day at all ("sometime in the morning", "not Monday", "as soon
//     as possible"), the days are the next `horizon_days` days from today.
//   Times of day (clinic-local; a closed day counts as open 00:00..24:00)
//   - No time: the day's office hours.
//   - "morning" is opening to 12:00, "afternoon" 12:00 to closing, "evening"
//     17:00 on; "early morning" to 10:00, "late morning" 10:00..12:00,
//     "early afternoon" 12:00..14:00, "late afternoon" 15:00 on.
//   - "after 3" is 15:00 to closing, "before noon"/"by 11" opening to then,
//     "at 10"/"around 10"/"10am" is 09:30..10:30, "between 2 and 4" and
//     "from 9 to 11" are that span. "lunch" is 12:00..13:00, "after lunch"
//     13:00 on, "before lunch" to 12:00. "first thing" is the first hour the
//     clinic is open, "end of the day"/"last thing" the last hour.
//   - An hour without am/pm: 1..6 is afternoon (3 -> 15:00), 7..11 morning,
//     12 noon, 13..23 as said. Hours and minutes may be words ("ten
//     thirty", "half past two", "quarter to nine"); "10ish" is 10. An hour
//     word needs "at"/"after"/... before it or am/pm/o'clock after it.
//   - Each range is cut to the day's office hours; a range wholly outside
//     them ("at 7pm") is kept as said, and Find returns nothing.
//   Combining
//   - "or" and "and" separate alternatives: "Tuesday morning or Thursday
//     afternoon" pairs each day with its own time. An alternative with no
//     time takes the times of the others ("Thursday or Friday afternoon":
//     both afternoons); one with no day takes the days of the others.
//   - A weekday together with a date ("Thursday, December 3rd") must agree;
//     the date wins, a mismatch is an error.
//   Clinicians
//   - A clinician is recognised by the last word of the display name or of
//     the id ("with Dr. Patel", "with Patel", "doctor patel"); a name that is
//     also a date word ("May", "Friday") reads as the date. "dr" (or "with
//     doctor") followed by a word that is neither a clinician nor a common
//     word is an error, so an unknown clinician is never searched as anyone.
//     "not with Dr. Patel" searches every other clinician.
//   As soon as possible
//   - "as soon as possible", "asap", "soonest", "earliest", "first/next
//     available" set `as_soon_as_possible`; with no day named the window is
//     now to `horizon_days` days ahead.
//
// Thread-safety: ParseNaturalDate is a pure function; safe from any thread.
//
// Example:
//   NaturalDateContext context{.now = absl::Now(), .zone = clinic_zone,
//                              .hours = OfficeHoursFromSchedule(schedule),
//                              .clinicians = CliniciansFromSchedule(schedule)};
//   absl::StatusOr<DateWindow> when =
//       ParseNaturalDate("next tuesday morning with dr patel", context);
//   FindRequest find{.start = when->intervals[0].start,
//                    .end = when->intervals[0].end,
//                    .practitioners = when->practitioners};
#ifndef FRONTDESK_LIBS_SCHEDULING_NATURAL_DATE_H_
#define FRONTDESK_LIBS_SCHEDULING_NATURAL_DATE_H_

#include <array>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "libs/scheduling/schedule_config.h"

namespace frontdesk::scheduling {

// The clinic's opening hours per weekday, in minutes after local midnight.
struct OfficeHours {
  struct Day {
    // [open_minute, close_minute); the clinic is closed when open >= close.
    int open_minute = 0;
    int close_minute = 0;
  };
  // Indexed by absl::Weekday (monday = 0 ... sunday = 6). All closed by
  // default.
  std::array<Day, 7> days{};

  // REQUIRES: 0 <= open_minute < close_minute <= 24 * 60.
  void Set(absl::Weekday day, int open_minute, int close_minute);
  bool IsOpen(absl::Weekday day) const;
  const Day& For(absl::Weekday day) const;
};

// A clinician as callers name them.
struct ClinicianName {
  std::string id;       // "dr-patel"
  std::string display;  // "Dr. Patel"
};

struct NaturalDateContext {
  absl::Time now;
  absl::TimeZone zone;
  OfficeHours hours;
  std::vector<ClinicianName> clinicians;
  // Days searched when no day is named (as soon as possible, a time alone).
  int horizon_days = 14;
};

// A half-open [start, end) interval of absolute time.
struct TimeInterval {
  absl::Time start;
  absl::Time end;

  bool operator==(const TimeInterval&) const = default;
};

struct DateWindow {
  // Sorted, non-overlapping, non-empty; every start is >= now.
  std::vector<TimeInterval> intervals;
  // Clinician ids in the order mentioned, without repeats. Empty: anyone.
  std::vector<std::string> practitioners;
  // The caller wants the first opening in the window.
  bool as_soon_as_possible = false;
};

// Reads `utterance` by the rules above. INVALID_ARGUMENT when no day or time
// is understood, a date cannot exist, the time asked for has passed, every
// day asked for is excluded, or a titled name is no clinician's.
absl::StatusOr<DateWindow> ParseNaturalDate(absl::string_view utterance,
                                            const NaturalDateContext& context);

// Office hours from a schedule: per weekday, the earliest start and latest
// end of any clinician's weekly blocks (the policy's booking hours for the
// sample clinic).
OfficeHours OfficeHoursFromSchedule(const ScheduleConfig& schedule);

// The schedule's clinicians as {id, display}.
std::vector<ClinicianName> CliniciansFromSchedule(
    const ScheduleConfig& schedule);

}  // namespace frontdesk::scheduling

#endif  // FRONTDESK_LIBS_SCHEDULING_NATURAL_DATE_H_
