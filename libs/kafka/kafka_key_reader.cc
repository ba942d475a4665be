#include "libs/kafka/kafka_key_reader.h"

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/uuid.h"
#include "libs/kafka/internal/rdkafka_conf.h"

namespace frontdesk::kafka {

absl::StatusOr<std::vector<eventlog::StoredRecord>> KafkaKeyReader::ReadKey(
    const std::string& topic, const std::string& key) {
  return Read(topic, &key);
}

absl::StatusOr<std::vector<eventlog::StoredRecord>> KafkaKeyReader::ReadTopic(
    const std::string& topic) {
  return Read(topic, nullptr);
}

absl::StatusOr<std::vector<eventlog::StoredRecord>> KafkaKeyReader::Read(
    const std::string& topic, const std::string* key) {
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf = internal::MakeConf(
      settings_, {},
      {{"group.id", absl::StrCat("frontdesk-reader-", NewUuid())},
       {"enable.auto.commit", "false"},
       {"enable.auto.offset.store", "false"},
       {"enable.partition.eof", "false"},
       {"isolation.level", "read_committed"}});
  if (!conf.ok()) return conf.status();
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!consumer) {
    return absl::InternalError(absl::StrCat("kafka consumer: ", err));
  }
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout_));
  const absl::Time deadline = absl::Now() + timeout_;

  std::unique_ptr<RdKafka::Topic> handle(
      RdKafka::Topic::create(consumer.get(), topic, nullptr, err));
  if (!handle) return absl::InternalError(absl::StrCat("kafka topic: ", err));
  RdKafka::Metadata* raw_md = nullptr;
  RdKafka::ErrorCode code =
      consumer->metadata(false, handle.get(), &raw_md, timeout_ms);
  std::unique_ptr<RdKafka::Metadata> md(raw_md);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat(
        "reading ", topic, ": metadata: ", RdKafka::err2str(code)));
  }
  const RdKafka::TopicMetadata* tmd = nullptr;
  for (const RdKafka::TopicMetadata* t : *md->topics()) {
    if (t->topic() == topic) tmd = t;
  }
  if (tmd == nullptr || tmd->err() == RdKafka::ERR_UNKNOWN_TOPIC_OR_PART ||
      tmd->partitions()->empty()) {
    return absl::NotFoundError(
        absl::StrCat("topic ", topic, " does not exist"));
  }

  // Where each partition ends now.
  std::map<int32_t, int64_t> high;
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const RdKafka::PartitionMetadata* p : *tmd->partitions()) {
    int64_t lo = 0;
    int64_t hi = 0;
    code =
        consumer->query_watermark_offsets(topic, p->id(), &lo, &hi, timeout_ms);
    if (code != RdKafka::ERR_NO_ERROR) {
      RdKafka::TopicPartition::destroy(assignment);
      return absl::UnavailableError(
          absl::StrCat("reading ", topic, "/", p->id(),
                       ": watermarks: ", RdKafka::err2str(code)));
    }
    if (hi > lo) {
      high[p->id()] = hi;
      assignment.push_back(RdKafka::TopicPartition::create(topic, p->id(), lo));
    }
  }
  std::vector<eventlog::StoredRecord> out;
  if (assignment.empty()) return out;
  code = consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("reading ", topic, ": assign: ", RdKafka::err2str(code)));
  }

  // Records of one key share one partition, but reading all keeps this
  // independent of the producer's partitioner.
  std::map<int32_t, std::vector<eventlog::StoredRecord>> by_partition;
  while (!high.empty()) {
    if (absl::Now() >= deadline) {
      consumer->close();
      return absl::DeadlineExceededError(
          absl::StrCat("reading ", topic, ": end of log not reached within ",
                       absl::FormatDuration(timeout_)));
    }
    std::unique_ptr<RdKafka::Message> msg(consumer->consume(200));
    if (msg->err() == RdKafka::ERR__TIMED_OUT) continue;
    if (msg->err() != RdKafka::ERR_NO_ERROR) {
      const std::string what = msg->errstr();
      consumer->close();
      return absl::UnavailableError(
          absl::StrCat("reading ", topic, ": ", what));
    }
    const int32_t part = msg->partition();
    if (key == nullptr || (msg->key() != nullptr && *msg->key() == *key)) {
      eventlog::StoredRecord r;
      r.topic = topic;
      r.partition = part;
      r.offset = msg->offset();
      if (msg->key() != nullptr) r.key = *msg->key();
      r.value.assign(static_cast<const char*>(msg->payload()), msg->len());
      by_partition[part].push_back(std::move(r));
    }
    auto it = high.find(part);
    if (it != high.end() && msg->offset() + 1 >= it->second) high.erase(it);
  }
  consumer->close();
  for (auto& [part, records] : by_partition) {
    for (auto& r : records) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace frontdesk::kafka
