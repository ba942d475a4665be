#include "libs/kafka/kafka_settings.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace frontdesk::kafka {

std::string HandoffTopic(absl::string_view queue) {
  return absl::StrCat("frontdesk.handoff.", queue, ".v1");
}

absl::StatusOr<KafkaSettings> ParseKafkaSettings(absl::string_view brokers,
                                                 absl::string_view properties) {
  KafkaSettings s;
  s.brokers = std::string(absl::StripAsciiWhitespace(brokers));
  if (s.brokers.empty()) {
    return absl::InvalidArgumentError(
        "kafka brokers: empty; set --kafka_brokers or FRONTDESK_KAFKA_BROKERS");
  }
  int index = 0;
  for (absl::string_view entry :
       absl::StrSplit(properties, ',', absl::SkipWhitespace())) {
    ++index;
    std::pair<std::string, std::string> kv =
        absl::StrSplit(entry, absl::MaxSplits('=', 1));
    const std::string key(absl::StripAsciiWhitespace(kv.first));
    const bool secret =
        absl::StrContains(key, "password") || absl::StrContains(key, "secret");
    if (key.empty() || !absl::StrContains(entry, '=')) {
      return absl::InvalidArgumentError(
          absl::StrCat("kafka properties: entry ", index, " \"",
                       secret ? std::string("<redacted>") : std::string(entry),
                       "\" is not key=value"));
    }
    s.properties[key] = std::string(absl::StripAsciiWhitespace(kv.second));
  }
  return s;
}

std::vector<TopicSpec> FrontdeskTopics(const std::vector<std::string>& queues,
                                       const TopicSettings& settings) {
  std::vector<std::string> names = {kCallsTopic, kAccessTopic, kPolicyTopic};
  for (const std::string& q : queues) names.push_back(HandoffTopic(q));
  std::vector<TopicSpec> out;
  for (const std::string& name : names) {
    TopicSpec t;
    t.name = name;
    t.partitions = settings.partitions;
    t.replication_factor = settings.replication_factor;
    t.config["cleanup.policy"] = "delete";
    t.config["retention.ms"] = std::to_string(settings.retention_ms);
    t.config["min.insync.replicas"] =
        std::to_string(settings.min_insync_replicas);
    t.config["unclean.leader.election.enable"] = "false";
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace frontdesk::kafka
