#include "libs/kafka/kafka_event_log.h"

#include <librdkafka/rdkafkacpp.h>

#include <fstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "libs/eventlog/delivery_reconciler.h"
#include "libs/kafka/internal/rdkafka_conf.h"
#include "libs/kafka/kafka_key_reader.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace frontdesk::kafka {

namespace {

// One Append call: how many of its records still await a delivery report.
struct Batch {
  absl::Mutex mu;
  int outstanding ABSL_GUARDED_BY(mu) = 0;
  absl::Status status ABSL_GUARDED_BY(mu);
  // Set when the appender stopped waiting; later reports are "late".
  bool abandoned ABSL_GUARDED_BY(mu) = false;
};

}  // namespace

struct KafkaEventLog::Delivery {
  std::shared_ptr<Batch> batch;
  eventlog::LogRecord record;
  // The start of its Append, and its place among the records in flight.
  absl::Time appended;
  uint64_t seq = 0;
};

class KafkaEventLog::Callbacks : public RdKafka::DeliveryReportCb,
                                 public RdKafka::EventCb {
 public:
  explicit Callbacks(KafkaEventLog* owner) : owner_(owner) {}

  void dr_cb(RdKafka::Message& message) override {
    auto* d = static_cast<Delivery*>(message.msg_opaque());
    if (d == nullptr) return;
    const bool ok = message.err() == RdKafka::ERR_NO_ERROR;
    const bool possibly =
        message.status() == RdKafka::Message::MSG_STATUS_POSSIBLY_PERSISTED;
    owner_->OnDelivery(d, ok, possibly, ok ? std::string() : message.errstr());
    delete d;
  }

  void event_cb(RdKafka::Event& event) override {
    switch (event.type()) {
      case RdKafka::Event::EVENT_ERROR:
        if (event.fatal()) {
          owner_->OnFatal(event.str());
        } else {
          spdlog::warn("event=kafka_error code={} detail=\"{}\"",
                       RdKafka::err2str(event.err()), event.str());
        }
        break;
      case RdKafka::Event::EVENT_LOG:
        if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING) {
          spdlog::warn("event=kafka_log facility={} detail=\"{}\"", event.fac(),
                       event.str());
        }
        break;
      default:
        break;
    }
  }

 private:
  KafkaEventLog* owner_;
};

KafkaEventLog::KafkaEventLog(KafkaSettings settings,
                             KafkaEventLogOptions options)
    : settings_(std::move(settings)), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<KafkaEventLog>> KafkaEventLog::Create(
    const KafkaSettings& settings, const KafkaEventLogOptions& options) {
  std::unique_ptr<KafkaEventLog> log(new KafkaEventLog(settings, options));
  log->callbacks_ = std::make_unique<Callbacks>(log.get());
  absl::StatusOr<std::unique_ptr<RdKafka::Conf>> conf =
      internal::MakeConf(settings,
                         {{"message.timeout.ms", "300000"},
                          {"linger.ms", "0"},
                          {"compression.type", "zstd"},
                          {"client.id", options.client_id}},
                         {{"enable.idempotence", "true"}, {"acks", "all"}});
  if (!conf.ok()) return conf.status();
  std::string err;
  if ((*conf)->set(
          "dr_cb",
          static_cast<RdKafka::DeliveryReportCb*>(log->callbacks_.get()),
          err) != RdKafka::Conf::CONF_OK ||
      (*conf)->set("event_cb",
                   static_cast<RdKafka::EventCb*>(log->callbacks_.get()),
                   err) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(absl::StrCat("kafka producer callbacks: ", err));
  }
  log->producer_.reset(RdKafka::Producer::create(conf->get(), err));
  if (!log->producer_) {
    return absl::InternalError(absl::StrCat("kafka producer: ", err));
  }
  for (const std::string& name : options.warm_topics) {
    std::unique_ptr<RdKafka::Topic> topic(
        RdKafka::Topic::create(log->producer_.get(), name, nullptr, err));
    if (!topic) continue;
    RdKafka::Metadata* md = nullptr;
    if (log->producer_->metadata(false, topic.get(), &md, 5000) ==
        RdKafka::ERR_NO_ERROR) {
      delete md;
    }
    log->warm_.push_back(std::move(topic));
  }
  KafkaEventLog* raw = log.get();
  log->poller_ = std::thread([raw] {
    while (!raw->stop_.load()) raw->producer_->poll(50);
  });
  log->reconciler_ = std::thread([raw] { raw->ReconcileLoop(); });
  return log;
}

KafkaEventLog::~KafkaEventLog() {
  {
    absl::MutexLock lock(&reconcile_mu_);
    reconcile_stop_ = true;
  }
  if (reconciler_.joinable()) reconciler_.join();
  if (producer_) {
    (void)Flush(absl::Seconds(5));
    stop_.store(true);
    if (poller_.joinable()) poller_.join();
    // Whatever is still queued gets a purge delivery report, which journals it.
    producer_->purge(RdKafka::Producer::PURGE_QUEUE |
                     RdKafka::Producer::PURGE_INFLIGHT);
    producer_->poll(0);
    warm_.clear();
    producer_.reset();
  } else {
    stop_.store(true);
    if (poller_.joinable()) poller_.join();
  }
}

absl::Status KafkaEventLog::Append(
    const std::vector<eventlog::LogRecord>& records, absl::Duration timeout) {
  const absl::Time start = absl::Now();
  const absl::Time deadline = start + timeout;
  auto batch = std::make_shared<Batch>();
  {
    absl::MutexLock lock(&batch->mu);
    batch->outstanding = static_cast<int>(records.size());
  }
  for (const eventlog::LogRecord& r : records) {
    auto* d = new Delivery{batch, r, start};
    {
      // In flight before produce(): its delivery report may come at once.
      absl::MutexLock lock(&pending_mu_);
      d->seq = next_seq_++;
      pending_.emplace(d->seq, absl::Now());
    }
    for (;;) {
      const RdKafka::ErrorCode code = producer_->produce(
          d->record.topic, RdKafka::Topic::PARTITION_UA,
          RdKafka::Producer::RK_MSG_COPY,
          const_cast<char*>(d->record.value.data()), d->record.value.size(),
          d->record.key.data(), d->record.key.size(), 0, d);
      if (code == RdKafka::ERR_NO_ERROR) break;
      if (code == RdKafka::ERR__QUEUE_FULL && absl::Now() < deadline) {
        absl::SleepFor(absl::Milliseconds(5));  // backpressure, never a drop
        continue;
      }
      // Never handed to the producer: journal it; the caller is not told OK.
      {
        absl::MutexLock lock(&pending_mu_);
        pending_.erase(d->seq);
      }
      failed_.fetch_add(1);
      Journal(d->record, "not_sent", RdKafka::err2str(code));
      {
        absl::MutexLock lock(&batch->mu);
        --batch->outstanding;
        batch->status.Update(
            code == RdKafka::ERR__QUEUE_FULL
                ? absl::DeadlineExceededError(
                      "event log: producer queue full for the whole bound")
                : absl::UnavailableError(absl::StrCat(
                      "event log: produce refused: ", RdKafka::err2str(code))));
      }
      delete d;
      break;
    }
  }
  absl::MutexLock lock(&batch->mu);
  auto done = [&batch]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(batch->mu) {
    return batch->outstanding == 0;
  };
  batch->mu.AwaitWithDeadline(absl::Condition(&done), deadline);
  if (batch->outstanding > 0) {
    batch->abandoned = true;
    return absl::DeadlineExceededError(
        absl::StrCat("event log: ", batch->outstanding, " of ", records.size(),
                     " records not acknowledged within ",
                     absl::FormatDuration(timeout), "; they stay queued"));
  }
  return batch->status;
}

void KafkaEventLog::OnDelivery(Delivery* d, bool ok, bool possibly_persisted,
                               const std::string& error) {
  {
    absl::MutexLock lock(&pending_mu_);
    pending_.erase(d->seq);
  }
  {
    absl::ReaderMutexLock lock(&observer_mu_);
    if (observer_ != nullptr) {
      observer_->OnDeliveryReport(absl::Now() - d->appended, ok);
    }
  }
  bool late = false;
  {
    absl::MutexLock lock(&d->batch->mu);
    late = d->batch->abandoned;
    // Counted before the batch can complete, so a caller whose Append has
    // returned sees its records in stats().
    if (!ok) {
      failed_.fetch_add(1);
    } else if (late) {
      delivered_late_.fetch_add(1);
    } else {
      delivered_.fetch_add(1);
    }
    --d->batch->outstanding;
    if (!ok) {
      d->batch->status.Update(absl::UnavailableError(
          absl::StrCat("event log: delivery failed: ", error)));
    }
  }
  if (ok) {
    if (late) {
      spdlog::info("event=late_delivery record_id={} topic={}",
                   d->record.record_id, d->record.topic);
    }
    return;
  }
  Journal(d->record, possibly_persisted ? "possibly_persisted" : "failed",
          error);
  if (possibly_persisted) {
    absl::MutexLock lock(&reconcile_mu_);
    to_reconcile_.push_back(d->record);
  }
}

void KafkaEventLog::ReconcileLoop() {
  KafkaKeyReader reader(settings_, absl::Seconds(30));
  while (true) {
    eventlog::LogRecord record;
    {
      absl::MutexLock lock(&reconcile_mu_);
      auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(reconcile_mu_) {
        return reconcile_stop_ || !to_reconcile_.empty();
      };
      reconcile_mu_.Await(absl::Condition(&ready));
      if (reconcile_stop_) return;
      record = std::move(to_reconcile_.front());
      to_reconcile_.pop_front();
    }
    absl::StatusOr<eventlog::ReconcileOutcome> outcome =
        eventlog::ReconcileRecord(record, &reader, this, absl::Seconds(10));
    if (!outcome.ok()) {
      Journal(record, "reconcile_failed",
              std::string(outcome.status().message()));
      continue;
    }
    reconciled_.fetch_add(1);
    Journal(record,
            *outcome == eventlog::ReconcileOutcome::kFoundInLog
                ? "reconciled_in_log"
                : "reconciled_appended_again",
            "");
  }
}

void KafkaEventLog::OnFatal(const std::string& error) {
  fatal_.store(true);
  spdlog::critical("event=kafka_fatal detail=\"{}\"", error);
}

void KafkaEventLog::Journal(const eventlog::LogRecord& record,
                            const std::string& state,
                            const std::string& error) {
  spdlog::error(
      "event=record_undelivered record_id={} topic={} key={} state={} "
      "error=\"{}\"",
      record.record_id, record.topic, record.key, state, error);
  if (options_.journal_path.empty()) return;
  nlohmann::json line = {
      {"record_id", record.record_id},
      {"topic", record.topic},
      {"key", record.key},
      {"state", state},
      {"error", error},
      {"at",
       absl::FormatTime(absl::RFC3339_full, absl::Now(), absl::UTCTimeZone())},
      {"value_base64", absl::Base64Escape(record.value)},
  };
  absl::MutexLock lock(&journal_mu_);
  std::ofstream out(options_.journal_path, std::ios::app);
  out << line.dump() << "\n";
  out.flush();
  if (!out) {
    spdlog::critical("event=journal_write_failed record_id={}",
                     record.record_id);
  }
}

absl::Status KafkaEventLog::Flush(absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (producer_->outq_len() > 0) {
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(absl::StrCat(
          "event log: ", producer_->outq_len(), " records still queued"));
    }
    if (stop_.load()) {
      producer_->poll(20);
    } else {
      absl::SleepFor(absl::Milliseconds(10));
    }
  }
  return absl::OkStatus();
}

KafkaEventLogStats KafkaEventLog::stats() const {
  KafkaEventLogStats s;
  s.delivered = delivered_.load();
  s.delivered_late = delivered_late_.load();
  s.failed = failed_.load();
  s.reconciled = reconciled_.load();
  s.healthy = healthy();
  absl::MutexLock lock(&pending_mu_);
  s.in_flight = static_cast<int64_t>(pending_.size());
  if (!pending_.empty()) {
    s.oldest_in_flight = absl::Now() - pending_.begin()->second;
  }
  return s;
}

void KafkaEventLog::SetDeliveryObserver(DeliveryObserver* observer) {
  absl::MutexLock lock(&observer_mu_);
  observer_ = observer;
}

}  // namespace frontdesk::kafka
