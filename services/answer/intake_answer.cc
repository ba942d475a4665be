#include "services/answer/intake_answer.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
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
        const intake::ConsentAnswer yes_no = intake::ParseConsent(said);
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
