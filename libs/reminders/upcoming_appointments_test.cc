#include "libs/reminders/upcoming_appointments.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/scheduling/schedule_config.h"

namespace frontdesk::reminders {
namespace {

UpcomingAppointment Starting(const std::string& id, absl::Time start) {
  UpcomingAppointment a;
  a.appointment_id = id;
  a.start = start;
  return a;
}

TEST(InMemoryUpcomingAppointmentsTest, ListsTheWindowEarliestFirst) {
  const absl::Time t0 = absl::FromUnixSeconds(1800000000);
  InMemoryUpcomingAppointments source;
  source.Add(Starting("late", t0 + absl::Hours(5)));
  source.Add(Starting("early", t0 + absl::Hours(1)));
  source.Add(Starting("outside", t0 + absl::Hours(10)));
  source.Add(Starting("edge", t0 + absl::Hours(6)));
  auto listed = source.List(t0, t0 + absl::Hours(6));
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].appointment_id, "early");
  EXPECT_EQ((*listed)[1].appointment_id, "late");
  source.Remove("early");
  EXPECT_EQ(source.List(t0, t0 + absl::Hours(6))->size(), 1u);
  EXPECT_EQ(source.list_calls(), 2);
}

TEST(ScheduleStoreUpcomingAppointmentsTest, ListsTheStoresBookings) {
  auto schedule = scheduling::LoadScheduleFile(FRONTDESK_SAMPLE_SCHEDULE);
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  const absl::TimeZone tz = schedule->timezone;
  FakeClock clock(absl::FromCivil(absl::CivilMinute(2026, 11, 30, 10, 0), tz));
  char dir[] = "/tmp/reminders_store_XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/schedule.db";
  auto store = scheduling::SqliteScheduleStore::Open(path, *schedule, &clock);
  ASSERT_TRUE(store.ok()) << store.status();

  ScheduleStoreUpcomingAppointments source(store->get(),
                                           {{"Patient/seed-patient-2", 2}});
  // The seed bookings of December 1 (local), not December 2's.
  auto listed = source.List(absl::FromCivil(absl::CivilDay(2026, 12, 1), tz),
                            absl::FromCivil(absl::CivilDay(2026, 12, 2), tz));
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 3u);
  const UpcomingAppointment& first = (*listed)[0];
  EXPECT_EQ(first.appointment_id, "seed-4");
  EXPECT_EQ(first.patient_ref, "Patient/seed-patient-4");
  EXPECT_EQ(first.visit_type, "sick-visit");
  EXPECT_EQ(first.clinician, "np-garcia");
  EXPECT_EQ(first.clinician_display, "Nurse Practitioner Garcia");
  EXPECT_EQ(first.start,
            absl::FromCivil(absl::CivilMinute(2026, 12, 1, 8, 30), tz));
  EXPECT_EQ(first.history.prior_no_shows, 0);
  EXPECT_FALSE(first.history.new_patient);
  EXPECT_TRUE(first.simulated);
  EXPECT_EQ((*listed)[1].appointment_id, "seed-1");
  EXPECT_EQ((*listed)[2].appointment_id, "seed-2");
  EXPECT_EQ((*listed)[2].history.prior_no_shows, 2);

  // A cancelled booking is no longer listed.
  ASSERT_TRUE((*store)->Cancel("seed-1").ok());
  listed = source.List(absl::FromCivil(absl::CivilDay(2026, 12, 1), tz),
                       absl::FromCivil(absl::CivilDay(2026, 12, 2), tz));
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace frontdesk::reminders
