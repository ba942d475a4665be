#include "services/record_keeper/call_record_store.h"

#include "gtest/gtest.h"
#include "libs/events/event_chain.h"
#include "libs/events/event_envelope.h"

namespace frontdesk::record_keeper {
namespace {

namespace ev = ::frontdesk::events::v1;

class CallRecordStoreTest : public ::testing::Test {
 protected:
  CallRecordStoreTest()
      : clock_(absl::FromUnixSeconds(1800000000)), chain_(P(), &clock_) {}
  static ev::Producer P() {
    ev::Producer p;
    p.set_service("answer");
    p.set_instance("a");
    return p;
  }
  eventlog::StoredRecord Record(const std::string& call, ev::EventType type,
                                int64_t offset) {
    events::EventDraft d;
    d.tenant_id = "t";
    d.call_id = call;
    d.type = type;
    eventlog::StoredRecord r;
    r.topic = "frontdesk.calls.v1";
    r.partition = 1;
    r.offset = offset;
    r.key = call;
    r.value = chain_.Next(d).SerializeAsString();
    return r;
  }
  FakeClock clock_;
  events::EventChain chain_;
};

TEST_F(CallRecordStoreTest, FoldsEventsPerCallInLogOrder) {
  CallRecordStore store;
  auto a1 = Record("a", ev::EVENT_TYPE_CALL_STARTED, 0);
  auto b1 = Record("b", ev::EVENT_TYPE_CALL_STARTED, 1);
  auto a2 = Record("a", ev::EVENT_TYPE_TURN_RECEIVED, 2);
  EXPECT_EQ(store.Apply(a1), ApplyOutcome::kApplied);
  EXPECT_EQ(store.Apply(b1), ApplyOutcome::kApplied);
  EXPECT_EQ(store.Apply(a2), ApplyOutcome::kApplied);
  auto a = store.GetCall("a");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].offset(), 0);
  EXPECT_EQ(a[1].offset(), 2);
  EXPECT_EQ(a[1].partition(), 1);
  EXPECT_EQ(a[0].envelope().SerializeAsString(), a1.value);
  EXPECT_TRUE(store.GetCall("none").empty());
}

TEST_F(CallRecordStoreTest, DuplicateEventIsAppliedOnce) {
  CallRecordStore store;
  auto a1 = Record("a", ev::EVENT_TYPE_CALL_STARTED, 0);
  EXPECT_EQ(store.Apply(a1), ApplyOutcome::kApplied);
  a1.offset = 9;  // the same event delivered again further on
  EXPECT_EQ(store.Apply(a1), ApplyOutcome::kDuplicate);
  EXPECT_EQ(store.GetCall("a").size(), 1u);
  EXPECT_EQ(store.duplicates(), 1);
}

TEST_F(CallRecordStoreTest, DamagedRecordIsCountedAndKeptOut) {
  CallRecordStore store;
  auto a1 = Record("a", ev::EVENT_TYPE_CALL_STARTED, 0);
  ev::EventEnvelope env;
  ASSERT_TRUE(env.ParseFromString(a1.value));
  (*env.mutable_body())[3] ^= 0x04;
  a1.value = env.SerializeAsString();
  EXPECT_EQ(store.Apply(a1), ApplyOutcome::kDamaged);
  EXPECT_EQ(store.damaged(), 1);
  EXPECT_EQ(store.applied(), 0);
}

TEST_F(CallRecordStoreTest, ReplayRebuildsTheSameRecord) {
  std::vector<eventlog::StoredRecord> log;
  for (int i = 0; i < 6; ++i) {
    log.push_back(Record(i % 2 ? "a" : "b", ev::EVENT_TYPE_TURN_RECEIVED, i));
  }
  CallRecordStore first;
  CallRecordStore second;
  for (const auto& r : log) first.Apply(r);
  for (const auto& r : log) second.Apply(r);
  for (const std::string call : {"a", "b"}) {
    auto x = first.GetCall(call);
    auto y = second.GetCall(call);
    ASSERT_EQ(x.size(), y.size());
    for (size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(x[i].SerializeAsString(), y[i].SerializeAsString());
    }
  }
}

}  // namespace
}  // namespace frontdesk::record_keeper
