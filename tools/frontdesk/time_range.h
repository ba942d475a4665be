// The --from/--to time range of the audit tools (verify, export, report,
// simulate).
//
// Each bound is either an RFC 3339 time ("2026-11-23T00:00:00Z",
// "2026-11-23T08:00:00-06:00") or a date "YYYY-MM-DD", read as midnight UTC.
// The range is half open, [from, to); `to` must be later than `from`.
//
// Example:
//   absl::StatusOr<TimeRange> r = ParseTimeRange("2026-11-23", "2026-11-30");
//   if (r->Contains(event_time)) ...
#ifndef FRONTDESK_TOOLS_FRONTDESK_TIME_RANGE_H_
#define FRONTDESK_TOOLS_FRONTDESK_TIME_RANGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace frontdesk::cli {

struct TimeRange {
  absl::Time from;
  absl::Time to;

  bool Contains(absl::Time t) const { return t >= from && t < to; }
  // "<from>..<to>" in RFC 3339 UTC, for access records and report titles.
  std::string ToString() const;
};

// INVALID_ARGUMENT naming --from or --to when a bound is missing or is not a
// time, or when --to is not later than --from.
absl::StatusOr<TimeRange> ParseTimeRange(absl::string_view from,
                                         absl::string_view to);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_TIME_RANGE_H_
