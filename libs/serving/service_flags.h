// Command-line flags that every frontdesk service shares, and helpers that
// turn them into settings. Each flag also reads an environment variable as
// its default (named in the flag's help), so containers can configure by env.
//
//   --host, --grpc_port, --metrics_port, --ready_file, --drain_seconds
//   --kafka_brokers (FRONTDESK_KAFKA_BROKERS), --kafka_properties
//   --topic_partitions, --topic_replication_factor,
//   --topic_min_insync_replicas, --topic_retention_ms
//   --append_timeout_ms: the durability bound (default 2000)
//   --journal_dir: where undeliverable records are journalled
#ifndef FRONTDESK_LIBS_SERVING_SERVICE_FLAGS_H_
#define FRONTDESK_LIBS_SERVING_SERVICE_FLAGS_H_

#include <functional>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/kafka_event_log.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/serving/service_runtime.h"

ABSL_DECLARE_FLAG(std::string, host);
ABSL_DECLARE_FLAG(int, grpc_port);
ABSL_DECLARE_FLAG(int, metrics_port);
ABSL_DECLARE_FLAG(std::string, ready_file);
ABSL_DECLARE_FLAG(int, drain_seconds);
ABSL_DECLARE_FLAG(std::string, kafka_brokers);
ABSL_DECLARE_FLAG(std::string, kafka_properties);
ABSL_DECLARE_FLAG(int, topic_partitions);
ABSL_DECLARE_FLAG(int, topic_replication_factor);
ABSL_DECLARE_FLAG(int, topic_min_insync_replicas);
ABSL_DECLARE_FLAG(int64_t, topic_retention_ms);
ABSL_DECLARE_FLAG(int, append_timeout_ms);
ABSL_DECLARE_FLAG(std::string, journal_dir);

namespace frontdesk::serving {

ServiceOptions ServiceOptionsFromFlags(const std::string& service_name);
absl::StatusOr<kafka::KafkaSettings> KafkaSettingsFromFlags();
kafka::TopicSettings TopicSettingsFromFlags();
absl::Duration AppendTimeoutFromFlags();
// "<journal_dir>/<service>-undelivered.jsonl", or "" when no journal_dir.
std::string JournalPathFromFlags(const std::string& service_name);

// Serves `services` (see ServiceRuntime) until SIGTERM or SIGINT, drains,
// then flushes `log` (may be null). Returns the process exit code: 1 when
// the server could not start, else 0.
// `before_flush`, when given, runs after the shutdown signal and before the
// final flush of the log: stop there whatever still writes to the log.
//
// /metrics serves `registry` and, with a log, the producer's metrics
// (kafka_log_probe.h).
int ServeUntilShutdown(const std::string& service_name,
                       const std::vector<grpc::Service*>& services,
                       std::shared_ptr<prometheus::Registry> registry,
                       kafka::KafkaEventLog* log,
                       const std::function<void()>& before_flush = nullptr);

// The Kafka start of every service: creates the frontdesk topics (with one
// handoff topic per queue in `queues`) and the audit-grade producer for
// `service_name`, warmed up for `warm_topics`. The status names what failed.
absl::StatusOr<std::unique_ptr<kafka::KafkaEventLog>> StartEventLogFromFlags(
    const std::string& service_name, const std::vector<std::string>& queues,
    std::vector<std::string> warm_topics);

}  // namespace frontdesk::serving

#endif  // FRONTDESK_LIBS_SERVING_SERVICE_FLAGS_H_
