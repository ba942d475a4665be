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

EventFilter::EventFilter(absl::Time from, absl::Time to, std::string tenant_id)
    : from_(from), to_(to), tenant_id_(std::move(tenant_id)) {}

std::optional<LoggedEvent> EventFilter::Open(const eventlog::StoredRecord& r) {
  absl::StatusOr<events::OpenedEvent> e = events::OpenEnvelopeBytes(r.value);
  if (!e.ok()) {
    ++damaged_;
    return std::nullopt;
  }
  const absl::Time at = OccurredAt(e->body);
  if (at < from_ || at >= to_) {
    ++outside_range_;
    return std::nullopt;
  }
  if (!tenant_id_.empty() && e->body.tenant_id() != tenant_id_)
    return std::nullopt;
  if (!seen_.insert(e->body.event_id()).second) return std::nullopt;
  return LoggedEvent{r.topic, r.partition, r.offset, at, std::move(e->body)};
}

AuditLogEvents CollectEvents(const std::vector<eventlog::StoredRecord>& records,
                             absl::Time from, absl::Time to) {
  AuditLogEvents out;
  EventFilter filter(from, to, "");
  for (const eventlog::StoredRecord& r : records) {
    std::optional<LoggedEvent> e = filter.Open(r);
    if (e.has_value()) out.events.push_back(*std::move(e));
  }
  out.damaged = filter.damaged();
  out.outside_range = filter.outside_range();
  std::stable_sort(
      out.events.begin(), out.events.end(),
      [](const LoggedEvent& a, const LoggedEvent& b) {
        return std::tie(a.occurred_at, a.topic, a.partition, a.offset) <
               std::tie(b.occurred_at, b.topic, b.partition, b.offset);
      });
  return out;
}

}  // namespace frontdesk::reports
