#include "services/answer/call_agent.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "libs/common/input_limits.h"
#include "libs/common/service_logging.h"
#include "libs/common/uuid.h"
#include "libs/kafka/kafka_settings.h"
#include "services/answer/call_state.h"
#include "spdlog/spdlog.h"

namespace frontdesk::answer {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace rv = ::frontdesk::rules::v1;

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
    if (it != calls_.end()) return it->second;
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
  CallStateFold fold(sealer_);
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
  {
    absl::MutexLock call_lock(&call->mu);
    call->turns = state.turns;
    call->over = state.over;
    call->request_type = state.request_type;
  }
  spdlog::info("event=call_resumed call_id={} turns={} over={} damaged={}",
               call_id, state.turns, state.over, state.damaged);
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
  const std::string call_id = NewUuid();
  auto call = std::make_shared<Call>();
  call->tenant_id = request.tenant_id();
  call->caller_number = request.caller_number();

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
  d.set_claim_window_seconds(queue->claim_window_minutes() * 60);
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
  response.set_state(av::CALL_STATE_IDENTIFY);
  response.set_fallback(true);
  response.set_handoff_id(handoff_id);
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
  absl::MutexLock call_lock(&call->mu);
  if (call->over) {
    return absl::FailedPreconditionError("call_id: the call is over");
  }
  const uint32_t turn = ++call->turns;

  // 1. The caller's words, sealed, on the record first.
  {
    ev::TurnReceived received;
    received.set_turn_index(turn);
    received.set_utterance_chars(
        static_cast<uint32_t>(Utf8Length(request.utterance())));
    ev::PhiFields phi;
    phi.set_utterance(request.utterance());
    for (const std::string& alt : request.asr_alternatives()) {
      phi.add_asr_alternatives(alt);
    }
    std::vector<eventlog::LogRecord> records;
    Append(call_id, call->tenant_id, ev::EVENT_TYPE_TURN_RECEIVED,
           received.SerializeAsString(), &phi, &records);
    const absl::Status st = log_->Append(records, options_.append_timeout);
    if (!st.ok())
      return Fallback(call_id, *call, turn, "event_log_unacknowledged");
  }

  // 2. The decision, which rules-check records before returning it.
  rv::EvaluateRequest eval;
  eval.set_tenant_id(call->tenant_id);
  eval.set_call_id(call_id);
  eval.set_turn_index(turn);
  eval.set_utterance(request.utterance());
  for (const std::string& alt : request.asr_alternatives())
    eval.add_asr_alternatives(alt);
  eval.mutable_context()->set_request_type(call->request_type);
  eval.mutable_context()->set_turns_so_far(turn - 1);
  absl::StatusOr<rv::Decision> decision =
      rules_->Evaluate(eval, options_.rpc_timeout);
  if (!decision.ok()) {
    // No decision, no AI-owned action: the fallback wording, and a handoff
    // under a fail-closed decision of our own.
    const std::string handoff =
        FailClosedHandoff(call_id, *call, turn, request.utterance());
    return Fallback(call_id, *call, turn, "rules_check_unavailable", handoff);
  }
  if (!decision->request_type().empty())
    call->request_type = decision->request_type();

  // Only approved text this agent knows, at the version the decision names.
  const auto* say = policy_->FindText(decision->say_text_id());
  if (say == nullptr || say->version() != decision->say_text_version()) {
    return Fallback(call_id, *call, turn, "approved_text_mismatch");
  }

  // 3. Act.
  av::TurnResponse response;
  response.set_decision_id(decision->decision_id());
  response.set_rule_id(decision->rule_id());
  response.set_lane(absl::AsciiStrToLower(
      rv::Lane_Name(decision->lane()).substr(std::string("LANE_").size())));
  response.set_reply(say->text());
  response.add_quoted_texts(Quote(*say));
  response.set_state(av::CALL_STATE_IDENTIFY);
  switch (decision->action()) {
    case rv::ACTION_QUOTE_ANSWER:
      break;
    case rv::ACTION_HANDOFF:
    case rv::ACTION_URGENT_SCRIPT:
    case rv::ACTION_OFFER_SLOTS: {
      // Scheduling is not in this agent yet: an AI-owned booking request is
      // handed to the decision's queue like any other handoff.
      hv::PrepareRequest prep;
      prep.set_tenant_id(call->tenant_id);
      prep.set_call_id(call_id);
      *prep.mutable_decision() = *decision;
      prep.set_trigger_utterance(request.utterance());
      prep.set_caller_number(call->caller_number);
      prep.set_attempted_step(
          decision->action() == rv::ACTION_URGENT_SCRIPT ? "urgent_script"
          : decision->action() == rv::ACTION_OFFER_SLOTS ? "offer_slots"
                                                         : "handoff");
      prep.set_patient_told(say->text());
      absl::StatusOr<hv::PrepareResponse> handed =
          handoff_->Prepare(prep, options_.rpc_timeout);
      if (!handed.ok()) {
        return Fallback(call_id, *call, turn, "handoff_unavailable");
      }
      response.set_handoff_id(handed->packet().handoff_id());
      response.set_state(av::CALL_STATE_ACT);
      if (decision->action() == rv::ACTION_URGENT_SCRIPT) {
        response.set_call_over(true);
        response.set_state(av::CALL_STATE_CLOSED);
      }
      break;
    }
    default:
      return Fallback(call_id, *call, turn, "unknown_action");
  }

  // 4. What the caller was told, on the record before they hear it.
  ev::ReplyGiven reply;
  reply.set_turn_index(turn);
  reply.set_decision_id(decision->decision_id());
  reply.set_reply_text(response.reply());
  for (const std::string& q : response.quoted_texts())
    reply.add_quoted_texts(q);
  reply.set_handoff_id(response.handoff_id());
  reply.set_call_over(response.call_over());
  std::vector<eventlog::LogRecord> records;
  Append(call_id, call->tenant_id, ev::EVENT_TYPE_REPLY_GIVEN,
         reply.SerializeAsString(), nullptr, &records);
  const absl::Status st = log_->Append(records, options_.append_timeout);
  if (!st.ok())
    return Fallback(call_id, *call, turn, "event_log_unacknowledged");

  if (response.call_over()) call->over = true;
  spdlog::info(
      "event=turn call_id={} turn={} decision_id={} lane={} handoff={}",
      call_id, turn, decision->decision_id(), rv::Lane_Name(decision->lane()),
      response.handoff_id().empty() ? "-" : response.handoff_id());
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
  ended.set_how(call->over ? "urgent_script" : "caller_hung_up");
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
