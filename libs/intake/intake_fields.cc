#include "libs/intake/intake_fields.h"

#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/common/input_limits.h"

namespace frontdesk::intake {

namespace {

constexpr const char* kMonths[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// Lower-cased words of `text`, split on anything that is not a letter,
// digit or apostrophe; "/", "-" and "." inside digits are kept as separators
// of their own so numeric dates survive.
std::vector<std::string> Words(absl::string_view text) {
  std::vector<std::string> out;
  std::string w;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (absl::ascii_isalnum(c)) {
      w.push_back(static_cast<char>(absl::ascii_tolower(c)));
    } else {
      if (!w.empty()) out.push_back(std::move(w));
      w.clear();
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

int MonthOf(const std::string& w) {
  for (int i = 0; i < 12; ++i) {
    const std::string full = absl::AsciiStrToLower(kMonths[i]);
    if (w == full || (w.size() >= 3 && absl::StartsWith(full, w))) return i + 1;
  }
  if (w == "sept") return 9;
  return 0;
}

const absl::flat_hash_map<std::string, int>& Cardinals() {
  static const auto* m = new absl::flat_hash_map<std::string, int>{
      {"zero", 0},      {"oh", 0},        {"o", 0},        {"one", 1},
      {"two", 2},       {"three", 3},     {"four", 4},     {"five", 5},
      {"six", 6},       {"seven", 7},     {"eight", 8},    {"nine", 9},
      {"ten", 10},      {"eleven", 11},   {"twelve", 12},  {"thirteen", 13},
      {"fourteen", 14}, {"fifteen", 15},  {"sixteen", 16}, {"seventeen", 17},
      {"eighteen", 18}, {"nineteen", 19}, {"twenty", 20},  {"thirty", 30},
      {"forty", 40},    {"fifty", 50},    {"sixty", 60},   {"seventy", 70},
      {"eighty", 80},   {"ninety", 90}};
  return *m;
}

const absl::flat_hash_map<std::string, int>& Ordinals() {
  static const auto* m = new absl::flat_hash_map<std::string, int>{
      {"first", 1},       {"second", 2},       {"third", 3},
      {"fourth", 4},      {"fifth", 5},        {"sixth", 6},
      {"seventh", 7},     {"eighth", 8},       {"ninth", 9},
      {"tenth", 10},      {"eleventh", 11},    {"twelfth", 12},
      {"thirteenth", 13}, {"fourteenth", 14},  {"fifteenth", 15},
      {"sixteenth", 16},  {"seventeenth", 17}, {"eighteenth", 18},
      {"nineteenth", 19}, {"twentieth", 20},   {"thirtieth", 30}};
  return *m;
}

// "3", "3rd", "third", "twenty first", "twenty-first" (already split).
// Consumes words from `i`; returns the day or nullopt.
std::optional<int> ParseDay(const std::vector<std::string>& w, size_t* i) {
  if (*i >= w.size()) return std::nullopt;
  const std::string& a = w[*i];
  int n = 0;
  std::string digits = a;
  for (const char* suffix : {"st", "nd", "rd", "th"}) {
    if (absl::EndsWith(a, suffix) && a.size() > 2 &&
        absl::ascii_isdigit(static_cast<unsigned char>(a[0]))) {
      digits = a.substr(0, a.size() - 2);
    }
  }
  if (absl::SimpleAtoi(digits, &n)) {
    ++*i;
    return n;
  }
  auto o = Ordinals().find(a);
  if (o != Ordinals().end()) {
    ++*i;
    return o->second;
  }
  auto c = Cardinals().find(a);
  if (c != Cardinals().end() && (c->second == 20 || c->second == 30) &&
      *i + 1 < w.size()) {
    auto unit = Ordinals().find(w[*i + 1]);
    if (unit != Ordinals().end() && unit->second < 10) {
      *i += 2;
      return c->second + unit->second;
    }
  }
  if (c != Cardinals().end() && c->second >= 1) {  // "March three"
    ++*i;
    return c->second;
  }
  return std::nullopt;
}

// 0..99 from words: "eighty", "eighty two", "oh five", "five", "twelve".
std::optional<int> ParseUnder100(const std::vector<std::string>& w, size_t from,
                                 size_t to) {
  if (from >= to) return std::nullopt;
  auto first = Cardinals().find(w[from]);
  if (first == Cardinals().end()) return std::nullopt;
  if (to - from == 1) return first->second;
  if (to - from == 2) {
    auto second = Cardinals().find(w[from + 1]);
    if (second == Cardinals().end() || second->second > 9) return std::nullopt;
    if (first->second == 0) return second->second;  // "oh five"
    if (first->second >= 20 && first->second % 10 == 0 && second->second >= 1) {
      return first->second + second->second;
    }
  }
  return std::nullopt;
}

// The latest year not after `today` that ends in `yy`.
int PivotYear(int yy, int today_year) {
  int year = today_year - today_year % 100 + yy;
  if (year > today_year) year -= 100;
  return year;
}

// A year from the remaining words: "1980", "80", "eighty", "nineteen eighty",
// "nineteen eighty two", "two thousand five", "two thousand and five",
// "twenty ten".
std::optional<int> ParseYear(const std::vector<std::string>& w, size_t from,
                             size_t to, int today_year) {
  if (from >= to) return std::nullopt;
  int n = 0;
  if (to - from == 1 && absl::SimpleAtoi(w[from], &n)) {
    if (w[from].size() == 4) return n;
    if (w[from].size() == 2) return PivotYear(n, today_year);
    return std::nullopt;
  }
  // "two thousand [and] five"
  for (size_t k = from; k < to; ++k) {
    if (w[k] != "thousand") continue;
    auto thousands = ParseUnder100(w, from, k);
    if (!thousands) return std::nullopt;
    size_t rest = k + 1;
    if (rest < to && w[rest] == "and") ++rest;
    if (rest == to) return *thousands * 1000;
    auto tail = ParseUnder100(w, rest, to);
    if (!tail) return std::nullopt;
    return *thousands * 1000 + *tail;
  }
  // "nineteen eighty two", "twenty ten": century, then 0..99.
  auto century = Cardinals().find(w[from]);
  if (century != Cardinals().end() && century->second >= 10 &&
      century->second <= 20 && to - from >= 2) {
    auto tail = ParseUnder100(w, from + 1, to);
    if (tail) return century->second * 100 + *tail;
  }
  // "eighty", "eighty two": a two-digit year.
  auto yy = ParseUnder100(w, from, to);
  if (yy) return PivotYear(*yy, today_year);
  return std::nullopt;
}

absl::Status Invalid(absl::string_view field, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

}  // namespace

absl::StatusOr<std::string> ParseName(absl::string_view said) {
  if (!IsValidUtf8(said)) return Invalid("name", "not valid UTF-8");
  std::string out;
  bool letter = false;
  bool space = false;
  for (size_t i = 0; i < said.size(); ++i) {
    const auto c = static_cast<unsigned char>(said[i]);
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    const bool ok = absl::ascii_isalpha(c) || c >= 0x80 || c == '-' ||
                    c == '\'' || c == '.';
    if (!ok)
      return Invalid("name",
                     "may hold only letters, spaces, hyphens and apostrophes");
    if (space) out.push_back(' ');
    space = false;
    out.push_back(static_cast<char>(c));
    letter = letter || absl::ascii_isalpha(c) || c >= 0x80;
  }
  if (!letter) return Invalid("name", "needs at least one letter");
  if (Utf8Length(out) > kMaxNameChars) {
    return Invalid("name",
                   absl::StrCat("longer than ", kMaxNameChars, " characters"));
  }
  return out;
}

std::string BirthDate::ToIso() const {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::string BirthDate::ReadBack() const {
  return absl::StrCat(kMonths[month - 1], " ", day, ", ", year);
}

absl::StatusOr<BirthDate> ParseDateOfBirth(absl::string_view said,
                                           absl::CivilDay today) {
  const std::string text(absl::StripAsciiWhitespace(said));
  if (text.empty()) return Invalid("date_of_birth", "required");
  if (text.size() > 100)
    return Invalid("date_of_birth", "too long to be a date");
  int y = 0;
  int m = 0;
  int d = 0;
  bool parsed = false;

  // Numeric: YYYY-MM-DD, or M/D/Y with "/", "-" or ".".
  std::vector<std::string> parts = absl::StrSplit(text, absl::ByAnyChar("/-."));
  if (parts.size() == 3) {
    int a = 0, b = 0, c = 0;
    if (absl::SimpleAtoi(parts[0], &a) && absl::SimpleAtoi(parts[1], &b) &&
        absl::SimpleAtoi(parts[2], &c)) {
      if (parts[0].size() == 4) {
        y = a, m = b, d = c;
      } else if (parts[2].size() == 4 || parts[2].size() == 2) {
        m = a, d = b;
        y = parts[2].size() == 4 ? c
                                 : PivotYear(c, static_cast<int>(today.year()));
      } else {
        return Invalid("date_of_birth", "the year needs 2 or 4 digits");
      }
      parsed = true;
    }
  }

  if (!parsed) {
    std::vector<std::string> w;
    for (std::string& word : Words(absl::StrReplaceAll(text, {{"-", " "}}))) {
      if (word == "the" || word == "of" || word == "on" || word == "born" ||
          word == "i" || word == "was" || word == "in") {
        continue;
      }
      w.push_back(std::move(word));
    }
    size_t month_at = w.size();
    for (size_t i = 0; i < w.size(); ++i) {
      if (MonthOf(w[i]) != 0) {
        month_at = i;
        break;
      }
    }
    if (month_at == w.size())
      return Invalid("date_of_birth", "not understood as a date");
    m = MonthOf(w[month_at]);
    size_t i = month_at + 1;
    std::optional<int> day;
    size_t year_from = 0;
    if (month_at > 0) {  // "the third of March eighty"
      size_t j = 0;
      day = ParseDay(w, &j);
      if (!day || j != month_at)
        return Invalid("date_of_birth", "not understood as a date");
      year_from = month_at + 1;
    } else {  // "March third nineteen eighty"
      day = ParseDay(w, &i);
      if (!day) return Invalid("date_of_birth", "the day is missing");
      year_from = i;
    }
    auto year =
        ParseYear(w, year_from, w.size(), static_cast<int>(today.year()));
    if (!year)
      return Invalid("date_of_birth", "the year is missing or not understood");
    y = *year;
    d = *day;
  }

  if (m < 1 || m > 12 || d < 1 || d > 31 || y < 1000 || y > 9999) {
    return Invalid("date_of_birth", "not a real date");
  }
  const absl::CivilDay date(y, m, d);
  if (date.year() != y || date.month() != m || date.day() != d) {
    return Invalid("date_of_birth", "not a real date");
  }
  if (date > today) return Invalid("date_of_birth", "is in the future");
  const absl::CivilDay oldest(today.year() - kMaxAgeYears, today.month(),
                              today.day());
  if (date < oldest) {
    return Invalid("date_of_birth",
                   absl::StrCat("more than ", kMaxAgeYears, " years ago"));
  }
  return BirthDate{y, m, d};
}

absl::StatusOr<std::string> ParsePhone(absl::string_view said,
                                       absl::string_view default_country_code) {
  std::string digits;
  bool international = false;
  const std::string text(absl::StripAsciiWhitespace(said));
  if (absl::StartsWith(text, "+")) international = true;
  for (const std::string& word : Words(text)) {
    bool all_digits = true;
    for (char c : word)
      all_digits =
          all_digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
    if (all_digits) {
      digits += word;
      continue;
    }
    auto c = Cardinals().find(word);
    if (c != Cardinals().end() && c->second <= 9) {
      digits += static_cast<char>('0' + c->second);
      continue;
    }
    return Invalid("phone", "may hold only digits, spaces and + - ( ) .");
  }
  if (!international && absl::StartsWith(digits, "00")) {
    international = true;
    digits = digits.substr(2);
  }
  if (digits.empty()) return Invalid("phone", "required");
  if (!international) {
    if (default_country_code == "1") {
      if (digits.size() == 11 && digits[0] == '1') digits = digits.substr(1);
      if (digits.size() != 10) return Invalid("phone", "needs 10 digits");
      if (digits[0] < '2' || digits[3] < '2') {
        return Invalid("phone", "not a valid North American number");
      }
    }
    digits = absl::StrCat(default_country_code, digits);
  }
  if (digits.size() < 8 || digits.size() > 15 || digits[0] == '0') {
    return Invalid("phone", "not a valid international number");
  }
  if (digits[0] == '1' && digits.size() != 11) {
    return Invalid("phone", "not a valid North American number");
  }
  return absl::StrCat("+", digits);
}

absl::StatusOr<std::string> ParseEmail(absl::string_view said) {
  std::string text = absl::AsciiStrToLower(absl::StripAsciiWhitespace(said));
  if (!absl::StrContains(text, '@')) {
    // Spoken form: "jane dot roe at example dot com".
    std::vector<std::string> out;
    for (absl::string_view w : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
      if (w == "at") {
        out.push_back("@");
      } else if (w == "dot") {
        out.push_back(".");
      } else if (w == "underscore") {
        out.push_back("_");
      } else if (w == "dash" || w == "hyphen") {
        out.push_back("-");
      } else {
        out.emplace_back(w);
      }
    }
    text = absl::StrJoin(out, "");
  }
  if (text.size() > 254) return Invalid("email", "longer than 254 characters");
  const size_t at = text.find('@');
  if (at == std::string::npos || at == 0 ||
      text.find('@', at + 1) != std::string::npos) {
    return Invalid("email", "needs one @ between a name and a domain");
  }
  const std::string local = text.substr(0, at);
  const std::string domain = text.substr(at + 1);
  if (local.size() > 64)
    return Invalid("email", "the part before @ is too long");
  for (char c : local) {
    const auto u = static_cast<unsigned char>(c);
    if (!(absl::ascii_isalnum(u) || absl::StrContains("._%+-", c))) {
      return Invalid("email",
                     "the part before @ has a character e-mail does not allow");
    }
  }
  if (absl::StartsWith(local, ".") || absl::EndsWith(local, ".") ||
      absl::StrContains(local, "..")) {
    return Invalid("email", "the part before @ has misplaced dots");
  }
  std::vector<std::string> labels = absl::StrSplit(domain, '.');
  if (labels.size() < 2) return Invalid("email", "the domain needs a dot");
  for (const std::string& l : labels) {
    if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') {
      return Invalid("email", "the domain is not valid");
    }
    for (char c : l) {
      if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-')) {
        return Invalid("email", "the domain is not valid");
      }
    }
  }
  if (labels.back().size() < 2)
    return Invalid("email", "the domain is not valid");
  return absl::StrCat(local, "@", domain);
}

absl::StatusOr<std::string> ParseFreeText(absl::string_view said,
                                          absl::string_view field) {
  const absl::string_view text = absl::StripAsciiWhitespace(said);
  if (text.empty()) return Invalid(field, "required");
  if (!IsValidUtf8(text)) return Invalid(field, "not valid UTF-8");
  if (Utf8Length(text) > kMaxFreeTextChars) {
    return Invalid(
        field, absl::StrCat("longer than ", kMaxFreeTextChars, " characters"));
  }
  return std::string(text);
}

absl::StatusOr<std::string> MatchClinician(
    absl::string_view said, const std::vector<std::string>& clinician_ids) {
  static const absl::flat_hash_map<std::string, std::string> kTitles = {
      {"dr", "dr"},        {"doctor", "dr"},       {"np", "np"},
      {"nurse", "np"},     {"practitioner", "np"}, {"pa", "pa"},
      {"physician", "pa"}, {"assistant", "pa"}};
  std::vector<std::string> names;
  std::string title;
  for (std::string& w : Words(said)) {
    auto t = kTitles.find(w);
    if (t != kTitles.end()) {
      title = t->second;
      continue;
    }
    names.push_back(std::move(w));
  }
  if (names.empty()) return Invalid("preferred_clinician", "no name given");
  std::vector<std::string> found;
  for (const std::string& id : clinician_ids) {
    const size_t dash = id.find('-');
    const std::string id_title =
        dash == std::string::npos ? "" : id.substr(0, dash);
    const std::string surname =
        dash == std::string::npos ? id : id.substr(dash + 1);
    if (!title.empty() && title != id_title) continue;
    for (const std::string& n : names) {
      if (n == surname) {
        found.push_back(id);
        break;
      }
    }
  }
  if (found.empty()) {
    return absl::NotFoundError(
        "preferred_clinician: no clinician of this clinic by that name");
  }
  if (found.size() > 1) {
    return absl::FailedPreconditionError(
        "preferred_clinician: more than one clinician matches; ask which");
  }
  return found.front();
}

ConsentAnswer ParseConsent(absl::string_view said) {
  // Lower-case words, apostrophes kept, with spaces around for whole-word
  // search.
  std::string text = " ";
  for (char ch : said) {
    const auto c = static_cast<unsigned char>(ch);
    text.push_back(absl::ascii_isalnum(c) || c == '\''
                       ? static_cast<char>(absl::ascii_tolower(c))
                       : ' ');
  }
  text += " ";
  auto has = [&](const char* phrase) {
    return absl::StrContains(text, absl::StrCat(" ", phrase, " "));
  };
  const bool dont_mind =
      has("don't mind") || has("dont mind") || has("do not mind");
  const bool negated =
      !dont_mind && (has("not") || has("don't") || has("dont") ||
                     has("never") || has("won't"));
  const bool no_problem = has("no problem") || has("no worries");
  const bool refused = (has("no") && !no_problem) || has("nope") ||
                       has("refuse") || has("decline") || has("disagree") ||
                       has("object");
  const bool affirmed = dont_mind || no_problem || has("yes") || has("yeah") ||
                        has("yep") || has("sure") || has("ok") || has("okay") ||
                        has("fine") || has("agree") || has("consent") ||
                        has("alright") || has("all right") || has("go ahead") ||
                        has("of course") || has("absolutely");
  if (negated) return ConsentAnswer::kNo;  // "I do not agree", "not okay"
  if (refused) return affirmed ? ConsentAnswer::kUnclear : ConsentAnswer::kNo;
  return affirmed ? ConsentAnswer::kYes : ConsentAnswer::kUnclear;
}

}  // namespace frontdesk::intake
