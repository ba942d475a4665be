// Limits on caller input, shared by every service that accepts it.
#ifndef FRONTDESK_LIBS_COMMON_INPUT_LIMITS_H_
#define FRONTDESK_LIBS_COMMON_INPUT_LIMITS_H_

#include <cstddef>
#include <cstdint>

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

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing above U+10FFFF).
inline bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

}  // namespace frontdesk

#endif  // FRONTDESK_LIBS_COMMON_INPUT_LIMITS_H_
