// CallRecordStore: the operating record of calls, as a read model folded
// from frontdesk.calls.v1.
//
// Apply(record) is the only way in: it opens the envelope (checking its hash),
// drops a record whose event id was already applied, and appends the event to
// its call's timeline in log order. Replaying the log from the beginning
// rebuilds the store exactly. Records that are not intact events are counted
// and kept out of the timelines, never silently merged.
//
// In this version the store is in memory and rebuilt from Kafka at every
// start.
//
// Example:
//   CallRecordStore store;
//   for (const StoredRecord& r : log) store.Apply(r);
//   std::vector<RecordedEvent> call = store.GetCall(call_id);
//
// Thread-safe.
#ifndef FRONTDESK_SERVICES_RECORD_KEEPER_CALL_RECORD_STORE_H_
#define FRONTDESK_SERVICES_RECORD_KEEPER_CALL_RECORD_STORE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "frontdesk/records/v1/records_service.pb.h"
#include "libs/eventlog/event_log.h"

namespace frontdesk::record_keeper {

enum class ApplyOutcome { kApplied, kDuplicate, kDamaged };

class CallRecordStore {
 public:
  ApplyOutcome Apply(const eventlog::StoredRecord& record);

  // The call's events in log order; empty when the call is unknown.
  std::vector<frontdesk::records::v1::RecordedEvent> GetCall(
      const std::string& call_id) const;

  int64_t applied() const;
  int64_t duplicates() const;
  int64_t damaged() const;

 private:
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string,
                      std::vector<frontdesk::records::v1::RecordedEvent>>
      calls_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> event_ids_ ABSL_GUARDED_BY(mu_);
  int64_t applied_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t damaged_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace frontdesk::record_keeper

#endif  // FRONTDESK_SERVICES_RECORD_KEEPER_CALL_RECORD_STORE_H_
