// Builds librdkafka configurations from KafkaSettings. Not for use outside
// libs/kafka.
#ifndef FRONTDESK_LIBS_KAFKA_INTERNAL_RDKAFKA_CONF_H_
#define FRONTDESK_LIBS_KAFKA_INTERNAL_RDKAFKA_CONF_H_

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::kafka::internal {

// bootstrap.servers, then `defaults`, then the pass-through properties (so an
// operator can override a default), then `fixed` (which nobody overrides).
absl::StatusOr<std::unique_ptr<RdKafka::Conf>> MakeConf(
    const KafkaSettings& settings,
    const std::map<std::string, std::string>& defaults,
    const std::map<std::string, std::string>& fixed);

}  // namespace frontdesk::kafka::internal

#endif  // FRONTDESK_LIBS_KAFKA_INTERNAL_RDKAFKA_CONF_H_
