// ScheduleConfig: what the clinic's EHR holds — clinicians and their weekly
// templates, visit types with their durations, holidays and exclusions, and
// the bookings already made — read from YAML (examples/clinic/schedule.yaml).
//
// The loader is strict: an unknown key, a missing field, a bad time or date,
// an unknown clinician or visit type is an error naming the file, the line and
// the field. Every error found is reported, not just the first.
//
// Example:
//   absl::StatusOr<ScheduleConfig> schedule =
//       LoadScheduleFile("examples/clinic/schedule.yaml");
//   const ClinicianSpec* c = schedule->FindClinician("dr-patel");
#ifndef FRONTDESK_LIBS_SCHEDULING_SCHEDULE_CONFIG_H_
#define FRONTDESK_LIBS_SCHEDULING_SCHEDULE_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace frontdesk::scheduling {

struct VisitTypeSpec {
  std::string id;
  int minutes = 0;
};

// A weekly block of bookable time, in minutes after local midnight: [from, to).
struct WeeklyBlock {
  absl::Weekday day = absl::Weekday::monday;
  int from_minute = 0;
  int to_minute = 0;
};

struct ClinicianSpec {
  std::string id;
  std::string display;
  std::vector<std::string> visit_types;
  std::vector<WeeklyBlock> weekly;

  bool Offers(absl::string_view visit_type) const;
};

// A closed time on one local day, [from_minute, to_minute). An empty
// clinician closes the whole clinic; holidays are whole-day closures.
struct Closure {
  absl::CivilDay date;
  std::string clinician;
  int from_minute = 0;
  int to_minute = 24 * 60;
  std::string reason;
};

struct SeedBooking {
  std::string id;
  std::string clinician;
  std::string visit_type;
  std::string patient;
  absl::CivilMinute start;
};

struct ScheduleConfig {
  std::string timezone_name;
  absl::TimeZone timezone;
  int slot_step_minutes = 10;
  absl::Duration hold_duration = absl::Minutes(5);
  std::vector<VisitTypeSpec> visit_types;
  std::vector<ClinicianSpec> clinicians;
  std::vector<Closure> closures;
  std::vector<SeedBooking> bookings;

  // nullptr when unknown.
  const VisitTypeSpec* FindVisitType(absl::string_view id) const;
  const ClinicianSpec* FindClinician(absl::string_view id) const;
  // True when [start, end) of `clinician` on local `day` overlaps a closure.
  bool Closed(absl::string_view clinician, absl::CivilDay day, int from_minute,
              int to_minute) const;
};

// Every start and duration is a multiple of this many minutes; the store
// marks occupied time in blocks of this size.
inline constexpr int kBlockMinutes = 5;

// Parses schedule YAML. `source` names the file in errors. INVALID_ARGUMENT
// lists every error as "<source>:<line>: <field>: <problem>".
absl::StatusOr<ScheduleConfig> ParseScheduleYaml(absl::string_view yaml,
                                                 absl::string_view source);
// Reads and parses a file; NOT_FOUND when it cannot be read.
absl::StatusOr<ScheduleConfig> LoadScheduleFile(const std::string& path);

}  // namespace frontdesk::scheduling

#endif  // FRONTDESK_LIBS_SCHEDULING_SCHEDULE_CONFIG_H_
