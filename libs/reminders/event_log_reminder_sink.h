// EventLogReminderSink: reminder events as scheduling_events.proto payloads
// in signed, chained envelopes appended to the calls topic through
// libs/eventlog.
//
// The mapping (ReminderEvent type -> EventType, payload):
//   reminder_sent          REMINDER_SENT           ReminderSent (with risk)
//   confirmed              APPOINTMENT_CONFIRMED   AppointmentConfirmed
//   cancellation_captured  CANCELLATION_CAPTURED   CancellationCaptured
//   reschedule_offered     SLOTS_OFFERED           SlotsOffered
//   rescheduled            RESCHEDULED             Rescheduled
//   hold_released          HOLD_RELEASED           HoldReleased (FAILED)
//   handed_off             not appended: scheduling_events.proto has no
//                          handoff message; the handoff service records it
//                          (HandoffPrepared) when it takes the request.
// Each event's call id, and Kafka key, is the conversation id
// ("reminder/<appointment id>"), so a conversation's events stay in order
// and chain. `ehr` is EHR_MODE_SIMULATED or EHR_MODE_LIVE from the event.
// `authority` of Rescheduled names the booking rule and outcome that let the
// agent book (no decision id: rules-check's RPC is not called); the other
// events leave it empty.
// Nothing is sealed: the events hold no PHI.
//
// Example:
//   EventChain chain(ThisProcess("reminders"), clock);
//   EventLogReminderSink sink(&chain, &log, policy->tenant_id(),
//                             policy->version());
//
// Thread-safe when the log is. `chain` and `log` must outlive the sink.
#ifndef FRONTDESK_LIBS_REMINDERS_EVENT_LOG_REMINDER_SINK_H_
#define FRONTDESK_LIBS_REMINDERS_EVENT_LOG_REMINDER_SINK_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "frontdesk/events/v1/envelope.pb.h"
#include "libs/eventlog/event_log.h"
#include "libs/events/event_chain.h"
#include "libs/reminders/reminder_events.h"

namespace frontdesk::reminders {

// The event type and serialized payload for `event`; nullopt for a
// handed_off event, which has no scheduling payload.
struct MappedEvent {
  frontdesk::events::v1::EventType type;
  std::string payload;
};
std::optional<MappedEvent> MapReminderEvent(const ReminderEvent& event);

class EventLogReminderSink : public ReminderEventSink {
 public:
  EventLogReminderSink(events::EventChain* chain, eventlog::EventLog* log,
                       std::string tenant_id, std::string policy_version,
                       absl::Duration timeout = absl::Seconds(5));

  // The log's status (DEADLINE_EXCEEDED: queued, delivered later); OK
  // without appending for a handed_off event.
  absl::Status Emit(const ReminderEvent& event) override;

 private:
  events::EventChain* const chain_;
  eventlog::EventLog* const log_;
  const std::string tenant_id_;
  const std::string policy_version_;
  const absl::Duration timeout_;
};

}  // namespace frontdesk::reminders

#endif  // FRONTDESK_LIBS_REMINDERS_EVENT_LOG_REMINDER_SINK_H_
