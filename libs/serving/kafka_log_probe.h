// KafkaLogProbe: the Kafka producer's metrics, the same in every service
// that writes to the log.
//
//   frontdesk_kafka_produce_latency_seconds        histogram: from Append to
//                                                  the broker's acknowledgement
//   frontdesk_kafka_records_unacknowledged         gauge: records waiting on
//                                                  Kafka (queued or sent)
//   frontdesk_kafka_oldest_unacknowledged_seconds  gauge: how long the oldest
//                                                  of them has waited
//   frontdesk_kafka_records_acknowledged_total{timing}
//                                                  counter; timing="in_time",
//                                                  or "late" (after its Append
//                                                  had given up)
//   frontdesk_kafka_records_failed_total           counter: journalled as
//                                                  undelivered
//   frontdesk_kafka_records_reconciled_total       counter: possibly-persisted
//                                                  records settled
//   frontdesk_kafka_producer_healthy               gauge: 0 after a fatal
//                                                  producer error
//
// The gauges and counters are read from the log's stats() at each scrape, so
// they are current even while no delivery report arrives (a broker that is
// down); the histogram is fed by delivery reports (kafka::DeliveryObserver).
// No label carries a record's key, topic or content.
//
// Example (ServeUntilShutdown does this for every service):
//   auto probe = std::make_shared<KafkaLogProbe>([&] { return log->stats(); });
//   log->SetDeliveryObserver(probe.get());
//   runtime->RegisterCollectable(probe);
//   ...
//   log->SetDeliveryObserver(nullptr);  // before the probe goes
//
// Thread-safe.
#ifndef FRONTDESK_LIBS_SERVING_KAFKA_LOG_PROBE_H_
#define FRONTDESK_LIBS_SERVING_KAFKA_LOG_PROBE_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "libs/kafka/kafka_event_log.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace frontdesk::serving {

class KafkaLogProbe : public prometheus::Collectable,
                      public kafka::DeliveryObserver {
 public:
  // `stats` is called at each scrape; it must stay callable for the life of
  // the probe.
  explicit KafkaLogProbe(std::function<kafka::KafkaEventLogStats()> stats);

  std::vector<prometheus::MetricFamily> Collect() const override;
  void OnDeliveryReport(absl::Duration latency, bool acknowledged) override;

 private:
  // Brings the counters and gauges up to `s`.
  void Refresh(const kafka::KafkaEventLogStats& s) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::function<kafka::KafkaEventLogStats()> stats_;
  const std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Histogram& latency_;
  prometheus::Gauge& unacknowledged_;
  prometheus::Gauge& oldest_;
  prometheus::Gauge& healthy_;
  prometheus::Family<prometheus::Counter>& acknowledged_family_;
  prometheus::Counter& acknowledged_;
  prometheus::Counter& acknowledged_late_;
  prometheus::Counter& failed_;
  prometheus::Counter& reconciled_;
  // Serializes scrapes, so each counter moves by the change since the last.
  mutable absl::Mutex mu_;
  mutable kafka::KafkaEventLogStats exported_ ABSL_GUARDED_BY(mu_);
};

}  // namespace frontdesk::serving

#endif  // FRONTDESK_LIBS_SERVING_KAFKA_LOG_PROBE_H_
