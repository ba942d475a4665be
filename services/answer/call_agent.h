// CallAgent: the conversation of every call the answer service owns.
//
// A turn goes: record the caller's words (sealed) -> ask rules-check for a
// decision -> act on it (quote an approved text, or prepare a handoff and say
// the approved handoff wording or urgent script) -> record the reply. The
// reply is returned only after every event of the turn was acknowledged by
// Kafka.
//
// Fail closed: when Kafka does not acknowledge within the bound, or
// rules-check or handoff-prep fails, the caller hears the clinic's fallback
// wording, no AI-owned action is taken, and a TurnFailed event plus the
// fallback ReplyGiven are queued for the log without waiting (they are
// delivered once Kafka is back, or journalled). When rules-check alone is
// unreachable, the agent also attempts a handoff to the default queue under
// a fail-closed decision it records itself (rule FAIL-CLOSED-RULES-CHECK).
//
// The agent only ever speaks approved text from its own copy of the policy:
// a decision naming a text it does not know, or another version of it, is
// treated as a failure.
//
// The call state lives in memory while this process serves the call. A call
// id it does not hold is looked up in the log: its events are folded
// (call_state.h) and, if the call was started and not ended, the call is
// resumed where the record left it (turn count, urgent stop, request type,
// caller number). So a call survives the loss of the process serving it.
//
// Thread-safe. Turns of one call are serialized; calls run in parallel.
#ifndef FRONTDESK_SERVICES_ANSWER_CALL_AGENT_H_
#define FRONTDESK_SERVICES_ANSWER_CALL_AGENT_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "frontdesk/answer/v1/answer_service.pb.h"
#include "libs/common/clock.h"
#include "libs/eventlog/event_log.h"
#include "libs/events/event_chain.h"
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

 private:
  struct Call {
    absl::Mutex mu;
    std::string tenant_id;
    uint32_t turns ABSL_GUARDED_BY(mu) = 0;
    bool over ABSL_GUARDED_BY(mu) = false;
    std::string caller_number;
    // The request type rules-check identified last, as context for the next
    // turn.
    std::string request_type ABSL_GUARDED_BY(mu);
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
      const std::string& reason, const std::string& handoff_id = "");
  // rules-check is unreachable: records a fail-closed decision of answer's
  // own (AI-assisted, to the default queue) and asks handoff-prep to hand
  // the call off under it. Returns the handoff id, or "" when that failed.
  std::string FailClosedHandoff(const std::string& call_id, Call& call,
                                uint32_t turn, const std::string& utterance);

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
};

}  // namespace frontdesk::answer

#endif  // FRONTDESK_SERVICES_ANSWER_CALL_AGENT_H_
