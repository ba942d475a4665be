// handoff-prep: builds handoff packets and publishes them to staff queues.
// Thin glue; the logic is in handoff_preparer.h and handoff_desk.h.
#include <iostream>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "libs/auth/staff_authenticator.h"
#include "libs/common/clock.h"
#include "libs/common/service_logging.h"
#include "libs/events/producer_identity.h"
#include "libs/kafka/kafka_key_reader.h"
#include "libs/serving/policy_flags.h"
#include "libs/serving/service_flags.h"
#include "libs/serving/signing_flags.h"
#include "prometheus/registry.h"
#include "services/handoff_prep/escalation_timer.h"
#include "services/handoff_prep/handoff_desk.h"
#include "services/handoff_prep/handoff_prep_service.h"
#include "services/handoff_prep/handoff_probe.h"
#include "services/handoff_prep/staff_console.h"
#include "services/handoff_prep/staff_service.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(int, escalation_tick_ms, 1000,
          "How often unclaimed handoffs past their deadline are escalated");
ABSL_FLAG(int, console_port, 9180,
          "Port of the staff web console (HTTP); 0 turns it off");
ABSL_FLAG(std::string, console_bind, "127.0.0.1",
          "Address the staff web console listens on. It trusts the staff id "
          "and role it is given, so keep it on loopback");

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
  auto keyring =
      frontdesk::serving::LoadKeyringFromFlags((*policy)->tenant_id());
  if (!keyring.ok()) {
    std::cerr << "handoff-prep: refusing to start: " << keyring.status()
              << "\n";
    return 2;
  }
  auto sealer = keyring->SealerFor((*policy)->tenant_id());
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
  if (auto s = frontdesk::serving::SignEventsFromFlags(chain); !s.ok()) {
    std::cerr << "handoff-prep: refusing to start: " << s << "\n";
    return 2;
  }
  frontdesk::handoff_prep::HandoffDesk desk(
      *policy, log->get(), &chain, &*sealer, &*keyring,
      frontdesk::RealClock::Get(),
      frontdesk::serving::AppendTimeoutFromFlags());
  // Claims, resolutions and escalations per queue, as metrics.
  auto registry = std::make_shared<prometheus::Registry>();
  frontdesk::handoff_prep::HandoffProbe probe(*registry, (*policy)->QueueIds());
  desk.SetObserver(&probe);
  // The open handoffs and their timers, rebuilt from the queue topics.
  auto kafka = frontdesk::serving::KafkaSettingsFromFlags();
  if (!kafka.ok()) {
    std::cerr << "handoff-prep: " << kafka.status() << "\n";
    return 2;
  }
  frontdesk::kafka::KafkaKeyReader reader(*kafka);
  size_t restored = 0;
  for (const std::string& q : (*policy)->QueueIds()) {
    auto records = reader.ReadTopic(frontdesk::kafka::HandoffTopic(q));
    if (!records.ok()) {
      std::cerr << "handoff-prep: cannot rebuild the open handoffs: "
                << records.status() << "\n";
      return 1;
    }
    for (const auto& r : *records) restored += desk.Restore(r.value) ? 1 : 0;
  }
  spdlog::info("event=handoffs_restored packets={} open={}", restored,
               desk.stats().open);
  frontdesk::handoff_prep::HandoffPreparer preparer(
      *policy, log->get(), &chain, &*sealer, frontdesk::RealClock::Get(),
      frontdesk::serving::AppendTimeoutFromFlags(), &desk);
  frontdesk::handoff_prep::HandoffPrepService service(&preparer, *registry);
  // Staff prove who they are with tokens (libs/auth/staff_authenticator.h).
  auto staff_auth = frontdesk::auth::StaffAuthenticatorFromFlags(
      (*policy)->tenant_id(), frontdesk::RealClock::Get());
  if (!staff_auth.ok()) {
    std::cerr << "handoff-prep: " << staff_auth.status() << "\n";
    return 2;
  }
  frontdesk::handoff_prep::StaffService staff(&desk, staff_auth->get());
  auto timer = std::make_unique<frontdesk::handoff_prep::EscalationTimer>(
      &desk, absl::Milliseconds(absl::GetFlag(FLAGS_escalation_tick_ms)),
      *registry);
  frontdesk::handoff_prep::StaffConsole console(
      &desk, *policy, frontdesk::RealClock::Get(),
      {.bind = absl::GetFlag(FLAGS_console_bind),
       .port = absl::GetFlag(FLAGS_console_port),
       .authenticator = staff_auth->get()});
  if (absl::GetFlag(FLAGS_console_port) != 0) {
    absl::StatusOr<int> port = console.Start();
    if (!port.ok()) {
      std::cerr << "handoff-prep: " << port.status() << "\n";
      return 1;
    }
  }

  // The console and the escalation timer write to the log: they stop before
  // its final flush.
  return frontdesk::serving::ServeUntilShutdown(
      "handoff-prep", {&service, &staff}, registry, log->get(), [&] {
        console.Stop();
        timer.reset();
      });
}
