// handoff_latency: the time from the caller's words to the handoff packet on
// the queue's topic, through the whole department.
//
// For each of N calls: start a call, send "I have chest pain" and note the
// time; a Kafka consumer following frontdesk.handoff.nurse-line.v1 notes
// when that call's packet arrives. Reports p50/p90/p99 of words -> packet on
// the topic (what a staff queue app subscribed to the topic would see), and
// of the Turn RPC itself. Run against a running department (`make bench`).
//
//   handoff_latency --answer=127.0.0.1:7101 --calls=200
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "frontdesk/answer/v1/answer_service.grpc.pb.h"
#include "frontdesk/handoff/v1/handoff_service.pb.h"
#include "libs/common/uuid.h"
#include "libs/kafka/kafka_tailer.h"
#include "libs/serving/tls_flags.h"

ABSL_FLAG(std::string, answer, "127.0.0.1:7101", "answer service address");
ABSL_FLAG(std::string, kafka_brokers, "127.0.0.1:19092", "Kafka brokers");
ABSL_FLAG(std::string, tenant, "sunrise-family-medicine", "clinic");
ABSL_FLAG(int, calls, 200, "urgent calls to measure");

namespace av = ::frontdesk::answer::v1;
namespace hv = ::frontdesk::handoff::v1;

namespace {

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * v.size()));
  return v[i];
}

void Report(const char* what, const std::vector<double>& ms) {
  std::printf("%s ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f (n=%zu)\n", what,
              Percentile(ms, 0.5), Percentile(ms, 0.9), Percentile(ms, 0.99),
              Percentile(ms, 1.0), ms.size());
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  absl::Mutex mu;
  absl::flat_hash_map<std::string, absl::Time> arrived;
  frontdesk::kafka::KafkaSettings settings;
  settings.brokers = absl::GetFlag(FLAGS_kafka_brokers);
  frontdesk::kafka::KafkaTailer tailer(
      settings, "frontdesk-bench-" + frontdesk::NewUuid(),
      {"frontdesk.handoff.nurse-line.v1"},
      [&](const frontdesk::eventlog::StoredRecord& r) {
        const absl::Time now = absl::Now();
        hv::HandoffPacket p;
        if (!p.ParseFromString(r.value) || p.revision() > 1) return;
        absl::MutexLock lock(&mu);
        arrived.try_emplace(p.call_id(), now);
      });
  if (absl::Status st = tailer.Start(); !st.ok()) {
    std::fprintf(stderr, "handoff_latency: %s\n",
                 std::string(st.message()).c_str());
    return 1;
  }
  // Let the consumer catch up with what is already on the topic.
  int64_t seen = -1;
  while (seen != tailer.consumed()) {
    seen = tailer.consumed();
    absl::SleepFor(absl::Seconds(2));
  }

  auto channel = frontdesk::serving::ChannelFromFlags(
      "frontdesk-cli", absl::GetFlag(FLAGS_answer), "answer");
  if (!channel.ok()) {
    std::fprintf(stderr, "handoff_latency: %s\n",
                 std::string(channel.status().message()).c_str());
    return 2;
  }
  auto stub = av::Answer::NewStub(*channel);
  std::vector<std::pair<std::string, absl::Time>> sent;
  std::vector<double> turn_ms;
  for (int i = 0; i < absl::GetFlag(FLAGS_calls); ++i) {
    av::StartCallRequest start;
    start.set_tenant_id(absl::GetFlag(FLAGS_tenant));
    av::StartCallResponse call;
    grpc::ClientContext sctx;
    if (!stub->StartCall(&sctx, start, &call).ok() || call.fallback()) {
      std::fprintf(stderr, "handoff_latency: cannot start a call\n");
      return 1;
    }
    av::TurnRequest turn;
    turn.set_call_id(call.call_id());
    turn.set_utterance("I have chest pain");
    av::TurnResponse reply;
    grpc::ClientContext ctx;
    const absl::Time t0 = absl::Now();
    grpc::Status s = stub->Turn(&ctx, turn, &reply);
    turn_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
    if (!s.ok() || reply.handoff_id().empty()) {
      std::fprintf(stderr, "handoff_latency: the turn made no handoff\n");
      return 1;
    }
    sent.emplace_back(call.call_id(), t0);
    av::EndCallRequest end;
    end.set_call_id(call.call_id());
    av::EndCallResponse ended;
    grpc::ClientContext ectx;
    (void)stub->EndCall(&ectx, end, &ended);
  }
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  std::vector<double> packet_ms;
  while (true) {
    packet_ms.clear();
    {
      absl::MutexLock lock(&mu);
      for (const auto& [id, t0] : sent) {
        auto it = arrived.find(id);
        if (it != arrived.end())
          packet_ms.push_back(absl::ToDoubleMilliseconds(it->second - t0));
      }
    }
    if (packet_ms.size() == sent.size() || absl::Now() > give_up) break;
    absl::SleepFor(absl::Milliseconds(200));
  }
  tailer.Stop();
  if (packet_ms.size() != sent.size()) {
    std::fprintf(stderr, "handoff_latency: %zu of %zu packets never arrived\n",
                 sent.size() - packet_ms.size(), sent.size());
    return 1;
  }
  Report("caller's words -> packet on frontdesk.handoff.nurse-line.v1",
         packet_ms);
  Report("Turn RPC (reply after every event is acknowledged)", turn_ms);
  return 0;
}
