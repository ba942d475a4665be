#include "services/answer/answer_probe.h"

#include <map>
#include <string>

#include "gtest/gtest.h"
#include "libs/policy/clinic_policy.h"
#include "prometheus/metric_family.h"

namespace frontdesk::answer {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace rv = ::frontdesk::rules::v1;

using Labels = std::map<std::string, std::string>;

// The value of the counter or gauge `name` with exactly `labels`; -1 when
// there is no such sample.
double Value(prometheus::Registry& registry, const std::string& name,
             const Labels& labels) {
  for (const auto& f : registry.Collect()) {
    if (f.name != name) continue;
    for (const auto& m : f.metric) {
      Labels got;
      for (const auto& l : m.label) got[l.name] = l.value;
      if (got != labels) continue;
      return f.type == prometheus::MetricType::Gauge ? m.gauge.value
                                                     : m.counter.value;
    }
  }
  return -1;
}

class FakeRules : public RulesClient {
 public:
  absl::StatusOr<rv::Decision> Evaluate(const rv::EvaluateRequest&,
                                        absl::Duration) override {
    return next;
  }
  absl::StatusOr<rv::Decision> next = rv::Decision();
};

class FakeHandoff : public HandoffClient {
 public:
  absl::StatusOr<hv::PrepareResponse> Prepare(const hv::PrepareRequest&,
                                              absl::Duration) override {
    return next;
  }
  absl::StatusOr<hv::PrepareResponse> next = hv::PrepareResponse();
};

class FakeLog : public eventlog::EventLog {
 public:
  absl::Status Append(const std::vector<eventlog::LogRecord>&,
                      absl::Duration) override {
    return next;
  }
  absl::Status next;
};

rv::Decision WithAction(rv::Action a) {
  rv::Decision d;
  d.set_action(a);
  return d;
}

TEST(TurnTraceTest, FallbackReasonFollowsWhatTheAgentMetFirst) {
  {
    TurnTrace t;
    t.log_unacknowledged = true;
    EXPECT_EQ(t.FallbackReason(), "event_log_unacknowledged");
    t.handoff_failed = true;
    EXPECT_EQ(t.FallbackReason(), "handoff_unavailable");
    t.rules_failed = true;
    EXPECT_EQ(t.FallbackReason(), "rules_check_unavailable");
  }
  TurnTrace t;
  t.decided = true;
  t.action = rv::ACTION_QUOTE_ANSWER;
  EXPECT_EQ(t.FallbackReason(), "approved_text_mismatch");
  t.action = rv::ACTION_BOOK_SLOT;
  EXPECT_EQ(t.FallbackReason(), "unknown_action");
}

TEST(TurnTraceTest, TracesNestAndEndWithTheirScope) {
  EXPECT_EQ(TurnTrace::Current(), nullptr);
  {
    TurnTrace outer;
    EXPECT_EQ(TurnTrace::Current(), &outer);
    {
      TurnTrace inner;
      EXPECT_EQ(TurnTrace::Current(), &inner);
    }
    EXPECT_EQ(TurnTrace::Current(), &outer);
  }
  EXPECT_EQ(TurnTrace::Current(), nullptr);
}

TEST(ProbedDependenciesTest, FailuresSetReachabilityAndTheTrace) {
  prometheus::Registry registry;
  AnswerProbe probe(registry);
  FakeRules fake_rules;
  FakeHandoff fake_handoff;
  FakeLog fake_log;
  ProbedRulesClient rules(&fake_rules, &probe);
  ProbedHandoffClient handoff(&fake_handoff, &probe);
  ProbedEventLog log(&fake_log);
  const Labels rules_label = {{"dependency", "rules-check"}};

  EXPECT_EQ(
      Value(registry, "frontdesk_answer_dependency_reachable", rules_label), 1);
  {
    TurnTrace trace;
    fake_rules.next = absl::UnavailableError("rules-check: connect failed");
    EXPECT_EQ(rules.Evaluate({}, absl::Seconds(1)).status().code(),
              absl::StatusCode::kUnavailable);
    EXPECT_TRUE(trace.rules_failed);
    EXPECT_FALSE(trace.decided);
  }
  EXPECT_EQ(
      Value(registry, "frontdesk_answer_dependency_reachable", rules_label), 0);
  EXPECT_EQ(Value(registry, "frontdesk_answer_dependency_failures_total",
                  {{"dependency", "rules-check"}, {"code", "unavailable"}}),
            1);

  {
    TurnTrace trace;
    fake_rules.next = WithAction(rv::ACTION_QUOTE_ANSWER);
    ASSERT_TRUE(rules.Evaluate({}, absl::Seconds(1)).ok());
    EXPECT_TRUE(trace.decided);
    EXPECT_EQ(trace.action, rv::ACTION_QUOTE_ANSWER);

    fake_handoff.next = absl::DeadlineExceededError("handoff-prep: deadline");
    EXPECT_FALSE(handoff.Prepare({}, absl::Seconds(1)).ok());
    EXPECT_TRUE(trace.handoff_failed);

    // Queued without waiting is no failure; a waited append is.
    fake_log.next = absl::DeadlineExceededError("not acknowledged");
    EXPECT_FALSE(log.Append({}, absl::ZeroDuration()).ok());
    EXPECT_FALSE(trace.log_unacknowledged);
    EXPECT_FALSE(log.Append({}, absl::Seconds(2)).ok());
    EXPECT_TRUE(trace.log_unacknowledged);
  }
  EXPECT_EQ(
      Value(registry, "frontdesk_answer_dependency_reachable", rules_label), 1);
  EXPECT_EQ(Value(registry, "frontdesk_answer_dependency_reachable",
                  {{"dependency", "handoff-prep"}}),
            0);
  EXPECT_EQ(
      Value(registry, "frontdesk_answer_dependency_failures_total",
            {{"dependency", "handoff-prep"}, {"code", "deadline_exceeded"}}),
      1);

  // Outside a turn (EndCall, the idle sweep) nothing is traced, and nothing
  // breaks.
  fake_rules.next = absl::UnavailableError("down");
  EXPECT_FALSE(rules.Evaluate({}, absl::Seconds(1)).ok());
}

TEST(AnswerProbeTest, CountsCallsTurnsAnswersAndFallbacks) {
  prometheus::Registry registry;
  AnswerProbe probe(registry);

  av::StartCallRequest start;
  start.set_channel(av::CHANNEL_SMS);
  start.set_reason(av::CALL_REASON_AFTER_HOURS);
  av::StartCallResponse started;
  started.set_call_id("c1");
  probe.CallStarted(start, started);
  start.set_channel(static_cast<av::Channel>(77));
  probe.CallStarted(start, started);
  EXPECT_EQ(Value(registry, "frontdesk_answer_calls_started_total",
                  {{"channel", "sms"}, {"reason", "after_hours"}}),
            1);
  EXPECT_EQ(Value(registry, "frontdesk_answer_calls_started_total",
                  {{"channel", "unknown"}, {"reason", "after_hours"}}),
            1);

  // An approved answer quoted.
  {
    TurnTrace trace;
    trace.decided = true;
    trace.action = rv::ACTION_QUOTE_ANSWER;
    av::TurnResponse r;
    r.set_state(av::CALL_STATE_ACT);
    r.set_lane("ai_owned");
    probe.TurnAnswered(r, trace, absl::Milliseconds(30));
  }
  // A question with no approved answer: a callback handoff.
  {
    TurnTrace trace;
    trace.decided = true;
    trace.action = rv::ACTION_HANDOFF;
    av::TurnResponse r;
    r.set_state(av::CALL_STATE_ACT);
    r.set_rule_id(policy::kNotUnderstoodRuleId);
    r.set_handoff_id("h1");
    probe.TurnAnswered(r, trace, absl::Milliseconds(30));
  }
  // rules-check down: the fallback wording.
  {
    TurnTrace trace;
    trace.rules_failed = true;
    av::TurnResponse r;
    r.set_state(av::CALL_STATE_IDENTIFY);
    r.set_fallback(true);
    probe.TurnAnswered(r, trace, absl::Milliseconds(30));
  }
  // A turn on an unknown call.
  {
    TurnTrace trace;
    probe.TurnAnswered(absl::NotFoundError("call_id: no active call"), trace,
                       absl::Milliseconds(1));
  }
  probe.CallEnded(absl::DeadlineExceededError("not on the record yet"));

  EXPECT_EQ(Value(registry, "frontdesk_answer_turns_total",
                  {{"outcome", "ok"}, {"state", "act"}}),
            2);
  EXPECT_EQ(Value(registry, "frontdesk_answer_turns_total",
                  {{"outcome", "fallback"}, {"state", "identify"}}),
            1);
  EXPECT_EQ(Value(registry, "frontdesk_answer_turns_total",
                  {{"outcome", "rejected"}, {"state", "none"}}),
            1);
  EXPECT_EQ(Value(registry, "frontdesk_answer_approved_answers_total",
                  {{"outcome", "hit"}}),
            1);
  EXPECT_EQ(Value(registry, "frontdesk_answer_approved_answers_total",
                  {{"outcome", "miss"}}),
            1);
  EXPECT_EQ(Value(registry, "frontdesk_answer_fallbacks_total",
                  {{"reason", "rules_check_unavailable"}}),
            1);
  EXPECT_EQ(Value(registry, "frontdesk_errors_total", {{"kind", "fallback"}}),
            1);
  EXPECT_EQ(
      Value(registry, "frontdesk_errors_total", {{"kind", "bad_request"}}), 1);
  EXPECT_EQ(Value(registry, "frontdesk_errors_total",
                  {{"kind", "end_call_unrecorded"}}),
            1);
}

TEST(AnswerProbeTest, AGreetingInTheFallbackWordingOpensNoCall) {
  prometheus::Registry registry;
  AnswerProbe probe(registry);
  av::StartCallRequest start;
  start.set_channel(av::CHANNEL_VOICE);
  av::StartCallResponse fallback;
  fallback.set_fallback(true);
  probe.CallStarted(start, fallback);
  EXPECT_EQ(Value(registry, "frontdesk_answer_calls_started_total",
                  {{"channel", "voice"}, {"reason", "unspecified"}}),
            -1);
  EXPECT_EQ(Value(registry, "frontdesk_answer_fallbacks_total",
                  {{"reason", "event_log_unacknowledged"}}),
            1);
}

}  // namespace
}  // namespace frontdesk::answer
