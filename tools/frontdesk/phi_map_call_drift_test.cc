// The phi-map report against a whole call: a refill call runs through the
// real answer agent, rules-check and handoff preparer (in process, over the
// in-memory log), and the intake fields sealed in the packet on the refills
// queue must be exactly the report's "sent to queues" for refill -> refills.
// Three changes to the refill scope move both: the owner role shown fewer
// fields (the preparer's filter), a field collected but not stored, and the
// queue taken out of send_to_queues (the answer's filters).
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_chain.h"
#include "libs/phi/phi_sealer.h"
#include "libs/policy/clinic_policy.h"
#include "libs/policy/phi_data_path.h"
#include "services/answer/call_agent.h"
#include "services/handoff_prep/handoff_preparer.h"
#include "services/rules_check/rules_checker.h"

namespace frontdesk::cli {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;
namespace rv = ::frontdesk::rules::v1;

using Names = std::set<std::string>;

class LocalRules : public answer::RulesClient {
 public:
  explicit LocalRules(rules_check::RulesChecker* checker) : checker_(checker) {}
  absl::StatusOr<rv::Decision> Evaluate(const rv::EvaluateRequest& request,
                                        absl::Duration) override {
    return checker_->Evaluate(request);
  }

 private:
  rules_check::RulesChecker* checker_;
};

class LocalHandoff : public answer::HandoffClient {
 public:
  explicit LocalHandoff(handoff_prep::HandoffPreparer* p) : preparer_(p) {}
  absl::StatusOr<hv::PrepareResponse> Prepare(const hv::PrepareRequest& request,
                                              absl::Duration) override {
    auto r = preparer_->Prepare(request);
    if (!r.ok()) return r.status();
    hv::PrepareResponse response;
    *response.mutable_packet() = r->packet;
    return response;
  }

 private:
  handoff_prep::HandoffPreparer* preparer_;
};

ev::Producer Producer(const std::string& service) {
  ev::Producer p;
  p.set_service(service);
  p.set_instance(service + "-1");
  return p;
}

std::string ReadSample() {
  std::ifstream in(FRONTDESK_SAMPLE_POLICY);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The intake field names sealed in the refill packet of one whole call.
Names RefillCallPacketFields(
    const std::shared_ptr<const policy::ClinicPolicy>& policy) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  events::EventChain answer_chain(Producer("answer"), &clock);
  events::EventChain rules_chain(Producer("rules-check"), &clock);
  events::EventChain handoff_chain(Producer("handoff-prep"), &clock);
  const phi::PhiSealer sealer = *phi::PhiSealer::FromKey(std::string(32, 'k'));
  eventlog::InMemoryEventLog log;
  rules_check::RulesChecker checker(
      std::make_shared<const rules_check::HandoffMap>(policy), &log,
      &rules_chain, absl::Seconds(2));
  handoff_prep::HandoffPreparer preparer(policy, &log, &handoff_chain, &sealer,
                                         &clock, absl::Seconds(2));
  LocalRules rules(&checker);
  LocalHandoff handoff(&preparer);
  answer::CallAgent agent(policy, &log, &answer_chain, &sealer, &rules,
                          &handoff, answer::AgentOptions{});
  av::StartCallRequest start;
  start.set_tenant_id(policy->tenant_id());
  start.set_channel(av::CHANNEL_VOICE);
  start.set_reason(av::CALL_REASON_AFTER_HOURS);
  start.set_caller_number("+1 555 555 0123");
  auto started = agent.StartCall(start);
  EXPECT_TRUE(started.ok()) << started.status();
  if (!started.ok()) return {};
  std::string handoff_id;
  for (const char* words :
       {"I need a refill of my blood pressure pills", "Jane Roe",
        "the third of March eighty", "yes that's right",
        "five five five, eight six seven, five three oh nine"}) {
    av::TurnRequest turn;
    turn.set_call_id(started->call_id());
    turn.set_utterance(words);
    auto r = agent.Turn(turn);
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok() && !r->handoff_id().empty()) handoff_id = r->handoff_id();
  }
  EXPECT_FALSE(handoff_id.empty()) << "the refill was not handed off";
  const auto queue = log.Topic("frontdesk.handoff.refills.v1");
  EXPECT_EQ(queue.size(), 1u);
  if (queue.empty()) return {};
  hv::HandoffPacket packet;
  EXPECT_TRUE(packet.ParseFromString(queue[0].value));
  EXPECT_EQ(packet.handoff_id(), handoff_id);
  auto phi =
      sealer.Open(packet.sealed_phi(), policy->tenant_id(), started->call_id());
  EXPECT_TRUE(phi.ok()) << phi.status();
  Names out;
  if (phi.ok()) {
    for (const auto& v : phi->intake()) out.insert(v.field());
  }
  return out;
}

Names Reported(const policy::ClinicPolicy& policy) {
  Names out;
  for (auto f : policy::FieldsSentToQueue(policy, "refill", "refills"))
    out.insert(policy::IntakeFieldName(f));
  return out;
}

std::shared_ptr<const policy::ClinicPolicy> Variant(const std::string& from,
                                                    const std::string& to) {
  std::string yaml = ReadSample();
  const size_t at = yaml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at == std::string::npos) return nullptr;
  yaml.replace(at, from.size(), to);
  auto p = policy::ParsePolicy(yaml, "policy.yaml");
  EXPECT_TRUE(p.ok()) << p.status();
  if (!p.ok()) return nullptr;
  return std::make_shared<const policy::ClinicPolicy>(*std::move(p));
}

TEST(PhiMapCallDriftTest, TheSamplePolicysRefillPacketIsWhatTheReportSays) {
  auto policy = Variant("request_type: refill", "request_type: refill");
  ASSERT_NE(policy, nullptr);
  const Names sent = RefillCallPacketFields(policy);
  EXPECT_EQ(sent, (Names{"date_of_birth", "name", "phone"}));
  EXPECT_EQ(sent, Reported(*policy));
}

TEST(PhiMapCallDriftTest, TheOwnerShownFewerFieldsGetsFewer) {
  auto policy = Variant(
      "      - {role: pharmacy-tech, fields: [name, date_of_birth, phone]}",
      "      - {role: pharmacy-tech, fields: [name, date_of_birth]}");
  ASSERT_NE(policy, nullptr);
  const Names sent = RefillCallPacketFields(policy);
  EXPECT_EQ(sent, (Names{"date_of_birth", "name"}));
  EXPECT_EQ(sent, Reported(*policy));
}

TEST(PhiMapCallDriftTest, AFieldCollectedButNotStoredIsNotSent) {
  auto policy = Variant(
      "  - request_type: refill\n"
      "    collect: [name, date_of_birth, phone]\n"
      "    store: [name, date_of_birth, phone]\n",
      "  - request_type: refill\n"
      "    collect: [name, date_of_birth, phone]\n"
      "    store: [name, phone]\n");
  ASSERT_NE(policy, nullptr);
  const Names sent = RefillCallPacketFields(policy);
  EXPECT_EQ(sent, (Names{"name", "phone"}));
  EXPECT_EQ(sent, Reported(*policy));
}

TEST(PhiMapCallDriftTest, AQueueNotInSendToQueuesGetsNoFields) {
  auto policy =
      Variant("    send_to_queues: [refills]\n", "    send_to_queues: []\n");
  ASSERT_NE(policy, nullptr);
  const Names sent = RefillCallPacketFields(policy);
  EXPECT_EQ(sent, Names{});
  EXPECT_EQ(sent, Reported(*policy));
}

}  // namespace
}  // namespace frontdesk::cli
