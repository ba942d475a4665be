#include "services/answer/answer_probe.h"

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "libs/policy/clinic_policy.h"

namespace frontdesk::answer {

namespace av = ::frontdesk::answer::v1;
namespace rv = ::frontdesk::rules::v1;

namespace {

thread_local TurnTrace* current_trace = nullptr;

// "CHANNEL_WEB_CHAT" -> "web_chat"; "unknown" for a value outside the enum
// (proto3 enums are open, and a label must come from a fixed set).
std::string EnumLabel(bool valid, const std::string& name,
                      absl::string_view prefix) {
  if (!valid || name.empty()) return "unknown";
  absl::string_view v(name);
  absl::ConsumePrefix(&v, prefix);
  return absl::AsciiStrToLower(v);
}

std::string CodeLabel(absl::StatusCode code) {
  return absl::AsciiStrToLower(absl::StatusCodeToString(code));
}

bool IsBadRequest(absl::StatusCode code) {
  return code == absl::StatusCode::kInvalidArgument ||
         code == absl::StatusCode::kNotFound ||
         code == absl::StatusCode::kFailedPrecondition;
}

// The actions CallAgent::Turn acts on; any other falls back.
bool AgentActsOn(rv::Action a) {
  return a == rv::ACTION_URGENT_SCRIPT || a == rv::ACTION_QUOTE_ANSWER ||
         a == rv::ACTION_CLOSE_CALL || a == rv::ACTION_COLLECT_FIELD ||
         a == rv::ACTION_HANDOFF || a == rv::ACTION_OFFER_SLOTS;
}

}  // namespace

TurnTrace::TurnTrace() : previous_(current_trace) { current_trace = this; }

TurnTrace::~TurnTrace() { current_trace = previous_; }

TurnTrace* TurnTrace::Current() { return current_trace; }

std::string TurnTrace::FallbackReason() const {
  // In the order the agent meets them: no decision at all; a decision whose
  // handoff failed; an append that was not acknowledged; a decision it
  // cannot act on.
  if (rules_failed) return "rules_check_unavailable";
  if (handoff_failed) return "handoff_unavailable";
  if (log_unacknowledged || !decided) return "event_log_unacknowledged";
  if (!AgentActsOn(action)) return "unknown_action";
  return "approved_text_mismatch";
}

AnswerProbe::AnswerProbe(prometheus::Registry& registry)
    : calls_(prometheus::BuildCounter()
                 .Name("frontdesk_answer_calls_started_total")
                 .Help("Calls opened, by channel and reason")
                 .Register(registry)),
      turns_(prometheus::BuildCounter()
                 .Name("frontdesk_answer_turns_total")
                 .Help("Turns by outcome (ok, fallback, rejected) and the "
                       "call's state after the turn")
                 .Register(registry)),
      turn_seconds_(
          prometheus::BuildHistogram()
              .Name("frontdesk_answer_turn_seconds")
              .Help("Time to answer a turn, all events acknowledged")
              .Register(registry)
              .Add({},
                   prometheus::Histogram::BucketBoundaries{
                       0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5})),
      approved_(prometheus::BuildCounter()
                    .Name("frontdesk_answer_approved_answers_total")
                    .Help("hit: an approved answer was quoted; miss: a "
                          "question no approved answer fits was handed off "
                          "for a callback")
                    .Register(registry)),
      fallbacks_(prometheus::BuildCounter()
                     .Name("frontdesk_answer_fallbacks_total")
                     .Help("Replies in the clinic's fallback wording, by what "
                           "failed")
                     .Register(registry)),
      reachable_(prometheus::BuildGauge()
                     .Name("frontdesk_answer_dependency_reachable")
                     .Help("1 when the last call to the dependency got an "
                           "answer, 0 when it was unavailable or timed out")
                     .Register(registry)),
      dependency_failures_(
          prometheus::BuildCounter()
              .Name("frontdesk_answer_dependency_failures_total")
              .Help("Failed calls to rules-check and handoff-prep, by gRPC "
                    "status code")
              .Register(registry)),
      errors_(prometheus::BuildCounter()
                  .Name("frontdesk_errors_total")
                  .Help("Errors by kind")
                  .Register(registry)) {
  for (const char* d : {"rules-check", "handoff-prep"}) {
    reachable_.Add({{"dependency", d}}).Set(1);
  }
  for (const char* k :
       {"bad_request", "fallback", "end_call_unrecorded", "internal"}) {
    errors_.Add({{"kind", k}});
  }
  for (const char* o : {"hit", "miss"}) approved_.Add({{"outcome", o}});
}

void AnswerProbe::Error(const absl::Status& status) {
  errors_
      .Add({{"kind", IsBadRequest(status.code()) ? "bad_request" : "internal"}})
      .Increment();
}

void AnswerProbe::CallStarted(const av::StartCallRequest& request,
                              const absl::StatusOr<av::StartCallResponse>& r) {
  if (!r.ok()) {
    Error(r.status());
    return;
  }
  if (r->fallback()) {
    // The CallStarted event was not acknowledged: no call was opened.
    fallbacks_.Add({{"reason", "event_log_unacknowledged"}}).Increment();
    errors_.Add({{"kind", "fallback"}}).Increment();
    return;
  }
  calls_
      .Add({{"channel",
             EnumLabel(av::Channel_IsValid(request.channel()),
                       av::Channel_Name(request.channel()), "CHANNEL_")},
            {"reason",
             EnumLabel(av::CallReason_IsValid(request.reason()),
                       av::CallReason_Name(request.reason()), "CALL_REASON_")}})
      .Increment();
}

void AnswerProbe::TurnAnswered(const absl::StatusOr<av::TurnResponse>& r,
                               const TurnTrace& trace, absl::Duration took) {
  if (!r.ok()) {
    turns_.Add({{"outcome", "rejected"}, {"state", "none"}}).Increment();
    Error(r.status());
    return;
  }
  const std::string state =
      EnumLabel(av::CallState_IsValid(r->state()),
                av::CallState_Name(r->state()), "CALL_STATE_");
  turns_.Add({{"outcome", r->fallback() ? "fallback" : "ok"}, {"state", state}})
      .Increment();
  turn_seconds_.Observe(absl::ToDoubleSeconds(took));
  if (r->fallback()) {
    fallbacks_.Add({{"reason", trace.FallbackReason()}}).Increment();
    errors_.Add({{"kind", "fallback"}}).Increment();
    return;
  }
  if (trace.decided && trace.action == rv::ACTION_QUOTE_ANSWER) {
    approved_.Add({{"outcome", "hit"}}).Increment();
  } else if (r->rule_id() == policy::kNotUnderstoodRuleId &&
             !r->handoff_id().empty()) {
    // The agent's QuestionUnanswered: kept for the weekly review.
    approved_.Add({{"outcome", "miss"}}).Increment();
  }
}

void AnswerProbe::CallEnded(const absl::Status& result) {
  if (result.ok()) return;
  if (IsBadRequest(result.code())) {
    errors_.Add({{"kind", "bad_request"}}).Increment();
  } else {
    // The CallEnded event was not acknowledged (it stays queued).
    errors_.Add({{"kind", "end_call_unrecorded"}}).Increment();
  }
}

void AnswerProbe::DependencyCalled(const std::string& dependency,
                                   const absl::Status& result) {
  const absl::StatusCode code = result.code();
  const bool unreachable = code == absl::StatusCode::kUnavailable ||
                           code == absl::StatusCode::kDeadlineExceeded;
  reachable_.Add({{"dependency", dependency}}).Set(unreachable ? 0 : 1);
  if (!result.ok()) {
    dependency_failures_
        .Add({{"dependency", dependency}, {"code", CodeLabel(code)}})
        .Increment();
  }
}

absl::StatusOr<rv::Decision> ProbedRulesClient::Evaluate(
    const rv::EvaluateRequest& request, absl::Duration timeout) {
  absl::StatusOr<rv::Decision> d = inner_->Evaluate(request, timeout);
  probe_->DependencyCalled("rules-check", d.status());
  if (TurnTrace* t = TurnTrace::Current()) {
    if (d.ok()) {
      t->decided = true;
      t->action = d->action();
    } else {
      t->rules_failed = true;
    }
  }
  return d;
}

absl::StatusOr<frontdesk::handoff::v1::PrepareResponse>
ProbedHandoffClient::Prepare(
    const frontdesk::handoff::v1::PrepareRequest& request,
    absl::Duration timeout) {
  auto r = inner_->Prepare(request, timeout);
  probe_->DependencyCalled("handoff-prep", r.status());
  if (TurnTrace* t = TurnTrace::Current(); t != nullptr && !r.ok()) {
    t->handoff_failed = true;
  }
  return r;
}

absl::Status ProbedEventLog::Append(
    const std::vector<eventlog::LogRecord>& records, absl::Duration timeout) {
  absl::Status st = inner_->Append(records, timeout);
  if (TurnTrace* t = TurnTrace::Current();
      t != nullptr && !st.ok() && timeout > absl::ZeroDuration()) {
    t->log_unacknowledged = true;
  }
  return st;
}

}  // namespace frontdesk::answer
