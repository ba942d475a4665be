// libFuzzer target: what an EHR answers is untrusted. The FHIR codec reads
// any JSON (and any header text) into an appointment, a bundle, parameters
// or a status, or returns an error; never a crash or an exception. An
// appointment it accepts does not end before it starts. (An appointment
// without an id parses: a $book may carry a whole new resource; the adapter
// refuses an EHR answer without one.)
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "libs/scheduling/fhir_json.h"

namespace fhir = frontdesk::scheduling::fhir;

namespace {

void CheckAppointment(const frontdesk::scheduling::Appointment& a) {
  if (a.end < a.start) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  (void)fhir::ParseHttpDate(text);
  (void)fhir::ParseDateTime(text, "Appointment.start");
  const nlohmann::json j =
      nlohmann::json::parse(text, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  if (auto a = fhir::AppointmentFromJson(j); a.ok()) CheckAppointment(*a);
  if (auto all = fhir::AppointmentsFromBundle(j); all.ok()) {
    for (const auto& a : *all) CheckAppointment(a);
  }
  (void)fhir::StatusFromOperationOutcome(j, 500, /*keep_text=*/false);
  (void)fhir::StatusFromOperationOutcome(j, 404, /*keep_text=*/true);
  (void)fhir::FindRequestFromParameters(j);
  (void)fhir::ApptParametersFrom(j, "hold");
  (void)fhir::ApptParametersFrom(j, "book");
  return 0;
}
