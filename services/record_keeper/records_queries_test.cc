#include "services/record_keeper/records_queries.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_chain.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/records/sqlite_record_store.h"
#include "services/record_keeper/records_service.h"

namespace frontdesk::record_keeper {
namespace {

namespace ev = ::frontdesk::events::v1;
namespace rv = ::frontdesk::records::v1;

ev::Producer TestProducer() {
  ev::Producer p;
  p.set_service("record-keeper");
  p.set_instance("test");
  return p;
}

class RecordsQueriesTest : public ::testing::Test {
 protected:
  RecordsQueriesTest()
      : clock_(absl::FromUnixSeconds(1800000000)),
        chain_(TestProducer(), &clock_),
        recorder_(&log_, &chain_, absl::Seconds(1)) {}

  void SetUp() override {
    auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = std::make_shared<const policy::ClinicPolicy>(*std::move(p));
    auto s = records::SqliteRecordStore::Open(":memory:");
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = *std::move(s);
    // One call on the record.
    events::EventDraft d;
    d.tenant_id = policy_->tenant_id();
    d.call_id = "call-1";
    d.type = ev::EVENT_TYPE_CALL_STARTED;
    d.payload = ev::CallStarted().SerializeAsString();
    eventlog::StoredRecord r;
    r.topic = kafka::kCallsTopic;
    r.value = chain_.Next(d).SerializeAsString();
    ASSERT_TRUE(store_->ApplyBatch({r}).ok());
    queries_ =
        std::make_unique<RecordsQueries>(store_.get(), policy_, &recorder_);
  }

  // The AccessRecorded events on frontdesk.access.v1 so far.
  std::vector<ev::AccessRecorded> Accesses() {
    std::vector<ev::AccessRecorded> out;
    for (const auto& r : log_.Topic(kafka::kAccessTopic)) {
      auto opened = events::OpenEnvelopeBytes(r.value);
      EXPECT_TRUE(opened.ok());
      ev::AccessRecorded a;
      EXPECT_TRUE(a.ParseFromString(opened->body.payload()));
      out.push_back(a);
    }
    return out;
  }

  FakeClock clock_;
  eventlog::InMemoryEventLog log_;
  events::EventChain chain_;
  access::AccessRecorder recorder_;
  std::shared_ptr<const policy::ClinicPolicy> policy_;
  std::unique_ptr<records::SqliteRecordStore> store_;
  std::unique_ptr<RecordsQueries> queries_;
};

rv::GetCallRequest CallRequest(const std::string& id) {
  rv::GetCallRequest r;
  r.set_call_id(id);
  return r;
}

TEST_F(RecordsQueriesTest, AnAllowedRoleReadsAndTheAccessIsRecorded) {
  auto got = queries_->GetCall({"aud-1", "auditor", "quarterly audit"},
                               CallRequest("call-1"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->events_size(), 1);
  auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 1u);
  EXPECT_EQ(accesses[0].actor_id(), "aud-1");
  EXPECT_EQ(accesses[0].role(), "auditor");
  EXPECT_EQ(accesses[0].action(), "get_call");
  EXPECT_EQ(accesses[0].resource(), "call/call-1");
  EXPECT_EQ(accesses[0].purpose(), "quarterly audit");
  EXPECT_EQ(accesses[0].via(), "grpc");
  EXPECT_TRUE(accesses[0].allowed());
}

TEST_F(RecordsQueriesTest, AnotherClinicsRecordsAreNeverShown) {
  // The projection holds every tenant's events; this record-keeper answers
  // for the sample clinic only.
  events::EventDraft d;
  d.tenant_id = "another-clinic";
  d.call_id = "call-b";
  d.type = ev::EVENT_TYPE_CALL_STARTED;
  d.payload = ev::CallStarted().SerializeAsString();
  eventlog::StoredRecord call;
  call.topic = kafka::kCallsTopic;
  call.value = chain_.Next(d).SerializeAsString();
  ev::AccessRecorded a;
  a.set_actor_id("b-staff");
  a.set_role("auditor");
  a.set_action("get_call");
  events::EventDraft ad;
  ad.tenant_id = "another-clinic";
  ad.call_id = "actor/b-staff";
  ad.type = ev::EVENT_TYPE_ACCESS_RECORDED;
  ad.payload = a.SerializeAsString();
  eventlog::StoredRecord access;
  access.topic = kafka::kAccessTopic;
  access.value = chain_.Next(ad).SerializeAsString();
  ASSERT_TRUE(store_->ApplyBatch({call, access}).ok());

  const Caller auditor{"aud-1", "auditor", "quarterly audit"};
  EXPECT_EQ(queries_->GetCall(auditor, CallRequest("call-b")).status().code(),
            absl::StatusCode::kNotFound);
  auto calls = queries_->ListCalls(auditor, rv::ListCallsRequest());
  ASSERT_TRUE(calls.ok()) << calls.status();
  ASSERT_EQ(calls->calls_size(), 1);
  EXPECT_EQ(calls->calls(0).call_id(), "call-1");
  auto accesses = queries_->ListAccesses(auditor, rv::ListAccessesRequest());
  ASSERT_TRUE(accesses.ok()) << accesses.status();
  // The only access projected is the other clinic's.
  EXPECT_EQ(accesses->accesses_size(), 0);
  // Without the tenant filter the store does hold it.
  records::AccessFilter all;
  auto everything = store_->ListAccesses(all);
  ASSERT_TRUE(everything.ok());
  ASSERT_EQ(everything->accesses_size(), 1);
  EXPECT_EQ(everything->accesses(0).actor_id(), "b-staff");
}

TEST_F(RecordsQueriesTest, AWrongRoleIsRefusedAndTheRefusalIsRecorded) {
  auto got =
      queries_->GetCall({"x-9", "janitor", "curious"}, CallRequest("call-1"));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(got.status().message(),
            "role \"janitor\" does not hold \"records.read\" in policy " +
                policy_->version());
  // front-desk may read calls but not the access log.
  auto list = queries_->ListAccesses({"fd-1", "front-desk", "checking"}, {});
  EXPECT_EQ(list.status().code(), absl::StatusCode::kPermissionDenied);
  auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 2u);
  EXPECT_FALSE(accesses[0].allowed());
  EXPECT_EQ(accesses[0].resource(), "call/call-1");
  EXPECT_FALSE(accesses[1].allowed());
  EXPECT_EQ(accesses[1].action(), "list_accesses");
}

TEST_F(RecordsQueriesTest, EveryQueryNeedsIdRoleAndPurpose) {
  auto no_id = queries_->GetCall({"", "auditor", "audit"}, CallRequest("c"));
  EXPECT_EQ(no_id.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(no_id.status().message(), "metadata x-staff-id: required");
  auto no_role = queries_->ListCalls({"a", "", "audit"}, {});
  EXPECT_EQ(no_role.status().message(), "metadata x-staff-role: required");
  auto no_purpose = queries_->GetHandoff({"a", "auditor", ""}, [] {
    rv::GetHandoffRequest r;
    r.set_handoff_id("h");
    return r;
  }());
  EXPECT_EQ(no_purpose.status().message(), "metadata x-purpose: required");
  auto no_call = queries_->GetCall({"a", "auditor", "audit"}, CallRequest(""));
  EXPECT_EQ(no_call.status().message(), "call_id: required");
  rv::ListCallsRequest big;
  big.set_page_size(501);
  EXPECT_EQ(
      queries_->ListCalls({"a", "auditor", "audit"}, big).status().message(),
      "page_size: at most 500");
  EXPECT_TRUE(Accesses().empty());
}

TEST_F(RecordsQueriesTest, AnAccessThatCannotBeRecordedIsRefused) {
  log_.FailNext(1);
  auto got =
      queries_->GetCall({"aud-1", "auditor", "audit"}, CallRequest("call-1"));
  EXPECT_FALSE(got.ok());
  EXPECT_NE(got.status().code(), absl::StatusCode::kOk);
  EXPECT_TRUE(absl::StartsWith(got.status().message(),
                               "the access could not be recorded"))
      << got.status();
  EXPECT_TRUE(Accesses().empty());
}

TEST_F(RecordsQueriesTest, ListQueriesNameTheirFiltersInTheAccessRecord) {
  rv::ListCallsRequest req;
  req.set_lane(ev::LANE_HUMAN_ONLY);
  req.set_category("clinical");
  req.set_handoff(rv::HANDOFF_FILTER_OPEN);
  auto got = queries_->ListCalls({"aud-1", "auditor", "audit"}, req);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got->calls().empty());
  rv::ListAccessesRequest acc;
  acc.set_actor_id("aud-1");
  auto listed = queries_->ListAccesses({"aud-1", "auditor", "audit"}, acc);
  ASSERT_TRUE(listed.ok()) << listed.status();
  auto accesses = Accesses();
  ASSERT_EQ(accesses.size(), 2u);
  EXPECT_EQ(accesses[0].resource(),
            "calls?lane=LANE_HUMAN_ONLY&category=clinical&handoff="
            "HANDOFF_FILTER_OPEN");
  EXPECT_EQ(accesses[1].resource(), "accesses?actor=aud-1");
}

TEST(CallerFromMetadataTest, DevelopmentModeReadsTheThreeHeaders) {
  auto dev = auth::StaffAuthenticator::AssertedForDevelopment("clinic-a");
  std::multimap<grpc::string_ref, grpc::string_ref> md = {
      {"x-staff-id", "aud-1"},
      {"x-staff-role", "auditor"},
      {"x-purpose", "audit"}};
  absl::StatusOr<Caller> c = CallerFromMetadata(md, *dev);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->id, "aud-1");
  EXPECT_EQ(c->role, "auditor");
  EXPECT_EQ(c->purpose, "audit");
  EXPECT_EQ(c->via, "grpc");
  EXPECT_EQ(CallerFromMetadata({}, *dev).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(CallerFromMetadataTest, WithTokensOnlyTheTokenNamesTheCaller) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  absl::StatusOr<auth::IssuerKeyPair> keys = auth::GenerateIssuerKeyPair();
  ASSERT_TRUE(keys.ok());
  auto tokens = auth::StaffAuthenticator::WithTokens(
      *auth::TokenVerifier::Create(keys->public_pem, "clinic-a", "", &clock));
  const std::string token = *(*auth::TokenIssuer::Create(keys->private_pem, ""))
                                 ->Issue({"aud-2", "auditor", "clinic-a",
                                          clock.Now() + absl::Hours(1)},
                                         clock.Now());
  const std::string bearer = "Bearer " + token;
  std::multimap<grpc::string_ref, grpc::string_ref> md = {
      {"authorization", bearer},
      {"x-staff-id", "someone-else"},
      {"x-staff-role", "privacy-officer"},
      {"x-purpose", "audit"}};
  absl::StatusOr<Caller> c = CallerFromMetadata(md, *tokens);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->id, "aud-2");
  EXPECT_EQ(c->role, "auditor");
  EXPECT_EQ(c->purpose, "audit");
  md.erase("authorization");
  EXPECT_EQ(CallerFromMetadata(md, *tokens).status().code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace frontdesk::record_keeper
