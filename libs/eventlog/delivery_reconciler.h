// Reconciling a record whose delivery ended "possibly persisted".
//
// Kafka may report that a produce failed after the broker might already have
// written it (a timeout in flight). Such a record is neither acknowledged nor
// known to be lost. ReconcileRecord settles it: it reads the record's key
// back from the log and looks for the exact bytes. Found: the record was
// persisted and nothing more is done. Not found: the record is appended again.
// A record that did land twice is harmless: events carry ids and hashes, and
// readers drop a repeated event id.
//
// Example:
//   absl::StatusOr<ReconcileOutcome> r =
//       ReconcileRecord(record, reader, log, absl::Seconds(30));
#ifndef FRONTDESK_LIBS_EVENTLOG_DELIVERY_RECONCILER_H_
#define FRONTDESK_LIBS_EVENTLOG_DELIVERY_RECONCILER_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"

namespace frontdesk::eventlog {

enum class ReconcileOutcome {
  // The exact bytes are in the log under the record's key.
  kFoundInLog,
  // They were not; the record was appended again and acknowledged.
  kAppendedAgain,
};

// Errors: the reader's status when the log cannot be read, or the append's
// status when the record could not be appended again.
absl::StatusOr<ReconcileOutcome> ReconcileRecord(const LogRecord& record,
                                                 EventLogReader* reader,
                                                 EventLog* log,
                                                 absl::Duration timeout);

}  // namespace frontdesk::eventlog

#endif  // FRONTDESK_LIBS_EVENTLOG_DELIVERY_RECONCILER_H_
