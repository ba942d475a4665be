// The projection's apply path: realistic call events (started, turns,
// decisions, replies, fields, a handoff, ended) applied to the SQLite
// RecordStore in batches, on a file in /tmp as record-keeper runs it (WAL,
// synchronous=NORMAL). Reports events/s (items_per_second) per batch size.
//
//   build/bin/projection_benchmark --benchmark_min_time=3
//
// The end-to-end figure, Kafka included, comes from
// `frontdesk records rebuild --db /tmp/r.db` (records_per_second).
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/events/v1/handoff_events.pb.h"
#include "libs/common/clock.h"
#include "libs/events/event_chain.h"
#include "libs/records/sqlite_record_store.h"

namespace frontdesk {
namespace {

namespace ev = ::frontdesk::events::v1;

// `calls` calls of 12 events each, spread over three partitions as Kafka
// would key them.
std::vector<eventlog::StoredRecord> MakeLog(int calls) {
  ev::Producer producer;
  producer.set_service("answer");
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  events::EventChain chain(producer, &clock);
  std::vector<eventlog::StoredRecord> out;
  int64_t next[3] = {0, 0, 0};
  ev::SealedPhi phi;
  phi.set_key_id("k1");
  phi.set_scheme("aes-256-gcm");
  phi.set_nonce(std::string(12, 'n'));
  phi.set_ciphertext(std::string(160, 'c'));
  for (int c = 0; c < calls; ++c) {
    const std::string call_id = absl::StrCat("call-", c);
    const int part = c % 3;
    auto add = [&](ev::EventType type, const google::protobuf::MessageLite& p,
                   bool sealed) {
      clock.Advance(absl::Milliseconds(300));
      events::EventDraft d;
      d.tenant_id = "sunrise-family-medicine";
      d.call_id = call_id;
      d.policy_version = "sunrise-2026.11.27-1";
      d.type = type;
      d.payload = p.SerializeAsString();
      if (sealed) d.sealed_phi = phi;
      eventlog::StoredRecord r;
      r.topic = "frontdesk.calls.v1";
      r.partition = part;
      r.offset = next[part]++;
      r.key = call_id;
      r.value = chain.Next(d).SerializeAsString();
      out.push_back(std::move(r));
    };
    ev::CallStarted started;
    started.set_channel(ev::CHANNEL_VOICE);
    add(ev::EVENT_TYPE_CALL_STARTED, started, true);
    for (uint32_t t = 1; t <= 3; ++t) {
      ev::TurnReceived turn;
      turn.set_turn_index(t);
      turn.set_utterance_chars(60);
      add(ev::EVENT_TYPE_TURN_RECEIVED, turn, true);
      ev::DecisionRecorded d;
      d.set_decision_id(absl::StrCat(call_id, "-d", t));
      d.set_turn_index(t);
      d.set_lane(t == 3 ? ev::LANE_HUMAN_ONLY : ev::LANE_AI_OWNED);
      d.set_request_type("refill");
      d.set_category("clinical");
      d.set_rule_id("refill-intake");
      d.add_matched_triggers("refill");
      d.set_allowed(true);
      add(ev::EVENT_TYPE_DECISION_RECORDED, d, false);
      ev::ReplyGiven reply;
      reply.set_turn_index(t);
      reply.set_decision_id(d.decision_id());
      reply.add_quoted_texts("refill-intake@2");
      add(ev::EVENT_TYPE_REPLY_GIVEN, reply, true);
    }
    ev::HandoffPrepared h;
    h.set_handoff_id(absl::StrCat(call_id, "-h"));
    h.set_queue("nurse-line");
    h.set_owner_role("nurse");
    add(ev::EVENT_TYPE_HANDOFF_PREPARED, h, false);
    ev::CallEnded ended;
    ended.set_turns(3);
    add(ev::EVENT_TYPE_CALL_ENDED, ended, false);
  }
  return out;
}

void BM_ApplyBatches(benchmark::State& state) {
  const int batch = static_cast<int>(state.range(0));
  const std::vector<eventlog::StoredRecord> log = MakeLog(2000);  // 24k events
  int64_t events = 0;
  for (auto _ : state) {
    state.PauseTiming();
    char path[] = "/tmp/projection-bench-XXXXXX";
    const int fd = mkstemp(path);
    close(fd);
    auto store = records::SqliteRecordStore::Open(path);
    if (!store.ok()) {
      state.SkipWithError(std::string(store.status().message()).c_str());
      return;
    }
    state.ResumeTiming();
    for (size_t i = 0; i < log.size(); i += static_cast<size_t>(batch)) {
      std::vector<eventlog::StoredRecord> b(
          log.begin() + static_cast<std::ptrdiff_t>(i),
          log.begin() + static_cast<std::ptrdiff_t>(std::min(
                            log.size(), i + static_cast<size_t>(batch))));
      auto n = (*store)->ApplyBatch(b);
      if (!n.ok()) {
        state.SkipWithError(std::string(n.status().message()).c_str());
        return;
      }
    }
    events += static_cast<int64_t>(log.size());
    state.PauseTiming();
    store->reset();
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove(absl::StrCat(path, suffix).c_str());
    }
    state.ResumeTiming();
  }
  state.SetItemsProcessed(events);
}
BENCHMARK(BM_ApplyBatches)
    ->Arg(1)
    ->Arg(100)
    ->Arg(1000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace frontdesk

BENCHMARK_MAIN();
