// KafkaRangeReader: the records of a topic appended around a time range,
// read straight from Kafka without reading the whole topic.
//
// The audit topics keep six years, so the reports cannot read them from
// offset 0. For each partition this reader asks the broker for the first
// offset whose record timestamp is at or after `from - slack`
// (offsetsForTimes), reads up to the high watermark taken at the start, and
// stops a partition early at the first record stamped after `to + slack`.
// The record timestamp is the producer's append time; an event's
// occurred_at is set just before its append, so the slack (5 minutes by
// default) covers the gap. Callers still filter on occurred_at
// (CollectEvents). It joins no consumer group and commits nothing.
//
// Example:
//   KafkaRangeReader reader(settings);
//   auto records = reader.Read(kafka::kCallsTopic, from, to);
//
// Thread-safe: each Read uses its own consumer.
#ifndef FRONTDESK_LIBS_REPORTS_KAFKA_RANGE_READER_H_
#define FRONTDESK_LIBS_REPORTS_KAFKA_RANGE_READER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::reports {

class KafkaRangeReader {
 public:
  explicit KafkaRangeReader(kafka::KafkaSettings settings,
                            absl::Duration slack = absl::Minutes(5),
                            absl::Duration timeout = absl::Seconds(120))
      : settings_(std::move(settings)), slack_(slack), timeout_(timeout) {}

  // Hands each record to `each` as it arrives: in order within a
  // partition, partitions interleaved. NOT_FOUND when the topic does not
  // exist; DEADLINE_EXCEEDED when the range was not read within the timeout
  // (`each` may have seen part of it).
  absl::Status ForEach(
      const std::string& topic, absl::Time from, absl::Time to,
      const std::function<void(eventlog::StoredRecord)>& each) const;

  // The same records, collected, in partition order.
  absl::StatusOr<std::vector<eventlog::StoredRecord>> Read(
      const std::string& topic, absl::Time from, absl::Time to) const;

 private:
  const kafka::KafkaSettings settings_;
  const absl::Duration slack_;
  const absl::Duration timeout_;
};

}  // namespace frontdesk::reports

#endif  // FRONTDESK_LIBS_REPORTS_KAFKA_RANGE_READER_H_
