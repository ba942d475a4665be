// The department end to end: a real broker, the four real services over gRPC.
// An FAQ call, a chest-pain call and a refill call with intake; the log read
// back with our own consumer; every raw record of every topic searched for
// the patient's details; the record-keeper's view compared with the log; PHI
// kept out of every log line.
#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/handoff/v1/handoff_service.pb.h"
#include "gtest/gtest.h"
#include "libs/events/chain_verifier.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_key_reader.h"
#include "tests/integration/department_harness.h"
#include "tools/frontdesk/replay_timeline.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace recv1 = ::frontdesk::records::v1;

constexpr char kCallerNumber[] = "+1 555 010 7788";
constexpr char kFaqWords[] = "Hi, this is Maria Lopez, what are your hours?";
constexpr char kUrgentWords[] =
    "Maria again, born March 3 1980, I have chest pain right now";

std::string StartCall(av::Answer::Stub& answer) {
  av::StartCallRequest r;
  r.set_tenant_id(kTenant);
  r.set_channel(av::CHANNEL_VOICE);
  r.set_reason(av::CALL_REASON_AFTER_HOURS);
  r.set_caller_number(kCallerNumber);
  av::StartCallResponse out;
  grpc::ClientContext ctx;
  grpc::Status s = answer.StartCall(&ctx, r, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_FALSE(out.fallback());
  return out.call_id();
}

av::TurnResponse Turn(av::Answer::Stub& answer, const std::string& call_id,
                      const std::string& words) {
  av::TurnRequest r;
  r.set_call_id(call_id);
  r.set_utterance(words);
  av::TurnResponse out;
  grpc::ClientContext ctx;
  grpc::Status s = answer.Turn(&ctx, r, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return out;
}

void EndCall(av::Answer::Stub& answer, const std::string& call_id) {
  av::EndCallRequest r;
  r.set_call_id(call_id);
  av::EndCallResponse out;
  grpc::ClientContext ctx;
  grpc::Status s = answer.EndCall(&ctx, r, &out);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

std::vector<std::string> Types(const std::vector<eventlog::StoredRecord>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) {
    auto e = events::OpenEnvelopeBytes(r.value);
    out.push_back(e.ok() ? events::EventTypeName(e->body.type()) : "DAMAGED");
  }
  return out;
}

void ExpectChainsIntact(const std::string& call_id,
                        const std::vector<eventlog::StoredRecord>& records) {
  events::ChainVerifier v(call_id);
  for (const auto& r : records) {
    ASSERT_TRUE(v.Add(r.value, std::to_string(r.offset)).ok());
  }
  EXPECT_TRUE(v.findings().empty())
      << events::FindingKindName(v.findings()[0].kind) << " "
      << v.findings()[0].detail;
}

TEST(DepartmentTest, FaqAndChestPainCallsAreOnTheRecordInOrder) {
  auto dept = Department::Start();
  ASSERT_TRUE(dept.ok()) << dept.status();
  auto answer = (*dept)->Answer();

  // An FAQ call.
  const std::string faq = StartCall(*answer);
  ASSERT_FALSE(faq.empty());
  av::TurnResponse hours = Turn(*answer, faq, kFaqWords);
  EXPECT_FALSE(hours.fallback());
  ASSERT_EQ(hours.quoted_texts_size(), 2);
  EXPECT_EQ(hours.quoted_texts(0), "office-hours@3");
  EXPECT_EQ(hours.quoted_texts(1), "anything-else@1");
  EXPECT_TRUE(hours.handoff_id().empty());
  EndCall(*answer, faq);

  // A chest-pain call.
  const std::string urgent = StartCall(*answer);
  av::TurnResponse script = Turn(*answer, urgent, kUrgentWords);
  EXPECT_FALSE(script.fallback());
  EXPECT_EQ(script.quoted_texts(0), "urgent-script@2");
  EXPECT_NE(script.reply().find("call 911"), std::string::npos);
  EXPECT_EQ(script.state(), av::CALL_STATE_ESCALATED);
  ASSERT_FALSE(script.handoff_id().empty());
  EndCall(*answer, urgent);

  // A refill call: the patient's name, date of birth and phone are taken.
  const std::string refill = StartCall(*answer);
  EXPECT_EQ(Turn(*answer, refill, "I need a refill of my inhaler").asking_for(),
            "name");
  EXPECT_EQ(Turn(*answer, refill, "Maria Lopez").asking_for(), "date_of_birth");
  av::TurnResponse read_back = Turn(*answer, refill, "March 3rd 1980");
  EXPECT_NE(read_back.reply().find("March 3, 1980"), std::string::npos);
  EXPECT_EQ(Turn(*answer, refill, "yes").asking_for(), "phone");
  av::TurnResponse handed = Turn(*answer, refill, "312 555 7788");
  EXPECT_FALSE(handed.handoff_id().empty());
  EXPECT_TRUE(Turn(*answer, refill, "no thanks").call_over());
  EndCall(*answer, refill);

  // Our own consumer reads frontdesk.calls.v1.
  kafka::KafkaKeyReader reader((*dept)->kafka());
  auto faq_log = reader.ReadKey(kafka::kCallsTopic, faq);
  ASSERT_TRUE(faq_log.ok()) << faq_log.status();
  EXPECT_EQ(Types(*faq_log),
            (std::vector<std::string>{"CallStarted", "TurnReceived",
                                      "DecisionRecorded", "ReplyGiven",
                                      "CallEnded"}));
  ExpectChainsIntact(faq, *faq_log);

  auto urgent_log = reader.ReadKey(kafka::kCallsTopic, urgent);
  ASSERT_TRUE(urgent_log.ok()) << urgent_log.status();
  EXPECT_EQ(Types(*urgent_log),
            (std::vector<std::string>{"CallStarted", "TurnReceived",
                                      "DecisionRecorded", "HandoffPrepared",
                                      "ReplyGiven", "CallEnded"}));
  ExpectChainsIntact(urgent, *urgent_log);
  auto decision = events::OpenEnvelopeBytes((*urgent_log)[2].value);
  ASSERT_TRUE(decision.ok());
  ev::DecisionRecorded recorded;
  ASSERT_TRUE(recorded.ParseFromString(decision->body.payload()));
  EXPECT_EQ(recorded.lane(), ev::LANE_HUMAN_ONLY);
  EXPECT_EQ(recorded.rule_id(), "HO-URGENT-001");
  EXPECT_TRUE(
      absl::StartsWith(recorded.policy_version(), "sunrise-2026.11.27-1+"));
  ASSERT_EQ(recorded.matched_triggers_size(), 1);
  EXPECT_EQ(recorded.matched_triggers(0), "chest pain");

  // The handoff packet is on the nurse line's topic.
  auto packets = reader.ReadKey("frontdesk.handoff.nurse-line.v1", urgent);
  ASSERT_TRUE(packets.ok()) << packets.status();
  ASSERT_EQ(packets->size(), 1u);
  hv::HandoffPacket packet;
  ASSERT_TRUE(packet.ParseFromString((*packets)[0].value));
  EXPECT_EQ(packet.handoff_id(), script.handoff_id());
  EXPECT_EQ(packet.owner_role(), "triage-nurse");
  EXPECT_EQ(packet.backup_role(), "on-call-clinician");
  EXPECT_EQ(packet.priority(), 1u);
  EXPECT_EQ(packet.patient_told(), script.reply());
  EXPECT_EQ(packet.deadline().seconds() - packet.created_at().seconds(), 300);

  // Nothing the caller said, their name, date of birth or number is in the
  // clear anywhere: every record of every frontdesk topic, raw bytes.
  std::vector<std::string> queues = {"nurse-line",
                                     "front-desk",
                                     "refills",
                                     "billing",
                                     "records",
                                     "practice-manager",
                                     "scheduling-exceptions"};
  int scanned = 0;
  for (const auto& topic :
       kafka::FrontdeskTopics(queues, kafka::TopicSettings())) {
    auto all = reader.ReadTopic(topic.name);
    ASSERT_TRUE(all.ok()) << topic.name << ": " << all.status();
    for (const auto& r : *all) {
      ++scanned;
      for (const char* phi :
           {"Maria", "Lopez", "010 7788", "March 3 1980", "March 3, 1980",
            "1980-03-03", "312 555 7788", "3125557788", "chest pain right now",
            "what are your hours", "refill of my inhaler"}) {
        ASSERT_EQ(r.value.find(phi), std::string::npos)
            << phi << " in " << topic.name;
        ASSERT_EQ(r.key.find(phi), std::string::npos)
            << phi << " in a key of " << topic.name;
      }
    }
  }
  EXPECT_GE(scanned, 12);

  // The same call, replayed with the key, shows the caller's words.
  auto keyring = phi::PhiKeyring::FromLocalFile((*dept)->keyring_file());
  ASSERT_TRUE(keyring.ok()) << keyring.status();
  auto sealer = keyring->SealerFor(kTenant);
  ASSERT_TRUE(sealer.ok()) << sealer.status();
  cli::Timeline timeline = cli::BuildTimeline(urgent, *urgent_log, &*sealer);
  bool words_shown = false;
  for (const auto& line : timeline.lines) {
    words_shown = words_shown || absl::StrContains(line, kUrgentWords);
  }
  EXPECT_TRUE(words_shown);
  EXPECT_TRUE(timeline.findings.empty());
  // And the refill call, replayed with the keyring, shows what was taken.
  auto refill_log = reader.ReadKey(kafka::kCallsTopic, refill);
  ASSERT_TRUE(refill_log.ok()) << refill_log.status();
  ExpectChainsIntact(refill, *refill_log);
  cli::Timeline taken = cli::BuildTimeline(refill, *refill_log, *keyring);
  std::string shown;
  for (const auto& line : taken.lines) absl::StrAppend(&shown, line, "\n");
  for (const char* value :
       {"name: Maria Lopez", "date_of_birth: 1980-03-03", "phone: +13125557788",
        "said: \"I have your date of birth as March 3, "
        "1980. Is that right?\""}) {
    EXPECT_NE(shown.find(value), std::string::npos) << value;
  }

  // record-keeper answers GetCall with the same events, byte for byte.
  auto records = (*dept)->Records();
  for (const auto& [call_id, log] :
       {std::pair{faq, &*faq_log}, std::pair{urgent, &*urgent_log}}) {
    recv1::GetCallResponse got;
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      got.Clear();
      recv1::GetCallRequest req;
      req.set_call_id(call_id);
      grpc::ClientContext ctx;
      (*dept)->SignIn(&ctx, "auditor-department-test", "auditor", "HOPERAT");
      grpc::Status s = records->GetCall(&ctx, req, &got);
      if (s.ok() && got.events_size() == static_cast<int>(log->size())) break;
      absl::SleepFor(absl::Milliseconds(200));
    }
    ASSERT_EQ(got.events_size(), static_cast<int>(log->size()));
    for (size_t i = 0; i < log->size(); ++i) {
      EXPECT_EQ(got.events(static_cast<int>(i)).envelope().SerializeAsString(),
                (*log)[i].value);
      EXPECT_EQ(got.events(static_cast<int>(i)).offset(), (*log)[i].offset);
    }
  }

  // Graceful shutdown: every service exits 0 on SIGTERM.
  absl::Status stopped = (*dept)->Stop();
  EXPECT_TRUE(stopped.ok()) << stopped;

  // No PHI in any service log.
  const std::string logs = (*dept)->Logs();
  EXPECT_NE(logs.find("event=turn"), std::string::npos);
  for (const char* phi :
       {"Maria", "Lopez", "010 7788", "chest pain right", "1980-03-03",
        "March 3", "3125557788", "312 555 7788"}) {
    EXPECT_EQ(logs.find(phi), std::string::npos) << phi << " leaked into logs";
  }
}

}  // namespace
}  // namespace frontdesk::testing
