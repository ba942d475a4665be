// The handoff lifecycle through the real services and broker, with the
// nurse line's claim window cut to 3 seconds: an unclaimed urgent handoff
// escalates to the backup, then to the last resort, also when handoff-prep
// is killed in the middle of the window; claims race safely over gRPC; every
// staff read and change is an access event, a refused one too.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/events/v1/handoff_events.pb.h"
#include "frontdesk/handoff/v1/staff_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "libs/common/uuid.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_key_reader.h"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;

constexpr int kWindowSeconds = 3;

// The sample policy with the nurse line's window in seconds.
std::string ShortWindowPolicy(const std::string& dir) {
  std::ifstream in(std::string(FRONTDESK_SOURCE_DIR) +
                   "/examples/clinic/policy.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = absl::StrReplaceAll(
      ss.str(), {{"    last_resort_role: practice-manager\n"
                  "    claim_window_minutes: 5\n",
                  absl::StrCat("    last_resort_role: practice-manager\n"
                               "    claim_window_seconds: ",
                               kWindowSeconds, "\n")}});
  const std::string path = dir + "/short-window-policy.yaml";
  std::ofstream(path) << text;
  return path;
}

std::string UrgentCall(av::Answer::Stub& answer, std::string* handoff_id) {
  av::StartCallRequest start;
  start.set_tenant_id(kTenant);
  av::StartCallResponse call;
  grpc::ClientContext sctx;
  EXPECT_TRUE(answer.StartCall(&sctx, start, &call).ok());
  av::TurnRequest turn;
  turn.set_call_id(call.call_id());
  turn.set_utterance("I have chest pain and I feel faint");
  av::TurnResponse reply;
  grpc::ClientContext ctx;
  EXPECT_TRUE(answer.Turn(&ctx, turn, &reply).ok());
  *handoff_id = reply.handoff_id();
  return call.call_id();
}

// Signs the call in as `id` in `role` with a staff token from `dept`.
void As(const Department& dept, grpc::ClientContext* ctx, const std::string& id,
        const std::string& role) {
  absl::StatusOr<std::string> token = dept.StaffToken(id, role);
  ASSERT_TRUE(token.ok()) << token.status();
  ctx->AddMetadata("authorization", "Bearer " + *token);
}

std::vector<ev::EventBody> CallEvents(const kafka::KafkaSettings& kafka,
                                      const std::string& call_id) {
  kafka::KafkaKeyReader reader(kafka);
  auto records = reader.ReadKey(kafka::kCallsTopic, call_id);
  EXPECT_TRUE(records.ok()) << records.status();
  std::vector<ev::EventBody> out;
  if (!records.ok()) return out;
  for (const auto& r : *records) {
    auto e = events::OpenEnvelopeBytes(r.value);
    EXPECT_TRUE(e.ok());
    if (e.ok()) out.push_back(e->body);
  }
  return out;
}

std::vector<ev::HandoffEscalated> Escalations(
    const std::vector<ev::EventBody>& events, std::vector<absl::Time>* at) {
  std::vector<ev::HandoffEscalated> out;
  for (const auto& b : events) {
    if (b.type() != ev::EVENT_TYPE_HANDOFF_ESCALATED) continue;
    ev::HandoffEscalated e;
    EXPECT_TRUE(e.ParseFromString(b.payload()));
    out.push_back(e);
    if (at != nullptr)
      at->push_back(absl::FromUnixSeconds(b.occurred_at().seconds()) +
                    absl::Nanoseconds(b.occurred_at().nanos()));
  }
  return out;
}

int Count(const std::vector<ev::EventBody>& events, ev::EventType type) {
  int n = 0;
  for (const auto& b : events) n += b.type() == type ? 1 : 0;
  return n;
}

class HandoffLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/frontdesk-lifecycle-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    auto dept = Department::Start(2000, ShortWindowPolicy(tmpl));
    ASSERT_TRUE(dept.ok()) << dept.status();
    dept_ = *std::move(dept);
  }
  std::unique_ptr<Department> dept_;
};

TEST_F(HandoffLifecycleTest, EscalatesOnScheduleAcrossARestartWithNoDuplicate) {
  auto answer = dept_->Answer();
  std::string handoff_id;
  const std::string call_id = UrgentCall(*answer, &handoff_id);
  ASSERT_FALSE(handoff_id.empty());

  // handoff-prep dies in the middle of the window and comes back.
  ASSERT_TRUE(dept_->RestartHandoffAfterKill().ok());

  // Wait for both levels: the backup's window follows the owner's.
  std::vector<ev::EventBody> events;
  std::vector<absl::Time> at;
  std::vector<ev::HandoffEscalated> escalations;
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (absl::Now() < give_up) {
    events = CallEvents(dept_->kafka(), call_id);
    at.clear();
    escalations = Escalations(events, &at);
    if (escalations.size() >= 2) break;
    absl::SleepFor(absl::Milliseconds(500));
  }
  ASSERT_EQ(escalations.size(), 2u) << dept_->Logs();
  EXPECT_EQ(Count(events, ev::EVENT_TYPE_HANDOFF_PREPARED), 1);
  EXPECT_EQ(escalations[0].handoff_id(), handoff_id);
  EXPECT_EQ(escalations[0].level(), 1u);
  EXPECT_EQ(escalations[0].from_role(), "triage-nurse");
  EXPECT_EQ(escalations[0].to_role(), "on-call-clinician");
  EXPECT_EQ(escalations[1].level(), 2u);
  EXPECT_EQ(escalations[1].to_role(), "practice-manager");
  // Never before a deadline, which comes from the packet, not from uptime:
  // the backup's deadline is the owner's plus one window.
  for (size_t i = 0; i < escalations.size(); ++i) {
    const absl::Time missed =
        absl::FromUnixSeconds(escalations[i].missed_deadline().seconds());
    EXPECT_GE(at[i], missed);
  }
  EXPECT_EQ(escalations[1].missed_deadline().seconds(),
            escalations[0].deadline().seconds());
  EXPECT_EQ(escalations[0].deadline().seconds() -
                escalations[0].missed_deadline().seconds(),
            kWindowSeconds);

  // The last resort sees it on its own queue and claims it.
  auto staff = dept_->Staff();
  hv::ListOpenRequest list;
  list.set_queue("practice-manager");
  hv::ListOpenResponse open;
  grpc::ClientContext lctx;
  As(*dept_, &lctx, "pm-1", "practice-manager");
  ASSERT_TRUE(staff->ListOpen(&lctx, list, &open).ok());
  bool listed = false;
  for (const auto& v : open.handoffs()) {
    if (v.packet().handoff_id() != handoff_id) continue;
    listed = true;
    EXPECT_EQ(v.packet().escalation_level(), 2u);
    EXPECT_EQ(v.trigger_words(), "I have chest pain and I feel faint");
  }
  EXPECT_TRUE(listed);
  hv::ClaimRequest claim;
  claim.set_handoff_id(handoff_id);
  hv::HandoffView claimed;
  grpc::ClientContext cctx;
  As(*dept_, &cctx, "pm-1", "practice-manager");
  ASSERT_TRUE(staff->Claim(&cctx, claim, &claimed).ok());
  EXPECT_EQ(claimed.packet().state(), hv::HANDOFF_STATE_CLAIMED);
}

TEST_F(HandoffLifecycleTest, OfTwoClaimsAtOnceOneWinsAndBothAreRecorded) {
  auto answer = dept_->Answer();
  std::string handoff_id;
  const std::string call_id = UrgentCall(*answer, &handoff_id);
  ASSERT_FALSE(handoff_id.empty());
  auto staff = dept_->Staff();
  std::atomic<int> won{0};
  std::atomic<int> lost{0};
  // Ids unique to this run: the access topic outlives it.
  const std::string run = NewUuid().substr(0, 8);
  const std::vector<std::string> actors = {"nurse-a-" + run, "nurse-b-" + run,
                                           "clerk-" + run};
  std::vector<std::thread> nurses;
  for (const std::string& id : {actors[0], actors[1]}) {
    nurses.emplace_back([&, id] {
      hv::ClaimRequest claim;
      claim.set_handoff_id(handoff_id);
      hv::HandoffView view;
      grpc::ClientContext ctx;
      As(*dept_, &ctx, id, "triage-nurse");
      grpc::Status s = staff->Claim(&ctx, claim, &view);
      if (s.ok()) ++won;
      if (s.error_code() == grpc::StatusCode::FAILED_PRECONDITION) ++lost;
    });
  }
  for (auto& t : nurses) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(lost.load(), 1);
  EXPECT_EQ(Count(CallEvents(dept_->kafka(), call_id),
                  ev::EVENT_TYPE_HANDOFF_CLAIMED),
            1);

  // A role that does not serve the queue is refused, and that is recorded.
  hv::ListOpenRequest list;
  list.set_queue("nurse-line");
  hv::ListOpenResponse open;
  grpc::ClientContext lctx;
  As(*dept_, &lctx, actors[2], "records-clerk");
  EXPECT_EQ(staff->ListOpen(&lctx, list, &open).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  kafka::KafkaKeyReader reader(dept_->kafka());
  std::vector<ev::AccessRecorded> accesses;
  for (const std::string& actor : actors) {
    auto records =
        reader.ReadKey(kafka::kAccessTopic, absl::StrCat("actor/", actor));
    ASSERT_TRUE(records.ok()) << records.status();
    for (const auto& r : *records) {
      auto e = events::OpenEnvelopeBytes(r.value);
      ASSERT_TRUE(e.ok());
      ev::AccessRecorded a;
      ASSERT_TRUE(a.ParseFromString(e->body.payload()));
      accesses.push_back(a);
    }
  }
  ASSERT_EQ(accesses.size(), 3u);
  int allowed = 0;
  for (const auto& a : accesses) allowed += a.allowed() ? 1 : 0;
  EXPECT_EQ(allowed, 1);
  EXPECT_EQ(accesses[2].action(), "list_open");
  EXPECT_EQ(accesses[2].reason(),
            "role records-clerk does not serve queue nurse-line");
  EXPECT_EQ(accesses[2].via(), "grpc");
}

TEST_F(HandoffLifecycleTest, WatchersSeeAFreshHandoffArrive) {
  auto staff = dept_->Staff();
  hv::WatchRequest watch;
  watch.set_queue("nurse-line");
  grpc::ClientContext wctx;
  As(*dept_, &wctx, "nurse-watch", "triage-nurse");
  auto stream = staff->Watch(&wctx, watch);
  // Give the stream a moment to be served before the call.
  absl::SleepFor(absl::Milliseconds(300));
  auto answer = dept_->Answer();
  std::string handoff_id;
  UrgentCall(*answer, &handoff_id);
  ASSERT_FALSE(handoff_id.empty());
  hv::HandoffView v;
  bool seen = false;
  while (!seen && stream->Read(&v)) {
    seen = v.packet().handoff_id() == handoff_id;
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(v.packet().priority(), 1u);
  wctx.TryCancel();
}

}  // namespace
}  // namespace frontdesk::testing
