// handoff-prep: builds handoff packets and publishes them to staff queues.
// Thin glue; the logic is in handoff_preparer.h.
#include <iostream>

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "libs/common/clock.h"
#include "libs/common/service_logging.h"
#include "libs/events/producer_identity.h"
#include "libs/serving/policy_flags.h"
#include "libs/serving/service_flags.h"
#include "prometheus/registry.h"
#include "services/handoff_prep/handoff_prep_service.h"

int main(int argc, char** argv) {
  frontdesk::serving::BlockShutdownSignals();
  absl::SetProgramUsageMessage(
      "handoff-prep: handoff packets for staff queues");
  absl::ParseCommandLine(argc, argv);
  frontdesk::InitServiceLogging("handoff-prep");

  auto policy = frontdesk::serving::LoadPolicyFromFlags();
  if (!policy.ok()) {
    std::cerr << "handoff-prep: refusing to start: " << policy.status() << "\n";
    return 2;
  }
  auto sealer = frontdesk::serving::LoadSealerFromFlags((*policy)->tenant_id());
  if (!sealer.ok()) {
    std::cerr << "handoff-prep: refusing to start: " << sealer.status() << "\n";
    return 2;
  }
  std::vector<std::string> warm = {frontdesk::kafka::kCallsTopic};
  for (const std::string& q : (*policy)->QueueIds()) {
    warm.push_back(frontdesk::kafka::HandoffTopic(q));
  }
  auto log = frontdesk::serving::StartEventLogFromFlags(
      "handoff-prep", (*policy)->QueueIds(), warm);
  if (!log.ok()) {
    std::cerr << "handoff-prep: " << log.status() << "\n";
    return 1;
  }
  frontdesk::events::EventChain chain(
      frontdesk::events::ThisProcess("handoff-prep"),
      frontdesk::RealClock::Get());
  frontdesk::handoff_prep::HandoffPreparer preparer(
      *policy, log->get(), &chain, &*sealer, frontdesk::RealClock::Get(),
      frontdesk::serving::AppendTimeoutFromFlags());
  auto registry = std::make_shared<prometheus::Registry>();
  frontdesk::handoff_prep::HandoffPrepService service(&preparer, *registry);

  return frontdesk::serving::ServeUntilShutdown("handoff-prep", {&service},
                                                registry, log->get());
}
