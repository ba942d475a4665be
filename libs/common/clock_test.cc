#include "libs/common/clock.h"

#include "gtest/gtest.h"

namespace frontdesk {
namespace {

TEST(FakeClockTest, MovesOnlyWhenTold) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1800000000));
  clock.Advance(absl::Seconds(90));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(1800000090));
  clock.Set(absl::FromUnixSeconds(5));
  EXPECT_EQ(clock.Now(), absl::FromUnixSeconds(5));
}

}  // namespace
}  // namespace frontdesk
