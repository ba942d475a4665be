#include "libs/reports/policy_simulation.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/reports/crafted_log_test_util.h"

namespace frontdesk::reports {
namespace {

using testing::CraftedLog;
using ::testing::HasSubstr;
using ::testing::Not;
namespace ev = ::frontdesk::events::v1;
namespace rv = ::frontdesk::rules::v1;

std::string SampleYaml() {
  std::ifstream in(FRONTDESK_SAMPLE_POLICY);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<const rules_check::HandoffMap> MapOf(const std::string& yaml) {
  auto p = policy::ParsePolicy(yaml, "test.yaml");
  EXPECT_TRUE(p.ok()) << p.status();
  return std::make_shared<const rules_check::HandoffMap>(
      std::make_shared<const policy::ClinicPolicy>(*std::move(p)));
}

// The sample policy with general-question moved from ai_owned to ai_assisted.
std::string OneLaneChanged() {
  const std::string yaml = SampleYaml();
  const std::string from =
      "  - id: general-question\n    rule_id: RT-GENERAL\n    lane: ai_owned\n";
  const std::string to =
      "  - id: general-question\n    rule_id: RT-GENERAL\n    lane: "
      "ai_assisted\n";
  EXPECT_NE(yaml.find(from), std::string::npos);
  return absl::StrReplaceAll(yaml, {{from, to}});
}

ev::Lane EventLane(rv::Lane l) { return static_cast<ev::Lane>(l); }
std::string ActionName(rv::Action a) {
  std::string s = rv::Action_Name(a).substr(7);
  for (char& c : s) c = static_cast<char>(std::tolower(c));
  return s;
}

// Records one-turn calls whose decisions come from `map` (the policy in
// force), as rules-check would have recorded them.
void RecordCalls(CraftedLog* log, const rules_check::HandoffMap& map,
                 const std::vector<std::string>& utterances) {
  testing::Script s(log);
  int n = 0;
  for (const std::string& words : utterances) {
    const std::string call = "sim" + std::to_string(++n);
    s.Start(call);
    s.Turn(call, 1, words);
    rv::Decision d = map.Evaluate(words, {}, rv::CallContext());
    ev::DecisionRecorded r =
        s.Decision("d-" + call, 1, EventLane(d.lane()), d.rule_id(),
                   d.category(), d.request_type(), ActionName(d.action()));
    s.Decide(call, r);
    s.Reply(call, 1, r.decision_id(), "");
    s.End(call);
    s.Wait(absl::Minutes(5));
  }
}

const std::vector<std::string>& Utterances() {
  static const auto* u = new std::vector<std::string>{
      "I need a refill of my prescription",
      "where do I park",
      "I have a question about my bill",
      "what are your office hours",
      "I have chest pain",
      "can I get a copy of my medical records",
      "I am curious where you are located",
  };
  return *u;
}

TEST(PolicySimulationTest, OneLaneChangedShowsExactlyTheAffectedDecisions) {
  auto in_force = MapOf(SampleYaml());
  auto candidate = MapOf(OneLaneChanged());
  CraftedLog log;
  RecordCalls(&log, *in_force, Utterances());

  // What to expect, straight from the recorded decisions: the turns whose
  // request type is general-question.
  std::vector<std::string> expected;
  int n = 0;
  for (const std::string& words : Utterances()) {
    ++n;
    if (in_force->Evaluate(words, {}, rv::CallContext()).request_type() ==
        "general-question")
      expected.push_back("sim" + std::to_string(n));
  }
  ASSERT_GE(expected.size(), 2u);

  PolicySimulator sim(candidate, log.Opener(), in_force);
  for (const LoggedEvent& e : log.Week().events) sim.Apply(e);
  const SimulationResult r = sim.Finish();
  EXPECT_EQ(r.calls, static_cast<int>(Utterances().size()));
  EXPECT_EQ(r.turns_replayed, static_cast<int>(Utterances().size()));
  EXPECT_EQ(r.not_reproducible, 0);
  EXPECT_EQ(r.changed, static_cast<int>(expected.size()));
  EXPECT_EQ(r.unchanged, r.turns_replayed - r.changed);
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].from_lane, "ai_owned");
  EXPECT_EQ(r.groups[0].to_lane, "ai_assisted");
  std::vector<std::string> got;
  for (const SimulatedDecision& d : r.groups[0].decisions) {
    got.push_back(d.call_id);
    EXPECT_EQ(d.old_rule_id, "RT-GENERAL");
    EXPECT_EQ(d.old_action, "quote_answer");
    EXPECT_EQ(d.turn, 1u);
  }
  EXPECT_EQ(got, expected);

  const std::string text = SimulationText(r, 1, /*show_words=*/false);
  EXPECT_THAT(text, HasSubstr("ai_owned -> ai_assisted: "));
  EXPECT_THAT(text, HasSubstr("call " + expected[0] + " turn 1: RT-GENERAL"));
  EXPECT_THAT(text, Not(HasSubstr("words:")));
  EXPECT_THAT(SimulationText(r, 1, true), HasSubstr("words: \""));
}

TEST(PolicySimulationTest, SamePolicyChangesNothing) {
  auto in_force = MapOf(SampleYaml());
  CraftedLog log;
  RecordCalls(&log, *in_force, Utterances());
  PolicySimulator sim(in_force, log.Opener(), nullptr);
  for (const LoggedEvent& e : log.Week().events) sim.Apply(e);
  const SimulationResult r = sim.Finish();
  EXPECT_EQ(r.changed, 0);
  EXPECT_EQ(r.not_reproducible, -1);
  EXPECT_EQ(r.unchanged, static_cast<int>(Utterances().size()));
  EXPECT_THAT(SimulationText(r, 3, false),
              HasSubstr("No decision would change."));
}

TEST(PolicySimulationTest, RecordsThePolicyCannotReproduceAreNotChanges) {
  auto in_force = MapOf(SampleYaml());
  CraftedLog log;
  testing::Script s(&log);
  // A decision no replay of this policy gives for these words.
  s.Start("odd");
  s.Turn("odd", 1, "where do I park");
  s.Decide("odd", s.Decision("d-odd", 1, ev::LANE_HUMAN_ONLY, "HO-OLD",
                             "retired-category", "", "handoff"));
  s.End("odd");
  PolicySimulator same(in_force, log.Opener(), in_force);
  for (const LoggedEvent& e : log.Week().events) same.Apply(e);
  SimulationResult r = same.Finish();
  EXPECT_EQ(r.not_reproducible, 1);
  EXPECT_EQ(r.changed, 0);
  EXPECT_EQ(r.unchanged, 1);

  // A candidate that does change it is listed, marked.
  PolicySimulator moved(MapOf(OneLaneChanged()), log.Opener(), in_force);
  for (const LoggedEvent& e : log.Week().events) moved.Apply(e);
  r = moved.Finish();
  ASSERT_EQ(r.changed, 1);
  EXPECT_FALSE(r.groups[0].decisions[0].reproducible);
  EXPECT_THAT(SimulationText(r, 3, false), HasSubstr("[not reproducible]"));
}

TEST(PolicySimulationTest, TurnsThatCannotBeOpenedAreCounted) {
  auto in_force = MapOf(SampleYaml());
  CraftedLog log;
  RecordCalls(&log, *in_force, {"where do I park"});
  PhiOpener refuse = [](const ev::SealedPhi&, absl::string_view,
                        absl::string_view) -> absl::StatusOr<ev::PhiFields> {
    return absl::NotFoundError("no key");
  };
  PolicySimulator sim(in_force, refuse, nullptr);
  for (const LoggedEvent& e : log.Week().events) sim.Apply(e);
  const SimulationResult r = sim.Finish();
  EXPECT_EQ(r.turns_sealed, 1);
  EXPECT_EQ(r.turns_replayed, 0);
}

}  // namespace
}  // namespace frontdesk::reports
