// verify_throughput: how fast `frontdesk verify` checks the log, against how
// fast a plain consumer merely reads the same records, in the same run; and
// how long reconstructing one call takes out of the whole log.
//
//   build/bin/verify_throughput [--events 100000] [--kafka_brokers B]
//
// 1. Fills a fresh topic (bench.verify.<uuid>.v1, the settings of
//    frontdesk.calls.v1) with at least --events events: calls of 15 events
//    (CallStarted, 4 turns of TurnReceived with sealed bytes,
//    DecisionRecorded and ReplyGiven citing it, HandoffPrepared, CallEnded)
//    from three signing producers, through EventChain and KafkaEventLog.
// 2. raw: a plain consumer reads every record to the high watermark and does
//    nothing with it.
// 3. verify: KafkaKeyReader::ReadTopic then audit::VerifyCalls with the
//    producers' public keys, exactly what `frontdesk verify` runs; also
//    without keys (hashes, chains and decisions only).
// 4. reconstruct: KafkaKeyReader::ReadKey of one call plus CheckCall, the
//    work of `frontdesk replay --call`, repeated --repeats times.
// Prints a table and one JSON line. Deletes nothing: the topic stays (local
// broker: remove with kafka-topics.sh --delete if wanted).
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "libs/audit/log_verifier.h"
#include "libs/audit/replay_checker.h"
#include "libs/common/clock.h"
#include "libs/common/uuid.h"
#include "libs/events/event_chain.h"
#include "libs/events/event_signer.h"
#include "libs/events/producer_identity.h"
#include "libs/kafka/kafka_event_log.h"
#include "libs/kafka/kafka_key_reader.h"
#include "libs/kafka/kafka_settings.h"
#include "nlohmann/json.hpp"

ABSL_FLAG(int, events, 100000, "at least this many events on the topic");
ABSL_FLAG(int, repeats, 5, "reconstructions of one call to time");
ABSL_FLAG(std::string, kafka_brokers, "127.0.0.1:19092", "Kafka brokers");

namespace {

namespace ev = ::frontdesk::events::v1;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Producers {
  std::shared_ptr<const frontdesk::events::EventSigner> answer_key =
      frontdesk::events::EventSigner::Generate("answer");
  std::shared_ptr<const frontdesk::events::EventSigner> rules_key =
      frontdesk::events::EventSigner::Generate("rules-check");
  std::shared_ptr<const frontdesk::events::EventSigner> handoff_key =
      frontdesk::events::EventSigner::Generate("handoff-prep");
  frontdesk::events::EventChain answer{frontdesk::events::ThisProcess("answer"),
                                       frontdesk::RealClock::Get(), answer_key};
  frontdesk::events::EventChain rules{
      frontdesk::events::ThisProcess("rules-check"),
      frontdesk::RealClock::Get(), rules_key};
  frontdesk::events::EventChain handoff{
      frontdesk::events::ThisProcess("handoff-prep"),
      frontdesk::RealClock::Get(), handoff_key};
};

// One call's 15 events, as the department writes them.
std::vector<frontdesk::eventlog::LogRecord> OneCall(Producers& p,
                                                    const std::string& topic) {
  const std::string call_id = frontdesk::NewUuid();
  std::vector<frontdesk::eventlog::LogRecord> out;
  auto put = [&](frontdesk::events::EventChain& chain, ev::EventType type,
                 const std::string& payload, bool sealed) {
    frontdesk::events::EventDraft d;
    d.tenant_id = "bench-clinic";
    d.call_id = call_id;
    d.policy_version = "bench.1";
    d.type = type;
    d.payload = payload;
    if (sealed) {
      ev::SealedPhi phi;
      phi.set_key_id("bench-key");
      phi.set_scheme("AES-256-GCM");
      phi.set_nonce(std::string(12, 'n'));
      phi.set_ciphertext(std::string(96, 'c'));
      d.sealed_phi = phi;
    }
    const ev::EventEnvelope e = chain.Next(d);
    out.push_back({topic, call_id, e.SerializeAsString(), ""});
  };
  ev::CallStarted started;
  started.set_channel(ev::CHANNEL_VOICE);
  put(p.answer, ev::EVENT_TYPE_CALL_STARTED, started.SerializeAsString(), true);
  std::string last_decision;
  for (uint32_t turn = 1; turn <= 4; ++turn) {
    ev::TurnReceived t;
    t.set_turn_index(turn);
    t.set_utterance_chars(40);
    put(p.answer, ev::EVENT_TYPE_TURN_RECEIVED, t.SerializeAsString(), true);
    ev::DecisionRecorded d;
    d.set_decision_id(frontdesk::NewUuid());
    d.set_turn_index(turn);
    d.set_lane(ev::LANE_AI_OWNED);
    d.set_rule_id("RT-FAQ");
    d.set_policy_version("bench.1");
    d.set_action("quote_answer");
    d.add_allowed_actions("quote_answer");
    d.add_allowed_actions("handoff");
    d.set_approved_text_id("office-hours");
    d.set_approved_text_version(3);
    d.set_queue("front-desk");
    put(p.rules, ev::EVENT_TYPE_DECISION_RECORDED, d.SerializeAsString(),
        false);
    ev::ReplyGiven r;
    r.set_turn_index(turn);
    r.set_decision_id(d.decision_id());
    r.add_quoted_texts("office-hours@3");
    r.add_quoted_texts("anything-else@1");
    r.set_reply_text("We are open 8 to 5 on weekdays. Anything else?");
    put(p.answer, ev::EVENT_TYPE_REPLY_GIVEN, r.SerializeAsString(), false);
    last_decision = d.decision_id();
  }
  ev::HandoffPrepared h;
  h.set_handoff_id(frontdesk::NewUuid());
  h.set_decision_id(last_decision);
  h.set_queue("front-desk");
  h.set_lane(ev::LANE_AI_OWNED);
  put(p.handoff, ev::EVENT_TYPE_HANDOFF_PREPARED, h.SerializeAsString(), false);
  ev::CallEnded end;
  end.set_turns(4);
  end.set_how("caller_hung_up");
  put(p.answer, ev::EVENT_TYPE_CALL_ENDED, end.SerializeAsString(), false);
  p.answer.Forget(call_id);
  p.rules.Forget(call_id);
  p.handoff.Forget(call_id);
  return out;
}

// A plain consumer: every record of `topic` to the high watermarks, counted
// and dropped. Same consumer settings as KafkaKeyReader.
absl::StatusOr<std::pair<int64_t, int64_t>> RawConsume(
    const std::string& brokers, const std::string& topic) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(
      RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  for (const auto& [k, v] : std::map<std::string, std::string>{
           {"bootstrap.servers", brokers},
           {"group.id", "bench-raw-" + frontdesk::NewUuid()},
           {"enable.auto.commit", "false"},
           {"enable.auto.offset.store", "false"},
           {"enable.partition.eof", "false"},
           {"isolation.level", "read_committed"}}) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(err);
    }
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf.get(), err));
  if (!consumer) return absl::InternalError(err);
  std::unique_ptr<RdKafka::Topic> handle(
      RdKafka::Topic::create(consumer.get(), topic, nullptr, err));
  RdKafka::Metadata* raw = nullptr;
  if (consumer->metadata(false, handle.get(), &raw, 10000) !=
      RdKafka::ERR_NO_ERROR) {
    return absl::UnavailableError("metadata");
  }
  std::unique_ptr<RdKafka::Metadata> md(raw);
  std::map<int32_t, int64_t> high;
  std::vector<RdKafka::TopicPartition*> assignment;
  for (const RdKafka::TopicMetadata* t : *md->topics()) {
    if (t->topic() != topic) continue;
    for (const RdKafka::PartitionMetadata* p : *t->partitions()) {
      int64_t lo = 0, hi = 0;
      consumer->query_watermark_offsets(topic, p->id(), &lo, &hi, 10000);
      if (hi > lo) {
        high[p->id()] = hi;
        assignment.push_back(
            RdKafka::TopicPartition::create(topic, p->id(), lo));
      }
    }
  }
  consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  int64_t n = 0, bytes = 0;
  while (!high.empty()) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(1000));
    if (m->err() == RdKafka::ERR__TIMED_OUT) continue;
    if (m->err() != RdKafka::ERR_NO_ERROR) {
      return absl::UnavailableError(m->errstr());
    }
    ++n;
    bytes += static_cast<int64_t>(m->len());
    auto it = high.find(m->partition());
    if (it != high.end() && m->offset() + 1 >= it->second) high.erase(it);
  }
  consumer->close();
  return std::make_pair(n, bytes);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  frontdesk::kafka::KafkaSettings settings;
  settings.brokers = absl::GetFlag(FLAGS_kafka_brokers);
  const std::string topic =
      absl::StrCat("bench.verify.", frontdesk::NewUuid(), ".v1");
  for (frontdesk::kafka::TopicSpec spec :
       frontdesk::kafka::FrontdeskTopics({}, {})) {
    if (spec.name != frontdesk::kafka::kCallsTopic) continue;
    spec.name = topic;
    if (absl::Status s =
            frontdesk::kafka::EnsureTopics(settings, {spec}, absl::Seconds(20));
        !s.ok()) {
      std::cerr << "verify_throughput: " << s << "\n";
      return 1;
    }
  }

  // 1. Fill.
  Producers p;
  frontdesk::events::ProducerKeys keys;
  (void)keys.Add("answer", p.answer_key->PublicKeyPem());
  (void)keys.Add("rules-check", p.rules_key->PublicKeyPem());
  (void)keys.Add("handoff-prep", p.handoff_key->PublicKeyPem());
  frontdesk::kafka::KafkaEventLogOptions options;
  options.client_id = "verify-throughput";
  options.warm_topics = {topic};
  auto log = frontdesk::kafka::KafkaEventLog::Create(settings, options);
  if (!log.ok()) {
    std::cerr << "verify_throughput: " << log.status() << "\n";
    return 1;
  }
  const int want = absl::GetFlag(FLAGS_events);
  int written = 0;
  std::string probe_call;
  const auto fill0 = Clock::now();
  while (written < want) {
    std::vector<frontdesk::eventlog::LogRecord> batch;
    while (batch.size() < 1500 &&
           written + static_cast<int>(batch.size()) < want) {
      auto call = OneCall(p, topic);
      if (probe_call.empty() && written > want / 2) probe_call = call[0].key;
      batch.insert(batch.end(), call.begin(), call.end());
    }
    if (absl::Status s = (*log)->Append(batch, absl::Seconds(60)); !s.ok()) {
      std::cerr << "verify_throughput: filling: " << s << "\n";
      return 1;
    }
    written += static_cast<int>(batch.size());
  }
  const double fill_s = Since(fill0);
  if (probe_call.empty()) probe_call = "none";

  // 2. Raw consumer.
  auto t0 = Clock::now();
  auto raw = RawConsume(settings.brokers, topic);
  const double raw_s = Since(t0);
  if (!raw.ok()) {
    std::cerr << "verify_throughput: raw: " << raw.status() << "\n";
    return 1;
  }

  // 3. What `frontdesk verify` does: read the topic once, check every call.
  frontdesk::kafka::KafkaKeyReader reader(settings, absl::Minutes(10));
  t0 = Clock::now();
  auto records = reader.ReadTopic(topic);
  const double read_s = Since(t0);
  if (!records.ok()) {
    std::cerr << "verify_throughput: read: " << records.status() << "\n";
    return 1;
  }
  // As `frontdesk verify`: one checking thread per core.
  const int threads = static_cast<int>(std::thread::hardware_concurrency());
  const absl::Time from = absl::Now() - absl::Hours(24);
  const absl::Time to = absl::Now() + absl::Hours(1);
  t0 = Clock::now();
  const frontdesk::audit::RangeCheck signed_check =
      frontdesk::audit::VerifyCalls(*records, from, to, &keys, threads);
  const double check_s = Since(t0);
  t0 = Clock::now();
  const frontdesk::audit::RangeCheck unsigned_check =
      frontdesk::audit::VerifyCalls(*records, from, to, nullptr, threads);
  const double check_nokeys_s = Since(t0);

  // 4. One call out of the whole log.
  std::vector<double> reconstruct_ms;
  size_t call_events = 0;
  size_t call_findings = 0;
  for (int i = 0; i < absl::GetFlag(FLAGS_repeats); ++i) {
    t0 = Clock::now();
    auto one = reader.ReadKey(topic, probe_call);
    if (!one.ok()) {
      std::cerr << "verify_throughput: read key: " << one.status() << "\n";
      return 1;
    }
    const frontdesk::audit::CallCheck c =
        frontdesk::audit::CheckCall(probe_call, *one, &keys);
    reconstruct_ms.push_back(Since(t0) * 1000);
    call_events = one->size();
    call_findings = c.findings.size();
  }
  std::sort(reconstruct_ms.begin(), reconstruct_ms.end());
  const double median_ms = reconstruct_ms[reconstruct_ms.size() / 2];

  const double n = static_cast<double>(records->size());
  std::cout << absl::StrFormat(
      "topic %s: %d events written in %.1f s (%d calls)\n"
      "raw consumer:            %lld records, %.1f MB in %.3f s = %.0f "
      "events/s\n"
      "verify (read + check):   %.0f events in %.3f s + %.3f s = %.0f "
      "events/s (check alone %.0f events/s; %lld signatures valid, %zu "
      "findings)\n"
      "verify without keys:     check alone %.3f s = %.0f events/s\n"
      "checking threads:        %d\n"
      "reconstruct one call:    %zu events of %lld, median %.1f ms over %zu "
      "runs (min %.1f, max %.1f), %zu findings\n",
      topic, written, fill_s, written / 15, static_cast<long long>(raw->first),
      raw->second / 1e6, raw_s, raw->first / raw_s, n, read_s, check_s,
      n / (read_s + check_s), n / check_s,
      static_cast<long long>(signed_check.signed_events),
      signed_check.findings.size(), check_nokeys_s, n / check_nokeys_s, threads,
      call_events, static_cast<long long>(records->size()), median_ms,
      reconstruct_ms.size(), reconstruct_ms.front(), reconstruct_ms.back(),
      call_findings);
  nlohmann::json j = {
      {"events", records->size()},
      {"threads", threads},
      {"raw_events_per_s", raw->first / raw_s},
      {"verify_events_per_s", n / (read_s + check_s)},
      {"verify_check_only_events_per_s", n / check_s},
      {"verify_no_keys_check_only_events_per_s", n / check_nokeys_s},
      {"reconstruct_one_call_ms_median", median_ms},
      {"findings",
       signed_check.findings.size() + unsigned_check.findings.size()}};
  std::cout << j.dump() << "\n";
  return signed_check.findings.empty() && unsigned_check.findings.empty() ? 0
                                                                          : 3;
}
