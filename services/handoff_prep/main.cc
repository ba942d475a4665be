// handoff-prep: builds handoff packets and publishes them to staff queues.
// Thin glue; the logic is in handoff_preparer.h.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "libs/common/clock.h"
#include "libs/common/service_logging.h"
#include "libs/events/producer_identity.h"
#include "libs/kafka/kafka_event_log.h"
#include "libs/serving/service_flags.h"
#include "prometheus/registry.h"
#include "services/handoff_prep/handoff_prep_service.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, policy,
          frontdesk::serving::EnvOr("FRONTDESK_POLICY", "examples/clinic/policy.yaml"),
          "The clinic's policy file (env FRONTDESK_POLICY)");
ABSL_FLAG(std::string, phi_key_file, frontdesk::serving::EnvOr("FRONTDESK_PHI_KEY_FILE", ""),
          "File with the 32-byte PHI sealing key in hex (env FRONTDESK_PHI_KEY_FILE)");

int main(int argc, char** argv) {
  frontdesk::serving::BlockShutdownSignals();
  absl::SetProgramUsageMessage("handoff-prep: handoff packets for staff queues");
  absl::ParseCommandLine(argc, argv);
  frontdesk::InitServiceLogging("handoff-prep");

  auto policy = frontdesk::policy::LoadPolicyFile(absl::GetFlag(FLAGS_policy));
  if (!policy.ok()) {
    std::cerr << "handoff-prep: refusing to start: " << policy.status() << "\n";
    return 2;
  }
  auto shared = std::make_shared<const frontdesk::policy::ClinicPolicy>(*std::move(policy));
  auto sealer = frontdesk::phi::PhiSealer::FromKeyFile(absl::GetFlag(FLAGS_phi_key_file));
  if (!sealer.ok()) {
    std::cerr << "handoff-prep: refusing to start: " << sealer.status() << "\n";
    return 2;
  }
  auto kafka = frontdesk::serving::KafkaSettingsFromFlags();
  if (!kafka.ok()) {
    std::cerr << "handoff-prep: " << kafka.status() << "\n";
    return 2;
  }
  absl::Status topics = frontdesk::kafka::EnsureTopics(
      *kafka,
      frontdesk::kafka::FrontdeskTopics(shared->QueueIds(),
                                        frontdesk::serving::TopicSettingsFromFlags()),
      absl::Seconds(30));
  if (!topics.ok()) {
    std::cerr << "handoff-prep: " << topics << "\n";
    return 1;
  }
  std::vector<std::string> warm = {frontdesk::kafka::kCallsTopic};
  for (const std::string& q : shared->QueueIds()) {
    warm.push_back(frontdesk::kafka::HandoffTopic(q));
  }
  auto log = frontdesk::kafka::KafkaEventLog::Create(
      *kafka, {.journal_path = frontdesk::serving::JournalPathFromFlags("handoff-prep"),
               .client_id = "frontdesk-handoff-prep",
               .warm_topics = warm});
  if (!log.ok()) {
    std::cerr << "handoff-prep: " << log.status() << "\n";
    return 1;
  }
  frontdesk::events::EventChain chain(frontdesk::events::ThisProcess("handoff-prep"),
                                      frontdesk::RealClock::Get());
  frontdesk::handoff_prep::HandoffPreparer preparer(
      shared, log->get(), &chain, &*sealer, frontdesk::RealClock::Get(),
      frontdesk::serving::AppendTimeoutFromFlags());
  auto registry = std::make_shared<prometheus::Registry>();
  frontdesk::handoff_prep::HandoffPrepService service(&preparer, *registry);

  auto runtime = frontdesk::serving::ServiceRuntime::Start(
      frontdesk::serving::ServiceOptionsFromFlags("handoff-prep"), {&service}, registry);
  if (!runtime.ok()) {
    std::cerr << "handoff-prep: " << runtime.status() << "\n";
    return 1;
  }
  (*runtime)->WaitForShutdownSignal();
  absl::Status flushed = (*log)->Flush(absl::Seconds(10));
  if (!flushed.ok()) spdlog::error("event=flush_incomplete detail=\"{}\"", flushed.message());
  spdlog::info("event=stopped");
  return 0;
}
