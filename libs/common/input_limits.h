// Limits on caller input, shared by every service that accepts it.
#ifndef FRONTDESK_LIBS_COMMON_INPUT_LIMITS_H_
#define FRONTDESK_LIBS_COMMON_INPUT_LIMITS_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace frontdesk {

// The longest utterance accepted in one turn, in Unicode characters. A speech
// front end sends one turn per pause; 2000 characters is several minutes of
// speech.
inline constexpr size_t kMaxUtteranceChars = 2000;

// At most this many speech-recognition alternatives per turn.
inline constexpr int kMaxAsrAlternatives = 10;

// The longest id (tenant, call, decision) accepted, in bytes.
inline constexpr size_t kMaxIdBytes = 128;

// Intake values one handoff may carry.
inline constexpr int kMaxIntakeValues = 16;

// Intake field names a call's context may list as already taken.
inline constexpr int kMaxCollectedFields = 32;

// The longest caller number accepted, in bytes.
inline constexpr size_t kMaxCallerNumberBytes = 32;

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
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
        (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// Checks a caller turn: a non-empty, valid UTF-8 utterance within
// kMaxUtteranceChars, and at most kMaxAsrAlternatives alternatives, each
// within the same limits. INVALID_ARGUMENT names the field, never its value.
template <typename Alternatives>
absl::Status CheckUtterance(absl::string_view utterance,
                            const Alternatives& alternatives) {
  if (utterance.empty())
    return absl::InvalidArgumentError("utterance: required");
  if (!IsValidUtf8(utterance)) {
    return absl::InvalidArgumentError("utterance: not valid UTF-8");
  }
  if (Utf8Length(utterance) > kMaxUtteranceChars) {
    return absl::InvalidArgumentError(absl::StrCat(
        "utterance: longer than ", kMaxUtteranceChars, " characters"));
  }
  if (static_cast<int>(alternatives.size()) > kMaxAsrAlternatives) {
    return absl::InvalidArgumentError(absl::StrCat(
        "asr_alternatives: more than ", kMaxAsrAlternatives, " alternatives"));
  }
  int i = 0;
  for (const auto& alt : alternatives) {
    if (!IsValidUtf8(alt) || Utf8Length(alt) > kMaxUtteranceChars) {
      return absl::InvalidArgumentError(
          absl::StrCat("asr_alternatives[", i, "]: longer than ",
                       kMaxUtteranceChars, " characters or not valid UTF-8"));
    }
    ++i;
  }
  return absl::OkStatus();
}

}  // namespace frontdesk

#endif  // FRONTDESK_LIBS_COMMON_INPUT_LIMITS_H_
