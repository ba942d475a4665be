// InMemoryEventLog: the unit-test fake of EventLog and EventLogReader.
//
// Every topic has one partition. While "unavailable" (SetAvailable(false)),
// Append queues the records, as a real producer would, and returns
// DEADLINE_EXCEEDED; SetAvailable(true) delivers the queue in order. With
// FailNext(n) the next n records are refused for good and counted as failed.
//
// Example:
//   InMemoryEventLog log;
//   log.SetAvailable(false);
//   EXPECT_EQ(log.Append(recs, absl::Seconds(2)).code(),
//             absl::StatusCode::kDeadlineExceeded);
//
// Thread-safe.
#ifndef FRONTDESK_LIBS_EVENTLOG_IN_MEMORY_EVENT_LOG_H_
#define FRONTDESK_LIBS_EVENTLOG_IN_MEMORY_EVENT_LOG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "libs/eventlog/event_log.h"

namespace frontdesk::eventlog {

class InMemoryEventLog : public EventLog, public EventLogReader {
 public:
  absl::Status Append(const std::vector<LogRecord>& records,
                      absl::Duration timeout) override;
  absl::StatusOr<std::vector<StoredRecord>> ReadKey(
      const std::string& topic, const std::string& key) override;

  void SetAvailable(bool available);
  void FailNext(int n);

  // All records of a topic, in order.
  std::vector<StoredRecord> Topic(const std::string& topic) const;
  // Records queued while unavailable.
  size_t pending() const;
  // Ids of records refused for good.
  std::vector<std::string> failed() const;

 private:
  void DeliverLocked(const LogRecord& r) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  bool available_ ABSL_GUARDED_BY(mu_) = true;
  int fail_next_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, std::vector<StoredRecord>> topics_ ABSL_GUARDED_BY(mu_);
  std::vector<LogRecord> pending_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> failed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace frontdesk::eventlog

#endif  // FRONTDESK_LIBS_EVENTLOG_IN_MEMORY_EVENT_LOG_H_
