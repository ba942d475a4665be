// KafkaSettings: how frontdesk connects to Kafka, and the topic layout.
//
// Brokers come from a flag or FRONTDESK_KAFKA_BROKERS. Any other librdkafka
// client property (security.protocol, ssl.*, sasl.*) passes through as
// "key=value" pairs, so TLS and SASL need no code change.
//
// Topics (all keyed by call id, never compacted):
//   frontdesk.calls.v1              every call event
//   frontdesk.handoff.<queue>.v1    handoff packets, one topic per staff queue
//   frontdesk.access.v1             reads of the record
//   frontdesk.policy.v1             policy edits and activations
//
// Example:
//   absl::StatusOr<KafkaSettings> s =
//       ParseKafkaSettings("127.0.0.1:19092", "client.rack=a,linger.ms=2");
#ifndef FRONTDESK_LIBS_KAFKA_KAFKA_SETTINGS_H_
#define FRONTDESK_LIBS_KAFKA_KAFKA_SETTINGS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace frontdesk::kafka {

inline constexpr char kCallsTopic[] = "frontdesk.calls.v1";
inline constexpr char kAccessTopic[] = "frontdesk.access.v1";
inline constexpr char kPolicyTopic[] = "frontdesk.policy.v1";

// "frontdesk.handoff.<queue>.v1". `queue` must be a valid queue id
// ([a-z0-9-]+), which the policy loader guarantees.
std::string HandoffTopic(absl::string_view queue);

struct KafkaSettings {
  // Comma-separated host:port list.
  std::string brokers;
  // Extra librdkafka properties, applied to every client.
  std::map<std::string, std::string> properties;
};

// Parses "k=v,k=v" pass-through properties. INVALID_ARGUMENT names the
// malformed entry. Values of keys containing "password" or "secret" are never
// echoed in errors.
absl::StatusOr<KafkaSettings> ParseKafkaSettings(absl::string_view brokers,
                                                 absl::string_view properties);

// Settings of the audit topics.
struct TopicSettings {
  int partitions = 3;
  // 1 locally; 3 in production.
  int replication_factor = 1;
  // 1 locally; 2 in production.
  int min_insync_replicas = 1;
  // Defaults to 3653 days (ten years): over the six years HIPAA keeps
  // documentation, and over the sample policy's PHI retention (7 years), so
  // the audit skeleton outlives the keys shredded at the end of it.
  int64_t retention_ms = int64_t{3653} * 24 * 3600 * 1000;
};

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  std::map<std::string, std::string> config;
};

// The frontdesk topics for a clinic with these handoff queues: never
// compacted (cleanup.policy=delete), retention and replication as given,
// unclean leader election off.
std::vector<TopicSpec> FrontdeskTopics(const std::vector<std::string>& queues,
                                       const TopicSettings& settings);

// Creates the topics that do not exist yet, through the Kafka admin API.
// Topics that already exist are left as they are. Fails with the broker's
// error for any topic it could not create, naming the topic.
absl::Status EnsureTopics(const KafkaSettings& settings,
                          const std::vector<TopicSpec>& topics,
                          absl::Duration timeout);

}  // namespace frontdesk::kafka

#endif  // FRONTDESK_LIBS_KAFKA_KAFKA_SETTINGS_H_
