// UpcomingAppointments: where the reminder worker learns which booked
// appointments are coming up.
//
// A source lists the booked appointments that start in a window, each with an
// opaque patient reference (never a name or number), its visit type,
// clinician and start, and the features the no-show risk score reads
// (no_show_risk.h). Two implementations: an in-memory fake for tests, and
// one over the embedded SQLite schedule store.
//
// Example:
//   InMemoryUpcomingAppointments source;
//   source.Add({.appointment_id = "a-1", .patient_ref = "Patient/p-1",
//               .visit_type = "follow-up", .clinician = "dr-patel",
//               .start = start, .end = start + absl::Minutes(20)});
//   auto due = source.List(now, now + absl::Hours(72));
#ifndef FRONTDESK_LIBS_REMINDERS_UPCOMING_APPOINTMENTS_H_
#define FRONTDESK_LIBS_REMINDERS_UPCOMING_APPOINTMENTS_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/scheduling/sqlite_schedule_store.h"

namespace frontdesk::reminders {

// What the patient's history says, as far as the source knows it.
struct PatientHistory {
  // Appointments the patient missed without cancelling, in the source's
  // memory (the embedded store keeps none: 0).
  int prior_no_shows = 0;
  // True when the patient has not been seen at the clinic before.
  bool new_patient = false;
};

struct UpcomingAppointment {
  std::string appointment_id;
  // Opaque ("Patient/p-123"); the only way a patient is named here.
  std::string patient_ref;
  // Schedule ids: "follow-up", "dr-patel".
  std::string visit_type;
  std::string clinician;
  // How the approved wording names the clinician ("Dr. Patel"); the id when
  // the source knows no display name.
  std::string clinician_display;
  absl::Time start;
  absl::Time end;
  // When the appointment was booked; absl::InfinitePast() when unknown (the
  // risk score then counts no lead time).
  absl::Time booked_at = absl::InfinitePast();
  PatientHistory history;
  // True when the scheduler behind the source is simulated (the embedded
  // store, the simulated EHR); every event carries it.
  bool simulated = true;
};

// A source of booked appointments. Implementations are thread-safe.
class UpcomingAppointments {
 public:
  virtual ~UpcomingAppointments() = default;
  // Booked (not cancelled, not merely held) appointments that start in
  // [from, to), earliest first.
  virtual absl::StatusOr<std::vector<UpcomingAppointment>> List(
      absl::Time from, absl::Time to) = 0;
};

// A fake: appointments added by the test, listed by start. Thread-safe.
class InMemoryUpcomingAppointments : public UpcomingAppointments {
 public:
  void Add(UpcomingAppointment appointment);
  // Drops an appointment (as if cancelled); no-op when unknown.
  void Remove(const std::string& appointment_id);
  // How many times List was called.
  int list_calls() const;

  absl::StatusOr<std::vector<UpcomingAppointment>> List(absl::Time from,
                                                        absl::Time to) override;

 private:
  mutable absl::Mutex mu_;
  std::vector<UpcomingAppointment> appointments_ ABSL_GUARDED_BY(mu_);
  int list_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

// Over the embedded SQLite schedule store (SqliteScheduleStore::ListBooked).
// The store keeps no attendance history, so prior_no_shows comes from
// `no_shows` (patient reference to count; empty by default) and new_patient
// is true for the "new-patient" visit type. The store keeps no booking time
// either: booked_at stays unknown. Clinician display names come from the
// store's schedule. `store` must outlive this. Thread-safe.
class ScheduleStoreUpcomingAppointments : public UpcomingAppointments {
 public:
  explicit ScheduleStoreUpcomingAppointments(
      scheduling::SqliteScheduleStore* store,
      absl::flat_hash_map<std::string, int> no_shows = {});

  absl::StatusOr<std::vector<UpcomingAppointment>> List(absl::Time from,
                                                        absl::Time to) override;

 private:
  scheduling::SqliteScheduleStore* const store_;
  const absl::flat_hash_map<std::string, int> no_shows_;
};

// The visit type that marks a first visit in the sample schedule.
inline constexpr char kNewPatientVisitType[] = "new-patient";

}  // namespace frontdesk::reminders

#endif  // FRONTDESK_LIBS_REMINDERS_UPCOMING_APPOINTMENTS_H_
