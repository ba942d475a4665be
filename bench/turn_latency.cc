// turn_latency: the time one caller turn takes through the whole department.
//
// Plays a scripted call, one call at a time, against a running answer
// service and measures each Turn RPC from send to reply. The script is the
// common mix: an approved answer, then a refill with its intake (name, date
// of birth read back and confirmed, phone, then the handoff), then goodbye. A
// reply arrives only after every event of the turn is acknowledged by Kafka
// (acks=all), so this is the durable turn latency: answer -> Kafka ->
// rules-check -> Kafka -> answer -> Kafka, plus handoff-prep for handoffs.
//
//   turn_latency --answer=127.0.0.1:7101 --turns=400
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/time/clock.h"
#include "frontdesk/answer/v1/answer_service.grpc.pb.h"
#include "libs/serving/tls_flags.h"

ABSL_FLAG(std::string, answer, "127.0.0.1:7101", "answer service address");
ABSL_FLAG(std::string, tenant, "sunrise-family-medicine", "clinic");
ABSL_FLAG(int, turns, 400, "turns to measure");
ABSL_FLAG(int, warmup, 20, "turns to play before measuring");

namespace av = ::frontdesk::answer::v1;

namespace {

const char* const kScript[] = {
    "What are your hours on Saturday?",
    "I need a refill of my blood pressure pills",
    "Maria Lopez",
    "March 3rd 1980",
    "yes",
    "312 555 7788",  // the refill handoff
    "no thanks",     // goodbye: the call is over
};
constexpr int kScriptTurns = sizeof(kScript) / sizeof(kScript[0]);

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto channel = frontdesk::serving::ChannelFromFlags(
      "frontdesk-cli", absl::GetFlag(FLAGS_answer), "answer");
  if (!channel.ok()) {
    std::fprintf(stderr, "turn_latency: %s\n",
                 std::string(channel.status().message()).c_str());
    return 2;
  }
  auto stub = av::Answer::NewStub(*channel);
  const int total = absl::GetFlag(FLAGS_turns) + absl::GetFlag(FLAGS_warmup);
  std::vector<double> ms;
  int fallbacks = 0;
  int errors = 0;
  int played = 0;
  // The first StartCall also connects (and, with mTLS, does the handshake).
  double first_start_ms = -1;
  while (played < total) {
    av::StartCallRequest start;
    start.set_tenant_id(absl::GetFlag(FLAGS_tenant));
    av::StartCallResponse call;
    grpc::ClientContext sctx;
    const absl::Time s0 = absl::Now();
    const bool started = stub->StartCall(&sctx, start, &call).ok();
    if (first_start_ms < 0) {
      first_start_ms = absl::ToDoubleMilliseconds(absl::Now() - s0);
    }
    if (!started || call.fallback()) {
      std::fprintf(stderr, "turn_latency: cannot start a call at %s\n",
                   absl::GetFlag(FLAGS_answer).c_str());
      return 1;
    }
    for (int t = 0; t < kScriptTurns && played < total; ++t, ++played) {
      av::TurnRequest req;
      req.set_call_id(call.call_id());
      req.set_utterance(kScript[t]);
      av::TurnResponse reply;
      grpc::ClientContext ctx;
      const absl::Time t0 = absl::Now();
      grpc::Status s = stub->Turn(&ctx, req, &reply);
      const double took = absl::ToDoubleMilliseconds(absl::Now() - t0);
      if (!s.ok()) {
        ++errors;
        continue;
      }
      if (reply.fallback()) ++fallbacks;
      if (played >= absl::GetFlag(FLAGS_warmup)) ms.push_back(took);
    }
    av::EndCallRequest end;
    end.set_call_id(call.call_id());
    av::EndCallResponse ended;
    grpc::ClientContext ectx;
    (void)stub->EndCall(&ectx, end, &ended);
  }
  if (ms.empty()) {
    std::fprintf(stderr, "turn_latency: no turn measured\n");
    return 1;
  }
  double sum = 0;
  for (double v : ms) sum += v;
  std::printf(
      "turns measured: %zu (after %d warm-up), errors: %d, fallbacks: %d\n",
      ms.size(), absl::GetFlag(FLAGS_warmup), errors, fallbacks);
  std::printf("first StartCall, with connecting: %.2f ms\n", first_start_ms);
  std::printf(
      "turn latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  mean %.2f\n",
      Percentile(ms, 0.50), Percentile(ms, 0.90), Percentile(ms, 0.99),
      Percentile(ms, 1.0), sum / ms.size());
  return errors == 0 && fallbacks == 0 ? 0 : 1;
}
