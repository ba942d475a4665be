#include "services/answer/call_state.h"

#include <algorithm>

#include "frontdesk/events/v1/call_events.pb.h"
#include "libs/events/event_envelope.h"

namespace frontdesk::answer {

namespace ev = ::frontdesk::events::v1;

absl::StatusOr<ev::PhiFields> CallStateFold::OpenPhi(
    const ev::EventBody& b) const {
  if (keyring_ != nullptr)
    return keyring_->Open(b.sealed_phi(), b.tenant_id(), b.call_id());
  if (sealer_ != nullptr)
    return sealer_->Open(b.sealed_phi(), b.tenant_id(), b.call_id());
  return absl::FailedPreconditionError("no key to open PHI");
}

void CallStateFold::Apply(absl::string_view record_value) {
  absl::StatusOr<events::OpenedEvent> e =
      events::OpenEnvelopeBytes(record_value);
  if (!e.ok()) {
    ++state_.damaged;
    return;
  }
  const ev::EventBody& b = e->body;
  switch (b.type()) {
    case ev::EVENT_TYPE_CALL_STARTED:
      state_.started = true;
      state_.tenant_id = b.tenant_id();
      if (b.has_sealed_phi()) {
        auto phi = OpenPhi(b);
        if (phi.ok()) state_.caller_number = phi->caller_number();
      }
      break;
    case ev::EVENT_TYPE_TURN_RECEIVED: {
      ev::TurnReceived p;
      if (p.ParseFromString(b.payload())) {
        state_.turns = std::max(state_.turns, p.turn_index());
      }
      break;
    }
    case ev::EVENT_TYPE_DECISION_RECORDED: {
      ev::DecisionRecorded p;
      if (p.ParseFromString(b.payload()) && !p.request_type().empty()) {
        state_.request_type = p.request_type();
      }
      break;
    }
    case ev::EVENT_TYPE_REPLY_GIVEN: {
      ev::ReplyGiven p;
      if (!p.ParseFromString(b.payload())) break;
      if (p.call_over()) state_.over = true;
      // A fallback reply leaves the conversation where it was.
      if (p.fallback()) break;
      state_.conversation_state = p.state();
      state_.asking_for = p.asking_for();
      state_.attempts = p.attempts();
      if (p.state() == "escalated" && !state_.escalated) {
        state_.escalated = true;
        state_.escalation_decision_id = p.decision_id();
      }
      break;
    }
    case ev::EVENT_TYPE_FIELD_COLLECTED: {
      ev::FieldCollected p;
      if (!p.ParseFromString(b.payload())) break;
      std::string value;
      if (b.has_sealed_phi()) {
        auto phi = OpenPhi(b);
        if (phi.ok()) {
          for (const auto& v : phi->intake()) {
            if (v.field() == p.field()) value = v.value();
          }
        }
      }
      switch (p.outcome()) {
        case ev::FieldCollected::OUTCOME_ACCEPTED:
        case ev::FieldCollected::OUTCOME_CONFIRMED:
          state_.collected[p.field()] = value;
          state_.pending_read_back.clear();
          break;
        case ev::FieldCollected::OUTCOME_NOT_STORED:
          state_.collected[p.field()] = "";
          break;
        case ev::FieldCollected::OUTCOME_READ_BACK:
          state_.pending_read_back = value;
          break;
        case ev::FieldCollected::OUTCOME_REJECTED:
          state_.pending_read_back.clear();
          break;
        case ev::FieldCollected::OUTCOME_DECLINED:
          state_.consent_declined = true;
          break;
        default:
          break;
      }
      break;
    }
    case ev::EVENT_TYPE_CALL_ENDED:
      state_.ended = true;
      break;
    default:
      break;
  }
}

}  // namespace frontdesk::answer
