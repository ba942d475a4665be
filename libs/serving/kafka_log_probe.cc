#include "libs/serving/kafka_log_probe.h"

#include <utility>

namespace frontdesk::serving {

namespace {

// From a millisecond to the producer's five-minute delivery timeout.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
          0.5,   1,      2,     5,    10,    30,   60,  300};
}

// Adds to `c` what `after` has over `before`.
void Advance(prometheus::Counter& c, int64_t before, int64_t after) {
  if (after > before) c.Increment(static_cast<double>(after - before));
}

}  // namespace

KafkaLogProbe::KafkaLogProbe(std::function<kafka::KafkaEventLogStats()> stats)
    : stats_(std::move(stats)),
      registry_(std::make_shared<prometheus::Registry>()),
      latency_(prometheus::BuildHistogram()
                   .Name("frontdesk_kafka_produce_latency_seconds")
                   .Help("Time from Append to the broker's acknowledgement, "
                         "per record")
                   .Register(*registry_)
                   .Add({}, LatencyBuckets())),
      unacknowledged_(
          prometheus::BuildGauge()
              .Name("frontdesk_kafka_records_unacknowledged")
              .Help("Records waiting on Kafka: queued in the producer or "
                    "sent and not yet acknowledged")
              .Register(*registry_)
              .Add({})),
      oldest_(prometheus::BuildGauge()
                  .Name("frontdesk_kafka_oldest_unacknowledged_seconds")
                  .Help("How long the oldest record waiting on Kafka has "
                        "waited; 0 when none waits")
                  .Register(*registry_)
                  .Add({})),
      healthy_(prometheus::BuildGauge()
                   .Name("frontdesk_kafka_producer_healthy")
                   .Help("1 while the producer works; 0 after a fatal error "
                         "(restart the process)")
                   .Register(*registry_)
                   .Add({})),
      acknowledged_family_(
          prometheus::BuildCounter()
              .Name("frontdesk_kafka_records_acknowledged_total")
              .Help("Records acknowledged by Kafka; timing=late when their "
                    "Append had already given up")
              .Register(*registry_)),
      acknowledged_(acknowledged_family_.Add({{"timing", "in_time"}})),
      acknowledged_late_(acknowledged_family_.Add({{"timing", "late"}})),
      failed_(prometheus::BuildCounter()
                  .Name("frontdesk_kafka_records_failed_total")
                  .Help("Records Kafka refused or possibly persisted, all "
                        "written to the failure journal")
                  .Register(*registry_)
                  .Add({})),
      reconciled_(prometheus::BuildCounter()
                      .Name("frontdesk_kafka_records_reconciled_total")
                      .Help("Possibly-persisted records settled by reading "
                            "the log back")
                      .Register(*registry_)
                      .Add({})) {
  healthy_.Set(1);
}

void KafkaLogProbe::OnDeliveryReport(absl::Duration latency,
                                     bool acknowledged) {
  if (acknowledged) latency_.Observe(absl::ToDoubleSeconds(latency));
}

void KafkaLogProbe::Refresh(const kafka::KafkaEventLogStats& s) const {
  Advance(acknowledged_, exported_.delivered, s.delivered);
  Advance(acknowledged_late_, exported_.delivered_late, s.delivered_late);
  Advance(failed_, exported_.failed, s.failed);
  Advance(reconciled_, exported_.reconciled, s.reconciled);
  unacknowledged_.Set(static_cast<double>(s.in_flight));
  oldest_.Set(absl::ToDoubleSeconds(s.oldest_in_flight));
  healthy_.Set(s.healthy ? 1 : 0);
  exported_ = s;
}

std::vector<prometheus::MetricFamily> KafkaLogProbe::Collect() const {
  const kafka::KafkaEventLogStats s = stats_();
  absl::MutexLock lock(&mu_);
  Refresh(s);
  return registry_->Collect();
}

}  // namespace frontdesk::serving
