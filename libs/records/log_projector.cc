#include "libs/records/log_projector.h"

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/uuid.h"
#include "spdlog/spdlog.h"

namespace frontdesk::records {

namespace {

// The consumer configuration: the settings' brokers and pass-through
// properties, then what the projector needs and nobody overrides.
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> ConsumerConf(
    const kafka::KafkaSettings& settings, const std::string& group_id) {
  std::unique_ptr<RdKafka::Conf> conf(
      RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  std::map<std::string, std::string> all = {
      {"bootstrap.servers", settings.brokers}, {"session.timeout.ms", "10000"}};
  for (const auto& [k, v] : settings.properties) all[k] = v;
  for (const auto& [k, v] : std::map<std::string, std::string>{
           {"group.id", group_id},
           {"enable.auto.commit", "false"},
           {"enable.auto.offset.store", "false"},
           {"enable.partition.eof", "false"},
           {"auto.offset.reset", "earliest"},
           {"isolation.level", "read_committed"}}) {
    all[k] = v;
  }
  for (const auto& [k, v] : all) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("kafka property ", k, ": ", err));
    }
  }
  return conf;
}

// The topics IsFrontdeskTopic accepts, as a librdkafka subscription.
constexpr char kTopicPattern[] =
    "^frontdesk\\.(calls|access|policy|handoff\\.[a-z0-9-]+)\\.v1$";

eventlog::StoredRecord ToRecord(const RdKafka::Message& msg) {
  eventlog::StoredRecord r;
  r.topic = msg.topic_name();
  r.partition = msg.partition();
  r.offset = msg.offset();
  if (msg.key() != nullptr) r.key = *msg.key();
  r.value.assign(static_cast<const char*>(msg.payload()), msg.len());
  return r;
}

}  // namespace

bool IsFrontdeskTopic(absl::string_view topic) {
  if (topic == kafka::kCallsTopic || topic == kafka::kAccessTopic ||
      topic == kafka::kPolicyTopic) {
    return true;
  }
  constexpr absl::string_view kPrefix = "frontdesk.handoff.";
  constexpr absl::string_view kSuffix = ".v1";
  if (!absl::StartsWith(topic, kPrefix) || !absl::EndsWith(topic, kSuffix)) {
    return false;
  }
  const absl::string_view queue =
      topic.substr(kPrefix.size(), topic.size() - kPrefix.size() - 3);
  if (queue.empty()) return false;
  for (char c : queue) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return false;
    }
  }
  return true;
}

// Positions assigned partitions at the store's offsets, and applies what is
// pending before partitions are taken away. Runs on the projector's thread
// (inside consume()).
class LogProjector::Rebalancer : public RdKafka::RebalanceCb {
 public:
  explicit Rebalancer(LogProjector* p) : p_(p) {}

  void rebalance_cb(
      RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
      std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      absl::StatusOr<OffsetMap> stored = p_->store_->Offsets();
      if (!stored.ok()) {
        spdlog::error("event=projection_offsets_unreadable error=\"{}\"",
                      std::string(stored.status().message()));
      }
      for (RdKafka::TopicPartition* tp : partitions) {
        int64_t offset = RdKafka::Topic::OFFSET_BEGINNING;
        if (stored.ok()) {
          auto it = stored->find({tp->topic(), tp->partition()});
          if (it != stored->end()) offset = it->second;
        }
        tp->set_offset(offset);
      }
      consumer->assign(partitions);
      spdlog::info("event=projection_assigned partitions={}",
                   partitions.size());
    } else {
      Flush();
      consumer->unassign();
    }
  }

  // Applies the pending batch; on a store error keeps it and retries, so no
  // record is skipped.
  void Flush() {
    while (!pending.empty()) {
      absl::StatusOr<ApplyCounts> n = p_->store_->ApplyBatch(pending);
      if (n.ok()) {
        pending.clear();
        p_->applied_.fetch_add(n->applied);
        p_->duplicates_.fetch_add(n->duplicates);
        p_->damaged_.fetch_add(n->damaged);
        if (p_->observer_) p_->observer_(*n);
        return;
      }
      spdlog::error("event=projection_apply_failed records={} error=\"{}\"",
                    pending.size(), std::string(n.status().message()));
      absl::SleepFor(absl::Seconds(1));
    }
  }

  std::vector<eventlog::StoredRecord> pending;

 private:
  LogProjector* const p_;
};

LogProjector::LogProjector(kafka::KafkaSettings settings, std::string group_id,
                           RecordStore* store, ProjectorOptions options,
                           Observer observer)
    : settings_(std::move(settings)),
      group_id_(std::move(group_id)),
      store_(store),
      options_(options),
      observer_(std::move(observer)),
      rebalancer_(std::make_unique<Rebalancer>(this)) {}

LogProjector::~LogProjector() { Stop(); }

absl::Status LogProjector::Start() {
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf =
      ConsumerConf(settings_, group_id_);
  if (!conf.ok()) return conf.status();
  std::string err;
  if ((*conf)->set("rebalance_cb", rebalancer_.get(), err) !=
      RdKafka::Conf::CONF_OK) {
    return absl::InternalError(absl::StrCat("kafka rebalance_cb: ", err));
  }
  std::shared_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!consumer) {
    return absl::InternalError(absl::StrCat("kafka consumer: ", err));
  }
  // A regular expression subscription: new frontdesk topics (a new staff
  // queue) are picked up at the next metadata refresh.
  const RdKafka::ErrorCode code = consumer->subscribe({kTopicPattern});
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("kafka subscribe: ", RdKafka::err2str(code)));
  }
  thread_ = std::thread([this, consumer] {
    absl::Time first = absl::InfiniteFuture();
    while (!stop_.load()) {
      std::unique_ptr<RdKafka::Message> msg(consumer->consume(
          static_cast<int>(absl::ToInt64Milliseconds(options_.max_wait))));
      if (msg->err() == RdKafka::ERR_NO_ERROR) {
        if (rebalancer_->pending.empty()) first = absl::Now();
        rebalancer_->pending.push_back(ToRecord(*msg));
      } else if (msg->err() != RdKafka::ERR__TIMED_OUT) {
        spdlog::warn("event=projection_consumer_error error=\"{}\"",
                     msg->errstr());
      }
      if (static_cast<int>(rebalancer_->pending.size()) >= options_.max_batch ||
          (!rebalancer_->pending.empty() &&
           (msg->err() == RdKafka::ERR__TIMED_OUT ||
            absl::Now() - first >= options_.max_wait))) {
        rebalancer_->Flush();
      }
    }
    rebalancer_->Flush();
    consumer->close();
  });
  return absl::OkStatus();
}

void LogProjector::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<OffsetMap> EndOffsets(const kafka::KafkaSettings& settings,
                                     absl::Duration timeout) {
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf =
      ConsumerConf(settings, absl::StrCat("frontdesk-records-end-", NewUuid()));
  if (!conf.ok()) return conf.status();
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!consumer) {
    return absl::InternalError(absl::StrCat("kafka consumer: ", err));
  }
  RdKafka::Metadata* raw_md = nullptr;
  RdKafka::ErrorCode code =
      consumer->metadata(true, nullptr, &raw_md, timeout_ms);
  std::unique_ptr<RdKafka::Metadata> md(raw_md);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("kafka metadata: ", RdKafka::err2str(code)));
  }
  OffsetMap out;
  for (const RdKafka::TopicMetadata* t : *md->topics()) {
    if (!IsFrontdeskTopic(t->topic())) continue;
    for (const RdKafka::PartitionMetadata* p : *t->partitions()) {
      int64_t lo = 0;
      int64_t hi = 0;
      code = consumer->query_watermark_offsets(t->topic(), p->id(), &lo, &hi,
                                               timeout_ms);
      if (code != RdKafka::ERR_NO_ERROR) {
        return absl::UnavailableError(
            absl::StrCat("reading ", t->topic(), "/", p->id(),
                         ": watermarks: ", RdKafka::err2str(code)));
      }
      out[{t->topic(), p->id()}] = hi;
    }
  }
  consumer->close();
  return out;
}

absl::StatusOr<ProjectOnceResult> ProjectLogOnce(
    const kafka::KafkaSettings& settings, RecordStore* store,
    const std::optional<OffsetMap>& until, absl::Duration timeout,
    ProjectorOptions options) {
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + timeout;
  const int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(timeout));
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf = ConsumerConf(
      settings, absl::StrCat("frontdesk-records-once-", NewUuid()));
  if (!conf.ok()) return conf.status();
  std::string err;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), err));
  if (!consumer) {
    return absl::InternalError(absl::StrCat("kafka consumer: ", err));
  }
  RdKafka::Metadata* raw_md = nullptr;
  RdKafka::ErrorCode code =
      consumer->metadata(true, nullptr, &raw_md, timeout_ms);
  std::unique_ptr<RdKafka::Metadata> md(raw_md);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("kafka metadata: ", RdKafka::err2str(code)));
  }
  absl::StatusOr<OffsetMap> stored = store->Offsets();
  if (!stored.ok()) return stored.status();

  // Where each partition starts and ends.
  OffsetMap end;
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const RdKafka::TopicMetadata* t : *md->topics()) {
    if (!IsFrontdeskTopic(t->topic())) continue;
    for (const RdKafka::PartitionMetadata* p : *t->partitions()) {
      const TopicPartition tp{t->topic(), p->id()};
      int64_t lo = 0;
      int64_t hi = 0;
      code = consumer->query_watermark_offsets(t->topic(), p->id(), &lo, &hi,
                                               timeout_ms);
      if (code != RdKafka::ERR_NO_ERROR) {
        RdKafka::TopicPartition::destroy(assignment);
        return absl::UnavailableError(
            absl::StrCat("reading ", t->topic(), "/", p->id(),
                         ": watermarks: ", RdKafka::err2str(code)));
      }
      if (until) {
        auto it = until->find(tp);
        hi = it == until->end() ? 0 : std::min(hi, it->second);
      }
      auto s = stored->find(tp);
      const int64_t from = std::max(lo, s == stored->end() ? 0 : s->second);
      if (hi > from) {
        end[tp] = hi;
        assignment.push_back(
            RdKafka::TopicPartition::create(t->topic(), p->id(), from));
      }
    }
  }
  ProjectOnceResult result;
  if (assignment.empty()) {
    result.elapsed = absl::Now() - start;
    return result;
  }
  code = consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError(
        absl::StrCat("kafka assign: ", RdKafka::err2str(code)));
  }
  std::vector<eventlog::StoredRecord> batch;
  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    absl::StatusOr<ApplyCounts> n = store->ApplyBatch(batch);
    if (!n.ok()) return n.status();
    result.records += static_cast<int64_t>(batch.size());
    result.counts.applied += n->applied;
    result.counts.duplicates += n->duplicates;
    result.counts.damaged += n->damaged;
    batch.clear();
    return absl::OkStatus();
  };
  while (!end.empty()) {
    if (absl::Now() >= deadline) {
      consumer->close();
      return absl::DeadlineExceededError(
          absl::StrCat("projecting the log: end not reached within ",
                       absl::FormatDuration(timeout)));
    }
    std::unique_ptr<RdKafka::Message> msg(consumer->consume(200));
    if (msg->err() == RdKafka::ERR__TIMED_OUT) {
      // Transaction markers take offsets too: ask where each partition is.
      std::vector<RdKafka::TopicPartition*> pos;
      for (const auto& [tp, hi] : end) {
        pos.push_back(RdKafka::TopicPartition::create(tp.first, tp.second));
      }
      if (consumer->position(pos) == RdKafka::ERR_NO_ERROR) {
        for (const RdKafka::TopicPartition* p : pos) {
          const TopicPartition tp{p->topic(), p->partition()};
          if (p->offset() >= 0 && p->offset() >= end[tp]) end.erase(tp);
        }
      }
      RdKafka::TopicPartition::destroy(pos);
      continue;
    }
    if (msg->err() != RdKafka::ERR_NO_ERROR) {
      const std::string what = msg->errstr();
      consumer->close();
      return absl::UnavailableError(absl::StrCat("projecting the log: ", what));
    }
    const TopicPartition tp{msg->topic_name(), msg->partition()};
    auto it = end.find(tp);
    if (it == end.end() || msg->offset() >= it->second) continue;
    batch.push_back(ToRecord(*msg));
    if (msg->offset() + 1 >= it->second) end.erase(it);
    if (static_cast<int>(batch.size()) >= options.max_batch) {
      if (absl::Status st = flush(); !st.ok()) {
        consumer->close();
        return st;
      }
    }
  }
  consumer->close();
  if (absl::Status st = flush(); !st.ok()) return st;
  result.elapsed = absl::Now() - start;
  return result;
}

}  // namespace frontdesk::records
