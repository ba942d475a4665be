#include "services/answer/intake_answer.h"

#include "gtest/gtest.h"

namespace frontdesk::answer {
namespace {

namespace pv = ::frontdesk::policy::v1;

const absl::CivilDay kToday(2026, 11, 27);

class IntakeAnswerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = policy::LoadPolicyFile(FRONTDESK_SAMPLE_POLICY);
    ASSERT_TRUE(p.ok()) << p.status();
    policy_ = std::make_unique<policy::ClinicPolicy>(*std::move(p));
  }
  IntakeAnswer Read(pv::IntakeField f, const std::string& said,
                    const std::string& pending = "") {
    return ReadIntakeAnswer(*policy_, f, said, pending, kToday);
  }
  std::unique_ptr<policy::ClinicPolicy> policy_;
};

TEST_F(IntakeAnswerTest, NamesAreShortOrTheyAreNotNames) {
  IntakeAnswer a = Read(pv::INTAKE_FIELD_NAME, "  Mary-Jo  O'Neil ");
  EXPECT_TRUE(a.understood);
  EXPECT_EQ(a.value, "Mary-Jo O'Neil");
  IntakeAnswer b =
      Read(pv::INTAKE_FIELD_NAME, "actually I need to pay my bill instead");
  EXPECT_FALSE(b.understood);
  EXPECT_EQ(b.reason, "too_many_words");
  IntakeAnswer c = Read(pv::INTAKE_FIELD_NAME, "R2-D2");
  EXPECT_FALSE(c.understood);
  EXPECT_EQ(c.reason, "not_understood");
}

TEST_F(IntakeAnswerTest, LeadInWordsAreNotPartOfTheValue) {
  EXPECT_EQ(Read(pv::INTAKE_FIELD_NAME, "My name is Jane Roe").value,
            "Jane Roe");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_NAME, "this is Jane Roe").value, "Jane Roe");
  EXPECT_EQ(
      Read(pv::INTAKE_FIELD_DATE_OF_BIRTH, "my date of birth is March 3rd 1980")
          .value,
      "1980-03-03");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_PHONE, "my number is 312 555 7788").value,
            "+13125557788");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_EMAIL, "it's jane@example.com").value,
            "jane@example.com");
}

TEST_F(IntakeAnswerTest, QuestionsAndBareYesOrNoAreNotNames) {
  EXPECT_EQ(Read(pv::INTAKE_FIELD_NAME, "what are your hours").reason,
            "not_a_name");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_NAME, "Jane Roe?").reason, "not_a_name");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_NAME, "no").reason, "not_a_name");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_NAME, "Yes.").reason, "not_a_name");
  // Short names that begin like a question word are still names.
  EXPECT_EQ(Read(pv::INTAKE_FIELD_NAME, "Do Thanh").value, "Do Thanh");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_NAME, "Isabel Howard").value,
            "Isabel Howard");
}

TEST_F(IntakeAnswerTest, ThatsRightConfirmsAReadBack) {
  for (const char* yes : {"that's right", "correct", "yes", "Right."}) {
    SCOPED_TRACE(yes);
    EXPECT_TRUE(Read(pv::INTAKE_FIELD_DATE_OF_BIRTH, yes, "1980-03-03")
                    .confirms_read_back);
  }
  for (const char* no : {"that's wrong", "incorrect", "no", "not right"}) {
    SCOPED_TRACE(no);
    EXPECT_EQ(Read(pv::INTAKE_FIELD_DATE_OF_BIRTH, no, "1980-03-03").reason,
              "read_back_refused");
  }
}

TEST_F(IntakeAnswerTest, DatesAreReadBackAndTakenOnYes) {
  IntakeAnswer heard =
      Read(pv::INTAKE_FIELD_DATE_OF_BIRTH, "the third of March eighty");
  ASSERT_TRUE(heard.understood);
  EXPECT_EQ(heard.value, "1980-03-03");
  EXPECT_EQ(heard.read_back, "March 3, 1980");
  EXPECT_FALSE(heard.confirms_read_back);

  IntakeAnswer yes =
      Read(pv::INTAKE_FIELD_DATE_OF_BIRTH, "yes, that's right", "1980-03-03");
  EXPECT_TRUE(yes.understood);
  EXPECT_TRUE(yes.confirms_read_back);
  EXPECT_EQ(yes.value, "1980-03-03");

  IntakeAnswer no = Read(pv::INTAKE_FIELD_DATE_OF_BIRTH, "no", "1980-03-03");
  EXPECT_FALSE(no.understood);
  EXPECT_EQ(no.reason, "read_back_refused");

  // A corrected date instead of yes or no is a new reading.
  IntakeAnswer again =
      Read(pv::INTAKE_FIELD_DATE_OF_BIRTH, "March 4th 1980", "1980-03-03");
  EXPECT_TRUE(again.understood);
  EXPECT_FALSE(again.confirms_read_back);
  EXPECT_EQ(again.value, "1980-03-04");
}

TEST_F(IntakeAnswerTest, BadDatesHaveCodesNotValues) {
  EXPECT_EQ(Read(pv::INTAKE_FIELD_DATE_OF_BIRTH, "February 30 1980").reason,
            "impossible_date");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_DATE_OF_BIRTH, "March 3 2030").reason,
            "future_date");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_DATE_OF_BIRTH, "March 3 1890").reason,
            "too_old");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_DATE_OF_BIRTH, "purple").reason,
            "not_a_date");
}

TEST_F(IntakeAnswerTest, PhonesUseTheClinicCountry) {
  IntakeAnswer a = Read(pv::INTAKE_FIELD_PHONE, "(312) 555-7788");
  EXPECT_TRUE(a.understood);
  EXPECT_EQ(a.value, "+13125557788");
  EXPECT_FALSE(Read(pv::INTAKE_FIELD_PHONE, "555 0101").understood);
}

TEST_F(IntakeAnswerTest, CliniciansAreMatchedToThePolicy) {
  EXPECT_EQ(Read(pv::INTAKE_FIELD_PREFERRED_CLINICIAN, "Dr. Patel").value,
            "dr-patel");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_PREFERRED_CLINICIAN, "doctor nguyen").value,
            "dr-nguyen");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_PREFERRED_CLINICIAN, "Okafor").value,
            "pa-okafor");
  EXPECT_EQ(Read(pv::INTAKE_FIELD_PREFERRED_CLINICIAN, "No preference.").value,
            "no-preference");
  IntakeAnswer unknown =
      Read(pv::INTAKE_FIELD_PREFERRED_CLINICIAN, "Dr. Rivera");
  EXPECT_FALSE(unknown.understood);
  EXPECT_EQ(unknown.reason, "unknown_clinician");
}

TEST_F(IntakeAnswerTest, ConsentIsAnExplicitYesOrNo) {
  IntakeAnswer yes = Read(pv::INTAKE_FIELD_CONSENT, "yes, I agree");
  EXPECT_TRUE(yes.understood);
  EXPECT_FALSE(yes.declined);
  IntakeAnswer no = Read(pv::INTAKE_FIELD_CONSENT, "no I do not");
  EXPECT_TRUE(no.understood);
  EXPECT_TRUE(no.declined);
  IntakeAnswer maybe = Read(pv::INTAKE_FIELD_CONSENT, "maybe, what for?");
  EXPECT_FALSE(maybe.understood);
  EXPECT_EQ(maybe.reason, "not_yes_or_no");
}

TEST_F(IntakeAnswerTest, FreeTextIsCapped) {
  EXPECT_TRUE(Read(pv::INTAKE_FIELD_REASON_FOR_VISIT, "sore knee after a fall")
                  .understood);
  IntakeAnswer long_text =
      Read(pv::INTAKE_FIELD_INSURANCE_NOTES, std::string(501, 'a'));
  EXPECT_FALSE(long_text.understood);
  EXPECT_EQ(long_text.reason, "too_long");
  EXPECT_TRUE(Read(pv::INTAKE_FIELD_CALLBACK_TIME, "after 5").understood);
  EXPECT_TRUE(Read(pv::INTAKE_FIELD_EMAIL, "jane dot roe at example dot com")
                  .understood);
}

}  // namespace
}  // namespace frontdesk::answer
