#include "libs/reports/fhir_audit_export.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/reports/crafted_log_test_util.h"

namespace frontdesk::reports {
namespace {

using nlohmann::json;
using testing::CraftedLog;
using ::testing::HasSubstr;
using ::testing::Not;

AuditExporter Export(const CraftedLog& log, PhiOpener open) {
  AuditExporter x(std::move(open));
  for (const LoggedEvent& e : log.Week().events) x.Apply(e);
  return x;
}

// The first resource whose subtype code is `subtype`.
json Find(const std::vector<json>& events, const std::string& subtype) {
  for (const json& r : events) {
    if (r["subtype"][0]["code"] == subtype) return r;
  }
  return json();
}

TEST(FhirAuditExportTest, ScriptedWeekBundleHasTheR4Shape) {
  CraftedLog log;
  testing::ScriptWeek(&log);
  AuditExporter x = Export(log, nullptr);
  const json bundle = x.Bundle();
  EXPECT_TRUE(ValidateAuditBundleShape(bundle).ok())
      << ValidateAuditBundleShape(bundle);
  EXPECT_EQ(bundle["type"], "collection");
  // Exported: 6 starts, 6 ends, 9 decisions, 5 prepared, 4 claimed,
  // 4 resolved, 1 escalation, 2 accesses (one break glass), 1 policy
  // activation.
  EXPECT_EQ(bundle["entry"].size(), 38u);
  int break_glass = 0;
  for (const json& r : x.AuditEvents()) {
    EXPECT_TRUE(ValidateAuditEventShape(r).ok()) << ValidateAuditEventShape(r);
    if (r["purposeOfEvent"][0].contains("coding") &&
        r["purposeOfEvent"][0]["coding"][0]["code"] == "BTG") {
      ++break_glass;
    }
  }
  EXPECT_EQ(break_glass, 1);
}

TEST(FhirAuditExportTest, MapsEventsToTypesActionsAndOutcomes) {
  CraftedLog log;
  testing::ScriptWeek(&log);
  const std::vector<json> events = Export(log, nullptr).AuditEvents();
  const json started = Find(events, "call-started");
  EXPECT_EQ(started["type"]["code"], "110110");
  EXPECT_EQ(started["action"], "C");
  EXPECT_EQ(started["outcome"], "0");
  EXPECT_EQ(started["recorded"], "2026-11-23T09:00:00.000Z");
  EXPECT_EQ(started["purposeOfEvent"][0]["coding"][0]["code"], "PATADMIN");
  EXPECT_EQ(started["source"]["observer"]["identifier"]["value"], "answer");
  EXPECT_EQ(started["agent"][0]["requestor"], false);

  const json decision = Find(events, "decision-recorded");
  EXPECT_EQ(decision["action"], "E");
  EXPECT_EQ(decision["entity"][1]["what"]["identifier"]["value"], "d1");

  const json claimed = Find(events, "handoff-claimed");
  EXPECT_EQ(claimed["action"], "U");
  EXPECT_EQ(claimed["agent"][1]["who"]["identifier"]["value"], "nina");
  EXPECT_EQ(claimed["agent"][1]["requestor"], true);

  const json access = Find(events, "record-access");
  EXPECT_EQ(access["type"]["code"], "110101");
  EXPECT_EQ(access["action"], "R");
  EXPECT_EQ(access["agent"][0]["who"]["identifier"]["value"], "auditor-1");
  EXPECT_EQ(access["purposeOfEvent"][0]["coding"][0]["code"], "HOPERAT");

  const json policy = Find(events, "policy-activated");
  EXPECT_EQ(policy["type"]["code"], "110100");
  EXPECT_EQ(policy["entity"][0]["role"]["code"], "13");
}

TEST(FhirAuditExportTest, PatientIdentityOnlyWithTheKey) {
  CraftedLog log;
  testing::ScriptWeek(&log);
  testing::Script s(&log);
  s.Field("c1", 1, "name", "Ada Lovelace");
  s.Field("c1", 1, "date_of_birth", "1980-03-03");

  const std::string sealed = Export(log, nullptr).Bundle().dump();
  EXPECT_THAT(sealed, Not(HasSubstr("+15550100001")));
  EXPECT_THAT(sealed, Not(HasSubstr("Ada Lovelace")));
  EXPECT_THAT(sealed, Not(HasSubstr("1980-03-03")));
  EXPECT_THAT(sealed, Not(HasSubstr("\"Patient\"")));

  AuditExporter opened = Export(log, log.Opener());
  const json bundle = opened.Bundle();
  EXPECT_TRUE(ValidateAuditBundleShape(bundle).ok())
      << ValidateAuditBundleShape(bundle);
  const json started = Find(opened.AuditEvents(), "call-started");
  const json& patient = started["entity"].back();
  EXPECT_EQ(patient["role"]["code"], "1");
  EXPECT_EQ(patient["what"]["identifier"]["value"], "+15550100001");
  EXPECT_EQ(patient["what"]["display"], "Ada Lovelace");
  EXPECT_EQ(patient["detail"][0]["valueString"], "1980-03-03");
  // The policy activation concerns no patient.
  const json policy = Find(opened.AuditEvents(), "policy-activated");
  EXPECT_EQ(policy["entity"].size(), 1u);
}

TEST(FhirAuditExportTest, PlainEventsAreOneObjectPerEvent) {
  CraftedLog log;
  testing::ScriptWeek(&log);
  const std::vector<json> plain = Export(log, nullptr).PlainEvents();
  ASSERT_EQ(plain.size(), 38u);
  EXPECT_EQ(plain[0]["event"], "CallStarted");
  EXPECT_EQ(plain[0]["call_id"], "c1");
  EXPECT_EQ(plain[0]["log"]["topic"], "frontdesk.calls.v1");
  EXPECT_EQ(plain[0]["payload"]["channel"], "CHANNEL_VOICE");
  EXPECT_FALSE(plain[0].contains("patient"));
}

class BrokenResourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    CraftedLog log;
    testing::ScriptWeek(&log);
    good_ = Find(Export(log, nullptr).AuditEvents(), "handoff-claimed");
    ASSERT_TRUE(ValidateAuditEventShape(good_).ok());
  }
  std::string ErrorAfter(const std::function<void(json&)>& breaker) {
    json r = good_;
    breaker(r);
    absl::Status st = ValidateAuditEventShape(r);
    EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
    return std::string(st.message());
  }
  json good_;
};

TEST_F(BrokenResourceTest, EachBrokenRuleNamesTheElement) {
  EXPECT_EQ(ErrorAfter([](json& r) { r["agent"][0].erase("requestor"); }),
            "AuditEvent.agent[0].requestor: required");
  EXPECT_EQ(ErrorAfter([](json& r) { r["agent"][1]["requestor"] = "yes"; }),
            "AuditEvent.agent[1].requestor: must be a boolean");
  EXPECT_EQ(ErrorAfter([](json& r) { r.erase("agent"); }),
            "AuditEvent.agent: required (1..*)");
  EXPECT_EQ(ErrorAfter([](json& r) { r["agent"] = json::array(); }),
            "AuditEvent.agent: must be a non-empty array");
  EXPECT_EQ(ErrorAfter([](json& r) { r["source"].erase("observer"); }),
            "AuditEvent.source.observer: required");
  EXPECT_EQ(ErrorAfter([](json& r) { r.erase("recorded"); }),
            "AuditEvent.recorded: required");
  EXPECT_THAT(
      ErrorAfter([](json& r) { r["recorded"] = "2026-11-23 09:00:00"; }),
      HasSubstr("AuditEvent.recorded: must be an instant"));
  EXPECT_THAT(
      ErrorAfter([](json& r) { r["recorded"] = "2026-11-23T09:00:00"; }),
      HasSubstr("AuditEvent.recorded: must be an instant"));
  for (const char* bad :
       {"2026-13-23T09:00:00Z", "2026-11-32T09:00:00Z", "0000-11-23T09:00:00Z",
        "2026-11-23T24:00:00Z", "2026-11-23T09:00:00.Z",
        "2026-11-23T09:00:00+15:00", "2026-11-23T09:00:00+0500",
        "2026-11-23T09:00:00Zjunk"}) {
    EXPECT_THAT(ErrorAfter([bad](json& r) { r["recorded"] = bad; }),
                HasSubstr("AuditEvent.recorded: must be an instant"))
        << bad;
  }
  for (const char* good :
       {"2026-11-23T09:00:00.123456Z", "2026-11-23T09:00:60-05:00",
        "2026-11-23T09:00:00+14:00"}) {
    json r = good_;
    r["recorded"] = good;
    EXPECT_TRUE(ValidateAuditEventShape(r).ok()) << good;
  }
  EXPECT_THAT(ErrorAfter([](json& r) { r["id"] = "has space"; }),
              HasSubstr("AuditEvent.id: must match"));
  EXPECT_THAT(ErrorAfter([](json& r) { r["id"] = std::string(65, 'a'); }),
              HasSubstr("AuditEvent.id: must match"));
  json with_id = good_;
  with_id["id"] = "evt-1.a";
  EXPECT_TRUE(ValidateAuditEventShape(with_id).ok());
  EXPECT_EQ(ErrorAfter([](json& r) { r.erase("type"); }),
            "AuditEvent.type: required");
  EXPECT_EQ(ErrorAfter([](json& r) { r["type"]["code"] = "999"; }),
            "AuditEvent.type.code: \"999\" is not in the value set");
  EXPECT_THAT(ErrorAfter([](json& r) { r["type"]["system"] = "urn:x"; }),
              HasSubstr("AuditEvent.type.system: must be "));
  EXPECT_EQ(ErrorAfter([](json& r) { r["action"] = "X"; }),
            "AuditEvent.action: must be one of C, R, U, D, E");
  EXPECT_EQ(ErrorAfter([](json& r) { r["outcome"] = "5"; }),
            "AuditEvent.outcome: must be one of 0, 4, 8, 12");
  EXPECT_EQ(ErrorAfter([](json& r) {
              r["purposeOfEvent"][0]["coding"][0]["code"] = "FUN";
            }),
            "AuditEvent.purposeOfEvent[0].coding[0].code: \"FUN\" is not in "
            "the value set");
  EXPECT_EQ(ErrorAfter([](json& r) { r["subtype"][0]["code"] = "lunch"; }),
            "AuditEvent.subtype[0].code: \"lunch\" is not in the value set");
  EXPECT_EQ(ErrorAfter([](json& r) { r["entity"][1]["role"]["code"] = "99"; }),
            "AuditEvent.entity[1].role.code: \"99\" is not in the value set");
  EXPECT_EQ(ErrorAfter([](json& r) {
              r["entity"][0]["name"] = "n";
              r["entity"][0]["query"] = "cQ==";
            }),
            "AuditEvent.entity[0]: sev-1: either a name or a query, not both");
  EXPECT_EQ(ErrorAfter([](json& r) { r["agent"][0]["who"] = json::object(); }),
            "AuditEvent.agent[0].who: needs a reference, an identifier or a "
            "display");
  EXPECT_EQ(ErrorAfter([](json& r) {
              r["entity"][0]["detail"] =
                  json::array({{{"type", "x"}, {"valueString", ""}}});
            }),
            "AuditEvent.entity[0].detail[0].value[x]: must be a non-empty "
            "string");
  EXPECT_EQ(ErrorAfter([](json& r) { r["source"]["site"] = ""; }),
            "AuditEvent.source.site: must be a non-empty string");
  EXPECT_EQ(ErrorAfter([](json& r) { r["period"] = json::object(); }),
            "AuditEvent.period: unknown element");
  EXPECT_EQ(ErrorAfter([](json& r) { r["resourceType"] = "Patient"; }),
            "AuditEvent.resourceType: must be \"AuditEvent\"");
}

TEST(FhirAuditBundleTest, BrokenBundleNamesTheEntry) {
  CraftedLog log;
  testing::ScriptWeek(&log);
  json bundle = Export(log, nullptr).Bundle();
  bundle["entry"][3]["resource"]["agent"][0].erase("requestor");
  EXPECT_EQ(ValidateAuditBundleShape(bundle).message(),
            "Bundle.entry[3].resource AuditEvent.agent[0].requestor: required");
  bundle["type"] = "searchset";
  EXPECT_EQ(ValidateAuditBundleShape(bundle).message(),
            "Bundle.type: must be \"collection\"");
}

TEST(FhirAuditBundleTest, StreamedBundleIsTheSameBundle) {
  CraftedLog log;
  testing::ScriptWeek(&log);
  AuditExporter x = Export(log, nullptr);
  std::stringstream text;
  AuditBundleWriter w(&text);
  for (const LoggedEvent& e : log.Week().events) {
    if (auto r = x.ToAuditEvent(e)) w.Add(*r);
  }
  w.Finish();
  EXPECT_EQ(json::parse(text.str()), x.Bundle());

  std::stringstream empty;
  AuditBundleWriter none(&empty);
  none.Finish();
  const json bundle = json::parse(empty.str());
  EXPECT_FALSE(bundle.contains("entry"));
  EXPECT_TRUE(ValidateAuditBundleShape(bundle).ok());
  EXPECT_EQ(ValidateAuditBundleShape({{"resourceType", "Bundle"},
                                      {"type", "collection"},
                                      {"entry", json::array()}})
                .message(),
            "Bundle.entry: must be a non-empty array");
}

}  // namespace
}  // namespace frontdesk::reports
