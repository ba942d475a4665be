#include "libs/reminders/no_show_risk.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"

namespace frontdesk::reminders {

std::string NoShowRisk::Explain() const {
  return absl::StrJoin(
      contributions, " ", [](std::string* out, const RiskContribution& c) {
        absl::StrAppend(out, c.feature, "=", c.value, ":+", c.points);
      });
}

int LeadTimePoints(int days) {
  if (days >= 28) return 12;
  if (days >= 14) return 8;
  if (days >= 7) return 4;
  return 0;
}

NoShowRisk ScoreNoShowRisk(const UpcomingAppointment& appointment,
                           absl::TimeZone tz) {
  NoShowRisk risk;
  auto add = [&](std::string feature, std::string value, int points) {
    risk.points += points;
    risk.contributions.push_back(
        {std::move(feature), std::move(value), points});
  };
  add("base", absl::StrCat(kBasePoints), kBasePoints);

  const int no_shows = std::max(0, appointment.history.prior_no_shows);
  add("prior_no_shows", absl::StrCat(no_shows),
      kPointsPerPriorNoShow * std::min(no_shows, kMaxPriorNoShowsCounted));

  if (appointment.booked_at == absl::InfinitePast() ||
      appointment.booked_at > appointment.start) {
    add("lead_time_days", "unknown", 0);
  } else {
    const int days = static_cast<int>(absl::ToInt64Hours(
                         appointment.start - appointment.booked_at)) /
                     24;
    add("lead_time_days", absl::StrCat(days), LeadTimePoints(days));
  }

  add("new_patient", appointment.history.new_patient ? "true" : "false",
      appointment.history.new_patient ? kNewPatientPoints : 0);

  const absl::CivilSecond local = absl::ToCivilSecond(appointment.start, tz);
  const bool early = local.hour() < kEarlyMorningBeforeHour;
  add("early_morning", early ? "true" : "false",
      early ? kEarlyMorningPoints : 0);

  const bool monday =
      absl::GetWeekday(absl::CivilDay(local)) == absl::Weekday::monday;
  add("monday", monday ? "true" : "false", monday ? kMondayPoints : 0);

  risk.points = std::clamp(risk.points, 0, 100);
  return risk;
}

}  // namespace frontdesk::reminders
