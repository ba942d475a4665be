// PolicySimulation: replays the recorded caller turns of past calls through a
// candidate policy and lists every turn decision that would change.
//
// For each TurnReceived in the range, the caller's words and speech
// alternatives are opened from the sealed PHI (so a PhiOpener is required),
// the call context is rebuilt from the call's own earlier events the way the
// answer service builds it (request type from earlier decisions, turns so
// far, what the last non-fallback reply asked for, intake fields taken), and
// the candidate's HandoffMap (the same rules library rules-check runs)
// decides the turn. The recorded decision for the turn (the first
// DecisionRecorded of that turn without a proposed action) is the "old"
// decision. A change is a different lane, rule id or action.
//
// value_understood (the agent's reading of an intake answer) is not on the
// log; it is taken as true when the turn produced a FieldCollected that was
// not rejected. When a baseline map (the policy in force) is given, every
// turn is also replayed through it; turns whose baseline replay does not
// reproduce the recorded decision are counted as not reproducible; on those
// turns a change is one the candidate makes against the policy in force's
// replay (a turn where both agree is unchanged), and it is marked, so a
// reader can tell reconstruction noise from a real policy difference.
//
// Events are grouped by call in the order given (a call's events share one
// partition, so log order is call order). A call is replayed, and its events
// dropped, at its CallEnded; calls still open are replayed by Finish().
//
// Not thread-safe. The utterances in the result are PHI: print them only in
// the local output of a caller with phi.read, never in logs.
//
// Example:
//   PolicySimulator sim(candidate_map, opener, baseline_map);
//   for (const LoggedEvent& e : events.events) sim.Apply(e);
//   SimulationResult r = sim.Finish();
//   std::cout << SimulationText(r, /*examples_per_group=*/3);
#ifndef FRONTDESK_LIBS_REPORTS_POLICY_SIMULATION_H_
#define FRONTDESK_LIBS_REPORTS_POLICY_SIMULATION_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "libs/reports/audit_log_events.h"
#include "services/rules_check/handoff_map.h"

namespace frontdesk::reports {

struct SimulatedDecision {
  std::string call_id;
  uint32_t turn = 0;
  std::string decision_id;
  std::string old_lane, old_rule_id, old_action, old_request_type;
  std::string new_lane, new_rule_id, new_action, new_request_type;
  // PHI: the caller's words of the turn.
  std::string utterance;
  // False when the policy in force, replayed on the rebuilt context, does
  // not reproduce the recorded decision either.
  bool reproducible = true;
};

// The changed decisions of one old lane -> new lane pair.
struct SimulationGroup {
  std::string from_lane;
  std::string to_lane;
  std::vector<SimulatedDecision> decisions;
};

struct SimulationResult {
  std::string candidate_version;
  int calls = 0;
  // Turns decided again through the candidate.
  int turns_replayed = 0;
  // Turns whose PHI could not be opened, or without a recorded decision.
  int turns_sealed = 0;
  int turns_without_decision = 0;
  int unchanged = 0;
  int changed = 0;
  // With a baseline: replayed turns whose baseline decision differs from the
  // recorded one (-1 without a baseline).
  int not_reproducible = -1;
  // Ordered by from_lane, then to_lane.
  std::vector<SimulationGroup> groups;
};

class PolicySimulator {
 public:
  // REQUIRES: `candidate` not null; `open` not empty. `baseline` may be null.
  PolicySimulator(std::shared_ptr<const rules_check::HandoffMap> candidate,
                  PhiOpener open,
                  std::shared_ptr<const rules_check::HandoffMap> baseline);

  void Apply(const LoggedEvent& e);
  SimulationResult Finish() const;

 private:
  using Groups = std::map<std::pair<std::string, std::string>,
                          std::vector<SimulatedDecision>>;
  // Replays one call's turns into `r` and `groups`.
  void Replay(const std::string& call_id,
              const std::vector<frontdesk::events::v1::EventBody>& events,
              SimulationResult* r, Groups* groups) const;

  std::shared_ptr<const rules_check::HandoffMap> candidate_;
  PhiOpener open_;
  std::shared_ptr<const rules_check::HandoffMap> baseline_;
  // Calls not replayed yet, in the order they were first seen.
  std::vector<std::string> open_order_;
  std::map<std::string, std::vector<frontdesk::events::v1::EventBody>>
      open_calls_;
  absl::flat_hash_set<std::string> replayed_;
  SimulationResult done_;
  Groups done_groups_;
};

// A readable report: totals, then per group the count and up to
// `examples_per_group` examples (call id, turn, rule ids, and the words
// when `show_words`).
std::string SimulationText(const SimulationResult& r, size_t examples_per_group,
                           bool show_words);

}  // namespace frontdesk::reports

#endif  // FRONTDESK_LIBS_REPORTS_POLICY_SIMULATION_H_
