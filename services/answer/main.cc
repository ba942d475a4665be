// answer: owns the conversation of each call.
// Thin glue; the logic is in call_agent.h.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "libs/common/clock.h"
#include "libs/common/service_logging.h"
#include "libs/events/producer_identity.h"
#include "libs/kafka/kafka_key_reader.h"
#include "libs/serving/policy_flags.h"
#include "libs/serving/service_flags.h"
#include "libs/serving/signing_flags.h"
#include "libs/serving/tls_flags.h"
#include "prometheus/registry.h"
#include "services/answer/answer_probe.h"
#include "services/answer/answer_service.h"
#include "services/answer/grpc_dependencies.h"

ABSL_FLAG(std::string, rules_check_addr,
          frontdesk::serving::EnvOr("FRONTDESK_RULES_CHECK_ADDR",
                                    "127.0.0.1:7102"),
          "rules-check gRPC address (env FRONTDESK_RULES_CHECK_ADDR)");
ABSL_FLAG(std::string, handoff_prep_addr,
          frontdesk::serving::EnvOr("FRONTDESK_HANDOFF_PREP_ADDR",
                                    "127.0.0.1:7103"),
          "handoff-prep gRPC address (env FRONTDESK_HANDOFF_PREP_ADDR)");

int main(int argc, char** argv) {
  frontdesk::serving::BlockShutdownSignals();
  absl::SetProgramUsageMessage("answer: the conversation of every call");
  absl::ParseCommandLine(argc, argv);
  frontdesk::InitServiceLogging("answer");

  auto policy = frontdesk::serving::LoadPolicyFromFlags();
  if (!policy.ok()) {
    std::cerr << "answer: refusing to start: " << policy.status() << "\n";
    return 2;
  }
  auto keyring =
      frontdesk::serving::LoadKeyringFromFlags((*policy)->tenant_id());
  if (!keyring.ok()) {
    std::cerr << "answer: refusing to start: " << keyring.status() << "\n";
    return 2;
  }
  auto sealer = keyring->SealerFor((*policy)->tenant_id());
  if (!sealer.ok()) {
    std::cerr << "answer: refusing to start: " << sealer.status() << "\n";
    return 2;
  }
  auto log = frontdesk::serving::StartEventLogFromFlags(
      "answer", (*policy)->QueueIds(), {frontdesk::kafka::kCallsTopic});
  if (!log.ok()) {
    std::cerr << "answer: " << log.status() << "\n";
    return 1;
  }
  frontdesk::events::EventChain chain(frontdesk::events::ThisProcess("answer"),
                                      frontdesk::RealClock::Get());
  if (auto s = frontdesk::serving::SignEventsFromFlags(chain); !s.ok()) {
    std::cerr << "answer: refusing to start: " << s << "\n";
    return 2;
  }
  auto registry = std::make_shared<prometheus::Registry>();
  frontdesk::answer::AnswerProbe probe(*registry);
  auto rules_channel = frontdesk::serving::ChannelFromFlags(
      "answer", absl::GetFlag(FLAGS_rules_check_addr), "rules-check");
  auto handoff_channel = frontdesk::serving::ChannelFromFlags(
      "answer", absl::GetFlag(FLAGS_handoff_prep_addr), "handoff-prep");
  for (const auto* c : {&rules_channel, &handoff_channel}) {
    if (!c->ok()) {
      std::cerr << "answer: " << c->status() << "\n";
      return 2;
    }
  }
  frontdesk::answer::GrpcRulesClient grpc_rules(*rules_channel);
  frontdesk::answer::GrpcHandoffClient grpc_handoff(*handoff_channel);
  // The agent's dependencies, counted for the metrics (answer_probe.h).
  frontdesk::answer::ProbedRulesClient rules(&grpc_rules, &probe);
  frontdesk::answer::ProbedHandoffClient handoff(&grpc_handoff, &probe);
  frontdesk::answer::ProbedEventLog probed_log(log->get());
  const absl::Duration bound = frontdesk::serving::AppendTimeoutFromFlags();
  // Calls this process does not hold are resumed from their events.
  auto kafka = frontdesk::serving::KafkaSettingsFromFlags();
  if (!kafka.ok()) {
    std::cerr << "answer: " << kafka.status() << "\n";
    return 2;
  }
  frontdesk::kafka::KafkaKeyReader history(*kafka);
  frontdesk::answer::CallAgent agent(*policy, &probed_log, &chain, &*sealer,
                                     &rules, &handoff,
                                     {.append_timeout = bound,
                                      .rpc_timeout = bound + absl::Seconds(1),
                                      .keyring = &*keyring},
                                     &history);
  frontdesk::answer::AnswerService service(&agent, &probe);

  return frontdesk::serving::ServeUntilShutdown("answer", {&service}, registry,
                                                log->get());
}
