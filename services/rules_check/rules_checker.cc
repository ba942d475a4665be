#include "services/rules_check/rules_checker.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "libs/common/input_limits.h"
#include "libs/common/uuid.h"
#include "libs/kafka/kafka_settings.h"
#include "services/rules_check/booking_rules.h"

namespace frontdesk::rules_check {

namespace ev = ::frontdesk::events::v1;
namespace rv = ::frontdesk::rules::v1;

namespace {

std::string ActionName(rv::Action a) {
  if (a == rv::ACTION_UNSPECIFIED) return "none";
  return absl::AsciiStrToLower(
      rv::Action_Name(a).substr(std::string("ACTION_").size()));
}

std::string Describe(const rv::ProposedAction& a) {
  switch (a.kind_case()) {
    case rv::ProposedAction::kQuoteAnswer:
      return absl::StrCat("quote_answer ", a.quote_answer().text_id());
    case rv::ProposedAction::kCollectField:
      return absl::StrCat("collect_field ", a.collect_field().request_type(),
                          " ", a.collect_field().field());
    case rv::ProposedAction::kOfferSlot:
      return absl::StrCat("offer_slot ", a.offer_slot().visit_type(), " ",
                          a.offer_slot().clinician());
    case rv::ProposedAction::kBookSlot:
      return absl::StrCat("book_slot ", a.book_slot().visit_type(), " ",
                          a.book_slot().clinician());
    case rv::ProposedAction::kSendReminder:
      return absl::StrCat("send_reminder ", a.send_reminder().visit_type());
    default:
      return "";
  }
}

}  // namespace

RulesChecker::RulesChecker(std::shared_ptr<const HandoffMap> map,
                           eventlog::EventLog* log, events::EventChain* chain,
                           absl::Duration append_timeout, const Clock* clock)
    : map_(std::move(map)),
      log_(log),
      chain_(chain),
      append_timeout_(append_timeout),
      clock_(clock) {}

std::shared_ptr<const HandoffMap> RulesChecker::map() const {
  absl::MutexLock lock(&mu_);
  return map_;
}

void RulesChecker::SetMap(std::shared_ptr<const HandoffMap> map) {
  absl::MutexLock lock(&mu_);
  map_ = std::move(map);
}

absl::Status RulesChecker::CheckCall(const std::string& tenant_id,
                                     const std::string& call_id,
                                     const HandoffMap& map) const {
  if (tenant_id.empty())
    return absl::InvalidArgumentError("tenant_id: required");
  if (tenant_id != map.policy().tenant_id()) {
    return absl::NotFoundError(
        "tenant_id: no policy is loaded for this tenant");
  }
  if (call_id.empty() || call_id.size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("call_id: required, at most ", kMaxIdBytes, " bytes"));
  }
  return absl::OkStatus();
}

namespace {

// The call context is the agent's, but bounded like any input.
absl::Status CheckContext(const rv::CallContext& context) {
  if (context.request_type().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "context.request_type: longer than ", kMaxIdBytes, " bytes"));
  }
  if (context.asking_for().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "context.asking_for: longer than ", kMaxIdBytes, " bytes"));
  }
  if (context.collected_size() > kMaxCollectedFields) {
    return absl::InvalidArgumentError(absl::StrCat(
        "context.collected: more than ", kMaxCollectedFields, " fields"));
  }
  for (int i = 0; i < context.collected_size(); ++i) {
    if (context.collected(i).size() > kMaxIdBytes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "context.collected[", i, "]: longer than ", kMaxIdBytes, " bytes"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RulesChecker::Record(const std::string& tenant_id,
                                  const std::string& call_id, uint32_t turn,
                                  const std::string& proposed,
                                  const rv::Decision& d,
                                  const HandoffMap& map) {
  ev::DecisionRecorded recorded;
  recorded.set_decision_id(d.decision_id());
  recorded.set_turn_index(turn);
  recorded.set_lane(static_cast<ev::Lane>(d.lane()));
  recorded.set_rule_id(d.rule_id());
  recorded.set_policy_version(d.policy_version());
  recorded.set_category(d.category());
  for (const std::string& t : d.matched_triggers())
    recorded.add_matched_triggers(t);
  recorded.set_action(ActionName(d.action()));
  recorded.set_approved_text_id(d.approved_text_id());
  recorded.set_approved_text_version(d.approved_text_version());
  recorded.set_queue(d.queue());
  recorded.set_request_type(d.request_type());
  if (d.has_trigger()) {
    recorded.set_trigger_source(d.trigger().source());
    recorded.set_trigger_begin(d.trigger().begin());
    recorded.set_trigger_end(d.trigger().end());
  }
  recorded.set_allowed(d.allowed());
  recorded.set_proposed(proposed);
  for (int a : d.allowed_actions()) {
    recorded.add_allowed_actions(ActionName(static_cast<rv::Action>(a)));
  }
  recorded.set_reason(d.reason());
  recorded.set_collect_field(d.collect_field());
  recorded.set_next_field(d.next_field());
  return Publish(tenant_id, call_id, recorded, map);
}

absl::Status RulesChecker::Publish(const std::string& tenant_id,
                                   const std::string& call_id,
                                   const ev::DecisionRecorded& recorded,
                                   const HandoffMap& map) {
  events::EventDraft draft;
  draft.tenant_id = tenant_id;
  draft.call_id = call_id;
  draft.policy_version = map.policy().version();
  draft.type = ev::EVENT_TYPE_DECISION_RECORDED;
  draft.payload = recorded.SerializeAsString();
  const ev::EventEnvelope envelope = chain_->Next(draft);
  ev::EventBody body;
  body.ParseFromString(envelope.body());
  absl::Status st =
      log_->Append({{kafka::kCallsTopic, call_id, envelope.SerializeAsString(),
                     body.event_id()}},
                   append_timeout_);
  if (!st.ok()) {
    return absl::Status(
        st.code(),
        absl::StrCat("decision not recorded, failing closed: ", st.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<rv::Decision> RulesChecker::Evaluate(
    const rv::EvaluateRequest& request) {
  const std::shared_ptr<const HandoffMap> map = this->map();
  absl::Status valid = CheckCall(request.tenant_id(), request.call_id(), *map);
  if (!valid.ok()) return valid;
  absl::Status words =
      CheckUtterance(request.utterance(), request.asr_alternatives());
  if (!words.ok()) return words;
  absl::Status context = CheckContext(request.context());
  if (!context.ok()) return context;
  std::vector<std::string> alternatives(request.asr_alternatives().begin(),
                                        request.asr_alternatives().end());
  rv::Decision decision =
      map->Evaluate(request.utterance(), alternatives, request.context());
  decision.set_decision_id(NewUuid());
  decision.set_allowed(true);
  absl::Status st =
      Record(request.tenant_id(), request.call_id(), request.turn_index(),
             Describe(request.proposed_action()), decision, *map);
  if (!st.ok()) return st;
  return decision;
}

absl::StatusOr<rv::Decision> RulesChecker::Authorize(
    const rv::AuthorizeRequest& request) {
  const std::shared_ptr<const HandoffMap> map = this->map();
  absl::Status valid = CheckCall(request.tenant_id(), request.call_id(), *map);
  if (!valid.ok()) return valid;
  absl::StatusOr<rv::Decision> decision = map->Authorize(request.action());
  if (!decision.ok()) return decision.status();
  decision->set_decision_id(NewUuid());
  absl::Status st =
      Record(request.tenant_id(), request.call_id(), request.turn_index(),
             Describe(request.action()), *decision, *map);
  if (!st.ok()) return st;
  return decision;
}

namespace {

const char* OperationWord(rv::BookingOperation op) {
  switch (op) {
    case rv::BOOKING_OPERATION_FIND:
      return "find_slots";
    case rv::BOOKING_OPERATION_HOLD:
      return "hold_slot";
    case rv::BOOKING_OPERATION_BOOK:
      return "book_slot";
    default:
      return "none";
  }
}

absl::StatusOr<absl::Time> TimeOf(const google::protobuf::Timestamp& t,
                                  const char* field) {
  // 0001-01-01 to 9999-12-31, as google.protobuf.Timestamp allows.
  if (t.seconds() < -62135596800 || t.seconds() > 253402300799 ||
      t.nanos() < 0 || t.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": not a valid timestamp"));
  }
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp out;
  const int64_t s = absl::ToUnixSeconds(t);
  out.set_seconds(s);
  out.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(s))));
  return out;
}

rv::BookingOutcome OutcomeProto(BookingOutcome o) {
  switch (o) {
    case BookingOutcome::kAiOwned:
      return rv::BOOKING_OUTCOME_AI_OWNED;
    case BookingOutcome::kAiAssisted:
      return rv::BOOKING_OUTCOME_AI_ASSISTED;
    case BookingOutcome::kOutsideRules:
      return rv::BOOKING_OUTCOME_OUTSIDE_RULES;
  }
  return rv::BOOKING_OUTCOME_OUTSIDE_RULES;
}

absl::StatusOr<BookingRequest> ReadBookingRequest(
    const rv::AuthorizeBookingRequest& request) {
  BookingRequest r;
  switch (request.operation()) {
    case rv::BOOKING_OPERATION_FIND:
      r.operation = BookingOperation::kFind;
      break;
    case rv::BOOKING_OPERATION_HOLD:
      r.operation = BookingOperation::kHold;
      break;
    case rv::BOOKING_OPERATION_BOOK:
      r.operation = BookingOperation::kBook;
      break;
    default:
      return absl::InvalidArgumentError(
          "operation: required, one of find, hold, book");
  }
  if (request.visit_type().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("visit_type: longer than ", kMaxIdBytes, " bytes"));
  }
  if (request.clinician().size() > kMaxIdBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("clinician: longer than ", kMaxIdBytes, " bytes"));
  }
  if (!request.slot().has_start() || !request.slot().has_end()) {
    return absl::InvalidArgumentError("slot: start and end are required");
  }
  absl::StatusOr<absl::Time> start =
      TimeOf(request.slot().start(), "slot.start");
  if (!start.ok()) return start.status();
  absl::StatusOr<absl::Time> end = TimeOf(request.slot().end(), "slot.end");
  if (!end.ok()) return end.status();
  r.visit_type = request.visit_type();
  r.clinician = request.clinician();
  r.slot = {*start, *end};
  r.new_patient = request.new_patient();
  return r;
}

}  // namespace

absl::StatusOr<rv::BookingDecision> RulesChecker::AuthorizeBooking(
    const rv::AuthorizeBookingRequest& request) {
  const std::shared_ptr<const HandoffMap> map = this->map();
  absl::Status valid = CheckCall(request.tenant_id(), request.call_id(), *map);
  if (!valid.ok()) return valid;
  absl::StatusOr<BookingRequest> booking = ReadBookingRequest(request);
  if (!booking.ok()) return booking.status();
  absl::StatusOr<BookingVerdict> verdict =
      rules_check::AuthorizeBooking(map->policy(), *booking, clock_->Now());
  if (!verdict.ok()) return verdict.status();

  rv::BookingDecision d;
  d.set_decision_id(NewUuid());
  d.set_outcome(OutcomeProto(verdict->outcome));
  d.set_allowed(verdict->allowed);
  d.set_rule_id(verdict->rule_id);
  d.set_policy_version(verdict->policy_version);
  d.set_reason(verdict->reason);
  d.set_queue(verdict->queue);
  d.set_operation(request.operation());
  for (const TimeSpan& w : verdict->search_windows) {
    rv::TimeRange* out = d.add_search_windows();
    *out->mutable_start() = ToProto(w.start);
    *out->mutable_end() = ToProto(w.end);
  }

  ev::DecisionRecorded recorded;
  recorded.set_decision_id(d.decision_id());
  recorded.set_turn_index(request.turn_index());
  // Outside the rules is handed to the exceptions queue for a person, as
  // Authorize records a refused booking.
  recorded.set_lane(verdict->outcome == BookingOutcome::kAiOwned
                        ? ev::LANE_AI_OWNED
                        : ev::LANE_AI_ASSISTED);
  recorded.set_rule_id(d.rule_id());
  recorded.set_policy_version(d.policy_version());
  recorded.set_category("booking");
  recorded.set_action(OperationWord(request.operation()));
  recorded.set_queue(d.queue());
  recorded.set_allowed(d.allowed());
  recorded.set_proposed(absl::StrCat(OperationWord(request.operation()), " ",
                                     booking->visit_type, " ",
                                     booking->clinician));
  if (d.allowed()) recorded.add_allowed_actions(recorded.action());
  recorded.set_reason(d.reason());
  recorded.set_booking_outcome(BookingOutcomeName(verdict->outcome));
  absl::Status st =
      Publish(request.tenant_id(), request.call_id(), recorded, *map);
  if (!st.ok()) return st;
  return d;
}

}  // namespace frontdesk::rules_check
