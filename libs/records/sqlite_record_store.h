// SqliteRecordStore: the RecordStore in an embedded SQLite database.
//
// One connection, guarded by a mutex; WAL journal. A batch is one
// transaction, so the projection and the stored offsets always agree, even
// after a crash or kill -9 (the batch in flight is rolled back and consumed
// again). docs/RECORDS.md lists the tables.
//
// Example:
//   absl::StatusOr<std::unique_ptr<SqliteRecordStore>> store =
//       SqliteRecordStore::Open("/var/lib/frontdesk/records.db");
//   // or SqliteRecordStore::Open(":memory:") in tests
//
// Thread-safe.
#ifndef FRONTDESK_LIBS_RECORDS_SQLITE_RECORD_STORE_H_
#define FRONTDESK_LIBS_RECORDS_SQLITE_RECORD_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "libs/records/record_store.h"

struct sqlite3;

namespace frontdesk::records {

class SqliteRecordStore final : public RecordStore {
 public:
  // Opens (creating when missing) the database at `path` and its tables.
  // INTERNAL names the path and SQLite's error.
  // How much a commit is worth. Both use a 64 MB page cache.
  enum class Durability {
    // synchronous=NORMAL: a commit survives a process crash (the service).
    kNormal,
    // synchronous=OFF: for a rebuild into a fresh file, which is started
    // over if the machine fails.
    kRebuild,
  };

  // A write waits up to `busy_timeout` for another connection's lock.
  static absl::StatusOr<std::unique_ptr<SqliteRecordStore>> Open(
      const std::string& path, absl::Duration busy_timeout = absl::Seconds(5),
      Durability durability = Durability::kNormal);
  ~SqliteRecordStore() override;

  // Empties every table, the offsets included: the next consumer starts from
  // offset 0. For --rebuild.
  absl::Status Clear();

  absl::StatusOr<ApplyCounts> ApplyBatch(
      const std::vector<eventlog::StoredRecord>& records) override;
  absl::StatusOr<OffsetMap> Offsets() const override;
  absl::Status StartAt(const OffsetMap& origin) override;
  absl::StatusOr<OffsetMap> Origin() const override;
  absl::StatusOr<frontdesk::records::v1::GetCallResponse> GetCall(
      const std::string& call_id) const override;
  absl::StatusOr<frontdesk::records::v1::ListCallsResponse> ListCalls(
      const CallFilter& filter) const override;
  absl::StatusOr<frontdesk::records::v1::HandoffRecord> GetHandoff(
      const std::string& handoff_id) const override;
  absl::StatusOr<frontdesk::records::v1::ListAccessesResponse> ListAccesses(
      const AccessFilter& filter) const override;
  absl::StatusOr<std::string> Digest() const override;
  absl::StatusOr<int64_t> DamagedCount() const override;

 private:
  explicit SqliteRecordStore(sqlite3* db) : db_(db) {}
  absl::Status CreateTables() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status LoadOffsets() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ApplyOne(const eventlog::StoredRecord& record,
                        ApplyCounts* counts) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ApplyPacket(const eventlog::StoredRecord& record,
                           ApplyCounts* counts)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status MarkDamaged(const eventlog::StoredRecord& record,
                           const std::string& reason, ApplyCounts* counts)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<frontdesk::records::v1::CallSummary> SummaryLocked(
      const std::string& call_id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::StatusOr<frontdesk::records::v1::HandoffRecord> HandoffLocked(
      const std::string& handoff_id) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  sqlite3* const db_ ABSL_GUARDED_BY(mu_);
  // A copy of the offsets table, to skip records below a stored offset.
  OffsetMap offsets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace frontdesk::records

#endif  // FRONTDESK_LIBS_RECORDS_SQLITE_RECORD_STORE_H_
