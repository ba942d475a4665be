#include "services/handoff_prep/staff_console.h"

#include <httplib.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "gtest/gtest.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_settings.h"
#include "nlohmann/json.hpp"

namespace frontdesk::handoff_prep {
namespace {

namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;
using json = nlohmann::json;

constexpr char kTenant[] = "sunrise-family-medicine";
constexpr char kWords[] = "I have chest pain since noon";

ev::Producer Producer() {
  ev::Producer p;
  p.set_service("handoff-prep");
  p.set_instance("console-test");
  return p;
}

class StaffConsoleTest : public ::testing::Test {
 protected:
  StaffConsoleTest()
      : clock_(absl::FromUnixSeconds(1800000000)),
        chain_(Producer(), &clock_),
        sealer_(*phi::PhiSealer::FromKey(std::string(32, 'k'))) {}

  void SetUp() override {
    auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = std::make_shared<const policy::ClinicPolicy>(*std::move(p));
    desk_ = std::make_unique<HandoffDesk>(policy_, &log_, &chain_, &sealer_,
                                          nullptr, &clock_, absl::Seconds(2));
  }

  void StartConsole(StaffConsoleOptions options = {}) {
    options.watch_poll = absl::Milliseconds(50);
    options.heartbeat = absl::Milliseconds(200);
    console_ =
        std::make_unique<StaffConsole>(desk_.get(), policy_, &clock_, options);
    absl::StatusOr<int> port = console_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    ASSERT_GT(*port, 0);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    client_->set_read_timeout(5, 0);
  }

  // An urgent handoff on the nurse line, as the preparer tracks it.
  hv::HandoffPacket Track(const std::string& id) {
    hv::HandoffPacket p;
    p.set_handoff_id(id);
    p.set_tenant_id(kTenant);
    p.set_call_id("call-" + id);
    p.set_decision_id("decision-" + id);
    p.set_category("urgent-symptoms");
    p.set_rule_id("HO-URGENT-001");
    p.add_matched_triggers("chest pain");
    p.set_trigger_phrase("chest pain");
    p.set_trigger_source("utterance");
    p.set_trigger_begin(7);
    p.set_trigger_end(17);
    p.set_patient_told("Call 911 if this is an emergency.");
    *p.mutable_created_at() = ToProto(clock_.Now());
    *p.mutable_deadline() = ToProto(clock_.Now() + absl::Minutes(5));
    p.set_queue("nurse-line");
    p.set_origin_queue("nurse-line");
    p.set_owner_role("triage-nurse");
    p.set_backup_role("on-call-clinician");
    p.set_last_resort_role("practice-manager");
    p.set_priority(1);
    p.set_state(hv::HANDOFF_STATE_CREATED);
    p.set_revision(1);
    ev::PhiFields phi;
    phi.set_utterance(kWords);
    phi.set_caller_number("+13125550100");
    *p.mutable_sealed_phi() = sealer_.Seal(phi, kTenant, p.call_id());
    desk_->Track(p);
    return p;
  }

  static google::protobuf::Timestamp ToProto(absl::Time t) {
    google::protobuf::Timestamp ts;
    ts.set_seconds(absl::ToUnixSeconds(t));
    return ts;
  }

  static httplib::Headers Nurse(const std::string& id = "nurse-ana") {
    return {{"X-Staff-Id", id}, {"X-Staff-Role", "triage-nurse"}};
  }

  std::vector<ev::AccessRecorded> Accesses() {
    std::vector<ev::AccessRecorded> out;
    for (const auto& r : log_.Topic(kafka::kAccessTopic)) {
      auto e = events::OpenEnvelopeBytes(r.value);
      EXPECT_TRUE(e.ok());
      ev::AccessRecorded a;
      EXPECT_TRUE(a.ParseFromString(e->body.payload()));
      out.push_back(a);
    }
    return out;
  }

  static json Body(const httplib::Result& r) {
    return json::parse(r->body, nullptr, false);
  }

  FakeClock clock_;
  events::EventChain chain_;
  phi::PhiSealer sealer_;
  eventlog::InMemoryEventLog log_;
  std::shared_ptr<const policy::ClinicPolicy> policy_;
  std::unique_ptr<HandoffDesk> desk_;
  std::unique_ptr<StaffConsole> console_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(StaffConsoleTest, ServesOneSelfContainedPage) {
  StartConsole();
  auto r = client_->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_TRUE(absl::StrContains(r->get_header_value("Content-Security-Policy"),
                                "default-src 'none'"));
  EXPECT_TRUE(absl::StrContains(r->body, "new EventSource("));
  // Nothing is loaded from elsewhere.
  EXPECT_FALSE(absl::StrContains(r->body, "http://"));
  EXPECT_FALSE(absl::StrContains(r->body, "https://"));
  EXPECT_FALSE(absl::StrContains(r->body, ".innerHTML"));
}

TEST_F(StaffConsoleTest, ListsTheQueuesAndTheRolesThatServeThem) {
  StartConsole();
  auto r = client_->Get("/api/queues");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  const json body = Body(r);
  ASSERT_EQ(body["queues"].size(), policy_->QueueIds().size());
  EXPECT_EQ(body["queues"][0]["id"], "nurse-line");
  EXPECT_EQ(body["queues"][0]["owner_role"], "triage-nurse");
  EXPECT_EQ(body["queues"][0]["backup_role"], "on-call-clinician");
  EXPECT_EQ(body["queues"][0]["last_resort_role"], "practice-manager");
  EXPECT_NE(
      std::find(body["roles"].begin(), body["roles"].end(), "triage-nurse"),
      body["roles"].end());
}

TEST_F(StaffConsoleTest, ListsOpenHandoffsWithTheWordsTheRoleMaySee) {
  Track("h1");
  StartConsole();
  auto r = client_->Get("/api/open?queue=nurse-line", Nurse());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const json body = Body(r);
  ASSERT_EQ(body["handoffs"].size(), 1u);
  const json& v = body["handoffs"][0];
  EXPECT_EQ(v["handoff_id"], "h1");
  EXPECT_EQ(v["state"], "created");
  EXPECT_EQ(v["urgent"], true);
  EXPECT_EQ(v["trigger_words"], kWords);
  EXPECT_EQ(v["trigger_phrase"], "chest pain");
  EXPECT_EQ(v["caller_number"], "+13125550100");
  EXPECT_EQ(v["owner_role"], "triage-nurse");
  EXPECT_EQ(v["deadline_ms"].get<int64_t>() - v["now_ms"].get<int64_t>(),
            300000);
  // The sealed bytes stay on the server.
  EXPECT_FALSE(v.contains("sealed_phi"));
  const auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 1u);
  EXPECT_EQ(accesses[0].action(), "list_open");
  EXPECT_EQ(accesses[0].resource(), "queue/nurse-line");
  EXPECT_EQ(accesses[0].via(), "console");
  EXPECT_TRUE(accesses[0].allowed());
}

TEST_F(StaffConsoleTest, RefusalsGetTheirHttpCodesAndAreRecorded) {
  Track("h1");
  StartConsole();
  auto anonymous = client_->Get("/api/open?queue=nurse-line");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(Body(anonymous)["error"],
            "a staff id and role are required (x-staff-id and x-staff-role)");

  auto clerk = client_->Get(
      "/api/open?queue=nurse-line",
      {{"X-Staff-Id", "clerk-cy"}, {"X-Staff-Role", "records-clerk"}});
  ASSERT_TRUE(clerk);
  EXPECT_EQ(clerk->status, 403);
  EXPECT_EQ(Body(clerk)["error"],
            "role records-clerk does not serve queue nurse-line");

  auto unknown = client_->Post("/api/claim", Nurse(),
                               R"({"handoff_id": "nope"})", "application/json");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);

  auto not_json =
      client_->Post("/api/claim", Nurse(), "handoff_id=h1", "text/plain");
  ASSERT_TRUE(not_json);
  EXPECT_EQ(not_json->status, 400);
  EXPECT_EQ(Body(not_json)["error"], "body: a JSON object is required");

  auto wrong_type = client_->Post("/api/claim", Nurse(), R"({"handoff_id": 7})",
                                  "application/json");
  ASSERT_TRUE(wrong_type);
  EXPECT_EQ(wrong_type->status, 400);
  EXPECT_EQ(Body(wrong_type)["error"], "handoff_id: must be a string");

  bool refused_recorded = false;
  for (const auto& a : Accesses()) {
    EXPECT_EQ(a.via(), "console");
    refused_recorded =
        refused_recorded || (a.actor_id() == "clerk-cy" && !a.allowed() &&
                             a.action() == "list_open");
  }
  EXPECT_TRUE(refused_recorded);
}

TEST_F(StaffConsoleTest, ClaimThenResolveGoThroughTheDesk) {
  Track("h1");
  StartConsole();
  auto claim = client_->Post("/api/claim", Nurse(), R"({"handoff_id": "h1"})",
                             "application/json");
  ASSERT_TRUE(claim);
  ASSERT_EQ(claim->status, 200) << claim->body;
  EXPECT_EQ(Body(claim)["state"], "claimed");
  EXPECT_EQ(Body(claim)["claimed_by"], "nurse-ana");

  // Someone else was too late.
  auto again = client_->Post("/api/claim", Nurse("nurse-ben"),
                             R"({"handoff_id": "h1"})", "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);

  auto no_note = client_->Post("/api/resolve", Nurse(),
                               R"({"handoff_id": "h1"})", "application/json");
  ASSERT_TRUE(no_note);
  EXPECT_EQ(no_note->status, 400);

  auto resolve =
      client_->Post("/api/resolve", Nurse(),
                    R"({"handoff_id": "h1", "note": "Called back; ER."})",
                    "application/json");
  ASSERT_TRUE(resolve);
  ASSERT_EQ(resolve->status, 200) << resolve->body;
  EXPECT_EQ(Body(resolve)["state"], "resolved");

  int claimed = 0, resolved = 0;
  for (const auto& r : log_.Topic(kafka::kCallsTopic)) {
    auto e = events::OpenEnvelopeBytes(r.value);
    ASSERT_TRUE(e.ok());
    claimed += e->body.type() == ev::EVENT_TYPE_HANDOFF_CLAIMED;
    resolved += e->body.type() == ev::EVENT_TYPE_HANDOFF_RESOLVED;
  }
  EXPECT_EQ(claimed, 1);
  EXPECT_EQ(resolved, 1);
}

TEST_F(StaffConsoleTest, RefusesOtherOriginsHostsAndLargeBodies) {
  Track("h1");
  StartConsole({.max_body_bytes = 1024});
  auto cross = client_->Post("/api/claim",
                             {{"X-Staff-Id", "n"},
                              {"X-Staff-Role", "triage-nurse"},
                              {"Origin", "http://elsewhere.example"}},
                             R"({"handoff_id": "h1"})", "application/json");
  ASSERT_TRUE(cross);
  EXPECT_EQ(cross->status, 403);

  auto rebound = client_->Get(
      "/", {{"Host", "elsewhere.example:" + std::to_string(console_->port())}});
  ASSERT_TRUE(rebound);
  EXPECT_EQ(rebound->status, 403);

  auto large = client_->Post("/api/claim", Nurse(), std::string(4096, 'x'),
                             "application/json");
  ASSERT_TRUE(large);
  EXPECT_EQ(large->status, 413);
  // Nothing reached the desk.
  EXPECT_TRUE(log_.Topic(kafka::kAccessTopic).empty());
}

// Reads an event stream on a thread of its own until the console stops or
// the reader goes.
class StreamReader {
 public:
  StreamReader(int port, const std::string& path) {
    thread_ = std::thread([this, port, path] {
      httplib::Client c("127.0.0.1", port);
      c.set_read_timeout(10, 0);
      c.Get(path.c_str(), [this](const char* data, size_t n) {
        absl::MutexLock lock(&mu_);
        text_.append(data, n);
        return !closing_;
      });
    });
  }
  // Hangs up at the next heartbeat, if the console has not ended the
  // stream already.
  ~StreamReader() {
    {
      absl::MutexLock lock(&mu_);
      closing_ = true;
    }
    thread_.join();
  }

  // Waits until the stream holds `needle`.
  bool WaitFor(const std::string& needle) {
    struct Want {
      const std::string* text;
      const std::string* needle;
    } want{&text_, &needle};
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(
        absl::Condition(
            +[](Want* w) { return absl::StrContains(*w->text, *w->needle); },
            &want),
        absl::Seconds(5));
  }

 private:
  absl::Mutex mu_;
  std::string text_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

TEST_F(StaffConsoleTest, EventsStartWithASnapshotThenEveryChange) {
  Track("h1");
  StartConsole();
  {
    StreamReader stream(
        console_->port(),
        "/api/events?queue=nurse-line&staff_id=nurse-ana&role=triage-nurse");
    ASSERT_TRUE(stream.WaitFor("event: snapshot\ndata: {\"handoffs\":[{"));
    ASSERT_TRUE(stream.WaitFor("\"handoff_id\":\"h1\""));
    Track("h2");
    ASSERT_TRUE(stream.WaitFor("event: handoff\ndata: "));
    ASSERT_TRUE(stream.WaitFor("\"handoff_id\":\"h2\""));
    ASSERT_TRUE(desk_->Claim({"nurse-ben", "triage-nurse"}, "h1").ok());
    ASSERT_TRUE(stream.WaitFor("\"claimed_by\":\"nurse-ben\""));
    // A quiet stream still says something now and then.
    ASSERT_TRUE(stream.WaitFor(": still here\n\n"));
    // Stopping the console ends the stream.
    console_->Stop();
  }
  bool watched = false;
  for (const auto& a : Accesses()) {
    watched = watched || (a.action() == "watch" && a.via() == "console" &&
                          a.actor_id() == "nurse-ana" && a.allowed());
  }
  EXPECT_TRUE(watched);
}

TEST_F(StaffConsoleTest, EventStreamsNeedAnIdentityAndAreBounded) {
  StartConsole({.max_event_streams = 1});
  auto anonymous = client_->Get("/api/events?queue=nurse-line");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  auto clerk = client_->Get(
      "/api/events?queue=nurse-line&staff_id=c&role=records-clerk");
  ASSERT_TRUE(clerk);
  EXPECT_EQ(clerk->status, 403);
  {
    StreamReader first(
        console_->port(),
        "/api/events?queue=nurse-line&staff_id=nurse-ana&role=triage-nurse");
    ASSERT_TRUE(first.WaitFor("event: snapshot"));
    auto second = client_->Get(
        "/api/events?queue=nurse-line&staff_id=nurse-ben&role=triage-nurse");
    ASSERT_TRUE(second);
    EXPECT_EQ(second->status, 503);
    console_->Stop();
  }
}

}  // namespace
}  // namespace frontdesk::handoff_prep
