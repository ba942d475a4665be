#include "services/answer/call_agent.h"

#include <map>
#include <sstream>

#include "frontdesk/events/v1/call_events.pb.h"
#include "gtest/gtest.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/chain_verifier.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/phi/in_memory_tenant_keys.h"
#include "services/handoff_prep/handoff_preparer.h"
#include "services/rules_check/rules_checker.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace frontdesk::answer {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace rv = ::frontdesk::rules::v1;

constexpr char kTenant[] = "sunrise-family-medicine";

// In-process rules-check: the real checker over the in-memory log.
class InProcessRules : public RulesClient {
 public:
  explicit InProcessRules(rules_check::RulesChecker* checker)
      : checker_(checker) {}
  absl::StatusOr<rv::Decision> Evaluate(const rv::EvaluateRequest& request,
                                        absl::Duration) override {
    ++calls;
    if (!down.ok()) return down;
    return checker_->Evaluate(request);
  }
  int calls = 0;
  absl::Status down;

 private:
  rules_check::RulesChecker* checker_;
};

// In-process handoff-prep: the real preparer over the in-memory log.
class InProcessHandoff : public HandoffClient {
 public:
  explicit InProcessHandoff(handoff_prep::HandoffPreparer* p) : preparer_(p) {}
  absl::StatusOr<hv::PrepareResponse> Prepare(const hv::PrepareRequest& request,
                                              absl::Duration) override {
    ++calls;
    if (!down.ok()) return down;
    auto r = preparer_->Prepare(request);
    if (!r.ok()) return r.status();
    hv::PrepareResponse response;
    *response.mutable_packet() = r->packet;
    response.set_duplicate(r->duplicate);
    return response;
  }
  int calls = 0;
  absl::Status down;

 private:
  handoff_prep::HandoffPreparer* preparer_;
};

ev::Producer Producer(const std::string& service) {
  ev::Producer p;
  p.set_service(service);
  p.set_instance(service + "-1");
  return p;
}

class CallAgentTest : public ::testing::Test {
 protected:
  CallAgentTest()
      : clock_(absl::FromUnixSeconds(1800000000)),
        answer_chain_(Producer("answer"), &clock_),
        rules_chain_(Producer("rules-check"), &clock_),
        handoff_chain_(Producer("handoff-prep"), &clock_),
        sealer_(*phi::PhiSealer::FromKey(std::string(32, 'k'))) {}

  void SetUp() override {
    auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = std::make_shared<const policy::ClinicPolicy>(*std::move(p));
    checker_ = std::make_unique<rules_check::RulesChecker>(
        std::make_shared<const rules_check::HandoffMap>(policy_), &log_,
        &rules_chain_, absl::Seconds(2));
    preparer_ = std::make_unique<handoff_prep::HandoffPreparer>(
        policy_, &log_, &handoff_chain_, &sealer_, &clock_, absl::Seconds(2));
    rules_ = std::make_unique<InProcessRules>(checker_.get());
    handoff_ = std::make_unique<InProcessHandoff>(preparer_.get());
    agent_ = std::make_unique<CallAgent>(policy_, &log_, &answer_chain_,
                                         &sealer_, rules_.get(), handoff_.get(),
                                         AgentOptions{});
  }

  std::string Start(const std::string& number = "+1 555 555 0123") {
    av::StartCallRequest r;
    r.set_tenant_id(kTenant);
    r.set_channel(av::CHANNEL_VOICE);
    r.set_reason(av::CALL_REASON_AFTER_HOURS);
    r.set_caller_number(number);
    auto started = agent_->StartCall(r);
    EXPECT_TRUE(started.ok()) << started.status();
    EXPECT_FALSE(started->fallback());
    return started->call_id();
  }

  absl::StatusOr<av::TurnResponse> Say(const std::string& call_id,
                                       const std::string& words) {
    av::TurnRequest r;
    r.set_call_id(call_id);
    r.set_utterance(words);
    return agent_->Turn(r);
  }

  // Event types on the calls topic for `call_id`, in log order.
  std::vector<std::string> Timeline(const std::string& call_id) {
    std::vector<std::string> out;
    for (const auto& r : log_.Topic(kafka::kCallsTopic)) {
      if (r.key != call_id) continue;
      auto e = events::OpenEnvelopeBytes(r.value);
      EXPECT_TRUE(e.ok());
      out.push_back(events::EventTypeName(e->body.type()));
    }
    return out;
  }

  FakeClock clock_;
  events::EventChain answer_chain_;
  events::EventChain rules_chain_;
  events::EventChain handoff_chain_;
  phi::PhiSealer sealer_;
  eventlog::InMemoryEventLog log_;
  std::shared_ptr<const policy::ClinicPolicy> policy_;
  std::unique_ptr<rules_check::RulesChecker> checker_;
  std::unique_ptr<handoff_prep::HandoffPreparer> preparer_;
  std::unique_ptr<InProcessRules> rules_;
  std::unique_ptr<InProcessHandoff> handoff_;
  std::unique_ptr<CallAgent> agent_;
};

TEST_F(CallAgentTest, QuestionIsAnsweredWithApprovedTextOnTheRecord) {
  const std::string id = Start();
  auto reply = Say(id, "Hi, this is Jane, what are your hours?");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_FALSE(reply->fallback());
  EXPECT_EQ(reply->reply(), policy_->FindText("office-hours")->text() + " " +
                                policy_->FindText("anything-else")->text());
  ASSERT_EQ(reply->quoted_texts_size(), 2);
  EXPECT_EQ(reply->quoted_texts(0), "office-hours@3");
  EXPECT_EQ(reply->quoted_texts(1), "anything-else@1");
  EXPECT_EQ(reply->asking_for(), "anything_else");
  EXPECT_FALSE(reply->decision_id().empty());
  EXPECT_EQ(reply->lane(), "ai_owned");
  EXPECT_EQ(reply->rule_id(), "RT-GENERAL");
  EXPECT_TRUE(reply->handoff_id().empty());
  EXPECT_FALSE(reply->call_over());
  EXPECT_EQ(Timeline(id),
            (std::vector<std::string>{"CallStarted", "TurnReceived",
                                      "DecisionRecorded", "ReplyGiven"}));
  ASSERT_TRUE(agent_
                  ->EndCall([&] {
                    av::EndCallRequest r;
                    r.set_call_id(id);
                    return r;
                  }())
                  .ok());
  EXPECT_EQ(Timeline(id).back(), "CallEnded");
  EXPECT_EQ(agent_->active_calls(), 0u);

  // Every chain verifies, and the caller's words and number are sealed.
  events::ChainVerifier verifier(id);
  for (const auto& r : log_.Topic(kafka::kCallsTopic)) {
    EXPECT_EQ(r.value.find("Jane"), std::string::npos);
    EXPECT_EQ(r.value.find("555 555 0123"), std::string::npos);
    if (r.key == id) {
      ASSERT_TRUE(verifier.Add(r.value, "x").ok());
    }
  }
  EXPECT_TRUE(verifier.findings().empty());
  EXPECT_EQ(verifier.producers(), 2u);
}

TEST_F(CallAgentTest, ChestPainSaysUrgentScriptAndAlertsNurseQueue) {
  const std::string id = Start();
  auto reply = Say(id, "I have chest pain");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->reply(), policy_->FindText("urgent-script")->text());
  EXPECT_EQ(reply->quoted_texts(0), "urgent-script@2");
  EXPECT_EQ(reply->state(), av::CALL_STATE_ESCALATED);
  EXPECT_FALSE(reply->handoff_id().empty());
  EXPECT_EQ(Timeline(id), (std::vector<std::string>{
                              "CallStarted", "TurnReceived", "DecisionRecorded",
                              "HandoffPrepared", "ReplyGiven"}));
  auto queue = log_.Topic("frontdesk.handoff.nurse-line.v1");
  ASSERT_EQ(queue.size(), 1u);
  hv::HandoffPacket packet;
  ASSERT_TRUE(packet.ParseFromString(queue[0].value));
  EXPECT_EQ(packet.handoff_id(), reply->handoff_id());
  EXPECT_EQ(packet.patient_told(), reply->reply());
  auto words = sealer_.Open(packet.sealed_phi(), kTenant, id);
  ASSERT_TRUE(words.ok());
  EXPECT_EQ(words->utterance(), "I have chest pain");

  // Normal handling has stopped: every further turn gets the
  // post-escalation wording, under the escalation's decision.
  const int evaluations = rules_->calls;
  auto after = Say(id, "what are your hours");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(after->reply(), policy_->FindText("post-escalation")->text());
  EXPECT_EQ(after->state(), av::CALL_STATE_ESCALATED);
  EXPECT_EQ(after->decision_id(), reply->decision_id());
  EXPECT_EQ(rules_->calls, evaluations);
  EXPECT_EQ(log_.Topic("frontdesk.handoff.nurse-line.v1").size(), 1u);
}

TEST_F(CallAgentTest, TurnResponseNamesItsAcknowledgedEvents) {
  const std::string id = Start();
  // answer's own events of each turn, by id, in log order.
  auto answer_events = [&](ev::EventType type) {
    std::vector<std::string> out;
    for (const auto& r : log_.Topic(kafka::kCallsTopic)) {
      auto e = events::OpenEnvelopeBytes(r.value);
      if (r.key == id && e.ok() && e->body.type() == type)
        out.push_back(e->body.event_id());
    }
    return out;
  };
  auto first = Say(id, "what are your hours");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(std::vector<std::string>(first->event_ids().begin(),
                                     first->event_ids().end()),
            (std::vector<std::string>{
                answer_events(ev::EVENT_TYPE_TURN_RECEIVED).at(0),
                answer_events(ev::EVENT_TYPE_REPLY_GIVEN).at(0)}));
  // After the urgent script, the post-escalation reply names its own two.
  ASSERT_TRUE(Say(id, "I have chest pain").ok());
  auto after = Say(id, "hello?");
  ASSERT_TRUE(after.ok()) << after.status();
  ASSERT_EQ(after->event_ids_size(), 2);
  EXPECT_EQ(after->event_ids(0),
            answer_events(ev::EVENT_TYPE_TURN_RECEIVED).at(2));
  EXPECT_EQ(after->event_ids(1),
            answer_events(ev::EVENT_TYPE_REPLY_GIVEN).at(2));
  // A fallback names none: its events were not acknowledged.
  log_.SetAvailable(false);
  auto failed = Say(id, "are you there");
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_TRUE(failed->fallback());
  EXPECT_TRUE(failed->event_ids().empty());
  log_.SetAvailable(true);
}

TEST_F(CallAgentTest, UnacknowledgedEventGivesFallbackAndNoAction) {
  const std::string id = Start();
  log_.SetAvailable(false);
  auto reply = Say(id, "I have chest pain");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_TRUE(reply->fallback());
  EXPECT_EQ(reply->reply(), policy_->FindText("fallback")->text());
  EXPECT_TRUE(reply->handoff_id().empty());
  EXPECT_TRUE(reply->decision_id().empty());
  EXPECT_FALSE(reply->call_over());
  EXPECT_EQ(rules_->calls, 0);
  EXPECT_EQ(handoff_->calls, 0);
  // Nothing of the failed turn is lost: it is queued, then delivered.
  EXPECT_EQ(log_.pending(), 3u);
  log_.SetAvailable(true);
  EXPECT_EQ(Timeline(id),
            (std::vector<std::string>{"CallStarted", "TurnReceived",
                                      "TurnFailed", "ReplyGiven"}));
  // And the next turn works again.
  auto next = Say(id, "where do I park");
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->fallback());
  EXPECT_EQ(next->quoted_texts(0), "parking@1");
}

TEST_F(CallAgentTest, RulesCheckDownGivesFallbackAndAttemptsAHandoff) {
  const std::string id = Start();
  rules_->down = absl::UnavailableError("rules-check: connection refused");
  auto reply = Say(id, "I am calling my lawyer");
  ASSERT_TRUE(reply.ok());
  EXPECT_TRUE(reply->fallback());
  EXPECT_EQ(reply->reply(), policy_->FindText("fallback")->text());
  EXPECT_TRUE(reply->decision_id().empty());
  ASSERT_EQ(handoff_->calls, 1);
  EXPECT_FALSE(reply->handoff_id().empty());
  EXPECT_EQ(Timeline(id), (std::vector<std::string>{
                              "CallStarted", "TurnReceived", "DecisionRecorded",
                              "HandoffPrepared", "TurnFailed", "ReplyGiven"}));
  // The handoff cites answer's own fail-closed decision, on the record.
  auto records = log_.Topic(kafka::kCallsTopic);
  auto decision = events::OpenEnvelopeBytes(records[records.size() - 4].value);
  ASSERT_TRUE(decision.ok());
  EXPECT_EQ(decision->body.producer().service(), "answer");
  ev::DecisionRecorded rec;
  ASSERT_TRUE(rec.ParseFromString(decision->body.payload()));
  EXPECT_EQ(rec.rule_id(), kFailClosedRuleId);
  EXPECT_EQ(rec.lane(), ev::LANE_AI_ASSISTED);
  EXPECT_EQ(rec.queue(), "front-desk");
  auto queue = log_.Topic("frontdesk.handoff.front-desk.v1");
  ASSERT_EQ(queue.size(), 1u);
  hv::HandoffPacket packet;
  ASSERT_TRUE(packet.ParseFromString(queue[0].value));
  EXPECT_EQ(packet.decision_id(), rec.decision_id());
  EXPECT_EQ(packet.handoff_id(), reply->handoff_id());
}

TEST_F(CallAgentTest, TriggerInAnAsrAlternativeEscalates) {
  const std::string id = Start();
  av::TurnRequest r;
  r.set_call_id(id);
  r.set_utterance("I have crest pain");
  r.add_asr_alternatives("I have chest pain");
  r.set_confidence(0.42f);
  auto reply = agent_->Turn(r);
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->quoted_texts(0), "urgent-script@2");
  EXPECT_EQ(reply->state(), av::CALL_STATE_ESCALATED);
  r.set_confidence(1.5f);
  EXPECT_EQ(agent_->Turn(r).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CallAgentTest, RefillIntakeReadsBackTheDateAndHandsOffSealed) {
  const std::string id = Start();
  auto r = Say(id, "I need a refill of my blood pressure pills");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->state(), av::CALL_STATE_INTAKE);
  EXPECT_EQ(r->asking_for(), "name");
  EXPECT_EQ(r->quoted_texts(0), "ask-name@1");
  EXPECT_TRUE(r->handoff_id().empty());

  r = Say(id, "Jane Roe");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->asking_for(), "date_of_birth");

  r = Say(id, "the third of March eighty");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state(), av::CALL_STATE_CONFIRM);
  EXPECT_EQ(r->asking_for(), "date_of_birth");
  EXPECT_EQ(r->reply(),
            "I have your date of birth as March 3, 1980. Is that right?");
  EXPECT_EQ(r->quoted_texts(0), "read-back-date-of-birth@1");

  r = Say(id, "yes that's right");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->asking_for(), "phone");

  r = Say(id, "five five five, eight six seven, five three oh nine");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->handoff_id().empty());
  EXPECT_EQ(r->quoted_texts(0), "next-refill@1");
  EXPECT_EQ(r->quoted_texts(1), "anything-else@1");
  EXPECT_EQ(r->asking_for(), "anything_else");

  auto queue = log_.Topic("frontdesk.handoff.refills.v1");
  ASSERT_EQ(queue.size(), 1u);
  hv::HandoffPacket packet;
  ASSERT_TRUE(packet.ParseFromString(queue[0].value));
  EXPECT_EQ(packet.request_type(), "refill");
  EXPECT_EQ(queue[0].value.find("Roe"), std::string::npos);
  auto phi = sealer_.Open(packet.sealed_phi(), kTenant, id);
  ASSERT_TRUE(phi.ok());
  std::map<std::string, std::string> intake;
  for (const auto& v : phi->intake()) intake[v.field()] = v.value();
  EXPECT_EQ(intake,
            (std::map<std::string, std::string>{{"name", "Jane Roe"},
                                                {"date_of_birth", "1980-03-03"},
                                                {"phone", "+15558675309"}}));

  r = Say(id, "no thanks");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->call_over());
  EXPECT_EQ(r->state(), av::CALL_STATE_CLOSED);
  EXPECT_EQ(r->quoted_texts(0), "goodbye@1");
  EXPECT_EQ(Say(id, "hello?").status().code(),
            absl::StatusCode::kFailedPrecondition);

  // The read-back and the values are sealed on the log; the outcomes are not.
  std::vector<std::string> outcomes;
  for (const auto& rec : log_.Topic(kafka::kCallsTopic)) {
    if (rec.key != id) continue;
    EXPECT_EQ(rec.value.find("Roe"), std::string::npos);
    EXPECT_EQ(rec.value.find("March 3"), std::string::npos);
    // (Not "1980" alone: ids are hex and may hold those digits.)
    EXPECT_EQ(rec.value.find("1980-03-03"), std::string::npos);
    EXPECT_EQ(rec.value.find("5558675309"), std::string::npos);
    auto e = events::OpenEnvelopeBytes(rec.value);
    ASSERT_TRUE(e.ok());
    if (e->body.type() != ev::EVENT_TYPE_FIELD_COLLECTED) continue;
    ev::FieldCollected fc;
    ASSERT_TRUE(fc.ParseFromString(e->body.payload()));
    EXPECT_FALSE(fc.decision_id().empty());
    outcomes.push_back(fc.field() + ":" +
                       ev::FieldCollected::Outcome_Name(fc.outcome()));
  }
  EXPECT_EQ(outcomes,
            (std::vector<std::string>{
                "name:OUTCOME_ACCEPTED", "date_of_birth:OUTCOME_READ_BACK",
                "date_of_birth:OUTCOME_CONFIRMED", "phone:OUTCOME_ACCEPTED"}));
}

TEST_F(CallAgentTest, InvalidValueIsAskedAgainThenHandedOffAfterThreeTries) {
  const std::string id = Start();
  ASSERT_TRUE(Say(id, "I need a refill").ok());
  ASSERT_TRUE(Say(id, "Jane Roe").ok());
  auto r = Say(id, "February 30th 1980");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->quoted_texts(0), "reask-date-of-birth@1");
  EXPECT_EQ(r->asking_for(), "date_of_birth");
  r = Say(id, "March 3rd 2090");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->quoted_texts(0), "reask-date-of-birth@1");
  r = Say(id, "1980-03-03");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->state(), av::CALL_STATE_CONFIRM);
  ASSERT_TRUE(Say(id, "yes").ok());
  for (int i = 0; i < 2; ++i) {
    r = Say(id, "I don't know it");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->quoted_texts(0), "reask-phone@1");
    EXPECT_TRUE(r->handoff_id().empty());
  }
  r = Say(id, "sorry, no idea");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->quoted_texts(0), "intake-gave-up@1");
  EXPECT_FALSE(r->handoff_id().empty());
  auto queue = log_.Topic("frontdesk.handoff.refills.v1");
  ASSERT_EQ(queue.size(), 1u);
  hv::HandoffPacket packet;
  ASSERT_TRUE(packet.ParseFromString(queue[0].value));
  auto phi = sealer_.Open(packet.sealed_phi(), kTenant, id);
  ASSERT_TRUE(phi.ok());
  EXPECT_EQ(phi->intake_size(), 2);
  // The refusals are on the record with a code, never the value.
  std::vector<std::string> reasons;
  for (const auto& rec : log_.Topic(kafka::kCallsTopic)) {
    auto e = events::OpenEnvelopeBytes(rec.value);
    if (rec.key != id || e->body.type() != ev::EVENT_TYPE_FIELD_COLLECTED)
      continue;
    ev::FieldCollected fc;
    ASSERT_TRUE(fc.ParseFromString(e->body.payload()));
    if (fc.outcome() == ev::FieldCollected::OUTCOME_REJECTED)
      reasons.push_back(fc.reason());
  }
  EXPECT_EQ(reasons, (std::vector<std::string>{
                         "impossible_date", "future_date", "not_understood",
                         "not_understood", "not_understood"}));
}

TEST_F(CallAgentTest, ConsentRefusalIsRespectedAndRecorded) {
  const std::string id = Start();
  auto r = Say(id, "I need a copy of my medical records");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->asking_for(), "consent");
  EXPECT_EQ(r->quoted_texts(0), "ask-consent-records@1");
  r = Say(id, "no, I don't agree");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->quoted_texts(0), "consent-declined@1");
  EXPECT_FALSE(r->handoff_id().empty());
  auto queue = log_.Topic("frontdesk.handoff.records.v1");
  ASSERT_EQ(queue.size(), 1u);
  hv::HandoffPacket packet;
  ASSERT_TRUE(packet.ParseFromString(queue[0].value));
  EXPECT_TRUE(packet.consent_declined());
  auto phi = sealer_.Open(packet.sealed_phi(), kTenant, id);
  ASSERT_TRUE(phi.ok());
  EXPECT_EQ(phi->intake_size(), 0);
}

TEST_F(CallAgentTest, UrgentInTheMiddleOfIntakeStopsIt) {
  const std::string id = Start();
  ASSERT_TRUE(Say(id, "I need a refill").ok());
  ASSERT_TRUE(Say(id, "Jane Roe").ok());
  auto r = Say(id, "wait, my chest pain is back and it's bad");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->quoted_texts(0), "urgent-script@2");
  EXPECT_EQ(r->state(), av::CALL_STATE_ESCALATED);
  EXPECT_EQ(r->asking_for(), "");
  ASSERT_EQ(log_.Topic("frontdesk.handoff.nurse-line.v1").size(), 1u);
  // The refill scope does not send PHI to the nurse line: no intake values.
  hv::HandoffPacket packet;
  ASSERT_TRUE(packet.ParseFromString(
      log_.Topic("frontdesk.handoff.nurse-line.v1")[0].value));
  auto phi = sealer_.Open(packet.sealed_phi(), kTenant, id);
  ASSERT_TRUE(phi.ok());
  EXPECT_EQ(phi->intake_size(), 0);
  r = Say(id, "March 3rd 1980");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->quoted_texts(0), "post-escalation@1");
  EXPECT_EQ(log_.Topic("frontdesk.handoff.refills.v1").size(), 0u);
}

TEST_F(CallAgentTest, CallerSwitchesRequestsWithoutBeingAskedTwice) {
  const std::string id = Start();
  ASSERT_TRUE(Say(id, "I need a refill").ok());
  ASSERT_TRUE(Say(id, "Jane Roe").ok());
  auto r = Say(id, "actually never mind that, I have a question about my bill");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rule_id(), "RT-BILLING");
  EXPECT_EQ(r->asking_for(), "date_of_birth");
}

TEST_F(CallAgentTest, UnansweredQuestionIsKeptSealedForTheWeeklyReview) {
  const std::string id = Start();
  auto r = Say(id, "Do you do travel vaccines for Peru?");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->quoted_texts(0), "callback@1");
  EXPECT_FALSE(r->handoff_id().empty());
  int unanswered = 0;
  for (const auto& rec : log_.Topic(kafka::kCallsTopic)) {
    if (rec.key != id) continue;
    EXPECT_EQ(rec.value.find("Peru"), std::string::npos);
    auto e = events::OpenEnvelopeBytes(rec.value);
    ASSERT_TRUE(e.ok());
    if (e->body.type() != ev::EVENT_TYPE_QUESTION_UNANSWERED) continue;
    ++unanswered;
    ev::QuestionUnanswered q;
    ASSERT_TRUE(q.ParseFromString(e->body.payload()));
    EXPECT_EQ(q.offered(), "callback");
    EXPECT_EQ(q.handoff_id(), r->handoff_id());
    auto phi = sealer_.Open(e->body.sealed_phi(), kTenant, id);
    ASSERT_TRUE(phi.ok());
    EXPECT_EQ(phi->utterance(), "Do you do travel vaccines for Peru?");
  }
  EXPECT_EQ(unanswered, 1);
}

TEST_F(CallAgentTest, HandoffDownGivesFallbackNotAFalseClaim) {
  const std::string id = Start();
  handoff_->down = absl::DeadlineExceededError("handoff-prep: deadline");
  auto reply = Say(id, "Do you do travel vaccines?");
  ASSERT_TRUE(reply.ok());
  EXPECT_TRUE(reply->fallback());
  EXPECT_EQ(reply->reply(), policy_->FindText("fallback")->text());
  EXPECT_TRUE(reply->handoff_id().empty());
}

TEST_F(CallAgentTest, StartCallFallsBackWhenItCannotBeRecorded) {
  log_.SetAvailable(false);
  av::StartCallRequest r;
  r.set_tenant_id(kTenant);
  auto started = agent_->StartCall(r);
  ASSERT_TRUE(started.ok());
  EXPECT_TRUE(started->fallback());
  EXPECT_TRUE(started->call_id().empty());
  EXPECT_EQ(started->greeting(), policy_->FindText("fallback")->text());
  EXPECT_EQ(agent_->active_calls(), 0u);
}

TEST_F(CallAgentTest, UnknownEnumNumbersAreRefusedAndNoCallOpens) {
  av::StartCallRequest start;
  start.set_tenant_id(kTenant);
  start.set_channel(static_cast<av::Channel>(99));
  auto channel = agent_->StartCall(start);
  EXPECT_EQ(channel.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(channel.status().message()),
            "channel: not a known Channel value");
  start.set_channel(av::CHANNEL_SMS);
  start.set_direction(static_cast<av::Direction>(99));
  EXPECT_EQ(std::string(agent_->StartCall(start).status().message()),
            "direction: not a known Direction value");
  start.set_direction(av::DIRECTION_INBOUND);
  start.set_reason(static_cast<av::CallReason>(-1));
  EXPECT_EQ(std::string(agent_->StartCall(start).status().message()),
            "reason: not a known CallReason value");
  EXPECT_EQ(agent_->active_calls(), 0u);
  EXPECT_TRUE(log_.Topic(kafka::kCallsTopic).empty());
  start.set_reason(av::CALL_REASON_OVERFLOW);
  EXPECT_TRUE(agent_->StartCall(start).ok());
}

TEST_F(CallAgentTest, BadInputIsRejectedWithTheFieldNamed) {
  av::StartCallRequest start;
  auto no_tenant = agent_->StartCall(start);
  EXPECT_EQ(no_tenant.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(no_tenant.status().message()), "tenant_id: required");
  start.set_tenant_id("another-clinic");
  EXPECT_EQ(agent_->StartCall(start).status().code(),
            absl::StatusCode::kNotFound);
  start.set_tenant_id(kTenant);
  start.set_caller_number("call me maybe");
  EXPECT_EQ(agent_->StartCall(start).status().code(),
            absl::StatusCode::kInvalidArgument);

  auto unknown = Say("no-such-call", "hello");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(unknown.status().message()),
            "call_id: no active call with this id");
  const std::string id = Start();
  auto empty = Say(id, "");
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(empty.status().message()), "utterance: required");
  auto huge = Say(id, std::string(2001, 'x'));
  EXPECT_EQ(huge.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(huge.status().message()),
            "utterance: longer than 2000 characters");
  // 2000 multi-byte characters are within the limit.
  std::string accents;
  for (int i = 0; i < 2000; ++i) accents += "\xC3\xA9";
  EXPECT_TRUE(Say(id, accents).ok());
  EXPECT_EQ(rules_->calls, 1);
}

// A second agent, as a new process would be: its own chain, the same log.
class ResumeTest : public CallAgentTest {
 protected:
  void SetUp() override {
    CallAgentTest::SetUp();
    second_chain_ =
        std::make_unique<events::EventChain>(Producer("answer-2"), &clock_);
    second_ = std::make_unique<CallAgent>(
        policy_, &log_, second_chain_.get(), &sealer_, rules_.get(),
        handoff_.get(), AgentOptions{}, &log_);
  }
  absl::StatusOr<av::TurnResponse> SayToSecond(const std::string& id,
                                               const std::string& words) {
    av::TurnRequest r;
    r.set_call_id(id);
    r.set_utterance(words);
    return second_->Turn(r);
  }
  std::unique_ptr<events::EventChain> second_chain_;
  std::unique_ptr<CallAgent> second_;
};

TEST_F(ResumeTest, ANewProcessCarriesTheCallOnFromItsEvents) {
  const std::string id = Start();
  ASSERT_TRUE(Say(id, "I need a refill").ok());
  // The first process is gone; the second has never seen this call.
  auto reply = SayToSecond(id, "Jane Roe");
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_FALSE(reply->fallback());
  // The request type and the field asked for carried over.
  EXPECT_EQ(reply->asking_for(), "date_of_birth");
  // The turn count carried over: the resumed turn is turn 2.
  std::vector<uint32_t> turns;
  events::ChainVerifier verifier(id);
  for (const auto& r : log_.Topic(kafka::kCallsTopic)) {
    if (r.key != id) continue;
    auto e = verifier.Add(r.value, "x");
    ASSERT_TRUE(e.ok());
    if (e->body.type() == ev::EVENT_TYPE_TURN_RECEIVED) {
      ev::TurnReceived t;
      ASSERT_TRUE(t.ParseFromString(e->body.payload()));
      turns.push_back(t.turn_index());
    }
  }
  EXPECT_EQ(turns, (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE(verifier.findings().empty());
  // Two answer processes and rules-check, each chain intact.
  EXPECT_EQ(verifier.producers(), 3u);
  EXPECT_EQ(second_->active_calls(), 1u);
}

TEST_F(ResumeTest, AReadBackDateSurvivesARestartAndNothingIsAskedTwice) {
  const std::string id = Start();
  ASSERT_TRUE(Say(id, "I need a refill").ok());
  ASSERT_TRUE(Say(id, "Jane Roe").ok());
  ASSERT_TRUE(Say(id, "3/3/80").ok());
  auto r = SayToSecond(id, "yes");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->asking_for(), "phone");
  r = SayToSecond(id, "555-867-5309");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(log_.Topic("frontdesk.handoff.refills.v1").size(), 1u);
  hv::HandoffPacket packet;
  ASSERT_TRUE(packet.ParseFromString(
      log_.Topic("frontdesk.handoff.refills.v1")[0].value));
  auto phi = sealer_.Open(packet.sealed_phi(), kTenant, id);
  ASSERT_TRUE(phi.ok());
  // The values taken by the first process reached the packet.
  ASSERT_EQ(phi->intake_size(), 3);
}

TEST_F(CallAgentTest, AbandonedCallsAreEndedAndLeaveMemory) {
  CallAgent agent(
      policy_, &log_, &answer_chain_, &sealer_, rules_.get(), handoff_.get(),
      AgentOptions{.clock = &clock_, .idle_call_timeout = absl::Minutes(30)},
      &log_);
  av::StartCallRequest start;
  start.set_tenant_id(kTenant);
  auto quiet = agent.StartCall(start);
  auto busy = agent.StartCall(start);
  ASSERT_TRUE(quiet.ok() && busy.ok());
  clock_.Advance(absl::Minutes(20));
  av::TurnRequest r;
  r.set_call_id(busy->call_id());
  r.set_utterance("where do I park");
  ASSERT_TRUE(agent.Turn(r).ok());
  clock_.Advance(absl::Minutes(15));
  EXPECT_EQ(agent.SweepIdleCalls(), 1);
  EXPECT_EQ(agent.active_calls(), 1u);
  EXPECT_EQ(Timeline(quiet->call_id()).back(), "CallEnded");
  // Its record says it ended: it is not resumed.
  r.set_call_id(quiet->call_id());
  EXPECT_EQ(agent.Turn(r).status().code(), absl::StatusCode::kNotFound);
  r.set_call_id(busy->call_id());
  EXPECT_TRUE(agent.Turn(r).ok());
}

TEST_F(CallAgentTest, AResumedCallOpensValuesSealedBeforeAKeyRotation) {
  // The first process sealed with the old key (sealer_, 32 x 'k'); the new
  // process seals with a new active key and opens history by key id.
  auto keys = std::make_unique<phi::InMemoryTenantKeys>();
  ASSERT_TRUE(keys->AddKey(kTenant, std::string(32, 'k')).ok());
  ASSERT_TRUE(keys->AddKey(kTenant, std::string(32, 'n')).ok());
  phi::PhiKeyring keyring(std::move(keys));
  auto new_sealer = keyring.SealerFor(kTenant);
  ASSERT_TRUE(new_sealer.ok());
  ASSERT_NE(new_sealer->key_id(), sealer_.key_id());
  events::EventChain chain(Producer("answer-2"), &clock_);
  CallAgent rotated(policy_, &log_, &chain, &*new_sealer, rules_.get(),
                    handoff_.get(), AgentOptions{.keyring = &keyring}, &log_);

  const std::string id = Start();
  ASSERT_TRUE(Say(id, "I need a refill").ok());
  ASSERT_TRUE(Say(id, "Jane Roe").ok());
  ASSERT_TRUE(Say(id, "3/3/80").ok());
  av::TurnRequest r;
  r.set_call_id(id);
  r.set_utterance("yes");
  ASSERT_TRUE(rotated.Turn(r).ok());
  r.set_utterance("555-867-5309");
  auto last = rotated.Turn(r);
  ASSERT_TRUE(last.ok());
  ASSERT_FALSE(last->handoff_id().empty());
  hv::HandoffPacket packet;
  ASSERT_TRUE(packet.ParseFromString(
      log_.Topic("frontdesk.handoff.refills.v1")[0].value));
  // The packet is sealed with the preparer's key; the values in it were
  // opened from the old key's events by the rotated agent.
  auto phi = sealer_.Open(packet.sealed_phi(), kTenant, id);
  ASSERT_TRUE(phi.ok());
  std::map<std::string, std::string> intake;
  for (const auto& v : phi->intake()) intake[v.field()] = v.value();
  EXPECT_EQ(intake["name"], "Jane Roe");
  EXPECT_EQ(intake["date_of_birth"], "1980-03-03");
}

TEST_F(ResumeTest, TheUrgentStopSurvivesARestart) {
  const std::string id = Start();
  ASSERT_TRUE(Say(id, "I have chest pain").ok());
  auto after = SayToSecond(id, "I need a refill");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->quoted_texts(0), "post-escalation@1");
  EXPECT_EQ(after->state(), av::CALL_STATE_ESCALATED);
}

TEST_F(ResumeTest, EndedUnknownAndMalformedCallsAreNotResumed) {
  const std::string id = Start();
  av::EndCallRequest end;
  end.set_call_id(id);
  ASSERT_TRUE(agent_->EndCall(end).ok());
  EXPECT_EQ(SayToSecond(id, "hello").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(SayToSecond("0b7c1f0e-5a43-4f4e-9d55-3c1f2f0a9e11", "hello")
                .status()
                .code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(SayToSecond("not-a-call-id", "hello").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(CallAgentTest, LogsCarryNoPhi) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  spdlog::set_level(spdlog::level::trace);

  const std::string id = Start("+1 555 867 5309");
  ASSERT_TRUE(Say(id, "My name is Jane Roe, born 1980-02-03, chest pain").ok());
  const std::string id2 = Start("+1 555 867 5309");
  log_.SetAvailable(false);
  (void)Say(id2, "Jane Roe again about my lawyer");
  ASSERT_TRUE(Say("missing", "Jane Roe").status().code() ==
              absl::StatusCode::kNotFound);
  log_.SetAvailable(true);

  spdlog::set_default_logger(previous);
  const std::string out = captured.str();
  EXPECT_NE(out.find("event=turn"), std::string::npos) << out;
  EXPECT_EQ(out.find("Jane"), std::string::npos) << out;
  EXPECT_EQ(out.find("1980-02-03"), std::string::npos) << out;
  EXPECT_EQ(out.find("867 5309"), std::string::npos) << out;
  EXPECT_EQ(out.find("chest"), std::string::npos) << out;
}

}  // namespace
}  // namespace frontdesk::answer
