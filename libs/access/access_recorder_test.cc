#include "libs/access/access_recorder.h"

#include "frontdesk/events/v1/access_events.pb.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::access {
namespace {

namespace ev = ::frontdesk::events::v1;

class AccessRecorderTest : public ::testing::Test {
 protected:
  AccessRecorderTest() : chain_(Producer(), &clock_) {
    policy_.add_access_roles()->set_role("auditor");
    policy_.mutable_access_roles(0)->add_permissions("replay");
  }

  static ev::Producer Producer() {
    ev::Producer p;
    p.set_service("frontdesk-cli");
    p.set_instance("test");
    return p;
  }

  Access Auditor() {
    Access a;
    a.tenant_id = "clinic-a";
    a.policy_version = "v1";
    a.actor_id = "ann";
    a.role = "auditor";
    a.action = "replay";
    a.resource = "call/c-1";
    a.purpose = "quarterly audit";
    a.via = "cli";
    return a;
  }

  std::vector<std::pair<std::string, ev::AccessRecorded>> Recorded() {
    std::vector<std::pair<std::string, ev::AccessRecorded>> out;
    for (const auto& r : log_.Topic(kafka::kAccessTopic)) {
      auto opened = events::OpenEnvelopeBytes(r.value);
      EXPECT_TRUE(opened.ok()) << opened.status();
      if (!opened.ok()) continue;
      EXPECT_EQ(opened->body.type(), ev::EVENT_TYPE_ACCESS_RECORDED);
      ev::AccessRecorded a;
      EXPECT_TRUE(a.ParseFromString(opened->body.payload()));
      out.emplace_back(r.key, a);
    }
    return out;
  }

  FakeClock clock_{absl::FromUnixSeconds(1800000000)};
  events::EventChain chain_;
  eventlog::InMemoryEventLog log_;
  frontdesk::policy::v1::Policy policy_;
};

TEST_F(AccessRecorderTest, GrantedAccessIsRecordedAsAllowed) {
  AccessRecorder recorder(&log_, &chain_, absl::Seconds(1));
  ASSERT_TRUE(AuthorizeAndRecord(policy_, recorder, Auditor(), "replay").ok());
  auto recorded = Recorded();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_EQ(recorded[0].first, "actor/ann");
  EXPECT_TRUE(recorded[0].second.allowed());
  EXPECT_EQ(recorded[0].second.role(), "auditor");
  EXPECT_EQ(recorded[0].second.action(), "replay");
  EXPECT_EQ(recorded[0].second.resource(), "call/c-1");
  EXPECT_EQ(recorded[0].second.purpose(), "quarterly audit");
  EXPECT_EQ(recorded[0].second.via(), "cli");
  EXPECT_EQ(recorded[0].second.reason(), "");
}

TEST_F(AccessRecorderTest, RefusedAccessIsRecordedAndDenied) {
  AccessRecorder recorder(&log_, &chain_, absl::Seconds(1));
  Access a = Auditor();
  a.action = "export";
  absl::Status s = AuthorizeAndRecord(policy_, recorder, a, "export");
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "role \"auditor\" does not hold \"export\" in policy v1");
  auto recorded = Recorded();
  ASSERT_EQ(recorded.size(), 1u);
  EXPECT_FALSE(recorded[0].second.allowed());
  EXPECT_EQ(recorded[0].second.reason(), s.message());
}

TEST_F(AccessRecorderTest, AnAccessThatCannotBeRecordedIsRefused) {
  AccessRecorder recorder(&log_, &chain_, absl::Milliseconds(10));
  log_.SetAvailable(false);
  absl::Status s = AuthorizeAndRecord(policy_, recorder, Auditor(), "replay");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(s.message().find("could not be recorded"), absl::string_view::npos)
      << s;
}

TEST_F(AccessRecorderTest, MissingIdentityIsInvalid) {
  AccessRecorder recorder(&log_, &chain_, absl::Seconds(1));
  Access a = Auditor();
  a.actor_id.clear();
  EXPECT_EQ(recorder.Record(a).code(), absl::StatusCode::kInvalidArgument);
  a = Auditor();
  a.role.clear();
  EXPECT_EQ(AuthorizeAndRecord(policy_, recorder, a, "replay").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Recorded().empty());
}

}  // namespace
}  // namespace frontdesk::access
