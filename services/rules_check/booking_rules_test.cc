#include "services/rules_check/booking_rules.h"

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "gtest/gtest.h"

namespace frontdesk::rules_check {
namespace {

// The sample clinic (America/Chicago; booking Monday to Thursday 08:30 to
// 16:30, Friday to 15:30; 2026-12-24 excluded for the clinic, 2026-12-31 for
// dr-patel; 2026-12-25 a holiday), with scheduling granted and `edits`
// applied to its YAML.
policy::ClinicPolicy Sample(
    std::vector<std::pair<std::string, std::string>> edits = {}) {
  std::ifstream in(FRONTDESK_SAMPLE_POLICY);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string yaml = ss.str();
  edits.insert(edits.begin(),
               {"rollout_mode: answers", "rollout_mode: scheduling"});
  for (const auto& [from, to] : edits) {
    const size_t at = yaml.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) yaml.replace(at, from.size(), to);
  }
  auto p = policy::ParsePolicy(yaml, "sample");
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

// Clinic time (America/Chicago).
absl::Time At(int month, int day, int hour, int minute) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("America/Chicago", &tz));
  return tz.At(absl::CivilSecond(2026, month, day, hour, minute, 0)).pre;
}

// Tuesday 2026-12-01, 08:00 clinic time.
const absl::Time kNow = At(12, 1, 8, 0);

BookingRequest Slot(BookingOperation op, const std::string& type,
                    const std::string& clinician, absl::Time start,
                    int minutes) {
  BookingRequest r;
  r.operation = op;
  r.visit_type = type;
  r.clinician = clinician;
  r.slot = {start, start + absl::Minutes(minutes)};
  return r;
}

// A 20-minute follow-up with dr-patel on Wednesday 2026-12-02 at 10:00.
BookingRequest FollowUp(BookingOperation op = BookingOperation::kBook) {
  return Slot(op, "follow-up", "dr-patel", At(12, 2, 10, 0), 20);
}

BookingVerdict Decide(const policy::ClinicPolicy& p, const BookingRequest& r,
                      absl::Time now = kNow) {
  absl::StatusOr<BookingVerdict> v = AuthorizeBooking(p, r, now);
  EXPECT_TRUE(v.ok()) << v.status();
  return v.ok() ? *std::move(v) : BookingVerdict{};
}

void ExpectOutside(const BookingVerdict& v, const std::string& rule) {
  EXPECT_EQ(v.outcome, BookingOutcome::kOutsideRules) << v.reason;
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.rule_id, rule) << v.reason;
  EXPECT_EQ(v.queue, "scheduling-exceptions");
  EXPECT_TRUE(v.search_windows.empty());
}

TEST(BookingRulesTest, AiOwnedVisitTypeInsideTheRulesIsBookedByTheAgent) {
  const policy::ClinicPolicy p = Sample();
  for (BookingOperation op : {BookingOperation::kFind, BookingOperation::kHold,
                              BookingOperation::kBook}) {
    const BookingVerdict v = Decide(p, FollowUp(op));
    EXPECT_EQ(v.outcome, BookingOutcome::kAiOwned) << v.reason;
    EXPECT_TRUE(v.allowed);
    EXPECT_EQ(v.rule_id, "BOOK-VISIT-LANE");
    EXPECT_EQ(v.reason, "visit type follow-up is ai_owned");
    EXPECT_EQ(v.queue, "");
    EXPECT_EQ(v.policy_version, p.version());
  }
}

TEST(BookingRulesTest, AiAssistedVisitTypeHoldsButDoesNotBook) {
  const policy::ClinicPolicy p = Sample();
  BookingRequest r = Slot(BookingOperation::kHold, "sick-visit", "np-garcia",
                          At(12, 2, 10, 0), 20);
  BookingVerdict v = Decide(p, r);
  EXPECT_EQ(v.outcome, BookingOutcome::kAiAssisted);
  EXPECT_TRUE(v.allowed);
  EXPECT_EQ(v.rule_id, "BOOK-VISIT-LANE");
  EXPECT_EQ(v.queue, "scheduling-exceptions");
  r.operation = BookingOperation::kBook;
  v = Decide(p, r);
  EXPECT_EQ(v.outcome, BookingOutcome::kAiAssisted);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.rule_id, "BOOK-VISIT-LANE");
}

TEST(BookingRulesTest, OlderAiOwnedFalseMeansAiAssisted) {
  const policy::ClinicPolicy p = Sample();  // new-patient: ai_owned: false
  const BookingVerdict v =
      Decide(p, Slot(BookingOperation::kBook, "new-patient", "dr-nguyen",
                     At(12, 2, 10, 0), 60));
  EXPECT_EQ(v.outcome, BookingOutcome::kAiAssisted);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.rule_id, "BOOK-VISIT-LANE");
  // And true means AI-owned.
  const policy::ClinicPolicy legacy =
      Sample({{"{id: follow-up, minutes: 20, lane: ai_owned,",
               "{id: follow-up, minutes: 20, ai_owned: true,"}});
  EXPECT_EQ(Decide(legacy, FollowUp()).outcome, BookingOutcome::kAiOwned);
}

TEST(BookingRulesTest, VisitTypeInTheOutsideLaneIsNeverOffered) {
  const policy::ClinicPolicy p =
      Sample({{"{id: follow-up, minutes: 20, lane: ai_owned,",
               "{id: follow-up, minutes: 20, lane: outside,"}});
  ExpectOutside(Decide(p, FollowUp(BookingOperation::kFind)),
                "BOOK-VISIT-LANE");
}

TEST(BookingRulesTest, UnknownVisitTypeIsOutside) {
  const BookingVerdict v =
      Decide(Sample(), Slot(BookingOperation::kHold, "acupuncture", "dr-patel",
                            At(12, 2, 10, 0), 20));
  ExpectOutside(v, "BOOK-VISIT-TYPE");
  EXPECT_EQ(v.reason, "not a visit type of this clinic");
}

TEST(BookingRulesTest, ClinicianTheVisitTypeDoesNotAllowIsOutside) {
  const policy::ClinicPolicy p = Sample();
  // sick-visit is booked with np-garcia and pa-okafor only.
  ExpectOutside(Decide(p, Slot(BookingOperation::kHold, "sick-visit",
                               "dr-patel", At(12, 2, 10, 0), 20)),
                "BOOK-CLINICIAN");
  ExpectOutside(Decide(p, Slot(BookingOperation::kFind, "sick-visit",
                               "dr-patel", At(12, 2, 0, 0), 24 * 60)),
                "BOOK-CLINICIAN");
  // A find that names no clinician searches the type's own.
  EXPECT_EQ(Decide(p, Slot(BookingOperation::kFind, "sick-visit", "",
                           At(12, 2, 0, 0), 24 * 60))
                .outcome,
            BookingOutcome::kAiAssisted);
}

TEST(BookingRulesTest, SlotOutsideTheBookingHoursIsOutside) {
  const policy::ClinicPolicy p = Sample();
  // Wednesday closes at 16:30: 16:20 to 16:40 runs past it.
  ExpectOutside(Decide(p, Slot(BookingOperation::kBook, "follow-up", "dr-patel",
                               At(12, 2, 16, 20), 20)),
                "BOOK-HOURS");
  // Before opening.
  ExpectOutside(Decide(p, Slot(BookingOperation::kBook, "follow-up", "dr-patel",
                               At(12, 2, 8, 20), 20)),
                "BOOK-HOURS");
  // Friday closes at 15:30.
  ExpectOutside(Decide(p, Slot(BookingOperation::kBook, "follow-up", "dr-patel",
                               At(12, 4, 15, 20), 20)),
                "BOOK-HOURS");
  // Saturday has no booking hours.
  ExpectOutside(Decide(p, Slot(BookingOperation::kHold, "follow-up", "dr-patel",
                               At(12, 5, 10, 0), 20)),
                "BOOK-HOURS");
  // The edges are inside.
  EXPECT_EQ(Decide(p, Slot(BookingOperation::kBook, "follow-up", "dr-patel",
                           At(12, 2, 8, 30), 20))
                .outcome,
            BookingOutcome::kAiOwned);
  EXPECT_EQ(Decide(p, Slot(BookingOperation::kBook, "follow-up", "dr-patel",
                           At(12, 2, 16, 10), 20))
                .outcome,
            BookingOutcome::kAiOwned);
}

TEST(BookingRulesTest, SlotInThePastOrOfTheWrongLengthIsOutside) {
  const policy::ClinicPolicy p = Sample();
  ExpectOutside(Decide(p, FollowUp(), At(12, 3, 8, 0)), "BOOK-PAST");
  const BookingVerdict v = Decide(p, Slot(BookingOperation::kBook, "follow-up",
                                          "dr-patel", At(12, 2, 10, 0), 60));
  ExpectOutside(v, "BOOK-DURATION");
  EXPECT_EQ(v.reason,
            "visit type follow-up takes 20 minutes; the slot takes 60");
}

TEST(BookingRulesTest, ClinicWideExclusionAndHolidayAreOutside) {
  const policy::ClinicPolicy p = Sample();
  // Thursday 2026-12-24 is excluded for the whole clinic.
  BookingVerdict v = Decide(p, Slot(BookingOperation::kHold, "follow-up",
                                    "dr-nguyen", At(12, 24, 10, 0), 20));
  ExpectOutside(v, "BOOK-EXCLUSION-CLINIC");
  EXPECT_EQ(v.reason, "the day is excluded for the whole clinic");
  // Friday 2026-12-25 is a clinic holiday.
  v = Decide(p, Slot(BookingOperation::kHold, "follow-up", "dr-nguyen",
                     At(12, 25, 10, 0), 20));
  ExpectOutside(v, "BOOK-EXCLUSION-CLINIC");
  EXPECT_EQ(v.reason, "the day is a clinic holiday");
}

TEST(BookingRulesTest, ClinicianExclusionAppliesToThatClinicianOnly) {
  const policy::ClinicPolicy p = Sample();
  // Thursday 2026-12-31 is excluded for dr-patel.
  const BookingVerdict v = Decide(p, Slot(BookingOperation::kBook, "follow-up",
                                          "dr-patel", At(12, 31, 10, 0), 20));
  ExpectOutside(v, "BOOK-EXCLUSION-CLINICIAN");
  EXPECT_EQ(v.reason, "the day is excluded for dr-patel");
  EXPECT_EQ(Decide(p, Slot(BookingOperation::kBook, "follow-up", "dr-nguyen",
                           At(12, 31, 10, 0), 20))
                .outcome,
            BookingOutcome::kAiOwned);
}

TEST(BookingRulesTest, NewPatientIsNeverAiOwned) {
  BookingRequest r = FollowUp();
  r.new_patient = true;
  BookingVerdict v = Decide(Sample(), r);
  EXPECT_EQ(v.outcome, BookingOutcome::kAiAssisted);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.rule_id, "BOOK-NEW-PATIENT");
  EXPECT_EQ(v.reason, "new patients are ai_assisted");
  EXPECT_EQ(v.queue, "scheduling-exceptions");
  // The hold is allowed: a person confirms it.
  r.operation = BookingOperation::kHold;
  EXPECT_TRUE(Decide(Sample(), r).allowed);
  // new_patients: outside.
  v = Decide(Sample({{"new_patients: ai_assisted", "new_patients: outside"}}),
             r);
  ExpectOutside(v, "BOOK-NEW-PATIENT");
  // Unset means ai_assisted.
  v = Decide(Sample({{"  new_patients: ai_assisted\n", ""}}), r);
  EXPECT_EQ(v.outcome, BookingOutcome::kAiAssisted);
  EXPECT_EQ(v.rule_id, "BOOK-NEW-PATIENT");
}

TEST(BookingRulesTest, ProcedureIsNeverAiOwned) {
  // A procedure whose own lane says ai_owned is still not.
  const std::pair<std::string, std::string> owned = {
      "{id: procedure, minutes: 45, lane: ai_assisted,",
      "{id: procedure, minutes: 45, lane: ai_owned,"};
  const BookingRequest r = Slot(BookingOperation::kBook, "procedure",
                                "dr-nguyen", At(12, 2, 10, 0), 45);
  BookingVerdict v = Decide(Sample({owned}), r);
  EXPECT_EQ(v.outcome, BookingOutcome::kAiAssisted);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.rule_id, "BOOK-PROCEDURE");
  EXPECT_EQ(v.reason,
            "visit type procedure is a procedure; procedures are ai_assisted");
  v = Decide(
      Sample({owned, {"procedures: ai_assisted", "procedures: outside"}}), r);
  ExpectOutside(v, "BOOK-PROCEDURE");
}

TEST(BookingRulesTest, SameDaySlotIsNotAiOwned) {
  const policy::ClinicPolicy p = Sample();  // same_day: ai_assisted, 120 min
  // Today (Tuesday) at 14:00, six hours from now.
  const BookingRequest today = Slot(BookingOperation::kBook, "follow-up",
                                    "dr-patel", At(12, 1, 14, 0), 20);
  BookingVerdict v = Decide(p, today);
  EXPECT_EQ(v.outcome, BookingOutcome::kAiAssisted);
  EXPECT_FALSE(v.allowed);
  EXPECT_EQ(v.rule_id, "BOOK-SAME-DAY");
  EXPECT_EQ(v.queue, "scheduling-exceptions");
  // Asked at 23:00 today, tomorrow at 08:30 is 9.5 hours away: not today,
  // and beyond the 120-minute cutoff.
  const BookingRequest tomorrow = Slot(BookingOperation::kBook, "follow-up",
                                       "dr-patel", At(12, 2, 8, 30), 20);
  EXPECT_EQ(Decide(p, tomorrow, At(12, 1, 23, 0)).outcome,
            BookingOutcome::kAiOwned);
  // With a 600-minute cutoff it is within it.
  const policy::ClinicPolicy wide =
      Sample({{"cutoff_minutes: 120", "cutoff_minutes: 600"}});
  v = Decide(wide, tomorrow, At(12, 1, 23, 0));
  EXPECT_EQ(v.outcome, BookingOutcome::kAiAssisted);
  EXPECT_EQ(v.rule_id, "BOOK-SAME-DAY");
  // same_day: outside.
  ExpectOutside(Decide(Sample({{"same_day: {lane: ai_assisted",
                                "same_day: {lane: outside"}}),
                       today),
                "BOOK-SAME-DAY");
  // Without a same-day rule, today is like any day.
  EXPECT_EQ(
      Decide(Sample({{"  same_day: {lane: ai_assisted, cutoff_minutes: 120}\n",
                      ""}}),
             today)
          .outcome,
      BookingOutcome::kAiOwned);
}

TEST(BookingRulesTest, RolloutBelowSchedulingIsOutside) {
  for (const char* mode : {"answers", "capture_only"}) {
    const BookingVerdict v =
        Decide(Sample({{"rollout_mode: scheduling",
                        std::string("rollout_mode: ") + mode}}),
               FollowUp(BookingOperation::kFind));
    ExpectOutside(v, "BOOK-ROLLOUT");
  }
  EXPECT_EQ(
      Decide(Sample({{"rollout_mode: scheduling", "rollout_mode: reminders"}}),
             FollowUp())
          .outcome,
      BookingOutcome::kAiOwned);
}

TEST(BookingRulesTest, MostRestrictiveRuleDecidesAndOthersAreNamed) {
  // An AI-assisted type for a new patient, same day: the visit lane is the
  // first rule that reached ai_assisted.
  BookingRequest r = Slot(BookingOperation::kHold, "sick-visit", "np-garcia",
                          At(12, 1, 14, 0), 20);
  r.new_patient = true;
  BookingVerdict v = Decide(Sample(), r);
  EXPECT_EQ(v.outcome, BookingOutcome::kAiAssisted);
  EXPECT_EQ(v.rule_id, "BOOK-VISIT-LANE");
  EXPECT_EQ(v.reason,
            "visit type sick-visit is ai_assisted (also BOOK-NEW-PATIENT, "
            "BOOK-SAME-DAY)");
  // new_patients: outside wins over the ai_assisted lane.
  v = Decide(Sample({{"new_patients: ai_assisted", "new_patients: outside"}}),
             r);
  ExpectOutside(v, "BOOK-NEW-PATIENT");
}

TEST(BookingRulesTest, FindIsNarrowedToBookableTime) {
  const policy::ClinicPolicy p = Sample();
  // Tuesday 00:00 to Saturday 00:00, asked on Tuesday at 12:00: the past
  // part goes, and each day keeps its booking hours.
  BookingRequest r = Slot(BookingOperation::kFind, "follow-up", "",
                          At(12, 1, 0, 0), 4 * 24 * 60);
  BookingVerdict v = Decide(p, r, At(12, 1, 12, 0));
  EXPECT_EQ(v.outcome, BookingOutcome::kAiOwned);
  EXPECT_TRUE(v.allowed);
  EXPECT_EQ(v.search_windows,
            (std::vector<TimeSpan>{{At(12, 1, 12, 0), At(12, 1, 16, 30)},
                                   {At(12, 2, 8, 30), At(12, 2, 16, 30)},
                                   {At(12, 3, 8, 30), At(12, 3, 16, 30)},
                                   {At(12, 4, 8, 30), At(12, 4, 15, 30)}}));
}

TEST(BookingRulesTest, FindSkipsExcludedDays) {
  const policy::ClinicPolicy p = Sample();
  // Wednesday 12-23 to Friday 12-25 end, dr-patel: 12-24 is excluded for the
  // clinic and 12-25 is a holiday.
  BookingRequest r = Slot(BookingOperation::kFind, "follow-up", "dr-patel",
                          At(12, 23, 0, 0), 3 * 24 * 60);
  BookingVerdict v = Decide(p, r);
  EXPECT_EQ(v.search_windows,
            (std::vector<TimeSpan>{{At(12, 23, 8, 30), At(12, 23, 16, 30)}}));
  // 12-31 and 1-1: dr-patel is away, then a holiday: nothing left.
  r.slot = {At(12, 31, 0, 0), At(12, 31, 0, 0) + absl::Hours(48)};
  ExpectOutside(Decide(p, r), "BOOK-EXCLUSION-CLINICIAN");
  // dr-nguyen works 12-31.
  r.clinician = "dr-nguyen";
  v = Decide(p, r);
  EXPECT_EQ(v.search_windows,
            (std::vector<TimeSpan>{{At(12, 31, 8, 30), At(12, 31, 16, 30)}}));
  // Only 12-24 and 12-25: excluded for the whole clinic.
  r.slot = {At(12, 24, 0, 0), At(12, 24, 0, 0) + absl::Hours(48)};
  ExpectOutside(Decide(p, r), "BOOK-EXCLUSION-CLINIC");
}

TEST(BookingRulesTest, FindWithNothingBookableIsOutside) {
  const policy::ClinicPolicy p = Sample();
  // Saturday and Sunday.
  ExpectOutside(Decide(p, Slot(BookingOperation::kFind, "follow-up", "",
                               At(12, 5, 0, 0), 2 * 24 * 60)),
                "BOOK-HOURS");
  // Entirely before now.
  ExpectOutside(Decide(p, Slot(BookingOperation::kFind, "follow-up", "",
                               At(11, 30, 9, 0), 60)),
                "BOOK-PAST");
}

TEST(BookingRulesTest, FindLeavesOutSameDayTimeWhenSameDayIsOutside) {
  const policy::ClinicPolicy outside =
      Sample({{"same_day: {lane: ai_assisted", "same_day: {lane: outside"}});
  BookingRequest r = Slot(BookingOperation::kFind, "follow-up", "",
                          At(12, 1, 0, 0), 2 * 24 * 60);
  BookingVerdict v = Decide(outside, r);
  EXPECT_EQ(v.outcome, BookingOutcome::kAiOwned);
  EXPECT_EQ(v.search_windows,
            (std::vector<TimeSpan>{{At(12, 2, 8, 30), At(12, 2, 16, 30)}}));
  // Today only: nothing left.
  r.slot = {At(12, 1, 9, 0), At(12, 1, 16, 0)};
  ExpectOutside(Decide(outside, r), "BOOK-SAME-DAY");
  // With the ai_assisted same-day rule, today stays searchable.
  v = Decide(Sample(), r);
  EXPECT_EQ(v.outcome, BookingOutcome::kAiOwned);
  EXPECT_EQ(v.search_windows,
            (std::vector<TimeSpan>{{At(12, 1, 9, 0), At(12, 1, 16, 0)}}));
}

TEST(BookingRulesTest, FindForANewPatientIsAiAssisted) {
  BookingRequest r = FollowUp(BookingOperation::kFind);
  r.new_patient = true;
  const BookingVerdict v = Decide(Sample(), r);
  EXPECT_EQ(v.outcome, BookingOutcome::kAiAssisted);
  EXPECT_TRUE(v.allowed);
  EXPECT_EQ(v.rule_id, "BOOK-NEW-PATIENT");
  EXPECT_FALSE(v.search_windows.empty());
}

TEST(BookingRulesTest, MalformedRequestsNameTheField) {
  const policy::ClinicPolicy p = Sample();
  BookingRequest r = FollowUp();
  r.visit_type = "";
  EXPECT_EQ(AuthorizeBooking(p, r, kNow).status(),
            absl::InvalidArgumentError("visit_type: required"));
  r = FollowUp(BookingOperation::kHold);
  r.clinician = "";
  EXPECT_EQ(AuthorizeBooking(p, r, kNow).status(),
            absl::InvalidArgumentError("clinician: required to hold a slot"));
  r = FollowUp();
  r.slot.end = r.slot.start;
  EXPECT_EQ(AuthorizeBooking(p, r, kNow).status(),
            absl::InvalidArgumentError("slot: end must be after start"));
  r = Slot(BookingOperation::kFind, "follow-up", "", At(12, 2, 0, 0),
           32 * 24 * 60);
  EXPECT_EQ(AuthorizeBooking(p, r, kNow).status(),
            absl::InvalidArgumentError(
                "slot: a find window may span at most 31 days"));
}

TEST(BookingRulesTest, OutcomeNames) {
  EXPECT_STREQ(BookingOutcomeName(BookingOutcome::kAiOwned), "ai_owned");
  EXPECT_STREQ(BookingOutcomeName(BookingOutcome::kAiAssisted), "ai_assisted");
  EXPECT_STREQ(BookingOutcomeName(BookingOutcome::kOutsideRules),
               "outside_rules");
}

}  // namespace
}  // namespace frontdesk::rules_check
