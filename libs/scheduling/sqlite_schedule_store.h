// SqliteScheduleStore: the embedded default Scheduler, a schedule store in
// SQLite seeded from a ScheduleConfig (examples/clinic/schedule.yaml).
//
// Proposals are computed from the weekly templates, closures and the time
// already taken; holds and bookings are rows. Time taken is recorded in
// `occupancy` as (clinician, 5-minute block) under a PRIMARY KEY, inside an
// IMMEDIATE transaction, so two callers — threads, or processes sharing the
// file — can never hold or book overlapping time with one clinician: the
// second gets ABORTED. Holds lapse `hold_minutes` after they are placed (by
// the injected clock); a lapsed hold is released (cancelled) by the next
// write and is never counted as taken.
//
// Idempotency: each successful Hold and Book stores its key with a
// fingerprint of the request. The same key and request return the
// appointment as it stands now; the same key with another request is
// INVALID_ARGUMENT. A failed call stores nothing, so its retry tries again.
//
// Thread-safe: each call takes a connection from a small pool.
//
// Example:
//   auto store = SqliteScheduleStore::Open("/var/lib/frontdesk/schedule.db",
//                                          *schedule, RealClock::Get());
//   auto found = (*store)->Find(request);
#ifndef FRONTDESK_LIBS_SCHEDULING_SQLITE_SCHEDULE_STORE_H_
#define FRONTDESK_LIBS_SCHEDULING_SQLITE_SCHEDULE_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/clock.h"
#include "libs/scheduling/schedule_config.h"
#include "libs/scheduling/scheduler.h"

struct sqlite3;

namespace frontdesk::scheduling {

struct SqliteScheduleStoreOptions {
  // Marks every appointment returned as simulated. The embedded store is not
  // a real EHR, so this stays true unless the store is the clinic's record.
  bool simulated = true;
};

class SqliteScheduleStore : public Scheduler {
 public:
  // Opens (creating if needed) the database at `path` and adds the
  // schedule's seed bookings that are not there yet. `clock` must outlive the
  // store.
  static absl::StatusOr<std::unique_ptr<SqliteScheduleStore>> Open(
      const std::string& path, ScheduleConfig schedule, const Clock* clock,
      SqliteScheduleStoreOptions options = {});
  ~SqliteScheduleStore() override;

  absl::StatusOr<std::vector<Appointment>> Find(
      const FindRequest& request) override;
  absl::StatusOr<Appointment> Hold(const HoldRequest& request) override;
  absl::StatusOr<Appointment> Book(const BookRequest& request) override;
  absl::StatusOr<Appointment> Cancel(absl::string_view appointment_id) override;
  absl::StatusOr<Appointment> Get(absl::string_view appointment_id) override;

  // Cancels every hold that has lapsed by now; returns how many.
  absl::StatusOr<int> ReleaseExpiredHolds();
  // Booked appointments that start in [from, to), earliest first.
  absl::StatusOr<std::vector<Appointment>> ListBooked(absl::Time from,
                                                      absl::Time to);

  const ScheduleConfig& schedule() const { return schedule_; }

  // The id Find gives the proposal for this slot, and its inverse.
  static std::string ProposedId(absl::string_view clinician,
                                absl::string_view visit_type, absl::Time start);

 private:
  class Connection;
  SqliteScheduleStore(std::string path, ScheduleConfig schedule,
                      const Clock* clock, SqliteScheduleStoreOptions options);

  absl::StatusOr<std::unique_ptr<Connection>> Acquire();
  void Return(std::unique_ptr<Connection> c);

  // The proposal named by `id`, checked against the schedule; NOT_FOUND when
  // `id` names no slot on it.
  absl::StatusOr<Appointment> ProposalFromId(absl::string_view id) const;
  bool OnTemplate(const ClinicianSpec& c, const VisitTypeSpec& v,
                  absl::Time start) const;

  const std::string path_;
  const ScheduleConfig schedule_;
  const Clock* const clock_;
  const SqliteScheduleStoreOptions options_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace frontdesk::scheduling

#endif  // FRONTDESK_LIBS_SCHEDULING_SQLITE_SCHEDULE_STORE_H_
