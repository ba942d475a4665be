// Intake field parsers: what a caller says, turned into clean, validated
// values, or refused with a message that names the field and the reason and
// never repeats the value (the values are PHI).
//
// Example:
//   absl::StatusOr<BirthDate> dob =
//       ParseDateOfBirth("the third of March eighty", absl::CivilDay(2026, 11,
//       27));
//   // dob->ToIso() == "1980-03-03", dob->ReadBack() == "March 3, 1980"
//
// All functions are pure and thread-safe.
#ifndef FRONTDESK_LIBS_INTAKE_INTAKE_FIELDS_H_
#define FRONTDESK_LIBS_INTAKE_INTAKE_FIELDS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace frontdesk::intake {

inline constexpr size_t kMaxNameChars = 100;
inline constexpr size_t kMaxFreeTextChars = 500;
inline constexpr int kMaxAgeYears = 120;

// A person's name: letters (any script), spaces, hyphens and apostrophes,
// 1 to kMaxNameChars characters, with at least one letter. Runs of spaces
// are collapsed and the ends trimmed. Titles are kept as said.
absl::StatusOr<std::string> ParseName(absl::string_view said);

struct BirthDate {
  int year = 0;
  int month = 0;
  int day = 0;
  // "1980-03-03".
  std::string ToIso() const;
  // "March 3, 1980": what the agent reads back to confirm.
  std::string ReadBack() const;
};

// A date of birth in the forms people say and write:
//   "March 3rd 1980", "Mar 3 1980", "3 March 1980", "3/3/80", "03/03/1980",
//   "1980-03-03", "the third of March eighty",
//   "March third nineteen eighty", "June 21st two thousand five".
// Numeric dates with slashes are month first (US). A two-digit year is the
// latest year not after `today` that ends in those digits. Refuses
// impossible dates, dates after `today`, and ages over kMaxAgeYears.
absl::StatusOr<BirthDate> ParseDateOfBirth(absl::string_view said,
                                           absl::CivilDay today);

// A phone number in E.164 ("+15555550123"). Accepts punctuation, spaces and
// spoken digits ("five five five ..."; "oh" is zero). Without a leading "+"
// or "00", `default_country_code` applies; for "1" (North America) the
// number must be a valid 10-digit NANP number.
absl::StatusOr<std::string> ParsePhone(
    absl::string_view said, absl::string_view default_country_code = "1");

// An e-mail address, trimmed, with the domain lower-cased. Spoken "at" and
// "dot" are understood ("jane dot roe at example dot com").
absl::StatusOr<std::string> ParseEmail(absl::string_view said);

// Free text (reason for visit, insurance notes): trimmed, valid UTF-8, at
// most kMaxFreeTextChars characters. `field` names it in errors.
absl::StatusOr<std::string> ParseFreeText(absl::string_view said,
                                          absl::string_view field);

// The clinician id (for example "dr-rivera") that the caller named, from
// "Dr. Rivera", "doctor rivera", "Rivera" or "Maria Rivera". Ids are
// "<title>-<surname>". NOT_FOUND when none matches; FAILED_PRECONDITION when
// several do.
absl::StatusOr<std::string> MatchClinician(
    absl::string_view said, const std::vector<std::string>& clinician_ids);

enum class ConsentAnswer { kYes, kNo, kUnclear };

// An explicit yes or no to the consent wording. Anything hedged or mixed is
// unclear, and the agent asks again.
ConsentAnswer ParseConsent(absl::string_view said);

}  // namespace frontdesk::intake

#endif  // FRONTDESK_LIBS_INTAKE_INTAKE_FIELDS_H_
