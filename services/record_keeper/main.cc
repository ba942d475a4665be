// record-keeper: projects frontdesk.calls.v1 into the operating record and
// serves it. Thin glue; the read model is call_record_store.h.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "libs/common/service_logging.h"
#include "libs/kafka/kafka_tailer.h"
#include "libs/serving/service_flags.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "services/record_keeper/records_service.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, consumer_group, "frontdesk-record-keeper",
          "Kafka consumer group of the projection");

int main(int argc, char** argv) {
  frontdesk::serving::BlockShutdownSignals();
  absl::SetProgramUsageMessage("record-keeper: the operating record");
  absl::ParseCommandLine(argc, argv);
  frontdesk::InitServiceLogging("record-keeper");

  auto kafka = frontdesk::serving::KafkaSettingsFromFlags();
  if (!kafka.ok()) {
    std::cerr << "record-keeper: " << kafka.status() << "\n";
    return 2;
  }
  absl::Status topics = frontdesk::kafka::EnsureTopics(
      *kafka,
      frontdesk::kafka::FrontdeskTopics(
          {}, frontdesk::serving::TopicSettingsFromFlags()),
      absl::Seconds(30));
  if (!topics.ok()) {
    std::cerr << "record-keeper: " << topics << "\n";
    return 1;
  }
  auto registry = std::make_shared<prometheus::Registry>();
  auto& projected =
      prometheus::BuildCounter()
          .Name("frontdesk_records_events_total")
          .Help("Records consumed, by outcome: applied, duplicate, damaged")
          .Register(*registry);
  auto& applied = projected.Add({{"outcome", "applied"}});
  auto& duplicate = projected.Add({{"outcome", "duplicate"}});
  auto& damaged = projected.Add({{"outcome", "damaged"}});
  // The same damage, under the name every service reports errors by.
  auto& damaged_error = prometheus::BuildCounter()
                            .Name("frontdesk_errors_total")
                            .Help("Errors by kind")
                            .Register(*registry)
                            .Add({{"kind", "damaged_record"}});

  frontdesk::record_keeper::CallRecordStore store;
  frontdesk::kafka::KafkaTailer tailer(
      *kafka, absl::GetFlag(FLAGS_consumer_group),
      {frontdesk::kafka::kCallsTopic},
      [&](const frontdesk::eventlog::StoredRecord& r) {
        switch (store.Apply(r)) {
          case frontdesk::record_keeper::ApplyOutcome::kApplied:
            applied.Increment();
            break;
          case frontdesk::record_keeper::ApplyOutcome::kDuplicate:
            duplicate.Increment();
            break;
          case frontdesk::record_keeper::ApplyOutcome::kDamaged:
            damaged.Increment();
            damaged_error.Increment();
            break;
        }
      });
  absl::Status started = tailer.Start();
  if (!started.ok()) {
    std::cerr << "record-keeper: " << started << "\n";
    return 1;
  }
  frontdesk::record_keeper::RecordsService service(&store);
  auto runtime = frontdesk::serving::ServiceRuntime::Start(
      frontdesk::serving::ServiceOptionsFromFlags("record-keeper"), {&service},
      registry);
  if (!runtime.ok()) {
    std::cerr << "record-keeper: " << runtime.status() << "\n";
    return 1;
  }
  (*runtime)->WaitForShutdownSignal();
  tailer.Stop();
  spdlog::info("event=stopped applied={}", store.applied());
  return 0;
}
