#include "libs/reports/kafka_range_reader.h"

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/uuid.h"

namespace frontdesk::reports {

namespace {

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> ConsumerConf(
    const kafka::KafkaSettings& settings) {
  std::unique_ptr<RdKafka::Conf> conf(
      RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  std::map<std::string, std::string> all = settings.properties;
  all["bootstrap.servers"] = settings.brokers;
  all["group.id"] = absl::StrCat("frontdesk-range-reader-", NewUuid());
  all["enable.auto.commit"] = "false";
  all["enable.auto.offset.store"] = "false";
  all["enable.partition.eof"] = "false";
  all["isolation.level"] = "read_committed";
  for (const auto& [k, v] : all) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("kafka property ", k, ": ", err));
    }
  }
  return conf;
}

}  // namespace

absl::StatusOr<std::vector<eventlog::StoredRecord>> KafkaRangeReader::Read(
    const std::string& topic, absl::Time from, absl::Time to) const {
  std::map<int32_t, std::vector<eventlog::StoredRecord>> by_partition;
  absl::Status st = ForEach(topic, from, to, [&](eventlog::StoredRecord r) {
    by_partition[r.partition].push_back(std::move(r));
  });
  if (!st.ok()) return st;
  std::vector<eventlog::StoredRecord> out;
  for (auto& [part, records] : by_partition) {
    for (auto& r : records) out.push_back(std::move(r));
  }
  return out;
}

absl::Status KafkaRangeReader::ForEach(
    const std::string& topic, absl::Time from, absl::Time to,
    const std::function<void(eventlog::StoredRecord)>& each) const {
  auto conf = ConsumerConf(settings_);
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

  // Where each partition ends now, and where the range starts in it.
  const int64_t start_ms = absl::ToUnixMillis(from - slack_);
  const int64_t stop_ms = absl::ToUnixMillis(to + slack_);
  std::vector<RdKafka::TopicPartition*> starts;
  std::map<int32_t, int64_t> high;
  for (const RdKafka::PartitionMetadata* p : *tmd->partitions()) {
    int64_t lo = 0, hi = 0;
    code =
        consumer->query_watermark_offsets(topic, p->id(), &lo, &hi, timeout_ms);
    if (code != RdKafka::ERR_NO_ERROR) {
      RdKafka::TopicPartition::destroy(starts);
      return absl::UnavailableError(
          absl::StrCat("reading ", topic, "/", p->id(),
                       ": watermarks: ", RdKafka::err2str(code)));
    }
    if (hi <= lo) continue;
    high[p->id()] = hi;
    starts.push_back(RdKafka::TopicPartition::create(topic, p->id(), start_ms));
  }
  if (starts.empty()) return absl::OkStatus();
  code = consumer->offsetsForTimes(starts, timeout_ms);
  if (code != RdKafka::ERR_NO_ERROR) {
    RdKafka::TopicPartition::destroy(starts);
    return absl::UnavailableError(absl::StrCat(
        "reading ", topic, ": offsets for times: ", RdKafka::err2str(code)));
  }
  std::vector<RdKafka::TopicPartition*> assignment;
  for (RdKafka::TopicPartition* tp : starts) {
    // -1 (end): no record at or after the start time.
    if (tp->err() != RdKafka::ERR_NO_ERROR || tp->offset() < 0 ||
        tp->offset() >= high[tp->partition()]) {
      high.erase(tp->partition());
      continue;
    }
    assignment.push_back(
        RdKafka::TopicPartition::create(topic, tp->partition(), tp->offset()));
  }
  RdKafka::TopicPartition::destroy(starts);
  if (assignment.empty()) return absl::OkStatus();
  code = consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("reading ", topic, ": assign: ", RdKafka::err2str(code)));
  }
  while (!high.empty()) {
    if (absl::Now() >= deadline) {
      consumer->close();
      return absl::DeadlineExceededError(
          absl::StrCat("reading ", topic, ": the range was not read within ",
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
    auto it = high.find(part);
    if (it == high.end()) continue;
    if (msg->timestamp().timestamp > stop_ms) {
      high.erase(it);
      continue;
    }
    eventlog::StoredRecord r;
    r.topic = topic;
    r.partition = part;
    r.offset = msg->offset();
    if (msg->key() != nullptr) r.key = *msg->key();
    r.value.assign(static_cast<const char*>(msg->payload()), msg->len());
    if (msg->offset() + 1 >= it->second) high.erase(it);
    each(std::move(r));
  }
  consumer->close();
  return absl::OkStatus();
}

}  // namespace frontdesk::reports
