#include "libs/serving/kafka_log_probe.h"

#include <string>

#include "gtest/gtest.h"
#include "prometheus/metric_family.h"

namespace frontdesk::serving {
namespace {

// The one sample of `name` whose labels include `label`="value" (any when
// `label` is empty); fails the test when there is none.
prometheus::ClientMetric Sample(const std::vector<prometheus::MetricFamily>& fs,
                                const std::string& name,
                                const std::string& label = "",
                                const std::string& value = "") {
  for (const auto& f : fs) {
    if (f.name != name) continue;
    for (const auto& m : f.metric) {
      if (label.empty()) return m;
      for (const auto& l : m.label) {
        if (l.name == label && l.value == value) return m;
      }
    }
  }
  ADD_FAILURE() << "no sample " << name << " " << label << "=" << value;
  return {};
}

TEST(KafkaLogProbeTest, ExportsTheLogStatsAtEachScrape) {
  kafka::KafkaEventLogStats stats;
  KafkaLogProbe probe([&stats] { return stats; });

  auto fs = probe.Collect();
  EXPECT_EQ(Sample(fs, "frontdesk_kafka_records_unacknowledged").gauge.value,
            0);
  EXPECT_EQ(Sample(fs, "frontdesk_kafka_producer_healthy").gauge.value, 1);

  stats.delivered = 7;
  stats.delivered_late = 2;
  stats.failed = 1;
  stats.reconciled = 1;
  stats.in_flight = 3;
  stats.oldest_in_flight = absl::Milliseconds(2500);
  stats.healthy = false;
  fs = probe.Collect();
  EXPECT_EQ(Sample(fs, "frontdesk_kafka_records_acknowledged_total", "timing",
                   "in_time")
                .counter.value,
            7);
  EXPECT_EQ(
      Sample(fs, "frontdesk_kafka_records_acknowledged_total", "timing", "late")
          .counter.value,
      2);
  EXPECT_EQ(Sample(fs, "frontdesk_kafka_records_failed_total").counter.value,
            1);
  EXPECT_EQ(
      Sample(fs, "frontdesk_kafka_records_reconciled_total").counter.value, 1);
  EXPECT_EQ(Sample(fs, "frontdesk_kafka_records_unacknowledged").gauge.value,
            3);
  EXPECT_EQ(
      Sample(fs, "frontdesk_kafka_oldest_unacknowledged_seconds").gauge.value,
      2.5);
  EXPECT_EQ(Sample(fs, "frontdesk_kafka_producer_healthy").gauge.value, 0);

  // Counters move by the change only; gauges follow the log.
  stats.delivered = 10;
  stats.in_flight = 0;
  stats.oldest_in_flight = absl::ZeroDuration();
  fs = probe.Collect();
  fs = probe.Collect();
  EXPECT_EQ(Sample(fs, "frontdesk_kafka_records_acknowledged_total", "timing",
                   "in_time")
                .counter.value,
            10);
  EXPECT_EQ(Sample(fs, "frontdesk_kafka_records_unacknowledged").gauge.value,
            0);
  EXPECT_EQ(
      Sample(fs, "frontdesk_kafka_oldest_unacknowledged_seconds").gauge.value,
      0);
}

TEST(KafkaLogProbeTest, LatencyCountsAcknowledgedRecordsOnly) {
  KafkaLogProbe probe([] { return kafka::KafkaEventLogStats(); });
  probe.OnDeliveryReport(absl::Milliseconds(4), true);
  probe.OnDeliveryReport(absl::Milliseconds(30), true);
  probe.OnDeliveryReport(absl::Seconds(300), false);

  const auto h =
      Sample(probe.Collect(), "frontdesk_kafka_produce_latency_seconds")
          .histogram;
  EXPECT_EQ(h.sample_count, 2u);
  EXPECT_DOUBLE_EQ(h.sample_sum, 0.034);
  // Buckets are cumulative: 0.005 holds the 4 ms record, 0.05 both.
  int checked = 0;
  for (const auto& b : h.bucket) {
    if (b.upper_bound == 0.005) {
      EXPECT_EQ(b.cumulative_count, 1u);
      ++checked;
    }
    if (b.upper_bound == 0.05) {
      EXPECT_EQ(b.cumulative_count, 2u);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2);
}

}  // namespace
}  // namespace frontdesk::serving
