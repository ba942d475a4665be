// Utterance tokens: how caller words and policy phrases are compared.
//
// Both sides go through the same steps, so matching is symmetric:
//   1. Split into words: letters, digits, apostrophes and non-ASCII letters
//      form words; everything else (spaces, punctuation, hyphens) separates
//      them. "chest-pain!!" is two words.
//   2. Lower-case, and fold curly apostrophes to "'".
//   3. Expand contractions, with or without the apostrophe, since speech
//      recognition often drops it: "can't", "cant" and "cannot" become
//      "can not"; "I'm" becomes "i am"; "doesn't" becomes "does not".
//   4. Map irregular forms a clinic would expect ("bled" -> "bleed",
//      "swollen" -> "swell", "sued" -> "sue").
//   5. Stem with the Snowball English stemmer (libstemmer), so "bleeding",
//      "bleeds" and "bleed" are one term.
// Each token keeps the span of the original word it came from, in Unicode
// characters, so a match can point at the caller's exact words.
//
// Thread-safe.
#ifndef FRONTDESK_LIBS_POLICY_UTTERANCE_TOKENS_H_
#define FRONTDESK_LIBS_POLICY_UTTERANCE_TOKENS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace frontdesk::policy {

struct Token {
  // The canonical term, e.g. "bleed" for "Bleeding".
  std::string term;
  // [begin, end) of the original word, in Unicode characters.
  uint32_t begin = 0;
  uint32_t end = 0;
};

std::vector<Token> Tokenize(absl::string_view text);

// Just the terms, for policy phrases.
std::vector<std::string> Terms(absl::string_view phrase);

// The terms joined by single spaces: a phrase's canonical form.
std::string CanonicalPhrase(absl::string_view phrase);

}  // namespace frontdesk::policy

#endif  // FRONTDESK_LIBS_POLICY_UTTERANCE_TOKENS_H_
