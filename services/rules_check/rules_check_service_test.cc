// RulesCheck.AuthorizeBooking end to end in one process: a gRPC server on
// port 0 around a RulesChecker with an in-memory event log and a fake clock.
#include "services/rules_check/rules_check_service.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/serving/transport_security.h"

namespace frontdesk::rules_check {
namespace {

namespace ev = ::frontdesk::events::v1;
namespace rv = ::frontdesk::rules::v1;

// Clinic time (America/Chicago), 2026.
absl::Time At(int month, int day, int hour, int minute) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("America/Chicago", &tz));
  return tz.At(absl::CivilSecond(2026, month, day, hour, minute, 0)).pre;
}

google::protobuf::Timestamp Stamp(absl::Time t) {
  google::protobuf::Timestamp s;
  s.set_seconds(absl::ToUnixSeconds(t));
  return s;
}

class AuthorizeBookingServiceTest : public ::testing::Test {
 protected:
  AuthorizeBookingServiceTest()
      : clock_(At(12, 1, 8, 0)), chain_(Producer(), &clock_) {}

  static ev::Producer Producer() {
    ev::Producer p;
    p.set_service("rules-check");
    p.set_instance("test");
    return p;
  }

  void SetUp() override {
    // The sample policy grants answers only; this clinic schedules.
    std::ifstream in(FRONTDESK_SAMPLE_POLICY);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string yaml = ss.str();
    const std::string from = "rollout_mode: answers";
    ASSERT_NE(yaml.find(from), std::string::npos);
    yaml.replace(yaml.find(from), from.size(), "rollout_mode: scheduling");
    auto p = policy::ParsePolicy(yaml, "sample");
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = std::make_shared<const policy::ClinicPolicy>(*std::move(p));
    checker_ = std::make_unique<RulesChecker>(
        std::make_shared<const HandoffMap>(policy_), &log_, &chain_,
        absl::Milliseconds(200), &clock_);
    service_ = std::make_unique<RulesCheckService>(checker_.get(), registry_);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port, 0);
    stub_ = rv::RulesCheck::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
  }

  static rv::AuthorizeBookingRequest Request(rv::BookingOperation op,
                                             const std::string& visit_type,
                                             const std::string& clinician,
                                             absl::Time start, int minutes) {
    rv::AuthorizeBookingRequest r;
    r.set_tenant_id("sunrise-family-medicine");
    r.set_call_id("call-1");
    r.set_turn_index(4);
    r.set_operation(op);
    r.set_visit_type(visit_type);
    r.set_clinician(clinician);
    *r.mutable_slot()->mutable_start() = Stamp(start);
    *r.mutable_slot()->mutable_end() = Stamp(start + absl::Minutes(minutes));
    return r;
  }

  grpc::Status Call(const rv::AuthorizeBookingRequest& r,
                    rv::AuthorizeBookingResponse* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    return stub_->AuthorizeBooking(&ctx, r, out);
  }

  ev::DecisionRecorded LastRecorded() {
    auto records = log_.Topic(kafka::kCallsTopic);
    EXPECT_FALSE(records.empty());
    ev::DecisionRecorded rec;
    if (records.empty()) return rec;
    auto opened = events::OpenEnvelopeBytes(records.back().value);
    EXPECT_TRUE(opened.ok());
    if (!opened.ok()) return rec;
    EXPECT_EQ(opened->body.type(), ev::EVENT_TYPE_DECISION_RECORDED);
    EXPECT_EQ(opened->body.call_id(), "call-1");
    EXPECT_EQ(opened->body.policy_version(), policy_->version());
    EXPECT_TRUE(rec.ParseFromString(opened->body.payload()));
    return rec;
  }

  double Decisions(const std::string& lane, const std::string& rule) {
    for (const auto& f : registry_.Collect()) {
      if (f.name != "frontdesk_rules_decisions_total") continue;
      for (const auto& m : f.metric) {
        bool match = true;
        for (const auto& l : m.label) {
          if (l.name == "lane") match = match && l.value == lane;
          if (l.name == "rule") match = match && l.value == rule;
          if (l.name == "category") match = match && l.value == "booking";
        }
        if (match) return m.counter.value;
      }
    }
    return 0;
  }

  FakeClock clock_;
  events::EventChain chain_;
  eventlog::InMemoryEventLog log_;
  prometheus::Registry registry_;
  std::shared_ptr<const policy::ClinicPolicy> policy_;
  std::unique_ptr<RulesChecker> checker_;
  std::unique_ptr<RulesCheckService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<rv::RulesCheck::Stub> stub_;
};

TEST_F(AuthorizeBookingServiceTest, AiOwnedBookIsAllowedAndRecorded) {
  rv::AuthorizeBookingResponse out;
  grpc::Status s = Call(Request(rv::BOOKING_OPERATION_BOOK, "follow-up",
                                "dr-patel", At(12, 2, 10, 0), 20),
                        &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const rv::BookingDecision& d = out.decision();
  EXPECT_EQ(d.outcome(), rv::BOOKING_OUTCOME_AI_OWNED);
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(d.rule_id(), "BOOK-VISIT-LANE");
  EXPECT_EQ(d.policy_version(), policy_->version());
  EXPECT_EQ(d.operation(), rv::BOOKING_OPERATION_BOOK);
  EXPECT_EQ(d.queue(), "");
  EXPECT_FALSE(d.decision_id().empty());

  const ev::DecisionRecorded rec = LastRecorded();
  EXPECT_EQ(rec.decision_id(), d.decision_id());
  EXPECT_EQ(rec.turn_index(), 4u);
  EXPECT_EQ(rec.lane(), ev::LANE_AI_OWNED);
  EXPECT_EQ(rec.rule_id(), "BOOK-VISIT-LANE");
  EXPECT_EQ(rec.category(), "booking");
  EXPECT_EQ(rec.action(), "book_slot");
  EXPECT_EQ(rec.proposed(), "book_slot follow-up dr-patel");
  EXPECT_TRUE(rec.allowed());
  EXPECT_EQ(rec.booking_outcome(), "ai_owned");
  EXPECT_EQ(Decisions("ai_owned", "BOOK-VISIT-LANE"), 1);
}

TEST_F(AuthorizeBookingServiceTest, SameDayHoldIsAiAssistedWithTheQueue) {
  // Today (the fake clock's day) at 14:00.
  rv::AuthorizeBookingResponse out;
  ASSERT_TRUE(Call(Request(rv::BOOKING_OPERATION_HOLD, "follow-up", "dr-patel",
                           At(12, 1, 14, 0), 20),
                   &out)
                  .ok());
  EXPECT_EQ(out.decision().outcome(), rv::BOOKING_OUTCOME_AI_ASSISTED);
  EXPECT_TRUE(out.decision().allowed());
  EXPECT_EQ(out.decision().rule_id(), "BOOK-SAME-DAY");
  EXPECT_EQ(out.decision().queue(), "scheduling-exceptions");
  const ev::DecisionRecorded rec = LastRecorded();
  EXPECT_EQ(rec.lane(), ev::LANE_AI_ASSISTED);
  EXPECT_EQ(rec.booking_outcome(), "ai_assisted");
  EXPECT_EQ(rec.queue(), "scheduling-exceptions");
  // The clock moves on a day: the same slot is in the past.
  clock_.Advance(absl::Hours(24));
  ASSERT_TRUE(Call(Request(rv::BOOKING_OPERATION_HOLD, "follow-up", "dr-patel",
                           At(12, 1, 14, 0), 20),
                   &out)
                  .ok());
  EXPECT_EQ(out.decision().outcome(), rv::BOOKING_OUTCOME_OUTSIDE_RULES);
  EXPECT_EQ(out.decision().rule_id(), "BOOK-PAST");
}

TEST_F(AuthorizeBookingServiceTest, OutsideTheRulesIsRecordedAsRefused) {
  rv::AuthorizeBookingResponse out;
  ASSERT_TRUE(Call(Request(rv::BOOKING_OPERATION_HOLD, "sick-visit", "dr-patel",
                           At(12, 2, 10, 0), 20),
                   &out)
                  .ok());
  EXPECT_EQ(out.decision().outcome(), rv::BOOKING_OUTCOME_OUTSIDE_RULES);
  EXPECT_FALSE(out.decision().allowed());
  EXPECT_EQ(out.decision().rule_id(), "BOOK-CLINICIAN");
  const ev::DecisionRecorded rec = LastRecorded();
  EXPECT_FALSE(rec.allowed());
  EXPECT_TRUE(rec.allowed_actions().empty());
  EXPECT_EQ(rec.booking_outcome(), "outside_rules");
  EXPECT_EQ(rec.queue(), "scheduling-exceptions");
  EXPECT_EQ(Decisions("outside_rules", "BOOK-CLINICIAN"), 1);
}

TEST_F(AuthorizeBookingServiceTest, FindReturnsTheSearchWindows) {
  rv::AuthorizeBookingResponse out;
  ASSERT_TRUE(Call(Request(rv::BOOKING_OPERATION_FIND, "follow-up", "",
                           At(12, 5, 0, 0), 3 * 24 * 60),
                   &out)
                  .ok());
  // Saturday and Sunday have no hours; Monday 12-07 does.
  ASSERT_EQ(out.decision().search_windows_size(), 1);
  EXPECT_EQ(out.decision().search_windows(0).start().seconds(),
            absl::ToUnixSeconds(At(12, 7, 8, 30)));
  EXPECT_EQ(out.decision().search_windows(0).end().seconds(),
            absl::ToUnixSeconds(At(12, 7, 16, 30)));
  EXPECT_EQ(LastRecorded().action(), "find_slots");
}

TEST_F(AuthorizeBookingServiceTest, BadRequestsNameTheFieldAndAreNotRecorded) {
  rv::AuthorizeBookingResponse out;
  rv::AuthorizeBookingRequest r =
      Request(rv::BOOKING_OPERATION_BOOK, "follow-up", "dr-patel",
              At(12, 2, 10, 0), 20);
  r.set_operation(rv::BOOKING_OPERATION_UNSPECIFIED);
  grpc::Status s = Call(r, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "operation: required, one of find, hold, book");
  r = Request(rv::BOOKING_OPERATION_BOOK, "follow-up", "dr-patel",
              At(12, 2, 10, 0), 20);
  r.mutable_slot()->clear_end();
  s = Call(r, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "slot: start and end are required");
  r = Request(rv::BOOKING_OPERATION_HOLD, "follow-up", "", At(12, 2, 10, 0),
              20);
  s = Call(r, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "clinician: required to hold a slot");
  r = Request(rv::BOOKING_OPERATION_HOLD, "follow-up", "dr-patel",
              At(12, 2, 10, 0), 20);
  r.set_tenant_id("another-clinic");
  s = Call(r, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(log_.Topic(kafka::kCallsTopic).empty());
}

TEST_F(AuthorizeBookingServiceTest, FailsClosedWhenTheDecisionIsNotRecorded) {
  log_.SetAvailable(false);
  rv::AuthorizeBookingResponse out;
  grpc::Status s = Call(Request(rv::BOOKING_OPERATION_BOOK, "follow-up",
                                "dr-patel", At(12, 2, 10, 0), 20),
                        &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_FALSE(out.has_decision());
}

TEST(AuthorizeBookingPeerTest, OnlyAnswerMayCallIt) {
  const std::string method = "/frontdesk.rules.v1.RulesCheck/AuthorizeBooking";
  EXPECT_TRUE(
      serving::CheckPeer(serving::DepartmentPeerRules(), method, "answer")
          .ok());
  EXPECT_EQ(serving::CheckPeer(serving::DepartmentPeerRules(), method,
                               "handoff-prep"),
            absl::PermissionDeniedError("peer \"handoff-prep\" may not call "
                                        "/frontdesk.rules.v1.RulesCheck/"
                                        "AuthorizeBooking"));
  EXPECT_EQ(serving::CheckPeer(serving::DepartmentPeerRules(), method,
                               "frontdesk-cli")
                .code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace frontdesk::rules_check
