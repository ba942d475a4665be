#include "services/rules_check/handoff_map.h"

#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace frontdesk::rules_check {
namespace {

namespace pv = ::frontdesk::policy::v1;
namespace rv = ::frontdesk::rules::v1;

std::string SamplePolicyText() {
  std::ifstream in(FRONTDESK_SAMPLE_POLICY);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<const HandoffMap> MapOf(const std::string& yaml) {
  auto p = policy::ParsePolicy(yaml, "policy.yaml");
  EXPECT_TRUE(p.ok()) << p.status();
  return std::make_shared<const HandoffMap>(
      std::make_shared<const policy::ClinicPolicy>(*std::move(p)));
}

class HandoffMapTest : public ::testing::Test {
 protected:
  void SetUp() override { map_ = MapOf(SamplePolicyText()); }
  rv::Decision Eval(const std::string& words,
                    std::vector<std::string> alternatives = {}) {
    return map_->Evaluate(words, alternatives, rv::CallContext());
  }
  std::shared_ptr<const HandoffMap> map_;
};

TEST_F(HandoffMapTest, UrgentTriggerIsHumanOnlyWithUrgentScriptAndSpan) {
  rv::Decision d = Eval("Hi, I have chest pain since noon");
  EXPECT_EQ(d.lane(), rv::LANE_HUMAN_ONLY);
  EXPECT_EQ(d.action(), rv::ACTION_URGENT_SCRIPT);
  EXPECT_EQ(d.rule_id(), "HO-URGENT-001");
  EXPECT_EQ(d.category(), "urgent-symptoms");
  EXPECT_EQ(d.trigger().phrase(), "chest pain");
  EXPECT_EQ(d.trigger().source(), "utterance");
  EXPECT_EQ(d.trigger().begin(), 11u);
  EXPECT_EQ(d.trigger().end(), 21u);
  EXPECT_EQ(d.queue(), "nurse-line");
  EXPECT_EQ(d.owner_role(), "triage-nurse");
  EXPECT_EQ(d.backup_role(), "on-call-clinician");
  EXPECT_EQ(d.claim_window_seconds(), 300u);
  EXPECT_EQ(d.say_text_id(), "urgent-script");
  EXPECT_EQ(d.say_text_version(), 2u);
  EXPECT_EQ(d.policy_version(), map_->policy().version());
  ASSERT_EQ(d.allowed_actions_size(), 2);
  EXPECT_EQ(d.allowed_actions(0), rv::ACTION_URGENT_SCRIPT);
}

TEST_F(HandoffMapTest, NegationNeverSuppressesATrigger) {
  rv::Decision d = Eval("No chest pain, just a question about parking");
  EXPECT_EQ(d.lane(), rv::LANE_HUMAN_ONLY);
  EXPECT_EQ(d.category(), "urgent-symptoms");
}

TEST_F(HandoffMapTest, ContractionsInflectionsAndNoise) {
  for (const char* words :
       {"I can't breathe", "i cant breathe", "I CANNOT BREATHE!!!",
        "I can\xE2\x80\x99t   breathe", "my son bled all night",
        "she keeps bleeding", "he fainted", "short-of-breath"}) {
    rv::Decision d = Eval(words);
    EXPECT_EQ(d.lane(), rv::LANE_HUMAN_ONLY) << words;
    EXPECT_EQ(d.category(), "urgent-symptoms") << words;
  }
}

TEST_F(HandoffMapTest, TriggerInAnAsrAlternativeCounts) {
  rv::Decision d =
      Eval("I have crest pain", {"I have chest pain", "I have crest pains"});
  EXPECT_EQ(d.lane(), rv::LANE_HUMAN_ONLY);
  EXPECT_EQ(d.trigger().source(), "asr_alternative[0]");
  EXPECT_EQ(d.trigger().begin(), 7u);
  EXPECT_EQ(d.trigger().end(), 17u);
}

TEST_F(HandoffMapTest, UrgentCategoryWinsOverEarlierNonUrgentOne) {
  rv::Decision d = Eval("my lawyer says I am suicidal");
  EXPECT_EQ(d.category(), "mental-health-crisis");
  EXPECT_EQ(d.action(), rv::ACTION_URGENT_SCRIPT);
  EXPECT_EQ(d.trigger().phrase(), "suicidal");
}

TEST_F(HandoffMapTest, WordBoundariesHold) {
  rv::Decision d = Eval("There is an issue with the painting in your lobby");
  EXPECT_NE(d.lane(), rv::LANE_HUMAN_ONLY);
}

TEST_F(HandoffMapTest, NonUrgentHumanOnlyHandsOff) {
  rv::Decision d = Eval("I'm calling my lawyer about this");
  EXPECT_EQ(d.lane(), rv::LANE_HUMAN_ONLY);
  EXPECT_EQ(d.action(), rv::ACTION_HANDOFF);
  EXPECT_EQ(d.queue(), "practice-manager");
  // The category's own wording.
  EXPECT_EQ(d.say_text_id(), "handoff-manager");
}

TEST_F(HandoffMapTest, AiAssistedConditionBeatsRequestType) {
  rv::Decision d = Eval("I'm a new patient and want to book an appointment");
  EXPECT_EQ(d.lane(), rv::LANE_AI_ASSISTED);
  EXPECT_EQ(d.category(), "new-patient");
  EXPECT_EQ(d.rule_id(), "AA-NEWPT-001");
  EXPECT_EQ(d.request_type(), "appointment-new");
}

TEST_F(HandoffMapTest, ApprovedAnswerIsAiOwned) {
  rv::Decision d = Eval("Where can I park?");
  EXPECT_EQ(d.lane(), rv::LANE_AI_OWNED);
  EXPECT_EQ(d.action(), rv::ACTION_QUOTE_ANSWER);
  EXPECT_EQ(d.rule_id(), "RT-GENERAL");
  EXPECT_EQ(d.request_type(), "general-question");
  EXPECT_EQ(d.approved_text_id(), "parking");
  EXPECT_EQ(d.say_text(), map_->policy().FindText("parking")->text());
}

TEST_F(HandoffMapTest, RequestTypesInPolicyOrder) {
  EXPECT_EQ(Eval("I need to reschedule my appointment").category(),
            "appointment-reschedule");
  EXPECT_EQ(Eval("I need a refill on my prescription").category(), "refill");
  EXPECT_EQ(Eval("I have a question about my bill").category(), "billing");
  rv::Decision d = Eval("I'd like to book a checkup");
  EXPECT_EQ(d.category(), "appointment-follow-up");
  // AI-owned in the policy, but the rollout mode does not grant scheduling.
  EXPECT_EQ(d.lane(), rv::LANE_AI_ASSISTED);
  EXPECT_EQ(d.reason(),
            "rollout mode answers does not grant scheduling; intake first: "
            "name");
  EXPECT_EQ(d.queue(), "scheduling-exceptions");
}

TEST_F(HandoffMapTest, NotUnderstoodIsACallbackNeverAiOwned) {
  rv::Decision d = Eval("Blue elephants dance quietly");
  EXPECT_EQ(d.lane(), rv::LANE_AI_ASSISTED);
  EXPECT_EQ(d.rule_id(), kDefaultRuleId);
  EXPECT_EQ(d.category(), "not-understood");
  EXPECT_EQ(d.queue(), "front-desk");
  EXPECT_EQ(d.say_text_id(), "callback");
  // A general question with no approved answer is a callback too.
  rv::Decision q = Eval("I was wondering about travel vaccines");
  EXPECT_EQ(q.lane(), rv::LANE_AI_ASSISTED);
  EXPECT_EQ(q.request_type(), "general-question");
  EXPECT_EQ(q.rule_id(), kDefaultRuleId);
}

TEST_F(HandoffMapTest, CallContextCarriesTheRequestType) {
  rv::CallContext ctx;
  ctx.set_request_type("refill");
  rv::Decision d = map_->Evaluate("yes, it's the blue one", {}, ctx);
  EXPECT_EQ(d.category(), "refill");
  EXPECT_EQ(d.queue(), "refills");
}

rv::CallContext Asking(const std::string& request_type,
                       const std::string& field, bool understood,
                       std::vector<std::string> collected = {}) {
  rv::CallContext ctx;
  ctx.set_request_type(request_type);
  ctx.set_asking_for(field);
  ctx.set_value_understood(understood);
  for (const auto& c : collected) ctx.add_collected(c);
  return ctx;
}

TEST_F(HandoffMapTest, ScopedRequestStartsWithIntake) {
  rv::Decision d = Eval("I need a refill on my blood pressure pills");
  EXPECT_EQ(d.lane(), rv::LANE_AI_ASSISTED);
  EXPECT_EQ(d.rule_id(), "RT-REFILL");
  EXPECT_EQ(d.action(), rv::ACTION_COLLECT_FIELD);
  EXPECT_EQ(d.next_field(), "name");
  EXPECT_EQ(d.say_text_id(), "ask-name");
  EXPECT_EQ(d.queue(), "refills");
  // Records: consent is asked before anything is taken.
  EXPECT_EQ(Eval("I need a copy of my medical records").next_field(),
            "consent");
  // No scope, no intake: the handoff is immediate.
  rv::Decision h = Eval("I'm really frustrated with you people");
  EXPECT_EQ(h.action(), rv::ACTION_HANDOFF);
  EXPECT_EQ(h.next_field(), "");
}

TEST_F(HandoffMapTest, IntakeStepNamesTheNextFieldThenHandsOff) {
  rv::Decision d =
      map_->Evaluate("Jane Roe", {}, Asking("refill", "name", true));
  EXPECT_EQ(d.action(), rv::ACTION_COLLECT_FIELD);
  EXPECT_EQ(d.rule_id(), "RT-REFILL");
  EXPECT_TRUE(d.allowed());
  EXPECT_EQ(d.collect_field(), "name");
  EXPECT_TRUE(d.store_field());
  EXPECT_EQ(d.next_field(), "date_of_birth");
  EXPECT_EQ(d.say_text_id(), "ask-date-of-birth");

  rv::Decision last = map_->Evaluate(
      "555 555 0123", {},
      Asking("refill", "phone", true, {"name", "date_of_birth"}));
  EXPECT_EQ(last.action(), rv::ACTION_HANDOFF);
  EXPECT_EQ(last.next_field(), "");
  EXPECT_EQ(last.queue(), "refills");
  EXPECT_EQ(last.say_text_id(), "next-refill");
}

TEST_F(HandoffMapTest, ValueNotUnderstoodIsAskedAgain) {
  rv::Decision d =
      map_->Evaluate("purple", {}, Asking("refill", "date_of_birth", false));
  EXPECT_EQ(d.action(), rv::ACTION_COLLECT_FIELD);
  EXPECT_EQ(d.next_field(), "date_of_birth");
  EXPECT_EQ(d.say_text_id(), "reask-date-of-birth");
}

TEST_F(HandoffMapTest, CallerSwitchesRequestDuringIntake) {
  rv::Decision d =
      map_->Evaluate("actually I have a question about my bill", {},
                     Asking("refill", "date_of_birth", false, {"name"}));
  EXPECT_EQ(d.category(), "billing");
  EXPECT_EQ(d.action(), rv::ACTION_COLLECT_FIELD);
  // The name is not asked twice.
  EXPECT_EQ(d.next_field(), "date_of_birth");
  // Naming the current request as well does not hide the switch.
  EXPECT_EQ(map_->Evaluate("forget the refill, I have a question about my bill",
                           {}, Asking("refill", "date_of_birth", false))
                .category(),
            "billing");
  // A value that was understood is an answer, not a switch.
  EXPECT_EQ(map_->Evaluate("Bill Smith", {}, Asking("refill", "name", true))
                .collect_field(),
            "name");
}

TEST_F(HandoffMapTest, UrgentWinsDuringIntake) {
  rv::Decision d =
      map_->Evaluate("my chest pain is getting worse", {},
                     Asking("refill", "date_of_birth", true, {"name"}));
  EXPECT_EQ(d.action(), rv::ACTION_URGENT_SCRIPT);
  EXPECT_EQ(d.collect_field(), "");
}

TEST_F(HandoffMapTest, ANameIsCheckedForUrgentTriggersOnly) {
  rv::Decision sue =
      map_->Evaluate("Sue Roe", {}, Asking("refill", "name", true));
  EXPECT_EQ(sue.action(), rv::ACTION_COLLECT_FIELD);
  EXPECT_EQ(sue.collect_field(), "name");
  // Not read as a name: the trigger counts.
  EXPECT_EQ(
      map_->Evaluate("I will sue you", {}, Asking("refill", "name", false))
          .category(),
      "legal-threat");
  // And urgent triggers count even in a name.
  EXPECT_EQ(
      map_->Evaluate("chest pain", {}, Asking("refill", "name", true)).action(),
      rv::ACTION_URGENT_SCRIPT);
}

TEST_F(HandoffMapTest, FieldOutsideThePhiScopeIsRefused) {
  rv::Decision d = map_->Evaluate("March 3 1980", {},
                                  Asking("callback", "date_of_birth", true));
  EXPECT_FALSE(d.allowed());
  EXPECT_EQ(d.rule_id(), "AUTH-COLLECT-FIELD");
  EXPECT_EQ(d.action(), rv::ACTION_HANDOFF);
  EXPECT_EQ(d.reason(),
            "the PHI scope of callback does not collect date_of_birth");
}

TEST_F(HandoffMapTest, ClosingOnlyAnswersAnythingElse) {
  EXPECT_NE(Eval("no thanks").action(), rv::ACTION_CLOSE_CALL);
  rv::CallContext ctx;
  ctx.set_asking_for(kAskingAnythingElse);
  rv::Decision d = map_->Evaluate("no thanks", {}, ctx);
  EXPECT_EQ(d.action(), rv::ACTION_CLOSE_CALL);
  EXPECT_EQ(d.rule_id(), "RT-END-CALL");
  EXPECT_EQ(d.say_text_id(), "goodbye");
  // The request before "anything else?" is done: a turn nothing fits is
  // not taken as more of it.
  rv::CallContext after_refill = ctx;
  after_refill.set_request_type("refill");
  EXPECT_EQ(map_->Evaluate("blue elephants", {}, after_refill).category(),
            "not-understood");
  // Another request wins over the "no".
  EXPECT_EQ(map_->Evaluate("no, but I need a refill", {}, ctx).category(),
            "refill");
}

TEST(HandoffMapRolloutTest, CaptureOnlyAnswersNothing) {
  std::string yaml = SamplePolicyText();
  yaml.replace(yaml.find("rollout_mode: answers"), 21,
               "rollout_mode: capture_only");
  auto map = MapOf(yaml);
  rv::Decision d = map->Evaluate("What are your hours?", {}, rv::CallContext());
  EXPECT_EQ(d.lane(), rv::LANE_AI_ASSISTED);
  EXPECT_EQ(d.action(), rv::ACTION_HANDOFF);
  EXPECT_EQ(d.reason(), "rollout mode capture_only does not grant answers");
  // The urgent script is still said.
  EXPECT_EQ(map->Evaluate("chest pain", {}, rv::CallContext()).action(),
            rv::ACTION_URGENT_SCRIPT);
}

TEST_F(HandoffMapTest, AuthorizeFollowsThePolicy) {
  rv::ProposedAction quote;
  quote.mutable_quote_answer()->set_text_id("parking");
  auto d = map_->Authorize(quote);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->allowed());
  EXPECT_EQ(d->lane(), rv::LANE_AI_OWNED);

  quote.mutable_quote_answer()->set_text_id("greeting");
  d = map_->Authorize(quote);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->allowed());
  EXPECT_EQ(d->reason(), "not an approved answer in this policy");

  rv::ProposedAction collect;
  collect.mutable_collect_field()->set_request_type("refill");
  collect.mutable_collect_field()->set_field("date_of_birth");
  d = map_->Authorize(collect);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->allowed());
  collect.mutable_collect_field()->set_request_type("general-question");
  d = map_->Authorize(collect);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->allowed());
  EXPECT_EQ(d->reason(),
            "the PHI scope of general-question does not collect date_of_birth");
  collect.mutable_collect_field()->set_field("shoe_size");
  EXPECT_EQ(map_->Authorize(collect).status().code(),
            absl::StatusCode::kInvalidArgument);

  rv::ProposedAction book;
  book.mutable_book_slot()->set_visit_type("follow-up");
  book.mutable_book_slot()->set_clinician("dr-patel");
  d = map_->Authorize(book);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->allowed());
  EXPECT_EQ(d->queue(), "scheduling-exceptions");
  EXPECT_EQ(d->reason(), "rollout mode answers does not grant scheduling");

  EXPECT_EQ(map_->Authorize(rv::ProposedAction()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(HandoffMapRolloutTest, SchedulingModeBooksOnlyAiOwnedVisitTypes) {
  std::string yaml = SamplePolicyText();
  yaml.replace(yaml.find("rollout_mode: answers"), 21,
               "rollout_mode: scheduling");
  auto map = MapOf(yaml);
  rv::ProposedAction book;
  book.mutable_book_slot()->set_visit_type("follow-up");
  book.mutable_book_slot()->set_clinician("dr-patel");
  auto d = map->Authorize(book);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->allowed());
  book.mutable_book_slot()->set_visit_type("new-patient");
  d = map->Authorize(book);
  EXPECT_FALSE(d->allowed());
  EXPECT_EQ(d->reason(), "visit type new-patient needs a person to confirm");
  book.mutable_book_slot()->set_visit_type("procedure");
  book.mutable_book_slot()->set_clinician("dr-patel");
  EXPECT_FALSE(map->Authorize(book)->allowed());
  EXPECT_EQ(map->Evaluate("I need a follow up", {}, rv::CallContext()).lane(),
            rv::LANE_AI_OWNED);
}

TEST(HandoffMapRolloutTest, AProcedureIsNeverBookedByTheAgent) {
  std::string yaml = SamplePolicyText();
  yaml.replace(yaml.find("rollout_mode: answers"), 21,
               "rollout_mode: scheduling");
  // Even when its own lane says ai_owned.
  const std::string from = "{id: procedure, minutes: 45, lane: ai_assisted,";
  ASSERT_NE(yaml.find(from), std::string::npos);
  yaml.replace(yaml.find(from), from.size(),
               "{id: procedure, minutes: 45, lane: ai_owned,");
  auto map = MapOf(yaml);
  rv::ProposedAction book;
  book.mutable_book_slot()->set_visit_type("procedure");
  book.mutable_book_slot()->set_clinician("dr-nguyen");
  auto d = map->Authorize(book);
  ASSERT_TRUE(d.ok());
  EXPECT_FALSE(d->allowed());
  EXPECT_EQ(d->reason(), "visit type procedure needs a person to confirm");
  EXPECT_EQ(d->queue(), "scheduling-exceptions");
}

// Property: any trigger phrase, anywhere in a benign sentence, with random
// casing and punctuation, is human-only, and urgent categories say the
// urgent script.
TEST_F(HandoffMapTest, PropertyTriggerAnywhereIsHumanOnly) {
  const std::vector<std::string> filler = {
      "well",  "so",     "um",       "hello", "yesterday", "my",    "the",
      "and",   "then",   "we",       "were",  "at",        "home",  "kitchen",
      "after", "dinner", "thursday", "okay",  "honestly",  "maybe", "friend"};
  const std::vector<std::string> noise = {" ",  ", ",  "... ", "! ",
                                          "? ", " - ", "  "};
  std::mt19937 rng(20261127);
  const pv::Policy& p = map_->policy().proto();
  int checked = 0;
  for (const auto& category : p.human_only()) {
    for (const auto& trigger : category.triggers()) {
      for (int round = 0; round < 8; ++round) {
        std::vector<std::string> words;
        const int n = 3 + static_cast<int>(rng() % 12);
        for (int i = 0; i < n; ++i)
          words.push_back(filler[rng() % filler.size()]);
        std::string phrase = trigger;
        for (char& c : phrase) {
          if (rng() % 2) c = absl::ascii_toupper(static_cast<unsigned char>(c));
        }
        if (rng() % 3 == 0) {
          for (char& c : phrase) {
            if (c == ' ') c = '-';
          }
        }
        words.insert(
            words.begin() + static_cast<long>(rng() % (words.size() + 1)),
            phrase);
        std::string sentence;
        for (const auto& w : words) sentence += w + noise[rng() % noise.size()];
        rv::Decision d = Eval(sentence);
        ASSERT_EQ(d.lane(), rv::LANE_HUMAN_ONLY) << sentence;
        if (category.urgent()) {
          ASSERT_EQ(d.action(), rv::ACTION_URGENT_SCRIPT) << sentence;
        }
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

// The corpus: tests/rules/utterance_corpus.tsv, one "lane<TAB>category<TAB>
// utterance" per line.
TEST_F(HandoffMapTest, CorpusGetsTheExpectedLaneAndCategory) {
  std::ifstream in(FRONTDESK_UTTERANCE_CORPUS);
  ASSERT_TRUE(in) << FRONTDESK_UTTERANCE_CORPUS;
  std::string line;
  int lines = 0;
  int n = 0;
  while (std::getline(in, line)) {
    ++lines;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols = absl::StrSplit(line, '\t');
    ASSERT_EQ(cols.size(), 3u) << "line " << lines << ": " << line;
    rv::Decision d = Eval(cols[2]);
    const std::string lane = absl::AsciiStrToLower(
        rv::Lane_Name(d.lane()).substr(std::string("LANE_").size()));
    EXPECT_EQ(lane, cols[0]) << "line " << lines << ": " << cols[2];
    EXPECT_EQ(d.category(), cols[1]) << "line " << lines << ": " << cols[2];
    ++n;
  }
  EXPECT_GE(n, 300);
}

}  // namespace
}  // namespace frontdesk::rules_check
