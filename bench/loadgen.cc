// loadgen: many concurrent simulated calls against the running department,
// with the lower limits measured in the same run.
//
// Each simulated call plays one of the scripted calls in examples/clinic/
// calls/ (picked by a fixed mix: questions, intake, appointments, refills,
// and a few percent of urgent and human-only calls), turn by turn, then ends
// the call and starts another. With --think_ms=0 a call sends its next turn
// as soon as the reply arrives, so --calls is also the number of turns in
// flight: far harsher than real callers, who speak every few seconds.
//
// The client is the gRPC async API: --threads driver threads (default 2),
// each with its own completion queue and connection, drive calls/threads
// calls each. On this 2-core machine one thread per call would put 1,000
// threads and their context switches on the cores the services need.
//
// Before the load it measures, in the same process and against the same
// broker:
//   - a gRPC unary echo: an in-process server answering the Answer service's
//     Turn with the utterance, one round trip at a time (the cost of one hop);
//   - a librdkafka produce with acks=all and idempotence on
//     frontdesk.bench.v1 (created with the settings of frontdesk.calls.v1),
//     one message at a time, from send to delivery report: bare (linger.ms=0,
//     no compression) and as frontdesk's producer is configured (linger.ms=5,
//     zstd).
// and states the department's turn latency as ratios against them.
//
//   loadgen --calls=1 --turns=400                      # single-call latency
//   loadgen --calls=500 --duration_s=60 --json_out=r.json --svg_out=r.svg
#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafkacpp.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "frontdesk/answer/v1/answer_service.grpc.pb.h"
#include "libs/common/uuid.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/serving/tls_flags.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(std::string, answer, "127.0.0.1:7101", "answer service address");
ABSL_FLAG(std::string, tenant, "sunrise-family-medicine", "clinic");
ABSL_FLAG(int, calls, 100, "concurrent simulated calls");
ABSL_FLAG(int, duration_s, 0,
          "seconds to measure after the warm-up (0: use --turns)");
ABSL_FLAG(int, turns, 400, "turns to measure, when --duration_s is 0");
ABSL_FLAG(int, warmup_turns, 50, "turns played before measuring");
ABSL_FLAG(int, think_ms, 0, "pause between a reply and the caller's next turn");
ABSL_FLAG(int, threads, 2, "client driver threads");
ABSL_FLAG(uint64_t, seed, 1, "seed of the call mix");
ABSL_FLAG(int, rpc_timeout_ms, 10000, "deadline of each RPC");
ABSL_FLAG(std::string, calls_dir, FRONTDESK_SAMPLE_CALLS,
          "the scripted calls (<name>.txt, one caller turn a line)");
ABSL_FLAG(std::string, kafka_brokers, "127.0.0.1:19092",
          "broker for the Kafka baseline");
ABSL_FLAG(std::string, bench_topic, "frontdesk.bench.v1",
          "topic of the Kafka baseline");
ABSL_FLAG(int, baseline_samples, 1000, "round trips per baseline");
ABSL_FLAG(int, kafka_payload_bytes, 600, "bytes per baseline Kafka record");
ABSL_FLAG(bool, baselines, true, "measure the baselines");
ABSL_FLAG(std::string, pid_dir, "run/pids",
          "<service>.pid files; their VmRSS is sampled under load");
ABSL_FLAG(std::string, json_out, "", "write the result as JSON here");
ABSL_FLAG(std::string, svg_out, "", "write the turn latency histogram here");

namespace av = ::frontdesk::answer::v1;

namespace {

// gRPC hops on a turn's path that is not a handoff: caller -> answer,
// answer -> rules-check.
constexpr int kHopsPerTurn = 2;
// Kafka acknowledgements the turn waits for one after another
// (services/answer/call_agent.cc Turn, rules_checker.cc Record): answer's
// TurnReceived; rules-check's DecisionRecorded, before it returns; answer's
// ReplyGiven (with any FieldCollected in the same batch). A handoff adds the
// flush of FieldCollected before Prepare, the answer -> handoff-prep hop and
// handoff-prep's packet + HandoffPrepared batch.
constexpr int kAcksPerTurn = 3;

// ---------------------------------------------------------------- the mix

struct MixEntry {
  const char* file;
  const char* kind;
  int weight;
};

// Per 100 calls.
constexpr MixEntry kMix[] = {
    {"office-hours", "question", 20},  {"unknown-question", "question", 5},
    {"refill", "refill", 15},          {"billing", "intake", 10},
    {"records", "intake", 5},          {"callback", "intake", 5},
    {"switch-request", "intake", 5},   {"reschedule", "appointment", 10},
    {"new-patient", "appointment", 5}, {"confirm", "appointment", 5},
    {"cancel", "appointment", 5},      {"follow-up", "appointment", 5},
    {"chest-pain", "urgent", 3},       {"lawyer", "human_only", 2},
};

struct Script {
  std::string name;
  std::string kind;
  std::vector<std::string> turns;
};

bool LoadScripts(const std::string& dir, std::vector<Script>* scripts,
                 std::vector<int>* weights) {
  for (const MixEntry& m : kMix) {
    const std::string path = absl::StrCat(dir, "/", m.file, ".txt");
    std::ifstream in(path);
    if (!in) {
      std::fprintf(stderr, "loadgen: cannot read %s\n", path.c_str());
      return false;
    }
    Script s{m.file, m.kind, {}};
    std::string line;
    while (std::getline(in, line)) {
      absl::string_view l = absl::StripAsciiWhitespace(line);
      if (l.empty() || l[0] == '#') continue;
      s.turns.emplace_back(l);
    }
    if (s.turns.empty()) {
      std::fprintf(stderr, "loadgen: %s has no turns\n", path.c_str());
      return false;
    }
    scripts->push_back(std::move(s));
    weights->push_back(m.weight);
  }
  return true;
}

// ---------------------------------------------------------------- figures

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i =
      std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()));
  return sorted[i];
}

nlohmann::json Summary(std::vector<double> ms) {
  std::sort(ms.begin(), ms.end());
  double sum = 0;
  for (double v : ms) sum += v;
  return {{"n", ms.size()},
          {"p50_ms", Percentile(ms, 0.50)},
          {"p95_ms", Percentile(ms, 0.95)},
          {"p99_ms", Percentile(ms, 0.99)},
          {"p999_ms", Percentile(ms, 0.999)},
          {"max_ms", ms.empty() ? 0 : ms.back()},
          {"mean_ms", ms.empty() ? 0 : sum / ms.size()}};
}

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    default:
      return "OTHER";
  }
}

// ---------------------------------------------------------------- baselines

class EchoAnswer final : public av::Answer::Service {
  grpc::Status Turn(grpc::ServerContext*, const av::TurnRequest* request,
                    av::TurnResponse* response) override {
    response->set_reply(request->utterance());
    return grpc::Status::OK;
  }
};

// One Turn round trip at a time to an in-process echo server, through the
// same async client API as the load.
std::vector<double> EchoBaseline(int samples) {
  EchoAnswer service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  std::vector<double> ms;
  if (server == nullptr || port == 0) return ms;
  auto stub = av::Answer::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  grpc::CompletionQueue cq;
  const int warmup = 50;
  for (int i = 0; i < samples + warmup; ++i) {
    av::TurnRequest req;
    req.set_call_id(frontdesk::NewUuid());
    req.set_utterance("Hi, I ran out of my blood pressure pills.");
    av::TurnResponse resp;
    grpc::Status status;
    grpc::ClientContext ctx;
    const absl::Time t0 = absl::Now();
    auto rpc = stub->PrepareAsyncTurn(&ctx, req, &cq);
    rpc->StartCall();
    rpc->Finish(&resp, &status, &resp);
    void* tag = nullptr;
    bool ok = false;
    if (!cq.Next(&tag, &ok) || !ok || !status.ok()) continue;
    if (i >= warmup) ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
  }
  server->Shutdown();
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
  return ms;
}

class DeliveryTimer : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    at = absl::Now();
    err = message.err();
    done = true;
  }
  absl::Time at;
  RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
  bool done = false;
};

// One produce at a time, from send to delivery report. Empty on failure,
// with the reason in *error.
std::vector<double> KafkaBaseline(const std::string& linger_ms,
                                  const std::string& compression, int samples,
                                  std::string* error) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(
      RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  DeliveryTimer timer;
  const std::pair<const char*, std::string> props[] = {
      {"bootstrap.servers", absl::GetFlag(FLAGS_kafka_brokers)},
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"linger.ms", linger_ms},
      {"compression.type", compression},
      {"client.id", "frontdesk-loadgen-baseline"}};
  for (const auto& [k, v] : props) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      *error = absl::StrCat(k, ": ", err);
      return {};
    }
  }
  if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&timer),
                err) != RdKafka::Conf::CONF_OK) {
    *error = err;
    return {};
  }
  std::unique_ptr<RdKafka::Producer> producer(
      RdKafka::Producer::create(conf.get(), err));
  if (producer == nullptr) {
    *error = err;
    return {};
  }
  std::mt19937_64 rng(absl::GetFlag(FLAGS_seed));
  std::string payload(absl::GetFlag(FLAGS_kafka_payload_bytes), '\0');
  const std::string topic = absl::GetFlag(FLAGS_bench_topic);
  std::vector<double> ms;
  const int warmup = 20;
  std::string key;
  for (int i = 0; i < samples + warmup; ++i) {
    // A call id per few records, as a call's events are keyed.
    if (i % 8 == 0) key = frontdesk::NewUuid();
    for (char& c : payload) c = static_cast<char>(rng());
    timer.done = false;
    const absl::Time t0 = absl::Now();
    RdKafka::ErrorCode rc = producer->produce(
        topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        payload.data(), payload.size(), key.data(), key.size(), 0, nullptr);
    if (rc != RdKafka::ERR_NO_ERROR) {
      *error = RdKafka::err2str(rc);
      return {};
    }
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (!timer.done && absl::Now() < give_up) producer->poll(100);
    if (!timer.done || timer.err != RdKafka::ERR_NO_ERROR) {
      *error = timer.done ? RdKafka::err2str(timer.err) : "no delivery report";
      return {};
    }
    if (i >= warmup) ms.push_back(absl::ToDoubleMilliseconds(timer.at - t0));
  }
  producer->flush(5000);
  return ms;
}

// frontdesk.bench.v1 with the settings of frontdesk.calls.v1.
absl::Status EnsureBenchTopic() {
  frontdesk::kafka::KafkaSettings settings;
  settings.brokers = absl::GetFlag(FLAGS_kafka_brokers);
  for (frontdesk::kafka::TopicSpec spec :
       frontdesk::kafka::FrontdeskTopics({}, {})) {
    if (spec.name != frontdesk::kafka::kCallsTopic) continue;
    spec.name = absl::GetFlag(FLAGS_bench_topic);
    return frontdesk::kafka::EnsureTopics(settings, {spec}, absl::Seconds(10));
  }
  return absl::InternalError("no frontdesk.calls.v1 spec");
}

// ---------------------------------------------------------------- the load

struct Shared {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> completed{0};  // turns, warm-up included
  std::atomic<int64_t> measured{0};
  std::atomic<int64_t> warm_at_us{0};  // when the warm-up ended
  std::atomic<int64_t> stop_at_us{0};
  int64_t warmup = 0;
  int64_t target = 0;  // measured turns to stop at; 0: by time
};

int64_t NowUs() { return absl::ToUnixMicros(absl::Now()); }

struct Tally {
  std::vector<double> turn_ms;
  std::vector<double> plain_turn_ms;    // no handoff
  std::vector<double> handoff_turn_ms;  // the turn produced a handoff
  std::vector<double> start_ms;
  std::vector<double> end_ms;
  std::map<std::string, int64_t> errors;    // "<rpc>:<code>" or "turn:fallback"
  std::map<std::string, int64_t> handoffs;  // by call kind
  std::map<std::string, int64_t> calls;     // completed, by kind
  int64_t turns_after_stop = 0;

  void Merge(const Tally& o) {
    auto cat = [](std::vector<double>* a, const std::vector<double>& b) {
      a->insert(a->end(), b.begin(), b.end());
    };
    cat(&turn_ms, o.turn_ms);
    cat(&plain_turn_ms, o.plain_turn_ms);
    cat(&handoff_turn_ms, o.handoff_turn_ms);
    cat(&start_ms, o.start_ms);
    cat(&end_ms, o.end_ms);
    for (const auto& [k, v] : o.errors) errors[k] += v;
    for (const auto& [k, v] : o.handoffs) handoffs[k] += v;
    for (const auto& [k, v] : o.calls) calls[k] += v;
    turns_after_stop += o.turns_after_stop;
  }
};

struct SimCall {
  enum class Phase { kStart, kTurn, kEnd, kThink, kBackoff };
  Phase phase = Phase::kStart;
  const Script* script = nullptr;
  size_t step = 0;
  std::string call_id;
  std::unique_ptr<grpc::ClientContext> ctx;
  av::StartCallRequest start_req;
  av::StartCallResponse start_resp;
  av::TurnRequest turn_req;
  av::TurnResponse turn_resp;
  av::EndCallRequest end_req;
  av::EndCallResponse end_resp;
  std::unique_ptr<grpc::ClientAsyncResponseReader<av::StartCallResponse>>
      start_rpc;
  std::unique_ptr<grpc::ClientAsyncResponseReader<av::TurnResponse>> turn_rpc;
  std::unique_ptr<grpc::ClientAsyncResponseReader<av::EndCallResponse>> end_rpc;
  grpc::Status status;
  absl::Time sent;
  absl::Time wake_at;
  grpc::Alarm alarm;
};

// Drives `n` calls on its own completion queue until the stop flag, then
// ends the calls it holds.
class Driver {
 public:
  Driver(int index, int n, const std::vector<Script>* scripts,
         const std::vector<int>& weights, Shared* shared)
      : scripts_(scripts),
        pick_(weights.begin(), weights.end()),
        rng_(absl::GetFlag(FLAGS_seed) * 7919 + index),
        shared_(shared),
        calls_(n) {
    grpc::ChannelArguments args;
    // A connection of its own per driver.
    args.SetInt("frontdesk.loadgen.driver", index);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetSslTargetNameOverride("answer");
    // main() checked that the transport flags give credentials.
    stub_ = av::Answer::NewStub(grpc::CreateCustomChannel(
        absl::GetFlag(FLAGS_answer),
        *frontdesk::serving::ChannelCredentialsFromFlags("frontdesk-cli"),
        args));
    timeout_ = absl::Milliseconds(absl::GetFlag(FLAGS_rpc_timeout_ms));
    think_ = absl::Milliseconds(absl::GetFlag(FLAGS_think_ms));
    tenant_ = absl::GetFlag(FLAGS_tenant);
  }

  void Run() {
    for (auto& c : calls_) {
      c = std::make_unique<SimCall>();
      SendStart(c.get());
    }
    int active = static_cast<int>(calls_.size());
    void* tag = nullptr;
    bool ok = false;
    while (active > 0 && cq_.Next(&tag, &ok)) {
      if (!OnDone(static_cast<SimCall*>(tag), ok)) --active;
    }
    cq_.Shutdown();
    while (cq_.Next(&tag, &ok)) {
    }
  }

  const Tally& tally() const { return tally_; }

 private:
  std::unique_ptr<grpc::ClientContext> NewContext() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(absl::ToChronoTime(absl::Now() + timeout_));
    return ctx;
  }

  void SendStart(SimCall* c) {
    c->phase = SimCall::Phase::kStart;
    c->script = &(*scripts_)[pick_(rng_)];
    c->step = 0;
    c->call_id.clear();
    c->start_req.set_tenant_id(tenant_);
    c->start_resp.Clear();
    c->ctx = NewContext();
    c->sent = absl::Now();
    c->start_rpc =
        stub_->PrepareAsyncStartCall(c->ctx.get(), c->start_req, &cq_);
    c->start_rpc->StartCall();
    c->start_rpc->Finish(&c->start_resp, &c->status, c);
  }

  void SendTurn(SimCall* c) {
    c->phase = SimCall::Phase::kTurn;
    c->turn_req.set_call_id(c->call_id);
    c->turn_req.set_utterance(c->script->turns[c->step]);
    c->turn_req.set_confidence(0.93f);
    c->turn_resp.Clear();
    c->ctx = NewContext();
    c->sent = absl::Now();
    c->turn_rpc = stub_->PrepareAsyncTurn(c->ctx.get(), c->turn_req, &cq_);
    c->turn_rpc->StartCall();
    c->turn_rpc->Finish(&c->turn_resp, &c->status, c);
  }

  void SendEnd(SimCall* c) {
    c->phase = SimCall::Phase::kEnd;
    c->end_req.set_call_id(c->call_id);
    c->ctx = NewContext();
    c->sent = absl::Now();
    c->end_rpc = stub_->PrepareAsyncEndCall(c->ctx.get(), c->end_req, &cq_);
    c->end_rpc->StartCall();
    c->end_rpc->Finish(&c->end_resp, &c->status, c);
  }

  // Wakes the call at most a second later, so that a stop is seen soon.
  void Wait(SimCall* c, SimCall::Phase phase, absl::Duration d) {
    c->phase = phase;
    c->wake_at = absl::Now() + d;
    Rearm(c);
  }

  void Rearm(SimCall* c) {
    c->alarm.Set(&cq_,
                 absl::ToChronoTime(
                     std::min(c->wake_at, absl::Now() + absl::Seconds(1))),
                 c);
  }

  void Error(const char* rpc, const std::string& kind) {
    ++tally_.errors[absl::StrCat(rpc, ":", kind)];
  }

  // Moves the call on; false when it is finished for good.
  bool OnDone(SimCall* c, bool ok) {
    const bool stopping = shared_->stop.load();
    const double took = absl::ToDoubleMilliseconds(absl::Now() - c->sent);
    switch (c->phase) {
      case SimCall::Phase::kStart:
        if (!ok || !c->status.ok() || c->start_resp.fallback()) {
          Error("start", !c->status.ok() ? CodeName(c->status.error_code())
                                         : "fallback");
          if (stopping) return false;
          Wait(c, SimCall::Phase::kBackoff, absl::Milliseconds(100));
          return true;
        }
        tally_.start_ms.push_back(took);
        c->call_id = c->start_resp.call_id();
        if (stopping) {
          SendEnd(c);
        } else {
          SendTurn(c);
        }
        return true;

      case SimCall::Phase::kTurn: {
        Count(c, took);
        const bool over = !c->status.ok() || c->turn_resp.call_over() ||
                          ++c->step >= c->script->turns.size();
        if (over || stopping) {
          if (over) ++tally_.calls[c->script->kind];
          SendEnd(c);
        } else if (think_ > absl::ZeroDuration()) {
          Wait(c, SimCall::Phase::kThink, think_);
        } else {
          SendTurn(c);
        }
        return true;
      }

      case SimCall::Phase::kThink:
        if (stopping) {
          SendEnd(c);
        } else if (absl::Now() < c->wake_at) {
          Rearm(c);
        } else {
          SendTurn(c);
        }
        return true;

      case SimCall::Phase::kEnd:
        if (!ok || !c->status.ok()) {
          Error("end", CodeName(c->status.error_code()));
        } else {
          tally_.end_ms.push_back(took);
        }
        if (stopping) return false;
        SendStart(c);
        return true;

      case SimCall::Phase::kBackoff:
        if (stopping) return false;
        SendStart(c);
        return true;
    }
    return false;
  }

  void Count(SimCall* c, double took) {
    if (shared_->stop.load()) {
      ++tally_.turns_after_stop;
      return;
    }
    const int64_t n = shared_->completed.fetch_add(1) + 1;
    if (n == shared_->warmup) shared_->warm_at_us.store(NowUs());
    if (n <= shared_->warmup) return;
    if (!c->status.ok()) {
      Error("turn", CodeName(c->status.error_code()));
      return;
    }
    if (c->turn_resp.fallback()) Error("turn", "fallback");
    tally_.turn_ms.push_back(took);
    if (!c->turn_resp.handoff_id().empty()) {
      ++tally_.handoffs[c->script->kind];
      tally_.handoff_turn_ms.push_back(took);
    } else {
      tally_.plain_turn_ms.push_back(took);
    }
    const int64_t m = shared_->measured.fetch_add(1) + 1;
    if (shared_->target > 0 && m == shared_->target) {
      shared_->stop_at_us.store(NowUs());
      shared_->stop.store(true);
    }
  }

  const std::vector<Script>* scripts_;
  std::discrete_distribution<int> pick_;
  std::mt19937_64 rng_;
  Shared* shared_;
  std::vector<std::unique_ptr<SimCall>> calls_;
  std::unique_ptr<av::Answer::Stub> stub_;
  grpc::CompletionQueue cq_;
  absl::Duration timeout_;
  absl::Duration think_;
  std::string tenant_;
  Tally tally_;
};

// ---------------------------------------------------------------- services

// VmRSS in kB of each <name>.pid in `dir` whose process is alive.
std::map<std::string, int64_t> ServiceRss(const std::string& dir) {
  std::map<std::string, int64_t> out;
  for (const char* name :
       {"answer", "rules-check", "handoff-prep", "record-keeper"}) {
    std::ifstream pidf(absl::StrCat(dir, "/", name, ".pid"));
    std::string pid;
    if (!(pidf >> pid)) continue;
    std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
    std::string line;
    while (std::getline(status, line)) {
      if (absl::StartsWith(line, "VmRSS:")) {
        int64_t kb = 0;
        std::istringstream(line.substr(6)) >> kb;
        out[name] = kb;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- output

std::string HistogramSvg(const std::vector<double>& ms, double p50, double p99,
                         double floor_p99) {
  constexpr int kBins = 48;
  constexpr double kW = 760, kH = 300, kLeft = 60, kBottom = 40, kTop = 30;
  std::vector<double> sorted = ms;
  std::sort(sorted.begin(), sorted.end());
  const double lo = std::max(0.01, sorted.front());
  const double hi = std::max(lo * 1.01, sorted.back());
  const double llo = std::log10(lo), lhi = std::log10(hi);
  std::vector<int64_t> bins(kBins, 0);
  for (double v : sorted) {
    const double f = (std::log10(std::max(v, lo)) - llo) / (lhi - llo);
    ++bins[std::min(kBins - 1, static_cast<int>(f * kBins))];
  }
  const int64_t top = *std::max_element(bins.begin(), bins.end());
  const double plot_w = kW - kLeft - 20, plot_h = kH - kBottom - kTop;
  auto x_of = [&](double v) {
    return kLeft + (std::log10(v) - llo) / (lhi - llo) * plot_w;
  };
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
      "height=\"%.0f\" font-family=\"sans-serif\" font-size=\"11\">\n"
      "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      "<text x=\"%.0f\" y=\"18\" font-size=\"13\">Turn latency, %zu turns "
      "(log scale)</text>\n",
      kW, kH, kLeft, sorted.size());
  for (int i = 0; i < kBins; ++i) {
    if (bins[i] == 0) continue;
    const double h = plot_h * bins[i] / top;
    absl::StrAppendFormat(&svg,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                          "height=\"%.1f\" fill=\"#4a7bb7\"/>\n",
                          kLeft + plot_w * i / kBins, kTop + plot_h - h,
                          plot_w / kBins - 1, h);
  }
  absl::StrAppendFormat(&svg,
                        "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
                        "y2=\"%.0f\" stroke=\"black\"/>\n",
                        kLeft, kTop + plot_h, kLeft + plot_w, kTop + plot_h);
  for (double decade = std::pow(10, std::floor(llo)); decade <= hi * 10;
       decade *= 10) {
    for (double m : {1.0, 2.0, 5.0}) {
      const double v = decade * m;
      if (v < lo || v > hi) continue;
      absl::StrAppendFormat(&svg,
                            "<text x=\"%.1f\" y=\"%.0f\" "
                            "text-anchor=\"middle\">%g ms</text>\n",
                            x_of(v), kTop + plot_h + 16, v);
    }
  }
  auto marker = [&](double v, const char* color, const std::string& label,
                    int row) {
    if (v < lo || v > hi) return;
    absl::StrAppendFormat(
        &svg,
        "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" "
        "stroke=\"%s\" stroke-dasharray=\"4 3\"/>\n"
        "<text x=\"%.1f\" y=\"%.0f\" fill=\"%s\">%s</text>\n",
        x_of(v), kTop, x_of(v), kTop + plot_h, color, x_of(v) + 3,
        kTop + 12 + 13 * row, color, label);
  };
  marker(p50, "#2a8a2a", absl::StrFormat("p50 %.2f", p50), 0);
  marker(p99, "#c03030", absl::StrFormat("p99 %.2f", p99), 1);
  if (floor_p99 > 0) {
    marker(2 * floor_p99, "#8a2ab0",
           absl::StrFormat("goal 2x floor p99 %.2f", 2 * floor_p99), 2);
  }
  absl::StrAppendFormat(&svg,
                        "<text x=\"%.0f\" y=\"%.0f\">turns</text>\n</svg>\n",
                        4.0, kTop + 10);
  return svg;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (auto creds =
          frontdesk::serving::ChannelCredentialsFromFlags("frontdesk-cli");
      !creds.ok()) {
    std::fprintf(stderr, "loadgen: %s\n",
                 std::string(creds.status().message()).c_str());
    return 2;
  }
  std::vector<Script> scripts;
  std::vector<int> weights;
  if (!LoadScripts(absl::GetFlag(FLAGS_calls_dir), &scripts, &weights)) {
    return 2;
  }
  const int ncalls = std::max(1, absl::GetFlag(FLAGS_calls));
  const int nthreads =
      std::max(1, std::min(absl::GetFlag(FLAGS_threads), ncalls));
  nlohmann::json out;
  out["config"] = {{"answer", absl::GetFlag(FLAGS_answer)},
                   {"calls", ncalls},
                   {"threads", nthreads},
                   {"duration_s", absl::GetFlag(FLAGS_duration_s)},
                   {"turns", absl::GetFlag(FLAGS_turns)},
                   {"warmup_turns", absl::GetFlag(FLAGS_warmup_turns)},
                   {"think_ms", absl::GetFlag(FLAGS_think_ms)},
                   {"seed", absl::GetFlag(FLAGS_seed)},
                   {"started_at", absl::FormatTime(absl::Now())}};

  // 1. The lower limits, before the load.
  double echo_p50 = 0, echo_p99 = 0, kafka_p50 = 0, kafka_p99 = 0;
  if (absl::GetFlag(FLAGS_baselines)) {
    const int n = absl::GetFlag(FLAGS_baseline_samples);
    nlohmann::json echo = Summary(EchoBaseline(n));
    echo_p50 = echo["p50_ms"];
    echo_p99 = echo["p99_ms"];
    out["baseline"]["grpc_echo"] = echo;
    if (absl::Status st = EnsureBenchTopic(); !st.ok()) {
      std::fprintf(stderr, "loadgen: %s\n", std::string(st.message()).c_str());
      return 2;
    }
    std::string error;
    std::vector<double> bare = KafkaBaseline("0", "none", n, &error);
    if (bare.empty()) {
      std::fprintf(stderr, "loadgen: Kafka baseline: %s\n", error.c_str());
      return 2;
    }
    nlohmann::json kafka = Summary(bare);
    kafka_p50 = kafka["p50_ms"];
    kafka_p99 = kafka["p99_ms"];
    out["baseline"]["kafka_ack_bare"] = kafka;
    std::vector<double> as_configured = KafkaBaseline("5", "zstd", n, &error);
    if (!as_configured.empty()) {
      out["baseline"]["kafka_ack_linger5_zstd"] = Summary(as_configured);
    }
  }

  // 2. The load.
  Shared shared;
  shared.warmup = absl::GetFlag(FLAGS_warmup_turns);
  const int duration_s = absl::GetFlag(FLAGS_duration_s);
  shared.target = duration_s > 0 ? 0 : absl::GetFlag(FLAGS_turns);
  if (shared.warmup <= 0) shared.warm_at_us.store(NowUs());
  struct rusage ru0;
  getrusage(RUSAGE_SELF, &ru0);
  std::vector<std::unique_ptr<Driver>> drivers;
  for (int i = 0; i < nthreads; ++i) {
    const int n = ncalls / nthreads + (i < ncalls % nthreads ? 1 : 0);
    drivers.push_back(
        std::make_unique<Driver>(i, n, &scripts, weights, &shared));
  }
  std::vector<std::thread> threads;
  for (auto& d : drivers) threads.emplace_back([&d] { d->Run(); });

  // Sample the services' memory while the load runs.
  std::map<std::string, int64_t> rss, rss_peak;
  const absl::Time give_up = absl::Now() + absl::Minutes(30);
  while (shared.warm_at_us.load() == 0 && !shared.stop.load() &&
         absl::Now() < give_up) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  const absl::Time until = absl::Now() + absl::Seconds(duration_s);
  while (!shared.stop.load() && absl::Now() < give_up) {
    if (duration_s > 0 && absl::Now() >= until) {
      shared.stop_at_us.store(NowUs());
      shared.stop.store(true);
      break;
    }
    rss = ServiceRss(absl::GetFlag(FLAGS_pid_dir));
    for (const auto& [k, v] : rss) rss_peak[k] = std::max(rss_peak[k], v);
    absl::SleepFor(absl::Milliseconds(250));
  }
  if (!shared.stop.load()) {
    shared.stop_at_us.store(NowUs());
    shared.stop.store(true);
  }
  for (auto& t : threads) t.join();
  struct rusage ru1;
  getrusage(RUSAGE_SELF, &ru1);

  Tally all;
  for (auto& d : drivers) all.Merge(d->tally());
  const double window_s = std::max<int64_t>(1, shared.stop_at_us.load() -
                                                   shared.warm_at_us.load()) /
                          1e6;
  auto cpu_s = [](const struct rusage& r) {
    return r.ru_utime.tv_sec + r.ru_stime.tv_sec +
           (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
  };
  const double client_cpu_s = cpu_s(ru1) - cpu_s(ru0);
  nlohmann::json turns = Summary(all.turn_ms);
  out["load"] = {{"window_s", window_s},
                 {"turns_per_s", all.turn_ms.size() / window_s},
                 {"turn", turns},
                 {"plain_turn", Summary(all.plain_turn_ms)},
                 {"handoff_turn", Summary(all.handoff_turn_ms)},
                 {"start_call", Summary(all.start_ms)},
                 {"end_call", Summary(all.end_ms)},
                 {"errors", all.errors},
                 {"handoffs", all.handoffs},
                 {"calls_completed", all.calls},
                 {"turns_after_stop_not_counted", all.turns_after_stop},
                 {"client_cpu_s", client_cpu_s},
                 {"client_cpu_share_of_one_core", client_cpu_s / window_s}};
  int64_t handoffs = 0, errors = 0;
  for (const auto& [k, v] : all.handoffs) handoffs += v;
  for (const auto& [k, v] : all.errors) errors += v;
  if (!rss.empty()) {
    out["service_rss_kb"] = {{"last", rss}, {"peak", rss_peak}};
  }

  // 3. The ratios.
  const double floor_p50 = kHopsPerTurn * echo_p50 + kafka_p50;
  const double floor_p99 = kHopsPerTurn * echo_p99 + kafka_p99;
  const double serial_p50 = kHopsPerTurn * echo_p50 + kAcksPerTurn * kafka_p50;
  const double serial_p99 = kHopsPerTurn * echo_p99 + kAcksPerTurn * kafka_p99;
  const double p50 = turns["p50_ms"], p99 = turns["p99_ms"];
  if (floor_p50 > 0) {
    out["ratios"] = {
        {"formula",
         absl::StrFormat("floor = %d x grpc_echo + 1 x kafka_ack_bare; "
                         "serial_floor = %d x grpc_echo + %d x kafka_ack_bare",
                         kHopsPerTurn, kHopsPerTurn, kAcksPerTurn)},
        {"floor_p50_ms", floor_p50},
        {"floor_p99_ms", floor_p99},
        {"turn_p50_over_floor_p50", p50 / floor_p50},
        {"turn_p99_over_floor_p99", p99 / floor_p99},
        {"serial_floor_p50_ms", serial_p50},
        {"serial_floor_p99_ms", serial_p99},
        {"turn_p50_over_serial_floor_p50", p50 / serial_p50},
        {"turn_p99_over_serial_floor_p99", p99 / serial_p99},
        {"goal", "turn p99 <= 2 x floor p99"},
        {"goal_met", p99 <= 2 * floor_p99}};
  }

  // 4. Output.
  std::printf("loadgen: %d concurrent calls, %d client threads, %.1f s\n",
              ncalls, nthreads, window_s);
  std::printf("%-28s %9s %9s %9s %9s %9s\n", "", "n", "p50 ms", "p95 ms",
              "p99 ms", "p99.9 ms");
  auto row = [](const char* what, const nlohmann::json& s) {
    std::printf("%-28s %9lld %9.2f %9.2f %9.2f %9.2f\n", what,
                static_cast<long long>(s["n"].get<int64_t>()),
                s["p50_ms"].get<double>(), s["p95_ms"].get<double>(),
                s["p99_ms"].get<double>(), s["p999_ms"].get<double>());
  };
  row("turn (all)", turns);
  row("turn (no handoff)", out["load"]["plain_turn"]);
  row("turn (handoff)", out["load"]["handoff_turn"]);
  if (out.contains("baseline")) {
    row("baseline grpc echo", out["baseline"]["grpc_echo"]);
    row("baseline kafka ack bare", out["baseline"]["kafka_ack_bare"]);
    if (out["baseline"].contains("kafka_ack_linger5_zstd")) {
      row("baseline kafka ack l5 zstd",
          out["baseline"]["kafka_ack_linger5_zstd"]);
    }
  }
  std::printf("turns/s %.1f  handoffs %lld  errors %lld  client cpu %.0f%%\n",
              all.turn_ms.size() / window_s, static_cast<long long>(handoffs),
              static_cast<long long>(errors), 100 * client_cpu_s / window_s);
  for (const auto& [k, v] : all.errors) {
    std::printf("  error %s: %lld\n", k.c_str(), static_cast<long long>(v));
  }
  if (floor_p50 > 0) {
    std::printf(
        "floor (2 hops + 1 ack) p50 %.2f p99 %.2f ms; turn/floor p50 %.2fx "
        "p99 %.2fx; serial floor (2 hops + 3 acks) p50 %.2f p99 %.2f ms; "
        "turn/serial p50 %.2fx p99 %.2fx\n",
        floor_p50, floor_p99, p50 / floor_p50, p99 / floor_p99, serial_p50,
        serial_p99, p50 / serial_p50, p99 / serial_p99);
  }
  for (const auto& [k, v] : rss) {
    std::printf("  %s VmRSS %lld kB (peak %lld kB)\n", k.c_str(),
                static_cast<long long>(v), static_cast<long long>(rss_peak[k]));
  }
  if (!absl::GetFlag(FLAGS_json_out).empty()) {
    std::ofstream(absl::GetFlag(FLAGS_json_out)) << out.dump(2) << "\n";
  }
  if (!absl::GetFlag(FLAGS_svg_out).empty() && !all.turn_ms.empty()) {
    std::ofstream(absl::GetFlag(FLAGS_svg_out))
        << HistogramSvg(all.turn_ms, p50, p99, floor_p99);
  }
  return all.turn_ms.empty() ? 1 : 0;
}
