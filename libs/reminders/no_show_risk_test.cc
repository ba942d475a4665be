#include "libs/reminders/no_show_risk.h"

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace frontdesk::reminders {
namespace {

absl::TimeZone Chicago() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("America/Chicago", &tz));
  return tz;
}

UpcomingAppointment At(absl::CivilMinute local) {
  UpcomingAppointment a;
  a.appointment_id = "a-1";
  a.patient_ref = "Patient/p-1";
  a.visit_type = "follow-up";
  a.clinician = "dr-patel";
  a.start = absl::FromCivil(local, Chicago());
  a.end = a.start + absl::Minutes(20);
  return a;
}

TEST(NoShowRiskTest, BaselineIsBasePointsAndListsEveryFeature) {
  // Tuesday 10:00, no history, booking time unknown.
  NoShowRisk risk =
      ScoreNoShowRisk(At(absl::CivilMinute(2026, 12, 1, 10, 0)), Chicago());
  EXPECT_EQ(risk.points, 10);
  EXPECT_EQ(risk.Explain(),
            "base=10:+10 prior_no_shows=0:+0 lead_time_days=unknown:+0 "
            "new_patient=false:+0 early_morning=false:+0 monday=false:+0");
}

TEST(NoShowRiskTest, EveryFeatureAddsItsPoints) {
  // Monday 08:30, booked 30 days before, two no-shows, first visit.
  UpcomingAppointment a = At(absl::CivilMinute(2026, 11, 30, 8, 30));
  a.booked_at = a.start - absl::Hours(30 * 24);
  a.history.prior_no_shows = 2;
  a.history.new_patient = true;
  NoShowRisk risk = ScoreNoShowRisk(a, Chicago());
  EXPECT_EQ(risk.points, 10 + 24 + 12 + 8 + 5 + 4);
  EXPECT_EQ(risk.Explain(),
            "base=10:+10 prior_no_shows=2:+24 lead_time_days=30:+12 "
            "new_patient=true:+8 early_morning=true:+5 monday=true:+4");
  ASSERT_EQ(risk.contributions.size(), 6u);
  EXPECT_EQ(risk.contributions[2],
            (RiskContribution{"lead_time_days", "30", 12}));
}

TEST(NoShowRiskTest, NoShowsCountAtMostThree) {
  UpcomingAppointment a = At(absl::CivilMinute(2026, 12, 1, 10, 0));
  a.history.prior_no_shows = 7;
  NoShowRisk risk = ScoreNoShowRisk(a, Chicago());
  EXPECT_EQ(risk.points, 10 + 36);
  EXPECT_EQ(risk.contributions[1],
            (RiskContribution{"prior_no_shows", "7", 36}));
}

TEST(NoShowRiskTest, LeadTimeSteps) {
  EXPECT_EQ(LeadTimePoints(0), 0);
  EXPECT_EQ(LeadTimePoints(6), 0);
  EXPECT_EQ(LeadTimePoints(7), 4);
  EXPECT_EQ(LeadTimePoints(13), 4);
  EXPECT_EQ(LeadTimePoints(14), 8);
  EXPECT_EQ(LeadTimePoints(27), 8);
  EXPECT_EQ(LeadTimePoints(28), 12);
}

TEST(NoShowRiskTest, ReadsTheStartInTheClinicTimeZone) {
  // 05:00 UTC on Monday is 23:00 on Sunday in Chicago.
  UpcomingAppointment a;
  a.start = absl::FromCivil(absl::CivilMinute(2026, 11, 30, 5, 0),
                            absl::UTCTimeZone());
  EXPECT_EQ(ScoreNoShowRisk(a, Chicago()).points, 10);
  EXPECT_EQ(ScoreNoShowRisk(a, absl::UTCTimeZone()).points, 10 + 5 + 4);
}

}  // namespace
}  // namespace frontdesk::reminders
