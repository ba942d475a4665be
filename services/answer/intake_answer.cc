#include "services/answer/intake_answer.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"
#include "libs/intake/intake_fields.h"

namespace frontdesk::answer {

namespace pv = ::frontdesk::policy::v1;

namespace {

// A fixed code for a parser's refusal; the messages hold no values.
std::string ReasonCode(const absl::Status& st) {
  const absl::string_view m = st.message();
  if (absl::StrContains(m, "in the future")) return "future_date";
  if (absl::StrContains(m, "not a real date")) return "impossible_date";
  if (absl::StrContains(m, "older than") || absl::StrContains(m, "years ago"))
    return "too_old";
  if (absl::StrContains(m, "longer than") || absl::StrContains(m, "too long"))
    return "too_long";
  if (absl::StrContains(m, "UTF-8")) return "not_utf8";
  return "not_understood";
}

// "no preference", "anyone", "none", "no": the caller has no preference.
bool NoPreference(absl::string_view said) {
  std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(said));
  t.erase(
      std::remove_if(t.begin(), t.end(),
                     [](char c) { return c == '.' || c == ',' || c == '!'; }),
      t.end());
  static const std::set<std::string>* const kNone =
      new std::set<std::string>{"no preference",
                                "no",
                                "none",
                                "anyone",
                                "anybody",
                                "any",
                                "whoever",
                                "doesn't matter",
                                "it doesn't matter",
                                "no one in particular",
                                "nope",
                                "not really",
                                "whoever is available",
                                "first available"};
  return kNone->count(t) > 0;
}

int Words(absl::string_view s) {
  int n = 0;
  for (absl::string_view w : absl::StrSplit(s, ' ', absl::SkipWhitespace()))
    n += w.empty() ? 0 : 1;
  return n;
}

// Lower-case words of `said`, apostrophes kept, for whole-word matching:
// " that's right ".
std::string Spaced(absl::string_view said) {
  std::string text = " ";
  for (char ch : said) {
    const auto c = static_cast<unsigned char>(ch);
    text.push_back(absl::ascii_isalnum(c) || c == '\'' || c >= 0x80
                       ? static_cast<char>(absl::ascii_tolower(c))
                       : ' ');
  }
  text += " ";
  return text;
}

// A yes or no to "Is that right?" after a read-back. Wider than consent:
// "that's right" and "correct" confirm a date.
intake::ConsentAnswer ReadBackAnswer(absl::string_view said) {
  const intake::ConsentAnswer a = intake::ParseConsent(said);
  if (a != intake::ConsentAnswer::kUnclear) return a;
  const std::string text = Spaced(said);
  auto has = [&text](const char* phrase) {
    return absl::StrContains(text, absl::StrCat(" ", phrase, " "));
  };
  if (has("wrong") || has("incorrect")) return intake::ConsentAnswer::kNo;
  if (has("correct") || has("right") || has("exactly") || has("yup") ||
      has("uh huh") || has("that's it") || has("that is it")) {
    return intake::ConsentAnswer::kYes;
  }
  return intake::ConsentAnswer::kUnclear;
}

// What people say before the value itself: "my name is Jane Roe", "it's
// 312 555 7788". Removed, case-insensitively, when the rest is not empty.
absl::string_view StripLeadIn(pv::IntakeField field, absl::string_view said) {
  static const char* const kName[] = {
      "my name is", "my name's", "the name is", "the name's", "name is",
      "this is",    "it is",     "it's",        "i am",       "i'm"};
  static const char* const kDate[] = {"my date of birth is",
                                      "date of birth is",
                                      "my birthday is",
                                      "my birth date is",
                                      "i was born on",
                                      "i was born",
                                      "born on",
                                      "it is",
                                      "it's"};
  static const char* const kPhone[] = {"my phone number is",
                                       "my number is",
                                       "the number is",
                                       "my cell is",
                                       "my cell number is",
                                       "you can reach me at",
                                       "reach me at",
                                       "call me at",
                                       "it is",
                                       "it's"};
  static const char* const kEmail[] = {"my email is", "my email address is",
                                       "my e-mail is", "it is", "it's"};
  absl::Span<const char* const> leads;
  switch (field) {
    case pv::INTAKE_FIELD_NAME:
      leads = kName;
      break;
    case pv::INTAKE_FIELD_DATE_OF_BIRTH:
      leads = kDate;
      break;
    case pv::INTAKE_FIELD_PHONE:
      leads = kPhone;
      break;
    case pv::INTAKE_FIELD_EMAIL:
      leads = kEmail;
      break;
    default:
      return said;
  }
  absl::string_view rest = absl::StripAsciiWhitespace(said);
  for (const char* lead : leads) {
    const size_t n = std::strlen(lead);
    if (rest.size() > n + 1 &&
        absl::EqualsIgnoreCase(rest.substr(0, n), lead) &&
        (rest[n] == ' ' || rest[n] == ',')) {
      rest.remove_prefix(n);
      return absl::StripLeadingAsciiWhitespace(
          absl::StripPrefix(absl::StripLeadingAsciiWhitespace(rest), ","));
    }
  }
  return said;
}

// A turn that is a question, or a bare yes or no, is not a name.
bool PlainlyNotAName(absl::string_view said) {
  absl::string_view t = absl::StripAsciiWhitespace(said);
  if (absl::EndsWith(t, "?")) return true;
  const std::string text = Spaced(t);
  static const char* const kAsking[] = {" what ", " where ", " when ", " why ",
                                        " how ",  " who ",   " do ",   " does ",
                                        " can ",  " could ", " is ",   " are "};
  // Three words or more, so that "Do Thanh" stays a name.
  for (const char* w : kAsking) {
    if (absl::StartsWith(text, w) && Words(t) >= 3) return true;
  }
  return Words(t) <= 2 &&
         intake::ParseConsent(t) != intake::ConsentAnswer::kUnclear;
}

}  // namespace

std::vector<std::string> PolicyClinicians(const policy::ClinicPolicy& policy) {
  std::set<std::string> ids;
  for (const auto& v : policy.proto().booking().visit_types()) {
    for (const auto& c : v.clinicians()) ids.insert(c);
  }
  return {ids.begin(), ids.end()};
}

IntakeAnswer ReadIntakeAnswer(const policy::ClinicPolicy& policy,
                              pv::IntakeField field, absl::string_view said,
                              absl::string_view pending_read_back,
                              absl::CivilDay today) {
  IntakeAnswer a;
  if (field == pv::INTAKE_FIELD_NAME && PlainlyNotAName(said)) {
    a.reason = "not_a_name";
    return a;
  }
  said = StripLeadIn(field, said);
  auto take = [&a](const absl::StatusOr<std::string>& v) {
    if (v.ok()) {
      a.understood = true;
      a.value = *v;
    } else {
      a.reason = ReasonCode(v.status());
    }
  };
  switch (field) {
    case pv::INTAKE_FIELD_NAME: {
      absl::StatusOr<std::string> name = intake::ParseName(said);
      if (name.ok() && Words(*name) > kMaxNameWords) {
        a.reason = "too_many_words";
        return a;
      }
      take(name);
      return a;
    }
    case pv::INTAKE_FIELD_DATE_OF_BIRTH: {
      if (!pending_read_back.empty()) {
        const intake::ConsentAnswer yes_no = ReadBackAnswer(said);
        if (yes_no == intake::ConsentAnswer::kYes) {
          a.understood = true;
          a.confirms_read_back = true;
          a.value = std::string(pending_read_back);
          return a;
        }
        if (yes_no == intake::ConsentAnswer::kNo) {
          a.reason = "read_back_refused";
          return a;
        }
      }
      absl::StatusOr<intake::BirthDate> dob =
          intake::ParseDateOfBirth(said, today);
      if (!dob.ok()) {
        a.reason = ReasonCode(dob.status());
        if (a.reason == "not_understood") a.reason = "not_a_date";
        return a;
      }
      a.understood = true;
      a.value = dob->ToIso();
      a.read_back = dob->ReadBack();
      return a;
    }
    case pv::INTAKE_FIELD_PHONE:
      take(intake::ParsePhone(said, policy.country_code()));
      return a;
    case pv::INTAKE_FIELD_EMAIL:
      take(intake::ParseEmail(said));
      return a;
    case pv::INTAKE_FIELD_REASON_FOR_VISIT:
      take(intake::ParseFreeText(said, "reason_for_visit"));
      return a;
    case pv::INTAKE_FIELD_INSURANCE_NOTES:
      take(intake::ParseFreeText(said, "insurance_notes"));
      return a;
    case pv::INTAKE_FIELD_CALLBACK_TIME:
      take(intake::ParseFreeText(said, "callback_time"));
      return a;
    case pv::INTAKE_FIELD_PREFERRED_CLINICIAN: {
      if (NoPreference(said)) {
        a.understood = true;
        a.value = "no-preference";
        return a;
      }
      absl::StatusOr<std::string> id =
          intake::MatchClinician(said, PolicyClinicians(policy));
      if (!id.ok()) {
        a.reason = id.status().code() == absl::StatusCode::kFailedPrecondition
                       ? "ambiguous_clinician"
                       : "unknown_clinician";
        return a;
      }
      a.understood = true;
      a.value = *id;
      return a;
    }
    case pv::INTAKE_FIELD_CONSENT:
      switch (intake::ParseConsent(said)) {
        case intake::ConsentAnswer::kYes:
          a.understood = true;
          a.value = "yes";
          return a;
        case intake::ConsentAnswer::kNo:
          a.understood = true;
          a.declined = true;
          a.value = "no";
          return a;
        case intake::ConsentAnswer::kUnclear:
          a.reason = "not_yes_or_no";
          return a;
      }
      return a;
    default:
      a.reason = "not_an_intake_field";
      return a;
  }
}

}  // namespace frontdesk::answer
