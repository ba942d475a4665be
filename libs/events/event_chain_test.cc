#include "libs/events/event_chain.h"

#include "gtest/gtest.h"
#include "libs/events/event_envelope.h"

namespace frontdesk::events {
namespace {

namespace ev = ::frontdesk::events::v1;

ev::Producer AnswerProducer() {
  ev::Producer p;
  p.set_service("answer");
  p.set_instance("host:42:1");
  p.set_version("0.1.0");
  return p;
}

EventDraft Draft(const std::string& call_id) {
  EventDraft d;
  d.tenant_id = "sunrise";
  d.call_id = call_id;
  d.policy_version = "2026-11-27.1";
  d.type = ev::EVENT_TYPE_CALL_STARTED;
  d.payload = "";
  return d;
}

TEST(EventChainTest, NumbersAndLinksEventsPerCall) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  EventChain chain(AnswerProducer(), &clock);

  const ev::EventEnvelope a1 = chain.Next(Draft("a"));
  clock.Advance(absl::Milliseconds(1500));
  const ev::EventEnvelope a2 = chain.Next(Draft("a"));
  const ev::EventEnvelope b1 = chain.Next(Draft("b"));

  auto o1 = OpenEnvelope(a1);
  auto o2 = OpenEnvelope(a2);
  auto ob = OpenEnvelope(b1);
  ASSERT_TRUE(o1.ok() && o2.ok() && ob.ok());
  EXPECT_EQ(o1->body.sequence(), 1u);
  EXPECT_EQ(o1->body.prev_hash(), "");
  EXPECT_EQ(o2->body.sequence(), 2u);
  EXPECT_EQ(o2->body.prev_hash(), a1.hash());
  EXPECT_EQ(ob->body.sequence(), 1u);
  EXPECT_EQ(ob->body.prev_hash(), "");
  EXPECT_EQ(o1->body.occurred_at().seconds(), 1800000000);
  EXPECT_EQ(o2->body.occurred_at().seconds(), 1800000001);
  EXPECT_EQ(o2->body.occurred_at().nanos(), 500000000);
  EXPECT_EQ(o2->body.producer().instance(), "host:42:1");
  EXPECT_EQ(o2->body.policy_version(), "2026-11-27.1");
  EXPECT_NE(o1->body.event_id(), o2->body.event_id());
  EXPECT_EQ(chain.open_chains(), 2u);

  chain.Forget("a");
  EXPECT_EQ(chain.open_chains(), 1u);
}

}  // namespace
}  // namespace frontdesk::events
