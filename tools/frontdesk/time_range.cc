#include "tools/frontdesk/time_range.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace frontdesk::cli {
namespace {

absl::StatusOr<absl::Time> ParseBound(absl::string_view flag,
                                      absl::string_view value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, " is required (YYYY-MM-DD or RFC 3339)"));
  }
  absl::Time t;
  std::string err;
  const std::string v(value);
  if (absl::ParseTime(absl::RFC3339_full, v, &t, &err)) return t;
  if (v.size() == 10 &&
      absl::ParseTime("%Y-%m-%d", v, absl::UTCTimeZone(), &t, &err)) {
    return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, " \"", value,
                   "\" is not a time; expected YYYY-MM-DD or RFC 3339 such "
                   "as 2026-11-23T08:00:00Z"));
}

}  // namespace

std::string TimeRange::ToString() const {
  constexpr char kUtc[] = "%Y-%m-%dT%H:%M:%SZ";
  return absl::StrCat(absl::FormatTime(kUtc, from, absl::UTCTimeZone()), "..",
                      absl::FormatTime(kUtc, to, absl::UTCTimeZone()));
}

absl::StatusOr<TimeRange> ParseTimeRange(absl::string_view from,
                                         absl::string_view to) {
  absl::StatusOr<absl::Time> f = ParseBound("from", from);
  if (!f.ok()) return f.status();
  absl::StatusOr<absl::Time> t = ParseBound("to", to);
  if (!t.ok()) return t.status();
  if (*t <= *f) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--to \"", to, "\" must be later than --from \"", from, "\""));
  }
  return TimeRange{*f, *t};
}

}  // namespace frontdesk::cli
