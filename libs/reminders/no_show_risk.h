// No-show risk: a small additive score (0 to 100 points) that orders the
// reminder worker's work, highest risk first, and explains itself.
//
// Every feature adds a fixed number of points; the score is their sum. The
// weights are a documented starting point chosen from the direction of
// published findings (past no-shows, a long wait since booking, a first
// visit, early-morning and Monday slots raise the risk), not fitted to any
// clinic's data; README.md lists them. The explanation lists every feature
// with its value and the points it added, so an event can carry why an
// appointment was reminded first. No feature is patient-identifying.
//
//   base                      10
//   prior_no_shows            +12 each, at most 3 counted (+36)
//   lead_time_days            >= 28: +12, >= 14: +8, >= 7: +4, else 0
//                             (unknown booking time: 0)
//   new_patient               +8
//   early_morning             +5 when it starts before 09:00 clinic time
//   monday                    +4 when it is on a Monday, clinic time
//
// Example:
//   NoShowRisk risk = ScoreNoShowRisk(appointment, tz);
//   // risk.points == 30; risk.Explain() ==
//   //   "base=10:+10 prior_no_shows=1:+12 lead_time_days=3:+0 ..."
//
// Pure functions; thread-safe.
#ifndef FRONTDESK_LIBS_REMINDERS_NO_SHOW_RISK_H_
#define FRONTDESK_LIBS_REMINDERS_NO_SHOW_RISK_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "libs/reminders/upcoming_appointments.h"

namespace frontdesk::reminders {

// One feature's part in the score.
struct RiskContribution {
  // "base", "prior_no_shows", "lead_time_days", "new_patient",
  // "early_morning", "monday".
  std::string feature;
  // The feature's value as text: "2", "true", "unknown".
  std::string value;
  int points = 0;

  bool operator==(const RiskContribution&) const = default;
};

struct NoShowRisk {
  // 0 to 100; higher is likelier to be missed.
  int points = 0;
  // Every feature, in the order of the table above, zero contributions
  // included.
  std::vector<RiskContribution> contributions;

  // "feature=value:+points" for each contribution, space-separated.
  std::string Explain() const;
};

// The weights, exposed for tests and the README.
inline constexpr int kBasePoints = 10;
inline constexpr int kPointsPerPriorNoShow = 12;
inline constexpr int kMaxPriorNoShowsCounted = 3;
inline constexpr int kNewPatientPoints = 8;
inline constexpr int kEarlyMorningPoints = 5;
inline constexpr int kEarlyMorningBeforeHour = 9;
inline constexpr int kMondayPoints = 4;

// Points for a lead time of `days` whole days between booking and visit.
int LeadTimePoints(int days);

// Scores `appointment`, reading its start in the clinic's time zone `tz`.
NoShowRisk ScoreNoShowRisk(const UpcomingAppointment& appointment,
                           absl::TimeZone tz);

}  // namespace frontdesk::reminders

#endif  // FRONTDESK_LIBS_REMINDERS_NO_SHOW_RISK_H_
