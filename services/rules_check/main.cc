// rules-check: loads the clinic's policy, keeps it current, and serves
// RulesCheck.Evaluate and Authorize. Thin glue; the logic is in
// handoff_map.h, rules_checker.h and policy_watcher.h.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "libs/common/clock.h"
#include "libs/common/service_logging.h"
#include "libs/events/producer_identity.h"
#include "libs/kafka/kafka_event_log.h"
#include "libs/serving/service_flags.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/rules_check/policy_watcher.h"
#include "services/rules_check/rules_check_service.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, policy,
          frontdesk::serving::EnvOr("FRONTDESK_POLICY", "examples/clinic/policy.yaml"),
          "The clinic's policy file (env FRONTDESK_POLICY)");
ABSL_FLAG(int, policy_poll_ms, 1000, "How often to look for policy file changes");

int main(int argc, char** argv) {
  frontdesk::serving::BlockShutdownSignals();
  absl::SetProgramUsageMessage("rules-check: the Handoff Map as a service");
  absl::ParseCommandLine(argc, argv);
  frontdesk::InitServiceLogging("rules-check");

  const std::string path = absl::GetFlag(FLAGS_policy);
  auto policy = frontdesk::policy::LoadPolicyFile(path);
  if (!policy.ok()) {
    spdlog::critical("event=policy_rejected");
    std::cerr << "rules-check: refusing to start; the policy failed its checks:\n"
              << policy.status().message() << "\n";
    return 2;
  }
  auto shared = std::make_shared<const frontdesk::policy::ClinicPolicy>(*std::move(policy));
  spdlog::info("event=policy_loaded version={} tenant={}", shared->version(),
               shared->tenant_id());

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
               .warm_topics = {frontdesk::kafka::kCallsTopic,
                               frontdesk::kafka::kPolicyTopic}});
  if (!log.ok()) {
    std::cerr << "rules-check: " << log.status() << "\n";
    return 1;
  }
  frontdesk::events::EventChain chain(frontdesk::events::ThisProcess("rules-check"),
                                      frontdesk::RealClock::Get());
  const absl::Duration bound = frontdesk::serving::AppendTimeoutFromFlags();
  frontdesk::rules_check::RulesChecker checker(
      std::make_shared<const frontdesk::rules_check::HandoffMap>(shared), log->get(),
      &chain, bound);
  frontdesk::rules_check::PolicyWatcher watcher(path, &checker, log->get(), &chain,
                                                bound);
  auto registry = std::make_shared<prometheus::Registry>();
  frontdesk::rules_check::RulesCheckService service(&checker, *registry);
  auto& reloads = prometheus::BuildCounter()
                      .Name("frontdesk_rules_policy_reloads_total")
                      .Help("Policy activations, and reloads refused (failed checks "
                            "or unrecorded activation; the old policy stays)")
                      .Register(*registry);
  watcher.SetCounters(&reloads.Add({{"outcome", "activated"}}),
                      &reloads.Add({{"outcome", "refused"}}));
  absl::Status announced = watcher.AnnounceInitial();
  if (!announced.ok()) {
    std::cerr << "rules-check: the policy activation could not be recorded: "
              << announced << "\n";
    return 1;
  }
  watcher.Start(absl::Milliseconds(absl::GetFlag(FLAGS_policy_poll_ms)));

  auto runtime = frontdesk::serving::ServiceRuntime::Start(
      frontdesk::serving::ServiceOptionsFromFlags("rules-check"), {&service}, registry);
  if (!runtime.ok()) {
    std::cerr << "rules-check: " << runtime.status() << "\n";
    return 1;
  }
  (*runtime)->WaitForShutdownSignal();
  watcher.Stop();
  absl::Status flushed = (*log)->Flush(absl::Seconds(10));
  if (!flushed.ok()) spdlog::error("event=flush_incomplete detail=\"{}\"", flushed.message());
  spdlog::info("event=stopped");
  return 0;
}
