#include "libs/kafka/kafka_settings.h"

#include "gtest/gtest.h"

namespace frontdesk::kafka {
namespace {

TEST(KafkaSettingsTest, ParsesPassThroughProperties) {
  auto s = ParseKafkaSettings(" 127.0.0.1:19092 ",
                              "security.protocol=SSL, ssl.ca.location=/ca.pem");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->brokers, "127.0.0.1:19092");
  EXPECT_EQ(s->properties.at("security.protocol"), "SSL");
  EXPECT_EQ(s->properties.at("ssl.ca.location"), "/ca.pem");
}

TEST(KafkaSettingsTest, EmptyBrokersIsAnError) {
  auto s = ParseKafkaSettings("", "");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(s.status().message()),
            "kafka brokers: empty; set --kafka_brokers or "
            "FRONTDESK_KAFKA_BROKERS");
}

TEST(KafkaSettingsTest, MalformedEntryIsNamedAndSecretsAreNot) {
  auto s = ParseKafkaSettings("b:1", "linger.ms=5,nonsense");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(std::string(s.status().message()),
            "kafka properties: entry 2 \"nonsense\" is not key=value");
  auto secret = ParseKafkaSettings("b:1", "sasl.password");
  ASSERT_FALSE(secret.ok());
  EXPECT_EQ(std::string(secret.status().message()),
            "kafka properties: entry 1 \"<redacted>\" is not key=value");
}

TEST(KafkaSettingsTest, TopicsAreAuditGrade) {
  TopicSettings settings;
  settings.replication_factor = 3;
  settings.min_insync_replicas = 2;
  auto topics = FrontdeskTopics({"nurse-line"}, settings);
  ASSERT_EQ(topics.size(), 4u);
  EXPECT_EQ(topics[0].name, "frontdesk.calls.v1");
  EXPECT_EQ(topics[1].name, "frontdesk.access.v1");
  EXPECT_EQ(topics[2].name, "frontdesk.policy.v1");
  EXPECT_EQ(topics[3].name, "frontdesk.handoff.nurse-line.v1");
  for (const auto& t : topics) {
    EXPECT_EQ(t.replication_factor, 3);
    EXPECT_EQ(t.config.at("cleanup.policy"), "delete");
    EXPECT_EQ(t.config.at("min.insync.replicas"), "2");
    EXPECT_EQ(t.config.at("unclean.leader.election.enable"), "false");
    // At least six years of 365.25 days.
    EXPECT_GE(std::stoll(t.config.at("retention.ms")),
              int64_t{6} * 36525 * 24 * 3600 * 1000 / 100);
  }
}

}  // namespace
}  // namespace frontdesk::kafka
