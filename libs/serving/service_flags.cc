#include "libs/serving/service_flags.h"

#include <iostream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "libs/serving/kafka_log_probe.h"
#include "libs/serving/tls_flags.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, host,
          frontdesk::serving::EnvOr("FRONTDESK_HOST", "127.0.0.1"),
          "Address to listen on (env FRONTDESK_HOST)");
ABSL_FLAG(int, grpc_port, 0, "gRPC port; 0 picks a free port");
ABSL_FLAG(int, metrics_port, 0,
          "Prometheus /metrics port; 0 picks a free port");
ABSL_FLAG(int, health_port, 0,
          "When > 0, a plaintext port serving only the gRPC health service, "
          "for probes without a client certificate");
ABSL_FLAG(std::string, ready_file, "",
          "Written with the bound ports once the service is serving");
ABSL_FLAG(int, drain_seconds, 10,
          "On SIGTERM, how long in-flight requests may take to finish");
ABSL_FLAG(std::string, kafka_brokers,
          frontdesk::serving::EnvOr("FRONTDESK_KAFKA_BROKERS",
                                    "127.0.0.1:19092"),
          "Kafka bootstrap servers (env FRONTDESK_KAFKA_BROKERS)");
ABSL_FLAG(std::string, kafka_properties,
          frontdesk::serving::EnvOr("FRONTDESK_KAFKA_PROPERTIES", ""),
          "Extra librdkafka properties as k=v,k=v, e.g. TLS and SASL settings "
          "(env FRONTDESK_KAFKA_PROPERTIES)");
ABSL_FLAG(int, topic_partitions, 3,
          "Partitions of topics this service creates");
ABSL_FLAG(int, topic_replication_factor, 1,
          "Replication factor of topics this service creates (production: 3)");
ABSL_FLAG(int, topic_min_insync_replicas, 1,
          "min.insync.replicas of topics this service creates (production: 2)");
ABSL_FLAG(int64_t, topic_retention_ms, int64_t{3653} * 24 * 3600 * 1000,
          "Retention of audit topics; defaults to 3653 days (10 years), longer "
          "than the policy's PHI retention");
ABSL_FLAG(int, append_timeout_ms, 2000,
          "How long to wait for Kafka to acknowledge an event before failing "
          "closed");
ABSL_FLAG(std::string, journal_dir,
          frontdesk::serving::EnvOr("FRONTDESK_JOURNAL_DIR", ""),
          "Folder for the journal of undeliverable records (env "
          "FRONTDESK_JOURNAL_DIR)");

namespace frontdesk::serving {

ServiceOptions ServiceOptionsFromFlags(const std::string& service_name) {
  ServiceOptions o;
  o.service_name = service_name;
  o.host = absl::GetFlag(FLAGS_host);
  o.grpc_port = absl::GetFlag(FLAGS_grpc_port);
  o.metrics_port = absl::GetFlag(FLAGS_metrics_port);
  o.ready_file = absl::GetFlag(FLAGS_ready_file);
  o.drain = absl::Seconds(absl::GetFlag(FLAGS_drain_seconds));
  o.tls_dir = absl::GetFlag(FLAGS_tls_dir);
  o.health_port = absl::GetFlag(FLAGS_health_port);
  o.plaintext_for_development = absl::GetFlag(FLAGS_plaintext_for_development);
  return o;
}

absl::StatusOr<kafka::KafkaSettings> KafkaSettingsFromFlags() {
  return kafka::ParseKafkaSettings(absl::GetFlag(FLAGS_kafka_brokers),
                                   absl::GetFlag(FLAGS_kafka_properties));
}

kafka::TopicSettings TopicSettingsFromFlags() {
  kafka::TopicSettings t;
  t.partitions = absl::GetFlag(FLAGS_topic_partitions);
  t.replication_factor = absl::GetFlag(FLAGS_topic_replication_factor);
  t.min_insync_replicas = absl::GetFlag(FLAGS_topic_min_insync_replicas);
  t.retention_ms = absl::GetFlag(FLAGS_topic_retention_ms);
  return t;
}

absl::Duration AppendTimeoutFromFlags() {
  return absl::Milliseconds(absl::GetFlag(FLAGS_append_timeout_ms));
}

std::string JournalPathFromFlags(const std::string& service_name) {
  const std::string dir = absl::GetFlag(FLAGS_journal_dir);
  if (dir.empty()) return "";
  return absl::StrCat(dir, "/", service_name, "-undelivered.jsonl");
}

int ServeUntilShutdown(const std::string& service_name,
                       const std::vector<grpc::Service*>& services,
                       std::shared_ptr<prometheus::Registry> registry,
                       kafka::KafkaEventLog* log,
                       const std::function<void()>& before_flush) {
  auto runtime = ServiceRuntime::Start(ServiceOptionsFromFlags(service_name),
                                       services, std::move(registry));
  if (!runtime.ok()) {
    std::cerr << service_name << ": " << runtime.status() << "\n";
    return 1;
  }
  std::shared_ptr<KafkaLogProbe> probe;
  if (log != nullptr) {
    probe = std::make_shared<KafkaLogProbe>([log] { return log->stats(); });
    log->SetDeliveryObserver(probe.get());
    (*runtime)->RegisterCollectable(probe);
  }
  (*runtime)->WaitForShutdownSignal();
  if (before_flush) before_flush();
  if (log != nullptr) {
    absl::Status flushed = log->Flush(absl::Seconds(10));
    if (!flushed.ok()) {
      spdlog::error("event=flush_incomplete detail=\"{}\"",
                    std::string(flushed.message()));
    }
    // The log outlives this function; the probe does not.
    log->SetDeliveryObserver(nullptr);
  }
  spdlog::info("event=stopped");
  return 0;
}

absl::StatusOr<std::unique_ptr<kafka::KafkaEventLog>> StartEventLogFromFlags(
    const std::string& service_name, const std::vector<std::string>& queues,
    std::vector<std::string> warm_topics) {
  absl::StatusOr<kafka::KafkaSettings> settings = KafkaSettingsFromFlags();
  if (!settings.ok()) return settings.status();
  absl::Status topics = kafka::EnsureTopics(
      *settings, kafka::FrontdeskTopics(queues, TopicSettingsFromFlags()),
      absl::Seconds(30));
  if (!topics.ok()) return topics;
  return kafka::KafkaEventLog::Create(
      *settings, {.journal_path = JournalPathFromFlags(service_name),
                  .client_id = absl::StrCat("frontdesk-", service_name),
                  .warm_topics = std::move(warm_topics)});
}

}  // namespace frontdesk::serving
