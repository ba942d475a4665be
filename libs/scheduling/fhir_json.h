// FHIR R4 JSON for the Argonaut Scheduling operations: Appointment, the
// searchset Bundle, Parameters for $find/$hold/$book, OperationOutcome, and
// the HTTP-date of the `Expires` header. Shared by the simulated EHR server
// and the FHIR adapter, so both read and write exactly the same shapes.
//
// Status <-> OperationOutcome (issue.code) <-> HTTP status:
//   INVALID_ARGUMENT     invalid        400
//   NOT_FOUND            not-found      404
//   ABORTED              conflict       409   (slot taken, hold refused)
//   FAILED_PRECONDITION  business-rule  422
//   DEADLINE_EXCEEDED    timeout        504
//   UNAVAILABLE          transient      503
//   anything else        exception      500
//
// Example:
//   nlohmann::json j = AppointmentToJson(appointment);
//   absl::StatusOr<Appointment> back = AppointmentFromJson(j);
#ifndef FRONTDESK_LIBS_SCHEDULING_FHIR_JSON_H_
#define FRONTDESK_LIBS_SCHEDULING_FHIR_JSON_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/scheduling/scheduler.h"
#include "nlohmann/json.hpp"

namespace frontdesk::scheduling::fhir {

// The tag (Resource.meta.tag) and response header the simulated EHR puts on
// everything it serves.
inline constexpr char kSimulatedTagSystem[] =
    "https://frontdesk.example/fhir/CodeSystem/ehr-provenance";
inline constexpr char kSimulatedTagCode[] = "simulated";
inline constexpr char kSimulatedHeader[] = "X-Simulated-EHR";
// Carries a Hold's or Book's idempotency key.
inline constexpr char kIdempotencyHeader[] = "Idempotency-Key";
// Appointment.serviceType coding system for the clinic's visit type ids.
inline constexpr char kVisitTypeSystem[] =
    "https://frontdesk.example/fhir/CodeSystem/visit-type";
// Appointment.extension: the appointment a rescheduled booking replaced.
inline constexpr char kReplacesExtension[] =
    "https://frontdesk.example/fhir/StructureDefinition/replaces";
inline constexpr char kFhirJson[] = "application/fhir+json";

// An Appointment resource. `simulated` adds the simulated tag.
nlohmann::json AppointmentToJson(const Appointment& a);
// Reads an Appointment resource strictly: resourceType, status (one of
// proposed, pending, booked, cancelled), start and end are required; the
// practitioner and patient are the first participants whose references name
// a Practitioner and a Patient; the visit type is serviceType's first code
// (whatever its system). Everything else is not read, so the guide's
// STU3-era examples parse too (argonaut_examples_test.cc lists what differs
// from R4 and what the codec does there). INVALID_ARGUMENT names the field.
absl::StatusOr<Appointment> AppointmentFromJson(const nlohmann::json& j);

// A searchset Bundle of appointments (Argonaut avail-bundle).
nlohmann::json BundleOf(const std::vector<Appointment>& appointments,
                        absl::string_view base_url, bool simulated);
// The appointments of a Bundle. Informational OperationOutcome entries are
// skipped; an entry OperationOutcome with an error is returned as its Status.
absl::StatusOr<std::vector<Appointment>> AppointmentsFromBundle(
    const nlohmann::json& j);

// OperationOutcome for a non-OK status; its diagnostics are the message.
nlohmann::json OperationOutcomeFor(const absl::Status& status);
int HttpStatusFor(absl::StatusCode code);
// The Status an OperationOutcome stands for: the first issue of severity
// error or fatal decides the code; OK when there is none. The message is
// "EHR OperationOutcome <severity> <issue.code>", the codes of
// issue.details.coding in brackets, and the diagnostics (or details.text)
// only when `keep_text` (a real EHR's
// free text may name the patient, so the adapter keeps it only from the
// simulated EHR). `http_status` decides the code when the issue code is
// unknown.
absl::Status StatusFromOperationOutcome(const nlohmann::json& j,
                                        int http_status, bool keep_text);
absl::StatusCode CodeForHttpStatus(int http_status);

// RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string FormatHttpDate(absl::Time t);
absl::StatusOr<absl::Time> ParseHttpDate(absl::string_view s);

// FHIR dateTime with a time and zone, e.g. "2017-07-17T00:45:00Z".
std::string FormatDateTime(absl::Time t);
absl::StatusOr<absl::Time> ParseDateTime(absl::string_view s,
                                         absl::string_view field);

// Parameters for each operation, using only the parameter names (and
// value[x] types) the guide's OperationDefinitions declare
// (argonaut_examples_test checks them). The idempotency key travels in a
// header, not here. $find declares no count: the guide limits it with the
// standard search parameter `_count` in the URL, so FindParameters leaves
// max_results out.
nlohmann::json FindParameters(const FindRequest& r);
// The most proposals one Find returns (FindRequest.max_results 1..200).
inline constexpr int kMaxFindResults = 200;
// Server side. Accepts every parameter the guide declares for $find (the
// ones this clinic does not use are ignored) and, from older clients, a
// `_count` parameter; without one max_results is kMaxFindResults (the
// server applies a `_count` from the URL on top).
absl::StatusOr<FindRequest> FindRequestFromParameters(const nlohmann::json& j);
nlohmann::json HoldParameters(absl::string_view appointment_id);
nlohmann::json BookParameters(const BookRequest& r);

// A $hold or $book request read from Parameters: either an appointment id
// (appt-id) or a whole Appointment resource (appt-resource).
struct ApptParameters {
  std::string appointment_id;
  bool has_resource = false;
  Appointment resource;
  std::string patient;
  std::string cancelled_appointment_id;
};
// `operation` is "hold" or "book" (book reads patient-id, cancelled-appt-id
// and comment too).
absl::StatusOr<ApptParameters> ApptParametersFrom(const nlohmann::json& j,
                                                  absl::string_view operation);

}  // namespace frontdesk::scheduling::fhir

#endif  // FRONTDESK_LIBS_SCHEDULING_FHIR_JSON_H_
