#include "tools/frontdesk/log_window_reader.h"

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/common/uuid.h"

namespace frontdesk::cli {

namespace {

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> ConsumerConf(
    const kafka::KafkaSettings& settings) {
  std::unique_ptr<RdKafka::Conf> conf(
      RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  std::map<std::string, std::string> props = {
      {"bootstrap.servers", settings.brokers}};
  for (const auto& [k, v] : settings.properties) props[k] = v;
  props["group.id"] = absl::StrCat("frontdesk-window-", NewUuid());
  props["enable.auto.commit"] = "false";
  props["enable.auto.offset.store"] = "false";
  props["enable.partition.eof"] = "false";
  props["isolation.level"] = "read_committed";
  for (const auto& [k, v] : props) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      // Never echo the value: it may be a password.
      return absl::InvalidArgumentError(
          absl::StrCat("kafka property ", k, ": ", err));
    }
  }
  return conf;
}

}  // namespace

absl::StatusOr<std::vector<eventlog::StoredRecord>> ReadLogWindow(
    const kafka::KafkaSettings& settings, const std::string& topic,
    absl::Time since, const std::string* key, absl::Duration timeout) {
  auto conf = ConsumerConf(settings);
  if (!conf.ok()) return conf.status();
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!consumer) {
    return absl::InternalError(absl::StrCat("kafka consumer: ", err));
  }
  const int timeout_ms = static_cast<int>(std::min<int64_t>(
      absl::ToInt64Milliseconds(timeout), int64_t{60} * 60 * 1000));
  const absl::Time deadline = absl::Now() + timeout;

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

  // Where each partition ends now, and where `since` begins in it.
  std::map<int32_t, int64_t> high;
  std::vector<RdKafka::TopicPartition*> starts;
  for (const RdKafka::PartitionMetadata* p : *tmd->partitions()) {
    int64_t lo = 0;
    int64_t hi = 0;
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
    RdKafka::TopicPartition* tp =
        RdKafka::TopicPartition::create(topic, p->id());
    tp->set_offset(since == absl::InfinitePast()
                       ? lo
                       : std::max<int64_t>(0, absl::ToUnixMillis(since)));
    starts.push_back(tp);
  }
  if (since != absl::InfinitePast() && !starts.empty()) {
    code = consumer->offsetsForTimes(starts, timeout_ms);
    if (code != RdKafka::ERR_NO_ERROR) {
      RdKafka::TopicPartition::destroy(starts);
      return absl::UnavailableError(absl::StrCat(
          "reading ", topic, ": offsets for time: ", RdKafka::err2str(code)));
    }
  }
  std::vector<RdKafka::TopicPartition*> assignment;
  for (RdKafka::TopicPartition* tp : starts) {
    // -1: nothing at or after `since` in this partition.
    if (tp->offset() < 0 || tp->offset() >= high[tp->partition()]) {
      high.erase(tp->partition());
      delete tp;
    } else {
      assignment.push_back(tp);
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

  std::map<int32_t, std::vector<eventlog::StoredRecord>> by_partition;
  while (!high.empty()) {
    if (absl::Now() >= deadline) {
      consumer->close();
      return absl::DeadlineExceededError(
          absl::StrCat("reading ", topic, ": end of log not reached within ",
                       absl::FormatDuration(timeout)));
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
    if (it == high.end() || msg->offset() >= it->second) continue;
    if (key == nullptr || (msg->key() != nullptr && *msg->key() == *key)) {
      eventlog::StoredRecord r;
      r.topic = topic;
      r.partition = part;
      r.offset = msg->offset();
      if (msg->key() != nullptr) r.key = *msg->key();
      r.value.assign(static_cast<const char*>(msg->payload()), msg->len());
      by_partition[part].push_back(std::move(r));
    }
    if (msg->offset() + 1 >= it->second) high.erase(it);
  }
  consumer->close();
  for (auto& [part, records] : by_partition) {
    for (auto& r : records) out.push_back(std::move(r));
  }
  return out;
}

}  // namespace frontdesk::cli
