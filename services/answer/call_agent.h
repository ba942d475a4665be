// CallAgent: the conversation of every call the answer service owns.
//
// A call goes greet -> identify -> intake -> act -> confirm -> close. Each
// turn: record the caller's words (sealed) -> read them as the answer to the
// field asked for, if any (intake_answer.h) -> ask rules-check for the
// decision, which it records -> act on it -> record the reply. The reply is
// returned only after every event of the turn was acknowledged by Kafka.
//
// What the agent does with a decision:
//   - URGENT_SCRIPT: prepares the handoff at once and says the urgent script;
//     every later turn gets only the post-escalation wording.
//   - HANDOFF: prepares the handoff (with the intake values the request
//     type's PHI scope lets that queue receive) and says the decision's
//     wording, then asks "anything else?". A question no approved answer fits
//     is also recorded as QuestionUnanswered, sealed, for the weekly review.
//   - COLLECT_FIELD: records the value of the field asked (sealed, only when
//     the scope stores it; a date of birth is read back first and taken on
//     the caller's yes) and asks the next field; or asks again after a value
//     that was not understood, and hands off after the policy's number of
//     failed attempts. A consent "no" is recorded and nothing more is taken.
//   - QUOTE_ANSWER: quotes the approved text, then asks "anything else?".
//   - CLOSE_CALL: says goodbye; the call is over.
// Every event the agent writes cites the decision it acted under.
//
// Fail closed: when Kafka does not acknowledge within the bound, or
// rules-check or handoff-prep fails, the caller hears the clinic's fallback
// wording, no AI-owned action is taken, and a TurnFailed event plus the
// fallback ReplyGiven are queued for the log without waiting. When
// rules-check alone is unreachable, the agent also attempts a handoff to the
// default queue under a fail-closed decision it records itself (rule
// FAIL-CLOSED-RULES-CHECK).
//
// The agent only ever speaks approved text from its own copy of the policy:
// a decision naming a text it does not know, or another version of it, is
// treated as a failure.
//
// The call state lives in memory while this process serves the call. A call
// id it does not hold is looked up in the log: its events are folded
// (call_state.h) and, if the call was started and not ended, the call is
// resumed exactly where the record left it (what was asked, the values
// taken, attempts, escalation). So a call survives the loss of the process
// serving it, with nothing asked twice.
//
// Thread-safe. Turns of one call are serialized; calls run in parallel.
#ifndef FRONTDESK_SERVICES_ANSWER_CALL_AGENT_H_
#define FRONTDESK_SERVICES_ANSWER_CALL_AGENT_H_

#include <map>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "frontdesk/answer/v1/answer_service.pb.h"
#include "libs/common/clock.h"
#include "libs/eventlog/event_log.h"
#include "libs/events/event_chain.h"
#include "libs/phi/phi_keyring.h"
#include "libs/phi/phi_sealer.h"
#include "libs/policy/clinic_policy.h"
#include "services/answer/agent_dependencies.h"

namespace frontdesk::answer {

// The rule of the decision answer records itself when rules-check cannot be
// reached.
inline constexpr char kFailClosedRuleId[] = "FAIL-CLOSED-RULES-CHECK";

struct AgentOptions {
  // The durability bound: how long to wait for Kafka per append.
  absl::Duration append_timeout = absl::Seconds(2);
  // Deadline of calls to rules-check and handoff-prep.
  absl::Duration rpc_timeout = absl::Seconds(3);
  // Today's date (clinic time) for dates of birth; the real clock when null.
  const Clock* clock = nullptr;
  // Opens the PHI of a resumed call under whichever of the tenant's keys
  // sealed it; when null, the sealer's own key is tried.
  const phi::PhiKeyring* keyring = nullptr;
  // A call with no turn for this long is ended as abandoned (CallEnded, how
  // "abandoned") and leaves memory; see SweepIdleCalls.
  absl::Duration idle_call_timeout = absl::Hours(2);
};

class CallAgent {
 public:
  // Everything passed in must outlive the agent.
  // `history` may be null: then no call is resumed from the log.
  CallAgent(std::shared_ptr<const policy::ClinicPolicy> policy,
            eventlog::EventLog* log, events::EventChain* chain,
            const phi::PhiSealer* sealer, RulesClient* rules,
            HandoffClient* handoff, AgentOptions options,
            eventlog::EventLogReader* history = nullptr);

  // INVALID_ARGUMENT or NOT_FOUND (unknown tenant) for a bad request. When
  // the call cannot be recorded, returns OK with `fallback` set and no id.
  absl::StatusOr<frontdesk::answer::v1::StartCallResponse> StartCall(
      const frontdesk::answer::v1::StartCallRequest& request);

  // NOT_FOUND for an unknown call id, FAILED_PRECONDITION for a call that is
  // over, INVALID_ARGUMENT for an empty or oversized utterance. Dependency
  // failures are not errors: they give a fallback reply.
  absl::StatusOr<frontdesk::answer::v1::TurnResponse> Turn(
      const frontdesk::answer::v1::TurnRequest& request);

  // NOT_FOUND for an unknown call id. DEADLINE_EXCEEDED or UNAVAILABLE when
  // the CallEnded event was not acknowledged (it stays queued; retry is safe).
  absl::Status EndCall(const frontdesk::answer::v1::EndCallRequest& request);

  size_t active_calls() const;

  // Ends every call idle for longer than the idle timeout: a CallEnded event
  // ("abandoned") is queued for the log and the call leaves memory. Returns
  // how many were ended. StartCall runs it at most once a minute, so memory
  // stays bounded by the calls of the last idle timeout.
  int SweepIdleCalls();

 private:
  struct Call {
    absl::Mutex mu;
    std::string tenant_id;
    std::string caller_number;
    // When the call was last started, resumed or spoken to (agent mu_).
    absl::Time last_active;
    uint32_t turns ABSL_GUARDED_BY(mu) = 0;
    // Goodbye said: no more turns.
    bool over ABSL_GUARDED_BY(mu) = false;
    bool escalated ABSL_GUARDED_BY(mu) = false;
    std::string escalation_decision_id ABSL_GUARDED_BY(mu);
    frontdesk::answer::v1::CallState state ABSL_GUARDED_BY(mu) =
        frontdesk::answer::v1::CALL_STATE_GREET;
    // The request type being served, as context for the next decision.
    std::string request_type ABSL_GUARDED_BY(mu);
    // An intake field name, "anything_else", or "".
    std::string asking_for ABSL_GUARDED_BY(mu);
    uint32_t attempts ABSL_GUARDED_BY(mu) = 0;
    // Intake values taken (field name -> value; "" when not stored).
    std::map<std::string, std::string> collected ABSL_GUARDED_BY(mu);
    std::string pending_read_back ABSL_GUARDED_BY(mu);
    bool consent_declined ABSL_GUARDED_BY(mu) = false;
  };

  // The call in memory, or resumed from the log; null when neither.
  std::shared_ptr<Call> FindCall(const std::string& call_id);
  std::string Append(const std::string& call_id, const std::string& tenant_id,
                     frontdesk::events::v1::EventType type,
                     const std::string& payload,
                     const frontdesk::events::v1::PhiFields* phi,
                     std::vector<eventlog::LogRecord>* out);
  frontdesk::answer::v1::TurnResponse Fallback(
      const std::string& call_id, Call& call, uint32_t turn,
      const std::string& reason, const std::string& handoff_id = "")
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(call.mu);
  // rules-check is unreachable: records a fail-closed decision of answer's
  // own (AI-assisted, to the default queue) and asks handoff-prep to hand
  // the call off under it. Returns the handoff id, or "" when that failed.
  std::string FailClosedHandoff(const std::string& call_id, Call& call,
                                uint32_t turn, const std::string& utterance);
  // Asks handoff-prep for a packet under `decision`, with the intake values
  // (`collected`, as they stand after this turn) that the request type's PHI
  // scope stores and lets that queue receive.
  absl::StatusOr<std::string> HandOff(
      const std::string& call_id, const Call& call,
      const frontdesk::rules::v1::Decision& decision,
      const std::string& utterance, const std::string& step,
      const std::string& told, const std::string& request_type,
      const std::map<std::string, std::string>& collected,
      bool consent_declined) const;
  // Every further turn after the urgent script.
  absl::StatusOr<frontdesk::answer::v1::TurnResponse> PostEscalation(
      const std::string& call_id, Call& call, uint32_t turn)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(call.mu);
  absl::CivilDay Today() const;
  absl::Time Now() const;

  const std::shared_ptr<const policy::ClinicPolicy> policy_;
  eventlog::EventLog* const log_;
  events::EventChain* const chain_;
  const phi::PhiSealer* const sealer_;
  RulesClient* const rules_;
  HandoffClient* const handoff_;
  const AgentOptions options_;
  eventlog::EventLogReader* const history_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Call>> calls_
      ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace frontdesk::answer

#endif  // FRONTDESK_SERVICES_ANSWER_CALL_AGENT_H_
