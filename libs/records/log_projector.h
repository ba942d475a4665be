// Feeding a RecordStore from Kafka: the live projector of record-keeper and
// the one-shot rebuild of `frontdesk records rebuild`.
//
// LogProjector follows every frontdesk topic (IsFrontdeskTopic) as a
// member of a consumer group, but positions each assigned partition at the
// offset the store holds, never at the group's committed offset: the store's
// offsets are written in the same transaction as the projection, so a crash
// neither loses nor double-applies a record. It applies records in batches
// (up to `max_batch` records, or whatever arrived within `max_wait`).
//
// ProjectLogOnce reads every frontdesk topic, from the store's offsets (0 for
// an empty store) up to `until` (or the high watermarks when `until` is
// empty), without joining a group, and applies it the same way.
//
// Example:
//   LogProjector projector(settings, "frontdesk-record-keeper", store.get(),
//                          {}, [&](const ApplyCounts& n) { ... });
//   absl::Status s = projector.Start();
//   ...
//   projector.Stop();
//
// LogProjector is thread-safe; the callback runs on its own thread.
#ifndef FRONTDESK_LIBS_RECORDS_LOG_PROJECTOR_H_
#define FRONTDESK_LIBS_RECORDS_LOG_PROJECTOR_H_

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/records/record_store.h"

namespace frontdesk::records {

// True for the frontdesk event topics: frontdesk.calls.v1,
// frontdesk.access.v1, frontdesk.policy.v1 and frontdesk.handoff.<queue>.v1.
bool IsFrontdeskTopic(absl::string_view topic);

struct ProjectorOptions {
  int max_batch = 1000;
  absl::Duration max_wait = absl::Milliseconds(50);
};

class LogProjector {
 public:
  using Observer = std::function<void(const ApplyCounts&)>;

  // `store` must outlive the projector. `observer` (may be null) is called
  // after every committed batch.
  LogProjector(kafka::KafkaSettings settings, std::string group_id,
               RecordStore* store, ProjectorOptions options, Observer observer);
  ~LogProjector();

  // Creates the consumer, subscribes to every frontdesk topic and starts the
  // thread.
  absl::Status Start();
  // Applies what is pending, stops the thread and leaves the group.
  // Idempotent.
  void Stop();

  // Records applied, skipped as duplicates, and damaged so far.
  int64_t applied() const { return applied_.load(); }
  int64_t duplicates() const { return duplicates_.load(); }
  int64_t damaged() const { return damaged_.load(); }

 private:
  class Rebalancer;

  const kafka::KafkaSettings settings_;
  const std::string group_id_;
  RecordStore* const store_;
  const ProjectorOptions options_;
  const Observer observer_;
  std::unique_ptr<Rebalancer> rebalancer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> applied_{0};
  std::atomic<int64_t> duplicates_{0};
  std::atomic<int64_t> damaged_{0};
};

// The high watermark of every partition of every frontdesk topic: where a
// projection that skips the history starts (RecordStore::StartAt).
absl::StatusOr<OffsetMap> EndOffsets(const kafka::KafkaSettings& settings,
                                     absl::Duration timeout);

struct ProjectOnceResult {
  int64_t records = 0;
  ApplyCounts counts;
  absl::Duration elapsed;
};

// Applies every frontdesk topic from the store's offsets up to `until` (or
// the high watermarks taken at the start when `until` is empty). Partitions
// absent from a given `until` are not read. DEADLINE_EXCEEDED when the end
// was not reached within `timeout`.
absl::StatusOr<ProjectOnceResult> ProjectLogOnce(
    const kafka::KafkaSettings& settings, RecordStore* store,
    const std::optional<OffsetMap>& until, absl::Duration timeout,
    ProjectorOptions options = {});

}  // namespace frontdesk::records

#endif  // FRONTDESK_LIBS_RECORDS_LOG_PROJECTOR_H_
