#include "services/answer/booking_conversation.h"

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/policy/clinic_policy.h"
#include "libs/scheduling/schedule_config.h"
#include "libs/scheduling/sqlite_schedule_store.h"
#include "services/rules_check/booking_rules.h"

namespace frontdesk::answer {
namespace {

namespace ev = frontdesk::events::v1;
namespace rv = frontdesk::rules::v1;
using scheduling::Appointment;
using scheduling::AppointmentStatus;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCall[] = "call-42";
constexpr char kPatient[] = "Patient/p-100";

absl::TimeZone Chicago() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("America/Chicago", &zone));
  return zone;
}

// Clinic-local time to absolute time.
absl::Time Local(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), Chicago());
}

// The sample policy, with the rollout mode that lets the agent book.
policy::ClinicPolicy SchedulingPolicy() {
  std::ifstream in(FRONTDESK_SAMPLE_POLICY);
  std::stringstream text;
  text << in.rdbuf();
  const std::string yaml = absl::StrReplaceAll(
      text.str(),
      {{"\nrollout_mode: answers\n", "\nrollout_mode: scheduling\n"}});
  EXPECT_NE(yaml, text.str());
  absl::StatusOr<policy::ClinicPolicy> p =
      policy::ParsePolicy(yaml, FRONTDESK_SAMPLE_POLICY);
  EXPECT_TRUE(p.ok()) << p.status();
  return *std::move(p);
}

// AuthorizeBooking answered in process by services/rules_check's booking
// rules, at the fake clock's time; decision ids are "decision-1", ...
class RulesAuthorizer : public BookingAuthorizer {
 public:
  RulesAuthorizer(const policy::ClinicPolicy* policy, const Clock* clock)
      : policy_(policy), clock_(clock) {}

  absl::StatusOr<rv::BookingDecision> Authorize(
      const rv::AuthorizeBookingRequest& request) override {
    requests.push_back(request);
    if (!fail_with.ok()) return fail_with;
    rules_check::BookingRequest r;
    switch (request.operation()) {
      case rv::BOOKING_OPERATION_FIND:
        r.operation = rules_check::BookingOperation::kFind;
        break;
      case rv::BOOKING_OPERATION_HOLD:
        r.operation = rules_check::BookingOperation::kHold;
        break;
      case rv::BOOKING_OPERATION_BOOK:
        r.operation = rules_check::BookingOperation::kBook;
        break;
      default:
        return absl::InvalidArgumentError("operation");
    }
    r.visit_type = request.visit_type();
    r.clinician = request.clinician();
    r.slot = {absl::FromUnixSeconds(request.slot().start().seconds()),
              absl::FromUnixSeconds(request.slot().end().seconds())};
    r.new_patient = request.new_patient();
    absl::StatusOr<rules_check::BookingVerdict> v =
        rules_check::AuthorizeBooking(*policy_, r, clock_->Now());
    if (!v.ok()) return v.status();
    rv::BookingDecision d;
    d.set_decision_id(absl::StrCat("decision-", ++issued_));
    switch (v->outcome) {
      case rules_check::BookingOutcome::kAiOwned:
        d.set_outcome(rv::BOOKING_OUTCOME_AI_OWNED);
        break;
      case rules_check::BookingOutcome::kAiAssisted:
        d.set_outcome(rv::BOOKING_OUTCOME_AI_ASSISTED);
        break;
      case rules_check::BookingOutcome::kOutsideRules:
        d.set_outcome(rv::BOOKING_OUTCOME_OUTSIDE_RULES);
        break;
    }
    d.set_allowed(v->allowed);
    d.set_rule_id(v->rule_id);
    d.set_queue(v->queue);
    d.set_policy_version(v->policy_version);
    d.set_operation(request.operation());
    for (const rules_check::TimeSpan& w : v->search_windows) {
      rv::TimeRange* out = d.add_search_windows();
      out->mutable_start()->set_seconds(absl::ToUnixSeconds(w.start));
      out->mutable_end()->set_seconds(absl::ToUnixSeconds(w.end));
    }
    return d;
  }

  std::vector<rv::AuthorizeBookingRequest> requests;
  absl::Status fail_with;

 private:
  const policy::ClinicPolicy* policy_;
  const Clock* clock_;
  int issued_ = 0;
};

// Forwards to the real store, except for the operations told to fail.
class FaultyScheduler : public scheduling::Scheduler {
 public:
  explicit FaultyScheduler(scheduling::Scheduler* real) : real_(real) {}

  absl::StatusOr<std::vector<Appointment>> Find(
      const scheduling::FindRequest& r) override {
    if (!find_fails.ok()) return find_fails;
    return real_->Find(r);
  }
  absl::StatusOr<Appointment> Hold(const scheduling::HoldRequest& r) override {
    hold_keys.push_back(r.idempotency_key);
    absl::StatusOr<Appointment> held = real_->Hold(r);
    // The EHR held it, but the answer was lost.
    if (lose_hold_answers > 0) {
      --lose_hold_answers;
      return absl::DeadlineExceededError("no answer");
    }
    return held;
  }
  absl::StatusOr<Appointment> Book(const scheduling::BookRequest& r) override {
    book_keys.push_back(r.idempotency_key);
    if (!book_fails.ok()) return book_fails;
    return real_->Book(r);
  }
  absl::StatusOr<Appointment> Cancel(absl::string_view id) override {
    return real_->Cancel(id);
  }
  absl::StatusOr<Appointment> Get(absl::string_view id) override {
    return real_->Get(id);
  }

  absl::Status find_fails;
  absl::Status book_fails;
  int lose_hold_answers = 0;
  std::vector<std::string> hold_keys;
  std::vector<std::string> book_keys;

 private:
  scheduling::Scheduler* real_;
};

class RecordingSink : public BookingEventSink {
 public:
  absl::Status Emit(const BookingEvent& event) override {
    if (!fail_with.ok()) return fail_with;
    events.push_back(event);
    return absl::OkStatus();
  }
  absl::Status fail_with;
  std::vector<ev::EventType> Types() const {
    std::vector<ev::EventType> out;
    for (const BookingEvent& e : events) out.push_back(e.type);
    return out;
  }
  template <typename T>
  const T& Payload(size_t i) const {
    return std::get<T>(events.at(i).payload);
  }
  // Every payload's serialized bytes, to look for the caller's words.
  std::string AllBytes() const {
    std::string out;
    for (const BookingEvent& e : events) {
      std::visit([&](const auto& m) { out += m.SerializeAsString(); },
                 e.payload);
    }
    return out;
  }
  std::vector<BookingEvent> events;
};

std::vector<absl::Time> Starts(const ev::SlotsOffered& offered) {
  std::vector<absl::Time> out;
  for (const ev::AppointmentRef& s : offered.slots()) {
    out.push_back(absl::FromUnixSeconds(s.start().seconds()));
  }
  return out;
}

BookingTurn FollowUpTurn() {
  BookingTurn t;
  t.tenant_id = "sunrise-family-medicine";
  t.patient_ref = kPatient;
  t.visit_type = "follow-up";
  return t;
}

// Another booker takes a slot straight in the store.
absl::StatusOr<Appointment> BookElsewhere(scheduling::Scheduler& store,
                                          const std::string& slot_id,
                                          const std::string& key) {
  scheduling::BookRequest r;
  r.appointment_id = slot_id;
  r.patient = "Patient/someone-else";
  r.idempotency_key = key;
  return store.Book(r);
}

std::vector<std::string> TextIds(const BookingReply& reply) {
  std::vector<std::string> out;
  for (const SaidText& t : reply.texts) out.push_back(t.id);
  return out;
}

class BookingConversationTest : public ::testing::Test {
 protected:
  // Monday 30 November 2026, 10:00 in Chicago.
  BookingConversationTest()
      : clock_(Local(2026, 11, 30, 10, 0)),
        policy_(SchedulingPolicy()),
        authorizer_(&policy_, &clock_) {}

  void SetUp() override {
    absl::StatusOr<scheduling::ScheduleConfig> schedule =
        scheduling::LoadScheduleFile(FRONTDESK_SAMPLE_SCHEDULE);
    ASSERT_TRUE(schedule.ok()) << schedule.status();
    schedule_ = *schedule;
    db_path_ = absl::StrCat(
        ::testing::TempDir(), "booking_conversation_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name(), ".db");
    RemoveDb();
    auto store =
        scheduling::SqliteScheduleStore::Open(db_path_, schedule_, &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    faulty_ = std::make_unique<FaultyScheduler>(store_.get());
  }

  void TearDown() override {
    store_.reset();
    RemoveDb();
  }

  void RemoveDb() {
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::remove(absl::StrCat(db_path_, suffix).c_str());
    }
  }

  std::unique_ptr<BookingConversation> Start(int search_size = 12) {
    auto conv = BookingConversation::Create({.call_id = kCall,
                                             .policy = &policy_,
                                             .schedule = &schedule_,
                                             .search_size = search_size},
                                            {.authorizer = &authorizer_,
                                             .scheduler = faulty_.get(),
                                             .events = &sink_});
    EXPECT_TRUE(conv.ok()) << conv.status();
    return conv.ok() ? *std::move(conv) : nullptr;
  }

  BookingReply Say(BookingConversation& conv, const std::string& words) {
    turn_.words = words;
    turn_.now = clock_.Now();
    absl::StatusOr<BookingReply> reply = conv.Turn(turn_);
    EXPECT_TRUE(reply.ok()) << reply.status();
    EXPECT_TRUE(reply.ok() && reply->events_status.ok());
    return reply.ok() ? *reply : BookingReply{};
  }

  AppointmentStatus StatusOf(const std::string& id) {
    absl::StatusOr<Appointment> a = store_->Get(id);
    EXPECT_TRUE(a.ok()) << a.status();
    return a.ok() ? a->status : AppointmentStatus::kProposed;
  }

  FakeClock clock_;
  policy::ClinicPolicy policy_;
  scheduling::ScheduleConfig schedule_;
  RulesAuthorizer authorizer_;
  std::string db_path_;
  std::unique_ptr<scheduling::SqliteScheduleStore> store_;
  std::unique_ptr<FaultyScheduler> faulty_;
  RecordingSink sink_;
  BookingTurn turn_ = FollowUpTurn();
};

constexpr char kTuesdayOffer[] =
    "I can offer Tuesday, December 1 at 8:30 AM with Dr. Patel; Tuesday, "
    "December 1 at 8:40 AM with Dr. Patel; or Tuesday, December 1 at 9:20 AM "
    "with Dr. Patel. Which would you like?";

TEST_F(BookingConversationTest, BooksAFollowUpEndToEnd) {
  auto conv = Start();
  ASSERT_NE(conv, nullptr);

  // Dr. Patel's Tuesday morning: 09:00 and 10:00 are seed bookings.
  BookingReply r = Say(*conv, "Tuesday morning with Dr. Patel please");
  EXPECT_EQ(r.say, kTuesdayOffer);
  EXPECT_THAT(TextIds(r),
              ElementsAre("booking-offer-slots", "booking-slot-option"));
  EXPECT_EQ(r.state, BookingState::kOffered);
  EXPECT_FALSE(r.handoff.has_value());

  r = Say(*conv, "the second one");
  EXPECT_EQ(r.say,
            "I am holding Tuesday, December 1 at 8:40 AM with Dr. Patel for "
            "you. Shall I book it?");
  EXPECT_EQ(r.state, BookingState::kConfirming);

  r = Say(*conv, "yes please");
  EXPECT_EQ(r.say,
            "This is a practice system, so no real appointment was made. It "
            "would have booked you for Tuesday, December 1 at 8:40 AM with "
            "Dr. Patel.");
  EXPECT_THAT(TextIds(r), ElementsAre("booking-booked-simulated"));
  EXPECT_EQ(r.state, BookingState::kBooked);
  ASSERT_TRUE(r.booked.has_value());
  EXPECT_EQ(r.booked->start, Local(2026, 12, 1, 8, 40));
  EXPECT_EQ(r.booked->practitioner, "dr-patel");

  // Events: offered, held, booked, each citing its own decision.
  EXPECT_THAT(sink_.Types(),
              ElementsAre(ev::EVENT_TYPE_SLOTS_OFFERED,
                          ev::EVENT_TYPE_HOLD_PLACED, ev::EVENT_TYPE_BOOKED));
  const auto& offered = sink_.Payload<ev::SlotsOffered>(0);
  EXPECT_EQ(offered.turn_index(), 1u);
  EXPECT_EQ(offered.authority().decision_id(), "decision-1");
  EXPECT_EQ(offered.authority().rule_id(), "BOOK-VISIT-LANE");
  EXPECT_EQ(offered.authority().outcome(), "ai_owned");
  EXPECT_EQ(offered.ehr(), ev::EHR_MODE_SIMULATED);
  EXPECT_THAT(Starts(offered),
              ElementsAre(Local(2026, 12, 1, 8, 30), Local(2026, 12, 1, 8, 40),
                          Local(2026, 12, 1, 9, 20)));
  const auto& held = sink_.Payload<ev::HoldPlaced>(1);
  EXPECT_EQ(held.authority().decision_id(), "decision-2");
  EXPECT_EQ(held.authority().rule_id(), "BOOK-VISIT-LANE");
  EXPECT_EQ(held.patient_ref(), kPatient);
  EXPECT_EQ(held.handoff_id(), "");
  EXPECT_EQ(held.expires().seconds(),
            absl::ToUnixSeconds(clock_.Now() + absl::Minutes(5)));
  const auto& booked = sink_.Payload<ev::Booked>(2);
  EXPECT_EQ(booked.authority().decision_id(), "decision-3");
  EXPECT_EQ(booked.authority().rule_id(), "BOOK-VISIT-LANE");
  EXPECT_EQ(booked.appointment().appointment_id(), r.booked->id);
  EXPECT_EQ(booked.ehr(), ev::EHR_MODE_SIMULATED);
  EXPECT_EQ(booked.patient_ref(), kPatient);
  EXPECT_EQ(booked.booked_by(), "agent");
  for (const BookingEvent& e : sink_.events) {
    EXPECT_EQ(e.call_id, kCall);
    EXPECT_EQ(e.tenant_id, "sunrise-family-medicine");
  }
  // The caller's words are in no event.
  EXPECT_THAT(sink_.AllBytes(), Not(HasSubstr("morning")));
  EXPECT_THAT(sink_.AllBytes(), Not(HasSubstr("second")));

  // Rules-check was asked find, hold, book, in that order.
  ASSERT_EQ(authorizer_.requests.size(), 3u);
  EXPECT_EQ(authorizer_.requests[0].operation(), rv::BOOKING_OPERATION_FIND);
  EXPECT_EQ(authorizer_.requests[0].clinician(), "dr-patel");
  EXPECT_EQ(authorizer_.requests[1].operation(), rv::BOOKING_OPERATION_HOLD);
  EXPECT_EQ(authorizer_.requests[2].operation(), rv::BOOKING_OPERATION_BOOK);
  EXPECT_EQ(authorizer_.requests[2].call_id(), kCall);

  // The store: booked for the patient; idempotency keys per call and turn.
  absl::StatusOr<Appointment> stored = store_->Get(r.booked->id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->status, AppointmentStatus::kBooked);
  EXPECT_EQ(stored->patient, kPatient);
  EXPECT_THAT(faulty_->hold_keys, ElementsAre("call-42/2/hold"));
  EXPECT_THAT(faulty_->book_keys, ElementsAre("call-42/3/book"));

  // The conversation is over.
  turn_.words = "and another";
  EXPECT_EQ(conv->Turn(turn_).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(BookingConversationTest, PicksBySayingTheDayAndTime) {
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(Say(*conv, "Tuesday morning with Dr. Patel").say, kTuesdayOffer);
  BookingReply r = Say(*conv, "Tuesday at 9:20");
  EXPECT_EQ(r.say,
            "I am holding Tuesday, December 1 at 9:20 AM with Dr. Patel for "
            "you. Shall I book it?");
  r = Say(*conv, "yes");
  ASSERT_TRUE(r.booked.has_value());
  EXPECT_EQ(r.booked->start, Local(2026, 12, 1, 9, 20));
}

TEST_F(BookingConversationTest, ReschedulesByBookingWithTheReplacedId) {
  // seed-1: Dr. Patel, Tuesday 1 December 09:00, Patient/seed-patient-1.
  turn_.patient_ref = "Patient/seed-patient-1";
  turn_.replaces_appointment_id = "seed-1";
  auto conv = Start();
  ASSERT_NE(conv, nullptr);

  BookingReply r = Say(*conv, "Thursday afternoon with Dr. Patel");
  EXPECT_EQ(r.say,
            "I can offer Thursday, December 3 at 1:00 PM with Dr. Patel; "
            "Thursday, December 3 at 1:10 PM with Dr. Patel; or Thursday, "
            "December 3 at 1:20 PM with Dr. Patel. Which would you like?");
  r = Say(*conv, "the first");
  EXPECT_EQ(r.state, BookingState::kConfirming);
  r = Say(*conv, "yes");
  ASSERT_TRUE(r.booked.has_value());
  EXPECT_EQ(r.booked->start, Local(2026, 12, 3, 13, 0));
  EXPECT_EQ(r.booked->replaces, "seed-1");

  EXPECT_THAT(sink_.Types(), ElementsAre(ev::EVENT_TYPE_SLOTS_OFFERED,
                                         ev::EVENT_TYPE_HOLD_PLACED,
                                         ev::EVENT_TYPE_RESCHEDULED));
  const auto& moved = sink_.Payload<ev::Rescheduled>(2);
  EXPECT_EQ(moved.appointment().appointment_id(), r.booked->id);
  EXPECT_EQ(moved.previous().appointment_id(), "seed-1");
  EXPECT_EQ(moved.previous().clinician(), "dr-patel");
  EXPECT_EQ(moved.previous().start().seconds(),
            absl::ToUnixSeconds(Local(2026, 12, 1, 9, 0)));
  EXPECT_EQ(moved.authority().decision_id(), "decision-3");
  EXPECT_EQ(moved.authority().rule_id(), "BOOK-VISIT-LANE");
  EXPECT_EQ(moved.patient_ref(), "Patient/seed-patient-1");

  EXPECT_EQ(StatusOf("seed-1"), AppointmentStatus::kCancelled);
  EXPECT_EQ(StatusOf(r.booked->id), AppointmentStatus::kBooked);
  EXPECT_THAT(faulty_->book_keys, ElementsAre("call-42/3/book"));
}

TEST_F(BookingConversationTest, NewPatientIsHeldAndHandedToAPerson) {
  turn_.new_patient = true;
  turn_.visit_type = "annual-physical";
  auto conv = Start();
  ASSERT_NE(conv, nullptr);

  BookingReply r = Say(*conv, "Wednesday morning");
  EXPECT_EQ(r.state, BookingState::kOffered);
  const auto& offered = sink_.Payload<ev::SlotsOffered>(0);
  EXPECT_EQ(offered.authority().rule_id(), "BOOK-NEW-PATIENT");
  EXPECT_EQ(offered.authority().outcome(), "ai_assisted");
  ASSERT_EQ(offered.slots_size(), 3);

  r = Say(*conv, "the first one");
  EXPECT_EQ(r.state, BookingState::kHandedOff);
  EXPECT_THAT(TextIds(r), ElementsAre("booking-held-for-staff"));
  EXPECT_THAT(r.say, HasSubstr("A member of our staff needs to confirm it"));
  EXPECT_FALSE(r.booked.has_value());
  ASSERT_TRUE(r.handoff.has_value());
  EXPECT_EQ(r.handoff->kind, BookingHandoff::Kind::kConfirmHold);
  EXPECT_EQ(r.handoff->queue, "scheduling-exceptions");
  EXPECT_EQ(r.handoff->rule_id, "BOOK-NEW-PATIENT");
  EXPECT_EQ(r.handoff->decision_id, "decision-3");
  EXPECT_EQ(r.handoff->handoff_id, "call-42/booking-handoff/2");

  EXPECT_THAT(sink_.Types(), ElementsAre(ev::EVENT_TYPE_SLOTS_OFFERED,
                                         ev::EVENT_TYPE_HOLD_PLACED));
  const auto& held = sink_.Payload<ev::HoldPlaced>(1);
  EXPECT_EQ(held.appointment().appointment_id(),
            r.handoff->hold_appointment_id);
  EXPECT_EQ(held.handoff_id(), "call-42/booking-handoff/2");
  EXPECT_EQ(held.authority().rule_id(), "BOOK-NEW-PATIENT");
  EXPECT_EQ(held.authority().decision_id(), "decision-2");
  EXPECT_EQ(held.authority().outcome(), "ai_assisted");

  // The hold stays for the person even when the caller hangs up; nothing is
  // booked.
  EXPECT_TRUE(conv->HangUp(clock_.Now()).ok());
  EXPECT_EQ(sink_.events.size(), 2u);
  EXPECT_EQ(StatusOf(r.handoff->hold_appointment_id),
            AppointmentStatus::kPending);
  EXPECT_TRUE(faulty_->book_keys.empty());
}

TEST_F(BookingConversationTest, SameDaySlotIsHeldForAPersonEvenForAFollowUp) {
  // Monday 10:00: a follow-up this afternoon. The find is AI-owned; holding
  // and booking a same-day slot is AI-assisted.
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  BookingReply r = Say(*conv, "this afternoon with Dr. Patel");
  EXPECT_EQ(r.state, BookingState::kOffered);
  EXPECT_EQ(sink_.Payload<ev::SlotsOffered>(0).authority().outcome(),
            "ai_owned");
  EXPECT_EQ(Starts(sink_.Payload<ev::SlotsOffered>(0)).front(),
            Local(2026, 11, 30, 13, 0));

  r = Say(*conv, "the first one");
  EXPECT_EQ(r.state, BookingState::kHandedOff);
  ASSERT_TRUE(r.handoff.has_value());
  EXPECT_EQ(r.handoff->kind, BookingHandoff::Kind::kConfirmHold);
  EXPECT_EQ(r.handoff->rule_id, "BOOK-SAME-DAY");
  EXPECT_THAT(sink_.Types(), ElementsAre(ev::EVENT_TYPE_SLOTS_OFFERED,
                                         ev::EVENT_TYPE_HOLD_PLACED));
  const auto& held = sink_.Payload<ev::HoldPlaced>(1);
  EXPECT_EQ(held.authority().rule_id(), "BOOK-SAME-DAY");
  EXPECT_EQ(held.authority().outcome(), "ai_assisted");
  EXPECT_EQ(held.handoff_id(), r.handoff->handoff_id);
  EXPECT_EQ(StatusOf(r.handoff->hold_appointment_id),
            AppointmentStatus::kPending);
  EXPECT_TRUE(faulty_->book_keys.empty());
}

TEST_F(BookingConversationTest,
       ExcludedClinicianDayGetsNoOfferAndGoesToExceptions) {
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  // Dr. Patel is at a conference on 31 December.
  BookingReply r = Say(*conv, "December 31st with Dr. Patel");
  EXPECT_EQ(r.state, BookingState::kHandedOff);
  EXPECT_THAT(TextIds(r), ElementsAre("booking-exception"));
  ASSERT_TRUE(r.handoff.has_value());
  EXPECT_EQ(r.handoff->kind, BookingHandoff::Kind::kOutsideRules);
  EXPECT_EQ(r.handoff->rule_id, "BOOK-EXCLUSION-CLINICIAN");
  EXPECT_EQ(r.handoff->queue, "scheduling-exceptions");
  EXPECT_EQ(r.handoff->decision_id, "decision-1");
  EXPECT_TRUE(sink_.events.empty());
  EXPECT_TRUE(faulty_->hold_keys.empty());
}

TEST_F(BookingConversationTest, ClinicianTheVisitTypeDoesNotAllowGetsNoOffer) {
  // The EHR lets Dr. Patel see sick visits; the policy does not.
  turn_.visit_type = "sick-visit";
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  BookingReply r = Say(*conv, "Tuesday with Dr. Patel");
  EXPECT_EQ(r.state, BookingState::kHandedOff);
  ASSERT_TRUE(r.handoff.has_value());
  EXPECT_EQ(r.handoff->kind, BookingHandoff::Kind::kOutsideRules);
  EXPECT_EQ(r.handoff->rule_id, "BOOK-CLINICIAN");
  EXPECT_EQ(r.handoff->queue, "scheduling-exceptions");
  EXPECT_TRUE(sink_.events.empty());
  // Dr. Patel's Tuesday is as the schedule seeded it.
  scheduling::FindRequest find;
  find.start = Local(2026, 12, 1, 8, 30);
  find.end = Local(2026, 12, 1, 8, 31);
  find.visit_types = {"sick-visit"};
  find.practitioners = {"dr-patel"};
  absl::StatusOr<std::vector<Appointment>> open = store_->Find(find);
  ASSERT_TRUE(open.ok()) << open.status();
  EXPECT_EQ(open->size(), 1u);
}

TEST_F(BookingConversationTest,
       SlotTakenBetweenOfferAndHoldIsToldAndReoffered) {
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(Say(*conv, "Tuesday morning with Dr. Patel").say, kTuesdayOffer);

  // Another booker takes 8:40 in the store.
  const std::string taken_id =
      sink_.Payload<ev::SlotsOffered>(0).slots(1).appointment_id();
  absl::StatusOr<Appointment> other =
      BookElsewhere(*store_, taken_id, "other-booker/1");
  ASSERT_TRUE(other.ok()) << other.status();

  BookingReply r = Say(*conv, "the second one");
  EXPECT_EQ(r.state, BookingState::kOffered);
  EXPECT_THAT(TextIds(r),
              ElementsAre("booking-slot-taken", "booking-offer-slots",
                          "booking-slot-option"));
  // 8:30 overlaps the other booking (8:40 to 9:00), so it is gone too.
  EXPECT_EQ(r.say,
            "I'm sorry, that time was just taken. I can offer Tuesday, "
            "December 1 at 9:20 AM with Dr. Patel; Tuesday, December 1 at "
            "9:30 AM with Dr. Patel; or Tuesday, December 1 at 9:40 AM with "
            "Dr. Patel. Which would you like?");
  EXPECT_THAT(sink_.Types(), ElementsAre(ev::EVENT_TYPE_SLOTS_OFFERED,
                                         ev::EVENT_TYPE_BOOKING_FAILED,
                                         ev::EVENT_TYPE_SLOTS_OFFERED));
  const auto& failed = sink_.Payload<ev::BookingFailed>(1);
  EXPECT_EQ(failed.stage(), ev::BookingFailed::STAGE_HOLD);
  EXPECT_EQ(failed.code(), "ABORTED");
  EXPECT_EQ(failed.appointment().appointment_id(), taken_id);
  EXPECT_EQ(failed.authority().decision_id(), "decision-2");
  EXPECT_EQ(failed.authority().rule_id(), "BOOK-VISIT-LANE");
  EXPECT_EQ(sink_.Payload<ev::SlotsOffered>(2).authority().decision_id(),
            "decision-3");

  r = Say(*conv, "the second");
  r = Say(*conv, "yes");
  ASSERT_TRUE(r.booked.has_value());
  EXPECT_EQ(r.booked->start, Local(2026, 12, 1, 9, 30));
  EXPECT_EQ(StatusOf(other->id), AppointmentStatus::kBooked);
  EXPECT_EQ(StatusOf(r.booked->id), AppointmentStatus::kBooked);
}

TEST_F(BookingConversationTest,
       HoldLapsedAndTakenBeforeBookIsToldAndReoffered) {
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  Say(*conv, "Tuesday morning with Dr. Patel");
  BookingReply r = Say(*conv, "the first one");
  ASSERT_EQ(r.state, BookingState::kConfirming);
  const std::string hold_id =
      sink_.Payload<ev::HoldPlaced>(1).appointment().appointment_id();

  // The caller waits past the hold; someone else books 8:30.
  clock_.Advance(absl::Minutes(6));
  const std::string slot_id =
      sink_.Payload<ev::SlotsOffered>(0).slots(0).appointment_id();
  ASSERT_TRUE(BookElsewhere(*store_, slot_id, "other-booker/2").ok());

  r = Say(*conv, "yes");
  EXPECT_EQ(r.state, BookingState::kOffered);
  EXPECT_FALSE(r.booked.has_value());
  // 8:40 overlaps the other booking (8:30 to 8:50): the next is 9:20.
  EXPECT_THAT(r.say, HasSubstr("I'm sorry, that time was just taken. I can "
                               "offer Tuesday, December 1 at 9:20 AM"));
  EXPECT_THAT(
      sink_.Types(),
      ElementsAre(ev::EVENT_TYPE_SLOTS_OFFERED, ev::EVENT_TYPE_HOLD_PLACED,
                  ev::EVENT_TYPE_BOOKING_FAILED, ev::EVENT_TYPE_HOLD_RELEASED,
                  ev::EVENT_TYPE_SLOTS_OFFERED));
  const auto& failed = sink_.Payload<ev::BookingFailed>(2);
  EXPECT_EQ(failed.stage(), ev::BookingFailed::STAGE_BOOK);
  EXPECT_EQ(failed.code(), "FAILED_PRECONDITION");
  EXPECT_EQ(failed.authority().decision_id(), "decision-3");
  EXPECT_EQ(failed.appointment().appointment_id(), hold_id);
  // The lapsed hold's end is recorded.
  EXPECT_EQ(sink_.Payload<ev::HoldReleased>(3).reason(),
            ev::HoldReleased::REASON_EXPIRED);
  EXPECT_EQ(StatusOf(hold_id), AppointmentStatus::kCancelled);
}

TEST_F(BookingConversationTest, HangingUpWhileHoldingReleasesTheHold) {
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  Say(*conv, "Tuesday morning with Dr. Patel");
  BookingReply r = Say(*conv, "the third one");
  ASSERT_EQ(r.state, BookingState::kConfirming);
  const std::string hold_id =
      sink_.Payload<ev::HoldPlaced>(1).appointment().appointment_id();
  EXPECT_EQ(StatusOf(hold_id), AppointmentStatus::kPending);

  EXPECT_TRUE(conv->HangUp(clock_.Now()).ok());
  EXPECT_EQ(conv->state(), BookingState::kEnded);
  EXPECT_EQ(StatusOf(hold_id), AppointmentStatus::kCancelled);
  EXPECT_THAT(sink_.Types(), ElementsAre(ev::EVENT_TYPE_SLOTS_OFFERED,
                                         ev::EVENT_TYPE_HOLD_PLACED,
                                         ev::EVENT_TYPE_HOLD_RELEASED));
  const auto& released = sink_.Payload<ev::HoldReleased>(2);
  EXPECT_EQ(released.reason(), ev::HoldReleased::REASON_DECLINED);
  EXPECT_EQ(released.appointment().appointment_id(), hold_id);
  EXPECT_EQ(released.authority().decision_id(), "decision-2");
  EXPECT_EQ(released.ehr(), ev::EHR_MODE_SIMULATED);

  // Again: nothing more happens.
  EXPECT_TRUE(conv->HangUp(clock_.Now()).ok());
  EXPECT_EQ(sink_.events.size(), 3u);
  turn_.words = "hello?";
  EXPECT_EQ(conv->Turn(turn_).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(BookingConversationTest, NoneOfThoseOffersTheNextThreeThenAsksAgain) {
  auto conv = Start(/*search_size=*/6);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(Say(*conv, "Tuesday morning with Dr. Patel").say, kTuesdayOffer);

  BookingReply r = Say(*conv, "none of those");
  EXPECT_EQ(r.state, BookingState::kOffered);
  EXPECT_EQ(r.say,
            "I can offer Tuesday, December 1 at 9:30 AM with Dr. Patel; "
            "Tuesday, December 1 at 9:40 AM with Dr. Patel; or Tuesday, "
            "December 1 at 10:40 AM with Dr. Patel. Which would you like?");
  ASSERT_EQ(sink_.events.size(), 2u);
  EXPECT_THAT(Starts(sink_.Payload<ev::SlotsOffered>(1)),
              ElementsAre(Local(2026, 12, 1, 9, 30), Local(2026, 12, 1, 9, 40),
                          Local(2026, 12, 1, 10, 40)));

  r = Say(*conv, "no, neither");
  EXPECT_EQ(r.state, BookingState::kAskingWhen);
  EXPECT_THAT(TextIds(r), ElementsAre("booking-none-found"));
  EXPECT_EQ(sink_.events.size(), 2u);

  r = Say(*conv, "hmm");
  EXPECT_THAT(TextIds(r), ElementsAre("booking-ask-when"));
  EXPECT_TRUE(faulty_->hold_keys.empty());
}

TEST_F(BookingConversationTest, ChangeOfMindSearchesAgainAndReleasesAHold) {
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(Say(*conv, "Tuesday morning with Dr. Patel").say, kTuesdayOffer);

  // A new day while choosing: a new search, for anyone on Thursday.
  BookingReply r = Say(*conv, "actually, Thursday instead");
  EXPECT_EQ(r.state, BookingState::kOffered);
  ASSERT_EQ(sink_.events.size(), 2u);
  for (absl::Time start : Starts(sink_.Payload<ev::SlotsOffered>(1))) {
    EXPECT_EQ(absl::ToCivilDay(start, Chicago()), absl::CivilDay(2026, 12, 3));
  }
  r = Say(*conv, "the first one");
  ASSERT_EQ(r.state, BookingState::kConfirming);
  const std::string hold_id =
      sink_.Payload<ev::HoldPlaced>(2).appointment().appointment_id();

  // A new day while the hold waits for a yes: released, then searched.
  r = Say(*conv, "no wait, make it Friday afternoon");
  EXPECT_EQ(r.state, BookingState::kOffered);
  EXPECT_EQ(StatusOf(hold_id), AppointmentStatus::kCancelled);
  EXPECT_THAT(
      sink_.Types(),
      ElementsAre(ev::EVENT_TYPE_SLOTS_OFFERED, ev::EVENT_TYPE_SLOTS_OFFERED,
                  ev::EVENT_TYPE_HOLD_PLACED, ev::EVENT_TYPE_HOLD_RELEASED,
                  ev::EVENT_TYPE_SLOTS_OFFERED));
  EXPECT_EQ(sink_.Payload<ev::HoldReleased>(3).reason(),
            ev::HoldReleased::REASON_DECLINED);
  for (absl::Time start : Starts(sink_.Payload<ev::SlotsOffered>(4))) {
    EXPECT_EQ(absl::ToCivilDay(start, Chicago()), absl::CivilDay(2026, 12, 4));
    EXPECT_GE(absl::ToCivilHour(start, Chicago()).hour(), 12);
  }
}

TEST_F(BookingConversationTest, SchedulerDownFailsClosed) {
  faulty_->find_fails = absl::UnavailableError("EHR unreachable");
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  BookingReply r = Say(*conv, "Tuesday morning with Dr. Patel");
  EXPECT_EQ(r.state, BookingState::kHandedOff);
  EXPECT_THAT(TextIds(r), ElementsAre("booking-failed"));
  EXPECT_THAT(r.say, HasSubstr("you are not booked"));
  ASSERT_TRUE(r.handoff.has_value());
  EXPECT_EQ(r.handoff->kind, BookingHandoff::Kind::kSchedulerFailed);
  EXPECT_EQ(r.handoff->queue, "scheduling-exceptions");
  EXPECT_FALSE(r.booked.has_value());
  EXPECT_THAT(sink_.Types(), ElementsAre(ev::EVENT_TYPE_BOOKING_FAILED));
  const auto& failed = sink_.Payload<ev::BookingFailed>(0);
  EXPECT_EQ(failed.stage(), ev::BookingFailed::STAGE_FIND);
  EXPECT_EQ(failed.code(), "UNAVAILABLE");
  EXPECT_EQ(failed.authority().decision_id(), "decision-1");
  EXPECT_EQ(failed.handoff_id(), r.handoff->handoff_id);
  EXPECT_THAT(failed.SerializeAsString(), Not(HasSubstr("unreachable")));
}

TEST_F(BookingConversationTest, BookTimingOutIsRetriedOnceThenFailsClosed) {
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  Say(*conv, "Tuesday morning with Dr. Patel");
  Say(*conv, "the first one");
  const std::string hold_id =
      sink_.Payload<ev::HoldPlaced>(1).appointment().appointment_id();
  faulty_->book_fails = absl::DeadlineExceededError("no answer");

  BookingReply r = Say(*conv, "yes");
  EXPECT_EQ(r.state, BookingState::kHandedOff);
  EXPECT_FALSE(r.booked.has_value());
  EXPECT_THAT(TextIds(r), ElementsAre("booking-failed"));
  // The same key both times: never two bookings.
  EXPECT_THAT(faulty_->book_keys,
              ElementsAre("call-42/3/book", "call-42/3/book"));
  EXPECT_THAT(
      sink_.Types(),
      ElementsAre(ev::EVENT_TYPE_SLOTS_OFFERED, ev::EVENT_TYPE_HOLD_PLACED,
                  ev::EVENT_TYPE_BOOKING_FAILED, ev::EVENT_TYPE_HOLD_RELEASED));
  EXPECT_EQ(sink_.Payload<ev::HoldReleased>(3).reason(),
            ev::HoldReleased::REASON_FAILED);
  const auto& failed = sink_.Payload<ev::BookingFailed>(2);
  EXPECT_EQ(failed.stage(), ev::BookingFailed::STAGE_BOOK);
  EXPECT_EQ(failed.code(), "DEADLINE_EXCEEDED");
  EXPECT_EQ(failed.authority().decision_id(), "decision-3");
  EXPECT_EQ(StatusOf(hold_id), AppointmentStatus::kCancelled);
}

TEST_F(BookingConversationTest, HoldWhoseAnswerWasLostIsRetriedWithTheSameKey) {
  faulty_->lose_hold_answers = 1;
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  Say(*conv, "Tuesday morning with Dr. Patel");
  BookingReply r = Say(*conv, "the first one");
  EXPECT_EQ(r.state, BookingState::kConfirming);
  EXPECT_THAT(faulty_->hold_keys,
              ElementsAre("call-42/2/hold", "call-42/2/hold"));
  r = Say(*conv, "yes");
  ASSERT_TRUE(r.booked.has_value());
  EXPECT_EQ(r.booked->start, Local(2026, 12, 1, 8, 30));
  // One hold was placed, and it became the booking.
  EXPECT_EQ(sink_.Payload<ev::HoldPlaced>(1).appointment().appointment_id(),
            r.booked->id);
  EXPECT_EQ(StatusOf(r.booked->id), AppointmentStatus::kBooked);
}

TEST_F(BookingConversationTest, EventSinkFailureIsReportedAndTheStepStands) {
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  sink_.fail_with = absl::UnavailableError("broker down");
  turn_.words = "Tuesday morning with Dr. Patel";
  turn_.now = clock_.Now();
  absl::StatusOr<BookingReply> r = conv->Turn(turn_);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->events_status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(r->say, kTuesdayOffer);
  EXPECT_EQ(r->state, BookingState::kOffered);
}

TEST_F(BookingConversationTest, RulesCheckDownFailsClosedWithoutSearching) {
  authorizer_.fail_with = absl::UnavailableError("rules-check down");
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  BookingReply r = Say(*conv, "Tuesday morning");
  EXPECT_EQ(r.state, BookingState::kHandedOff);
  ASSERT_TRUE(r.handoff.has_value());
  EXPECT_EQ(r.handoff->kind, BookingHandoff::Kind::kSchedulerFailed);
  EXPECT_EQ(r.handoff->queue, "scheduling-exceptions");
  EXPECT_EQ(r.handoff->decision_id, "");
  EXPECT_THAT(sink_.Types(), ElementsAre(ev::EVENT_TYPE_BOOKING_FAILED));
  EXPECT_EQ(sink_.Payload<ev::BookingFailed>(0).code(), "UNAVAILABLE");
}

TEST_F(BookingConversationTest, DecliningTheHoldReleasesItAndOffersTheNext) {
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  Say(*conv, "Tuesday morning with Dr. Patel");
  Say(*conv, "the first one");
  const std::string hold_id =
      sink_.Payload<ev::HoldPlaced>(1).appointment().appointment_id();

  // Unclear: the hold is read back again, nothing else happens.
  BookingReply r = Say(*conv, "hmm");
  EXPECT_THAT(TextIds(r), ElementsAre("booking-confirm-hold"));
  EXPECT_EQ(r.state, BookingState::kConfirming);
  EXPECT_EQ(sink_.events.size(), 2u);

  // "Book" in a refusal is not a yes.
  r = Say(*conv, "don't book it");
  EXPECT_EQ(r.state, BookingState::kOffered);
  EXPECT_FALSE(r.booked.has_value());
  EXPECT_TRUE(faulty_->book_keys.empty());
  EXPECT_EQ(StatusOf(hold_id), AppointmentStatus::kCancelled);
  EXPECT_THAT(
      sink_.Types(),
      ElementsAre(ev::EVENT_TYPE_SLOTS_OFFERED, ev::EVENT_TYPE_HOLD_PLACED,
                  ev::EVENT_TYPE_HOLD_RELEASED, ev::EVENT_TYPE_SLOTS_OFFERED));
  EXPECT_EQ(sink_.Payload<ev::HoldReleased>(2).reason(),
            ev::HoldReleased::REASON_DECLINED);
  EXPECT_THAT(Starts(sink_.Payload<ev::SlotsOffered>(3)),
              ElementsAre(Local(2026, 12, 1, 9, 30), Local(2026, 12, 1, 9, 40),
                          Local(2026, 12, 1, 10, 40)));
}

TEST_F(BookingConversationTest, RefusesIncompleteTurnsAndOptions) {
  auto conv = Start();
  ASSERT_NE(conv, nullptr);
  BookingTurn t = turn_;
  t.words = "Tuesday";
  t.patient_ref.clear();
  absl::StatusOr<BookingReply> r = conv->Turn(t);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("patient_ref"));
  EXPECT_THAT(r.status().message(), Not(HasSubstr("Tuesday")));

  BookingConversationOptions options;
  options.call_id = kCall;
  options.policy = &policy_;
  options.schedule = &schedule_;
  auto bad = BookingConversation::Create(
      options,
      {.authorizer = &authorizer_, .scheduler = nullptr, .events = &sink_});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace frontdesk::answer
