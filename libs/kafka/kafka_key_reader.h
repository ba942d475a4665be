// KafkaKeyReader: reads one key's records straight from a Kafka topic.
//
// Used by `frontdesk replay` and tests to read a call back from the log
// itself, independent of any projection. It reads every partition of the
// topic from the beginning up to the high watermark taken at the start of the
// call, and keeps the records whose key matches. It joins no consumer group
// and commits nothing.
//
// Example:
//   auto reader = KafkaKeyReader(settings);
//   auto records = reader.ReadKey(kCallsTopic, call_id);
//
// Thread-safe: each ReadKey uses its own consumer.
#ifndef FRONTDESK_LIBS_KAFKA_KAFKA_KEY_READER_H_
#define FRONTDESK_LIBS_KAFKA_KAFKA_KEY_READER_H_

#include "absl/time/time.h"
#include "libs/eventlog/event_log.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::kafka {

class KafkaKeyReader : public eventlog::EventLogReader {
 public:
  explicit KafkaKeyReader(KafkaSettings settings,
                          absl::Duration timeout = absl::Seconds(30))
      : settings_(std::move(settings)), timeout_(timeout) {}

  // Records in partition order. NOT_FOUND when the topic does not exist;
  // DEADLINE_EXCEEDED when the watermarks were not reached within the
  // reader's timeout.
  absl::StatusOr<std::vector<eventlog::StoredRecord>> ReadKey(
      const std::string& topic, const std::string& key) override;

  // Every record of `topic`, whatever its key, up to the high watermarks
  // taken at the start of the call. For audits and tests.
  absl::StatusOr<std::vector<eventlog::StoredRecord>> ReadTopic(
      const std::string& topic);

 private:
  absl::StatusOr<std::vector<eventlog::StoredRecord>> Read(
      const std::string& topic, const std::string* key);

  const KafkaSettings settings_;
  const absl::Duration timeout_;
};

}  // namespace frontdesk::kafka

#endif  // FRONTDESK_LIBS_KAFKA_KAFKA_KEY_READER_H_
