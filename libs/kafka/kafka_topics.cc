// EnsureTopics, through librdkafka's C admin API (the C++ API has none).
#include <librdkafka/rdkafka.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::kafka {

namespace {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};

}  // namespace

absl::Status EnsureTopics(const KafkaSettings& settings,
                          const std::vector<TopicSpec>& topics,
                          absl::Duration timeout) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& k, const std::string& v) -> absl::Status {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("kafka property ", k, ": ", errstr));
    }
    return absl::OkStatus();
  };
  absl::Status st = set("bootstrap.servers", settings.brokers);
  for (const auto& [k, v] : settings.properties) {
    if (st.ok()) st = set(k, v);
  }
  if (!st.ok()) {
    rd_kafka_conf_destroy(conf);
    return st;
  }
  std::unique_ptr<rd_kafka_t, KafkaDeleter> rk(
      rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr)));
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    return absl::InternalError(absl::StrCat("kafka admin client: ", errstr));
  }

  std::vector<rd_kafka_NewTopic_t*> news;
  for (const TopicSpec& t : topics) {
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(t.name.c_str(), t.partitions,
                              t.replication_factor, errstr, sizeof(errstr));
    if (nt == nullptr) {
      rd_kafka_NewTopic_destroy_array(news.data(), news.size());
      return absl::InvalidArgumentError(
          absl::StrCat("topic ", t.name, ": ", errstr));
    }
    for (const auto& [k, v] : t.config) {
      rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
    }
    news.push_back(nt);
  }

  std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(
      rd_kafka_queue_new(rk.get()));
  rd_kafka_AdminOptions_t* options =
      rd_kafka_AdminOptions_new(rk.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms, errstr,
                                            sizeof(errstr));
  rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms, errstr,
                                              sizeof(errstr));
  rd_kafka_CreateTopics(rk.get(), news.data(), news.size(), options,
                        queue.get());
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_NewTopic_destroy_array(news.data(), news.size());

  std::unique_ptr<rd_kafka_event_t, EventDeleter> ev(
      rd_kafka_queue_poll(queue.get(), timeout_ms + 1000));
  if (!ev) {
    return absl::DeadlineExceededError(
        absl::StrCat("creating topics: no answer from ", settings.brokers,
                     " within ", absl::FormatDuration(timeout)));
  }
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return absl::UnavailableError(absl::StrCat(
        "creating topics: ", rd_kafka_event_error_string(ev.get())));
  }
  const rd_kafka_CreateTopics_result_t* res =
      rd_kafka_event_CreateTopics_result(ev.get());
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(res, &n);
  for (size_t i = 0; i < n; ++i) {
    const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR ||
        err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      continue;
    }
    const char* msg = rd_kafka_topic_result_error_string(results[i]);
    return absl::UnavailableError(
        absl::StrCat("creating topic ", rd_kafka_topic_result_name(results[i]),
                     ": ", msg != nullptr ? msg : rd_kafka_err2str(err)));
  }
  return absl::OkStatus();
}

}  // namespace frontdesk::kafka
