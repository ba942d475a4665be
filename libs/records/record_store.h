// RecordStore: the operating record, a projection of every frontdesk topic.
//
// The projection is only a cache of the log. ApplyBatch folds a batch of
// Kafka records into the store and stores, in the same transaction, the next
// offset of every partition the batch touched; a consumer resumes from
// Offsets(), so a crash neither loses nor double-applies a record. An event
// whose id was already applied is skipped (exactly once). A record that is not
// an intact event (hash mismatch, unparsable) is counted in the damaged table,
// never merged. Replaying the log from offset 0 into an empty store yields the
// same Digest().
//
// Implementations: SqliteRecordStore (sqlite_record_store.h), in a file or in
// memory. docs/RECORDS.md describes the schema and where production would put
// it.
//
// Example:
//   auto store = SqliteRecordStore::Open("run/records/records.db");
//   absl::StatusOr<ApplyCounts> n = (*store)->ApplyBatch(records);
//   absl::StatusOr<std::string> hex = (*store)->Digest();
//
// Implementations are thread-safe.
#ifndef FRONTDESK_LIBS_RECORDS_RECORD_STORE_H_
#define FRONTDESK_LIBS_RECORDS_RECORD_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "frontdesk/records/v1/records_service.pb.h"
#include "libs/eventlog/event_log.h"

namespace frontdesk::records {

// (topic, partition) -> the next offset to consume.
using TopicPartition = std::pair<std::string, int32_t>;
using OffsetMap = std::map<TopicPartition, int64_t>;

// What one ApplyBatch did with its records.
struct ApplyCounts {
  int64_t applied = 0;
  int64_t duplicates = 0;
  int64_t damaged = 0;
};

// ListCalls filters; unset members do not filter.
struct CallFilter {
  // Only this clinic's calls; empty: every tenant's (operator tools).
  std::string tenant_id;
  std::optional<absl::Time> from;  // started_at >= from
  std::optional<absl::Time> to;    // started_at < to
  frontdesk::events::v1::Lane lane = frontdesk::events::v1::LANE_UNSPECIFIED;
  std::string request_type;
  std::string category;
  frontdesk::records::v1::HandoffFilter handoff =
      frontdesk::records::v1::HANDOFF_FILTER_UNSPECIFIED;
  // Calls after this cursor (from a previous page's next_page_token).
  std::string page_token;
  // 1..kMaxPageSize.
  int page_size = 100;
};

struct AccessFilter {
  // Only accesses recorded for this clinic; empty: every tenant's.
  std::string tenant_id;
  std::optional<absl::Time> from;
  std::optional<absl::Time> to;
  std::string actor_id;
  std::string resource;
  std::string page_token;
  int page_size = 100;
};

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 500;

class RecordStore {
 public:
  virtual ~RecordStore() = default;

  // Applies `records` in order and advances the stored offsets of their
  // partitions past them, all in one transaction: on error nothing of the
  // batch is kept.
  virtual absl::StatusOr<ApplyCounts> ApplyBatch(
      const std::vector<eventlog::StoredRecord>& records) = 0;

  // The next offset of every partition applied so far.
  virtual absl::StatusOr<OffsetMap> Offsets() const = 0;

  // Starts an empty projection at `origin` instead of offset 0 (a test
  // department that must not project the whole history): records the origin
  // and sets the offsets to it, in one transaction. FAILED_PRECONDITION when
  // the store already holds offsets.
  virtual absl::Status StartAt(const OffsetMap& origin) = 0;

  // Where the projection started; empty when it started at offset 0. A
  // rebuild of the same range starts at the same origin.
  virtual absl::StatusOr<OffsetMap> Origin() const = 0;

  // The call's events in log order with its summary and handoffs. NOT_FOUND
  // when the store holds no event of the call.
  virtual absl::StatusOr<frontdesk::records::v1::GetCallResponse> GetCall(
      const std::string& call_id) const = 0;

  // Calls by (start time, call id), at most filter.page_size of them.
  virtual absl::StatusOr<frontdesk::records::v1::ListCallsResponse> ListCalls(
      const CallFilter& filter) const = 0;

  // NOT_FOUND when the handoff is unknown.
  virtual absl::StatusOr<frontdesk::records::v1::HandoffRecord> GetHandoff(
      const std::string& handoff_id) const = 0;

  virtual absl::StatusOr<frontdesk::records::v1::ListAccessesResponse>
  ListAccesses(const AccessFilter& filter) const = 0;

  // Lower-case hex SHA-256 over the canonical content of every projected
  // table (the origin included), rows ordered by primary key. The offsets
  // table is left out, so a store rebuilt over the same range of the log has
  // the same digest.
  virtual absl::StatusOr<std::string> Digest() const = 0;

  // Rows in the damaged table.
  virtual absl::StatusOr<int64_t> DamagedCount() const = 0;
};

}  // namespace frontdesk::records

#endif  // FRONTDESK_LIBS_RECORDS_RECORD_STORE_H_
