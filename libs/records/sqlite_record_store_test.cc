#include "libs/records/sqlite_record_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/events/v1/handoff_events.pb.h"
#include "frontdesk/handoff/v1/handoff_service.pb.h"
#include "frontdesk/policy/v1/policy_events.pb.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/events/event_chain.h"

namespace frontdesk::records {
namespace {

namespace ev = ::frontdesk::events::v1;
namespace rv = ::frontdesk::records::v1;

constexpr char kCalls[] = "frontdesk.calls.v1";
constexpr char kAccess[] = "frontdesk.access.v1";
constexpr char kPolicy[] = "frontdesk.policy.v1";
constexpr char kNurse[] = "frontdesk.handoff.nurse-line.v1";
const absl::Time kT0 = absl::FromUnixSeconds(1800000000);

// A log under construction: events chained by one producer, each given the
// next offset of its topic and partition.
class Log {
 public:
  Log() : clock_(kT0), chain_(Producer(), &clock_) {}

  const eventlog::StoredRecord& Add(const std::string& topic, int32_t part,
                                    const std::string& call_id,
                                    ev::EventType type,
                                    const google::protobuf::MessageLite& p) {
    clock_.Advance(absl::Seconds(1));
    events::EventDraft d;
    d.tenant_id = "clinic";
    d.call_id = call_id;
    d.policy_version = "v1";
    d.type = type;
    d.payload = p.SerializeAsString();
    ev::SealedPhi sealed;
    sealed.set_key_id("k1");
    sealed.set_ciphertext("opaque");
    d.sealed_phi = sealed;
    return Raw(topic, part, call_id, chain_.Next(d).SerializeAsString());
  }
  const eventlog::StoredRecord& Raw(const std::string& topic, int32_t part,
                                    const std::string& key, std::string value) {
    eventlog::StoredRecord r;
    r.topic = topic;
    r.partition = part;
    r.offset = next_[{topic, part}]++;
    r.key = key;
    r.value = std::move(value);
    records_.push_back(std::move(r));
    return records_.back();
  }
  // A call: started, a turn, a decision in `lane` for `request_type` and
  // `category`, a reply, ended.
  void Call(const std::string& id, int32_t part, ev::Lane lane,
            const std::string& request_type, const std::string& category) {
    ev::CallStarted started;
    started.set_channel(ev::CHANNEL_VOICE);
    Add(kCalls, part, id, ev::EVENT_TYPE_CALL_STARTED, started);
    ev::TurnReceived turn;
    turn.set_turn_index(1);
    turn.set_utterance_chars(12);
    Add(kCalls, part, id, ev::EVENT_TYPE_TURN_RECEIVED, turn);
    ev::DecisionRecorded d;
    d.set_decision_id(id + "-d1");
    d.set_turn_index(1);
    d.set_lane(lane);
    d.set_request_type(request_type);
    d.set_category(category);
    d.set_allowed(true);
    Add(kCalls, part, id, ev::EVENT_TYPE_DECISION_RECORDED, d);
    ev::ReplyGiven reply;
    reply.set_turn_index(1);
    reply.add_quoted_texts("hours");
    Add(kCalls, part, id, ev::EVENT_TYPE_REPLY_GIVEN, reply);
    ev::CallEnded ended;
    ended.set_turns(1);
    ended.set_how("caller_hung_up");
    Add(kCalls, part, id, ev::EVENT_TYPE_CALL_ENDED, ended);
  }
  void Handoff(const std::string& call_id, int32_t part,
               const std::string& handoff_id, bool claim, bool resolve,
               bool escalate) {
    ev::HandoffPrepared p;
    p.set_handoff_id(handoff_id);
    p.set_queue("nurse-line");
    p.set_owner_role("nurse");
    p.set_category("clinical");
    Add(kCalls, part, call_id, ev::EVENT_TYPE_HANDOFF_PREPARED, p);
    frontdesk::handoff::v1::HandoffPacket packet;
    packet.set_handoff_id(handoff_id);
    packet.set_call_id(call_id);
    packet.set_revision(1);
    Raw(kNurse, 0, call_id, packet.SerializeAsString());
    if (escalate) {
      ev::HandoffEscalated e;
      e.set_handoff_id(handoff_id);
      e.set_from_role("nurse");
      e.set_to_role("physician");
      e.set_level(1);
      Add(kCalls, part, call_id, ev::EVENT_TYPE_HANDOFF_ESCALATED, e);
    }
    if (claim) {
      ev::HandoffClaimed c;
      c.set_handoff_id(handoff_id);
      c.set_staff_id("s-7");
      c.set_role("nurse");
      Add(kCalls, part, call_id, ev::EVENT_TYPE_HANDOFF_CLAIMED, c);
    }
    if (resolve) {
      ev::HandoffResolved r;
      r.set_handoff_id(handoff_id);
      r.set_staff_id("s-7");
      r.set_role("nurse");
      Add(kCalls, part, call_id, ev::EVENT_TYPE_HANDOFF_RESOLVED, r);
    }
  }
  void Access(const std::string& actor, const std::string& resource,
              bool allowed) {
    ev::AccessRecorded a;
    a.set_actor_id(actor);
    a.set_role("auditor");
    a.set_action("get_call");
    a.set_resource(resource);
    a.set_allowed(allowed);
    a.set_purpose("audit");
    a.set_via("grpc");
    Add(kAccess, 0, "actor/" + actor, ev::EVENT_TYPE_ACCESS_RECORDED, a);
  }

  std::vector<eventlog::StoredRecord>& records() { return records_; }
  FakeClock& clock() { return clock_; }

 private:
  static ev::Producer Producer() {
    ev::Producer p;
    p.set_service("test");
    p.set_instance("i1");
    return p;
  }
  FakeClock clock_;
  events::EventChain chain_;
  std::map<std::pair<std::string, int32_t>, int64_t> next_;
  std::vector<eventlog::StoredRecord> records_;
};

class SqliteRecordStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/records-store-test-XXXXXX";
    const int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
  }
  void TearDown() override {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove((path_ + suffix).c_str());
    }
  }
  std::unique_ptr<SqliteRecordStore> Open() {
    auto s = SqliteRecordStore::Open(path_, absl::Milliseconds(50));
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : nullptr;
  }
  std::vector<std::string> Ids(const rv::ListCallsResponse& r) {
    std::vector<std::string> ids;
    for (const auto& c : r.calls()) ids.push_back(c.call_id());
    return ids;
  }

  std::string path_;
  Log log_;
};

TEST_F(SqliteRecordStoreTest, ProjectsACallAndItsTimelineInLogOrder) {
  log_.Call("c1", 0, ev::LANE_AI_OWNED, "hours", "info");
  auto store = Open();
  auto n = store->ApplyBatch(log_.records());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->applied, 5);
  auto call = store->GetCall("c1");
  ASSERT_TRUE(call.ok()) << call.status();
  ASSERT_EQ(call->events_size(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(call->events(i).offset(), i);
  EXPECT_EQ(call->events(0).envelope().SerializeAsString(),
            log_.records()[0].value);
  EXPECT_EQ(call->call().turns(), 1u);
  EXPECT_EQ(call->call().ended_how(), "caller_hung_up");
  EXPECT_EQ(call->call().channel(), ev::CHANNEL_VOICE);
  ASSERT_EQ(call->call().lanes_size(), 1);
  EXPECT_EQ(call->call().lanes(0), ev::LANE_AI_OWNED);
  EXPECT_EQ(call->call().request_types(0), "hours");
  EXPECT_EQ(call->call().started_at().seconds(), absl::ToUnixSeconds(kT0) + 1);
  EXPECT_EQ(store->GetCall("nope").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SqliteRecordStoreTest, DuplicateEventIdIsAppliedOnce) {
  log_.Call("c1", 0, ev::LANE_AI_OWNED, "hours", "info");
  // The producer retried: the same bytes again at a later offset.
  const std::string again = log_.records()[2].value;
  log_.Raw(kCalls, 0, "c1", again);
  auto store = Open();
  auto n = store->ApplyBatch(log_.records());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->applied, 5);
  EXPECT_EQ(n->duplicates, 1);
  auto call = store->GetCall("c1");
  ASSERT_TRUE(call.ok());
  EXPECT_EQ(call->events_size(), 5);
  EXPECT_EQ(call->call().events(), 5u);
  // The same batch delivered again (a consumer positioned too early) is all
  // duplicates and changes nothing.
  const std::string before = *store->Digest();
  auto again_n = store->ApplyBatch(log_.records());
  ASSERT_TRUE(again_n.ok());
  EXPECT_EQ(again_n->applied, 0);
  EXPECT_EQ(again_n->duplicates, 6);
  EXPECT_EQ(*store->Digest(), before);
}

TEST_F(SqliteRecordStoreTest, OffsetsAreStoredWithTheBatchAndSurviveReopen) {
  log_.Call("c1", 0, ev::LANE_AI_OWNED, "hours", "info");
  log_.Call("c2", 2, ev::LANE_HUMAN_ONLY, "refill", "clinical");
  {
    auto store = Open();
    ASSERT_TRUE(store->ApplyBatch(log_.records()).ok());
  }
  auto store = Open();
  auto offsets = store->Offsets();
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(*offsets, (OffsetMap{{{kCalls, 0}, 5}, {{kCalls, 2}, 5}}));
}

TEST_F(SqliteRecordStoreTest, AFailedBatchKeepsNeitherRowsNorOffsets) {
  log_.Call("c1", 0, ev::LANE_AI_OWNED, "hours", "info");
  auto store = Open();
  std::vector<eventlog::StoredRecord> first(log_.records().begin(),
                                            log_.records().begin() + 2);
  ASSERT_TRUE(store->ApplyBatch(first).ok());
  const std::string digest = *store->Digest();
  // Another connection holds the write lock: the batch cannot commit.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "PRAGMA busy_timeout=0; BEGIN IMMEDIATE",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  std::vector<eventlog::StoredRecord> rest(log_.records().begin() + 2,
                                           log_.records().end());
  auto failed = store->ApplyBatch(rest);
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kInternal);
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_EQ(*store->Digest(), digest);
  EXPECT_EQ(*store->Offsets(), (OffsetMap{{{kCalls, 0}, 2}}));
  // Delivered again, the batch applies in full.
  auto n = store->ApplyBatch(rest);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->applied, 3);
  EXPECT_EQ(store->GetCall("c1")->events_size(), 5);
}

TEST_F(SqliteRecordStoreTest, DamagedRecordsAreCountedNeverMerged) {
  log_.Call("c1", 0, ev::LANE_AI_OWNED, "hours", "info");
  // An altered payload: the hash no longer matches.
  ev::EventEnvelope env;
  ASSERT_TRUE(env.ParseFromString(log_.records()[1].value));
  std::string body = env.body();
  body[body.size() - 1] ^= 0x01;
  env.set_body(body);
  log_.records()[1].value = env.SerializeAsString();
  log_.Raw(kCalls, 0, "c1", "not an envelope at all");
  log_.Raw(kNurse, 0, "c1", "\xff\xff garbage");
  auto store = Open();
  auto n = store->ApplyBatch(log_.records());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->applied, 4);
  EXPECT_EQ(n->damaged, 3);
  EXPECT_EQ(*store->DamagedCount(), 3);
  EXPECT_EQ(store->GetCall("c1")->events_size(), 4);
  // Offsets still move past the damaged records.
  EXPECT_EQ(store->Offsets()->at({kCalls, 0}), 6);
}

TEST_F(SqliteRecordStoreTest, AnIntactEventWithAnUnparsablePayloadIsDamaged) {
  ev::CallStarted started;
  log_.Add(kCalls, 0, "c1", ev::EVENT_TYPE_CALL_STARTED, started);
  events::EventDraft d;
  FakeClock clock(kT0);
  ev::Producer producer;
  producer.set_service("test");
  events::EventChain chain(producer, &clock);
  d.tenant_id = "clinic";
  d.call_id = "c1";
  d.type = ev::EVENT_TYPE_DECISION_RECORDED;
  d.payload = "\xff\xff\xff";
  log_.Raw(kCalls, 0, "c1", chain.Next(d).SerializeAsString());
  auto store = Open();
  auto n = store->ApplyBatch(log_.records());
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->applied, 1);
  EXPECT_EQ(n->damaged, 1);
  EXPECT_EQ(store->GetCall("c1")->events_size(), 1);
  EXPECT_EQ(store->GetCall("c1")->call().events(), 1u);
}

TEST_F(SqliteRecordStoreTest, ListCallsFiltersByEachField) {
  log_.Call("a", 0, ev::LANE_AI_OWNED, "hours", "info");
  log_.Call("b", 1, ev::LANE_HUMAN_ONLY, "refill", "clinical");
  log_.Handoff("b", 1, "h-b", /*claim=*/false, false, /*escalate=*/true);
  log_.Call("c", 2, ev::LANE_AI_ASSISTED, "refill", "admin");
  log_.Handoff("c", 2, "h-c", /*claim=*/true, /*resolve=*/false, false);
  log_.Call("d", 0, ev::LANE_HUMAN_ONLY, "billing", "clinical");
  log_.Handoff("d", 0, "h-d", true, /*resolve=*/true, false);
  auto store = Open();
  ASSERT_TRUE(store->ApplyBatch(log_.records()).ok());
  auto list = [&](CallFilter f) {
    auto r = store->ListCalls(f);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? Ids(*r) : std::vector<std::string>{};
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(list({}), (V{"a", "b", "c", "d"}));
  EXPECT_EQ(list({.lane = ev::LANE_HUMAN_ONLY}), (V{"b", "d"}));
  EXPECT_EQ(list({.request_type = "refill"}), (V{"b", "c"}));
  EXPECT_EQ(list({.category = "clinical"}), (V{"b", "d"}));
  EXPECT_EQ(list({.handoff = rv::HANDOFF_FILTER_NONE}), (V{"a"}));
  EXPECT_EQ(list({.handoff = rv::HANDOFF_FILTER_OPEN}), (V{"b"}));
  EXPECT_EQ(list({.handoff = rv::HANDOFF_FILTER_CLAIMED}), (V{"c"}));
  EXPECT_EQ(list({.handoff = rv::HANDOFF_FILTER_RESOLVED}), (V{"d"}));
  EXPECT_EQ(list({.handoff = rv::HANDOFF_FILTER_ESCALATED}), (V{"b"}));
  // Each call takes 5 s of the fake clock plus its handoff events: "b"
  // starts at kT0 + 6 s, "c" at kT0 + 13 s.
  auto b = store->GetCall("b");
  auto c = store->GetCall("c");
  ASSERT_TRUE(b.ok() && c.ok());
  const absl::Time b_start =
      absl::FromUnixSeconds(b->call().started_at().seconds());
  const absl::Time c_start =
      absl::FromUnixSeconds(c->call().started_at().seconds());
  EXPECT_EQ(list({.from = b_start, .to = c_start}), (V{"b"}));
  EXPECT_EQ(list({.from = b_start}), (V{"b", "c", "d"}));
  EXPECT_EQ(list({.to = b_start}), (V{"a"}));
  EXPECT_EQ(list({.lane = ev::LANE_HUMAN_ONLY,
                  .category = "clinical",
                  .handoff = rv::HANDOFF_FILTER_RESOLVED}),
            (V{"d"}));
}

TEST_F(SqliteRecordStoreTest, ListCallsPagesAndCapsThePageSize) {
  for (int i = 0; i < 5; ++i) {
    log_.Call(absl::StrCat("call-", i), i % 3, ev::LANE_AI_OWNED, "hours",
              "info");
  }
  auto store = Open();
  ASSERT_TRUE(store->ApplyBatch(log_.records()).ok());
  std::vector<std::string> seen;
  CallFilter f{.page_size = 2};
  int pages = 0;
  while (true) {
    auto r = store->ListCalls(f);
    ASSERT_TRUE(r.ok()) << r.status();
    ++pages;
    for (const auto& c : r->calls()) seen.push_back(c.call_id());
    if (r->next_page_token().empty()) break;
    f.page_token = r->next_page_token();
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"call-0", "call-1", "call-2",
                                            "call-3", "call-4"}));
  auto too_big = store->ListCalls({.page_size = kMaxPageSize + 1});
  EXPECT_EQ(too_big.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(too_big.status().message(), "page_size: between 1 and 500");
  auto bad_token = store->ListCalls({.page_token = "x"});
  EXPECT_EQ(bad_token.status().message(), "page_token: malformed");
}

TEST_F(SqliteRecordStoreTest, HandoffLifecycleAndPackets) {
  log_.Call("b", 1, ev::LANE_HUMAN_ONLY, "refill", "clinical");
  log_.Handoff("b", 1, "h-b", true, true, true);
  auto store = Open();
  auto n = store->ApplyBatch(log_.records());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->applied, 5 + 4 + 1);  // call, handoff events, one packet
  auto h = store->GetHandoff("h-b");
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->call_id(), "b");
  EXPECT_EQ(h->queue(), "nurse-line");
  EXPECT_EQ(h->state(), rv::HANDOFF_STAGE_RESOLVED);
  EXPECT_EQ(h->escalation_level(), 1u);
  EXPECT_EQ(h->claimed_by(), "s-7");
  EXPECT_EQ(h->resolved_by(), "s-7");
  ASSERT_EQ(h->steps_size(), 4);
  EXPECT_EQ(h->steps(0).stage(), rv::HANDOFF_STAGE_PREPARED);
  EXPECT_EQ(h->steps(1).stage(), rv::HANDOFF_STAGE_ESCALATED);
  EXPECT_EQ(h->steps(1).to_role(), "physician");
  EXPECT_EQ(h->steps(2).stage(), rv::HANDOFF_STAGE_CLAIMED);
  EXPECT_EQ(h->steps(3).stage(), rv::HANDOFF_STAGE_RESOLVED);
  EXPECT_EQ(store->GetHandoff("zzz").status().code(),
            absl::StatusCode::kNotFound);
  auto call = store->GetCall("b");
  ASSERT_TRUE(call.ok());
  ASSERT_EQ(call->handoffs_size(), 1);
  EXPECT_EQ(call->handoffs(0).handoff_id(), "h-b");
}

TEST_F(SqliteRecordStoreTest, AccessesAndPolicyActivationsAreProjected) {
  log_.Access("aud-1", "call/c1", true);
  log_.Access("fd-2", "call/c1", false);
  frontdesk::policy::v1::PolicyActivated act;
  act.set_tenant_id("clinic");
  act.set_new_version("v2");
  log_.Add(kPolicy, 0, "clinic", ev::EVENT_TYPE_POLICY_ACTIVATED, act);
  auto store = Open();
  auto n = store->ApplyBatch(log_.records());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->applied, 3);
  auto all = store->ListAccesses({});
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->accesses_size(), 2);
  EXPECT_EQ(all->accesses(0).actor_id(), "aud-1");
  EXPECT_TRUE(all->accesses(0).allowed());
  EXPECT_EQ(all->accesses(0).purpose(), "audit");
  EXPECT_EQ(all->accesses(1).actor_id(), "fd-2");
  EXPECT_FALSE(all->accesses(1).allowed());
  auto one = store->ListAccesses({.actor_id = "fd-2"});
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->accesses_size(), 1);
  auto paged = store->ListAccesses({.page_size = 1});
  ASSERT_TRUE(paged.ok());
  EXPECT_EQ(paged->accesses_size(), 1);
  auto next = store->ListAccesses(
      {.page_token = paged->next_page_token(), .page_size = 1});
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->accesses_size(), 1);
  EXPECT_EQ(next->accesses(0).actor_id(), "fd-2");
  EXPECT_TRUE(next->next_page_token().empty());
  // Accesses are not calls.
  EXPECT_TRUE(store->ListCalls({})->calls().empty());
}

TEST_F(SqliteRecordStoreTest, DigestIsStableAcrossRebuildAndBatching) {
  log_.Call("a", 0, ev::LANE_AI_OWNED, "hours", "info");
  log_.Call("b", 1, ev::LANE_HUMAN_ONLY, "refill", "clinical");
  log_.Handoff("b", 1, "h-b", true, false, true);
  log_.Access("aud-1", "call/a", true);
  log_.Raw(kCalls, 2, "x", "damaged");
  log_.Raw(kCalls, 0, "a", log_.records()[0].value);  // a duplicate
  auto store = Open();
  // Live: small batches in log order.
  for (size_t i = 0; i < log_.records().size(); i += 3) {
    std::vector<eventlog::StoredRecord> batch(
        log_.records().begin() + i,
        log_.records().begin() + std::min(i + 3, log_.records().size()));
    ASSERT_TRUE(store->ApplyBatch(batch).ok());
  }
  const std::string live = *store->Digest();
  EXPECT_EQ(live.size(), 64u);
  // Rebuilt: cleared, then one batch with the partitions interleaved
  // differently (each partition still in order).
  ASSERT_TRUE(store->Clear().ok());
  EXPECT_TRUE(store->Offsets()->empty());
  EXPECT_NE(*store->Digest(), live);
  std::vector<eventlog::StoredRecord> by_partition = log_.records();
  std::stable_sort(by_partition.begin(), by_partition.end(),
                   [](const auto& x, const auto& y) {
                     return std::tie(y.topic, y.partition) <
                            std::tie(x.topic, x.partition);
                   });
  ASSERT_TRUE(store->ApplyBatch(by_partition).ok());
  EXPECT_EQ(*store->Digest(), live);
  // A second file, built the same way, agrees too.
  auto other = SqliteRecordStore::Open(":memory:");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->ApplyBatch(log_.records()).ok());
  EXPECT_EQ(*(*other)->Digest(), live);
  // One more event changes it.
  log_.Access("aud-2", "call/b", true);
  ASSERT_TRUE((*other)->ApplyBatch({log_.records().back()}).ok());
  EXPECT_NE(*(*other)->Digest(), live);
}

TEST_F(SqliteRecordStoreTest, AProjectionStartedAtAnOriginSkipsEarlierRecords) {
  log_.Call("old", 0, ev::LANE_AI_OWNED, "hours", "info");
  log_.Call("new", 0, ev::LANE_AI_OWNED, "hours", "info");
  auto store = Open();
  const OffsetMap origin = {{{kCalls, 0}, 5}, {{kAccess, 0}, 0}};
  ASSERT_TRUE(store->StartAt(origin).ok());
  EXPECT_EQ(*store->Origin(), origin);
  EXPECT_EQ(*store->Offsets(), origin);
  auto n = store->ApplyBatch(log_.records());
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->applied, 5);
  EXPECT_EQ(n->duplicates, 5);  // below the origin
  EXPECT_EQ(store->GetCall("old").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store->GetCall("new").ok());
  EXPECT_EQ(store->StartAt(origin).code(),
            absl::StatusCode::kFailedPrecondition);
  // A rebuild of the same range has the same digest.
  auto other = SqliteRecordStore::Open(":memory:");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->StartAt(origin).ok());
  std::vector<eventlog::StoredRecord> tail(log_.records().begin() + 5,
                                           log_.records().end());
  ASSERT_TRUE((*other)->ApplyBatch(tail).ok());
  EXPECT_EQ(*(*other)->Digest(), *store->Digest());
}

}  // namespace
}  // namespace frontdesk::records
