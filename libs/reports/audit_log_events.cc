#include "libs/reports/audit_log_events.h"

#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "libs/events/event_envelope.h"

namespace frontdesk::reports {

namespace ev = ::frontdesk::events::v1;

absl::Time OccurredAt(const ev::EventBody& body) {
  return absl::FromUnixSeconds(body.occurred_at().seconds()) +
         absl::Nanoseconds(body.occurred_at().nanos());
}

std::string FormatInstant(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

std::string LaneName(ev::Lane lane) {
  switch (lane) {
    case ev::LANE_AI_OWNED:
      return "ai_owned";
    case ev::LANE_AI_ASSISTED:
      return "ai_assisted";
    case ev::LANE_HUMAN_ONLY:
      return "human_only";
    default:
      return "unspecified";
  }
}

AuditLogEvents CollectEvents(const std::vector<eventlog::StoredRecord>& records,
                             absl::Time from, absl::Time to) {
  AuditLogEvents out;
  absl::flat_hash_set<std::string> seen;
  for (const eventlog::StoredRecord& r : records) {
    absl::StatusOr<events::OpenedEvent> e = events::OpenEnvelopeBytes(r.value);
    if (!e.ok()) {
      ++out.damaged;
      continue;
    }
    const absl::Time at = OccurredAt(e->body);
    if (at < from || at >= to) {
      ++out.outside_range;
      continue;
    }
    if (!seen.insert(e->body.event_id()).second) continue;
    out.events.push_back(
        {r.topic, r.partition, r.offset, at, std::move(e->body)});
  }
  std::stable_sort(
      out.events.begin(), out.events.end(),
      [](const LoggedEvent& a, const LoggedEvent& b) {
        return std::tie(a.occurred_at, a.topic, a.partition, a.offset) <
               std::tie(b.occurred_at, b.topic, b.partition, b.offset);
      });
  return out;
}

}  // namespace frontdesk::reports
