// Micro-benchmarks of the per-event work: hashing and sealing an envelope,
// verifying it, and sealing PHI. rules_evaluate_benchmark.cc covers the
// Handoff Map.
#include "benchmark/benchmark.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "libs/events/chain_verifier.h"
#include "libs/events/event_chain.h"
#include "libs/phi/phi_sealer.h"

namespace frontdesk {
namespace {

namespace ev = ::frontdesk::events::v1;

events::EventDraft Draft() {
  events::EventDraft d;
  d.tenant_id = "sunrise-family-medicine";
  d.call_id = "0b7c1f0e-5a43-4f4e-9d55-3c1f2f0a9e11";
  d.policy_version = "sunrise-2026.11.27-1";
  d.type = ev::EVENT_TYPE_REPLY_GIVEN;
  ev::ReplyGiven r;
  r.set_turn_index(3);
  r.set_reply_text(std::string(140, 'x'));
  r.add_quoted_texts("office-hours@3");
  d.payload = r.SerializeAsString();
  return d;
}

void BM_EventChainNext(benchmark::State& state) {
  ev::Producer p;
  p.set_service("answer");
  events::EventChain chain(p, RealClock::Get());
  const events::EventDraft d = Draft();
  for (auto _ : state) benchmark::DoNotOptimize(chain.Next(d));
}
BENCHMARK(BM_EventChainNext);

void BM_VerifyEvent(benchmark::State& state) {
  ev::Producer p;
  p.set_service("answer");
  events::EventChain chain(p, RealClock::Get());
  std::vector<std::string> records;
  for (int i = 0; i < 1000; ++i)
    records.push_back(chain.Next(Draft()).SerializeAsString());
  for (auto _ : state) {
    events::ChainVerifier v(Draft().call_id);
    for (const auto& r : records) benchmark::DoNotOptimize(v.Add(r, "p"));
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_VerifyEvent);

void BM_SealPhi(benchmark::State& state) {
  auto sealer = phi::PhiSealer::FromKey(std::string(32, 'k'));
  ev::PhiFields f;
  f.set_utterance(std::string(120, 'w'));
  for (auto _ : state) benchmark::DoNotOptimize(sealer->Seal(f, "t", "c"));
}
BENCHMARK(BM_SealPhi);

}  // namespace
}  // namespace frontdesk

BENCHMARK_MAIN();
