// ReplayChecker: what an auditor proves about one call from the log alone.
//
// CheckCall takes every record of one call (the Kafka records keyed by the
// call id, in log order) and checks, with events::ChainVerifier:
//   - each event's hash over its stored bytes ("altered");
//   - with trusted producer keys, each event's Ed25519 signature by the key
//     of the service it names as producer ("forged": unsigned, another key,
//     or a bad signature);
//   - each producer instance's sequence and prev_hash links ("missing",
//     "reordered"), duplicates ("duplicate") and other calls' events
//     ("foreign");
// and then, over the events that are intact and trusted, that every action
// the agent took cites a decision that allowed exactly that action:
//   - "no_decision": the action cites no decision, or one that is not on
//     the log for this call before the action;
//   - "not_allowed": the decision was not written by rules-check (answer's
//     own fail-closed handoff decision excepted), or it allowed something
//     else: another turn, intake field or request type, a handoff it did not
//     allow, another approved text, another queue or lane;
//   - "policy_mismatch": the action was taken under another policy version
//     than the decision, or the decision's payload and envelope disagree.
// The actions checked are ReplyGiven (except the fallback wording, which
// takes no action), FieldCollected, QuestionUnanswered and HandoffPrepared.
//
// Every finding names the event id, event type, producer service and
// instance, sequence, and Kafka topic, partition and offset. Findings hold no
// PHI.
//
// Example:
//   auto records = reader.ReadKey(kafka::kCallsTopic, call_id);
//   CallCheck c = CheckCall(call_id, *records, &keys);
//   if (!c.findings.empty()) { ... }
//   std::cout << CallCheckJson(c).dump(2);
//
// Thread-compatible: CheckCall keeps no state between calls.
#ifndef FRONTDESK_LIBS_AUDIT_REPLAY_CHECKER_H_
#define FRONTDESK_LIBS_AUDIT_REPLAY_CHECKER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "libs/eventlog/event_log.h"
#include "libs/events/chain_verifier.h"
#include "libs/events/event_envelope.h"
#include "libs/events/event_signer.h"
#include "nlohmann/json.hpp"

namespace frontdesk::audit {

// Finding kinds beyond events::FindingKindName's.
inline constexpr char kNoDecision[] = "no_decision";
inline constexpr char kNotAllowed[] = "not_allowed";
inline constexpr char kPolicyMismatch[] = "policy_mismatch";

// One problem, with the exact event and place.
struct Finding {
  // "altered", "forged", "duplicate", "missing", "reordered", "foreign",
  // "no_decision", "not_allowed" or "policy_mismatch".
  std::string kind;
  std::string event_id;
  std::string event_type;
  std::string producer_service;
  std::string producer_instance;
  uint64_t sequence = 0;
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  // What is wrong, with no PHI.
  std::string detail;
};

// One record of the call as checked.
struct CheckedRecord {
  const eventlog::StoredRecord* record = nullptr;
  // Set when the hash checked out (even if the event is forged or its
  // links are broken), so it can still be shown.
  std::optional<events::OpenedEvent> event;
  // Intact, signed when keys are given, of this call, and not a duplicate:
  // the events the decision checks rely on.
  bool trusted = false;
};

struct CallCheck {
  std::string call_id;
  // In log order; pointers into the records given to CheckCall.
  std::vector<CheckedRecord> records;
  std::vector<Finding> findings;
  int64_t intact_events = 0;
  int64_t signed_events = 0;
  size_t producers = 0;
  // Actions checked against their decisions.
  int64_t actions_checked = 0;
  bool signatures_checked = false;
};

// Checks one call. `records` must outlive the result; `keys` may be null
// (signatures are then not checked; see CallCheck::signatures_checked).
CallCheck CheckCall(const std::string& call_id,
                    const std::vector<eventlog::StoredRecord>& records,
                    const events::ProducerKeys* keys);

// "frontdesk.calls.v1/2@17".
std::string Position(const eventlog::StoredRecord& r);

// A finding as JSON: kind, event_id, event_type, producer {service,
// instance}, sequence, topic, partition, offset, detail.
nlohmann::json FindingJson(const Finding& f);

// The check as JSON: call_id, events (id, type, producer, sequence, place,
// occurred_at, policy_version, PHI-free summary, signed), findings, and the
// counts.
nlohmann::json CallCheckJson(const CallCheck& check);

// "forged at frontdesk.calls.v1/0@12: event <id> (TurnReceived, answer/<i>
// #3): <detail>".
std::string FindingLine(const Finding& f);

}  // namespace frontdesk::audit

#endif  // FRONTDESK_LIBS_AUDIT_REPLAY_CHECKER_H_
