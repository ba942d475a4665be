// Debian's librdkafka against the pinned broker: the admin API, an
// acknowledged produce, a plain consume and a consumer group.
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "libs/common/uuid.h"
#include "libs/kafka/kafka_event_log.h"
#include "libs/kafka/kafka_key_reader.h"
#include "libs/kafka/kafka_tailer.h"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {
namespace {

TEST(KafkaCompatTest, AdminProduceConsumeAndConsumerGroup) {
  kafka::KafkaSettings settings;
  settings.brokers = TestBrokers();
  const std::string topic = "frontdesk.compat." + NewUuid();
  kafka::TopicSpec spec;
  spec.name = topic;
  spec.partitions = 2;
  spec.config["retention.ms"] = "3600000";
  ASSERT_TRUE(kafka::EnsureTopics(settings, {spec}, absl::Seconds(30)).ok());
  // Creating it again is not an error.
  ASSERT_TRUE(kafka::EnsureTopics(settings, {spec}, absl::Seconds(30)).ok());

  auto log = kafka::KafkaEventLog::Create(settings, {});
  ASSERT_TRUE(log.ok()) << log.status();
  std::vector<eventlog::LogRecord> records;
  for (int i = 0; i < 20; ++i) {
    records.push_back({topic, i % 2 ? "odd" : "even", "v" + std::to_string(i),
                       "r" + std::to_string(i)});
  }
  absl::Status appended = (*log)->Append(records, absl::Seconds(30));
  ASSERT_TRUE(appended.ok()) << appended;
  EXPECT_EQ((*log)->stats().delivered, 20);
  EXPECT_EQ((*log)->stats().failed, 0);

  kafka::KafkaKeyReader reader(settings);
  auto even = reader.ReadKey(topic, "even");
  ASSERT_TRUE(even.ok()) << even.status();
  ASSERT_EQ(even->size(), 10u);
  for (size_t i = 0; i < even->size(); ++i) {
    EXPECT_EQ((*even)[i].value, "v" + std::to_string(2 * i));
  }

  absl::Mutex mu;
  int seen = 0;
  kafka::KafkaTailer tailer(settings, "frontdesk-compat-" + NewUuid(), {topic},
                            [&](const eventlog::StoredRecord&) {
                              absl::MutexLock lock(&mu);
                              ++seen;
                            });
  ASSERT_TRUE(tailer.Start().ok());
  {
    absl::MutexLock lock(&mu);
    auto all = [&seen]() { return seen >= 20; };
    mu.AwaitWithTimeout(absl::Condition(&all), absl::Seconds(60));
    EXPECT_EQ(seen, 20);
  }
  tailer.Stop();

  auto missing = reader.ReadKey("frontdesk.no-such-topic." + NewUuid(), "k");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(KafkaCompatTest, UnreachableBrokerIsAClearError) {
  kafka::KafkaSettings settings;
  settings.brokers = "127.0.0.1:1";
  kafka::TopicSpec spec;
  spec.name = "frontdesk.unreachable";
  absl::Status s = kafka::EnsureTopics(settings, {spec}, absl::Seconds(2));
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.code() == absl::StatusCode::kDeadlineExceeded ||
              s.code() == absl::StatusCode::kUnavailable)
      << s;
}

}  // namespace
}  // namespace frontdesk::testing
