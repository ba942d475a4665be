// rules-check: loads the clinic's policy and serves RulesCheck.Evaluate.
// Thin glue; the logic is in rules_checker.h and handoff_map.h.
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
#include "services/rules_check/rules_check_service.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, policy,
          frontdesk::serving::EnvOr("FRONTDESK_POLICY", "examples/clinic/policy.yaml"),
          "The clinic's policy file (env FRONTDESK_POLICY)");

int main(int argc, char** argv) {
  frontdesk::serving::BlockShutdownSignals();
  absl::SetProgramUsageMessage("rules-check: the Handoff Map as a service");
  absl::ParseCommandLine(argc, argv);
  frontdesk::InitServiceLogging("rules-check");

  auto policy = frontdesk::policy::LoadPolicyFile(absl::GetFlag(FLAGS_policy));
  if (!policy.ok()) {
    spdlog::critical("event=policy_rejected detail=\"{}\"", policy.status().message());
    std::cerr << "rules-check: refusing to start: " << policy.status() << "\n";
    return 2;
  }
  auto shared = std::make_shared<const frontdesk::policy::ClinicPolicy>(*std::move(policy));
  spdlog::info("event=policy_loaded version={} tenant={}", shared->version,
               shared->clinic.tenant_id);

  auto kafka = frontdesk::serving::KafkaSettingsFromFlags();
  if (!kafka.ok()) {
    std::cerr << "rules-check: " << kafka.status() << "\n";
    return 2;
  }
  absl::Status topics = frontdesk::kafka::EnsureTopics(
      *kafka,
      frontdesk::kafka::FrontdeskTopics(shared->QueueIds(),
                                        frontdesk::serving::TopicSettingsFromFlags()),
      absl::Seconds(30));
  if (!topics.ok()) {
    std::cerr << "rules-check: " << topics << "\n";
    return 1;
  }
  auto log = frontdesk::kafka::KafkaEventLog::Create(
      *kafka, {.journal_path = frontdesk::serving::JournalPathFromFlags("rules-check"),
               .client_id = "frontdesk-rules-check",
               .warm_topics = {frontdesk::kafka::kCallsTopic}});
  if (!log.ok()) {
    std::cerr << "rules-check: " << log.status() << "\n";
    return 1;
  }
  frontdesk::events::EventChain chain(frontdesk::events::ThisProcess("rules-check"),
                                      frontdesk::RealClock::Get());
  frontdesk::rules_check::RulesChecker checker(
      shared, log->get(), &chain, frontdesk::serving::AppendTimeoutFromFlags());
  auto registry = std::make_shared<prometheus::Registry>();
  frontdesk::rules_check::RulesCheckService service(&checker, *registry);

  auto runtime = frontdesk::serving::ServiceRuntime::Start(
      frontdesk::serving::ServiceOptionsFromFlags("rules-check"), {&service}, registry);
  if (!runtime.ok()) {
    std::cerr << "rules-check: " << runtime.status() << "\n";
    return 1;
  }
  (*runtime)->WaitForShutdownSignal();
  absl::Status flushed = (*log)->Flush(absl::Seconds(10));
  if (!flushed.ok()) spdlog::error("event=flush_incomplete detail=\"{}\"", flushed.message());
  spdlog::info("event=stopped");
  return 0;
}
