#include "libs/events/event_envelope.h"

#include <openssl/sha.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/events/v1/handoff_events.pb.h"
#include "frontdesk/events/v1/scheduling_events.pb.h"

namespace frontdesk::events {

namespace ev = ::frontdesk::events::v1;

std::string Sha256(absl::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

std::string ToHex(absl::string_view bytes, size_t max_bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  const size_t n =
      max_bytes > 0 && max_bytes < bytes.size() ? max_bytes : bytes.size();
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0f]);
  }
  return out;
}

ev::EventEnvelope SealEnvelope(const ev::EventBody& body) {
  ev::EventEnvelope envelope;
  body.SerializeToString(envelope.mutable_body());
  envelope.set_hash(Sha256(envelope.body()));
  return envelope;
}

absl::StatusOr<OpenedEvent> OpenEnvelope(const ev::EventEnvelope& envelope) {
  if (envelope.hash().size() != SHA256_DIGEST_LENGTH) {
    return absl::DataLossError(absl::StrCat(
        "envelope.hash: expected 32 bytes, found ", envelope.hash().size()));
  }
  if (Sha256(envelope.body()) != envelope.hash()) {
    return absl::DataLossError(
        "envelope.hash: does not match SHA-256 of envelope.body");
  }
  OpenedEvent opened;
  opened.envelope = envelope;
  if (!opened.body.ParseFromString(envelope.body())) {
    return absl::DataLossError("envelope.body: not a valid EventBody");
  }
  return opened;
}

absl::StatusOr<OpenedEvent> OpenEnvelopeBytes(absl::string_view record_value) {
  ev::EventEnvelope envelope;
  if (!envelope.ParseFromArray(record_value.data(),
                               static_cast<int>(record_value.size()))) {
    return absl::DataLossError("record value: not a valid EventEnvelope");
  }
  return OpenEnvelope(envelope);
}

std::string EventTypeName(ev::EventType type) {
  switch (type) {
    case ev::EVENT_TYPE_CALL_STARTED:
      return "CallStarted";
    case ev::EVENT_TYPE_TURN_RECEIVED:
      return "TurnReceived";
    case ev::EVENT_TYPE_DECISION_RECORDED:
      return "DecisionRecorded";
    case ev::EVENT_TYPE_REPLY_GIVEN:
      return "ReplyGiven";
    case ev::EVENT_TYPE_HANDOFF_PREPARED:
      return "HandoffPrepared";
    case ev::EVENT_TYPE_CALL_ENDED:
      return "CallEnded";
    case ev::EVENT_TYPE_TURN_FAILED:
      return "TurnFailed";
    case ev::EVENT_TYPE_POLICY_ACTIVATED:
      return "PolicyActivated";
    case ev::EVENT_TYPE_POLICY_REJECTED:
      return "PolicyRejected";
    case ev::EVENT_TYPE_FIELD_COLLECTED:
      return "FieldCollected";
    case ev::EVENT_TYPE_QUESTION_UNANSWERED:
      return "QuestionUnanswered";
    case ev::EVENT_TYPE_HANDOFF_CLAIMED:
      return "HandoffClaimed";
    case ev::EVENT_TYPE_HANDOFF_RESOLVED:
      return "HandoffResolved";
    case ev::EVENT_TYPE_HANDOFF_ESCALATED:
      return "HandoffEscalated";
    case ev::EVENT_TYPE_ACCESS_RECORDED:
      return "AccessRecorded";
    case ev::EVENT_TYPE_SLOTS_OFFERED:
      return "SlotsOffered";
    case ev::EVENT_TYPE_HOLD_PLACED:
      return "HoldPlaced";
    case ev::EVENT_TYPE_HOLD_RELEASED:
      return "HoldReleased";
    case ev::EVENT_TYPE_BOOKED:
      return "Booked";
    case ev::EVENT_TYPE_BOOKING_FAILED:
      return "BookingFailed";
    case ev::EVENT_TYPE_REMINDER_SENT:
      return "ReminderSent";
    case ev::EVENT_TYPE_APPOINTMENT_CONFIRMED:
      return "AppointmentConfirmed";
    case ev::EVENT_TYPE_CANCELLATION_CAPTURED:
      return "CancellationCaptured";
    case ev::EVENT_TYPE_RESCHEDULED:
      return "Rescheduled";
    default:
      return absl::StrCat("Unknown(", static_cast<int>(type), ")");
  }
}

namespace {

std::string LaneName(ev::Lane lane) {
  switch (lane) {
    case ev::LANE_AI_OWNED:
      return "ai-owned";
    case ev::LANE_AI_ASSISTED:
      return "ai-assisted";
    case ev::LANE_HUMAN_ONLY:
      return "human-only";
    default:
      return "unspecified";
  }
}

template <typename T>
bool Parse(const ev::EventBody& body, T* msg) {
  return msg->ParseFromString(body.payload());
}

std::string AppointmentText(const ev::AppointmentRef& a) {
  return absl::StrCat(
      "appointment=", a.appointment_id(), " visit_type=", a.visit_type(),
      " clinician=", a.clinician(), " start=",
      absl::FormatTime(absl::RFC3339_sec,
                       absl::FromUnixSeconds(a.start().seconds()),
                       absl::UTCTimeZone()),
      " end=",
      absl::FormatTime(absl::RFC3339_sec,
                       absl::FromUnixSeconds(a.end().seconds()),
                       absl::UTCTimeZone()));
}

// The fields every scheduling event has: the appointment, the decision and
// rule that allowed the step, and whether a real EHR took part.
const char* EhrText(ev::EhrMode ehr) {
  switch (ehr) {
    case ev::EHR_MODE_LIVE:
      return "live";
    case ev::EHR_MODE_SIMULATED:
      return "simulated";
    default:
      return "unspecified";
  }
}

template <typename T>
std::string SchedulingText(const T& p) {
  return absl::StrCat(AppointmentText(p.appointment()),
                      " decision=", p.authority().decision_id(),
                      " rule=", p.authority().rule_id(),
                      " ehr=", EhrText(p.ehr()));
}

}  // namespace

std::string SummarizePayload(const ev::EventBody& body) {
  switch (body.type()) {
    case ev::EVENT_TYPE_CALL_STARTED: {
      ev::CallStarted p;
      if (!Parse(body, &p)) break;
      return absl::StrCat("channel=", ev::Channel_Name(p.channel()),
                          " reason=", ev::CallReason_Name(p.reason()));
    }
    case ev::EVENT_TYPE_TURN_RECEIVED: {
      ev::TurnReceived p;
      if (!Parse(body, &p)) break;
      return absl::StrCat("turn=", p.turn_index(),
                          " chars=", p.utterance_chars(), " (words sealed)");
    }
    case ev::EVENT_TYPE_DECISION_RECORDED: {
      ev::DecisionRecorded p;
      if (!Parse(body, &p)) break;
      std::string s =
          absl::StrCat("turn=", p.turn_index(), " lane=", LaneName(p.lane()),
                       " rule=", p.rule_id(), " action=", p.action());
      if (!p.matched_triggers().empty()) {
        absl::StrAppend(&s, " triggers=[",
                        absl::StrJoin(p.matched_triggers(), ","), "]");
      }
      if (!p.approved_text_id().empty()) {
        absl::StrAppend(&s, " text=", p.approved_text_id(), "@",
                        p.approved_text_version());
      }
      if (!p.queue().empty()) absl::StrAppend(&s, " queue=", p.queue());
      if (!p.collect_field().empty())
        absl::StrAppend(&s, " field=", p.collect_field());
      if (!p.next_field().empty())
        absl::StrAppend(&s, " next=", p.next_field());
      return s;
    }
    case ev::EVENT_TYPE_REPLY_GIVEN: {
      ev::ReplyGiven p;
      if (!Parse(body, &p)) break;
      std::string s =
          p.reply_text().empty()
              ? absl::StrCat("turn=", p.turn_index(), " said=(sealed)")
              : absl::StrCat("turn=", p.turn_index(), " said=\"",
                             p.reply_text(), "\"");
      if (!p.quoted_texts().empty()) {
        absl::StrAppend(&s, " quoted=[", absl::StrJoin(p.quoted_texts(), ","),
                        "]");
      }
      if (!p.handoff_id().empty()) {
        absl::StrAppend(&s, " handoff=", p.handoff_id());
      }
      if (p.fallback()) absl::StrAppend(&s, " FALLBACK");
      if (!p.state().empty()) absl::StrAppend(&s, " state=", p.state());
      if (!p.asking_for().empty())
        absl::StrAppend(&s, " asking=", p.asking_for());
      return s;
    }
    case ev::EVENT_TYPE_FIELD_COLLECTED: {
      ev::FieldCollected p;
      if (!Parse(body, &p)) break;
      std::string s = absl::StrCat(
          "turn=", p.turn_index(), " field=", p.field(), " outcome=",
          absl::AsciiStrToLower(ev::FieldCollected::Outcome_Name(p.outcome())
                                    .substr(std::string("OUTCOME_").size())),
          " attempt=", p.attempt());
      if (!p.reason().empty()) absl::StrAppend(&s, " reason=", p.reason());
      return s;
    }
    case ev::EVENT_TYPE_HANDOFF_CLAIMED: {
      ev::HandoffClaimed p;
      if (!Parse(body, &p)) break;
      return absl::StrCat("handoff=", p.handoff_id(), " by=", p.staff_id(),
                          " role=", p.role());
    }
    case ev::EVENT_TYPE_HANDOFF_RESOLVED: {
      ev::HandoffResolved p;
      if (!Parse(body, &p)) break;
      return absl::StrCat("handoff=", p.handoff_id(), " by=", p.staff_id(),
                          " role=", p.role(), " (note sealed)");
    }
    case ev::EVENT_TYPE_HANDOFF_ESCALATED: {
      ev::HandoffEscalated p;
      if (!Parse(body, &p)) break;
      return absl::StrCat(
          "handoff=", p.handoff_id(), " level=", p.level(),
          " from=", p.from_role(), " to=", p.to_role(), " queues=[",
          absl::StrJoin(p.queues(), ","), "] missed=",
          absl::FormatTime(absl::RFC3339_sec,
                           absl::FromUnixSeconds(p.missed_deadline().seconds()),
                           absl::UTCTimeZone()));
    }
    case ev::EVENT_TYPE_ACCESS_RECORDED: {
      ev::AccessRecorded p;
      if (!Parse(body, &p)) break;
      return absl::StrCat("actor=", p.actor_id(), " role=", p.role(),
                          " action=", p.action(), " resource=", p.resource(),
                          " allowed=", p.allowed() ? "yes" : "no",
                          " via=", p.via());
    }
    case ev::EVENT_TYPE_QUESTION_UNANSWERED: {
      ev::QuestionUnanswered p;
      if (!Parse(body, &p)) break;
      return absl::StrCat("turn=", p.turn_index(), " offered=", p.offered(),
                          " handoff=", p.handoff_id(),
                          " (question sealed, for the weekly review)");
    }
    case ev::EVENT_TYPE_HANDOFF_PREPARED: {
      ev::HandoffPrepared p;
      if (!Parse(body, &p)) break;
      return absl::StrCat(
          "handoff=", p.handoff_id(), " queue=", p.queue(),
          " owner=", p.owner_role(), " backup=", p.backup_role(), " deadline=",
          absl::FormatTime(absl::RFC3339_sec,
                           absl::FromUnixSeconds(p.deadline().seconds()),
                           absl::UTCTimeZone()));
    }
    case ev::EVENT_TYPE_TURN_FAILED: {
      ev::TurnFailed p;
      if (!Parse(body, &p)) break;
      return absl::StrCat("turn=", p.turn_index(), " reason=", p.reason());
    }
    case ev::EVENT_TYPE_CALL_ENDED: {
      ev::CallEnded p;
      if (!Parse(body, &p)) break;
      return absl::StrCat("turns=", p.turns(), " how=", p.how());
    }
    case ev::EVENT_TYPE_SLOTS_OFFERED: {
      ev::SlotsOffered p;
      if (!Parse(body, &p)) break;
      std::vector<std::string> ids;
      for (const auto& a : p.slots()) ids.push_back(a.appointment_id());
      return absl::StrCat(
          "turn=", p.turn_index(), " slots=[", absl::StrJoin(ids, ","),
          "] decision=", p.authority().decision_id(),
          " rule=", p.authority().rule_id(), " ehr=", EhrText(p.ehr()));
    }
    case ev::EVENT_TYPE_HOLD_PLACED: {
      ev::HoldPlaced p;
      if (!Parse(body, &p)) break;
      return SchedulingText(p);
    }
    case ev::EVENT_TYPE_HOLD_RELEASED: {
      ev::HoldReleased p;
      if (!Parse(body, &p)) break;
      return absl::StrCat(SchedulingText(p), " reason=",
                          ev::HoldReleased::Reason_Name(p.reason()));
    }
    case ev::EVENT_TYPE_BOOKED: {
      ev::Booked p;
      if (!Parse(body, &p)) break;
      return absl::StrCat(SchedulingText(p), " by=", p.booked_by());
    }
    case ev::EVENT_TYPE_BOOKING_FAILED: {
      ev::BookingFailed p;
      if (!Parse(body, &p)) break;
      return absl::StrCat(SchedulingText(p),
                          " stage=", ev::BookingFailed::Stage_Name(p.stage()),
                          " code=", p.code());
    }
    case ev::EVENT_TYPE_REMINDER_SENT: {
      ev::ReminderSent p;
      if (!Parse(body, &p)) break;
      return absl::StrCat(SchedulingText(p), " channel=", p.channel());
    }
    case ev::EVENT_TYPE_APPOINTMENT_CONFIRMED: {
      ev::AppointmentConfirmed p;
      if (!Parse(body, &p)) break;
      return absl::StrCat(SchedulingText(p), " via=", p.via());
    }
    case ev::EVENT_TYPE_CANCELLATION_CAPTURED: {
      ev::CancellationCaptured p;
      if (!Parse(body, &p)) break;
      return absl::StrCat(SchedulingText(p),
                          " cancelled=", p.cancelled() ? "yes" : "no");
    }
    case ev::EVENT_TYPE_RESCHEDULED: {
      ev::Rescheduled p;
      if (!Parse(body, &p)) break;
      return absl::StrCat(SchedulingText(p),
                          " previous=", p.previous().appointment_id());
    }
    default:
      return "(unknown payload type)";
  }
  return "(payload does not parse)";
}

}  // namespace frontdesk::events
