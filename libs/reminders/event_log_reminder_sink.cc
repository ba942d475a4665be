#include "libs/reminders/event_log_reminder_sink.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "frontdesk/events/v1/scheduling_events.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::reminders {

namespace ev = frontdesk::events::v1;

namespace {

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t nanos = absl::ToUnixNanos(t);
  out->set_seconds(nanos / 1000000000);
  out->set_nanos(static_cast<int32_t>(nanos % 1000000000));
}

void SetRef(const SlotRef& s, ev::AppointmentRef* out) {
  out->set_appointment_id(s.appointment_id);
  out->set_visit_type(s.visit_type);
  out->set_clinician(s.clinician);
  SetTime(s.start, out->mutable_start());
  SetTime(s.end, out->mutable_end());
}

ev::EhrMode Ehr(const ReminderEvent& e) {
  return e.simulated ? ev::EHR_MODE_SIMULATED : ev::EHR_MODE_LIVE;
}

}  // namespace

std::optional<MappedEvent> MapReminderEvent(const ReminderEvent& e) {
  switch (e.type) {
    case ReminderEventType::kReminderSent: {
      ev::ReminderSent p;
      SetRef(e.appointment, p.mutable_appointment());
      p.set_ehr(Ehr(e));
      p.set_patient_ref(e.patient_ref);
      p.set_channel(e.channel);
      p.set_text(absl::StrCat(e.text_id, "@", e.text_version));
      p.mutable_risk()->set_points(static_cast<uint32_t>(e.risk.points));
      for (const RiskContribution& c : e.risk.contributions) {
        ev::NoShowRisk::Contribution* out =
            p.mutable_risk()->add_contributions();
        out->set_feature(c.feature);
        out->set_value(c.value);
        out->set_points(c.points);
      }
      return MappedEvent{ev::EVENT_TYPE_REMINDER_SENT, p.SerializeAsString()};
    }
    case ReminderEventType::kConfirmed: {
      ev::AppointmentConfirmed p;
      SetRef(e.appointment, p.mutable_appointment());
      p.set_ehr(Ehr(e));
      p.set_patient_ref(e.patient_ref);
      p.set_via(e.channel);
      return MappedEvent{ev::EVENT_TYPE_APPOINTMENT_CONFIRMED,
                         p.SerializeAsString()};
    }
    case ReminderEventType::kCancellationCaptured: {
      ev::CancellationCaptured p;
      SetRef(e.appointment, p.mutable_appointment());
      p.set_ehr(Ehr(e));
      p.set_patient_ref(e.patient_ref);
      p.set_cancelled(e.cancelled);
      p.set_handoff_id(e.handoff_id);
      return MappedEvent{ev::EVENT_TYPE_CANCELLATION_CAPTURED,
                         p.SerializeAsString()};
    }
    case ReminderEventType::kRescheduleOffered: {
      ev::SlotsOffered p;
      p.set_ehr(Ehr(e));
      for (const SlotRef& s : e.offered) SetRef(s, p.add_slots());
      return MappedEvent{ev::EVENT_TYPE_SLOTS_OFFERED, p.SerializeAsString()};
    }
    case ReminderEventType::kRescheduled: {
      ev::Rescheduled p;
      SetRef(e.slot, p.mutable_appointment());
      SetRef(e.appointment, p.mutable_previous());
      p.mutable_authority()->set_rule_id(e.rule_id);
      p.mutable_authority()->set_outcome(e.outcome);
      p.set_ehr(Ehr(e));
      p.set_patient_ref(e.patient_ref);
      return MappedEvent{ev::EVENT_TYPE_RESCHEDULED, p.SerializeAsString()};
    }
    case ReminderEventType::kHoldReleased: {
      ev::HoldReleased p;
      SetRef(e.slot, p.mutable_appointment());
      p.set_ehr(Ehr(e));
      p.set_reason(ev::HoldReleased::REASON_FAILED);
      return MappedEvent{ev::EVENT_TYPE_HOLD_RELEASED, p.SerializeAsString()};
    }
    case ReminderEventType::kHandedOff:
      return std::nullopt;
  }
  return std::nullopt;
}

EventLogReminderSink::EventLogReminderSink(events::EventChain* chain,
                                           eventlog::EventLog* log,
                                           std::string tenant_id,
                                           std::string policy_version,
                                           absl::Duration timeout)
    : chain_(chain),
      log_(log),
      tenant_id_(std::move(tenant_id)),
      policy_version_(std::move(policy_version)),
      timeout_(timeout) {}

absl::Status EventLogReminderSink::Emit(const ReminderEvent& event) {
  std::optional<MappedEvent> mapped = MapReminderEvent(event);
  if (!mapped.has_value()) return absl::OkStatus();
  events::EventDraft draft;
  draft.tenant_id = tenant_id_;
  draft.call_id = event.conversation_id;
  draft.policy_version = policy_version_;
  draft.type = mapped->type;
  draft.payload = std::move(mapped->payload);
  ev::EventEnvelope envelope = chain_->Next(draft);
  ev::EventBody body;
  std::string event_id;
  if (body.ParseFromString(envelope.body())) event_id = body.event_id();
  return log_->Append({{.topic = kafka::kCallsTopic,
                        .key = event.conversation_id,
                        .value = envelope.SerializeAsString(),
                        .record_id = event_id}},
                      timeout_);
}

}  // namespace frontdesk::reminders
