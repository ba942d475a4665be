// call_memory: the heap the answer agent holds per active call.
//
// Opens N calls on a CallAgent and takes each into the middle of intake (a
// refill: the name taken, the date of birth read back and not yet
// confirmed), then reports the growth of the heap in use (glibc mallinfo2)
// divided by N. The agent's real dependencies are replaced by ones that
// hold nothing (a log that drops records, rules-check's Handoff Map called in
// process), so the figure is the agent's own: its call map, each call's
// state and its hash-chain entry.
//
//   call_memory --calls=20000
#include <malloc.h>

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "libs/common/clock.h"
#include "libs/common/uuid.h"
#include "libs/events/event_chain.h"
#include "libs/phi/phi_sealer.h"
#include "services/answer/call_agent.h"
#include "services/rules_check/handoff_map.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(int, calls, 20000, "active calls to open");

namespace {

namespace av = ::frontdesk::answer::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace rv = ::frontdesk::rules::v1;

class DroppingLog : public frontdesk::eventlog::EventLog {
 public:
  absl::Status Append(const std::vector<frontdesk::eventlog::LogRecord>&,
                      absl::Duration) override {
    return absl::OkStatus();
  }
};

class InProcessMap : public frontdesk::answer::RulesClient {
 public:
  explicit InProcessMap(const frontdesk::rules_check::HandoffMap* map)
      : map_(map) {}
  absl::StatusOr<rv::Decision> Evaluate(const rv::EvaluateRequest& r,
                                        absl::Duration) override {
    std::vector<std::string> alts(r.asr_alternatives().begin(),
                                  r.asr_alternatives().end());
    rv::Decision d = map_->Evaluate(r.utterance(), alts, r.context());
    d.set_decision_id(frontdesk::NewUuid());
    return d;
  }

 private:
  const frontdesk::rules_check::HandoffMap* map_;
};

class NoHandoff : public frontdesk::answer::HandoffClient {
 public:
  absl::StatusOr<hv::PrepareResponse> Prepare(const hv::PrepareRequest&,
                                              absl::Duration) override {
    return absl::UnavailableError("not in this benchmark");
  }
};

size_t HeapInUse() { return mallinfo2().uordblks; }

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  spdlog::set_level(spdlog::level::off);
  auto loaded = frontdesk::policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  if (!loaded.ok()) {
    std::fprintf(stderr, "call_memory: %s\n",
                 std::string(loaded.status().message()).c_str());
    return 1;
  }
  auto policy =
      std::make_shared<const frontdesk::policy::ClinicPolicy>(*loaded);
  frontdesk::rules_check::HandoffMap map(policy);
  InProcessMap rules(&map);
  NoHandoff handoff;
  DroppingLog log;
  frontdesk::events::v1::Producer producer;
  producer.set_service("answer");
  producer.set_instance("bench");
  frontdesk::events::EventChain chain(producer, frontdesk::RealClock::Get());
  auto sealer = frontdesk::phi::PhiSealer::FromKey(std::string(32, 'k'));
  frontdesk::answer::CallAgent agent(policy, &log, &chain, &*sealer, &rules,
                                     &handoff, {});

  const int n = absl::GetFlag(FLAGS_calls);
  const char* const turns[] = {"I need a refill of my blood pressure pills",
                               "Maria Lopez", "March 3rd 1980"};
  av::StartCallRequest start;
  start.set_tenant_id(policy->tenant_id());
  start.set_caller_number("+1 312 555 7788");
  malloc_trim(0);
  const size_t before = HeapInUse();
  for (int i = 0; i < n; ++i) {
    auto call = agent.StartCall(start);
    if (!call.ok() || call->fallback()) {
      std::fprintf(stderr, "call_memory: StartCall failed\n");
      return 1;
    }
    for (const char* words : turns) {
      av::TurnRequest r;
      r.set_call_id(call->call_id());
      r.set_utterance(words);
      auto reply = agent.Turn(r);
      if (!reply.ok() || reply->fallback()) {
        std::fprintf(stderr, "call_memory: a turn failed\n");
        return 1;
      }
    }
  }
  const size_t after = HeapInUse();
  std::printf(
      "active calls: %zu (each mid-intake: name taken, date of birth "
      "read back)\n",
      agent.active_calls());
  std::printf(
      "heap in use: %.1f MiB -> %.1f MiB; per active call: %.0f bytes\n",
      before / 1048576.0, after / 1048576.0,
      static_cast<double>(after - before) / n);
  return 0;
}
