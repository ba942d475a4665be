#include "tools/frontdesk/time_range.h"

#include "gtest/gtest.h"

namespace frontdesk::cli {
namespace {

TEST(TimeRangeTest, DatesAreMidnightUtc) {
  absl::StatusOr<TimeRange> r = ParseTimeRange("2026-11-23", "2026-11-30");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->from,
            absl::FromCivil(absl::CivilDay(2026, 11, 23), absl::UTCTimeZone()));
  EXPECT_EQ(r->ToString(), "2026-11-23T00:00:00Z..2026-11-30T00:00:00Z");
  EXPECT_TRUE(r->Contains(r->from));
  EXPECT_FALSE(r->Contains(r->to));
}

TEST(TimeRangeTest, Rfc3339WithOffsets) {
  absl::StatusOr<TimeRange> r =
      ParseTimeRange("2026-11-23T08:00:00-06:00", "2026-11-23T15:00:00Z");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->to - r->from, absl::Hours(1));
}

TEST(TimeRangeTest, ErrorsNameTheFlag) {
  EXPECT_EQ(ParseTimeRange("", "2026-11-30").status().message(),
            "--from is required (YYYY-MM-DD or RFC 3339)");
  EXPECT_EQ(ParseTimeRange("2026-11-23", "next week").status().message(),
            "--to \"next week\" is not a time; expected YYYY-MM-DD or RFC "
            "3339 such as 2026-11-23T08:00:00Z");
  EXPECT_EQ(ParseTimeRange("2026-02-30", "2026-03-02").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseTimeRange("2026-11-30", "2026-11-23").status().message(),
            "--to \"2026-11-23\" must be later than --from \"2026-11-30\"");
}

}  // namespace
}  // namespace frontdesk::cli
