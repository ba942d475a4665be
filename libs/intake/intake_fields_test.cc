#include "libs/intake/intake_fields.h"

#include "gtest/gtest.h"

namespace frontdesk::intake {
namespace {

const absl::CivilDay kToday(2026, 11, 27);

std::string Iso(absl::string_view said) {
  auto d = ParseDateOfBirth(said, kToday);
  return d.ok() ? d->ToIso() : std::string(d.status().message());
}

TEST(ParseDateOfBirthTest, SpokenAndWrittenForms) {
  EXPECT_EQ(Iso("March 3rd 1980"), "1980-03-03");
  EXPECT_EQ(Iso("march 3, 1980"), "1980-03-03");
  EXPECT_EQ(Iso("Mar 3 1980"), "1980-03-03");
  EXPECT_EQ(Iso("3 March 1980"), "1980-03-03");
  EXPECT_EQ(Iso("3/3/80"), "1980-03-03");
  EXPECT_EQ(Iso("03/03/1980"), "1980-03-03");
  EXPECT_EQ(Iso("1980-03-03"), "1980-03-03");
  EXPECT_EQ(Iso("the third of March eighty"), "1980-03-03");
  EXPECT_EQ(Iso("March third nineteen eighty"), "1980-03-03");
  EXPECT_EQ(Iso("I was born on the twenty-first of June nineteen eighty two"),
            "1982-06-21");
  EXPECT_EQ(Iso("June 21st two thousand five"), "2005-06-21");
  EXPECT_EQ(Iso("June twenty first two thousand and five"), "2005-06-21");
  EXPECT_EQ(Iso("December 1 twenty ten"), "2010-12-01");
  EXPECT_EQ(Iso("Sept 9 oh five"), "2005-09-09");
  EXPECT_EQ(Iso("1/2/25"), "2025-01-02");  // a two-digit year not after today
  EXPECT_EQ(Iso("1/2/27"), "1927-01-02");
}

TEST(ParseDateOfBirthTest, ReadsBackTheUnderstoodDate) {
  auto d = ParseDateOfBirth("the third of March eighty", kToday);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->ReadBack(), "March 3, 1980");
}

TEST(ParseDateOfBirthTest, RefusesWithoutRepeatingTheValue) {
  EXPECT_EQ(Iso("February 30 1990"), "date_of_birth: not a real date");
  EXPECT_EQ(Iso("13/01/1990"), "date_of_birth: not a real date");
  EXPECT_EQ(Iso("2030-01-01"), "date_of_birth: is in the future");
  EXPECT_EQ(Iso("November 28 2026"), "date_of_birth: is in the future");
  EXPECT_EQ(Iso("1900-01-01"), "date_of_birth: more than 120 years ago");
  EXPECT_EQ(Iso("sometime in spring"),
            "date_of_birth: not understood as a date");
  EXPECT_EQ(Iso("March"), "date_of_birth: the day is missing");
  EXPECT_EQ(Iso("March 3"),
            "date_of_birth: the year is missing or not understood");
  EXPECT_EQ(Iso(""), "date_of_birth: required");
  EXPECT_EQ(Iso("3/3/198"), "date_of_birth: the year needs 2 or 4 digits");
  auto d = ParseDateOfBirth("February 30 1990", kToday);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ParsePhoneTest, NormalizesToE164) {
  EXPECT_EQ(*ParsePhone("(555) 867-5309"), "+15558675309");
  EXPECT_EQ(*ParsePhone("1 555 867 5309"), "+15558675309");
  EXPECT_EQ(*ParsePhone("555.867.5309"), "+15558675309");
  EXPECT_EQ(*ParsePhone("five five five eight six seven five three oh nine"),
            "+15558675309");
  EXPECT_EQ(*ParsePhone("+44 20 7946 0958"), "+442079460958");
  EXPECT_EQ(*ParsePhone("0044 20 7946 0958"), "+442079460958");
  EXPECT_EQ(*ParsePhone("20 7946 0958", "44"), "+442079460958");
}

TEST(ParsePhoneTest, RefusesBadNumbers) {
  EXPECT_EQ(std::string(ParsePhone("867-5309").status().message()),
            "phone: needs 10 digits");
  EXPECT_EQ(std::string(ParsePhone("(055) 867-5309").status().message()),
            "phone: not a valid North American number");
  EXPECT_EQ(std::string(ParsePhone("call me maybe").status().message()),
            "phone: may hold only digits, spaces and + - ( ) .");
  EXPECT_EQ(std::string(ParsePhone("").status().message()), "phone: required");
  EXPECT_EQ(std::string(ParsePhone("+1234").status().message()),
            "phone: not a valid international number");
}

TEST(ParseNameTest, LettersSpacesHyphensApostrophes) {
  EXPECT_EQ(*ParseName("  Mary-Jane   O'Neil "), "Mary-Jane O'Neil");
  EXPECT_EQ(*ParseName("Zoë Ångström"), "Zoë Ångström");
  EXPECT_EQ(std::string(ParseName("R2D2").status().message()),
            "name: may hold only letters, spaces, hyphens and apostrophes");
  EXPECT_EQ(std::string(ParseName(" - ").status().message()),
            "name: needs at least one letter");
  EXPECT_EQ(std::string(ParseName(std::string(101, 'a')).status().message()),
            "name: longer than 100 characters");
}

TEST(ParseEmailTest, WrittenAndSpoken) {
  EXPECT_EQ(*ParseEmail(" Jane.Roe@Example.COM "), "jane.roe@example.com");
  EXPECT_EQ(*ParseEmail("jane dot roe at example dot com"),
            "jane.roe@example.com");
  EXPECT_EQ(std::string(ParseEmail("jane@").status().message()),
            "email: the domain needs a dot");
  EXPECT_EQ(std::string(ParseEmail("jane.example.com").status().message()),
            "email: needs one @ between a name and a domain");
  EXPECT_EQ(std::string(ParseEmail("ja..ne@example.com").status().message()),
            "email: the part before @ has misplaced dots");
  EXPECT_EQ(std::string(ParseEmail("jane@exa_mple.com").status().message()),
            "email: the domain is not valid");
}

TEST(ParseFreeTextTest, CappedAndValid) {
  EXPECT_EQ(*ParseFreeText("  sore throat for three days ", "reason_for_visit"),
            "sore throat for three days");
  EXPECT_EQ(std::string(ParseFreeText(std::string(501, 'x'), "reason_for_visit")
                            .status()
                            .message()),
            "reason_for_visit: longer than 500 characters");
  EXPECT_EQ(
      std::string(ParseFreeText("", "insurance_notes").status().message()),
      "insurance_notes: required");
}

TEST(MatchClinicianTest, TitlesAndSurnames) {
  const std::vector<std::string> ids = {"dr-rivera", "dr-patel", "np-garcia",
                                        "pa-patel"};
  EXPECT_EQ(*MatchClinician("Dr. Rivera", ids), "dr-rivera");
  EXPECT_EQ(*MatchClinician("doctor rivera please", ids), "dr-rivera");
  EXPECT_EQ(*MatchClinician("Rivera", ids), "dr-rivera");
  EXPECT_EQ(*MatchClinician("Maria Garcia", ids), "np-garcia");
  EXPECT_EQ(*MatchClinician("Doctor Patel", ids), "dr-patel");
  EXPECT_EQ(MatchClinician("Patel", ids).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(MatchClinician("Dr. Smith", ids).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ParseConsentTest, ExplicitYesAndNo) {
  EXPECT_EQ(ParseConsent("Yes, that's fine"), ConsentAnswer::kYes);
  EXPECT_EQ(ParseConsent("sure, go ahead"), ConsentAnswer::kYes);
  EXPECT_EQ(ParseConsent("I don't mind"), ConsentAnswer::kYes);
  EXPECT_EQ(ParseConsent("no problem"), ConsentAnswer::kYes);
  EXPECT_EQ(ParseConsent("No."), ConsentAnswer::kNo);
  EXPECT_EQ(ParseConsent("I do not consent"), ConsentAnswer::kNo);
  EXPECT_EQ(ParseConsent("I don't agree to that"), ConsentAnswer::kNo);
  EXPECT_EQ(ParseConsent("I'd rather not"), ConsentAnswer::kNo);
  EXPECT_EQ(ParseConsent("yes... no, wait"), ConsentAnswer::kUnclear);
  EXPECT_EQ(ParseConsent("what is this for?"), ConsentAnswer::kUnclear);
}

}  // namespace
}  // namespace frontdesk::intake
