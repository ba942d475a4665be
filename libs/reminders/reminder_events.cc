#include "libs/reminders/reminder_events.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace frontdesk::reminders {

std::string EventTypeName(ReminderEventType type) {
  switch (type) {
    case ReminderEventType::kReminderSent:
      return "reminder_sent";
    case ReminderEventType::kConfirmed:
      return "confirmed";
    case ReminderEventType::kCancellationCaptured:
      return "cancellation_captured";
    case ReminderEventType::kRescheduleOffered:
      return "reschedule_offered";
    case ReminderEventType::kRescheduled:
      return "rescheduled";
    case ReminderEventType::kHoldReleased:
      return "hold_released";
    case ReminderEventType::kHandedOff:
      return "handed_off";
  }
  return "unknown";
}

namespace {

std::string SlotString(const SlotRef& s) {
  return absl::StrCat(
      s.appointment_id, "@",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", s.start, absl::UTCTimeZone()), "/",
      s.clinician, "/", s.visit_type);
}

}  // namespace

std::string ReminderEvent::ToString() const {
  std::string out = absl::StrCat(
      EventTypeName(type), " conversation=", conversation_id,
      " appointment=", SlotString(appointment), " patient_ref=", patient_ref,
      " ehr=", simulated ? "simulated" : "live", " risk=", risk.points, " [",
      risk.Explain(), "]");
  if (!channel.empty()) absl::StrAppend(&out, " channel=", channel);
  if (!text_id.empty()) {
    absl::StrAppend(&out, " text=", text_id, "@", text_version);
  }
  if (attempt > 0) absl::StrAppend(&out, " attempt=", attempt);
  if (type == ReminderEventType::kCancellationCaptured) {
    absl::StrAppend(&out, " cancelled=", cancelled ? "true" : "false");
  }
  if (!offered.empty()) {
    absl::StrAppend(
        &out, " offered=",
        absl::StrJoin(offered, ",", [](std::string* o, const SlotRef& s) {
          o->append(SlotString(s));
        }));
  }
  if (!slot.appointment_id.empty()) {
    absl::StrAppend(&out, " slot=", SlotString(slot));
  }
  if (!queue.empty()) absl::StrAppend(&out, " queue=", queue);
  if (!handoff_id.empty()) absl::StrAppend(&out, " handoff=", handoff_id);
  if (!reason.empty()) absl::StrAppend(&out, " reason=", reason);
  if (!code.empty()) absl::StrAppend(&out, " code=", code);
  if (!rule_id.empty()) {
    absl::StrAppend(&out, " authority=", rule_id, "/", outcome);
  }
  return out;
}

absl::Status InMemoryReminderEventSink::Emit(const ReminderEvent& event) {
  absl::MutexLock lock(&mu_);
  events_.push_back(event);
  return absl::OkStatus();
}

std::vector<ReminderEvent> InMemoryReminderEventSink::events() const {
  absl::MutexLock lock(&mu_);
  return events_;
}

std::vector<ReminderEvent> InMemoryReminderEventSink::OfType(
    ReminderEventType type) const {
  absl::MutexLock lock(&mu_);
  std::vector<ReminderEvent> out;
  for (const ReminderEvent& e : events_) {
    if (e.type == type) out.push_back(e);
  }
  return out;
}

absl::StatusOr<std::string> InMemoryStaffHandoff::RequestHandoff(
    const HandoffRequest& request) {
  absl::MutexLock lock(&mu_);
  requests_.push_back(request);
  return absl::StrCat("handoff-", requests_.size());
}

std::vector<HandoffRequest> InMemoryStaffHandoff::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

}  // namespace frontdesk::reminders
