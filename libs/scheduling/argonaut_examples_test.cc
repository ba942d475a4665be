// The Argonaut Scheduling guide's own example payloads through the FHIR
// codec (fhir_json) and the adapter (fhir_scheduler). The files are read
// from FRONTDESK_ARGONAUT_EXAMPLES (the shared copy of the guide's examples,
// ../shared/argonaut beside the checkout); they are not copied into the
// repository.
//
// The examples are STU3-era; the codec reads FHIR R4. What it does where
// they differ, or where the examples carry what the codec does not read:
//   - Appointment.status: STU3 and R4 share proposed, pending, booked and
//     cancelled, the only statuses the Argonaut flow uses; any other (STU3's
//     arrived, fulfilled, noshow; R4's checked-in, waitlist) is refused,
//     naming Appointment.status.
//   - start/end: STU3 and R4 both use `instant`; the codec requires a time
//     and a zone, as the examples have.
//   - serviceType: the examples code visit types in the guide's own
//     CodeSystem (visit-type#consult). The codec takes the first coding's
//     code whatever its system, so visit_type is "consult"; mapping an EHR's
//     visit types onto the clinic's ids is not built.
//   - appointmentType (STU3's http://hl7.org/fhir/v2/0276 is R4's
//     terminology.hl7.org/CodeSystem/v2-0276), specialty, requestedPeriod,
//     text and meta.profile are not read. STU3's reason, indication and
//     incomingReferral (R4: reasonCode, reasonReference, basedOn) are not
//     read either.
//   - participant: an actor with only a display ("Napa Office", a location
//     without a reference) is skipped; the Practitioner reference gives the
//     practitioner id ("dr-y").
//   - OperationOutcome: the same shape in both; information issues are not
//     errors.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/scheduling/fhir_json.h"
#include "libs/scheduling/fhir_scheduler.h"
#include "libs/scheduling/scripted_ehr_server.h"

namespace frontdesk::scheduling {
namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

json Example(const std::string& name) {
  const std::string path = absl::StrCat(FRONTDESK_ARGONAUT_EXAMPLES, "/", name);
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << path << " is not JSON";
  return j;
}

std::string ExampleText(const std::string& name) {
  return Example(name).dump();
}

absl::Time Utc(int h, int m) {
  return absl::FromCivil(absl::CivilMinute(2017, 7, 17, h, m),
                         absl::UTCTimeZone());
}

// What the guide's examples say about Dr. Y's proposed appointments.
struct Proposed {
  const char* file;
  const char* id;
  absl::Time start;
  absl::Time end;
};

void ExpectDrYProposal(const Appointment& a, const Proposed& want) {
  EXPECT_EQ(a.id, want.id);
  EXPECT_EQ(a.status, AppointmentStatus::kProposed);
  EXPECT_EQ(a.start, want.start) << a.id;
  EXPECT_EQ(a.end, want.end) << a.id;
  EXPECT_EQ(a.practitioner, "dr-y");
  // Only the Practitioner and a location given by display take part.
  EXPECT_EQ(a.patient, "");
  EXPECT_EQ(a.visit_type, "consult");
  EXPECT_EQ(a.replaces, "");
  EXPECT_FALSE(a.simulated);
}

TEST(ArgonautExamplesTest, TheAvailabilityBundleOfDrY) {
  auto found =
      fhir::AppointmentsFromBundle(Example("Bundle-hal-dr-y-appts.json"));
  ASSERT_TRUE(found.ok()) << found.status();
  // Three proposals; the information OperationOutcome entry is not one.
  ASSERT_EQ(found->size(), 3u);
  ExpectDrYProposal((*found)[0],
                    {"", "proposed-appt1a-1", Utc(0, 45), Utc(1, 0)});
  ExpectDrYProposal((*found)[1],
                    {"", "proposed-appt1a-2", Utc(1, 0), Utc(1, 15)});
  ExpectDrYProposal((*found)[2],
                    {"", "proposed-appt1a-3", Utc(2, 0), Utc(2, 15)});
}

TEST(ArgonautExamplesTest,
     ThePrefetchBundleHoldsAppointmentsAndTheSlotBundleNone) {
  auto prefetch =
      fhir::AppointmentsFromBundle(Example("Bundle-prefetch-derm-appts.json"));
  ASSERT_TRUE(prefetch.ok()) << prefetch.status();
  EXPECT_EQ(prefetch->size(), 3u);
  // Slots are not appointments: skipped, as is the information outcome.
  auto slots =
      fhir::AppointmentsFromBundle(Example("Bundle-slot-bundle-example.json"));
  ASSERT_TRUE(slots.ok()) << slots.status();
  EXPECT_TRUE(slots->empty());
}

class ProposedAppointmentTest : public ::testing::TestWithParam<Proposed> {};

TEST_P(ProposedAppointmentTest, Parses) {
  const Proposed want = GetParam();
  auto a = fhir::AppointmentFromJson(Example(want.file));
  ASSERT_TRUE(a.ok()) << a.status();
  ExpectDrYProposal(*a, want);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, ProposedAppointmentTest,
    ::testing::Values(Proposed{"Appointment-proposed-appt1.json",
                               "proposed-appt1", Utc(0, 45), Utc(1, 0)},
                      Proposed{"Appointment-proposed-appt1a-1.json",
                               "proposed-appt1a-1", Utc(0, 45), Utc(1, 0)},
                      Proposed{"Appointment-proposed-appt1a-2.json",
                               "proposed-appt1a-2", Utc(1, 0), Utc(1, 15)},
                      Proposed{"Appointment-proposed-appt1a-3.json",
                               "proposed-appt1a-3", Utc(2, 0), Utc(2, 15)},
                      Proposed{"Appointment-proposed-appt2.json",
                               "proposed-appt2", Utc(1, 0), Utc(1, 15)},
                      Proposed{"Appointment-proposed-appt2b-1.json",
                               "proposed-appt2b-1", Utc(0, 45), Utc(1, 0)},
                      Proposed{"Appointment-proposed-appt2b-2.json",
                               "proposed-appt2b-2", Utc(1, 0), Utc(1, 15)},
                      Proposed{"Appointment-proposed-appt2b-3.json",
                               "proposed-appt2b-3", Utc(2, 0), Utc(2, 15)},
                      Proposed{"Appointment-proposed-appt3.json",
                               "proposed-appt3", Utc(2, 0), Utc(2, 15)}),
    [](const auto& info) {
      std::string name = info.param.id;
      for (char& c : name) {
        if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(ArgonautExamplesTest, AStatusOnlyStu3HasIsRefusedNamingTheField) {
  json j = Example("Appointment-proposed-appt1.json");
  j["status"] = "arrived";
  auto a = fhir::AppointmentFromJson(j);
  EXPECT_EQ(a.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(a.status().message()),
              HasSubstr("Appointment.status"));
}

TEST(ArgonautExamplesTest, TheOperationOutcomeExampleIsNotAnError) {
  const json outcome = Example("OperationOutcome-example.json");
  EXPECT_TRUE(fhir::StatusFromOperationOutcome(outcome, 200, false).ok());
  // With an HTTP error and no error issue, the HTTP status decides.
  absl::Status s = fhir::StatusFromOperationOutcome(outcome, 503, false);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(s.message()), HasSubstr("no error issue"));
}

TEST(ArgonautExamplesTest, TheAdapterReadsTheGuidesAnswers) {
  // $find answered with the guide's Bundle; $hold answered with the guide's
  // information OperationOutcome, where a Bundle is due.
  ScriptedEhrServer ehr(
      [](int, const httplib::Request& req, httplib::Response& res) {
        const bool find = req.path == "/fhir/Appointment/$find";
        res.set_content(ExampleText(find ? "Bundle-hal-dr-y-appts.json"
                                         : "OperationOutcome-example.json"),
                        fhir::kFhirJson);
      });
  auto adapter = FhirScheduler::Create({.base_url = ehr.base_url()});
  ASSERT_TRUE(adapter.ok()) << adapter.status();
  FindRequest r;
  r.start = Utc(0, 0);
  r.end = Utc(23, 0);
  r.practitioners = {"dr-y"};
  auto found = (*adapter)->Find(r);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 3u);
  EXPECT_EQ((*found)[0].id, "proposed-appt1a-1");
  EXPECT_EQ((*found)[2].start, Utc(2, 0));

  auto held = (*adapter)->Hold(
      {.appointment_id = "proposed-appt1a-1", .idempotency_key = "h"});
  EXPECT_EQ(held.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(std::string(held.status().message()),
              HasSubstr("resourceType: expected Bundle, got OperationOutcome"));
}

// --- Parameters against the OperationDefinitions ----------------------------

struct Declared {
  std::string type;  // "dateTime", "string", "uri", "Appointment", ...
  int min = 0;
  int max = 0;  // -1: "*".
};

std::map<std::string, Declared> InParameters(const std::string& operation) {
  const json def = Example(
      absl::StrCat("OperationDefinition-appointment-", operation, ".json"));
  EXPECT_EQ(def.value("code", ""), operation);
  std::map<std::string, Declared> out;
  for (const json& p : def.at("parameter")) {
    if (p.value("use", "") != "in") continue;
    Declared d;
    d.type = p.value("type", "");
    d.min = p.value("min", 0);
    const std::string max = p.value("max", "1");
    d.max = max == "*" ? -1 : std::stoi(max);
    out[p.at("name").get<std::string>()] = d;
  }
  return out;
}

// The value[x] key a parameter of `type` carries, or "resource".
std::string ValueKey(const std::string& type) {
  if (!type.empty() &&
      absl::ascii_isupper(static_cast<unsigned char>(type[0]))) {
    return "resource";
  }
  std::string key = absl::StrCat("value", type);
  key[5] = absl::ascii_toupper(static_cast<unsigned char>(key[5]));
  return key;
}

// Every parameter is declared, carries the declared type, repeats no more
// than allowed, and every required one is there.
void ExpectConforms(const json& parameters, const std::string& operation) {
  const auto declared = InParameters(operation);
  ASSERT_FALSE(declared.empty());
  ASSERT_EQ(parameters.value("resourceType", ""), "Parameters");
  std::map<std::string, int> seen;
  for (const json& p : parameters.at("parameter")) {
    const std::string name = p.value("name", "");
    auto d = declared.find(name);
    if (d == declared.end()) {
      ADD_FAILURE() << "$" << operation << ": \"" << name
                    << "\" is not a parameter the guide declares";
      continue;
    }
    ++seen[name];
    const std::string key = ValueKey(d->second.type);
    EXPECT_TRUE(p.contains(key)) << "$" << operation << " " << name
                                 << ": expected " << key << " in " << p.dump();
    EXPECT_EQ(p.size(), 2u) << p.dump();  // name and the one value.
  }
  for (const auto& [name, d] : declared) {
    EXPECT_GE(seen[name], d.min) << "$" << operation << " " << name;
    if (d.max >= 0) {
      EXPECT_LE(seen[name], d.max) << "$" << operation << " " << name;
    }
  }
}

TEST(ArgonautExamplesTest, TheOperationDefinitionsDeclareWhatTheCodecExpects) {
  std::set<std::string> names;
  for (const auto& [name, d] : InParameters("find")) names.insert(name);
  EXPECT_THAT(names, testing::Contains("visit-type"));
  EXPECT_EQ(InParameters("find").at("start").min, 1);
  EXPECT_EQ(InParameters("hold").at("appt-id").type, "uri");
  EXPECT_EQ(InParameters("book").at("patient-id").max, -1);
}

TEST(ArgonautExamplesTest, TheAdaptersOutgoingParametersAreTheDeclaredOnes) {
  ScriptedEhrServer ehr(
      [](int, const httplib::Request& req, httplib::Response& res) {
        const bool find = req.path == "/fhir/Appointment/$find";
        json answer = find ? Example("Bundle-hal-dr-y-appts.json")
                           : Example("Appointment-proposed-appt1.json");
        if (!find) {
          answer["status"] =
              req.path == "/fhir/Appointment/$hold" ? "pending" : "booked";
        }
        res.set_content(answer.dump(), fhir::kFhirJson);
      });
  auto adapter = FhirScheduler::Create({.base_url = ehr.base_url()});
  ASSERT_TRUE(adapter.ok()) << adapter.status();
  FindRequest find;
  find.start = Utc(0, 0);
  find.end = Utc(23, 0);
  find.visit_types = {"consult", "follow-up"};
  find.practitioners = {"dr-y", "dr-z"};
  find.patient = "Patient/argo-sch-patient-1";
  ASSERT_TRUE((*adapter)->Find(find).ok());
  ASSERT_TRUE(
      (*adapter)
          ->Hold({.appointment_id = "proposed-appt1", .idempotency_key = "h"})
          .ok());
  BookRequest book;
  book.appointment_id = "proposed-appt1";
  book.patient = "Patient/argo-sch-patient-1";
  book.cancelled_appointment_id = "booked-appt0";
  book.idempotency_key = "b";
  ASSERT_TRUE((*adapter)->Book(book).ok());

  const auto requests = ehr.requests();
  ASSERT_EQ(requests.size(), 3u);
  const char* ops[] = {"find", "hold", "book"};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(requests[i].path, absl::StrCat("/fhir/Appointment/$", ops[i]));
    SCOPED_TRACE(ops[i]);
    ExpectConforms(json::parse(requests[i].body), ops[i]);
  }
  // What the values are, in the guide's uri form.
  const json hold = json::parse(requests[1].body);
  EXPECT_EQ(hold["parameter"][0]["valueUri"], "Appointment/proposed-appt1");
  std::vector<std::string> book_names;
  const json book_body = json::parse(requests[2].body);
  for (const json& p : book_body["parameter"]) {
    book_names.push_back(p["name"]);
  }
  EXPECT_THAT(book_names,
              ElementsAre("appt-id", "patient-id", "cancelled-appt-id"));
}

TEST(ArgonautExamplesTest, TheServerSideReadsEveryDeclaredParameter) {
  // One of each declared in-parameter, with a value of its declared type.
  auto all_of = [](const std::string& operation) {
    json ps = json::array();
    for (const auto& [name, d] : InParameters(operation)) {
      json p = {{"name", name}};
      const std::string key = ValueKey(d.type);
      if (key == "resource") {
        p[key] = d.type == "Appointment"
                     ? Example("Appointment-proposed-appt1.json")
                     : json{{"resourceType", d.type}};
      } else if (key == "valueDateTime") {
        p[key] =
            name == "start" ? "2017-07-17T00:00:00Z" : "2017-07-18T00:00:00Z";
      } else {
        p[key] = name == "patient-id" ? "Patient/argo-sch-patient-1"
                                      : absl::StrCat("x-", name);
      }
      ps.push_back(p);
    }
    return json{{"resourceType", "Parameters"}, {"parameter", ps}};
  };
  auto find = fhir::FindRequestFromParameters(all_of("find"));
  ASSERT_TRUE(find.ok()) << find.status();
  EXPECT_EQ(find->start, Utc(0, 0));
  EXPECT_THAT(find->visit_types, ElementsAre("x-visit-type"));

  // $hold and $book take appt-id or appt-resource, not both.
  json hold = all_of("hold");
  EXPECT_EQ(fhir::ApptParametersFrom(hold, "hold").status().code(),
            absl::StatusCode::kInvalidArgument);
  hold["parameter"].erase(0);  // appt-id (the map keeps names sorted).
  auto held = fhir::ApptParametersFrom(hold, "hold");
  ASSERT_TRUE(held.ok()) << held.status();
  ASSERT_TRUE(held->has_resource);
  EXPECT_EQ(held->resource.id, "proposed-appt1");
  EXPECT_EQ(held->resource.start, Utc(0, 45));
  EXPECT_EQ(held->resource.practitioner, "dr-y");

  json book = all_of("book");
  book["parameter"].erase(0);  // appt-id
  auto booked = fhir::ApptParametersFrom(book, "book");
  ASSERT_TRUE(booked.ok()) << booked.status();
  EXPECT_EQ(booked->patient, "Patient/argo-sch-patient-1");
  EXPECT_EQ(booked->cancelled_appointment_id, "x-cancelled-appt-id");
}

}  // namespace
}  // namespace frontdesk::scheduling
