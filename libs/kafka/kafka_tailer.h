// KafkaTailer: follows topics as a member of a consumer group.
//
// record-keeper uses it to project the log. It starts from the earliest
// offset when the group has no committed offset, and commits nothing itself:
// the projection in this version is rebuilt from the log at every start.
// Every record is handed to the callback on the tailer's own thread, in
// partition order.
//
// Example:
//   KafkaTailer tailer(settings, "frontdesk-record-keeper", {kCallsTopic},
//                      [&](const eventlog::StoredRecord& r) { store.Apply(r);
//                      });
//   tailer.Start();
//   ...
//   tailer.Stop();
#ifndef FRONTDESK_LIBS_KAFKA_KAFKA_TAILER_H_
#define FRONTDESK_LIBS_KAFKA_KAFKA_TAILER_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "libs/eventlog/event_log.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::kafka {

class KafkaTailer {
 public:
  using Callback = std::function<void(const eventlog::StoredRecord&)>;

  KafkaTailer(KafkaSettings settings, std::string group_id,
              std::vector<std::string> topics, Callback callback);
  ~KafkaTailer();

  // Creates the consumer, subscribes and starts the thread.
  absl::Status Start();
  // Stops the thread and leaves the group. Idempotent.
  void Stop();

  // Records handed to the callback so far.
  int64_t consumed() const { return consumed_.load(); }

 private:
  const KafkaSettings settings_;
  const std::string group_id_;
  const std::vector<std::string> topics_;
  const Callback callback_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> consumed_{0};
};

}  // namespace frontdesk::kafka

#endif  // FRONTDESK_LIBS_KAFKA_KAFKA_TAILER_H_
