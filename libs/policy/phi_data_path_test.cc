#include "libs/policy/phi_data_path.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace frontdesk::policy {
namespace {

namespace pv = ::frontdesk::policy::v1;

using Fields = std::vector<pv::IntakeField>;

std::string ReadSample() {
  std::ifstream in(FRONTDESK_SAMPLE_POLICY);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ClinicPolicy Sample() {
  auto p = LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

std::string TempFile(const std::string& name, const std::string& text) {
  const std::string path =
      absl::StrCat(::testing::TempDir(), "/phi_data_path_test_", name);
  std::ofstream(path) << text;
  return path;
}

TEST(PhiDataPathTest, QueuesGetOnlyWhatTheOwnerRoleIsShown) {
  const ClinicPolicy p = Sample();
  const Fields three = {pv::INTAKE_FIELD_NAME, pv::INTAKE_FIELD_DATE_OF_BIRTH,
                        pv::INTAKE_FIELD_PHONE};
  EXPECT_EQ(FieldsSentToQueue(p, "refill", "refills"), three);
  // Not a queue the refill scope sends to.
  EXPECT_EQ(FieldsSentToQueue(p, "refill", "front-desk"), Fields{});
  EXPECT_EQ(FieldsSentToQueue(p, "general-question", "front-desk"), Fields{});
  // The refills queue's backup role is shown them too; the last resort is
  // not; a role of another queue is refused by the desk.
  EXPECT_EQ(FieldsShownAtDesk(p, "refill", "refills", "pharmacy-tech"), three);
  EXPECT_EQ(FieldsShownAtDesk(p, "refill", "refills", "triage-nurse"), three);
  EXPECT_EQ(FieldsShownAtDesk(p, "refill", "refills", "practice-manager"),
            Fields{});
  EXPECT_EQ(FieldsShownAtDesk(p, "refill", "refills", "front-desk"), Fields{});
}

TEST(PhiDataPathTest, EachFieldHasItsRequestTypesQueuesRolesAndSubprocessors) {
  const ClinicPolicy p = Sample();
  const PhiDataPath d =
      BuildPhiDataPath(p, "policy.yaml", DefaultTopicRetention());
  std::vector<std::string> names;
  for (const auto& f : d.fields) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "name", "date_of_birth", "phone", "email",
                       "reason_for_visit", "preferred_clinician",
                       "insurance_notes", "consent", "callback_time"}));
  const FieldPath& insurance = d.fields[6];
  ASSERT_EQ(insurance.requests.size(), 1u);
  const FieldInRequest& use = insurance.requests[0];
  EXPECT_EQ(use.request_type, "appointment-new");
  EXPECT_TRUE(use.stored);
  ASSERT_EQ(use.queues.size(), 2u);
  EXPECT_EQ(use.queues[0].queue, "front-desk");
  EXPECT_EQ(use.queues[0].topic, "frontdesk.handoff.front-desk.v1");
  EXPECT_EQ(use.queues[0].roles_shown, std::vector<std::string>{"front-desk"});
  EXPECT_EQ(use.queues[1].queue, "scheduling-exceptions");
  ASSERT_EQ(use.subprocessors.size(), 1u);
  EXPECT_EQ(use.subprocessors[0].id, "speech-front-end");
  EXPECT_TRUE(use.subprocessors[0].baa_on_record);

  EXPECT_EQ(d.phi_read_roles,
            (std::vector<std::string>{"privacy-officer", "practice-manager"}));
  EXPECT_EQ(d.policy_retention, "at least 7 years (retention.phi_years)");
  ASSERT_EQ(d.subprocessors.size(), 5u);
  EXPECT_EQ(d.subprocessors[3].id, "language-model");
  EXPECT_FALSE(d.subprocessors[3].baa_on_record);
  EXPECT_TRUE(d.subprocessors[3].receives.empty());
  EXPECT_EQ(d.subprocessors[0].receives[0],
            "name (appointment-new, appointment-follow-up, "
            "appointment-reschedule, appointment-confirm, appointment-cancel, "
            "refill, billing, records, callback)");
}

TEST(PhiDataPathTest, TextReportAnswersEachQuestionInPlainWords) {
  const std::string text = RenderPhiDataPathText(
      BuildPhiDataPath(Sample(), "policy.yaml", DefaultTopicRetention()));
  for (const char* line : {
           "  insurance_notes: collected for appointment-new\n",
           "  consent: sealed on frontdesk.calls.v1 for records\n",
           "    refill: queues refills (frontdesk.handoff.refills.v1); "
           "subprocessors speech-front-end (speech, BAA on record)\n",
           "    date_of_birth: billing-specialist, front-desk, pharmacy-tech, "
           "records-clerk, triage-nurse\n",
           "      refill on refills: pharmacy-tech, triage-nurse\n",
           "  Kafka topics: 3653 days (about 10.0 years; 315619200000 ms)\n",
           "  Retention in the policy: at least 7 years "
           "(retention.phi_years)\n",
           "  Shred schedule: PHI older than 7 years may be crypto-shredded "
           "with `frontdesk keys shred --tenant sunrise-family-medicine "
           "--before DATE`",
           "  language-model (model): NO BAA on record; receives no PHI\n",
           "  frontdesk.access.v1: every access to the record",
           "  review: on-call-clinician, medical-director\n",
           "roles allowed to shred (keys.shred): privacy-officer.\n",
           "    refills: owner pharmacy-tech, backup triage-nurse, last "
           "resort practice-manager, claim window 240 min\n",
       }) {
    EXPECT_TRUE(absl::StrContains(text, line)) << line << "\n---\n" << text;
  }
}

TEST(PhiDataPathTest, AddingAFieldToAScopeChangesTheReport) {
  std::string yaml = ReadSample();
  const std::string from =
      "      - {role: billing-specialist, fields: [name, date_of_birth, phone, "
      "email]}";
  const size_t at = yaml.find(from);
  ASSERT_NE(at, std::string::npos);
  yaml.replace(at, from.size(),
               from + "\n      - {role: practice-manager, fields: [email]}");
  auto p = ParsePolicy(yaml, "policy.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  // The billing queue's backup is the practice manager: now shown the email.
  EXPECT_EQ(FieldsShownAtDesk(*p, "billing", "billing", "practice-manager"),
            Fields{pv::INTAKE_FIELD_EMAIL});
  const std::string text = RenderPhiDataPathText(
      BuildPhiDataPath(*p, "policy.yaml", DefaultTopicRetention()));
  EXPECT_TRUE(absl::StrContains(
      text, "      billing on billing: billing-specialist, practice-manager\n"))
      << text;
}

TEST(PhiDataPathTest, WarnsWhenTopicsKeepLessThanThePolicyRetention) {
  const ClinicPolicy p = Sample();  // retention.phi_years: 7
  const PhiDataPath six =
      BuildPhiDataPath(p, "policy.yaml", {int64_t{2192} * 86400000, "x"});
  ASSERT_EQ(six.warnings.size(), 1u);
  EXPECT_EQ(six.warnings[0],
            "The Kafka topics delete events after 2192 days, before the "
            "policy's retention of 7 years ends (2562 days): raise "
            "kafka.topics.retentionMs, or lower retention.phi_years.");
  EXPECT_TRUE(absl::StrContains(RenderPhiDataPathText(six),
                                "WARNINGS\n  ! The Kafka topics delete"));
  const PhiDataPath eight =
      BuildPhiDataPath(p, "policy.yaml", {int64_t{2922} * 86400000, "x"});
  EXPECT_TRUE(eight.warnings.empty());
}

TEST(PhiDataPathTest, HelmValuesGiveTheTopicRetention) {
  auto r = ReadHelmTopicRetention(FRONTDESK_HELM_VALUES);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->retention_ms, 315619200000);
  EXPECT_TRUE(absl::EndsWith(r->source, ": kafka.topics.retentionMs"))
      << r->source;

  auto shorter = ReadHelmTopicRetention(
      TempFile("short.yaml", "kafka:\n  topics:\n    retentionMs: 86400000\n"));
  ASSERT_TRUE(shorter.ok());
  EXPECT_EQ(shorter->retention_ms, 86400000);

  auto none = ReadHelmTopicRetention(TempFile("none.yaml", "image: {}\n"));
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->retention_ms, DefaultTopicRetention().retention_ms);
  EXPECT_TRUE(
      absl::StrContains(none->source, "has no kafka.topics.retentionMs"));

  const std::string bad =
      TempFile("bad.yaml", "kafka:\n  topics:\n    retentionMs: forever\n");
  auto wrong = ReadHelmTopicRetention(bad);
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong.status().message(),
            absl::StrCat("Helm values ", bad,
                         ":3:18: kafka.topics.retentionMs: expected a positive "
                         "whole number of milliseconds"));
  EXPECT_EQ(ReadHelmTopicRetention("/nonexistent/values.yaml").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(PhiDataPathTest, HtmlIsSelfContainedWithADiagramAndEscapesPolicyText) {
  std::string yaml = ReadSample();
  const std::string from = "name: Sunrise Family Medicine";
  const size_t at = yaml.find(from);
  ASSERT_NE(at, std::string::npos) << "sample clinic name";
  yaml.replace(at, from.size(), "name: \"Sunrise <Family> & Medicine\"");
  auto p = ParsePolicy(yaml, "policy.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  const std::string html = RenderPhiDataPathHtml(
      BuildPhiDataPath(*p, "policy.yaml", DefaultTopicRetention()));
  EXPECT_TRUE(absl::StartsWith(html, "<!DOCTYPE html>"));
  EXPECT_TRUE(absl::StrContains(html, "<svg "));
  EXPECT_TRUE(absl::StrContains(html, "Sunrise &lt;Family&gt; &amp; Medicine"));
  EXPECT_FALSE(absl::StrContains(html, "<Family>"));
  EXPECT_FALSE(absl::StrContains(html, "<script"));
  EXPECT_FALSE(absl::StrContains(html, " src="));
  EXPECT_FALSE(absl::StrContains(html, "<link"));
  // The subprocessor without a BAA is drawn red and says it gets no PHI.
  EXPECT_TRUE(absl::StrContains(
      html,
      "<tr class='nobaa'><td>language-model</td><td>model</td><td>NONE"
      "</td><td>no PHI</td></tr>"));
  EXPECT_TRUE(absl::StrContains(html, "frontdesk.handoff.refills.v1"));
}

}  // namespace
}  // namespace frontdesk::policy
