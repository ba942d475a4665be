// The Handoff Map's cost per utterance: HandoffMap::Evaluate with the sample
// clinic's policy, single thread, over the utterances of the rules corpus
// (tests/rules/utterance_corpus.tsv), which mixes short requests, long
// rambling sentences, noise and triggers.
//
// Reports utterances per second (items_per_second) and the p50/p99 latency
// of single Evaluate calls in microseconds.
#include <algorithm>
#include <chrono>
#include <fstream>

#include "absl/strings/str_split.h"
#include "benchmark/benchmark.h"
#include "services/rules_check/handoff_map.h"

namespace frontdesk::rules_check {
namespace {

std::vector<std::string> Utterances() {
  std::vector<std::string> out;
  std::ifstream in(FRONTDESK_UTTERANCE_CORPUS);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols = absl::StrSplit(line, '\t');
    if (cols.size() == 3) out.push_back(cols[2]);
  }
  return out;
}

void BM_Evaluate(benchmark::State& state) {
  auto policy = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  if (!policy.ok()) {
    state.SkipWithError("the sample policy does not load");
    return;
  }
  HandoffMap map(
      std::make_shared<const policy::ClinicPolicy>(*std::move(policy)));
  const std::vector<std::string> words = Utterances();
  if (words.empty()) {
    state.SkipWithError("no utterances in the corpus");
    return;
  }
  std::vector<double> micros;
  micros.reserve(1 << 20);
  size_t i = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(
        map.Evaluate(words[i], {}, frontdesk::rules::v1::CallContext()));
    const auto t1 = std::chrono::steady_clock::now();
    if (micros.size() < micros.capacity()) {
      micros.push_back(
          std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    i = (i + 1) % words.size();
  }
  state.SetItemsProcessed(state.iterations());
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] =
      micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
  state.counters["utterances"] = static_cast<double>(words.size());
}
BENCHMARK(BM_Evaluate);

}  // namespace
}  // namespace frontdesk::rules_check

BENCHMARK_MAIN();
