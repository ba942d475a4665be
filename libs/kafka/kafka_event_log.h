// KafkaEventLog: the audit-grade Kafka producer behind EventLog.
//
// Settings that cannot be overridden: enable.idempotence=true, acks=all.
// Defaults an operator may override: a long message.timeout.ms (5 minutes),
// linger.ms=0 (every Append waits for its acknowledgement, so lingering only
// adds latency; records queued while a request is in flight still go out
// together), compression.type=zstd.
//
// Append produces each record (the call id is the key) and waits for every
// delivery report, up to the caller's timeout:
//   - a full local queue is backpressure: Append waits for room, never drops;
//   - a record not acknowledged in time stays in the producer's queue, and
//     its late delivery report is still handled: delivered (counted) or
//     failed (written to the failure journal);
//   - a record whose delivery failed with "possibly persisted" is journalled
//     as such and reconciled against the log on a background thread: read
//     back by key; if its exact bytes are not there it is appended again
//     (eventlog/delivery_reconciler.h). The outcome is journalled too. It is
//     never counted as lost.
//
// The failure journal is a JSON-lines file holding, per record, its id,
// topic, key, state and value (base64). The value holds only sealed PHI.
//
// For metrics, stats() gives counters and what still waits on Kafka (how
// many records, and how long the oldest has waited), and a DeliveryObserver
// is told each record's time from Append to its delivery report.
//
// Example:
//   auto log = KafkaEventLog::Create(settings, {.journal_path =
//   "run/x.jsonl"});
//   (*log)->Append(records, absl::Seconds(2));
//
// Thread-safe.
#ifndef FRONTDESK_LIBS_KAFKA_KAFKA_EVENT_LOG_H_
#define FRONTDESK_LIBS_KAFKA_KAFKA_EVENT_LOG_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"
#include "libs/kafka/kafka_settings.h"

namespace RdKafka {
class Producer;
class Topic;
}  // namespace RdKafka

namespace frontdesk::kafka {

struct KafkaEventLogOptions {
  // Where undeliverable records are written. Empty: only logged (ids only).
  std::string journal_path;
  // client.id, for broker-side attribution.
  std::string client_id = "frontdesk";
  // Topics this log will write to. Create() fetches their metadata up front,
  // so the first append of a new process does not pay for it.
  std::vector<std::string> warm_topics;
};

// Counters since start.
struct KafkaEventLogStats {
  int64_t delivered = 0;
  // Acknowledged after their Append had already timed out.
  int64_t delivered_late = 0;
  // Refused for good, or possibly persisted; all written to the journal.
  int64_t failed = 0;
  // Possibly-persisted records settled by reading the log back.
  int64_t reconciled = 0;
  // Given to Append and not yet reported delivered or failed (waiting for
  // room in the producer's queue, queued, or sent and unacknowledged).
  int64_t in_flight = 0;
  // How long the oldest of those has waited; zero when none waits.
  absl::Duration oldest_in_flight = absl::ZeroDuration();
  // False after a fatal producer error (see healthy()).
  bool healthy = true;
};

// Told of every delivery report, on the producer's polling thread: keep it
// short, and never call back into the log. Implementations are thread-safe.
class DeliveryObserver {
 public:
  virtual ~DeliveryObserver() = default;
  // `latency` runs from the start of the Append that produced the record to
  // its delivery report; `acknowledged` is false for a failed delivery.
  virtual void OnDeliveryReport(absl::Duration latency, bool acknowledged) = 0;
};

class KafkaEventLog : public eventlog::EventLog {
 public:
  static absl::StatusOr<std::unique_ptr<KafkaEventLog>> Create(
      const KafkaSettings& settings, const KafkaEventLogOptions& options);
  ~KafkaEventLog() override;

  absl::Status Append(const std::vector<eventlog::LogRecord>& records,
                      absl::Duration timeout) override;

  // Waits for every queued record to be delivered or failed.
  // DEADLINE_EXCEEDED with the number still queued when time runs out.
  absl::Status Flush(absl::Duration timeout);

  KafkaEventLogStats stats() const;

  // Reports from now on go to `observer` (null: to nobody). Once it returns,
  // the previous observer is no longer called, so it may be destroyed.
  void SetDeliveryObserver(DeliveryObserver* observer);

  // False after the producer hit a fatal error (for example an idempotence
  // violation); the process should then be restarted.
  bool healthy() const { return !fatal_.load(); }

  // Internal: called from the delivery-report callback.
  struct Delivery;
  void OnDelivery(Delivery* d, bool ok, bool possibly_persisted,
                  const std::string& error);
  void OnFatal(const std::string& error);

 private:
  KafkaEventLog(KafkaSettings settings, KafkaEventLogOptions options);
  void Journal(const eventlog::LogRecord& r, const std::string& state,
               const std::string& error);
  void ReconcileLoop();

  const KafkaSettings settings_;

  class Callbacks;
  const KafkaEventLogOptions options_;
  std::unique_ptr<Callbacks> callbacks_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::vector<std::unique_ptr<RdKafka::Topic>> warm_;
  std::thread poller_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> fatal_{false};
  std::atomic<int64_t> delivered_{0};
  std::atomic<int64_t> delivered_late_{0};
  std::atomic<int64_t> failed_{0};
  std::atomic<int64_t> reconciled_{0};
  // The records in flight, by sequence number, with when Append took them;
  // the first is the oldest.
  mutable absl::Mutex pending_mu_;
  uint64_t next_seq_ ABSL_GUARDED_BY(pending_mu_) = 0;
  std::map<uint64_t, absl::Time> pending_ ABSL_GUARDED_BY(pending_mu_);
  absl::Mutex observer_mu_;
  DeliveryObserver* observer_ ABSL_GUARDED_BY(observer_mu_) = nullptr;
  absl::Mutex journal_mu_;
  absl::Mutex reconcile_mu_;
  std::deque<eventlog::LogRecord> to_reconcile_ ABSL_GUARDED_BY(reconcile_mu_);
  bool reconcile_stop_ ABSL_GUARDED_BY(reconcile_mu_) = false;
  std::thread reconciler_;
};

}  // namespace frontdesk::kafka

#endif  // FRONTDESK_LIBS_KAFKA_KAFKA_EVENT_LOG_H_
