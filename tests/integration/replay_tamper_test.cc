// Tamper-evident replay, end to end: real calls through the real department
// (services signing their events), then crafted records written straight into
// frontdesk.calls.v1 with a raw librdkafka producer, one tamper case per call
// so none masks another, and the `frontdesk` binary's JSON report asserted
// exactly: kind, event id, event type, producer, sequence, partition and
// offset.
//
// Also: a clean call replays with no finding; a role without `replay` is
// refused (exit 4) and the refusal is on frontdesk.access.v1; opening PHI
// needs `phi.read`.
#include <librdkafka/rdkafkacpp.h>
#include <sys/wait.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/common/uuid.h"
#include "libs/events/event_chain.h"
#include "libs/events/event_envelope.h"
#include "libs/events/event_signer.h"
#include "libs/kafka/kafka_settings.h"
#include "nlohmann/json.hpp"
#include "tests/integration/department_harness.h"
#include "tools/frontdesk/log_window_reader.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;

const std::string kPolicy =
    absl::StrCat(FRONTDESK_SOURCE_DIR, "/examples/clinic/policy.yaml");

struct ToolRun {
  int exit_code = -1;
  std::string out;
};

// Runs the frontdesk binary with `args`; stdout captured, stderr to the
// test's stderr.
ToolRun Frontdesk(const std::vector<std::string>& args) {
  std::string cmd = absl::StrCat(FRONTDESK_BIN_DIR, "/frontdesk");
  for (const std::string& a : args) absl::StrAppend(&cmd, " '", a, "'");
  ToolRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

class ReplayTamperTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    since_ = absl::Now() - absl::Minutes(1);
    auto d = Department::Start();
    ASSERT_TRUE(d.ok()) << d.status();
    dept_ = d->release();
  }
  static void TearDownTestSuite() {
    if (dept_ != nullptr) {
      EXPECT_TRUE(dept_->Stop().ok());
    }
    delete dept_;
    dept_ = nullptr;
  }

  // A real call: an FAQ answered, a refill request with intake, handed off.
  std::string RealCall() {
    auto answer = dept_->Answer();
    av::StartCallRequest start;
    start.set_tenant_id(kTenant);
    start.set_channel(av::CHANNEL_VOICE);
    start.set_reason(av::CALL_REASON_AFTER_HOURS);
    av::StartCallResponse started;
    {
      grpc::ClientContext ctx;
      EXPECT_TRUE(answer->StartCall(&ctx, start, &started).ok());
    }
    for (const char* words :
         {"what are your hours?", "I need a refill of my inhaler",
          "Maria Lopez", "March 3rd 1980", "yes", "312 555 7788"}) {
      av::TurnRequest t;
      t.set_call_id(started.call_id());
      t.set_utterance(words);
      av::TurnResponse reply;
      grpc::ClientContext ctx;
      EXPECT_TRUE(answer->Turn(&ctx, t, &reply).ok());
      EXPECT_FALSE(reply.fallback()) << words;
    }
    av::EndCallRequest end;
    end.set_call_id(started.call_id());
    av::EndCallResponse ended;
    grpc::ClientContext ctx;
    EXPECT_TRUE(answer->EndCall(&ctx, end, &ended).ok());
    return started.call_id();
  }

  // The call's records, read from the start of this suite on (the shared
  // topic may hold millions of older events).
  std::vector<eventlog::StoredRecord> Read(const std::string& call_id) {
    auto records = cli::ReadLogWindow(dept_->kafka(), kafka::kCallsTopic,
                                      since_, &call_id, absl::Minutes(2));
    EXPECT_TRUE(records.ok()) << records.status();
    return records.ok() ? *records : std::vector<eventlog::StoredRecord>{};
  }

  // Writes `value` under `call_id` with a plain producer, as an attacker with
  // write access to the topic would; returns the record as stored.
  eventlog::StoredRecord WriteRaw(const std::string& call_id,
                                  const std::string& value) {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(
        RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    conf->set("bootstrap.servers", TestBrokers(), err);
    std::unique_ptr<RdKafka::Producer> producer(
        RdKafka::Producer::create(conf.get(), err));
    EXPECT_NE(producer, nullptr) << err;
    RdKafka::ErrorCode code = producer->produce(
        kafka::kCallsTopic, RdKafka::Topic::PARTITION_UA,
        RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(value.data()),
        value.size(), call_id.data(), call_id.size(), 0, nullptr);
    EXPECT_EQ(code, RdKafka::ERR_NO_ERROR);
    EXPECT_EQ(producer->flush(10000), RdKafka::ERR_NO_ERROR);
    const std::vector<eventlog::StoredRecord> all = Read(call_id);
    EXPECT_FALSE(all.empty());
    EXPECT_EQ(all.back().value, value);
    return all.back();
  }

  // The last answer event of a call, opened.
  static events::OpenedEvent LastAnswerEvent(
      const std::vector<eventlog::StoredRecord>& records) {
    events::OpenedEvent last;
    for (const auto& r : records) {
      auto e = events::OpenEnvelopeBytes(r.value);
      if (e.ok() && e->body.producer().service() == "answer") last = *e;
    }
    return last;
  }

  // A body that continues answer's chain for the call after `last`.
  static ev::EventBody Continue(const events::OpenedEvent& last,
                                ev::EventType type, const std::string& payload,
                                uint64_t skip = 0) {
    ev::EventBody b = last.body;
    b.set_event_id(NewUuid());
    b.set_sequence(last.body.sequence() + 1 + skip);
    b.set_prev_hash(last.envelope.hash());
    b.set_type(type);
    b.set_payload(payload);
    b.clear_sealed_phi();
    return b;
  }

  static nlohmann::json Replay(const std::string& call_id, int want_exit,
                               const std::string& role = "auditor") {
    ToolRun r = Frontdesk(
        {"replay", "--call=" + call_id, "--json",
         "--producer_keys=" + dept_->signing_keys_dir(), "--actor=it-auditor",
         "--role=" + role, "--purpose=tamper test", "--policy=" + kPolicy,
         "--kafka_brokers=" + TestBrokers(), "--since=" + Since()});
    EXPECT_EQ(r.exit_code, want_exit) << r.out;
    if (want_exit != 0 && want_exit != 3) return nullptr;
    nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  static void ExpectOneFinding(const nlohmann::json& report,
                               const std::string& kind,
                               const eventlog::StoredRecord& at,
                               const ev::EventBody& body) {
    ASSERT_TRUE(report.is_object());
    ASSERT_EQ(report["findings"].size(), 1u) << report["findings"].dump(2);
    const nlohmann::json& f = report["findings"][0];
    EXPECT_EQ(f["kind"], kind);
    EXPECT_EQ(f["event_id"], body.event_id());
    EXPECT_EQ(f["event_type"], events::EventTypeName(body.type()));
    EXPECT_EQ(f["producer"]["service"], body.producer().service());
    EXPECT_EQ(f["producer"]["instance"], body.producer().instance());
    EXPECT_EQ(f["sequence"], body.sequence());
    EXPECT_EQ(f["topic"], kafka::kCallsTopic);
    EXPECT_EQ(f["partition"], at.partition);
    EXPECT_EQ(f["offset"], at.offset);
  }

  static std::string Since() {
    return absl::FormatTime(absl::RFC3339_sec, since_, absl::UTCTimeZone());
  }

  static Department* dept_;
  static absl::Time since_;
};

Department* ReplayTamperTest::dept_ = nullptr;
absl::Time ReplayTamperTest::since_;

TEST_F(ReplayTamperTest, RealCallReplaysWithEverySignatureAndDecision) {
  const std::string call = RealCall();
  const auto records = Read(call);
  ASSERT_GE(records.size(), 15u);
  const nlohmann::json j = Replay(call, 0);
  ASSERT_TRUE(j.is_object());
  EXPECT_TRUE(j["findings"].empty()) << j["findings"].dump(2);
  EXPECT_EQ(j["counts"]["records"], records.size());
  EXPECT_EQ(j["counts"]["signed"], records.size());
  EXPECT_EQ(j["signatures_checked"], true);
  // Replies, fields and the handoff were each checked against a decision.
  EXPECT_GE(j["counts"]["actions_checked"].get<int>(), 10);
}

TEST_F(ReplayTamperTest, AlteredPayloadIsReported) {
  const std::string call = RealCall();
  const auto records = Read(call);
  // A copy of the FAQ reply with one quoted character changed, hash kept.
  ev::EventEnvelope copy;
  events::OpenedEvent reply;
  for (const auto& r : records) {
    auto e = events::OpenEnvelopeBytes(r.value);
    if (e.ok() && e->body.type() == ev::EVENT_TYPE_REPLY_GIVEN) {
      reply = *e;
      break;
    }
  }
  copy = reply.envelope;
  std::string body = copy.body();
  const size_t at = body.find("office-hours@3");
  ASSERT_NE(at, std::string::npos);
  body[at + 13] = '9';
  copy.set_body(body);
  const auto stored = WriteRaw(call, copy.SerializeAsString());
  ExpectOneFinding(Replay(call, 3), "altered", stored, reply.body);
}

TEST_F(ReplayTamperTest, ForgedEventWithValidHashAndChainIsReported) {
  const std::string call = RealCall();
  const events::OpenedEvent last = LastAnswerEvent(Read(call));
  ev::ReplyGiven said;
  said.set_turn_index(7);
  said.set_reply_text("We have cancelled your prescription.");
  // Well linked and hashed, signed with a key the auditor does not trust.
  ev::EventBody forged =
      Continue(last, ev::EVENT_TYPE_REPLY_GIVEN, said.SerializeAsString());
  ev::EventEnvelope envelope = events::SealEnvelope(forged);
  events::EventSigner::Generate("answer")->SignEnvelope(&envelope);
  const auto stored = WriteRaw(call, envelope.SerializeAsString());
  const nlohmann::json j = Replay(call, 3);
  ExpectOneFinding(j, "forged", stored, forged);
  EXPECT_NE(
      j["findings"][0]["detail"].get<std::string>().find("not the trusted key"),
      std::string::npos);
}

TEST_F(ReplayTamperTest, DuplicateIsReported) {
  const std::string call = RealCall();
  const auto records = Read(call);
  auto decision = events::OpenEnvelopeBytes(records[2].value);
  ASSERT_TRUE(decision.ok());
  ASSERT_EQ(decision->body.type(), ev::EVENT_TYPE_DECISION_RECORDED);
  const auto stored = WriteRaw(call, records[2].value);
  ExpectOneFinding(Replay(call, 3), "duplicate", stored, decision->body);
}

TEST_F(ReplayTamperTest, GapInASequenceIsReported) {
  const std::string call = RealCall();
  const events::OpenedEvent last = LastAnswerEvent(Read(call));
  // answer's key signs an event two past its last: one event went missing.
  auto key = events::EventSigner::FromPrivateKeyFile(
      "answer", dept_->signing_keys_dir() + "/answer.key");
  ASSERT_TRUE(key.ok()) << key.status();
  ev::CallEnded ended;
  ended.set_turns(6);
  ended.set_how("caller_hung_up");
  ev::EventBody after_gap = Continue(last, ev::EVENT_TYPE_CALL_ENDED,
                                     ended.SerializeAsString(), /*skip=*/1);
  after_gap.set_prev_hash(events::Sha256("the lost event"));
  ev::EventEnvelope envelope = events::SealEnvelope(after_gap);
  (*key)->SignEnvelope(&envelope);
  const auto stored = WriteRaw(call, envelope.SerializeAsString());
  const nlohmann::json j = Replay(call, 3);
  ExpectOneFinding(j, "missing", stored, after_gap);
  EXPECT_EQ(j["findings"][0]["detail"],
            absl::StrCat("answer/", last.body.producer().instance(),
                         " sequence ", last.body.sequence() + 1,
                         " missing before ", last.body.sequence() + 2));
}

TEST_F(ReplayTamperTest, ActionWithNoAllowingDecisionIsReported) {
  const std::string call = RealCall();
  const events::OpenedEvent last = LastAnswerEvent(Read(call));
  auto key = events::EventSigner::FromPrivateKeyFile(
      "answer", dept_->signing_keys_dir() + "/answer.key");
  ASSERT_TRUE(key.ok()) << key.status();
  ev::ReplyGiven said;
  said.set_turn_index(7);
  said.set_decision_id("decision-that-was-never-made");
  said.add_quoted_texts("office-hours@3");
  ev::EventBody action =
      Continue(last, ev::EVENT_TYPE_REPLY_GIVEN, said.SerializeAsString());
  ev::EventEnvelope envelope = events::SealEnvelope(action);
  (*key)->SignEnvelope(&envelope);
  const auto stored = WriteRaw(call, envelope.SerializeAsString());
  const nlohmann::json j = Replay(call, 3);
  ExpectOneFinding(j, "no_decision", stored, action);
  EXPECT_EQ(j["findings"][0]["detail"],
            "cites decision decision-that-was-never-made, which is not on "
            "the log for this call before it");
}

TEST_F(ReplayTamperTest, AccessIsRefusedWithoutThePermissionAndRecorded) {
  const std::string call = RealCall();
  // front-desk holds records.read only.
  EXPECT_TRUE(Replay(call, 4, "front-desk").is_null());
  // auditor may replay, but not open PHI.
  ToolRun phi = Frontdesk(
      {"replay", "--call=" + call, "--actor=it-auditor", "--role=auditor",
       "--purpose=tamper test", "--policy=" + kPolicy,
       "--keyring_file=" + dept_->keyring_file(),
       "--kafka_brokers=" + TestBrokers(), "--since=" + Since()});
  EXPECT_EQ(phi.exit_code, 4);
  EXPECT_TRUE(phi.out.empty()) << phi.out;
  // privacy-officer may: the caller's words appear.
  ToolRun opened = Frontdesk(
      {"replay", "--call=" + call, "--actor=it-officer",
       "--role=privacy-officer", "--purpose=tamper test", "--policy=" + kPolicy,
       "--keyring_file=" + dept_->keyring_file(),
       "--kafka_brokers=" + TestBrokers(), "--since=" + Since()});
  EXPECT_EQ(opened.exit_code, 0) << opened.out;
  EXPECT_NE(opened.out.find("words: \"what are your hours?\""),
            std::string::npos)
      << opened.out;

  // Every attempt is on frontdesk.access.v1, refused or allowed.
  const std::string actor = "actor/it-auditor";
  auto auditor = cli::ReadLogWindow(dept_->kafka(), kafka::kAccessTopic, since_,
                                    &actor, absl::Minutes(2));
  ASSERT_TRUE(auditor.ok()) << auditor.status();
  std::vector<std::string> seen;
  for (const auto& r : *auditor) {
    auto e = events::OpenEnvelopeBytes(r.value);
    ASSERT_TRUE(e.ok());
    ev::AccessRecorded a;
    ASSERT_TRUE(a.ParseFromString(e->body.payload()));
    if (a.resource() != "call/" + call) continue;
    seen.push_back(absl::StrCat(a.role(), " ", a.action(), " ",
                                a.allowed() ? "allowed" : "refused"));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"front-desk replay refused",
                                            "auditor replay allowed",
                                            "auditor open_phi refused"}));
}

TEST_F(ReplayTamperTest, VerifySummarizesEveryCallOfTheRange) {
  // Only this test's calls are in range: --from is now, with no lookback.
  const std::string from =
      absl::FormatTime(absl::RFC3339_full, absl::Now() - absl::Milliseconds(10),
                       absl::UTCTimeZone());
  const std::string clean = RealCall();
  const std::string tampered = RealCall();
  const auto records = Read(tampered);
  auto copied = events::OpenEnvelopeBytes(records[1].value);
  ASSERT_TRUE(copied.ok());
  const auto stored = WriteRaw(tampered, records[1].value);
  const std::string to = absl::FormatTime(
      absl::RFC3339_sec, absl::Now() + absl::Minutes(1), absl::UTCTimeZone());

  const auto verify = [&](const std::string& role) {
    return Frontdesk({"verify", "--from=" + from, "--to=" + to, "--lookback=0s",
                      "--json", "--producer_keys=" + dept_->signing_keys_dir(),
                      "--actor=it-auditor", "--role=" + role,
                      "--purpose=tamper test", "--policy=" + kPolicy,
                      "--kafka_brokers=" + TestBrokers()});
  };
  EXPECT_EQ(verify("front-desk").exit_code, 4);
  const ToolRun run = verify("auditor");
  ASSERT_EQ(run.exit_code, 3) << run.out;
  const nlohmann::json j = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << run.out;
  EXPECT_EQ(j["calls"], 2);
  EXPECT_EQ(j["events"], Read(clean).size() + records.size() + 1);
  // The copy carries the original's valid signature: signed, but a duplicate.
  EXPECT_EQ(j["signed_events"], j["events"]);
  EXPECT_EQ(j["by_kind"], nlohmann::json({{"duplicate", 1}}));
  ASSERT_EQ(j["findings"].size(), 1u);
  EXPECT_EQ(j["findings"][0]["call_id"], tampered);
  EXPECT_EQ(j["findings"][0]["event_id"], copied->body.event_id());
  EXPECT_EQ(j["findings"][0]["offset"], stored.offset);
  EXPECT_GT(j["events_per_second"].get<double>(), 0);
}

}  // namespace
}  // namespace frontdesk::testing
