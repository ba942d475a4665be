#include "libs/scheduling/natural_date.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace frontdesk::scheduling {

void OfficeHours::Set(absl::Weekday day, int open_minute, int close_minute) {
  days[static_cast<int>(day)] = Day{open_minute, close_minute};
}

bool OfficeHours::IsOpen(absl::Weekday day) const {
  const Day& d = For(day);
  return d.open_minute < d.close_minute;
}

const OfficeHours::Day& OfficeHours::For(absl::Weekday day) const {
  return days[static_cast<int>(day)];
}

OfficeHours OfficeHoursFromSchedule(const ScheduleConfig& schedule) {
  OfficeHours hours;
  for (const ClinicianSpec& c : schedule.clinicians) {
    for (const WeeklyBlock& b : c.weekly) {
      OfficeHours::Day& d = hours.days[static_cast<int>(b.day)];
      if (d.open_minute >= d.close_minute) {
        d = {b.from_minute, b.to_minute};
      } else {
        d.open_minute = std::min(d.open_minute, b.from_minute);
        d.close_minute = std::max(d.close_minute, b.to_minute);
      }
    }
  }
  return hours;
}

std::vector<ClinicianName> CliniciansFromSchedule(
    const ScheduleConfig& schedule) {
  std::vector<ClinicianName> out;
  for (const ClinicianSpec& c : schedule.clinicians) {
    out.push_back({c.id, c.display});
  }
  return out;
}

namespace {

constexpr int kDayMinutes = 24 * 60;

// ---------------------------------------------------------------------------
// Vocabulary.

constexpr const char* kMonthNames[] = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

// 1..12, or 0. "may" is a month only next to a day number or after "in".
int MonthOf(absl::string_view t) {
  static constexpr std::pair<const char*, int> kMonths[] = {
      {"january", 1}, {"jan", 1},       {"february", 2},  {"feb", 2},
      {"march", 3},   {"april", 4},     {"apr", 4},       {"may", 5},
      {"june", 6},    {"jun", 6},       {"july", 7},      {"jul", 7},
      {"august", 8},  {"aug", 8},       {"september", 9}, {"sept", 9},
      {"sep", 9},     {"october", 10},  {"oct", 10},      {"november", 11},
      {"nov", 11},    {"december", 12}, {"dec", 12}};
  for (const auto& [name, m] : kMonths) {
    if (t == name) return m;
  }
  return 0;
}

std::optional<absl::Weekday> WeekdayOf(absl::string_view t) {
  static constexpr std::pair<const char*, absl::Weekday> kDays[] = {
      {"monday", absl::Weekday::monday},
      {"mondays", absl::Weekday::monday},
      {"mon", absl::Weekday::monday},
      {"tuesday", absl::Weekday::tuesday},
      {"tuesdays", absl::Weekday::tuesday},
      {"tue", absl::Weekday::tuesday},
      {"tues", absl::Weekday::tuesday},
      {"wednesday", absl::Weekday::wednesday},
      {"wednesdays", absl::Weekday::wednesday},
      {"wed", absl::Weekday::wednesday},
      {"thursday", absl::Weekday::thursday},
      {"thursdays", absl::Weekday::thursday},
      {"thu", absl::Weekday::thursday},
      {"thur", absl::Weekday::thursday},
      {"thurs", absl::Weekday::thursday},
      {"friday", absl::Weekday::friday},
      {"fridays", absl::Weekday::friday},
      {"fri", absl::Weekday::friday},
      {"saturday", absl::Weekday::saturday},
      {"saturdays", absl::Weekday::saturday},
      {"sunday", absl::Weekday::sunday},
      {"sundays", absl::Weekday::sunday}};
  for (const auto& [name, d] : kDays) {
    if (t == name) return d;
  }
  return std::nullopt;
}

int CardinalWordOf(absl::string_view t) {
  static constexpr const char* kWords[] = {"one",  "two", "three",  "four",
                                           "five", "six", "seven",  "eight",
                                           "nine", "ten", "eleven", "twelve"};
  for (int i = 0; i < 12; ++i) {
    if (t == kWords[i]) return i + 1;
  }
  return 0;
}

int OrdinalWordOf(absl::string_view t) {
  static constexpr const char* kWords[] = {
      "first",     "second",      "third",      "fourth",     "fifth",
      "sixth",     "seventh",     "eighth",     "ninth",      "tenth",
      "eleventh",  "twelfth",     "thirteenth", "fourteenth", "fifteenth",
      "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth"};
  for (int i = 0; i < 20; ++i) {
    if (t == kWords[i]) return i + 1;
  }
  if (t == "thirtieth") return 30;
  return 0;
}

bool IsOneOf(absl::string_view t,
             std::initializer_list<absl::string_view> set) {
  return std::find(set.begin(), set.end(), t) != set.end();
}

// True when `t` is one or more digits; sets *value.
bool AllDigits(absl::string_view t, int* value) {
  if (t.empty() || !std::all_of(t.begin(), t.end(), [](char ch) {
        return std::isdigit(static_cast<unsigned char>(ch));
      })) {
    return false;
  }
  return absl::SimpleAtoi(t, value);
}

bool IsDayUnit(absl::string_view t) { return t == "day" || t == "days"; }
bool IsWeekUnit(absl::string_view t) { return t == "week" || t == "weeks"; }
bool IsMonthUnit(absl::string_view t) { return t == "month" || t == "months"; }

// Words that may follow a title without being a name, and the words this
// parser reads; a title followed by anything else names an unknown clinician.
bool IsCommonWord(absl::string_view t) {
  if (MonthOf(t) != 0 || WeekdayOf(t).has_value() || CardinalWordOf(t) != 0 ||
      OrdinalWordOf(t) != 0) {
    return true;
  }
  if (!t.empty() && std::isdigit(static_cast<unsigned char>(t[0]))) {
    return true;
  }
  return IsOneOf(
      t, {"a",        "an",    "and",     "any",    "anytime",  "appointment",
          "around",   "as",    "at",      "after",  "before",   "but",
          "by",       "can",   "could",   "day",    "do",       "does",
          "earliest", "early", "evening", "first",  "for",      "from",
          "have",     "i",     "if",      "in",     "is",       "it",
          "late",     "later", "lunch",   "me",     "morning",  "afternoon",
          "my",       "next",  "noon",    "not",    "now",      "of",
          "office",   "on",    "or",      "please", "said",     "says",
          "see",      "so",    "soon",    "that",   "the",      "then",
          "there",    "this",  "to",      "today",  "tomorrow", "visit",
          "want",     "week",  "weekend", "when",   "whenever", "who",
          "will",     "with",  "would",   "you",    "your",     "asap",
          "about",    "again"});
}

// ---------------------------------------------------------------------------
// What the parser collects.

enum class Rel { kNone, kThis, kNext, kLast };
enum class Part { kWhole, kEarly, kMid, kLate };
enum class TimeOp { kNone, kAt, kAfter, kBefore };

enum class TimeKind { kRange, kFirstHour, kLastHour };
struct TimeSpec {
  TimeKind kind = TimeKind::kRange;
  int from = 0;
  int to = kDayMinutes;
};

enum class DayKind { kDate, kWeekday, kSpan };
struct DaySpec {
  DayKind kind = DayKind::kDate;
  absl::CivilDay first;
  absl::CivilDay last;
  absl::Weekday weekday = absl::Weekday::monday;
  // kDate: named by a weekday ("next Tuesday"), not by a date.
  bool from_weekday = false;
  // kSpan: keep the days the clinic is closed ("weekend").
  bool keep_closed = false;
};

struct Clause {
  std::vector<DaySpec> days;
  std::vector<TimeSpec> times;
  bool empty() const { return days.empty() && times.empty(); }
};

absl::CivilDay MondayOf(absl::CivilDay d) {
  return d - static_cast<int>(absl::GetWeekday(d));
}

bool ValidDate(int y, int m, int d) {
  absl::CivilDay day(y, m, d);
  return day.year() == y && day.month() == m && day.day() == d;
}

int MaxDaysInMonth(int m) {
  static constexpr int kMax[] = {31, 29, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31};
  return kMax[m - 1];
}

// A clock hour as said without am/pm, read for office hours.
int HourWithoutMarker(int h) {
  if (h >= 1 && h <= 6) return h + 12;
  return h;
}

class Parser {
 public:
  Parser(std::vector<std::string> tokens, const NaturalDateContext& context)
      : tokens_(std::move(tokens)),
        context_(context),
        today_(absl::ToCivilDay(context.now, context.zone)) {
    clauses_.emplace_back();
    for (const ClinicianName& c : context_.clinicians) {
      std::vector<std::string> keys;
      std::string display = absl::AsciiStrToLower(c.display);
      std::vector<std::string> words =
          absl::StrSplit(display, absl::ByAnyChar(" .-"), absl::SkipEmpty());
      if (!words.empty()) keys.push_back(words.back());
      for (absl::string_view part :
           absl::StrSplit(c.id, '-', absl::SkipEmpty())) {
        std::string p = absl::AsciiStrToLower(part);
        if (!IsOneOf(p, {"dr", "np", "pa", "md", "do", "rn"})) {
          keys.push_back(p);
        }
      }
      clinician_keys_.push_back(std::move(keys));
    }
  }

  absl::StatusOr<DateWindow> Run();

 private:
  absl::string_view Tok(size_t i) const {
    return i < tokens_.size() ? absl::string_view(tokens_[i])
                              : absl::string_view();
  }
  Clause& Cur() { return clauses_.back(); }

  void Step();
  bool TryAsap();
  bool TryTitleOrClinician();
  bool TryOffset();
  bool TryDayWord();
  bool TryWeekday();
  // The day a weekday (monday = 0) names: in next or last week with that
  // relation, otherwise its next occurrence, today included.
  absl::CivilDay DayOfWeekday(Rel rel, int index) const;
  bool TryWeekOrMonth();
  bool TryMonthName();
  bool TryPartOfDay();
  bool TryTimeOp();
  bool TryNumber();

  // A clock time at i: digits with optional ":MM" and am/pm, "noon",
  // "midday", or (when `words` is set, or a marker follows) an hour word.
  // On success sets *minute (minutes after midnight) and *next.
  bool ParseClock(size_t i, bool words, int* minute, size_t* next) const;
  void AddClock(int minute, TimeOp op);
  void AddTime(TimeSpec t);
  void AddDate(absl::CivilDay d, bool from_weekday = false);
  // "after Monday", "before the 14th", "by Friday": when an operator came
  // just before the day (only "the", "on", "next", "this" between), the day
  // bounds a span. False when no operator applies.
  bool AddBound(absl::CivilDay d);
  void AddSpan(absl::CivilDay first, absl::CivilDay last, bool keep_closed);
  void AddDateOfMonth(int month, int day, std::optional<int> year);
  void AddDayOfMonth(int day);
  // A whole month, or its early (1-10), mid (11-20) or late (21-) part.
  void AddMonth(absl::CivilMonth month);
  // A four-digit year at the cursor, consumed.
  std::optional<int> TakeYear();
  int Clinician(absl::string_view t) const;
  void AddClinician(int index);
  Rel TakeRel();
  Part TakePart();
  bool TakeNegation();
  void Fail(std::string message) {
    if (status_.ok()) status_ = absl::InvalidArgumentError(std::move(message));
  }

  // Intervals of `day` for `times`, clipped to now; *any set when there was
  // something before clipping.
  std::vector<TimeInterval> DayIntervals(absl::CivilDay day,
                                         const std::vector<TimeSpec>& times,
                                         bool* any) const;
  absl::Status ResolveDays(const Clause& clause,
                           const std::vector<TimeSpec>& times,
                           std::vector<absl::CivilDay>* out) const;
  bool Excluded(absl::CivilDay d) const;

  std::vector<std::string> tokens_;
  const NaturalDateContext& context_;
  absl::CivilDay today_;
  std::vector<std::vector<std::string>> clinician_keys_;
  size_t i_ = 0;
  absl::Status status_;

  std::vector<Clause> clauses_;
  Rel rel_ = Rel::kNone;
  Rel sticky_rel_ = Rel::kNone;  // "next Thursday or Friday"
  Part part_ = Part::kWhole;
  TimeOp op_ = TimeOp::kNone;
  size_t op_at_ = 0;           // where the operator word was
  bool op_inclusive_ = false;  // "by", "until": the day itself counts
  size_t step_start_ = 0;      // where the current Step began
  bool negate_ = false;
  int negate_ttl_ = 0;
  int exclusions_ = 0;
  bool just_excluded_ = false;
  bool understood_ = false;
  bool asap_ = false;
  std::vector<int> practitioners_;
  std::vector<int> avoided_practitioners_;
  bool excluded_weekdays_[7] = {};
  std::vector<absl::CivilDay> excluded_days_;
};

Rel Parser::TakeRel() {
  Rel r = rel_;
  rel_ = Rel::kNone;
  return r;
}

Part Parser::TakePart() {
  Part p = part_;
  part_ = Part::kWhole;
  return p;
}

bool Parser::TakeNegation() {
  bool n = negate_;
  negate_ = false;
  return n;
}

void Parser::AddTime(TimeSpec t) {
  understood_ = true;
  if (TakeNegation()) {
    // Only a part of the day can be avoided: keep the rest of the day.
    if (t.kind == TimeKind::kRange && (t.from == 0 || t.to == kDayMinutes)) {
      t = t.from == 0 ? TimeSpec{TimeKind::kRange, t.to, kDayMinutes}
                      : TimeSpec{TimeKind::kRange, 0, t.from};
    } else {
      Fail("a time to avoid that cannot be searched");
      return;
    }
  }
  Cur().times.push_back(t);
}

void Parser::AddClock(int minute, TimeOp op) {
  switch (op) {
    case TimeOp::kAfter:
      AddTime({TimeKind::kRange, minute, kDayMinutes});
      break;
    case TimeOp::kBefore:
      AddTime({TimeKind::kRange, 0, minute});
      break;
    case TimeOp::kNone:
    case TimeOp::kAt:
      AddTime({TimeKind::kRange, std::max(0, minute - 30),
               std::min(kDayMinutes, minute + 30)});
      break;
  }
}

bool Parser::AddBound(absl::CivilDay d) {
  if (op_ != TimeOp::kAfter && op_ != TimeOp::kBefore) return false;
  for (size_t k = op_at_ + 1; k < step_start_; ++k) {
    if (!IsOneOf(Tok(k),
                 {"the", "on", "next", "this", "coming", "following"})) {
      return false;
    }
  }
  TimeOp op = op_;
  op_ = TimeOp::kNone;
  if (op == TimeOp::kAfter) {
    AddSpan(d + 1, d + std::max(1, context_.horizon_days), false);
    return true;
  }
  absl::CivilDay last = op_inclusive_ ? d : d - 1;
  if (last < today_) {
    Fail("the requested time has passed");
    return true;
  }
  AddSpan(today_, last, false);
  return true;
}

void Parser::AddDate(absl::CivilDay d, bool from_weekday) {
  if (AddBound(d)) return;
  understood_ = true;
  op_ = TimeOp::kNone;
  if (TakeNegation()) {
    excluded_days_.push_back(d);
    ++exclusions_;
    return;
  }
  DaySpec s;
  s.kind = DayKind::kDate;
  s.first = s.last = d;
  s.from_weekday = from_weekday;
  Cur().days.push_back(s);
}

void Parser::AddSpan(absl::CivilDay first, absl::CivilDay last,
                     bool keep_closed) {
  understood_ = true;
  op_ = TimeOp::kNone;
  if (TakeNegation()) {
    for (absl::CivilDay d = first; d <= last; ++d) excluded_days_.push_back(d);
    ++exclusions_;
    return;
  }
  DaySpec s;
  s.kind = DayKind::kSpan;
  s.first = first;
  s.last = last;
  s.keep_closed = keep_closed;
  Cur().days.push_back(s);
}

void Parser::AddDateOfMonth(int month, int day, std::optional<int> year) {
  const char* name = kMonthNames[month - 1];
  if (day < 1 || day > MaxDaysInMonth(month)) {
    Fail(absl::StrCat(name, " ", day, " is not a date"));
    return;
  }
  if (year.has_value()) {
    if (!ValidDate(*year, month, day)) {
      Fail(absl::StrCat(name, " ", day, ", ", *year, " is not a date"));
      return;
    }
    AddDate(absl::CivilDay(*year, month, day));
    return;
  }
  // The next occurrence, today included (February 29 waits for a leap year).
  for (int y = static_cast<int>(today_.year()); y < today_.year() + 9; ++y) {
    if (ValidDate(y, month, day) && absl::CivilDay(y, month, day) >= today_) {
      AddDate(absl::CivilDay(y, month, day));
      return;
    }
  }
  Fail(absl::StrCat(name, " ", day, " is not a date"));
}

void Parser::AddDayOfMonth(int day) {
  if (day < 1 || day > 31) {
    Fail("a day of the month must be 1 to 31");
    return;
  }
  absl::CivilMonth m(today_);
  for (int k = 0; k < 13; ++k, ++m) {
    if (ValidDate(static_cast<int>(m.year()), m.month(), day) &&
        absl::CivilDay(m.year(), m.month(), day) >= today_) {
      AddDate(absl::CivilDay(m.year(), m.month(), day));
      return;
    }
  }
}

void Parser::AddMonth(absl::CivilMonth month) {
  absl::CivilDay first(month);
  absl::CivilDay last = absl::CivilDay(month + 1) - 1;
  switch (TakePart()) {
    case Part::kWhole:
      break;
    case Part::kEarly:
      last = first + 9;
      break;
    case Part::kMid:
      first += 10;
      last = first + 9;
      break;
    case Part::kLate:
      first += 20;
      break;
  }
  AddSpan(first, last, false);
}

std::optional<int> Parser::TakeYear() {
  int year = 0;
  if (Tok(i_).size() != 4 || !AllDigits(Tok(i_), &year)) return std::nullopt;
  ++i_;
  return year;
}

int Parser::Clinician(absl::string_view t) const {
  for (size_t c = 0; c < clinician_keys_.size(); ++c) {
    for (const std::string& k : clinician_keys_[c]) {
      if (t == k) return static_cast<int>(c);
    }
  }
  return -1;
}

void Parser::AddClinician(int index) {
  std::vector<int>& list =
      TakeNegation() ? avoided_practitioners_ : practitioners_;
  if (std::find(list.begin(), list.end(), index) == list.end()) {
    list.push_back(index);
  }
}

bool Parser::ParseClock(size_t i, bool words, int* minute, size_t* next) const {
  absl::string_view t = Tok(i);
  size_t j = i + 1;
  if (t == "noon" || t == "midday") {
    *minute = 12 * 60;
    *next = j;
    return true;
  }
  // "half past two", "quarter past ten", "quarter to three".
  if ((t == "half" || t == "quarter") &&
      IsOneOf(Tok(j), {"past", "after", "to", "til", "till"})) {
    int base = 0;
    if (!ParseClock(j + 1, true, &base, next)) return false;
    int shift = t == "half" ? 30 : 15;
    if (!IsOneOf(Tok(j), {"past", "after"})) {
      if (t == "half") return false;
      shift = -15;
    }
    *minute = base + shift;
    return *minute >= 0 && *minute < kDayMinutes;
  }
  int hour = -1;
  int min = 0;
  bool marker = false;
  bool pm = false;
  bool am = false;
  if (!t.empty() && std::isdigit(static_cast<unsigned char>(t[0]))) {
    size_t k = 0;
    hour = 0;
    while (k < t.size() && std::isdigit(static_cast<unsigned char>(t[k]))) {
      hour = hour * 10 + (t[k] - '0');
      if (++k > 2) return false;
    }
    if (k < t.size() && t[k] == ':') {
      if (k + 3 > t.size() ||
          !std::isdigit(static_cast<unsigned char>(t[k + 1])) ||
          !std::isdigit(static_cast<unsigned char>(t[k + 2]))) {
        return false;
      }
      min = (t[k + 1] - '0') * 10 + (t[k + 2] - '0');
      k += 3;
      marker = true;
    }
    absl::string_view suffix = t.substr(k);
    if (suffix == "am") {
      am = true;
    } else if (suffix == "pm") {
      pm = true;
    } else if (!suffix.empty() && suffix != "ish") {
      return false;
    }
  } else {
    hour = CardinalWordOf(t);
    if (hour == 0) return false;
  }
  // Minutes said as words: "ten thirty", "two fifteen", "nine forty five".
  if (!marker) {
    if (Tok(j) == "fifteen") {
      min = 15;
      ++j;
    } else if (Tok(j) == "thirty") {
      min = 30;
      ++j;
    } else if (Tok(j) == "forty" && Tok(j + 1) == "five") {
      min = 45;
      j += 2;
    }
    marker = min != 0;
  }
  if (!am && !pm) {
    if (Tok(j) == "am") {
      am = true;
      ++j;
    } else if (Tok(j) == "pm") {
      pm = true;
      ++j;
    } else if (Tok(j) == "oclock") {
      marker = true;
      ++j;
    }
  }
  marker = marker || am || pm;
  bool is_word = !std::isdigit(static_cast<unsigned char>(t[0]));
  if (is_word && !words && !marker) return false;
  if (min > 59) return false;
  if (am || pm) {
    if (hour < 1 || hour > 12) return false;
    hour %= 12;
    if (pm) hour += 12;
  } else {
    if (hour > 23) return false;
    hour = HourWithoutMarker(hour);
  }
  *minute = hour * 60 + min;
  *next = j;
  return true;
}

bool Parser::TryAsap() {
  absl::string_view t = Tok(i_);
  if (IsOneOf(t, {"asap", "soon", "sooner", "soonest", "earliest"})) {
    asap_ = understood_ = true;
    ++i_;
    return true;
  }
  if ((t == "first" || t == "next") &&
      IsOneOf(Tok(i_ + 1), {"available", "opening", "open"})) {
    asap_ = understood_ = true;
    i_ += 2;
    return true;
  }
  return false;
}

bool Parser::TryTitleOrClinician() {
  absl::string_view t = Tok(i_);
  bool strong_title = t == "dr" || (t == "doctor" && i_ > 0 &&
                                    IsOneOf(Tok(i_ - 1), {"with", "see"}));
  if (IsOneOf(t, {"dr", "doctor", "doc"})) {
    int c = Clinician(Tok(i_ + 1));
    if (c >= 0) {
      AddClinician(c);
      i_ += 2;
      return true;
    }
    absl::string_view name = Tok(i_ + 1);
    if (strong_title && !name.empty() && !IsCommonWord(name)) {
      Fail("no clinician by that name");
    }
    ++i_;
    return true;
  }
  int c = Clinician(t);
  if (c >= 0) {
    AddClinician(c);
    ++i_;
    return true;
  }
  return false;
}

// "in 3 days", "in two weeks", "a week from now", "in a month".
// "in 3 days", "in two weeks", "a week from now", "a week from Monday",
// "within the next couple of days", "over the next two weeks".
bool Parser::TryOffset() {
  size_t j = i_;
  bool after_in = false;
  bool within = false;
  bool within_word = false;
  if (IsOneOf(Tok(j), {"in", "within", "over"})) {
    after_in = Tok(j) == "in";
    within = within_word = !after_in;
    ++j;
  }
  if (Tok(j) == "the" && Tok(j + 1) == "next") ++j;
  if (Tok(j) == "next") {
    within = true;
    ++j;
  }
  int n = 0;
  absl::string_view t = Tok(j);
  if (t == "a" || t == "an") {
    n = 1;
    if (IsOneOf(Tok(j + 1), {"couple", "few"})) {
      n = Tok(j + 1) == "couple" ? 2 : 3;
      ++j;
      if (Tok(j + 1) == "of") ++j;
    }
  } else if (t == "couple" || t == "few") {
    n = t == "couple" ? 2 : 3;
    if (Tok(j + 1) == "of") ++j;
  } else if (int w = CardinalWordOf(t); w != 0) {
    n = w;
  } else if (t.size() <= 3 && AllDigits(t, &n)) {
    // "in 3 days": n is set.
  } else if (within_word && (IsDayUnit(t) || IsWeekUnit(t) || IsMonthUnit(t))) {
    // "within the next week", "within a week": one unit ("next week" alone
    // is next week).
    n = 1;
    --j;
  } else {
    return false;
  }
  absl::string_view unit = Tok(j + 1);
  if (!IsDayUnit(unit) && !IsWeekUnit(unit) && !IsMonthUnit(unit)) {
    return false;
  }
  bool from = IsOneOf(Tok(j + 2), {"from", "out", "away", "later"});
  if (!after_in && !within && !from) return false;
  i_ = j + 2;
  // The day counted from: today, or "from tomorrow", "from Monday".
  std::optional<absl::CivilDay> base;
  if (from) {
    ++i_;
    if (IsOneOf(Tok(i_), {"now", "today"})) {
      ++i_;
    } else if (Tok(i_) == "tomorrow") {
      base = today_ + 1;
      ++i_;
    } else if (std::optional<absl::Weekday> wd = WeekdayOf(Tok(i_))) {
      base = today_ + (static_cast<int>(*wd) -
                       static_cast<int>(absl::GetWeekday(today_)) + 7) %
                          7;
      ++i_;
    }
  }
  absl::CivilDay end = today_ + n;
  if (IsWeekUnit(unit)) end = today_ + 7 * n;
  if (IsMonthUnit(unit)) {
    absl::CivilMonth m = absl::CivilMonth(today_) + n;
    int last = static_cast<int>(absl::CivilDay(m + 1) - absl::CivilDay(m));
    end = absl::CivilDay(m.year(), m.month(),
                         std::min(static_cast<int>(today_.day()), last));
  }
  if (within) {
    AddSpan(today_, end, false);
  } else if (base.has_value()) {
    AddDate(*base + static_cast<int>(end - today_));
  } else if (IsDayUnit(unit)) {
    AddDate(end);
  } else {
    AddSpan(MondayOf(end), MondayOf(end) + 6, false);
  }
  return true;
}

bool Parser::TryDayWord() {
  absl::string_view t = Tok(i_);
  if (t == "today") {
    ++i_;
    AddDate(today_);
  } else if (t == "tonight") {
    ++i_;
    AddDate(today_);
    AddTime({TimeKind::kRange, 17 * 60, kDayMinutes});
  } else if (IsOneOf(t, {"tomorrow", "tomorrows", "tmrw"})) {
    ++i_;
    AddDate(today_ + 1);
  } else if (t == "day" && Tok(i_ + 1) == "after" &&
             Tok(i_ + 2) == "tomorrow") {
    i_ += 3;
    AddDate(today_ + 2);
  } else if (t == "yesterday") {
    ++i_;
    AddDate(today_ - 1);
  } else if (IsOneOf(t, {"anytime", "whenever"}) ||
             (t == "any" && IsOneOf(Tok(i_ + 1), {"time", "day", "days"}))) {
    understood_ = true;
    i_ += t == "any" ? 2 : 1;
  } else {
    return false;
  }
  return true;
}

absl::CivilDay Parser::DayOfWeekday(Rel rel, int index) const {
  switch (rel) {
    case Rel::kNext:
      return MondayOf(today_) + 7 + index;
    case Rel::kLast:
      return MondayOf(today_) - 7 + index;
    case Rel::kNone:
    case Rel::kThis:
      break;
  }
  return today_ + (index - static_cast<int>(absl::GetWeekday(today_)) + 7) % 7;
}

bool Parser::TryWeekday() {
  std::optional<absl::Weekday> wd = WeekdayOf(Tok(i_));
  if (!wd.has_value()) return false;
  ++i_;
  Rel rel = TakeRel();
  if (rel == Rel::kNone) rel = sticky_rel_;
  sticky_rel_ = rel;
  int index = static_cast<int>(*wd);
  // "Tuesday through Thursday": from that day to the next such weekday.
  if (IsOneOf(Tok(i_), {"through", "thru", "to", "until", "till"}) &&
      WeekdayOf(Tok(i_ + 1)).has_value()) {
    int to = static_cast<int>(*WeekdayOf(Tok(i_ + 1)));
    i_ += 2;
    absl::CivilDay first = DayOfWeekday(rel, index);
    op_ = TimeOp::kNone;
    AddSpan(first, first + (to - index + 7) % 7, false);
    return true;
  }
  if (rel == Rel::kNext || rel == Rel::kLast) {
    AddDate(DayOfWeekday(rel, index), true);
    return true;
  }
  // "before Friday": the coming Friday ("before Wednesday" on a Wednesday:
  // next week's); "after Wednesday" on a Wednesday: after today.
  absl::CivilDay bound = DayOfWeekday(rel, index);
  if (bound == today_ && op_ == TimeOp::kBefore) bound += 7;
  if (AddBound(bound)) return true;
  understood_ = true;
  op_ = TimeOp::kNone;
  if (TakeNegation()) {
    excluded_weekdays_[index] = true;
    ++exclusions_;
    return true;
  }
  DaySpec s;
  s.kind = DayKind::kWeekday;
  s.weekday = *wd;
  Cur().days.push_back(s);
  return true;
}

bool Parser::TryWeekOrMonth() {
  absl::string_view t = Tok(i_);
  if (t == "midweek") {
    part_ = Part::kMid;
    t = "week";
  }
  if (IsOneOf(t, {"weekend", "weekends"})) {
    ++i_;
    Rel rel = TakeRel();
    absl::CivilDay monday = MondayOf(today_);
    if (rel == Rel::kNext) monday += 7;
    if (rel == Rel::kLast) monday -= 7;
    TakePart();
    AddSpan(monday + 5, monday + 6, true);
    return true;
  }
  if (IsWeekUnit(t)) {
    ++i_;
    Rel rel = TakeRel();
    int weeks = rel == Rel::kNext ? 1 : rel == Rel::kLast ? -1 : 0;
    if (Tok(i_) == "after" && Tok(i_ + 1) == "next") {
      weeks = 2;
      i_ += 2;
    }
    absl::CivilDay monday = MondayOf(today_) + 7 * weeks;
    // "early in the week" said on a Wednesday: next week's start ("this"
    // keeps this week, and so the error).
    if (rel == Rel::kNone && part_ == Part::kEarly && today_ > monday + 1) {
      monday += 7;
    }
    switch (TakePart()) {
      case Part::kWhole:
        AddSpan(monday, monday + 6, false);
        break;
      case Part::kEarly:
        AddSpan(monday, monday + 1, false);
        break;
      case Part::kMid:
        AddSpan(monday + 1, monday + 3, false);
        break;
      case Part::kLate:
        AddSpan(monday + 3, monday + 6, false);
        break;
    }
    return true;
  }
  if (IsMonthUnit(t)) {
    ++i_;
    Rel rel = TakeRel();
    absl::CivilMonth m(today_);
    if (rel == Rel::kNext) ++m;
    if (rel == Rel::kLast) --m;
    AddMonth(m);
    return true;
  }
  return false;
}

bool Parser::TryMonthName() {
  absl::string_view t = Tok(i_);
  int month = MonthOf(t);
  if (month == 0) return false;
  size_t j = i_ + 1;
  if (Tok(j) == "the") ++j;
  // The day after the month: "december 3rd", "december 3", "december third".
  absl::string_view d = Tok(j);
  int day = OrdinalWordOf(d);
  if ((d == "twenty" || d == "thirty") && OrdinalWordOf(Tok(j + 1)) != 0 &&
      OrdinalWordOf(Tok(j + 1)) < 10) {
    day = (d == "twenty" ? 20 : 30) + OrdinalWordOf(Tok(j + 1));
    ++j;
  }
  if (day == 0 && !d.empty() &&
      std::isdigit(static_cast<unsigned char>(d[0]))) {
    size_t k = 0;
    while (k < d.size() && std::isdigit(static_cast<unsigned char>(d[k]))) {
      day = day * 10 + (d[k] - '0');
      if (++k > 2) break;
    }
    absl::string_view suffix = d.substr(k);
    if (k > 2 ||
        !(suffix.empty() || IsOneOf(suffix, {"st", "nd", "rd", "th"}))) {
      day = 0;
    }
  }
  if (day != 0) {
    i_ = j + 1;
    TakeRel();
    AddDateOfMonth(month, day, TakeYear());
    return true;
  }
  // A month alone: "in december", "early january", "next march".
  bool month_context =
      IsOneOf(Tok(i_ > 0 ? i_ - 1 : tokens_.size()),
              {"in", "of", "early", "mid", "late", "next", "this", "during"});
  if (month == 5 && !month_context) return false;
  ++i_;
  TakeRel();
  int year = static_cast<int>(today_.year());
  if (month < today_.month()) ++year;
  if (std::optional<int> said = TakeYear(); said.has_value()) year = *said;
  AddMonth(absl::CivilMonth(year, month));
  return true;
}

bool Parser::TryPartOfDay() {
  absl::string_view t = Tok(i_);
  if (t == "first" && Tok(i_ + 1) == "thing") {
    i_ += 2;
    while (IsOneOf(Tok(i_), {"in", "the", "morning"})) ++i_;
    AddTime({TimeKind::kFirstHour, 0, 0});
    return true;
  }
  if (t == "last" && Tok(i_ + 1) == "thing") {
    i_ += 2;
    AddTime({TimeKind::kLastHour, 0, 0});
    return true;
  }
  if (t == "end") {
    size_t j = i_ + 1;
    while (IsOneOf(Tok(j), {"of", "the"})) ++j;
    if (Tok(j) == "day") {
      i_ = j + 1;
      AddTime({TimeKind::kLastHour, 0, 0});
      return true;
    }
    part_ = Part::kLate;
    ++i_;
    return true;
  }
  if (IsOneOf(t, {"early", "beginning", "start"})) {
    part_ = Part::kEarly;
    ++i_;
    return true;
  }
  if (IsOneOf(t, {"mid", "middle"})) {
    part_ = Part::kMid;
    ++i_;
    return true;
  }
  if (IsOneOf(t, {"late", "later"})) {
    part_ = Part::kLate;
    ++i_;
    return true;
  }
  TimeSpec spec;
  if (IsOneOf(t, {"morning", "mornings"})) {
    switch (part_) {
      case Part::kEarly:
        spec = {TimeKind::kRange, 0, 10 * 60};
        break;
      case Part::kLate:
        spec = {TimeKind::kRange, 10 * 60, 12 * 60};
        break;
      default:
        spec = {TimeKind::kRange, 0, 12 * 60};
    }
  } else if (IsOneOf(t, {"afternoon", "afternoons"})) {
    switch (part_) {
      case Part::kEarly:
        spec = {TimeKind::kRange, 12 * 60, 14 * 60};
        break;
      case Part::kLate:
        spec = {TimeKind::kRange, 15 * 60, kDayMinutes};
        break;
      default:
        spec = {TimeKind::kRange, 12 * 60, kDayMinutes};
    }
  } else if (IsOneOf(t, {"evening", "evenings"})) {
    spec = {TimeKind::kRange, 17 * 60, kDayMinutes};
  } else if (IsOneOf(t, {"lunch", "lunchtime"})) {
    if (op_ == TimeOp::kAfter) {
      spec = {TimeKind::kRange, 13 * 60, kDayMinutes};
    } else if (op_ == TimeOp::kBefore) {
      spec = {TimeKind::kRange, 0, 12 * 60};
    } else {
      spec = {TimeKind::kRange, 12 * 60, 13 * 60};
    }
  } else {
    return false;
  }
  ++i_;
  part_ = Part::kWhole;
  op_ = TimeOp::kNone;
  // "this morning": today.
  if (rel_ == Rel::kThis) {
    rel_ = Rel::kNone;
    bool negated = negate_;
    negate_ = false;
    AddDate(today_);
    negate_ = negated;
  }
  AddTime(spec);
  return true;
}

bool Parser::TryTimeOp() {
  absl::string_view t = Tok(i_);
  if (IsOneOf(t, {"between", "from"})) {
    int a = 0;
    int b = 0;
    size_t j = 0;
    if (ParseClock(i_ + 1, true, &a, &j) &&
        IsOneOf(Tok(j), {"and", "to", "until", "till", "til", "through"}) &&
        ParseClock(j + 1, true, &b, &j) && a < b) {
      i_ = j;
      AddTime({TimeKind::kRange, a, b});
      return true;
    }
    ++i_;
    return true;
  }
  TimeOp op = TimeOp::kNone;
  if (IsOneOf(t, {"at", "around", "about", "approximately"})) {
    op = TimeOp::kAt;
  } else if (t == "after" || t == "past") {
    op = TimeOp::kAfter;
  } else if (IsOneOf(t, {"before", "by", "until", "till", "til"})) {
    op = TimeOp::kBefore;
  } else {
    return false;
  }
  op_inclusive_ = IsOneOf(t, {"by", "until", "till", "til"});
  if (negate_ && op != TimeOp::kAt) {
    negate_ = false;
    op_inclusive_ = false;
    op = op == TimeOp::kAfter ? TimeOp::kBefore : TimeOp::kAfter;
  }
  op_ = op;
  op_at_ = i_;
  ++i_;
  // "after noon" is a clock time; "after lunch" is read by TryPartOfDay.
  return true;
}

bool Parser::TryNumber() {
  absl::string_view t = Tok(i_);
  if (t.empty()) return false;
  // A day of the month: "14th", "the 14", "fourteenth", "twenty first",
  // maybe with a month after it ("3rd of december").
  int day = OrdinalWordOf(t);
  size_t j = i_ + 1;
  if ((t == "twenty" || t == "thirty") && OrdinalWordOf(Tok(j)) != 0 &&
      OrdinalWordOf(Tok(j)) < 10) {
    day = (t == "twenty" ? 20 : 30) + OrdinalWordOf(Tok(j));
    ++j;
  }
  // An ordinal word is a date only after "the"/"on" or before a month
  // ("the first", "third of may"), not in "first thing" or "second opinion".
  if (day != 0 && !(i_ > 0 && IsOneOf(Tok(i_ - 1), {"the", "on"})) &&
      MonthOf(Tok(j) == "of" ? Tok(j + 1) : Tok(j)) == 0) {
    day = 0;
  }
  bool digits = std::isdigit(static_cast<unsigned char>(t[0]));
  if (day == 0 && digits) {
    size_t k = 0;
    int v = 0;
    while (k < t.size() && std::isdigit(static_cast<unsigned char>(t[k]))) {
      v = v * 10 + (t[k] - '0');
      ++k;
    }
    absl::string_view suffix = t.substr(k);
    bool ordinal = IsOneOf(suffix, {"st", "nd", "rd", "th"});
    bool bare = suffix.empty();
    absl::string_view after = Tok(j) == "of" ? Tok(j + 1) : Tok(j);
    bool month_follows = MonthOf(after) != 0;
    if (k <= 2 &&
        (ordinal || (bare && (month_follows ||
                              (i_ > 0 && Tok(i_ - 1) == "the" &&
                               !IsOneOf(Tok(j), {"am", "pm", "oclock"})))))) {
      day = v;
    }
  }
  if (day != 0) {
    size_t m_at = Tok(j) == "of" ? j + 1 : j;
    int month = MonthOf(Tok(m_at));
    TakeRel();
    if (month != 0) {
      i_ = m_at + 1;
      AddDateOfMonth(month, day, TakeYear());
    } else {
      i_ = j;
      AddDayOfMonth(day);
    }
    return true;
  }
  // A clock time, maybe a range ("9 to 11"). Hour words need an operator
  // ("at ten") or a marker ("ten am").
  int minute = 0;
  size_t next = 0;
  if (!ParseClock(i_, op_ != TimeOp::kNone, &minute, &next)) return false;
  int until = 0;
  size_t end = 0;
  if (IsOneOf(Tok(next), {"to", "until", "till", "til", "through"}) &&
      ParseClock(next + 1, true, &until, &end) && minute < until) {
    i_ = end;
    op_ = TimeOp::kNone;
    AddTime({TimeKind::kRange, minute, until});
    return true;
  }
  i_ = next;
  TimeOp op = op_;
  op_ = TimeOp::kNone;
  AddClock(minute, op);
  return true;
}

void Parser::Step() {
  absl::string_view t = Tok(i_);
  step_start_ = i_;
  if (negate_ && --negate_ttl_ < 0) negate_ = false;
  if (IsOneOf(t, {"or", "and"})) {
    ++i_;
    if (just_excluded_) {
      // "not Monday or Tuesday": the list goes on being excluded.
      negate_ = true;
      negate_ttl_ = 2;
    } else if (!Cur().empty()) {
      clauses_.emplace_back();
    }
    return;
  }
  if (IsOneOf(t, {"not", "except", "excluding", "cant", "cannot"}) ||
      (t == "but" && i_ > 0 &&
       IsOneOf(Tok(i_ - 1), {"day", "time", "anytime", "anything", "week"}))) {
    negate_ = true;
    negate_ttl_ = 3;
    ++i_;
    return;
  }
  if (IsOneOf(t, {"sure", "maybe", "but", "though", "so"})) {
    negate_ = false;
  }
  if (TryAsap() || TryOffset() || TryPartOfDay()) {
    just_excluded_ = false;
    return;
  }
  if (IsOneOf(t, {"this", "coming"})) {
    rel_ = Rel::kThis;
    ++i_;
    return;
  }
  if (IsOneOf(t, {"next", "following"})) {
    rel_ = Rel::kNext;
    ++i_;
    return;
  }
  if (IsOneOf(t, {"last", "previous"})) {
    rel_ = Rel::kLast;
    ++i_;
    return;
  }
  int exclusions = exclusions_;
  if (TryDayWord() || TryWeekday() || TryWeekOrMonth() || TryMonthName() ||
      TryTimeOp() || TryNumber() || TryTitleOrClinician()) {
    just_excluded_ = exclusions_ > exclusions;
    if (!WeekdayOf(t).has_value() && !IsOneOf(t, {"on", "the"})) {
      sticky_rel_ = Rel::kNone;
    }
    return;
  }
  // Anything else is filler.
  ++i_;
}

bool Parser::Excluded(absl::CivilDay d) const {
  if (excluded_weekdays_[static_cast<int>(absl::GetWeekday(d))]) return true;
  return std::find(excluded_days_.begin(), excluded_days_.end(), d) !=
         excluded_days_.end();
}

std::vector<TimeInterval> Parser::DayIntervals(
    absl::CivilDay day, const std::vector<TimeSpec>& times, bool* any) const {
  const OfficeHours::Day& hours = context_.hours.For(absl::GetWeekday(day));
  int open = 0;
  int close = kDayMinutes;
  if (hours.open_minute < hours.close_minute) {
    open = hours.open_minute;
    close = hours.close_minute;
  }
  std::vector<TimeInterval> out;
  for (const TimeSpec& t : times) {
    int from = 0;
    int to = 0;
    switch (t.kind) {
      case TimeKind::kFirstHour:
        from = open;
        to = std::min(open + 60, close);
        break;
      case TimeKind::kLastHour:
        from = std::max(close - 60, open);
        to = close;
        break;
      case TimeKind::kRange:
        from = std::max(t.from, open);
        to = std::min(t.to, close);
        if (from >= to) {
          from = t.from;
          to = t.to;
        }
        break;
    }
    if (from >= to) continue;
    *any = true;
    absl::CivilMinute midnight(day);
    absl::Time start = absl::FromCivil(midnight + from, context_.zone);
    absl::Time end = absl::FromCivil(midnight + to, context_.zone);
    if (end <= context_.now) continue;
    out.push_back({std::max(start, context_.now), end});
  }
  return out;
}

absl::Status Parser::ResolveDays(const Clause& clause,
                                 const std::vector<TimeSpec>& times,
                                 std::vector<absl::CivilDay>* out) const {
  // A weekday said with a date must be that date's weekday; the date wins.
  std::vector<absl::CivilDay> dates;
  std::vector<absl::Weekday> weekdays;
  bool has_span = false;
  for (const DaySpec& s : clause.days) {
    if (s.kind == DayKind::kDate && !s.from_weekday) dates.push_back(s.first);
    if (s.kind == DayKind::kWeekday) weekdays.push_back(s.weekday);
    if (s.kind == DayKind::kSpan) has_span = true;
  }
  // "Tuesday next week", "Mondays in January": the weekdays pick days of
  // the span, closed or not.
  bool pick = has_span && !weekdays.empty();
  for (const DaySpec& s : clause.days) {
    switch (s.kind) {
      case DayKind::kDate:
        if (s.from_weekday && !dates.empty()) {
          if (std::none_of(dates.begin(), dates.end(), [&](absl::CivilDay d) {
                return absl::GetWeekday(d) == absl::GetWeekday(s.first);
              })) {
            return absl::InvalidArgumentError(
                "the weekday does not match the date");
          }
          break;
        }
        out->push_back(s.first);
        break;
      case DayKind::kWeekday: {
        if (pick) break;
        if (!dates.empty()) {
          if (std::none_of(dates.begin(), dates.end(), [&](absl::CivilDay d) {
                return absl::GetWeekday(d) == s.weekday;
              })) {
            return absl::InvalidArgumentError(
                "the weekday does not match the date");
          }
          break;
        }
        absl::CivilDay d =
            DayOfWeekday(Rel::kNone, static_cast<int>(s.weekday));
        bool any = false;
        if (d == today_ && DayIntervals(d, times, &any).empty()) d += 7;
        out->push_back(d);
        break;
      }
      case DayKind::kSpan: {
        absl::CivilDay first = s.first;
        if (s.last >= today_) first = std::max(first, today_);
        if (pick) {
          for (absl::CivilDay d = first; d <= s.last; ++d) {
            if (!Excluded(d) &&
                std::find(weekdays.begin(), weekdays.end(),
                          absl::GetWeekday(d)) != weekdays.end()) {
              out->push_back(d);
            }
          }
          break;
        }
        std::vector<absl::CivilDay> open;
        std::vector<absl::CivilDay> all;
        for (absl::CivilDay d = first; d <= s.last; ++d) {
          if (Excluded(d)) continue;
          all.push_back(d);
          bool any = false;
          if (context_.hours.IsOpen(absl::GetWeekday(d)) &&
              !DayIntervals(d, times, &any).empty()) {
            open.push_back(d);
          }
        }
        const std::vector<absl::CivilDay>& use =
            s.keep_closed || open.empty() ? all : open;
        out->insert(out->end(), use.begin(), use.end());
        break;
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<DateWindow> Parser::Run() {
  while (i_ < tokens_.size() && status_.ok()) Step();
  if (!status_.ok()) return status_;
  std::erase_if(clauses_, [](const Clause& c) { return c.empty(); });
  std::vector<TimeSpec> all_times;
  std::vector<DaySpec> all_days;
  for (const Clause& c : clauses_) {
    all_times.insert(all_times.end(), c.times.begin(), c.times.end());
    all_days.insert(all_days.end(), c.days.begin(), c.days.end());
  }
  if (all_days.empty() && all_times.empty() && !understood_) {
    return absl::InvalidArgumentError("no day or time found");
  }
  if (all_times.empty()) all_times.push_back(TimeSpec{});
  if (all_days.empty()) {
    DaySpec horizon;
    horizon.kind = DayKind::kSpan;
    horizon.first = today_;
    horizon.last = today_ + std::max(1, context_.horizon_days) - 1;
    all_days.push_back(horizon);
  }
  if (clauses_.empty()) clauses_.emplace_back();
  // "Tuesday or Wednesday next week": an alternative of weekdays alone takes
  // the span of an alternative that picks weekdays from one.
  auto has = [](const Clause& c, DayKind kind) {
    return std::any_of(c.days.begin(), c.days.end(),
                       [&](const DaySpec& s) { return s.kind == kind; });
  };
  std::vector<DaySpec> picked_spans;
  for (const Clause& c : clauses_) {
    if (!has(c, DayKind::kWeekday)) continue;
    for (const DaySpec& s : c.days) {
      if (s.kind == DayKind::kSpan) picked_spans.push_back(s);
    }
  }
  for (Clause& c : clauses_) {
    if (has(c, DayKind::kWeekday) && !has(c, DayKind::kSpan)) {
      c.days.insert(c.days.end(), picked_spans.begin(), picked_spans.end());
    }
  }

  std::vector<TimeInterval> intervals;
  bool any_before_clip = false;
  bool any_day = false;
  for (Clause& c : clauses_) {
    if (c.times.empty()) c.times = all_times;
    if (c.days.empty()) c.days = all_days;
    std::vector<absl::CivilDay> days;
    if (absl::Status s = ResolveDays(c, c.times, &days); !s.ok()) return s;
    for (absl::CivilDay d : days) {
      if (Excluded(d)) continue;
      any_day = true;
      std::vector<TimeInterval> got =
          DayIntervals(d, c.times, &any_before_clip);
      intervals.insert(intervals.end(), got.begin(), got.end());
    }
  }
  if (intervals.empty()) {
    if (any_before_clip) {
      return absl::InvalidArgumentError("the requested time has passed");
    }
    if (!any_day) {
      return absl::InvalidArgumentError("every day asked for is excluded");
    }
    return absl::InvalidArgumentError("no day or time found");
  }
  std::sort(intervals.begin(), intervals.end(),
            [](const TimeInterval& a, const TimeInterval& b) {
              return a.start < b.start || (a.start == b.start && a.end < b.end);
            });
  DateWindow window;
  for (const TimeInterval& in : intervals) {
    if (!window.intervals.empty() && in.start <= window.intervals.back().end) {
      window.intervals.back().end =
          std::max(window.intervals.back().end, in.end);
    } else {
      window.intervals.push_back(in);
    }
  }
  if (!practitioners_.empty()) {
    for (int p : practitioners_) {
      window.practitioners.push_back(context_.clinicians[p].id);
    }
  } else if (!avoided_practitioners_.empty()) {
    for (size_t p = 0; p < context_.clinicians.size(); ++p) {
      if (std::find(avoided_practitioners_.begin(),
                    avoided_practitioners_.end(),
                    static_cast<int>(p)) == avoided_practitioners_.end()) {
        window.practitioners.push_back(context_.clinicians[p].id);
      }
    }
  }
  window.as_soon_as_possible = asap_;
  return window;
}

// Lower case; "a.m." -> "am", "dr." -> "dr", "o'clock" -> "oclock",
// "2-4" -> "2 to 4", "3.30" -> "3:30"; other punctuation separates words.
std::vector<std::string> Tokenize(absl::string_view utterance) {
  std::string s;
  s.reserve(utterance.size() + 8);
  auto digit = [&](size_t k) {
    return k < utterance.size() &&
           std::isdigit(static_cast<unsigned char>(utterance[k]));
  };
  for (size_t k = 0; k < utterance.size(); ++k) {
    unsigned char ch = static_cast<unsigned char>(utterance[k]);
    if (std::isalnum(ch)) {
      s.push_back(static_cast<char>(std::tolower(ch)));
    } else if (ch == ':') {
      s.push_back(k > 0 && digit(k - 1) && digit(k + 1) ? ':' : ' ');
    } else if (ch == '.') {
      // Between digits a clock separator; after a single letter ("a.m.")
      // nothing; otherwise a word break ("dr.patel").
      bool single_letter =
          k > 0 && std::isalpha(static_cast<unsigned char>(utterance[k - 1])) &&
          (k == 1 ||
           !std::isalpha(static_cast<unsigned char>(utterance[k - 2])));
      if (k > 0 && digit(k - 1) && digit(k + 1)) {
        s.push_back(':');
      } else if (!single_letter) {
        s.push_back(' ');
      }
    } else if (ch == '\'') {
      // "o'clock", "can't": joined.
    } else if (ch == '-' && k > 0 && digit(k - 1) && digit(k + 1)) {
      s.append(" to ");
    } else if (ch == '&') {
      s.append(" and ");
    } else {
      s.push_back(' ');
    }
  }
  return absl::StrSplit(s, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
}

}  // namespace

absl::StatusOr<DateWindow> ParseNaturalDate(absl::string_view utterance,
                                            const NaturalDateContext& context) {
  Parser parser(Tokenize(utterance), context);
  return parser.Run();
}

}  // namespace frontdesk::scheduling
