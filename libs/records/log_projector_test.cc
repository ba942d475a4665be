#include "libs/records/log_projector.h"

#include "gtest/gtest.h"

namespace frontdesk::records {
namespace {

TEST(IsFrontdeskTopicTest, AcceptsTheEventTopicsOnly) {
  EXPECT_TRUE(IsFrontdeskTopic("frontdesk.calls.v1"));
  EXPECT_TRUE(IsFrontdeskTopic("frontdesk.access.v1"));
  EXPECT_TRUE(IsFrontdeskTopic("frontdesk.policy.v1"));
  EXPECT_TRUE(IsFrontdeskTopic("frontdesk.handoff.nurse-line.v1"));
  EXPECT_TRUE(IsFrontdeskTopic("frontdesk.handoff.q2.v1"));
  EXPECT_FALSE(IsFrontdeskTopic("frontdesk.bench.v1"));
  EXPECT_FALSE(IsFrontdeskTopic("frontdesk.handoff..v1"));
  EXPECT_FALSE(IsFrontdeskTopic("frontdesk.handoff.Nurse.v1"));
  EXPECT_FALSE(IsFrontdeskTopic("frontdesk.handoff.a.b.v1"));
  EXPECT_FALSE(IsFrontdeskTopic("frontdesk.calls.v2"));
  EXPECT_FALSE(IsFrontdeskTopic("other.calls.v1"));
}

}  // namespace
}  // namespace frontdesk::records
