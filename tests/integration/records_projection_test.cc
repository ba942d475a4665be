// record-keeper's projection end to end: the real department and broker.
// Calls go through answer; record-keeper projects them into its SQLite file;
// GetCall, ListCalls and GetHandoff answer an auditor; a role the policy does
// not grant is refused; both accesses are on frontdesk.access.v1 (read back
// with our own consumer) and in ListAccesses; record-keeper is killed with
// SIGKILL and restarted on the same file without losing or repeating an
// event; and `frontdesk records rebuild` over the same range of the log gives
// the live projection's digest.
#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "frontdesk/answer/v1/answer_service.grpc.pb.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/records/v1/records_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/common/uuid.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_key_reader.h"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;
namespace rv = ::frontdesk::records::v1;

struct Who {
  std::string id;
  std::string role;
  std::string purpose;
};

// The department whose token issuer signs the queries in (set by the test).
const Department* issuer = nullptr;

// A staff token for who.id in who.role, and the stated purpose.
void Identify(grpc::ClientContext* ctx, const Who& who) {
  issuer->SignIn(ctx, who.id, who.role, who.purpose);
}

// A call with one turn, ended. Returns its id.
std::string Call(av::Answer::Stub& answer, const std::string& words) {
  av::StartCallRequest start;
  start.set_tenant_id(kTenant);
  start.set_channel(av::CHANNEL_VOICE);
  start.set_reason(av::CALL_REASON_AFTER_HOURS);
  av::StartCallResponse started;
  {
    grpc::ClientContext ctx;
    grpc::Status s = answer.StartCall(&ctx, start, &started);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  av::TurnRequest turn;
  turn.set_call_id(started.call_id());
  turn.set_utterance(words);
  av::TurnResponse replied;
  {
    grpc::ClientContext ctx;
    grpc::Status s = answer.Turn(&ctx, turn, &replied);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
  av::EndCallRequest end;
  end.set_call_id(started.call_id());
  av::EndCallResponse ended;
  grpc::ClientContext ctx;
  grpc::Status s = answer.EndCall(&ctx, end, &ended);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return started.call_id();
}

grpc::Status GetCall(rv::Records::Stub& records, const Who& who,
                     const std::string& call_id, rv::GetCallResponse* out) {
  rv::GetCallRequest r;
  r.set_call_id(call_id);
  grpc::ClientContext ctx;
  Identify(&ctx, who);
  out->Clear();
  return records.GetCall(&ctx, r, out);
}

// Waits until record-keeper holds every event the log holds for the call;
// returns what GetCall returned last.
rv::GetCallResponse AwaitProjected(rv::Records::Stub& records, const Who& who,
                                   const kafka::KafkaSettings& kafka,
                                   const std::string& call_id) {
  kafka::KafkaKeyReader reader(kafka);
  auto on_log = reader.ReadKey("frontdesk.calls.v1", call_id);
  EXPECT_TRUE(on_log.ok()) << on_log.status();
  rv::GetCallResponse got;
  const absl::Time deadline = absl::Now() + absl::Seconds(90);
  while (absl::Now() < deadline) {
    grpc::Status s = GetCall(records, who, call_id, &got);
    if (s.ok() && on_log.ok() &&
        got.events_size() >= static_cast<int>(on_log->size())) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(250));
  }
  EXPECT_EQ(got.events_size(),
            on_log.ok() ? static_cast<int>(on_log->size()) : 0)
      << call_id;
  return got;
}

std::vector<std::string> ListedIds(rv::Records::Stub& records, const Who& who,
                                   rv::ListCallsRequest req) {
  std::vector<std::string> ids;
  req.set_page_size(500);
  while (true) {
    rv::ListCallsResponse page;
    grpc::ClientContext ctx;
    Identify(&ctx, who);
    grpc::Status s = records.ListCalls(&ctx, req, &page);
    EXPECT_TRUE(s.ok()) << s.error_message();
    if (!s.ok()) break;
    for (const auto& c : page.calls()) ids.push_back(c.call_id());
    if (page.next_page_token().empty()) break;
    req.set_page_token(page.next_page_token());
  }
  return ids;
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::vector<ev::AccessRecorded> AccessesOf(const kafka::KafkaSettings& kafka,
                                           const std::string& actor) {
  kafka::KafkaKeyReader reader(kafka);
  auto records = reader.ReadKey("frontdesk.access.v1", "actor/" + actor);
  EXPECT_TRUE(records.ok()) << records.status();
  std::vector<ev::AccessRecorded> out;
  if (!records.ok()) return out;
  for (const auto& r : *records) {
    auto opened = events::OpenEnvelopeBytes(r.value);
    EXPECT_TRUE(opened.ok()) << opened.status();
    if (!opened.ok()) continue;
    ev::AccessRecorded a;
    EXPECT_TRUE(a.ParseFromString(opened->body.payload()));
    out.push_back(a);
  }
  return out;
}

// Runs the frontdesk tool; returns its standard output, or fails the test.
std::string Frontdesk(const std::string& args) {
  const std::string cmd =
      absl::StrCat(FRONTDESK_BIN_DIR, "/frontdesk ", args, " 2>&1");
  FILE* p = popen(cmd.c_str(), "r");
  EXPECT_NE(p, nullptr);
  if (p == nullptr) return "";
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << cmd << "\n" << out;
  return out;
}

std::string Field(const std::string& report, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(report, '\n')) {
    if (absl::StartsWith(line, key + ": ")) {
      return std::string(line.substr(key.size() + 2));
    }
  }
  return "";
}

TEST(RecordsProjectionTest,
     ProjectsAnswersRecordsAccessesAndRebuildsIdentically) {
  auto dept = Department::Start();
  ASSERT_TRUE(dept.ok()) << dept.status();
  issuer = dept->get();
  const absl::Time began = absl::Now() - absl::Minutes(1);
  const Who auditor{"aud-" + NewUuid(), "auditor", "integration audit"};
  const Who janitor{"jan-" + NewUuid(), "janitor", "curiosity"};
  auto answer = (*dept)->Answer();
  auto records = (*dept)->Records();
  const kafka::KafkaSettings kafka = (*dept)->kafka();

  const std::string faq = Call(*answer, "Hi, what are your hours?");
  const std::string urgent = Call(*answer, "I have chest pain right now");

  // Projected, and answered for an auditor.
  rv::GetCallResponse faq_view = AwaitProjected(*records, auditor, kafka, faq);
  rv::GetCallResponse urgent_view =
      AwaitProjected(*records, auditor, kafka, urgent);
  EXPECT_EQ(faq_view.call().call_id(), faq);
  EXPECT_EQ(faq_view.call().ended_how().empty(), false);
  EXPECT_TRUE(faq_view.call().handoff_ids().empty());
  ASSERT_EQ(urgent_view.call().handoff_ids_size(), 1);
  ASSERT_EQ(urgent_view.handoffs_size(), 1);

  rv::ListCallsRequest since;
  *since.mutable_from() = [&] {
    google::protobuf::Timestamp t;
    t.set_seconds(absl::ToUnixSeconds(began));
    return t;
  }();
  rv::ListCallsRequest none = since;
  none.set_handoff(rv::HANDOFF_FILTER_NONE);
  rv::ListCallsRequest open = since;
  open.set_handoff(rv::HANDOFF_FILTER_OPEN);
  const auto all_ids = ListedIds(*records, auditor, since);
  const auto none_ids = ListedIds(*records, auditor, none);
  const auto open_ids = ListedIds(*records, auditor, open);
  EXPECT_TRUE(Contains(all_ids, faq) && Contains(all_ids, urgent));
  EXPECT_TRUE(Contains(none_ids, faq));
  EXPECT_FALSE(Contains(none_ids, urgent));
  EXPECT_TRUE(Contains(open_ids, urgent));
  EXPECT_FALSE(Contains(open_ids, faq));

  rv::GetHandoffRequest hreq;
  hreq.set_handoff_id(urgent_view.call().handoff_ids(0));
  rv::GetHandoffResponse handoff;
  {
    grpc::ClientContext ctx;
    Identify(&ctx, auditor);
    grpc::Status s = records->GetHandoff(&ctx, hreq, &handoff);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(handoff.handoff().call_id(), urgent);
  EXPECT_EQ(handoff.handoff().state(), rv::HANDOFF_STAGE_PREPARED);
  EXPECT_FALSE(handoff.handoff().queue().empty());

  // A role the policy does not grant, and a query without a purpose.
  rv::GetCallResponse refused;
  grpc::Status denied = GetCall(*records, janitor, faq, &refused);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(refused.events_size(), 0);
  grpc::Status anonymous =
      GetCall(*records, {auditor.id, auditor.role, ""}, faq, &refused);
  EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(anonymous.error_message(), "metadata x-purpose: required");

  // Both accesses are on the log, read with our own consumer.
  const auto refusals = AccessesOf(kafka, janitor.id);
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_FALSE(refusals[0].allowed());
  EXPECT_EQ(refusals[0].action(), "get_call");
  EXPECT_EQ(refusals[0].resource(), "call/" + faq);
  EXPECT_EQ(refusals[0].purpose(), "curiosity");
  EXPECT_EQ(refusals[0].role(), "janitor");
  int allowed_faq_reads = 0;
  for (const auto& a : AccessesOf(kafka, auditor.id)) {
    EXPECT_TRUE(a.allowed());
    EXPECT_EQ(a.purpose(), "integration audit");
    if (a.action() == "get_call" && a.resource() == "call/" + faq) {
      ++allowed_faq_reads;
    }
  }
  EXPECT_GE(allowed_faq_reads, 1);
  // ... and projected back: ListAccesses shows the refusal.
  rv::ListAccessesRequest acc;
  acc.set_actor_id(janitor.id);
  rv::ListAccessesResponse listed;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    grpc::ClientContext ctx;
    Identify(&ctx, auditor);
    listed.Clear();
    grpc::Status s = records->ListAccesses(&ctx, acc, &listed);
    ASSERT_TRUE(s.ok()) << s.error_message();
    if (listed.accesses_size() > 0) break;
    absl::SleepFor(absl::Milliseconds(250));
  }
  ASSERT_EQ(listed.accesses_size(), 1);
  EXPECT_FALSE(listed.accesses(0).allowed());
  EXPECT_EQ(listed.accesses(0).resource(), "call/" + faq);

  // SIGKILL, restart on the same file: nothing lost, nothing applied twice.
  ASSERT_TRUE((*dept)->RestartOnSamePortAfterKill("record-keeper").ok());
  records = (*dept)->Records();
  const std::string after = Call(*answer, "What are your hours on Saturday?");
  AwaitProjected(*records, auditor, kafka, after);
  for (const std::string& id : {faq, urgent}) {
    rv::GetCallResponse again = AwaitProjected(*records, auditor, kafka, id);
    std::set<int64_t> offsets;
    for (const auto& e : again.events()) offsets.insert(e.offset());
    EXPECT_EQ(offsets.size(), static_cast<size_t>(again.events_size())) << id;
    EXPECT_EQ(again.call().events(), static_cast<uint32_t>(again.events_size()))
        << id;
  }

  // The live projection and a rebuild over the same range of the log.
  (*dept)->record_keeper().Kill();
  const std::string live = (*dept)->dir() + "/records.db";
  const std::string rebuilt = (*dept)->dir() + "/rebuilt.db";
  const std::string brokers = absl::StrCat("--kafka_brokers=", TestBrokers());
  const std::string live_digest =
      Frontdesk(absl::StrCat("records digest --db=", live));
  const std::string report = Frontdesk(absl::StrCat(
      "records rebuild --db=", rebuilt, " --until_db=", live, " ", brokers));
  EXPECT_EQ(Field(report, "digest") + "\n", live_digest) << report;
  EXPECT_NE(Field(report, "records"), "0") << report;
  EXPECT_EQ(Field(report, "damaged"), "0") << report;
}

}  // namespace
}  // namespace frontdesk::testing
