// The durability rule against a real broker: stop the broker (SIGSTOP) in
// the middle of a call. The turn must get the clinic's fallback wording
// within the bound, claim no action, and lose nothing: once the broker is
// back (SIGCONT) the failed turn's events arrive, and the next call works.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include "absl/time/clock.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "gtest/gtest.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_key_reader.h"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;

constexpr int kBoundMs = 2000;

// Resumes the broker however the test ends.
class BrokerPause {
 public:
  explicit BrokerPause(pid_t pid) : pid_(pid) { kill(pid_, SIGSTOP); }
  ~BrokerPause() { Resume(); }
  void Resume() {
    if (pid_ > 0) kill(pid_, SIGCONT);
    pid_ = -1;
  }

 private:
  pid_t pid_;
};

TEST(BrokerOutageTest, TurnFallsBackWithinTheBoundAndLosesNothing) {
  auto dept = Department::Start(kBoundMs);
  ASSERT_TRUE(dept.ok()) << dept.status();
  auto answer = (*dept)->Answer();
  auto broker = BrokerPid();
  ASSERT_TRUE(broker.ok()) << broker.status();

  av::StartCallRequest start;
  start.set_tenant_id(kTenant);
  av::StartCallResponse call;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(answer->StartCall(&ctx, start, &call).ok());
  }
  auto turn = [&](const std::string& id, const std::string& words) {
    av::TurnRequest r;
    r.set_call_id(id);
    r.set_utterance(words);
    av::TurnResponse out;
    grpc::ClientContext ctx;
    grpc::Status s = answer->Turn(&ctx, r, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  };
  EXPECT_FALSE(turn(call.call_id(), "where do I park").fallback());

  av::TurnResponse during;
  absl::Duration took;
  {
    BrokerPause pause(*broker);
    const absl::Time t0 = absl::Now();
    during = turn(call.call_id(), "I have chest pain");
    took = absl::Now() - t0;
  }
  // The fallback wording, and no action claimed.
  EXPECT_TRUE(during.fallback());
  ASSERT_EQ(during.quoted_texts_size(), 1);
  EXPECT_EQ(during.quoted_texts(0), "fallback@1");
  EXPECT_NE(during.reply().find("call 911"), std::string::npos);
  EXPECT_TRUE(during.handoff_id().empty());
  EXPECT_TRUE(during.decision_id().empty());
  EXPECT_FALSE(during.call_over());
  // It waited for the bound, and not much longer.
  EXPECT_GE(took, absl::Milliseconds(kBoundMs));
  EXPECT_LT(took, absl::Milliseconds(kBoundMs) + absl::Seconds(3));

  // Once the broker is back, the failed turn's events are delivered.
  kafka::KafkaKeyReader reader((*dept)->kafka());
  std::vector<std::string> types;
  bool fallback_recorded = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    auto log = reader.ReadKey(kafka::kCallsTopic, call.call_id());
    ASSERT_TRUE(log.ok()) << log.status();
    types.clear();
    for (const auto& r : *log) {
      auto e = events::OpenEnvelopeBytes(r.value);
      ASSERT_TRUE(e.ok());
      types.push_back(events::EventTypeName(e->body.type()));
      if (e->body.type() == ev::EVENT_TYPE_REPLY_GIVEN) {
        ev::ReplyGiven reply;
        ASSERT_TRUE(reply.ParseFromString(e->body.payload()));
        if (reply.fallback()) fallback_recorded = true;
      }
    }
    if (fallback_recorded) break;
    absl::SleepFor(absl::Milliseconds(250));
  }
  EXPECT_TRUE(fallback_recorded);
  EXPECT_EQ(types,
            (std::vector<std::string>{
                "CallStarted", "TurnReceived", "DecisionRecorded", "ReplyGiven",
                "TurnReceived", "TurnFailed", "ReplyGiven"}));
  // No handoff was made for the chest pain the log could not record.
  auto packets =
      reader.ReadKey("frontdesk.handoff.nurse-line.v1", call.call_id());
  ASSERT_TRUE(packets.ok());
  EXPECT_TRUE(packets->empty());

  // The next call works again.
  av::StartCallResponse next;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(answer->StartCall(&ctx, start, &next).ok());
  }
  EXPECT_FALSE(next.fallback());
  av::TurnResponse ok = turn(next.call_id(), "what are your hours");
  EXPECT_FALSE(ok.fallback());
  EXPECT_EQ(ok.quoted_texts(0), "office-hours@3");

  absl::Status stopped = (*dept)->Stop();
  EXPECT_TRUE(stopped.ok()) << stopped;
}

}  // namespace
}  // namespace frontdesk::testing
