// AuditLogEvents: the events of the frontdesk topics in a time range, opened
// and checked, in the order the reports fold them.
//
// The reports (FHIR export, weekly review, policy simulation) read the log
// itself, never a projection: the caller reads the records of
// frontdesk.calls.v1, frontdesk.access.v1 and frontdesk.policy.v1 (for example
// with KafkaKeyReader::ReadTopic) and hands them here. Records whose hash does
// not match or that do not parse are counted as damaged and skipped; the
// range check uses the envelope's occurred_at.
//
// Example:
//   AuditLogEvents events = CollectEvents(records, range_from, range_to);
//   for (const LoggedEvent& e : events.events) Fold(e);
//
// PhiOpener opens an event's sealed PHI. Reports take an empty opener when
// the caller holds no key or no phi.read permission: PHI then stays sealed
// and only counts are shown.
#ifndef FRONTDESK_LIBS_REPORTS_AUDIT_LOG_EVENTS_H_
#define FRONTDESK_LIBS_REPORTS_AUDIT_LOG_EVENTS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/events/v1/envelope.pb.h"
#include "libs/eventlog/event_log.h"

namespace frontdesk::reports {

// One opened event and where it sits on the log.
struct LoggedEvent {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  absl::Time occurred_at;
  frontdesk::events::v1::EventBody body;
};

struct AuditLogEvents {
  // In occurred_at order; ties keep log order (topic, partition, offset).
  std::vector<LoggedEvent> events;
  // Records that failed the hash check or did not parse (not in `events`).
  int damaged = 0;
  // Records read whose events fell outside the range.
  int outside_range = 0;
};

// Opens records one at a time, for folds that stream the log: keeps the
// events with occurred_at in [from, to) of one tenant, each event id once.
// Not thread-safe.
class EventFilter {
 public:
  // `tenant_id` empty: every tenant.
  EventFilter(absl::Time from, absl::Time to, std::string tenant_id);

  // The event, or nullopt when the record is damaged (counted), outside the
  // range (counted), another tenant's, or an event id already seen.
  std::optional<LoggedEvent> Open(const eventlog::StoredRecord& record);

  int damaged() const { return damaged_; }
  int outside_range() const { return outside_range_; }

 private:
  const absl::Time from_;
  const absl::Time to_;
  const std::string tenant_id_;
  absl::flat_hash_set<std::string> seen_;
  int damaged_ = 0;
  int outside_range_ = 0;
};

// Opens `records` and keeps the events with occurred_at in [from, to),
// sorted by occurred_at. A duplicated event (same event id) is kept once.
AuditLogEvents CollectEvents(const std::vector<eventlog::StoredRecord>& records,
                             absl::Time from, absl::Time to);

// Opens the PHI sealed in an event of `tenant_id` and `call_id`.
using PhiOpener =
    std::function<absl::StatusOr<frontdesk::events::v1::PhiFields>(
        const frontdesk::events::v1::SealedPhi&, absl::string_view tenant_id,
        absl::string_view call_id)>;

// The envelope's occurred_at as an absl::Time.
absl::Time OccurredAt(const frontdesk::events::v1::EventBody& body);

// "2026-11-27T09:00:00.000Z": the FHIR `instant` form, always UTC.
std::string FormatInstant(absl::Time t);

// Lower-case lane name without the prefix: "ai_owned", "ai_assisted",
// "human_only", or "unspecified".
std::string LaneName(frontdesk::events::v1::Lane lane);

}  // namespace frontdesk::reports

#endif  // FRONTDESK_LIBS_REPORTS_AUDIT_LOG_EVENTS_H_
