#include "libs/policy/utterance_tokens.h"

#include <libstemmer.h>

#include <cstring>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"

namespace frontdesk::policy {

namespace {

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

// One stemmer per thread: a Snowball stemmer is not thread-safe.
std::string Stem(const std::string& word) {
  thread_local std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer(
      sb_stemmer_new("english", nullptr));
  if (!stemmer) return word;
  const sb_symbol* out = sb_stemmer_stem(
      stemmer.get(), reinterpret_cast<const sb_symbol*>(word.data()),
      static_cast<int>(word.size()));
  if (out == nullptr) return word;
  return std::string(reinterpret_cast<const char*>(out),
                     static_cast<size_t>(sb_stemmer_length(stemmer.get())));
}

// Contractions, with and without the apostrophe.
const absl::flat_hash_map<std::string, std::vector<std::string>>&
Contractions() {
  static const auto* m =
      new absl::flat_hash_map<std::string, std::vector<std::string>>{
          {"can't", {"can", "not"}},
          {"cant", {"can", "not"}},
          {"cannot", {"can", "not"}},
          {"won't", {"will", "not"}},
          {"wont", {"will", "not"}},
          {"i'm", {"i", "am"}},
          {"im", {"i", "am"}},
          {"i've", {"i", "have"}},
          {"ive", {"i", "have"}},
          {"i'll", {"i", "will"}},
          {"i'd", {"i", "would"}},
          {"it's", {"it", "is"}},
          {"that's", {"that", "is"}},
          {"what's", {"what", "is"}},
          {"there's", {"there", "is"}},
          {"he's", {"he", "is"}},
          {"she's", {"she", "is"}},
          {"you're", {"you", "are"}},
          {"we're", {"we", "are"}},
          {"they're", {"they", "are"}},
          {"dont", {"do", "not"}},
          {"doesnt", {"does", "not"}},
          {"didnt", {"did", "not"}},
          {"isnt", {"is", "not"}},
          {"arent", {"are", "not"}},
          {"wasnt", {"was", "not"}},
          {"werent", {"were", "not"}},
          {"havent", {"have", "not"}},
          {"hasnt", {"has", "not"}},
          {"couldnt", {"could", "not"}},
          {"shouldnt", {"should", "not"}},
          {"wouldnt", {"would", "not"}},
      };
  return *m;
}

// Irregular forms the stemmer does not join to their base.
const absl::flat_hash_map<std::string, std::string>& Irregular() {
  static const auto* m = new absl::flat_hash_map<std::string, std::string>{
      {"bled", "bleed"},   {"sued", "sue"},       {"suing", "sue"},
      {"sues", "sue"},     {"swollen", "swell"},  {"fell", "fall"},
      {"fallen", "fall"},  {"took", "take"},      {"taken", "take"},
      {"ate", "eat"},      {"eaten", "eat"},      {"felt", "feel"},
      {"threw", "throw"},  {"thrown", "throw"},   {"broke", "break"},
      {"broken", "break"}, {"overdid", "overdo"}, {"hit", "hit"},
      {"beat", "beat"},    {"beaten", "beat"},    {"gave", "give"},
      {"given", "give"},   {"died", "die"},       {"dying", "die"},
      {"lying", "lie"},    {"lay", "lie"},
  };
  return *m;
}

void Emit(std::string word, uint32_t begin, uint32_t end,
          std::vector<Token>* out) {
  // Trim apostrophes used as quotes.
  while (!word.empty() && word.front() == '\'') word.erase(word.begin());
  while (!word.empty() && word.back() == '\'') word.pop_back();
  if (word.empty()) return;
  std::vector<std::string> parts;
  auto c = Contractions().find(word);
  if (c != Contractions().end()) {
    parts = c->second;
  } else if (absl::EndsWith(word, "n't") && word.size() > 3) {
    parts = {word.substr(0, word.size() - 3), "not"};
  } else if (absl::EndsWith(word, "'s")) {
    parts = {word.substr(0, word.size() - 2)};  // possessive
  } else {
    parts = {word};
  }
  for (std::string& p : parts) {
    p.erase(std::remove(p.begin(), p.end(), '\''), p.end());
    if (p.empty()) continue;
    auto irr = Irregular().find(p);
    out->push_back(
        {irr != Irregular().end() ? irr->second : Stem(p), begin, end});
  }
}

// Non-ASCII characters that separate words: spaces and punctuation from the
// Latin-1 supplement, the General Punctuation block (dashes, curly double
// quotes, ellipsis, no-break and zero-width spaces), CJK punctuation and
// full-width ASCII punctuation. Curly single quotes are apostrophes.
bool IsSeparator(uint32_t cp) {
  if (cp == 0x2018 || cp == 0x2019) return false;
  if (cp >= 0x80 && cp <= 0xBF) return cp != 0xAA && cp != 0xB5 && cp != 0xBA;
  if (cp == 0xD7 || cp == 0xF7) return true;
  if (cp >= 0x2000 && cp <= 0x206F) return true;
  if (cp >= 0x2190 && cp <= 0x23FF) return true;  // arrows, technical symbols
  if (cp >= 0x3000 && cp <= 0x303F) return true;
  if (cp >= 0xFE30 && cp <= 0xFE4F) return true;
  if (cp >= 0xFF01 && cp <= 0xFF0F) return true;
  if (cp == 0xFEFF) return true;
  return false;
}

// Decodes the UTF-8 character at text[i]; sets *len to its byte length.
// Malformed bytes decode as themselves, one byte long.
uint32_t Decode(absl::string_view text, size_t i, size_t* len) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = b(i);
  auto cont = [&](size_t k) {
    return k < text.size() && (b(k) & 0xC0) == 0x80;
  };
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  if ((c & 0xE0) == 0xC0 && cont(i + 1)) {
    *len = 2;
    return ((c & 0x1Fu) << 6) | (b(i + 1) & 0x3Fu);
  }
  if ((c & 0xF0) == 0xE0 && cont(i + 1) && cont(i + 2)) {
    *len = 3;
    return ((c & 0x0Fu) << 12) | ((b(i + 1) & 0x3Fu) << 6) | (b(i + 2) & 0x3Fu);
  }
  if ((c & 0xF8) == 0xF0 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
    *len = 4;
    return ((c & 0x07u) << 18) | ((b(i + 1) & 0x3Fu) << 12) |
           ((b(i + 2) & 0x3Fu) << 6) | (b(i + 3) & 0x3Fu);
  }
  *len = 1;
  return c;
}

}  // namespace

std::vector<Token> Tokenize(absl::string_view text) {
  std::vector<Token> out;
  std::string word;
  uint32_t chars = 0;  // Unicode characters consumed
  uint32_t word_begin = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t len = 1;
    const uint32_t cp = Decode(text, i, &len);
    const bool apostrophe = cp == '\'' || cp == 0x2018 || cp == 0x2019;
    const bool letter =
        cp < 0x80 ? absl::ascii_isalnum(static_cast<unsigned char>(cp))
                  : !IsSeparator(cp);
    if (apostrophe || letter) {
      if (word.empty()) word_begin = chars;
      if (apostrophe) {
        word.push_back('\'');
      } else if (cp < 0x80) {
        word.push_back(static_cast<char>(
            absl::ascii_tolower(static_cast<unsigned char>(cp))));
      } else {
        word.append(text.data() + i, len);
      }
    } else if (!word.empty()) {
      Emit(std::move(word), word_begin, chars, &out);
      word.clear();
    }
    // Counted like frontdesk::Utf8Length: a stray continuation byte of
    // malformed input is not a character of its own.
    if (!(len == 1 && (cp & 0xC0) == 0x80)) ++chars;
    i += len;
  }
  if (!word.empty()) Emit(std::move(word), word_begin, chars, &out);
  return out;
}

std::vector<std::string> Terms(absl::string_view phrase) {
  std::vector<std::string> out;
  for (Token& t : Tokenize(phrase)) out.push_back(std::move(t.term));
  return out;
}

std::string CanonicalPhrase(absl::string_view phrase) {
  return absl::StrJoin(Terms(phrase), " ");
}

}  // namespace frontdesk::policy
