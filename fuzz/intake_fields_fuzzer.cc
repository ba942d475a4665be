// libFuzzer target: the intake parsers take any bytes and either return a
// value that passes their own rules or an INVALID_ARGUMENT-style error;
// never a crash. A parsed date of birth is always a real, past date.
#include <cstddef>
#include <cstdint>
#include <string>

#include "libs/intake/intake_fields.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const absl::CivilDay today(2026, 11, 27);
  auto dob = frontdesk::intake::ParseDateOfBirth(text, today);
  if (dob.ok()) {
    const absl::CivilDay d(dob->year, dob->month, dob->day);
    if (d > today || d.day() != dob->day || d.month() != dob->month)
      __builtin_trap();
  }
  auto phone = frontdesk::intake::ParsePhone(text);
  if (phone.ok() &&
      (phone->size() < 9 || phone->size() > 16 || (*phone)[0] != '+')) {
    __builtin_trap();
  }
  (void)frontdesk::intake::ParseName(text);
  (void)frontdesk::intake::ParseEmail(text);
  (void)frontdesk::intake::ParseConsent(text);
  (void)frontdesk::intake::MatchClinician(text, {"dr-rivera", "np-garcia"});
  return 0;
}
