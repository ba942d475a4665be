// AnswerProbe: the answer service's metrics, as a clinic operator reads them.
//
//   frontdesk_answer_calls_started_total{channel,reason}   counter
//   frontdesk_answer_turns_total{outcome,state}            counter; outcome:
//       ok, fallback or rejected; state: the call's state after the turn
//       (greet ... escalated), "none" for a rejected turn
//   frontdesk_answer_turn_seconds                          histogram
//   frontdesk_answer_approved_answers_total{outcome}       counter; hit: an
//       approved answer was quoted; miss: a question no approved answer fits
//       was handed off for a callback
//   frontdesk_answer_fallbacks_total{reason}               counter: replies
//       in the fallback wording (greetings included), by what failed
//   frontdesk_answer_dependency_reachable{dependency}      gauge, 1 or 0,
//       set by every call to rules-check or handoff-prep; 1 until one fails
//   frontdesk_answer_dependency_failures_total{dependency,code}  counter
//   frontdesk_errors_total{kind}                           counter:
//   bad_request,
//       fallback, end_call_unrecorded, internal
//
// No label carries a call id, a caller's words or any other PHI: only the
// request's channel and reason, states, lanes' outcomes, reasons and gRPC
// status codes, each from a fixed set.
//
// Why a fallback happened is not in the TurnResponse. The decorators below
// (ProbedRulesClient, ProbedHandoffClient, ProbedEventLog) sit between the
// agent and its dependencies and note each failure on the TurnTrace of the
// thread they run on; CallAgent::Turn calls its dependencies on the calling
// thread, so the edge's TurnTrace sees exactly what its turn did.
//
// Example (main.cc):
//   AnswerProbe probe(*registry);
//   ProbedRulesClient rules(&grpc_rules, &probe);
//   ProbedHandoffClient handoff(&grpc_handoff, &probe);
//   ProbedEventLog log(kafka_log, &probe);
//   CallAgent agent(policy, &log, ..., &rules, &handoff, ...);
//   AnswerService service(&agent, &probe);
//
// Thread-safe.
#ifndef FRONTDESK_SERVICES_ANSWER_ANSWER_PROBE_H_
#define FRONTDESK_SERVICES_ANSWER_ANSWER_PROBE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "frontdesk/answer/v1/answer_service.pb.h"
#include "frontdesk/rules/v1/rules_service.pb.h"
#include "libs/eventlog/event_log.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "services/answer/agent_dependencies.h"

namespace frontdesk::answer {

// What one turn's dependencies did. Constructing one makes it the current
// trace of this thread until it is destroyed (traces nest).
class TurnTrace {
 public:
  TurnTrace();
  ~TurnTrace();
  TurnTrace(const TurnTrace&) = delete;
  TurnTrace& operator=(const TurnTrace&) = delete;

  // The trace of this thread, or null.
  static TurnTrace* Current();

  // The agent's reason for a fallback reply after what this trace saw:
  // rules_check_unavailable, handoff_unavailable, event_log_unacknowledged,
  // unknown_action or approved_text_mismatch.
  std::string FallbackReason() const;

  bool rules_failed = false;
  bool handoff_failed = false;
  // An append the agent waited for was not acknowledged.
  bool log_unacknowledged = false;
  // The last decision rules-check returned, if any.
  bool decided = false;
  frontdesk::rules::v1::Action action =
      frontdesk::rules::v1::ACTION_UNSPECIFIED;

 private:
  TurnTrace* previous_;
};

class AnswerProbe {
 public:
  explicit AnswerProbe(prometheus::Registry& registry);

  // The outcome of each RPC at the gRPC edge.
  void CallStarted(
      const frontdesk::answer::v1::StartCallRequest& request,
      const absl::StatusOr<frontdesk::answer::v1::StartCallResponse>& result);
  void TurnAnswered(
      const absl::StatusOr<frontdesk::answer::v1::TurnResponse>& result,
      const TurnTrace& trace, absl::Duration took);
  void CallEnded(const absl::Status& result);

  // Each call to a dependency: "rules-check" or "handoff-prep".
  void DependencyCalled(const std::string& dependency,
                        const absl::Status& result);

 private:
  void Error(const absl::Status& status);

  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Counter>& turns_;
  prometheus::Histogram& turn_seconds_;
  prometheus::Family<prometheus::Counter>& approved_;
  prometheus::Family<prometheus::Counter>& fallbacks_;
  prometheus::Family<prometheus::Gauge>& reachable_;
  prometheus::Family<prometheus::Counter>& dependency_failures_;
  prometheus::Family<prometheus::Counter>& errors_;
};

// rules-check, counted. Thread-safe when `inner` is.
class ProbedRulesClient : public RulesClient {
 public:
  // Both must outlive this client.
  ProbedRulesClient(RulesClient* inner, AnswerProbe* probe)
      : inner_(inner), probe_(probe) {}
  absl::StatusOr<frontdesk::rules::v1::Decision> Evaluate(
      const frontdesk::rules::v1::EvaluateRequest& request,
      absl::Duration timeout) override;

 private:
  RulesClient* const inner_;
  AnswerProbe* const probe_;
};

// handoff-prep, counted. Thread-safe when `inner` is.
class ProbedHandoffClient : public HandoffClient {
 public:
  // Both must outlive this client.
  ProbedHandoffClient(HandoffClient* inner, AnswerProbe* probe)
      : inner_(inner), probe_(probe) {}
  absl::StatusOr<frontdesk::handoff::v1::PrepareResponse> Prepare(
      const frontdesk::handoff::v1::PrepareRequest& request,
      absl::Duration timeout) override;

 private:
  HandoffClient* const inner_;
  AnswerProbe* const probe_;
};

// The event log, with unacknowledged appends noted on the turn's trace.
// Appends with a zero timeout (queued without waiting) are not failures.
class ProbedEventLog : public eventlog::EventLog {
 public:
  // `inner` must outlive this log.
  explicit ProbedEventLog(eventlog::EventLog* inner) : inner_(inner) {}
  absl::Status Append(const std::vector<eventlog::LogRecord>& records,
                      absl::Duration timeout) override;

 private:
  eventlog::EventLog* const inner_;
};

}  // namespace frontdesk::answer

#endif  // FRONTDESK_SERVICES_ANSWER_ANSWER_PROBE_H_
