#include "libs/kafka/kafka_tailer.h"

#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/kafka/internal/rdkafka_conf.h"
#include "spdlog/spdlog.h"

namespace frontdesk::kafka {

KafkaTailer::KafkaTailer(KafkaSettings settings, std::string group_id,
                         std::vector<std::string> topics, Callback callback)
    : settings_(std::move(settings)),
      group_id_(std::move(group_id)),
      topics_(std::move(topics)),
      callback_(std::move(callback)) {}

KafkaTailer::~KafkaTailer() { Stop(); }

absl::Status KafkaTailer::Start() {
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf =
      internal::MakeConf(settings_, {{"session.timeout.ms", "10000"}},
                         {{"group.id", group_id_},
                          {"auto.offset.reset", "earliest"},
                          {"enable.auto.commit", "false"},
                          {"isolation.level", "read_committed"}});
  if (!conf.ok()) return conf.status();
  std::string err;
  std::shared_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!consumer) {
    return absl::InternalError(absl::StrCat("kafka consumer: ", err));
  }
  const RdKafka::ErrorCode code = consumer->subscribe(topics_);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("kafka subscribe: ", RdKafka::err2str(code)));
  }
  thread_ = std::thread([this, consumer] {
    while (!stop_.load()) {
      std::unique_ptr<RdKafka::Message> msg(consumer->consume(200));
      if (msg->err() == RdKafka::ERR__TIMED_OUT) continue;
      if (msg->err() != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("event=tailer_error group={} error=\"{}\"", group_id_,
                     msg->errstr());
        continue;
      }
      eventlog::StoredRecord r;
      r.topic = msg->topic_name();
      r.partition = msg->partition();
      r.offset = msg->offset();
      if (msg->key() != nullptr) r.key = *msg->key();
      r.value.assign(static_cast<const char*>(msg->payload()), msg->len());
      callback_(r);
      consumed_.fetch_add(1);
    }
    consumer->close();
  });
  return absl::OkStatus();
}

void KafkaTailer::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

}  // namespace frontdesk::kafka
