#include "libs/scheduling/sqlite_schedule_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "libs/common/uuid.h"

namespace frontdesk::scheduling {
namespace {

constexpr int kMaxResults = 200;
constexpr absl::Duration kMaxWindow = absl::Hours(24 * 62);
constexpr int64_t kBlockSeconds = kBlockMinutes * 60;

constexpr char kSchema[] = R"sql(
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS appointments (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  practitioner TEXT NOT NULL,
  visit_type TEXT NOT NULL,
  patient TEXT NOT NULL DEFAULT '',
  start_s INTEGER NOT NULL,
  end_s INTEGER NOT NULL,
  hold_expires_us INTEGER NOT NULL DEFAULT 0,
  replaces TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS appointments_by_status
  ON appointments (status, hold_expires_us);
CREATE INDEX IF NOT EXISTS appointments_by_start ON appointments (start_s);
-- One row per clinician per 5-minute block held or booked: the primary key is
-- what makes a double booking impossible.
CREATE TABLE IF NOT EXISTS occupancy (
  practitioner TEXT NOT NULL,
  block INTEGER NOT NULL,
  appointment_id TEXT NOT NULL,
  PRIMARY KEY (practitioner, block)
);
CREATE INDEX IF NOT EXISTS occupancy_by_appointment
  ON occupancy (appointment_id);
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  appointment_id TEXT NOT NULL
);
)sql";

absl::Status SqlError(sqlite3* db, absl::string_view what) {
  return absl::InternalError(
      absl::StrCat("schedule store: ", what, ": ", sqlite3_errmsg(db)));
}

// A prepared statement; finalized on destruction.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return rc_ == SQLITE_OK; }
  Stmt& Bind(int i, absl::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE, or an error code.
  int Step() { return sqlite3_step(stmt_); }
  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t == nullptr ? std::string()
                        : std::string(reinterpret_cast<const char*>(t));
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

absl::Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err == nullptr ? "unknown error" : err;
    sqlite3_free(err);
    return absl::InternalError(absl::StrCat("schedule store: ", msg));
  }
  return absl::OkStatus();
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

std::string Fingerprint(absl::string_view op, absl::string_view a,
                        absl::string_view b, absl::string_view c) {
  return absl::StrCat(op, "\x1f", a, "\x1f", b, "\x1f", c);
}

constexpr char kSelectAppointment[] =
    "SELECT id, status, practitioner, visit_type, patient, start_s, end_s, "
    "hold_expires_us, replaces FROM appointments ";

}  // namespace

class SqliteScheduleStore::Connection {
 public:
  explicit Connection(sqlite3* db) : db(db) {}
  ~Connection() { sqlite3_close_v2(db); }
  sqlite3* const db;
};

SqliteScheduleStore::SqliteScheduleStore(std::string path,
                                         ScheduleConfig schedule,
                                         const Clock* clock,
                                         SqliteScheduleStoreOptions options)
    : path_(std::move(path)),
      schedule_(std::move(schedule)),
      clock_(clock),
      options_(options) {}

SqliteScheduleStore::~SqliteScheduleStore() = default;

absl::StatusOr<std::unique_ptr<SqliteScheduleStore::Connection>>
SqliteScheduleStore::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path_.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  auto conn = std::make_unique<Connection>(db);
  if (rc != SQLITE_OK) {
    return absl::UnavailableError(absl::StrCat(
        "schedule store: cannot open ", path_, ": ", sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db, 10000);
  return conn;
}

void SqliteScheduleStore::Return(std::unique_ptr<Connection> c) {
  absl::MutexLock lock(&mu_);
  idle_.push_back(std::move(c));
}

namespace {

// Runs `body` inside a transaction on `db`; commits when it returns OK and
// rolls back otherwise.
template <typename T, typename F>
absl::StatusOr<T> InTransaction(sqlite3* db, bool write, F body) {
  if (absl::Status s = Exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
      !s.ok()) {
    return s;
  }
  absl::StatusOr<T> result = body();
  if (!result.ok()) {
    Exec(db, "ROLLBACK").IgnoreError();
    return result;
  }
  if (absl::Status s = Exec(db, "COMMIT"); !s.ok()) {
    Exec(db, "ROLLBACK").IgnoreError();
    return s;
  }
  return result;
}

absl::StatusOr<std::optional<Appointment>> LoadRow(sqlite3* db,
                                                   absl::string_view id,
                                                   bool simulated) {
  Stmt q(db, absl::StrCat(kSelectAppointment, "WHERE id = ?").c_str());
  if (!q.ok()) return SqlError(db, "load");
  q.Bind(1, id);
  const int rc = q.Step();
  if (rc == SQLITE_DONE) return std::optional<Appointment>();
  if (rc != SQLITE_ROW) return SqlError(db, "load");
  Appointment a;
  a.id = q.Text(0);
  ParseStatusName(q.Text(1), &a.status);
  a.practitioner = q.Text(2);
  a.visit_type = q.Text(3);
  a.patient = q.Text(4);
  a.start = absl::FromUnixSeconds(q.Int(5));
  a.end = absl::FromUnixSeconds(q.Int(6));
  if (a.status == AppointmentStatus::kPending) {
    a.hold_expires = absl::FromUnixMicros(q.Int(7));
  }
  a.replaces = q.Text(8);
  a.simulated = simulated;
  return std::optional<Appointment>(std::move(a));
}

absl::Status ReleaseExpired(sqlite3* db, absl::Time now, int* released) {
  Stmt del(db,
           "DELETE FROM occupancy WHERE appointment_id IN (SELECT id FROM "
           "appointments WHERE status = 'pending' AND hold_expires_us <= ?)");
  if (!del.ok()) return SqlError(db, "release holds");
  del.Bind(1, Micros(now));
  if (del.Step() != SQLITE_DONE) return SqlError(db, "release holds");
  Stmt upd(db,
           "UPDATE appointments SET status = 'cancelled' WHERE status = "
           "'pending' AND hold_expires_us <= ?");
  if (!upd.ok()) return SqlError(db, "release holds");
  upd.Bind(1, Micros(now));
  if (upd.Step() != SQLITE_DONE) return SqlError(db, "release holds");
  if (released != nullptr) *released = sqlite3_changes(db);
  return absl::OkStatus();
}

// Inserts the appointment row and its occupancy; ABORTED when any of its
// time is taken.
absl::Status InsertTaken(sqlite3* db, const Appointment& a,
                         int64_t hold_expires_us) {
  Stmt ins(db,
           "INSERT INTO appointments (id, status, practitioner, visit_type, "
           "patient, start_s, end_s, hold_expires_us, replaces) VALUES "
           "(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!ins.ok()) return SqlError(db, "insert");
  ins.Bind(1, a.id)
      .Bind(2, StatusName(a.status))
      .Bind(3, a.practitioner)
      .Bind(4, a.visit_type)
      .Bind(5, a.patient)
      .Bind(6, absl::ToUnixSeconds(a.start))
      .Bind(7, absl::ToUnixSeconds(a.end))
      .Bind(8, hold_expires_us)
      .Bind(9, a.replaces);
  if (ins.Step() != SQLITE_DONE) return SqlError(db, "insert");
  const int64_t first = absl::ToUnixSeconds(a.start) / kBlockSeconds;
  const int64_t last = (absl::ToUnixSeconds(a.end) - 1) / kBlockSeconds;
  for (int64_t b = first; b <= last; ++b) {
    Stmt occ(db,
             "INSERT INTO occupancy (practitioner, block, appointment_id) "
             "VALUES (?, ?, ?)");
    if (!occ.ok()) return SqlError(db, "occupy");
    occ.Bind(1, a.practitioner).Bind(2, b).Bind(3, a.id);
    const int rc = occ.Step();
    if (rc == SQLITE_CONSTRAINT) {
      return absl::AbortedError(absl::StrCat(
          "slot taken: ", a.practitioner, " at ",
          absl::FormatTime(absl::RFC3339_sec, a.start, absl::UTCTimeZone()),
          " is already held or booked"));
    }
    if (rc != SQLITE_DONE) return SqlError(db, "occupy");
  }
  return absl::OkStatus();
}

absl::Status Free(sqlite3* db, absl::string_view id) {
  Stmt del(db, "DELETE FROM occupancy WHERE appointment_id = ?");
  if (!del.ok()) return SqlError(db, "free");
  del.Bind(1, id);
  if (del.Step() != SQLITE_DONE) return SqlError(db, "free");
  return absl::OkStatus();
}

absl::Status SetStatus(sqlite3* db, absl::string_view id,
                       AppointmentStatus status) {
  Stmt upd(db, "UPDATE appointments SET status = ? WHERE id = ?");
  if (!upd.ok()) return SqlError(db, "update");
  upd.Bind(1, StatusName(status)).Bind(2, id);
  if (upd.Step() != SQLITE_DONE) return SqlError(db, "update");
  return absl::OkStatus();
}

// The appointment an earlier call with `key` produced; nullopt when the key
// is new; INVALID_ARGUMENT when it came with another request.
absl::StatusOr<std::optional<std::string>> LookUpKey(
    sqlite3* db, absl::string_view key, absl::string_view fingerprint) {
  Stmt q(db,
         "SELECT fingerprint, appointment_id FROM idempotency WHERE key = ?");
  if (!q.ok()) return SqlError(db, "idempotency");
  q.Bind(1, key);
  const int rc = q.Step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return SqlError(db, "idempotency");
  if (q.Text(0) != fingerprint) {
    return absl::InvalidArgumentError(
        "idempotency_key: already used for a different request");
  }
  return std::optional<std::string>(q.Text(1));
}

absl::Status RememberKey(sqlite3* db, absl::string_view key,
                         absl::string_view fingerprint,
                         absl::string_view appointment_id) {
  Stmt ins(db,
           "INSERT INTO idempotency (key, fingerprint, appointment_id) VALUES "
           "(?, ?, ?)");
  if (!ins.ok()) return SqlError(db, "idempotency");
  ins.Bind(1, key).Bind(2, fingerprint).Bind(3, appointment_id);
  if (ins.Step() != SQLITE_DONE) return SqlError(db, "idempotency");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteScheduleStore>> SqliteScheduleStore::Open(
    const std::string& path, ScheduleConfig schedule, const Clock* clock,
    SqliteScheduleStoreOptions options) {
  if (path.empty()) {
    return absl::InvalidArgumentError("schedule store: db path is empty");
  }
  std::unique_ptr<SqliteScheduleStore> store(
      new SqliteScheduleStore(path, std::move(schedule), clock, options));
  auto conn = store->Acquire();
  if (!conn.ok()) return conn.status();
  sqlite3* db = (*conn)->db;
  if (absl::Status s = Exec(db, kSchema); !s.ok()) return s;
  const ScheduleConfig& sc = store->schedule_;
  absl::StatusOr<bool> seeded =
      InTransaction<bool>(db, true, [&]() -> absl::StatusOr<bool> {
        for (const SeedBooking& b : sc.bookings) {
          auto existing = LoadRow(db, b.id, options.simulated);
          if (!existing.ok()) return existing.status();
          if (existing->has_value()) continue;
          Appointment a;
          a.id = b.id;
          a.status = AppointmentStatus::kBooked;
          a.practitioner = b.clinician;
          a.visit_type = b.visit_type;
          a.patient = b.patient;
          a.start = sc.timezone.At(b.start).pre;
          a.end =
              a.start + absl::Minutes(sc.FindVisitType(b.visit_type)->minutes);
          if (absl::Status s = InsertTaken(db, a, 0); !s.ok()) {
            return absl::InvalidArgumentError(absl::StrCat(
                "schedule bookings: ", b.id, " overlaps another booking"));
          }
        }
        return true;
      });
  if (!seeded.ok()) return seeded.status();
  store->Return(std::move(*conn));
  return store;
}

std::string SqliteScheduleStore::ProposedId(absl::string_view clinician,
                                            absl::string_view visit_type,
                                            absl::Time start) {
  return absl::StrCat(
      clinician, ".", visit_type, ".",
      absl::FormatTime("%Y-%m-%dT%H-%MZ", start, absl::UTCTimeZone()));
}

bool SqliteScheduleStore::OnTemplate(const ClinicianSpec& c,
                                     const VisitTypeSpec& v,
                                     absl::Time start) const {
  const absl::CivilMinute local =
      absl::ToCivilMinute(start, schedule_.timezone);
  const absl::CivilDay day(local);
  const int minute = static_cast<int>(local - absl::CivilMinute(day));
  if (schedule_.Closed(c.id, day, minute, minute + v.minutes)) return false;
  for (const WeeklyBlock& b : c.weekly) {
    if (b.day != absl::GetWeekday(day)) continue;
    if (minute >= b.from_minute && minute + v.minutes <= b.to_minute &&
        (minute - b.from_minute) % schedule_.slot_step_minutes == 0) {
      return true;
    }
  }
  return false;
}

absl::StatusOr<Appointment> SqliteScheduleStore::ProposalFromId(
    absl::string_view id) const {
  std::vector<std::string> parts = absl::StrSplit(id, '.');
  absl::Time start;
  std::string err;
  if (parts.size() != 3 ||
      !absl::ParseTime("%Y-%m-%dT%H-%MZ", parts[2], absl::UTCTimeZone(), &start,
                       &err)) {
    return absl::NotFoundError(
        absl::StrCat("appointment_id: no appointment \"", id, "\""));
  }
  const ClinicianSpec* c = schedule_.FindClinician(parts[0]);
  const VisitTypeSpec* v = schedule_.FindVisitType(parts[1]);
  if (c == nullptr || v == nullptr || !c->Offers(v->id) ||
      !OnTemplate(*c, *v, start)) {
    return absl::NotFoundError(absl::StrCat(
        "appointment_id: \"", id, "\" is not a slot on the schedule"));
  }
  Appointment a;
  a.id = std::string(id);
  a.status = AppointmentStatus::kProposed;
  a.practitioner = c->id;
  a.visit_type = v->id;
  a.start = start;
  a.end = start + absl::Minutes(v->minutes);
  a.simulated = options_.simulated;
  return a;
}

absl::StatusOr<std::vector<Appointment>> SqliteScheduleStore::Find(
    const FindRequest& request) {
  if (request.start == absl::InfinitePast() || request.start == absl::Time()) {
    // absl::Time() is the Unix epoch: a request that set no start.
    return absl::InvalidArgumentError("start: required");
  }
  if (request.end <= request.start) {
    return absl::InvalidArgumentError("end: must be after start");
  }
  if (request.end - request.start > kMaxWindow) {
    return absl::InvalidArgumentError("end: the window is longer than 62 days");
  }
  if (request.max_results < 1 || request.max_results > kMaxResults) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_results: must be 1 to ", kMaxResults));
  }
  std::vector<const VisitTypeSpec*> types;
  if (request.visit_types.empty()) {
    for (const auto& v : schedule_.visit_types) types.push_back(&v);
  } else {
    for (const auto& id : request.visit_types) {
      const VisitTypeSpec* v = schedule_.FindVisitType(id);
      if (v == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("visit_type: unknown visit type \"", id, "\""));
      }
      types.push_back(v);
    }
  }
  std::vector<const ClinicianSpec*> clinicians;
  if (request.practitioners.empty()) {
    for (const auto& c : schedule_.clinicians) clinicians.push_back(&c);
  } else {
    for (const auto& id : request.practitioners) {
      const ClinicianSpec* c = schedule_.FindClinician(id);
      if (c == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrCat("practitioner: unknown practitioner \"", id, "\""));
      }
      clinicians.push_back(c);
    }
  }

  const absl::Time now = clock_->Now();
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  sqlite3* db = (*conn)->db;
  absl::Cleanup give_back = [&] { Return(std::move(*conn)); };

  // Taken blocks in the window (a lapsed hold takes nothing).
  std::set<std::pair<std::string, int64_t>> taken;
  {
    Stmt q(db,
           "SELECT o.practitioner, o.block FROM occupancy o JOIN appointments "
           "a ON a.id = o.appointment_id WHERE o.block >= ? AND o.block <= ? "
           "AND NOT (a.status = 'pending' AND a.hold_expires_us <= ?)");
    if (!q.ok()) return SqlError(db, "find");
    q.Bind(1, absl::ToUnixSeconds(request.start) / kBlockSeconds)
        .Bind(2, (absl::ToUnixSeconds(request.end) + 24 * 3600) / kBlockSeconds)
        .Bind(3, Micros(now));
    int rc;
    while ((rc = q.Step()) == SQLITE_ROW) taken.emplace(q.Text(0), q.Int(1));
    if (rc != SQLITE_DONE) return SqlError(db, "find");
  }

  const absl::TimeZone& tz = schedule_.timezone;
  std::vector<Appointment> out;
  const absl::CivilDay last_day = absl::ToCivilDay(request.end, tz);
  for (absl::CivilDay day = absl::ToCivilDay(request.start, tz);
       day <= last_day && static_cast<int>(out.size()) < request.max_results;
       ++day) {
    std::vector<Appointment> today;
    for (const ClinicianSpec* c : clinicians) {
      for (const WeeklyBlock& b : c->weekly) {
        if (b.day != absl::GetWeekday(day)) continue;
        for (const VisitTypeSpec* v : types) {
          if (!c->Offers(v->id)) continue;
          for (int m = b.from_minute; m + v->minutes <= b.to_minute;
               m += schedule_.slot_step_minutes) {
            const absl::Time start = tz.At(absl::CivilMinute(day) + m).pre;
            if (start < request.start || start >= request.end || start < now) {
              continue;
            }
            if (schedule_.Closed(c->id, day, m, m + v->minutes)) continue;
            const absl::Time end = start + absl::Minutes(v->minutes);
            bool free = true;
            for (int64_t blk = absl::ToUnixSeconds(start) / kBlockSeconds;
                 free && blk <= (absl::ToUnixSeconds(end) - 1) / kBlockSeconds;
                 ++blk) {
              free = !taken.contains({c->id, blk});
            }
            if (!free) continue;
            Appointment a;
            a.id = ProposedId(c->id, v->id, start);
            a.status = AppointmentStatus::kProposed;
            a.practitioner = c->id;
            a.visit_type = v->id;
            a.patient = request.patient;
            a.start = start;
            a.end = end;
            a.simulated = options_.simulated;
            today.push_back(std::move(a));
          }
        }
      }
    }
    std::sort(today.begin(), today.end(),
              [](const Appointment& x, const Appointment& y) {
                return std::tie(x.start, x.practitioner, x.visit_type) <
                       std::tie(y.start, y.practitioner, y.visit_type);
              });
    for (auto& a : today) {
      if (static_cast<int>(out.size()) >= request.max_results) break;
      out.push_back(std::move(a));
    }
  }
  return out;
}

absl::StatusOr<Appointment> SqliteScheduleStore::Hold(
    const HoldRequest& request) {
  if (request.idempotency_key.empty()) {
    return absl::InvalidArgumentError("idempotency_key: required");
  }
  if (request.appointment_id.empty()) {
    return absl::InvalidArgumentError("appointment_id: required");
  }
  const std::string fingerprint =
      Fingerprint("hold", request.appointment_id, "", "");
  const absl::Time now = clock_->Now();
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  sqlite3* db = (*conn)->db;
  absl::Cleanup give_back = [&] { Return(std::move(*conn)); };
  return InTransaction<Appointment>(
      db, true, [&]() -> absl::StatusOr<Appointment> {
        if (absl::Status s = ReleaseExpired(db, now, nullptr); !s.ok())
          return s;
        auto earlier = LookUpKey(db, request.idempotency_key, fingerprint);
        if (!earlier.ok()) return earlier.status();
        if (earlier->has_value()) {
          auto row = LoadRow(db, **earlier, options_.simulated);
          if (!row.ok()) return row.status();
          if (row->has_value()) return **row;
          return absl::InternalError(
              "schedule store: idempotency record dangles");
        }
        auto existing = LoadRow(db, request.appointment_id, options_.simulated);
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) {
          return absl::FailedPreconditionError(
              absl::StrCat("appointment_id: \"", request.appointment_id,
                           "\" is ", StatusName((*existing)->status),
                           "; hold a proposed appointment"));
        }
        auto proposal = ProposalFromId(request.appointment_id);
        if (!proposal.ok()) return proposal.status();
        if (proposal->start < now) {
          return absl::FailedPreconditionError(
              "appointment_id: the slot has already started");
        }
        Appointment a = *std::move(proposal);
        a.id = NewUuid();
        a.status = AppointmentStatus::kPending;
        a.patient.clear();
        a.hold_expires = now + schedule_.hold_duration;
        if (absl::Status s = InsertTaken(db, a, Micros(a.hold_expires));
            !s.ok()) {
          return s;
        }
        if (absl::Status s =
                RememberKey(db, request.idempotency_key, fingerprint, a.id);
            !s.ok()) {
          return s;
        }
        return a;
      });
}

absl::StatusOr<Appointment> SqliteScheduleStore::Book(
    const BookRequest& request) {
  if (request.idempotency_key.empty()) {
    return absl::InvalidArgumentError("idempotency_key: required");
  }
  if (request.appointment_id.empty()) {
    return absl::InvalidArgumentError("appointment_id: required");
  }
  if (request.patient.empty()) {
    return absl::InvalidArgumentError("patient: required");
  }
  if (request.cancelled_appointment_id == request.appointment_id) {
    return absl::InvalidArgumentError(
        "cancelled_appointment_id: names the appointment being booked");
  }
  const std::string fingerprint =
      Fingerprint("book", request.appointment_id, request.patient,
                  request.cancelled_appointment_id);
  const absl::Time now = clock_->Now();
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  sqlite3* db = (*conn)->db;
  absl::Cleanup give_back = [&] { Return(std::move(*conn)); };
  return InTransaction<
      Appointment>(db, true, [&]() -> absl::StatusOr<Appointment> {
    if (absl::Status s = ReleaseExpired(db, now, nullptr); !s.ok()) return s;
    auto earlier = LookUpKey(db, request.idempotency_key, fingerprint);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      auto row = LoadRow(db, **earlier, options_.simulated);
      if (!row.ok()) return row.status();
      if (row->has_value()) return **row;
      return absl::InternalError("schedule store: idempotency record dangles");
    }

    if (!request.cancelled_appointment_id.empty()) {
      auto old =
          LoadRow(db, request.cancelled_appointment_id, options_.simulated);
      if (!old.ok()) return old.status();
      if (!old->has_value()) {
        return absl::NotFoundError(
            absl::StrCat("cancelled_appointment_id: no appointment \"",
                         request.cancelled_appointment_id, "\""));
      }
      if ((*old)->status != AppointmentStatus::kBooked) {
        return absl::FailedPreconditionError(
            absl::StrCat("cancelled_appointment_id: the appointment is ",
                         StatusName((*old)->status), ", not booked"));
      }
      if ((*old)->patient != request.patient) {
        return absl::FailedPreconditionError(
            "cancelled_appointment_id: the appointment is another patient's");
      }
      if (absl::Status s = Free(db, (*old)->id); !s.ok()) return s;
      if (absl::Status s =
              SetStatus(db, (*old)->id, AppointmentStatus::kCancelled);
          !s.ok()) {
        return s;
      }
    }

    auto existing = LoadRow(db, request.appointment_id, options_.simulated);
    if (!existing.ok()) return existing.status();
    Appointment a;
    if (existing->has_value()) {
      a = **existing;
      if (a.status != AppointmentStatus::kPending) {
        return absl::FailedPreconditionError(absl::StrCat(
            "appointment_id: the appointment is ", StatusName(a.status),
            a.status == AppointmentStatus::kCancelled
                ? " (a hold that was released or expired)"
                : "",
            "; book a held or proposed appointment"));
      }
      Stmt upd(db,
               "UPDATE appointments SET status = 'booked', patient = ?, "
               "hold_expires_us = 0, replaces = ? WHERE id = ?");
      if (!upd.ok()) return SqlError(db, "book");
      upd.Bind(1, request.patient)
          .Bind(2, request.cancelled_appointment_id)
          .Bind(3, a.id);
      if (upd.Step() != SQLITE_DONE) return SqlError(db, "book");
    } else {
      auto proposal = ProposalFromId(request.appointment_id);
      if (!proposal.ok()) return proposal.status();
      if (proposal->start < now) {
        return absl::FailedPreconditionError(
            "appointment_id: the slot has already started");
      }
      a = *std::move(proposal);
      a.id = NewUuid();
      a.patient = request.patient;
      a.replaces = request.cancelled_appointment_id;
      a.status = AppointmentStatus::kBooked;
      if (absl::Status s = InsertTaken(db, a, 0); !s.ok()) return s;
    }
    a.status = AppointmentStatus::kBooked;
    a.patient = request.patient;
    a.replaces = request.cancelled_appointment_id;
    a.hold_expires = absl::InfinitePast();
    if (absl::Status s =
            RememberKey(db, request.idempotency_key, fingerprint, a.id);
        !s.ok()) {
      return s;
    }
    return a;
  });
}

absl::StatusOr<Appointment> SqliteScheduleStore::Cancel(
    absl::string_view appointment_id) {
  if (appointment_id.empty()) {
    return absl::InvalidArgumentError("appointment_id: required");
  }
  const absl::Time now = clock_->Now();
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  sqlite3* db = (*conn)->db;
  absl::Cleanup give_back = [&] { Return(std::move(*conn)); };
  return InTransaction<
      Appointment>(db, true, [&]() -> absl::StatusOr<Appointment> {
    if (absl::Status s = ReleaseExpired(db, now, nullptr); !s.ok()) return s;
    auto row = LoadRow(db, appointment_id, options_.simulated);
    if (!row.ok()) return row.status();
    if (!row->has_value()) {
      if (ProposalFromId(appointment_id).ok()) {
        return absl::FailedPreconditionError(
            "appointment_id: a proposed appointment holds nothing to cancel");
      }
      return absl::NotFoundError(absl::StrCat(
          "appointment_id: no appointment \"", appointment_id, "\""));
    }
    Appointment a = **row;
    if (a.status == AppointmentStatus::kCancelled) return a;
    if (absl::Status s = Free(db, a.id); !s.ok()) return s;
    if (absl::Status s = SetStatus(db, a.id, AppointmentStatus::kCancelled);
        !s.ok()) {
      return s;
    }
    a.status = AppointmentStatus::kCancelled;
    a.hold_expires = absl::InfinitePast();
    return a;
  });
}

absl::StatusOr<Appointment> SqliteScheduleStore::Get(
    absl::string_view appointment_id) {
  const absl::Time now = clock_->Now();
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  sqlite3* db = (*conn)->db;
  absl::Cleanup give_back = [&] { Return(std::move(*conn)); };
  auto row = LoadRow(db, appointment_id, options_.simulated);
  if (!row.ok()) return row.status();
  if (!row->has_value()) return ProposalFromId(appointment_id);
  Appointment a = **row;
  if (a.status == AppointmentStatus::kPending && a.hold_expires <= now) {
    // Lapsed; the next write releases it.
    a.status = AppointmentStatus::kCancelled;
    a.hold_expires = absl::InfinitePast();
  }
  return a;
}

absl::StatusOr<int> SqliteScheduleStore::ReleaseExpiredHolds() {
  const absl::Time now = clock_->Now();
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  sqlite3* db = (*conn)->db;
  absl::Cleanup give_back = [&] { Return(std::move(*conn)); };
  return InTransaction<int>(db, true, [&]() -> absl::StatusOr<int> {
    int released = 0;
    if (absl::Status s = ReleaseExpired(db, now, &released); !s.ok()) return s;
    return released;
  });
}

absl::StatusOr<std::vector<Appointment>> SqliteScheduleStore::ListBooked(
    absl::Time from, absl::Time to) {
  auto conn = Acquire();
  if (!conn.ok()) return conn.status();
  sqlite3* db = (*conn)->db;
  absl::Cleanup give_back = [&] { Return(std::move(*conn)); };
  Stmt q(db, absl::StrCat(kSelectAppointment,
                          "WHERE status = 'booked' AND start_s >= ? AND "
                          "start_s < ? ORDER BY start_s, practitioner")
                 .c_str());
  if (!q.ok()) return SqlError(db, "list");
  q.Bind(1, absl::ToUnixSeconds(from)).Bind(2, absl::ToUnixSeconds(to));
  std::vector<Appointment> out;
  int rc;
  while ((rc = q.Step()) == SQLITE_ROW) {
    Appointment a;
    a.id = q.Text(0);
    a.status = AppointmentStatus::kBooked;
    a.practitioner = q.Text(2);
    a.visit_type = q.Text(3);
    a.patient = q.Text(4);
    a.start = absl::FromUnixSeconds(q.Int(5));
    a.end = absl::FromUnixSeconds(q.Int(6));
    a.replaces = q.Text(8);
    a.simulated = options_.simulated;
    out.push_back(std::move(a));
  }
  if (rc != SQLITE_DONE) return SqlError(db, "list");
  return out;
}

}  // namespace frontdesk::scheduling
