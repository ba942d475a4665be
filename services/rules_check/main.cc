// rules-check: loads the clinic's policy, keeps it current, and serves
// RulesCheck.Evaluate, Authorize and AuthorizeBooking. Thin glue; the logic
// is in handoff_map.h, booking_rules.h, rules_checker.h and policy_watcher.h.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "libs/common/clock.h"
#include "libs/common/service_logging.h"
#include "libs/events/producer_identity.h"
#include "libs/serving/policy_flags.h"
#include "libs/serving/service_flags.h"
#include "libs/serving/signing_flags.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/rules_check/policy_watcher.h"
#include "services/rules_check/rules_check_service.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(int, policy_poll_ms, 1000,
          "How often to look for policy file changes");

int main(int argc, char** argv) {
  frontdesk::serving::BlockShutdownSignals();
  absl::SetProgramUsageMessage("rules-check: the Handoff Map as a service");
  absl::ParseCommandLine(argc, argv);
  frontdesk::InitServiceLogging("rules-check");

  const std::string path = absl::GetFlag(FLAGS_policy);
  auto shared = frontdesk::serving::LoadPolicyFromFlags();
  if (!shared.ok()) {
    spdlog::critical("event=policy_rejected");
    std::cerr
        << "rules-check: refusing to start; the policy failed its checks:\n"
        << shared.status().message() << "\n";
    return 2;
  }
  spdlog::info("event=policy_loaded version={} tenant={}", (*shared)->version(),
               (*shared)->tenant_id());
  auto log = frontdesk::serving::StartEventLogFromFlags(
      "rules-check", (*shared)->QueueIds(),
      {frontdesk::kafka::kCallsTopic, frontdesk::kafka::kPolicyTopic});
  if (!log.ok()) {
    std::cerr << "rules-check: " << log.status() << "\n";
    return 1;
  }
  frontdesk::events::EventChain chain(
      frontdesk::events::ThisProcess("rules-check"),
      frontdesk::RealClock::Get());
  if (auto s = frontdesk::serving::SignEventsFromFlags(chain); !s.ok()) {
    std::cerr << "rules-check: refusing to start: " << s << "\n";
    return 2;
  }
  const absl::Duration bound = frontdesk::serving::AppendTimeoutFromFlags();
  frontdesk::rules_check::RulesChecker checker(
      std::make_shared<const frontdesk::rules_check::HandoffMap>(*shared),
      log->get(), &chain, bound);
  frontdesk::rules_check::PolicyWatcher watcher(path, &checker, log->get(),
                                                &chain, bound);
  auto registry = std::make_shared<prometheus::Registry>();
  frontdesk::rules_check::RulesCheckService service(&checker, *registry);
  auto& reloads =
      prometheus::BuildCounter()
          .Name("frontdesk_rules_policy_reloads_total")
          .Help(
              "Policy activations, and reloads refused (failed checks "
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

  const int code = frontdesk::serving::ServeUntilShutdown(
      "rules-check", {&service}, registry, log->get());
  watcher.Stop();
  return code;
}
