#include "services/answer/call_agent.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "libs/common/input_limits.h"
#include "libs/common/service_logging.h"
#include "libs/common/uuid.h"
#include "libs/kafka/kafka_settings.h"
#include "services/answer/call_state.h"
#include "services/answer/intake_answer.h"
#include "spdlog/spdlog.h"

namespace frontdesk::answer {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace rv = ::frontdesk::rules::v1;
namespace pv = ::frontdesk::policy::v1;

namespace {

constexpr size_t kMaxCallerNumberChars = 32;

bool ValidCallerNumber(const std::string& n) {
  if (n.size() > kMaxCallerNumberChars) return false;
  for (char c : n) {
    if (!((c >= '0' && c <= '9') || c == '+' || c == ' ' || c == '-' ||
          c == '(' || c == ')')) {
      return false;
    }
  }
  return true;
}

std::string Quote(const frontdesk::policy::v1::ApprovedText& t) {
  return absl::StrCat(t.id(), "@", t.version());
}

// "intake" for CALL_STATE_INTAKE: how ReplyGiven.state names a state.
std::string StateName(av::CallState s) {
  return absl::AsciiStrToLower(
      av::CallState_Name(s).substr(std::string("CALL_STATE_").size()));
}

av::CallState StateFromName(const std::string& name) {
  av::CallState s = av::CALL_STATE_IDENTIFY;
  if (name.empty() ||
      !av::CallState_Parse("CALL_STATE_" + absl::AsciiStrToUpper(name), &s)) {
    return av::CALL_STATE_IDENTIFY;
  }
  return s;
}

std::string LaneName(rv::Lane lane) {
  return absl::AsciiStrToLower(
      rv::Lane_Name(lane).substr(std::string("LANE_").size()));
}

// A reply made of approved texts, said in order.
struct Reply {
  std::vector<const frontdesk::policy::v1::ApprovedText*> texts;
  // Set when the reply repeats the caller's details: it is sealed, never
  // written in the clear.
  std::string with_phi;

  std::string Text() const {
    if (!with_phi.empty()) return with_phi;
    std::vector<std::string> parts;
    for (const auto* t : texts) parts.push_back(t->text());
    return absl::StrJoin(parts, " ");
  }
};

}  // namespace

CallAgent::CallAgent(std::shared_ptr<const policy::ClinicPolicy> policy,
                     eventlog::EventLog* log, events::EventChain* chain,
                     const phi::PhiSealer* sealer, RulesClient* rules,
                     HandoffClient* handoff, AgentOptions options,
                     eventlog::EventLogReader* history)
    : policy_(std::move(policy)),
      log_(log),
      chain_(chain),
      sealer_(sealer),
      rules_(rules),
      handoff_(handoff),
      options_(options),
      history_(history) {}

std::string CallAgent::Append(const std::string& call_id,
                              const std::string& tenant_id, ev::EventType type,
                              const std::string& payload,
                              const ev::PhiFields* phi,
                              std::vector<eventlog::LogRecord>* out) {
  events::EventDraft draft;
  draft.tenant_id = tenant_id;
  draft.call_id = call_id;
  draft.policy_version = policy_->version();
  draft.type = type;
  draft.payload = payload;
  if (phi != nullptr)
    draft.sealed_phi = sealer_->Seal(*phi, tenant_id, call_id);
  const ev::EventEnvelope envelope = chain_->Next(draft);
  ev::EventBody body;
  body.ParseFromString(envelope.body());
  out->push_back({kafka::kCallsTopic, call_id, envelope.SerializeAsString(),
                  body.event_id()});
  return body.event_id();
}

std::shared_ptr<CallAgent::Call> CallAgent::FindCall(
    const std::string& call_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = calls_.find(call_id);
    if (it != calls_.end()) {
      it->second->last_active = Now();
      return it->second;
    }
  }
  // Only ids this service could have issued are looked up in the log.
  if (history_ == nullptr || !LooksLikeUuid(call_id)) return nullptr;
  absl::StatusOr<std::vector<eventlog::StoredRecord>> records =
      history_->ReadKey(kafka::kCallsTopic, call_id);
  if (!records.ok()) {
    spdlog::error("event=call_history_unreadable call_id={} code={}", call_id,
                  absl::StatusCodeToString(records.status().code()));
    return nullptr;
  }
  CallStateFold fold(sealer_, options_.keyring);
  for (const auto& r : *records) fold.Apply(r.value);
  const CallState& state = fold.state();
  if (!state.resumable() || state.tenant_id != policy_->tenant_id()) {
    spdlog::info(
        "event=call_not_resumed call_id={} records={} started={} ended={}",
        call_id, records->size(), state.started, state.ended);
    return nullptr;
  }
  auto call = std::make_shared<Call>();
  call->tenant_id = state.tenant_id;
  call->caller_number = state.caller_number;
  call->last_active = Now();
  {
    absl::MutexLock call_lock(&call->mu);
    call->turns = state.turns;
    call->over = state.over;
    call->escalated = state.escalated;
    call->escalation_decision_id = state.escalation_decision_id;
    call->request_type = state.request_type;
    call->state = state.turns == 0 ? av::CALL_STATE_GREET
                                   : StateFromName(state.conversation_state);
    call->asking_for = state.asking_for;
    call->attempts = state.attempts;
    call->collected = state.collected;
    call->pending_read_back = state.pending_read_back;
    call->consent_declined = state.consent_declined;
  }
  spdlog::info(
      "event=call_resumed call_id={} turns={} over={} escalated={} "
      "asking_for={} fields_taken={} damaged={}",
      call_id, state.turns, state.over, state.escalated,
      state.asking_for.empty() ? "-" : state.asking_for, state.collected.size(),
      state.damaged);
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = calls_.emplace(call_id, call);
  return it->second;
}

size_t CallAgent::active_calls() const {
  absl::MutexLock lock(&mu_);
  return calls_.size();
}

absl::StatusOr<av::StartCallResponse> CallAgent::StartCall(
    const av::StartCallRequest& request) {
  if (request.tenant_id().empty()) {
    return absl::InvalidArgumentError("tenant_id: required");
  }
  if (request.tenant_id() != policy_->tenant_id()) {
    return absl::NotFoundError(
        "tenant_id: no policy is loaded for this tenant");
  }
  if (!ValidCallerNumber(request.caller_number())) {
    return absl::InvalidArgumentError(
        absl::StrCat("caller_number: at most ", kMaxCallerNumberChars,
                     " characters of digits, spaces and + - ( )"));
  }
  // proto3 keeps enum numbers it does not know; none of them means anything.
  if (!av::Channel_IsValid(request.channel())) {
    return absl::InvalidArgumentError("channel: not a known Channel value");
  }
  if (!av::Direction_IsValid(request.direction())) {
    return absl::InvalidArgumentError("direction: not a known Direction value");
  }
  if (!av::CallReason_IsValid(request.reason())) {
    return absl::InvalidArgumentError("reason: not a known CallReason value");
  }
  bool sweep = false;
  {
    absl::MutexLock lock(&mu_);
    sweep = Now() - last_sweep_ >= absl::Minutes(1);
  }
  if (sweep) SweepIdleCalls();
  const std::string call_id = NewUuid();
  auto call = std::make_shared<Call>();
  call->tenant_id = request.tenant_id();
  call->caller_number = request.caller_number();
  call->last_active = Now();

  ev::CallStarted started;
  started.set_channel(static_cast<ev::Channel>(request.channel()));
  started.set_direction(static_cast<ev::Direction>(request.direction()));
  started.set_reason(static_cast<ev::CallReason>(request.reason()));
  ev::PhiFields phi;
  phi.set_caller_number(request.caller_number());
  std::vector<eventlog::LogRecord> records;
  Append(call_id, call->tenant_id, ev::EVENT_TYPE_CALL_STARTED,
         started.SerializeAsString(),
         request.caller_number().empty() ? nullptr : &phi, &records);
  const absl::Status st = log_->Append(records, options_.append_timeout);

  av::StartCallResponse response;
  if (!st.ok()) {
    spdlog::error("event=call_not_started call_id={} code={}", call_id,
                  absl::StatusCodeToString(st.code()));
    response.set_greeting(
        policy_->Script(policy_->proto().scripts().fallback()).text());
    response.set_fallback(true);
    chain_->Forget(call_id);
    return response;
  }
  {
    absl::MutexLock lock(&mu_);
    calls_[call_id] = call;
  }
  spdlog::info("event=call_started call_id={} channel={}", call_id,
               ev::Channel_Name(started.channel()));
  response.set_call_id(call_id);
  response.set_greeting(
      policy_->Script(policy_->proto().scripts().greeting()).text());
  return response;
}

std::string CallAgent::FailClosedHandoff(const std::string& call_id, Call& call,
                                         uint32_t turn,
                                         const std::string& utterance) {
  const auto& p = policy_->proto();
  const auto* queue = policy_->FindQueue(p.default_queue());
  rv::Decision d;
  d.set_decision_id(NewUuid());
  d.set_lane(rv::LANE_AI_ASSISTED);
  d.set_rule_id(kFailClosedRuleId);
  d.set_policy_version(policy_->version());
  d.set_category("rules-check-unavailable");
  d.set_action(rv::ACTION_HANDOFF);
  d.set_queue(queue->id());
  d.set_owner_role(queue->owner_role());
  d.set_backup_role(queue->backup_role());
  d.set_claim_window_seconds(static_cast<uint32_t>(
      absl::ToInt64Seconds(policy_->ClaimWindow(*queue))));
  d.set_reason("rules-check unreachable; failing closed");

  ev::DecisionRecorded recorded;
  recorded.set_decision_id(d.decision_id());
  recorded.set_turn_index(turn);
  recorded.set_lane(ev::LANE_AI_ASSISTED);
  recorded.set_rule_id(d.rule_id());
  recorded.set_policy_version(d.policy_version());
  recorded.set_category(d.category());
  recorded.set_action("handoff");
  recorded.set_queue(d.queue());
  recorded.set_reason(d.reason());
  std::vector<eventlog::LogRecord> records;
  Append(call_id, call.tenant_id, ev::EVENT_TYPE_DECISION_RECORDED,
         recorded.SerializeAsString(), nullptr, &records);
  if (!log_->Append(records, options_.append_timeout).ok()) return "";

  hv::PrepareRequest prep;
  prep.set_tenant_id(call.tenant_id);
  prep.set_call_id(call_id);
  *prep.mutable_decision() = d;
  prep.set_trigger_utterance(utterance);
  prep.set_caller_number(call.caller_number);
  prep.set_attempted_step("evaluate");
  prep.set_patient_told(policy_->Script(p.scripts().fallback()).text());
  absl::StatusOr<hv::PrepareResponse> handed =
      handoff_->Prepare(prep, options_.rpc_timeout);
  if (!handed.ok()) return "";
  return handed->packet().handoff_id();
}

av::TurnResponse CallAgent::Fallback(const std::string& call_id, Call& call,
                                     uint32_t turn, const std::string& reason,
                                     const std::string& handoff_id) {
  const auto* t = &policy_->Script(policy_->proto().scripts().fallback());
  ev::TurnFailed failed;
  failed.set_turn_index(turn);
  failed.set_reason(reason);
  ev::ReplyGiven reply;
  reply.set_turn_index(turn);
  reply.set_reply_text(t->text());
  reply.add_quoted_texts(Quote(*t));
  reply.set_fallback(true);
  reply.set_handoff_id(handoff_id);
  reply.set_state(StateName(call.state));
  reply.set_asking_for(call.asking_for);
  reply.set_attempts(call.attempts);
  std::vector<eventlog::LogRecord> records;
  Append(call_id, call.tenant_id, ev::EVENT_TYPE_TURN_FAILED,
         failed.SerializeAsString(), nullptr, &records);
  Append(call_id, call.tenant_id, ev::EVENT_TYPE_REPLY_GIVEN,
         reply.SerializeAsString(), nullptr, &records);
  // Queued without waiting: the caller must not wait on a log that is down.
  // The records are delivered when Kafka is back, or journalled as failed.
  (void)log_->Append(records, absl::ZeroDuration());
  spdlog::warn("event=turn_fallback call_id={} turn={} reason={}", call_id,
               turn, reason);

  av::TurnResponse response;
  response.set_reply(t->text());
  response.add_quoted_texts(Quote(*t));
  response.set_state(call.state == av::CALL_STATE_GREET
                         ? av::CALL_STATE_IDENTIFY
                         : call.state);
  response.set_asking_for(call.asking_for);
  response.set_fallback(true);
  response.set_handoff_id(handoff_id);
  return response;
}

absl::Time CallAgent::Now() const {
  return (options_.clock != nullptr ? options_.clock : RealClock::Get())->Now();
}

absl::CivilDay CallAgent::Today() const {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(policy_->proto().clinic().timezone(), &tz)) {
    tz = absl::UTCTimeZone();
  }
  return absl::ToCivilDay(Now(), tz);
}

int CallAgent::SweepIdleCalls() {
  const absl::Time now = Now();
  std::vector<std::pair<std::string, std::shared_ptr<Call>>> idle;
  {
    absl::MutexLock lock(&mu_);
    last_sweep_ = now;
    for (const auto& [id, call] : calls_) {
      if (now - call->last_active > options_.idle_call_timeout)
        idle.emplace_back(id, call);
    }
    for (const auto& [id, call] : idle) calls_.erase(id);
  }
  for (const auto& [id, call] : idle) {
    absl::MutexLock call_lock(&call->mu);
    ev::CallEnded ended;
    ended.set_turns(call->turns);
    ended.set_how("abandoned");
    std::vector<eventlog::LogRecord> records;
    Append(id, call->tenant_id, ev::EVENT_TYPE_CALL_ENDED,
           ended.SerializeAsString(), nullptr, &records);
    call->over = true;
    // Queued without waiting; delivered when Kafka takes it, or journalled.
    (void)log_->Append(records, absl::ZeroDuration());
    chain_->Forget(id);
    spdlog::info("event=call_abandoned call_id={} turns={}", id, call->turns);
  }
  return static_cast<int>(idle.size());
}

absl::StatusOr<std::string> CallAgent::HandOff(
    const std::string& call_id, const Call& call, const rv::Decision& decision,
    const std::string& utterance, const std::string& step,
    const std::string& told, const std::string& request_type,
    const std::map<std::string, std::string>& collected,
    bool consent_declined) const {
  hv::PrepareRequest prep;
  prep.set_tenant_id(call.tenant_id);
  prep.set_call_id(call_id);
  *prep.mutable_decision() = decision;
  prep.set_trigger_utterance(utterance);
  prep.set_caller_number(call.caller_number);
  prep.set_attempted_step(step);
  prep.set_patient_told(told);
  prep.set_request_type(request_type);
  prep.set_consent_declined(consent_declined);
  // Intake values go only where the request type's PHI scope sends them.
  const auto* scope = policy_->FindPhiScope(request_type);
  bool queue_may_receive = false;
  if (scope != nullptr) {
    for (const auto& q : scope->send_to_queues())
      queue_may_receive = queue_may_receive || q == decision.queue();
  }
  if (queue_may_receive && !consent_declined) {
    for (const auto& [field, value] : collected) {
      if (value.empty() ||
          !policy_->Stores(request_type, policy::IntakeFieldFromName(field))) {
        continue;
      }
      ev::IntakeValue* v = prep.add_intake();
      v->set_field(field);
      v->set_value(value);
    }
  }
  absl::StatusOr<hv::PrepareResponse> handed =
      handoff_->Prepare(prep, options_.rpc_timeout);
  if (!handed.ok()) return handed.status();
  return handed->packet().handoff_id();
}

absl::StatusOr<av::TurnResponse> CallAgent::PostEscalation(
    const std::string& call_id, Call& call, uint32_t turn) {
  const auto& text =
      policy_->Script(policy_->proto().scripts().post_escalation());
  ev::ReplyGiven reply;
  reply.set_turn_index(turn);
  reply.set_decision_id(call.escalation_decision_id);
  reply.set_reply_text(text.text());
  reply.add_quoted_texts(Quote(text));
  reply.set_state(StateName(av::CALL_STATE_ESCALATED));
  std::vector<eventlog::LogRecord> records;
  Append(call_id, call.tenant_id, ev::EVENT_TYPE_REPLY_GIVEN,
         reply.SerializeAsString(), nullptr, &records);
  if (!log_->Append(records, options_.append_timeout).ok())
    return Fallback(call_id, call, turn, "event_log_unacknowledged");
  av::TurnResponse response;
  response.set_reply(text.text());
  response.add_quoted_texts(Quote(text));
  response.set_state(av::CALL_STATE_ESCALATED);
  response.set_decision_id(call.escalation_decision_id);
  response.add_event_ids(records[0].record_id);
  spdlog::info("event=turn call_id={} turn={} post_escalation=true", call_id,
               turn);
  return response;
}

absl::StatusOr<av::TurnResponse> CallAgent::Turn(
    const av::TurnRequest& request) {
  if (request.call_id().empty()) {
    return absl::InvalidArgumentError("call_id: required");
  }
  absl::Status words =
      CheckUtterance(request.utterance(), request.asr_alternatives());
  if (!words.ok()) return words;
  if (!(request.confidence() >= 0.0f && request.confidence() <= 1.0f)) {
    return absl::InvalidArgumentError("confidence: must be between 0 and 1");
  }
  std::shared_ptr<Call> call = FindCall(request.call_id());
  if (call == nullptr) {
    return absl::NotFoundError("call_id: no active call with this id");
  }
  const std::string& call_id = request.call_id();
  const std::string& utterance = request.utterance();
  absl::MutexLock call_lock(&call->mu);
  if (call->over) {
    return absl::FailedPreconditionError("call_id: the call is over");
  }
  const uint32_t turn = ++call->turns;
  const auto& p = policy_->proto();
  // The ids of this turn's events that Kafka acknowledged, for the response.
  std::vector<std::string> acked_ids;

  // 1. The caller's words, sealed, on the record first.
  {
    ev::TurnReceived received;
    received.set_turn_index(turn);
    received.set_utterance_chars(static_cast<uint32_t>(Utf8Length(utterance)));
    ev::PhiFields phi;
    phi.set_utterance(utterance);
    for (const std::string& alt : request.asr_alternatives()) {
      phi.add_asr_alternatives(alt);
    }
    std::vector<eventlog::LogRecord> records;
    Append(call_id, call->tenant_id, ev::EVENT_TYPE_TURN_RECEIVED,
           received.SerializeAsString(), &phi, &records);
    const absl::Status st = log_->Append(records, options_.append_timeout);
    if (!st.ok())
      return Fallback(call_id, *call, turn, "event_log_unacknowledged");
    acked_ids.push_back(records[0].record_id);
  }
  if (call->escalated) {
    absl::StatusOr<av::TurnResponse> r = PostEscalation(call_id, *call, turn);
    if (r.ok() && !r->fallback()) {
      // In log order: this turn's TurnReceived, then the reply.
      acked_ids.insert(acked_ids.end(), r->event_ids().begin(),
                       r->event_ids().end());
      r->clear_event_ids();
      r->mutable_event_ids()->Add(acked_ids.begin(), acked_ids.end());
    }
    return r;
  }

  // 2. The turn read as the answer to the field asked for, if any.
  const pv::IntakeField asked = policy::IntakeFieldFromName(call->asking_for);
  IntakeAnswer answer;
  if (asked != pv::INTAKE_FIELD_UNSPECIFIED) {
    answer = ReadIntakeAnswer(*policy_, asked, utterance,
                              call->pending_read_back, Today());
  }

  // 3. The decision, which rules-check records before returning it.
  rv::EvaluateRequest eval;
  eval.set_tenant_id(call->tenant_id);
  eval.set_call_id(call_id);
  eval.set_turn_index(turn);
  eval.set_utterance(utterance);
  for (const std::string& alt : request.asr_alternatives())
    eval.add_asr_alternatives(alt);
  rv::CallContext* ctx = eval.mutable_context();
  ctx->set_request_type(call->request_type);
  ctx->set_turns_so_far(turn - 1);
  ctx->set_asking_for(call->asking_for);
  for (const auto& [field, value] : call->collected) ctx->add_collected(field);
  ctx->set_value_understood(answer.understood);
  absl::StatusOr<rv::Decision> decision =
      rules_->Evaluate(eval, options_.rpc_timeout);
  if (!decision.ok()) {
    // No decision, no AI-owned action: the fallback wording, and a handoff
    // under a fail-closed decision of our own.
    const std::string handoff =
        FailClosedHandoff(call_id, *call, turn, utterance);
    return Fallback(call_id, *call, turn, "rules_check_unavailable", handoff);
  }
  const rv::Decision& d = *decision;
  // Only approved text this agent knows, at the version the decision names.
  const auto* say = policy_->FindText(d.say_text_id());
  if (say == nullptr || say->version() != d.say_text_version()) {
    return Fallback(call_id, *call, turn, "approved_text_mismatch");
  }

  // 4. Act. The conversation moves only once every event is acknowledged,
  // so these are the next values, applied at the end.
  std::string request_type =
      d.request_type().empty() ? call->request_type : d.request_type();
  std::string asking_for;
  uint32_t attempts = 0;
  av::CallState state = av::CALL_STATE_IDENTIFY;
  std::map<std::string, std::string> collected = call->collected;
  std::string pending = call->pending_read_back;
  bool consent_declined = call->consent_declined;
  bool call_over = false;
  bool escalated = false;
  bool unanswered = false;
  std::string handoff_id;
  Reply reply;
  std::vector<eventlog::LogRecord> records;
  const auto& anything_else = policy_->Script(p.scripts().anything_else());

  // An intake value for the record, sealed when it is stored.
  auto record_field = [&](const std::string& field,
                          ev::FieldCollected::Outcome outcome,
                          const std::string& value, const std::string& reason,
                          uint32_t attempt) {
    ev::FieldCollected fc;
    fc.set_turn_index(turn);
    fc.set_decision_id(d.decision_id());
    fc.set_field(field);
    fc.set_outcome(outcome);
    fc.set_reason(reason);
    fc.set_attempt(attempt);
    fc.set_request_type(request_type);
    ev::PhiFields phi;
    if (!value.empty()) {
      ev::IntakeValue* v = phi.add_intake();
      v->set_field(field);
      v->set_value(value);
    }
    Append(call_id, call->tenant_id, ev::EVENT_TYPE_FIELD_COLLECTED,
           fc.SerializeAsString(), value.empty() ? nullptr : &phi, &records);
  };
  // Hands off under the decision; the caller then hears `told`. Returns ""
  // or the reason it failed.
  auto hand_off = [&](const std::string& step,
                      const std::string& told) -> std::string {
    // What this turn took goes on the record before the packet that carries
    // it.
    if (!records.empty()) {
      if (!log_->Append(records, options_.append_timeout).ok())
        return "event_log_unacknowledged";
      for (const auto& r : records) acked_ids.push_back(r.record_id);
      records.clear();
    }
    absl::StatusOr<std::string> id =
        HandOff(call_id, *call, d, utterance, step, told, request_type,
                collected, consent_declined);
    if (!id.ok()) return "handoff_unavailable";
    handoff_id = *id;
    return "";
  };
  // The turn acted (answered or handed off); the reply ends by asking
  // whether there is anything else.
  auto then_anything_else = [&] {
    reply.texts.push_back(&anything_else);
    asking_for = policy::kAskingAnythingElse;
    state = av::CALL_STATE_ACT;
  };

  switch (d.action()) {
    case rv::ACTION_URGENT_SCRIPT:
      reply.texts.push_back(say);
      if (std::string failed = hand_off("urgent_script", say->text());
          !failed.empty()) {
        return Fallback(call_id, *call, turn, failed);
      }
      escalated = true;
      state = av::CALL_STATE_ESCALATED;
      break;

    case rv::ACTION_QUOTE_ANSWER:
      reply.texts.push_back(say);
      if (asked != pv::INTAKE_FIELD_UNSPECIFIED &&
          !call->request_type.empty()) {
        // A question in the middle of intake: answered, then the same field
        // is asked again; the request goes on.
        request_type = call->request_type;
        asking_for = call->asking_for;
        attempts = call->attempts;
        state = av::CALL_STATE_INTAKE;
        pending.clear();
        reply.texts.push_back(
            &policy_->Script(policy_->FindFieldWording(asked)->ask()));
      } else {
        then_anything_else();
      }
      break;

    case rv::ACTION_CLOSE_CALL:
      reply.texts.push_back(say);
      call_over = true;
      state = av::CALL_STATE_CLOSED;
      break;

    case rv::ACTION_COLLECT_FIELD:
    case rv::ACTION_HANDOFF:
    case rv::ACTION_OFFER_SLOTS: {
      const std::string& field = d.collect_field();
      bool hand_off_now = d.action() != rv::ACTION_COLLECT_FIELD;
      const pv::ApprovedText* told = say;
      if (!field.empty() && d.allowed()) {
        // An intake step: this turn answered `field`.
        if (!answer.understood) {
          attempts = call->attempts + 1;
          record_field(field, ev::FieldCollected::OUTCOME_REJECTED, "",
                       answer.reason, attempts);
          pending.clear();
          if (attempts >= policy_->max_intake_attempts()) {
            told = &policy_->Script(p.scripts().intake_gave_up());
            hand_off_now = true;
          } else {
            asking_for = field;
            state = av::CALL_STATE_INTAKE;
            // The date read back was misheard, not invalid: ask plainly.
            if (answer.reason == "read_back_refused") {
              told = &policy_->Script(policy_->FindFieldWording(asked)->ask());
            }
          }
        } else if (asked == pv::INTAKE_FIELD_DATE_OF_BIRTH &&
                   !answer.confirms_read_back) {
          // Read the date back; it is taken on the caller's yes.
          record_field(field, ev::FieldCollected::OUTCOME_READ_BACK,
                       answer.value, "", call->attempts);
          pending = answer.value;
          const auto& rb =
              policy_->Script(p.scripts().read_back_date_of_birth());
          reply.texts.push_back(&rb);
          reply.with_phi = absl::StrReplaceAll(
              rb.text(), {{policy::kDateOfBirthPlaceholder, answer.read_back}});
          asking_for = field;
          attempts = call->attempts;
          state = av::CALL_STATE_CONFIRM;
          hand_off_now = false;
          told = nullptr;
        } else if (answer.declined) {
          record_field(field, ev::FieldCollected::OUTCOME_DECLINED, "", "",
                       call->attempts);
          consent_declined = true;
          told = &policy_->Script(p.scripts().consent_declined());
          hand_off_now = true;
        } else {
          const bool stored = d.store_field();
          record_field(field,
                       !stored ? ev::FieldCollected::OUTCOME_NOT_STORED
                       : answer.confirms_read_back
                           ? ev::FieldCollected::OUTCOME_CONFIRMED
                           : ev::FieldCollected::OUTCOME_ACCEPTED,
                       stored ? answer.value : "", "", call->attempts);
          collected[field] = stored ? answer.value : "";
          pending.clear();
          if (!hand_off_now) {
            asking_for = d.next_field();
            state = av::CALL_STATE_INTAKE;
          }
        }
      } else if (!hand_off_now) {
        // Intake begins (or goes on after a switch of request): ask.
        asking_for = d.next_field();
        state = av::CALL_STATE_INTAKE;
        pending.clear();
      }
      if (told == nullptr) break;
      if (!hand_off_now) {
        reply.texts.push_back(told);
        break;
      }
      // Act: hand the request off, tell the caller what happens next.
      reply.texts.push_back(told);
      const std::string step = d.action() == rv::ACTION_OFFER_SLOTS
                                   ? "offer_slots"
                               : field.empty() ? "handoff"
                                               : "intake";
      if (std::string failed = hand_off(step, told->text()); !failed.empty())
        return Fallback(call_id, *call, turn, failed);
      unanswered = d.rule_id() == policy::kNotUnderstoodRuleId;
      then_anything_else();
      break;
    }
    default:
      return Fallback(call_id, *call, turn, "unknown_action");
  }

  // 5. What the caller was told, on the record before they hear it.
  if (unanswered) {
    ev::QuestionUnanswered q;
    q.set_turn_index(turn);
    q.set_decision_id(d.decision_id());
    q.set_offered(d.say_text_id() == p.scripts().callback() ? "callback"
                                                            : "handoff");
    q.set_handoff_id(handoff_id);
    ev::PhiFields phi;
    phi.set_utterance(utterance);
    Append(call_id, call->tenant_id, ev::EVENT_TYPE_QUESTION_UNANSWERED,
           q.SerializeAsString(), &phi, &records);
  }
  ev::ReplyGiven given;
  given.set_turn_index(turn);
  given.set_decision_id(d.decision_id());
  av::TurnResponse response;
  for (const auto* t : reply.texts) {
    given.add_quoted_texts(Quote(*t));
    response.add_quoted_texts(Quote(*t));
  }
  ev::PhiFields reply_phi;
  if (reply.with_phi.empty()) {
    given.set_reply_text(reply.Text());
  } else {
    reply_phi.set_reply_text(reply.with_phi);
  }
  given.set_handoff_id(handoff_id);
  given.set_call_over(call_over);
  given.set_state(StateName(state));
  given.set_asking_for(asking_for);
  given.set_attempts(attempts);
  Append(call_id, call->tenant_id, ev::EVENT_TYPE_REPLY_GIVEN,
         given.SerializeAsString(),
         reply.with_phi.empty() ? nullptr : &reply_phi, &records);
  const absl::Status st = log_->Append(records, options_.append_timeout);
  if (!st.ok())
    return Fallback(call_id, *call, turn, "event_log_unacknowledged");

  // Everything is on the record: the conversation moves on.
  call->request_type = request_type;
  call->asking_for = asking_for;
  call->attempts = attempts;
  call->state = state;
  call->collected = std::move(collected);
  call->pending_read_back = pending;
  call->consent_declined = consent_declined;
  if (escalated) {
    call->escalated = true;
    call->escalation_decision_id = d.decision_id();
  }
  if (call_over) call->over = true;

  response.set_reply(reply.Text());
  response.set_state(state);
  response.set_asking_for(asking_for);
  response.set_call_over(call_over);
  response.set_handoff_id(handoff_id);
  response.set_decision_id(d.decision_id());
  response.set_rule_id(d.rule_id());
  response.set_lane(LaneName(d.lane()));
  for (const auto& r : records) acked_ids.push_back(r.record_id);
  response.mutable_event_ids()->Add(acked_ids.begin(), acked_ids.end());
  spdlog::info(
      "event=turn call_id={} turn={} decision_id={} lane={} action={} "
      "state={} asking_for={} handoff={}",
      call_id, turn, d.decision_id(), rv::Lane_Name(d.lane()),
      rv::Action_Name(d.action()), StateName(state),
      asking_for.empty() ? "-" : asking_for,
      handoff_id.empty() ? "-" : handoff_id);
  return response;
}

absl::Status CallAgent::EndCall(const av::EndCallRequest& request) {
  if (request.call_id().empty()) {
    return absl::InvalidArgumentError("call_id: required");
  }
  std::shared_ptr<Call> call = FindCall(request.call_id());
  if (call == nullptr) {
    return absl::NotFoundError("call_id: no active call with this id");
  }
  absl::MutexLock call_lock(&call->mu);
  ev::CallEnded ended;
  ended.set_turns(call->turns);
  ended.set_how(call->escalated ? "urgent_script"
                : call->over    ? "agent_closed"
                                : "caller_hung_up");
  std::vector<eventlog::LogRecord> records;
  Append(request.call_id(), call->tenant_id, ev::EVENT_TYPE_CALL_ENDED,
         ended.SerializeAsString(), nullptr, &records);
  call->over = true;
  const absl::Status st = log_->Append(records, options_.append_timeout);
  if (!st.ok()) {
    return absl::Status(st.code(), absl::StrCat("call ended, but not yet on "
                                                "the record: ",
                                                st.message()));
  }
  {
    absl::MutexLock lock(&mu_);
    calls_.erase(request.call_id());
  }
  chain_->Forget(request.call_id());
  spdlog::info("event=call_ended call_id={} turns={}", request.call_id(),
               call->turns);
  return absl::OkStatus();
}

}  // namespace frontdesk::answer
