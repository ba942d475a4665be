#include "tools/frontdesk/replay_timeline.h"

#include "frontdesk/events/v1/call_events.pb.h"
#include "gtest/gtest.h"
#include "libs/events/event_chain.h"
#include "libs/phi/in_memory_tenant_keys.h"

namespace frontdesk::cli {
namespace {

namespace ev = ::frontdesk::events::v1;

class ReplayTimelineTest : public ::testing::Test {
 protected:
  ReplayTimelineTest()
      : clock_(absl::FromUnixSeconds(1800000000)),
        chain_(P(), &clock_),
        sealer_(*phi::PhiSealer::FromKey(std::string(32, 'k'))) {}
  static ev::Producer P() {
    ev::Producer p;
    p.set_service("answer");
    p.set_instance("a");
    return p;
  }
  void Add(ev::EventType type, const std::string& payload,
           const std::string& words) {
    events::EventDraft d;
    d.tenant_id = "t";
    d.call_id = "c";
    d.type = type;
    d.payload = payload;
    if (!words.empty()) {
      ev::PhiFields f;
      f.set_utterance(words);
      d.sealed_phi = sealer_.Seal(f, "t", "c");
    }
    eventlog::StoredRecord r;
    r.topic = "frontdesk.calls.v1";
    r.partition = 0;
    r.offset = static_cast<int64_t>(records_.size());
    r.key = "c";
    r.value = chain_.Next(d).SerializeAsString();
    records_.push_back(r);
  }
  FakeClock clock_;
  events::EventChain chain_;
  phi::PhiSealer sealer_;
  std::vector<eventlog::StoredRecord> records_;
};

TEST_F(ReplayTimelineTest, PrintsEventsAndKeepsPhiSealedWithoutKey) {
  ev::TurnReceived turn;
  turn.set_turn_index(1);
  turn.set_utterance_chars(17);
  Add(ev::EVENT_TYPE_TURN_RECEIVED, turn.SerializeAsString(),
      "I have chest pain");
  Timeline t = BuildTimeline("c", records_, nullptr);
  ASSERT_EQ(t.lines.size(), 2u);
  EXPECT_EQ(t.lines[0],
            "2027-01-15T08:00:00.000Z  answer        #1   TurnReceived      "
            "turn=1 chars=17 (words sealed)");
  EXPECT_EQ(t.lines[1].find("chest"), std::string::npos);
  EXPECT_TRUE(t.findings.empty());
  EXPECT_EQ(t.events, 1);

  Timeline opened = BuildTimeline("c", records_, &sealer_);
  ASSERT_EQ(opened.lines.size(), 2u);
  EXPECT_EQ(opened.lines[1], "      words: \"I have chest pain\"");
}

TEST_F(ReplayTimelineTest, KeyringOpensPhiWithTheEventTenantsKey) {
  Add(ev::EVENT_TYPE_TURN_RECEIVED, "", "I need a refill");

  auto keys = std::make_unique<phi::InMemoryTenantKeys>();
  ASSERT_TRUE(keys->AddKey("t", std::string(32, 'k')).ok());
  phi::PhiKeyring keyring(std::move(keys));
  Timeline opened = BuildTimeline("c", records_, keyring);
  ASSERT_EQ(opened.lines.size(), 2u);
  EXPECT_EQ(opened.lines[1], "      words: \"I need a refill\"");

  // The same key held for another tenant does not open tenant t's PHI.
  auto other = std::make_unique<phi::InMemoryTenantKeys>();
  ASSERT_TRUE(other->AddKey("u", std::string(32, 'k')).ok());
  phi::PhiKeyring wrong(std::move(other));
  Timeline sealed = BuildTimeline("c", records_, wrong);
  ASSERT_EQ(sealed.lines.size(), 2u);
  EXPECT_EQ(sealed.lines[1],
            "      (PHI not opened: tenant \"t\" holds no PHI key with id \"" +
                sealer_.key_id() + "\")");
}

TEST_F(ReplayTimelineTest, ReportsDamageAtItsPosition) {
  Add(ev::EVENT_TYPE_CALL_STARTED, "", "");
  Add(ev::EVENT_TYPE_CALL_ENDED, "", "");
  Add(ev::EVENT_TYPE_CALL_ENDED, "", "");
  records_.erase(records_.begin() + 1);
  Timeline t = BuildTimeline("c", records_, nullptr);
  ASSERT_EQ(t.findings.size(), 1u);
  EXPECT_EQ(t.findings[0].kind, events::FindingKind::kMissing);
  EXPECT_EQ(t.findings[0].position, "frontdesk.calls.v1/0@2");
}

}  // namespace
}  // namespace frontdesk::cli
