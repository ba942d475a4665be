// ReadLogWindow: the records of a topic from a point in time onwards, read
// straight from Kafka, for `frontdesk replay --since` and `frontdesk verify`.
//
// KafkaKeyReader reads a topic from its first offset, which on a log of
// years is most of the cost of replaying one call. Here each partition is
// read from the first record whose Kafka timestamp is at or after `since`
// (the broker's time index, offsetsForTimes), up to the high watermark taken
// at the start. Kafka timestamps are the producers' create times, taken when
// the event was appended, so a call's events are all found when `since` is at
// or before the call began. Joins no consumer group and commits nothing.
//
// Example:
//   auto records = ReadLogWindow(settings, kafka::kCallsTopic,
//                                absl::Now() - absl::Hours(24), &call_id,
//                                absl::Minutes(5));
//
// Thread-safe: each call uses its own consumer.
#ifndef FRONTDESK_TOOLS_FRONTDESK_LOG_WINDOW_READER_H_
#define FRONTDESK_TOOLS_FRONTDESK_LOG_WINDOW_READER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::cli {

// Records of `topic` written at or after `since` (absl::InfinitePast(): from
// the start), partition by partition in log order; only those keyed `*key`
// when `key` is not null. NOT_FOUND when the topic does not exist;
// DEADLINE_EXCEEDED when the end was not reached within `timeout`.
absl::StatusOr<std::vector<eventlog::StoredRecord>> ReadLogWindow(
    const kafka::KafkaSettings& settings, const std::string& topic,
    absl::Time since, const std::string* key, absl::Duration timeout);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_LOG_WINDOW_READER_H_
