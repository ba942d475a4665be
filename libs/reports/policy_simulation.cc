#include "libs/reports/policy_simulation.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "frontdesk/events/v1/call_events.pb.h"

namespace frontdesk::reports {

namespace ev = ::frontdesk::events::v1;
namespace rv = ::frontdesk::rules::v1;

namespace {

std::string RulesLane(rv::Lane lane) {
  return LaneName(static_cast<ev::Lane>(static_cast<int>(lane)));
}

// The decision's action as DecisionRecorded.action spells it.
std::string RulesAction(rv::Action a) {
  if (a == rv::ACTION_UNSPECIFIED) return "none";
  return absl::AsciiStrToLower(
      rv::Action_Name(a).substr(std::string("ACTION_").size()));
}

struct Turn {
  uint32_t index = 0;
  const ev::EventBody* received = nullptr;
  const ev::DecisionRecorded* decision = nullptr;
  rv::CallContext context;
  bool understood = false;
};

}  // namespace

PolicySimulator::PolicySimulator(
    std::shared_ptr<const rules_check::HandoffMap> candidate, PhiOpener open,
    std::shared_ptr<const rules_check::HandoffMap> baseline)
    : candidate_(std::move(candidate)),
      open_(std::move(open)),
      baseline_(std::move(baseline)) {
  done_.candidate_version = candidate_->policy().version();
  if (baseline_ != nullptr) done_.not_reproducible = 0;
}

void PolicySimulator::Apply(const LoggedEvent& e) {
  // Calls only: accesses and policy events are keyed by actor or tenant.
  const ev::EventType t = e.body.type();
  if (e.body.call_id().empty() || t == ev::EVENT_TYPE_ACCESS_RECORDED ||
      t == ev::EVENT_TYPE_POLICY_ACTIVATED ||
      t == ev::EVENT_TYPE_POLICY_REJECTED) {
    return;
  }
  const std::string& id = e.body.call_id();
  // Later events of a replayed call (claims, resolutions) hold no turns.
  if (replayed_.contains(id)) return;
  auto [it, inserted] = open_calls_.try_emplace(id);
  if (inserted) open_order_.push_back(id);
  it->second.push_back(e.body);
  if (t == ev::EVENT_TYPE_CALL_ENDED) {
    Replay(id, it->second, &done_, &done_groups_);
    replayed_.insert(id);
    open_calls_.erase(it);
  }
}

SimulationResult PolicySimulator::Finish() const {
  SimulationResult r = done_;
  Groups groups = done_groups_;
  for (const std::string& id : open_order_) {
    auto it = open_calls_.find(id);
    if (it != open_calls_.end()) Replay(id, it->second, &r, &groups);
  }
  for (auto& [lanes, decisions] : groups) {
    r.groups.push_back({lanes.first, lanes.second, std::move(decisions)});
  }
  return r;
}

void PolicySimulator::Replay(const std::string& call_id,
                             const std::vector<ev::EventBody>& events,
                             SimulationResult* out, Groups* groups) const {
  SimulationResult& r = *out;
  ++r.calls;
  // Fold the call in order, snapshotting the context at each turn.
  std::string request_type, asking_for;
  std::set<std::string> collected;
  uint32_t turns_so_far = 0;
  std::vector<Turn> turns;
  std::vector<ev::DecisionRecorded> decisions;
  decisions.reserve(events.size());
  for (const ev::EventBody& b : events) {
    switch (b.type()) {
      case ev::EVENT_TYPE_TURN_RECEIVED: {
        ev::TurnReceived p;
        if (!p.ParseFromString(b.payload())) break;
        Turn t;
        t.index = p.turn_index();
        t.received = &b;
        t.context.set_request_type(request_type);
        t.context.set_turns_so_far(turns_so_far);
        t.context.set_asking_for(asking_for);
        for (const std::string& f : collected) t.context.add_collected(f);
        turns.push_back(std::move(t));
        turns_so_far = std::max(turns_so_far, p.turn_index());
        break;
      }
      case ev::EVENT_TYPE_DECISION_RECORDED: {
        ev::DecisionRecorded p;
        if (!p.ParseFromString(b.payload())) break;
        if (!p.request_type().empty()) request_type = p.request_type();
        decisions.push_back(std::move(p));
        break;
      }
      case ev::EVENT_TYPE_REPLY_GIVEN: {
        ev::ReplyGiven p;
        if (!p.ParseFromString(b.payload()) || p.fallback()) break;
        asking_for = p.asking_for();
        break;
      }
      case ev::EVENT_TYPE_FIELD_COLLECTED: {
        ev::FieldCollected p;
        if (!p.ParseFromString(b.payload())) break;
        const auto o = p.outcome();
        if (o == ev::FieldCollected::OUTCOME_ACCEPTED ||
            o == ev::FieldCollected::OUTCOME_CONFIRMED ||
            o == ev::FieldCollected::OUTCOME_NOT_STORED) {
          collected.insert(p.field());
        }
        if (o != ev::FieldCollected::OUTCOME_REJECTED) {
          for (Turn& t : turns) {
            if (t.index == p.turn_index()) t.understood = true;
          }
        }
        break;
      }
      default:
        break;
    }
  }
  for (Turn& t : turns) {
    for (const ev::DecisionRecorded& d : decisions) {
      if (d.turn_index() == t.index && d.proposed().empty()) {
        t.decision = &d;
        break;
      }
    }
    if (t.decision == nullptr) {
      ++r.turns_without_decision;
      continue;
    }
    if (!t.received->has_sealed_phi()) {
      ++r.turns_sealed;
      continue;
    }
    auto phi = open_(t.received->sealed_phi(), t.received->tenant_id(),
                     t.received->call_id());
    if (!phi.ok()) {
      ++r.turns_sealed;
      continue;
    }
    t.context.set_value_understood(t.understood);
    std::vector<std::string> alternatives(phi->asr_alternatives().begin(),
                                          phi->asr_alternatives().end());
    ++r.turns_replayed;
    const ev::DecisionRecorded& old = *t.decision;
    rv::Decision now =
        candidate_->Evaluate(phi->utterance(), alternatives, t.context);
    bool reproducible = true;
    if (baseline_ != nullptr) {
      rv::Decision base =
          baseline_->Evaluate(phi->utterance(), alternatives, t.context);
      if (RulesLane(base.lane()) != LaneName(old.lane()) ||
          base.rule_id() != old.rule_id() ||
          RulesAction(base.action()) != old.action()) {
        ++r.not_reproducible;
        reproducible = false;
        // The candidate decides as the policy in force does: the difference
        // from the record is not the candidate's.
        if (base.lane() == now.lane() && base.rule_id() == now.rule_id() &&
            base.action() == now.action()) {
          ++r.unchanged;
          continue;
        }
      }
    }
    SimulatedDecision s;
    s.call_id = call_id;
    s.turn = t.index;
    s.decision_id = old.decision_id();
    s.old_lane = LaneName(old.lane());
    s.old_rule_id = old.rule_id();
    s.old_action = old.action();
    s.old_request_type = old.request_type();
    s.new_lane = RulesLane(now.lane());
    s.new_rule_id = now.rule_id();
    s.new_action = RulesAction(now.action());
    s.new_request_type = now.request_type();
    s.reproducible = reproducible;
    if (s.old_lane == s.new_lane && s.old_rule_id == s.new_rule_id &&
        s.old_action == s.new_action) {
      ++r.unchanged;
      continue;
    }
    ++r.changed;
    s.utterance = phi->utterance();
    (*groups)[{s.old_lane, s.new_lane}].push_back(std::move(s));
  }
}

std::string SimulationText(const SimulationResult& r, size_t examples_per_group,
                           bool show_words) {
  std::string o = absl::StrFormat(
      "Simulation under %s: %d calls, %d turns replayed, %d would change, %d "
      "unchanged",
      r.candidate_version, r.calls, r.turns_replayed, r.changed, r.unchanged);
  if (r.turns_sealed > 0)
    absl::StrAppend(&o, ", ", r.turns_sealed, " turns not opened");
  if (r.turns_without_decision > 0) {
    absl::StrAppend(&o, ", ", r.turns_without_decision,
                    " turns without a recorded decision");
  }
  o += "\n";
  if (r.not_reproducible >= 0) {
    absl::StrAppend(&o, "Baseline check: ", r.not_reproducible,
                    " replayed turns decide differently under the policy in "
                    "force than recorded (context not fully on the log, or a "
                    "different policy version then); on those, only what the "
                    "candidate changes against that replay is listed, marked "
                    "[not reproducible]\n");
  }
  if (r.groups.empty()) o += "No decision would change.\n";
  for (const SimulationGroup& g : r.groups) {
    absl::StrAppendFormat(&o, "\n%s -> %s: %d decisions\n", g.from_lane,
                          g.to_lane, g.decisions.size());
    for (size_t i = 0; i < g.decisions.size() && i < examples_per_group; ++i) {
      const SimulatedDecision& d = g.decisions[i];
      absl::StrAppendFormat(&o, "  call %s turn %d: %s (%s) -> %s (%s)%s\n",
                            d.call_id, d.turn, d.old_rule_id, d.old_action,
                            d.new_rule_id, d.new_action,
                            d.reproducible ? "" : " [not reproducible]");
      if (show_words) absl::StrAppend(&o, "    words: \"", d.utterance, "\"\n");
    }
    if (g.decisions.size() > examples_per_group) {
      absl::StrAppend(&o, "  ... and ", g.decisions.size() - examples_per_group,
                      " more\n");
    }
  }
  return o;
}

}  // namespace frontdesk::reports
