#include "libs/audit/log_verifier.h"

#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/events/event_chain.h"

namespace frontdesk::audit {
namespace {

namespace ev = ::frontdesk::events::v1;

TEST(LogVerifierTest, ChecksOnlyCallsWithAnEventInRange) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  auto key = events::EventSigner::Generate("answer");
  events::ProducerKeys keys;
  ASSERT_TRUE(keys.Add("answer", key->PublicKeyPem()).ok());
  ev::Producer p;
  p.set_service("answer");
  p.set_instance("a-1");
  events::EventChain chain(p, &clock, key);
  std::vector<eventlog::StoredRecord> log;
  auto put = [&](const std::string& call, bool drop) {
    events::EventDraft d;
    d.call_id = call;
    d.type = ev::EVENT_TYPE_TURN_RECEIVED;
    const std::string value = chain.Next(d).SerializeAsString();
    if (drop) return;
    eventlog::StoredRecord r;
    r.topic = "frontdesk.calls.v1";
    r.offset = static_cast<int64_t>(log.size());
    r.key = call;
    r.value = value;
    log.push_back(r);
  };
  put("early", false);  // 1800000000
  clock.Advance(absl::Hours(1));
  put("in-1", false);
  put("in-2", false);
  put("in-1", true);  // lost: a gap in in-1
  put("in-1", false);
  clock.Advance(absl::Hours(1));
  put("late", false);

  const absl::Time from = absl::FromUnixSeconds(1800000000) + absl::Minutes(30);
  const RangeCheck r = VerifyCalls(log, from, from + absl::Hours(1), &keys);
  EXPECT_EQ(r.records_read, 5);
  EXPECT_EQ(r.calls, 2);
  EXPECT_EQ(r.events, 3);
  EXPECT_EQ(r.signed_events, 3);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].call_id, "in-1");
  EXPECT_EQ(r.findings[0].finding.kind, "missing");
  EXPECT_EQ(r.findings[0].finding.offset, 3);
  EXPECT_EQ(r.by_kind.at("missing"), 1);
  const std::string text = RangeCheckText(r);
  EXPECT_NE(text.find("2 calls, 3 events (of 5 records read)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("1 findings: missing=1"), std::string::npos) << text;
  EXPECT_EQ(RangeCheckJson(r)["by_kind"]["missing"], 1);

  const RangeCheck threaded =
      VerifyCalls(log, from, from + absl::Hours(1), &keys, 4);
  EXPECT_EQ(RangeCheckJson(threaded), RangeCheckJson(r));
}

}  // namespace
}  // namespace frontdesk::audit
