#include "libs/eventlog/delivery_reconciler.h"

namespace frontdesk::eventlog {

absl::StatusOr<ReconcileOutcome> ReconcileRecord(const LogRecord& record,
                                                 EventLogReader* reader,
                                                 EventLog* log,
                                                 absl::Duration timeout) {
  absl::StatusOr<std::vector<StoredRecord>> stored =
      reader->ReadKey(record.topic, record.key);
  if (!stored.ok()) return stored.status();
  for (const StoredRecord& s : *stored) {
    if (s.value == record.value) return ReconcileOutcome::kFoundInLog;
  }
  absl::Status appended = log->Append({record}, timeout);
  if (!appended.ok()) return appended;
  return ReconcileOutcome::kAppendedAgain;
}

}  // namespace frontdesk::eventlog
