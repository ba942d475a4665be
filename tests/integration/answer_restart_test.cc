// A call survives the loss of the process serving it: the answer process is
// killed (SIGKILL) in the middle of calls, a new one starts, and it resumes
// each call from its events in Kafka: nothing asked twice, nothing lost, and
// the urgent stop kept.
#include <grpcpp/grpcpp.h>

#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/handoff/v1/handoff_service.pb.h"
#include "gtest/gtest.h"
#include "libs/events/chain_verifier.h"
#include "libs/kafka/kafka_key_reader.h"
#include "libs/phi/phi_keyring.h"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;

std::string StartCall(av::Answer::Stub& answer) {
  av::StartCallRequest r;
  r.set_tenant_id(kTenant);
  r.set_caller_number("+1 555 010 4242");
  av::StartCallResponse out;
  grpc::ClientContext ctx;
  EXPECT_TRUE(answer.StartCall(&ctx, r, &out).ok());
  return out.call_id();
}

grpc::Status Turn(av::Answer::Stub& answer, const std::string& id,
                  const std::string& words, av::TurnResponse* out) {
  av::TurnRequest r;
  r.set_call_id(id);
  r.set_utterance(words);
  grpc::ClientContext ctx;
  return answer.Turn(&ctx, r, out);
}

TEST(AnswerRestartTest, KilledMidCallANewProcessResumesFromTheLog) {
  auto dept = Department::Start();
  ASSERT_TRUE(dept.ok()) << dept.status();
  auto answer = (*dept)->Answer();

  const std::string refill = StartCall(*answer);
  av::TurnResponse reply;
  ASSERT_TRUE(Turn(*answer, refill, "I need a refill", &reply).ok());
  ASSERT_EQ(reply.asking_for(), "name");
  ASSERT_TRUE(Turn(*answer, refill, "Maria Lopez", &reply).ok());
  ASSERT_TRUE(Turn(*answer, refill, "March 3 1980", &reply).ok());
  ASSERT_EQ(reply.state(), av::CALL_STATE_CONFIRM);
  const std::string urgent = StartCall(*answer);
  ASSERT_TRUE(Turn(*answer, urgent, "I have chest pain", &reply).ok());
  ASSERT_EQ(reply.state(), av::CALL_STATE_ESCALATED);

  ASSERT_TRUE((*dept)->RestartAnswerAfterKill().ok());
  answer = (*dept)->Answer();

  // The refill call carries on where it was: the date read back is
  // confirmed, and the name is not asked again.
  ASSERT_TRUE(Turn(*answer, refill, "yes", &reply).ok());
  EXPECT_FALSE(reply.fallback()) << (*dept)->Logs();
  EXPECT_EQ(reply.asking_for(), "phone");
  ASSERT_TRUE(Turn(*answer, refill, "312 555 7788", &reply).ok());
  EXPECT_FALSE(reply.handoff_id().empty());
  ASSERT_EQ(reply.quoted_texts_size(), 2);
  EXPECT_EQ(reply.quoted_texts(0), "next-refill@1");
  // The urgent call stays escalated: only the post-escalation wording.
  ASSERT_TRUE(Turn(*answer, urgent, "hello?", &reply).ok());
  ASSERT_EQ(reply.quoted_texts_size(), 1);
  EXPECT_EQ(reply.quoted_texts(0), "post-escalation@1");

  kafka::KafkaKeyReader reader((*dept)->kafka());
  auto log = reader.ReadKey(kafka::kCallsTopic, refill);
  ASSERT_TRUE(log.ok()) << log.status();
  events::ChainVerifier verifier(refill);
  std::vector<uint32_t> turns;
  std::vector<std::string> answer_instances;
  for (const auto& r : *log) {
    auto e = verifier.Add(r.value, std::to_string(r.offset));
    ASSERT_TRUE(e.ok());
    if (e->body.producer().service() == "answer" &&
        (answer_instances.empty() ||
         answer_instances.back() != e->body.producer().instance())) {
      answer_instances.push_back(e->body.producer().instance());
    }
    if (e->body.type() == ev::EVENT_TYPE_TURN_RECEIVED) {
      ev::TurnReceived t;
      ASSERT_TRUE(t.ParseFromString(e->body.payload()));
      turns.push_back(t.turn_index());
    }
    if (e->body.type() == ev::EVENT_TYPE_DECISION_RECORDED) {
      ev::DecisionRecorded d;
      ASSERT_TRUE(d.ParseFromString(e->body.payload()));
      EXPECT_EQ(d.request_type(), "refill");
    }
  }
  EXPECT_EQ(turns, (std::vector<uint32_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(answer_instances.size(), 2u);
  EXPECT_TRUE(verifier.findings().empty());
  auto packets = reader.ReadKey("frontdesk.handoff.refills.v1", refill);
  ASSERT_TRUE(packets.ok());
  ASSERT_EQ(packets->size(), 1u);
  // The packet holds every value, those taken before the kill included.
  hv::HandoffPacket packet;
  ASSERT_TRUE(packet.ParseFromString((*packets)[0].value));
  auto keyring = phi::PhiKeyring::FromLocalFile((*dept)->keyring_file());
  ASSERT_TRUE(keyring.ok()) << keyring.status();
  auto phi = keyring->Open(packet.sealed_phi(), kTenant, refill);
  ASSERT_TRUE(phi.ok()) << phi.status();
  std::vector<std::string> fields;
  for (const auto& v : phi->intake()) fields.push_back(v.field());
  EXPECT_EQ(fields,
            (std::vector<std::string>{"date_of_birth", "name", "phone"}));

  absl::Status down = (*dept)->Stop();
  EXPECT_TRUE(down.ok()) << down;
}

}  // namespace
}  // namespace frontdesk::testing
