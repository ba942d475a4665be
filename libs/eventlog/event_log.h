// EventLog: the append-only log that every frontdesk event goes to.
//
// The contract that the whole product leans on: Append returns OK only after
// the log has durably acknowledged every record. A record that was not
// acknowledged within the timeout is not dropped: it stays queued and is
// either delivered later or recorded as failed by the implementation, never
// silently lost.
//
// Records with the same key keep their order.
//
// Implementations: KafkaEventLog (libs/kafka) for the services and
// integration tests, InMemoryEventLog for unit tests.
//
// Example:
//   absl::Status s = log->Append({{kCallsTopic, call_id, bytes}},
//                                absl::Seconds(2));
//   if (!s.ok()) { /* reply with the fallback wording; claim nothing */ }
#ifndef FRONTDESK_LIBS_EVENTLOG_EVENT_LOG_H_
#define FRONTDESK_LIBS_EVENTLOG_EVENT_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace frontdesk::eventlog {

// A record to append.
struct LogRecord {
  std::string topic;
  std::string key;
  std::string value;
  // An id for this record in failure journals and metrics, with no PHI
  // (the event id).
  std::string record_id;
};

// A record read back from the log, with its place.
struct StoredRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
};

// Appends records. Implementations are thread-safe.
class EventLog {
 public:
  virtual ~EventLog() = default;

  // Appends `records` in order and waits until every one is acknowledged.
  // OK: all acknowledged. DEADLINE_EXCEEDED: at least one was not
  // acknowledged within `timeout` (it stays queued; see the file comment).
  // UNAVAILABLE or INTERNAL: the log refused a record for good; that record
  // is recorded as failed.
  virtual absl::Status Append(const std::vector<LogRecord>& records,
                              absl::Duration timeout) = 0;
};

// Reads back the records with one key. Implementations are thread-safe.
class EventLogReader {
 public:
  virtual ~EventLogReader() = default;

  // Every record in `topic` whose key is `key`, in log order, as of the
  // moment of the call.
  virtual absl::StatusOr<std::vector<StoredRecord>> ReadKey(
      const std::string& topic, const std::string& key) = 0;
};

}  // namespace frontdesk::eventlog

#endif  // FRONTDESK_LIBS_EVENTLOG_EVENT_LOG_H_
