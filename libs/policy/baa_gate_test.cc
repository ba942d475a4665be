#include "libs/policy/baa_gate.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace frontdesk::policy {
namespace {

namespace ev = ::frontdesk::events::v1;
namespace pv = ::frontdesk::policy::v1;

// Records what it was asked to deliver.
class FakeTransport : public PhiTransport {
 public:
  absl::Status Deliver(const OutboundPhi& message) override {
    delivered.push_back(message);
    return absl::OkStatus();
  }
  std::vector<OutboundPhi> delivered;
};

std::shared_ptr<const ClinicPolicy> Sample() {
  auto p = LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  EXPECT_TRUE(p.ok()) << p.status();
  return std::make_shared<const ClinicPolicy>(*std::move(p));
}

OutboundPhi Callback(std::vector<std::string> fields) {
  OutboundPhi m;
  m.tenant_id = "sunrise-family-medicine";
  m.call_id = "call-1";
  m.request_type = "callback";
  m.phi.set_caller_number("+15555550123");
  for (const auto& f : fields) {
    ev::IntakeValue* v = m.phi.add_intake();
    v->set_field(f);
    v->set_value("value of " + f);
  }
  return m;
}

TEST(BaaGateTest, ListedFieldsFlowToASubprocessorWithABaa) {
  auto policy = Sample();
  EXPECT_TRUE(CheckPhiFlow(*policy, "speech-front-end", "callback",
                           {pv::INTAKE_FIELD_NAME, pv::INTAKE_FIELD_PHONE,
                            pv::INTAKE_FIELD_CALLBACK_TIME})
                  .ok());
  EXPECT_EQ(FieldsAllowedTo(*policy, "speech-front-end", "callback"),
            (std::vector<pv::IntakeField>{pv::INTAKE_FIELD_NAME,
                                          pv::INTAKE_FIELD_PHONE,
                                          pv::INTAKE_FIELD_CALLBACK_TIME}));
}

TEST(BaaGateTest, NoBaaOnRecordIsRefusedNamingSubprocessorAndField) {
  auto policy = Sample();
  absl::Status st = CheckPhiFlow(*policy, "language-model", "callback",
                                 {pv::INTAKE_FIELD_PHONE});
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(st.message(),
            "BAA gate: PHI field phone may not be sent to subprocessor "
            "\"language-model\": it has no BAA on record");
  EXPECT_TRUE(FieldsAllowedTo(*policy, "language-model", "callback").empty());
  // Not even the caller's words or number.
  st = CheckPhiFlow(*policy, "web-analytics", "callback", {});
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(st.message(),
            "BAA gate: PHI may not be sent to subprocessor \"web-analytics\": "
            "it has no BAA on record");
}

TEST(BaaGateTest, UnknownSubprocessorIsRefused) {
  absl::Status st = CheckPhiFlow(*Sample(), "fax-vendor", "callback",
                                 {pv::INTAKE_FIELD_NAME});
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(st.message(),
            "BAA gate: PHI field name may not be sent to subprocessor "
            "\"fax-vendor\": it is not in the policy");
}

TEST(BaaGateTest, AFieldTheScopeDoesNotListIsRefusedEvenWithABaa) {
  // sms-gateway has a BAA, but no scope sends it anything.
  absl::Status st = CheckPhiFlow(*Sample(), "sms-gateway", "callback",
                                 {pv::INTAKE_FIELD_PHONE});
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(st.message(),
            "BAA gate: PHI field phone of request type \"callback\" may not be "
            "sent to subprocessor \"sms-gateway\": the policy's phi_scopes do "
            "not list it in send_to_subprocessors");
  // The speech front end hears the callback's fields, not a date of birth.
  st = CheckPhiFlow(*Sample(), "speech-front-end", "callback",
                    {pv::INTAKE_FIELD_NAME, pv::INTAKE_FIELD_DATE_OF_BIRTH});
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(st.message().find("PHI field date_of_birth of request type "
                              "\"callback\""),
            absl::string_view::npos)
      << st.message();
}

TEST(BaaGateTest, SenderDeliversOnlyWhatTheGateAllows) {
  auto policy = Sample();
  FakeTransport transport;
  OutboundPhiSender speech(policy, "speech-front-end", &transport);
  EXPECT_TRUE(speech.Send(Callback({"name", "phone"})).ok());
  ASSERT_EQ(transport.delivered.size(), 1u);
  EXPECT_EQ(transport.delivered[0].phi.intake_size(), 2);

  absl::Status st = speech.Send(Callback({"name", "date_of_birth"}));
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  st = speech.Send(Callback({"favourite_colour"}));
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(), "phi.intake[0].field: not an intake field name");

  OutboundPhiSender model(policy, "language-model", &transport);
  st = model.Send(Callback({}));  // the caller's number alone
  EXPECT_EQ(st.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(transport.delivered.size(), 1u);  // nothing more went out
}

TEST(BaaGateTest, ABaaOnRecordOpensOnlyTheListedFlow) {
  // The same policy with a BAA for the model and a flow to it.
  std::vector<PolicyError> errors;
  std::ifstream in(FRONTDESK_SAMPLE_POLICY);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string yaml = ss.str();
  auto replace = [&yaml](const std::string& from, const std::string& to) {
    const size_t at = yaml.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    yaml.replace(at, from.size(), to);
  };
  replace("{id: language-model, kind: model, baa_on_record: false}",
          "{id: language-model, kind: model, baa_on_record: true}");
  replace(
      "{subprocessor: speech-front-end, fields: [name, phone, "
      "callback_time]}",
      "{subprocessor: speech-front-end, fields: [name, phone, "
      "callback_time]}\n      - {subprocessor: language-model, fields: "
      "[callback_time]}");
  auto p = ParsePolicy(yaml, "policy.yaml", &errors);
  ASSERT_TRUE(p.ok()) << p.status();
  auto policy = std::make_shared<const ClinicPolicy>(*std::move(p));
  FakeTransport transport;
  OutboundPhiSender model(policy, "language-model", &transport);
  EXPECT_TRUE(model.Send(Callback({"callback_time"})).ok());
  EXPECT_EQ(model.Send(Callback({"phone"})).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(transport.delivered.size(), 1u);
}

}  // namespace
}  // namespace frontdesk::policy
