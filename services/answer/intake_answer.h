// ReadIntakeAnswer: reads one caller turn as the answer to the intake field
// the agent asked for, with the parsers of libs/intake.
//
// The agent tells rules-check whether the turn was understood as a value
// (CallContext.value_understood); rules-check decides what happens next. A
// reading never holds an error message with the caller's words: `reason` is a
// fixed code for the event log ("not_a_date", "future_date", ...).
//
// Example:
//   IntakeAnswer a = ReadIntakeAnswer(policy, INTAKE_FIELD_DATE_OF_BIRTH,
//                                     "3/3/80", /*read_back=*/"", today);
//   // a.understood, a.value == "1980-03-03", a.read_back == "March 3, 1980"
//
// Pure and thread-safe.
#ifndef FRONTDESK_SERVICES_ANSWER_INTAKE_ANSWER_H_
#define FRONTDESK_SERVICES_ANSWER_INTAKE_ANSWER_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "libs/policy/clinic_policy.h"

namespace frontdesk::answer {

// A name answer has at most this many words; a longer turn is more likely a
// new request ("actually I need to pay my bill") than a name.
inline constexpr int kMaxNameWords = 4;

struct IntakeAnswer {
  // A valid value, or a clear yes or no where one was asked for.
  bool understood = false;
  // The normalized value (E.164 phone, ISO date, clinician id, ...). Empty
  // when not understood, and for a yes that confirms a read-back.
  std::string value;
  // Date of birth only: the date as it is read back ("March 3, 1980").
  std::string read_back;
  // Date of birth only: the caller confirmed the date read back to them.
  bool confirms_read_back = false;
  // Consent only: an explicit no.
  bool declined = false;
  // Why the turn was not understood: a fixed code, never the value.
  std::string reason;
};

// `pending_read_back` is the ISO date read back and not yet confirmed, or "".
IntakeAnswer ReadIntakeAnswer(const policy::ClinicPolicy& policy,
                              frontdesk::policy::v1::IntakeField field,
                              absl::string_view said,
                              absl::string_view pending_read_back,
                              absl::CivilDay today);

// The clinicians of the policy's visit types, sorted, without repeats.
std::vector<std::string> PolicyClinicians(const policy::ClinicPolicy& policy);

}  // namespace frontdesk::answer

#endif  // FRONTDESK_SERVICES_ANSWER_INTAKE_ANSWER_H_
