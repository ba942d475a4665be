#include "libs/policy/clinic_policy.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/policy/access_roles.h"
#include "libs/policy/policy_diff.h"

namespace frontdesk::policy {
namespace {

namespace pv = ::frontdesk::policy::v1;

constexpr char kMinimal[] = R"(label: "v1"
clinic:
  tenant_id: demo
  name: Demo Clinic
  timezone: UTC
rollout_mode: answers
queues:
  - id: front-desk
    owner_role: front-desk
    backup_role: manager
    claim_window_minutes: 30
default_queue: front-desk
human_only:
  - id: urgent
    rule_id: HO-1
    queue: front-desk
    urgent: true
    triggers: ["Chest pain!"]
approved_texts:
  - id: t
    version: 1
    text: "Hello."
scripts:
  greeting: t
  fallback: t
  urgent: t
  handoff: t
  callback: t
  goodbye: t
  post_escalation: t
  anything_else: t
)";

std::string Replace(std::string s, const std::string& from,
                    const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

// The errors of a broken variant of kMinimal, as "line:col: message".
std::vector<std::string> Errors(const std::string& yaml) {
  std::vector<PolicyError> errors;
  auto p = ParsePolicy(yaml, "mini.yaml", &errors);
  EXPECT_FALSE(p.ok());
  if (!p.ok()) {
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  }
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.ToString());
  return out;
}

std::string ReadSample() {
  std::ifstream in(FRONTDESK_SAMPLE_POLICY);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ClinicPolicyTest, SamplePolicyLoads) {
  absl::StatusOr<ClinicPolicy> p = LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->tenant_id(), "sunrise-family-medicine");
  EXPECT_EQ(p->rollout_mode(), pv::ROLLOUT_MODE_ANSWERS);
  EXPECT_EQ(p->FindQueue("nurse-line")->claim_window_minutes(), 5u);
  EXPECT_EQ(p->ClaimWindow(*p->FindQueue("nurse-line")), absl::Minutes(5));
  EXPECT_EQ(p->FindText("office-hours")->version(), 3u);
  EXPECT_EQ(p->FindText("nope"), nullptr);
  EXPECT_TRUE(absl::StartsWith(p->version(), "sunrise-2026.11.27-1+"));
  EXPECT_EQ(p->version().size(),
            std::string("sunrise-2026.11.27-1+").size() + 12);
  EXPECT_EQ(p->proto().clinic().office_hours(5).day(), pv::WEEKDAY_SATURDAY);
  EXPECT_EQ(p->FindPhiScope("refill")->collect_size(), 3);
}

TEST(ClinicPolicyTest, VersionHashesContentNotFormatting) {
  auto a = ParsePolicy(kMinimal, "a.yaml");
  ASSERT_TRUE(a.ok()) << a.status();
  // Comments, quoting and key order do not change the version.
  auto b =
      ParsePolicy(Replace(Replace(kMinimal, "  name: Demo Clinic\n", ""),
                          "  timezone: UTC\n",
                          "  timezone: UTC\n  name: 'Demo Clinic'  # same\n"),
                  "b.yaml");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->version(), b->version());
  // A content change does.
  auto c = ParsePolicy(Replace(kMinimal, "Hello.", "Hello there."), "c.yaml");
  ASSERT_TRUE(c.ok());
  EXPECT_NE(a->version(), c->version());
  EXPECT_TRUE(absl::StartsWith(c->version(), "v1+"));
}

TEST(ClinicPolicyTest, UnknownKeyNamesLineColumnAndExpectedKeys) {
  EXPECT_EQ(
      Errors(Replace(kMinimal, "  name: Demo Clinic",
                     "  name: Demo Clinic\n  colour: blue")),
      std::vector<std::string>{
          "mini.yaml:5:3: clinic: unknown key \"colour\"; expected one of: "
          "tenant_id, name, timezone, office_hours, holidays, country_code"});
}

TEST(ClinicPolicyTest, WrongTypeIsAnError) {
  EXPECT_EQ(
      Errors(Replace(kMinimal, "claim_window_minutes: 30",
                     "claim_window_minutes: soon")),
      std::vector<std::string>{
          "mini.yaml:11:27: queues[0].claim_window_minutes: expected a whole "
          "number, found \"soon\""});
  EXPECT_EQ(
      Errors(Replace(kMinimal, "urgent: true", "urgent: maybe")),
      std::vector<std::string>{
          "mini.yaml:17:13: human_only[0].urgent: expected true or false, "
          "found \"maybe\""});
  EXPECT_EQ(Errors(Replace(kMinimal, "triggers: [\"Chest pain!\"]",
                           "triggers: chest pain")),
            std::vector<std::string>{
                "mini.yaml:18:15: human_only[0].triggers: expected a list"});
}

TEST(ClinicPolicyTest, UnknownEnumValueListsTheChoices) {
  EXPECT_EQ(Errors(Replace(kMinimal, "rollout_mode: answers",
                           "rollout_mode: everything")),
            std::vector<std::string>{
                "mini.yaml:6:15: rollout_mode: \"everything\" is not one of: "
                "capture_only, answers, scheduling, reminders"});
}

TEST(ClinicPolicyTest, MissingRequiredFieldIsAnError) {
  EXPECT_EQ(Errors(Replace(kMinimal, "rollout_mode: answers\n", "")),
            std::vector<std::string>{"mini.yaml:1:1: rollout_mode: required; "
                                     "one of: capture_only, answers, "
                                     "scheduling, reminders"});
  EXPECT_EQ(
      Errors(Replace(kMinimal, "    owner_role: front-desk\n", "")),
      std::vector<std::string>{
          "mini.yaml:8:5: queues[0].owner_role: required, must not be empty"});
}

TEST(ClinicPolicyTest, DanglingReferencesAreErrors) {
  EXPECT_EQ(
      Errors(Replace(kMinimal, "    queue: front-desk", "    queue: nurse")),
      std::vector<std::string>{
          "mini.yaml:16:12: human_only[0].queue: no queue with id \"nurse\""});
  EXPECT_EQ(Errors(Replace(kMinimal, "  goodbye: t", "  goodbye: bye")),
            std::vector<std::string>{"mini.yaml:29:12: scripts.goodbye: no "
                                     "approved text with id \"bye\""});
  EXPECT_EQ(Errors(Replace(kMinimal, "default_queue: front-desk",
                           "default_queue: desk")),
            std::vector<std::string>{
                "mini.yaml:12:16: default_queue: no queue with id \"desk\""});
}

TEST(ClinicPolicyTest, DuplicatesAreErrors) {
  EXPECT_EQ(Errors(Replace(
                kMinimal, "scripts:",
                "  - id: t\n    version: 2\n    text: \"Again.\"\nscripts:")),
            std::vector<std::string>{"mini.yaml:23:9: approved_texts[1].id: "
                                     "duplicate approved text id \"t\""});
  // The same phrase after normalization, in two categories.
  EXPECT_EQ(
      Errors(Replace(kMinimal, "approved_texts:",
                     "  - id: other\n    rule_id: HO-2\n    queue: front-desk\n"
                     "    urgent: false\n    triggers: [\"CHEST-PAINS\"]\n"
                     "approved_texts:")),
      std::vector<std::string>{"mini.yaml:23:16: human_only[1].triggers[0]: "
                               "\"CHEST-PAINS\" is already "
                               "listed by category urgent"});
  EXPECT_EQ(
      Errors(Replace(kMinimal, "    rule_id: HO-1\n", "    rule_id: HO-1\n") +
             "request_types:\n  - id: x\n    rule_id: HO-1\n    lane: "
             "ai_assisted\n"
             "    queue: front-desk\n"),
      std::vector<std::string>{"mini.yaml:34:14: request_types[0].rule_id: "
                               "duplicate rule id \"HO-1\""});
}

TEST(ClinicPolicyTest, AccessRolesGrantOnlyWhatTheyList) {
  absl::StatusOr<ClinicPolicy> p = ParsePolicy(
      kMinimal + std::string("access_roles:\n"
                             "  - role: auditor\n"
                             "    permissions: [records.read, replay]\n"),
      "mini.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(RoleGrants(p->proto(), "auditor", kPermReplay));
  EXPECT_TRUE(RoleGrants(p->proto(), "auditor", kPermRecordsRead));
  EXPECT_FALSE(RoleGrants(p->proto(), "auditor", kPermPhiRead));
  EXPECT_FALSE(RoleGrants(p->proto(), "front-desk", kPermRecordsRead));
  EXPECT_FALSE(RoleGrants(p->proto(), "", kPermReplay));

  absl::StatusOr<ClinicPolicy> sample = LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_TRUE(RoleGrants(sample->proto(), "auditor", kPermVerify));
  EXPECT_FALSE(RoleGrants(sample->proto(), "auditor", kPermPhiRead));
}

TEST(ClinicPolicyTest, UnknownOrDuplicatePermissionsAreErrors) {
  const std::vector<std::string> errors = Errors(
      kMinimal + std::string("access_roles:\n"
                             "  - role: auditor\n"
                             "    permissions: [replay, rpelay, replay]\n"
                             "  - role: auditor\n"
                             "    permissions: []\n"));
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_TRUE(absl::StartsWith(
      errors[0],
      "mini.yaml:34:27: access_roles[0].permissions[1]: unknown "
      "permission \"rpelay\"; one of: records.read,"))
      << errors[0];
  EXPECT_EQ(errors[1],
            "mini.yaml:34:35: access_roles[0].permissions[2]: duplicate "
            "permission \"replay\"");
  EXPECT_EQ(errors[2],
            "mini.yaml:35:11: access_roles[1].role: duplicate access role id "
            "\"auditor\"");
  EXPECT_EQ(errors[3],
            "mini.yaml:36:5: access_roles[1].permissions: needs at least one "
            "permission");
}

TEST(ClinicPolicyTest, RetentionIsReadAndBounded) {
  absl::StatusOr<ClinicPolicy> sample = LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_EQ(sample->proto().retention().phi_years(), 7u);
  EXPECT_TRUE(RoleGrants(sample->proto(), "privacy-officer", kPermKeysShred));
  const std::vector<std::string> errors =
      Errors(kMinimal + std::string("retention:\n  phi_years: 101\n"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(absl::StrContains(
      errors[0], "retention.phi_years: at most 100 years, found 101"))
      << errors[0];
}

TEST(ClinicPolicyTest, RemindersAreOptionalAndChecked) {
  absl::StatusOr<ClinicPolicy> sample = LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_EQ(sample->proto().reminders().quiet_start(), "20:00");
  EXPECT_EQ(sample->proto().reminders().quiet_end(), "08:00");
  EXPECT_FALSE(ParsePolicy(kMinimal, "mini.yaml")->proto().has_reminders());
  const std::vector<std::string> errors =
      Errors(kMinimal + std::string("reminders:\n"
                                    "  quiet_start: \"25:00\"\n"
                                    "  max_attempts_per_patient_per_day: 11\n"
                                    "  confirmed_text: nope\n"));
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_TRUE(absl::StrContains(
      errors[0],
      "reminders.quiet_end: give quiet_start and quiet_end together"))
      << errors[0];
  EXPECT_TRUE(absl::StrContains(
      errors[1],
      "reminders.quiet_start: \"25:00\" is not a time; expected HH:MM"))
      << errors[1];
  EXPECT_TRUE(absl::StrContains(
      errors[2],
      "reminders.max_attempts_per_patient_per_day: at most 10, found 11"))
      << errors[2];
  EXPECT_TRUE(absl::StrContains(
      errors[3], "reminders.confirmed_text: no approved text with id \"nope\""))
      << errors[3];
}

TEST(ClinicPolicyTest, ClaimWindowsInSecondsForDrills) {
  auto p = ParsePolicy(
      Replace(kMinimal, "claim_window_minutes: 30", "claim_window_seconds: 3"),
      "mini.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->ClaimWindow(*p->FindQueue("front-desk")), absl::Seconds(3));
  EXPECT_EQ(Errors(Replace(kMinimal, "claim_window_minutes: 30",
                           "claim_window_minutes: 30\n    "
                           "claim_window_seconds: 3")),
            std::vector<std::string>{
                "mini.yaml:12:27: queues[0].claim_window_seconds: give "
                "claim_window_minutes or claim_window_seconds, not both"});
}

TEST(ClinicPolicyTest, BadTimesDatesAndZonesAreErrors) {
  auto errors =
      Errors(Replace(Replace(kMinimal, "timezone: UTC", "timezone: Mars/Base"),
                     "  name: Demo Clinic",
                     "  name: Demo Clinic\n  office_hours: [{day: monday, "
                     "open: \"9am\", close: \"17:00\"}]\n"
                     "  holidays: [{date: \"2026-13-01\", name: X}]"));
  EXPECT_EQ(
      errors,
      (std::vector<std::string>{
          "mini.yaml:7:13: clinic.timezone: unknown time zone \"Mars/Base\"",
          "mini.yaml:5:38: clinic.office_hours[0].open: \"9am\" is not a "
          "time; expected HH:MM",
          "mini.yaml:6:21: clinic.holidays[0].date: \"2026-13-01\" is not a "
          "date; expected YYYY-MM-DD"}));
}

TEST(ClinicPolicyTest, EveryErrorIsReportedNotJustTheFirst) {
  auto errors =
      Errors(Replace(Replace(kMinimal, "  goodbye: t", "  goodbye: bye"),
                     "claim_window_minutes: 30", "claim_window_minutes: 0"));
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0],
            "mini.yaml:11:27: queues[0].claim_window_minutes: required, "
            "between 1 and 10080");
  EXPECT_EQ(
      errors[1],
      "mini.yaml:29:12: scripts.goodbye: no approved text with id \"bye\"");
}

TEST(ClinicPolicyTest, InvalidUtf8IsAnError) {
  EXPECT_EQ(Errors(Replace(kMinimal, "Hello.", "Hel\x8elo.")),
            std::vector<std::string>{
                "mini.yaml:22:11: approved_texts[0].text: not valid UTF-8"});
}

TEST(ClinicPolicyTest, BrokenYamlAndMissingFileAreErrors) {
  auto broken = Errors("clinic: [unclosed");
  ASSERT_EQ(broken.size(), 1u);
  EXPECT_TRUE(absl::StartsWith(broken[0], "mini.yaml:1:")) << broken[0];
  EXPECT_TRUE(absl::StrContains(broken[0], "not valid YAML")) << broken[0];
  EXPECT_EQ(Errors("- a list\n- not a mapping\n"),
            std::vector<std::string>{
                "mini.yaml:1:1: the policy: expected a mapping of keys"});
  auto file = LoadPolicyFile("/nonexistent/policy.yaml");
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(file.status().message()),
            "policy file /nonexistent/policy.yaml: cannot be read");
}

// The 1-based line of the first occurrence of `text` in `yaml`.
int LineOf(const std::string& yaml, const std::string& text) {
  const size_t at = yaml.find(text);
  EXPECT_NE(at, std::string::npos) << text;
  return 1 +
         static_cast<int>(std::count(yaml.begin(), yaml.begin() + at, '\n'));
}

TEST(ClinicPolicyTest, PhiToASubprocessorWithoutBaaFailsTheCheck) {
  const std::string from =
      "{subprocessor: speech-front-end, fields: [name, date_of_birth, phone, "
      "email]}";
  const std::string yaml =
      Replace(ReadSample(), from,
              "{subprocessor: language-model, fields: [phone, email]}");
  std::vector<PolicyError> errors;
  auto p = ParsePolicy(yaml, "policy.yaml", &errors);
  ASSERT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  const int line = LineOf(yaml, "{subprocessor: language-model");
  std::vector<std::string> got;
  for (const auto& e : errors) got.push_back(e.ToString());
  const std::string at = absl::StrCat("policy.yaml:", line, ":");
  const std::string where = "phi_scopes[6].send_to_subprocessors[0]";
  ASSERT_EQ(got.size(), 2u) << p.status();
  EXPECT_TRUE(absl::StartsWith(got[0], at)) << got[0];
  EXPECT_TRUE(absl::EndsWith(
      got[0], absl::StrCat(where,
                           ".fields[0]: PHI field phone of request type "
                           "\"billing\" would flow to subprocessor "
                           "\"language-model\", which has no BAA on record")))
      << got[0];
  EXPECT_TRUE(absl::StartsWith(got[1], at)) << got[1];
  EXPECT_TRUE(absl::EndsWith(
      got[1], absl::StrCat(where,
                           ".fields[1]: PHI field email of request type "
                           "\"billing\" would flow to subprocessor "
                           "\"language-model\", which has no BAA on record")))
      << got[1];

  // The same flow loads once the BAA is on record.
  const std::string signed_baa =
      Replace(yaml, "{id: language-model, kind: model, baa_on_record: false}",
              "{id: language-model, kind: model, baa_on_record: true}");
  EXPECT_TRUE(ParsePolicy(signed_baa, "policy.yaml").ok());
}

TEST(ClinicPolicyTest, SubprocessorFlowsNameKnownSubprocessorsAndFields) {
  const std::string from =
      "{subprocessor: speech-front-end, fields: [name, phone, callback_time]}";
  const std::string yaml =
      Replace(ReadSample(), from,
              "{subprocessor: fax-vendor, fields: [name]}\n"
              "      - {subprocessor: sms-gateway, fields: [date_of_birth]}\n"
              "      - {subprocessor: sms-gateway, fields: []}");
  std::vector<PolicyError> errors;
  auto p = ParsePolicy(yaml, "policy.yaml", &errors);
  ASSERT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  std::vector<std::string> got;
  for (const auto& e : errors) {
    got.push_back(e.message);
  }
  const std::string where = "phi_scopes[8].send_to_subprocessors";
  EXPECT_EQ(got, (std::vector<std::string>{
                     where + "[0].subprocessor: no subprocessor with id "
                             "\"fax-vendor\"",
                     where + "[1].fields[0]: date_of_birth is not collected "
                             "for \"callback\", so it cannot be sent",
                     where + "[2].subprocessor: \"sms-gateway\" is already "
                             "listed for this request type",
                     where + "[2].fields: needs at least one field"}));
  EXPECT_EQ(errors[0].line, LineOf(yaml, "{subprocessor: fax-vendor"));
}

constexpr char kBooking[] = R"(booking:
  clinicians: [dr-a, dr-b]
  visit_types:
    - {id: check, minutes: 20, lane: ai_owned, clinicians: [dr-a, dr-b]}
    - {id: old-style, minutes: 30, ai_owned: true, clinicians: [dr-a]}
    - {id: old-style-no, minutes: 30, ai_owned: false, clinicians: [dr-a]}
    - {id: scope, minutes: 45, lane: ai_assisted, procedure: true, clinicians: [dr-b]}
  hours:
    - {day: monday, open: "09:00", close: "17:00"}
  exclusions:
    - {date: "2026-12-24", clinician: dr-a, reason: away}
  new_patients: outside
  procedures: ai_assisted
  same_day: {lane: ai_assisted, cutoff_minutes: 90}
  exceptions_queue: front-desk
)";

// kMinimal with kBooking, edited.
std::string WithBooking(const std::string& from = "",
                        const std::string& to = "") {
  std::string yaml = std::string(kMinimal) + kBooking;
  return from.empty() ? yaml : Replace(yaml, from, to);
}

// The one error of a broken booking, placed on the line holding `at`.
void ExpectBookingError(const std::string& yaml, const std::string& at,
                        const std::string& message) {
  std::vector<PolicyError> errors;
  auto p = ParsePolicy(yaml, "mini.yaml", &errors);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(errors.size(), 1u) << p.status();
  EXPECT_EQ(errors[0].source, "mini.yaml");
  EXPECT_EQ(errors[0].line, LineOf(yaml, at)) << errors[0].ToString();
  EXPECT_EQ(errors[0].message, message);
}

TEST(ClinicPolicyTest, BookingRulesLoad) {
  auto p = ParsePolicy(WithBooking(), "mini.yaml");
  ASSERT_TRUE(p.ok()) << p.status();
  const pv::BookingRules& b = p->proto().booking();
  EXPECT_EQ(b.clinicians_size(), 2);
  EXPECT_EQ(b.new_patients(), pv::BOOKING_LANE_OUTSIDE);
  EXPECT_EQ(b.procedures(), pv::BOOKING_LANE_AI_ASSISTED);
  EXPECT_EQ(b.same_day().lane(), pv::BOOKING_LANE_AI_ASSISTED);
  EXPECT_EQ(b.same_day().cutoff_minutes(), 90u);
  EXPECT_EQ(VisitTypeLane(*p->FindVisitType("check")),
            pv::BOOKING_LANE_AI_OWNED);
  EXPECT_EQ(VisitTypeLane(*p->FindVisitType("scope")),
            pv::BOOKING_LANE_AI_ASSISTED);
  EXPECT_TRUE(p->FindVisitType("scope")->procedure());
  // The older spelling still loads and means the same lanes.
  EXPECT_EQ(VisitTypeLane(*p->FindVisitType("old-style")),
            pv::BOOKING_LANE_AI_OWNED);
  EXPECT_EQ(VisitTypeLane(*p->FindVisitType("old-style-no")),
            pv::BOOKING_LANE_AI_ASSISTED);
}

TEST(ClinicPolicyTest, SamplePolicyHasBookingRules) {
  auto p = LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->proto().booking().clinicians_size(), 4);
  EXPECT_TRUE(p->proto().booking().has_same_day());
  EXPECT_TRUE(p->FindVisitType("procedure")->procedure());
  EXPECT_EQ(VisitTypeLane(*p->FindVisitType("new-patient")),
            pv::BOOKING_LANE_AI_ASSISTED);
}

TEST(ClinicPolicyTest, UnknownClinicianInAVisitTypeIsAnError) {
  ExpectBookingError(
      WithBooking("clinicians: [dr-a, dr-b]}", "clinicians: [dr-a, dr-z]}"),
      "clinicians: [dr-a, dr-z]}",
      "booking.visit_types[0].clinicians[1]: unknown clinician \"dr-z\"; not "
      "listed in booking.clinicians");
  ExpectBookingError(
      WithBooking("clinician: dr-a, reason", "clinician: dr-q, reason"),
      "clinician: dr-q",
      "booking.exclusions[0].clinician: unknown clinician \"dr-q\"; not listed "
      "in booking.clinicians");
  ExpectBookingError(WithBooking("clinicians: [dr-a, dr-b]\n",
                                 "clinicians: [dr-a, dr-b, dr-a]\n"),
                     "clinicians: [dr-a, dr-b, dr-a]",
                     "booking.clinicians[2]: duplicate clinician id \"dr-a\"");
}

TEST(ClinicPolicyTest, BookingHoursMustCloseAfterTheyOpen) {
  ExpectBookingError(WithBooking("open: \"09:00\", close: \"17:00\"",
                                 "open: \"09:00\", close: \"08:00\""),
                     "close: \"08:00\"",
                     "booking.hours[0].close: must be later than open");
  ExpectBookingError(WithBooking("open: \"09:00\"", "open: \"9\""),
                     "open: \"9\"",
                     "booking.hours[0].open: \"9\" is not a time; expected "
                     "HH:MM");
}

TEST(ClinicPolicyTest, BadExclusionDateIsAnError) {
  ExpectBookingError(WithBooking("2026-12-24", "2026-02-30"), "2026-02-30",
                     "booking.exclusions[0].date: \"2026-02-30\" is not a "
                     "date; expected YYYY-MM-DD");
}

TEST(ClinicPolicyTest, UnknownLaneListsTheChoices) {
  ExpectBookingError(WithBooking("lane: ai_owned, clinicians: [dr-a, dr-b]",
                                 "lane: robot, clinicians: [dr-a, dr-b]"),
                     "lane: robot",
                     "booking.visit_types[0].lane: \"robot\" is not one of: "
                     "ai_owned, ai_assisted, outside");
  ExpectBookingError(WithBooking("new_patients: outside", "new_patients: no"),
                     "new_patients: no",
                     "booking.new_patients: \"no\" is not one of: ai_owned, "
                     "ai_assisted, outside");
}

TEST(ClinicPolicyTest, LaneAndAiOwnedTogetherIsAnError) {
  ExpectBookingError(
      WithBooking("{id: check, minutes: 20, lane: ai_owned,",
                  "{id: check, minutes: 20, lane: ai_owned, ai_owned: true,"),
      "{id: check",
      "booking.visit_types[0].ai_owned: give lane or ai_owned, not both "
      "(ai_owned is the older spelling of lane)");
}

TEST(ClinicPolicyTest, NewPatientProcedureAndSameDayRulesAreNeverAiOwned) {
  ExpectBookingError(
      WithBooking("new_patients: outside", "new_patients: ai_owned"),
      "new_patients: ai_owned",
      "booking.new_patients: must be ai_assisted or outside; a new patient's "
      "booking is never AI-owned");
  ExpectBookingError(
      WithBooking("procedures: ai_assisted", "procedures: ai_owned"),
      "procedures: ai_owned",
      "booking.procedures: must be ai_assisted or outside; a procedure's "
      "booking is never AI-owned");
  ExpectBookingError(
      WithBooking("same_day: {lane: ai_assisted", "same_day: {lane: ai_owned"),
      "same_day:",
      "booking.same_day.lane: must be ai_assisted or outside; a same-day "
      "booking is never AI-owned");
}

TEST(ClinicPolicyTest, SameDayRuleNeedsALaneAndABoundedCutoff) {
  ExpectBookingError(
      WithBooking("same_day: {lane: ai_assisted, ", "same_day: {"),
      "same_day:", "booking.same_day.lane: required: ai_assisted or outside");
  ExpectBookingError(
      WithBooking("cutoff_minutes: 90", "cutoff_minutes: 20000"),
      "cutoff_minutes: 20000",
      "booking.same_day.cutoff_minutes: at most 10080 (a week), found 20000");
}

TEST(PolicyDiffTest, DescribesWhatChanged) {
  auto a = ParsePolicy(ReadSample(), "a");
  ASSERT_TRUE(a.ok()) << a.status();
  std::string edited =
      Replace(ReadSample(), "      - chest pressure\n",
              "      - chest pressure\n      - crushing chest\n");
  edited = Replace(edited, "rollout_mode: answers", "rollout_mode: scheduling");
  edited = Replace(edited, "label: \"sunrise-2026.11.27-1\"",
                   "label: \"sunrise-2026.11.27-2\"");
  edited = Replace(edited, "phi_years: 7", "phi_years: 10");
  edited = Replace(edited, "quiet_start: \"20:00\"", "quiet_start: \"19:00\"");
  auto b = ParsePolicy(edited, "b");
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(DescribePolicyChanges(a->proto(), b->proto()),
            (std::vector<std::string>{
                "label: sunrise-2026.11.27-1 -> sunrise-2026.11.27-2",
                "rollout_mode: ROLLOUT_MODE_ANSWERS -> ROLLOUT_MODE_SCHEDULING",
                "human_only urgent-symptoms: +1 trigger",
                "retention.phi_years: 7 -> 10", "reminders: changed"}));
  EXPECT_TRUE(DescribePolicyChanges(a->proto(), a->proto()).empty());
}

}  // namespace
}  // namespace frontdesk::policy
