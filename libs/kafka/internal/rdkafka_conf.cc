#include "libs/kafka/internal/rdkafka_conf.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace frontdesk::kafka::internal {

absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeConf(
    const KafkaSettings& settings,
    const std::map<std::string, std::string>& defaults,
    const std::map<std::string, std::string>& fixed) {
  std::unique_ptr<RdKafka::Conf> conf(
      RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  auto set = [&](const std::string& k, const std::string& v) -> absl::Status {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("kafka property ", k, ": ", err));
    }
    return absl::OkStatus();
  };
  absl::Status st = set("bootstrap.servers", settings.brokers);
  for (const auto& m : {defaults, settings.properties, fixed}) {
    for (const auto& [k, v] : m) {
      if (st.ok()) st = set(k, v);
    }
  }
  if (!st.ok()) return st;
  return conf;
}

}  // namespace frontdesk::kafka::internal
