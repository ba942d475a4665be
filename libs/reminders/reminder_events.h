// ReminderEvent and ReminderEventSink: what the reminder worker records, and
// StaffHandoff: how it passes a conversation to a person.
//
// Every step of a reminder conversation is one ReminderEvent: reminder sent,
// confirmed, cancellation captured, reschedule offered, rescheduled, hold
// released, handed off. Each carries whether the scheduler is simulated or
// live, the no-show risk score with its explanation, and names the patient
// only by an opaque reference; what the patient wrote is never in an event.
//
// These are plain structs emitted through a small interface;
// EventLogReminderSink (event_log_reminder_sink.h) appends them as
// scheduling_events.proto envelopes through libs/eventlog.
//
// Example:
//   InMemoryReminderEventSink sink;
//   worker deps.events = &sink;
//   ... worker.RunOnce();
//   sink.events()[0].type == ReminderEventType::kReminderSent;
#ifndef FRONTDESK_LIBS_REMINDERS_REMINDER_EVENTS_H_
#define FRONTDESK_LIBS_REMINDERS_REMINDER_EVENTS_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/reminders/no_show_risk.h"

namespace frontdesk::reminders {

enum class ReminderEventType {
  kReminderSent,
  kConfirmed,
  kCancellationCaptured,
  kRescheduleOffered,
  kRescheduled,
  kHoldReleased,
  kHandedOff,
};

// "reminder_sent", "confirmed", "cancellation_captured",
// "reschedule_offered", "rescheduled", "hold_released", "handed_off".
std::string EventTypeName(ReminderEventType type);

// An appointment or offered slot, without any patient detail.
struct SlotRef {
  std::string appointment_id;
  std::string visit_type;
  std::string clinician;
  absl::Time start;
  absl::Time end;

  bool operator==(const SlotRef&) const = default;
};

struct ReminderEvent {
  ReminderEventType type = ReminderEventType::kReminderSent;
  absl::Time time;
  // "reminder/<appointment id>": groups a conversation's events.
  std::string conversation_id;
  // The reminded appointment.
  SlotRef appointment;
  // Opaque ("Patient/p-1").
  std::string patient_ref;
  // True: the scheduler is simulated (embedded store, simulated EHR); false:
  // a live EHR. Rendered "simulated" or "live".
  bool simulated = true;
  NoShowRisk risk;
  // The channel kind ("file", "sms", "voice") and the approved text sent,
  // for events that sent a message.
  std::string channel;
  std::string text_id;
  uint32_t text_version = 0;
  // 1-based reminder attempt, for kReminderSent.
  int attempt = 0;
  // kCancellationCaptured: whether the scheduler released the slot.
  bool cancelled = false;
  // kRescheduleOffered: the options offered, in the order offered.
  std::vector<SlotRef> offered;
  // kRescheduled: the new appointment; kHoldReleased: the released hold.
  SlotRef slot;
  // kHandedOff: the staff queue, the handoff's id and why (a fixed reason
  // code such as "unclear_reply", never the patient's words).
  std::string queue;
  std::string handoff_id;
  std::string reason;
  // A failed step's status code name ("ABORTED"), never its message.
  std::string code;
  // kRescheduled: the booking rule that let the agent book, and its outcome
  // ("BOOK-VISIT-LANE", "ai_owned"); empty without booking rules.
  std::string rule_id;
  std::string outcome;

  // One line, "type key=value ...", for logs and tests. Holds no PHI.
  std::string ToString() const;
};

// Where events go. Implementations are thread-safe.
class ReminderEventSink {
 public:
  virtual ~ReminderEventSink() = default;
  virtual absl::Status Emit(const ReminderEvent& event) = 0;
};

// A fake that keeps every event. Thread-safe.
class InMemoryReminderEventSink : public ReminderEventSink {
 public:
  absl::Status Emit(const ReminderEvent& event) override;
  std::vector<ReminderEvent> events() const;
  // The events of one type, in order.
  std::vector<ReminderEvent> OfType(ReminderEventType type) const;

 private:
  mutable absl::Mutex mu_;
  std::vector<ReminderEvent> events_ ABSL_GUARDED_BY(mu_);
};

// A request for a person to take over a reminder conversation.
struct HandoffRequest {
  std::string queue;
  std::string conversation_id;
  std::string appointment_id;
  std::string patient_ref;
  // A fixed reason code: "unclear_reply", "human_only:<category>",
  // "no_reply", "no_reschedule_options", "reschedule_needs_person",
  // "unclear_choice", "no_choice", "option_taken", "book_failed",
  // "cancel_failed", "find_failed".
  std::string reason;
  // The patient's last reply, for the person who takes it. PHI: an
  // implementation must seal it (libs/phi) and never log it. Empty when
  // there was none.
  std::string patient_words;
};

// Thread-safe implementations.
class StaffHandoff {
 public:
  virtual ~StaffHandoff() = default;
  // The handoff's id.
  virtual absl::StatusOr<std::string> RequestHandoff(
      const HandoffRequest& request) = 0;
};

// A fake: keeps each request, ids "handoff-1", "handoff-2", ... Thread-safe.
class InMemoryStaffHandoff : public StaffHandoff {
 public:
  absl::StatusOr<std::string> RequestHandoff(
      const HandoffRequest& request) override;
  std::vector<HandoffRequest> requests() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<HandoffRequest> requests_ ABSL_GUARDED_BY(mu_);
};

}  // namespace frontdesk::reminders

#endif  // FRONTDESK_LIBS_REMINDERS_REMINDER_EVENTS_H_
