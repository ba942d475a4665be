// Limits on caller input, shared by every service that accepts it.
#ifndef FRONTDESK_LIBS_COMMON_INPUT_LIMITS_H_
#define FRONTDESK_LIBS_COMMON_INPUT_LIMITS_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace frontdesk {

// The longest utterance accepted in one turn, in Unicode characters. A speech
// front end sends one turn per pause; 2000 characters is several minutes of
// speech.
inline constexpr size_t kMaxUtteranceChars = 2000;

// The longest id (tenant, call, decision) accepted, in bytes.
inline constexpr size_t kMaxIdBytes = 128;

// Number of Unicode characters in UTF-8 `s` (continuation bytes not counted).
inline size_t Utf8Length(absl::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

}  // namespace frontdesk

#endif  // FRONTDESK_LIBS_COMMON_INPUT_LIMITS_H_
