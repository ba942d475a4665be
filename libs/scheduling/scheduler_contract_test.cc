// One contract, two implementations: every case runs against the embedded
// SQLite store directly and against the FHIR adapter talking real HTTP to the
// simulated EHR (started in-process on a free loopback port).
#include <atomic>
#include <filesystem>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/scheduling/scheduler_test_backends.h"

namespace frontdesk::scheduling {
namespace {

using ::testing::HasSubstr;

const absl::TimeZone& Chicago() {
  static const absl::TimeZone* tz = [] {
    auto* z = new absl::TimeZone;
    absl::LoadTimeZone("America/Chicago", z);
    return z;
  }();
  return *tz;
}

absl::Time Local(int y, int mo, int d, int h, int mi) {
  return Chicago().At(absl::CivilMinute(y, mo, d, h, mi)).pre;
}

BookRequest BookOf(std::string id, std::string patient, std::string key,
                   std::string cancelled = "") {
  BookRequest r;
  r.appointment_id = std::move(id);
  r.patient = std::move(patient);
  r.idempotency_key = std::move(key);
  r.cancelled_appointment_id = std::move(cancelled);
  return r;
}

class SchedulerContractTest : public ::testing::TestWithParam<BackendKind> {
 protected:
  void SetUp() override {
    // Monday 2026-11-30, 08:00 in Chicago.
    clock_ = std::make_unique<FakeClock>(Local(2026, 11, 30, 8, 0));
    auto b = MakeBackend(
        GetParam(), FRONTDESK_SAMPLE_SCHEDULE, clock_.get(),
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(b.ok()) << b.status();
    backend_ = *std::move(b);
  }

  Scheduler& s() { return *backend_->scheduler; }

  // Dr. Patel's follow-ups on Tuesday 2026-12-01 (seed bookings at 09:00
  // and 10:00).
  FindRequest PatelTuesday() {
    FindRequest r;
    r.start = Local(2026, 12, 1, 0, 0);
    r.end = Local(2026, 12, 2, 0, 0);
    r.visit_types = {"follow-up"};
    r.practitioners = {"dr-patel"};
    r.patient = "Patient/p-1";
    r.max_results = 5;
    return r;
  }

  std::string FirstPatelSlot() {
    auto found = s().Find(PatelTuesday());
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() && !found->empty() ? (*found)[0].id : "";
  }

  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<Backend> backend_;
};

TEST_P(SchedulerContractTest, FindProposesFreeSlotsEarliestFirst) {
  auto found = s().Find(PatelTuesday());
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->size(), 5u);
  // 09:00-09:20 and 10:00-10:40 are booked already.
  const absl::Time want[] = {
      Local(2026, 12, 1, 8, 30), Local(2026, 12, 1, 8, 40),
      Local(2026, 12, 1, 9, 20), Local(2026, 12, 1, 9, 30),
      Local(2026, 12, 1, 9, 40)};
  for (size_t i = 0; i < 5; ++i) {
    const Appointment& a = (*found)[i];
    EXPECT_EQ(a.start, want[i]) << i;
    EXPECT_EQ(a.end, want[i] + absl::Minutes(20)) << i;
    EXPECT_EQ(a.status, AppointmentStatus::kProposed);
    EXPECT_EQ(a.practitioner, "dr-patel");
    EXPECT_EQ(a.visit_type, "follow-up");
    EXPECT_TRUE(a.simulated);
  }
}

TEST_P(SchedulerContractTest, FindHonoursClosuresAndClinicianTypes) {
  FindRequest r;
  r.start = Local(2026, 12, 31, 0, 0);  // Dr. Patel at a conference.
  r.end = Local(2027, 1, 1, 0, 0);
  r.practitioners = {"dr-patel"};
  auto found = s().Find(r);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_TRUE(found->empty());

  r.start = Local(2026, 11, 30, 0, 0);
  r.end = Local(2026, 12, 5, 0, 0);
  r.practitioners = {};
  r.visit_types = {"procedure"};
  r.max_results = 200;
  found = s().Find(r);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_FALSE(found->empty());
  for (const Appointment& a : *found) {
    EXPECT_EQ(a.practitioner, "dr-nguyen");
    EXPECT_GE(a.start, clock_->Now());
  }
}

TEST_P(SchedulerContractTest, FindRejectsBadRequestsNamingTheField) {
  FindRequest r = PatelTuesday();
  r.end = r.start;
  EXPECT_EQ(s().Find(r).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s().Find(r).status().message()), HasSubstr("end"));
  r = PatelTuesday();
  r.visit_types = {"massage"};
  EXPECT_EQ(s().Find(r).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s().Find(r).status().message()),
              HasSubstr("visit_type"));
  r = PatelTuesday();
  r.practitioners = {"dr-who"};
  EXPECT_EQ(s().Find(r).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s().Find(r).status().message()),
              HasSubstr("practitioner"));
}

TEST_P(SchedulerContractTest, HoldThenBook) {
  const std::string slot = FirstPatelSlot();
  auto held = s().Hold({.appointment_id = slot, .idempotency_key = "h1"});
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_EQ(held->status, AppointmentStatus::kPending);
  EXPECT_EQ(held->hold_expires, clock_->Now() + absl::Minutes(5));
  EXPECT_EQ(held->start, Local(2026, 12, 1, 8, 30));
  EXPECT_EQ(held->practitioner, "dr-patel");
  EXPECT_TRUE(held->simulated);

  // Held time is no longer offered.
  auto found = s().Find(PatelTuesday());
  ASSERT_TRUE(found.ok());
  EXPECT_EQ((*found)[0].start, Local(2026, 12, 1, 9, 20));

  auto booked = s().Book(BookOf(held->id, "Patient/p-1", "b1"));
  ASSERT_TRUE(booked.ok()) << booked.status();
  EXPECT_EQ(booked->id, held->id);
  EXPECT_EQ(booked->status, AppointmentStatus::kBooked);
  EXPECT_EQ(booked->patient, "Patient/p-1");
  EXPECT_EQ(booked->start, held->start);

  auto got = s().Get(held->id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->status, AppointmentStatus::kBooked);
}

TEST_P(SchedulerContractTest, BookAProposalWithoutAHold) {
  const std::string slot = FirstPatelSlot();
  auto booked = s().Book(BookOf(slot, "Patient/p-1", "b"));
  ASSERT_TRUE(booked.ok()) << booked.status();
  EXPECT_EQ(booked->status, AppointmentStatus::kBooked);
  EXPECT_NE(booked->id, slot);
  EXPECT_EQ(booked->start, Local(2026, 12, 1, 8, 30));
}

TEST_P(SchedulerContractTest, CancelReleasesTheTime) {
  const std::string slot = FirstPatelSlot();
  auto booked = s().Book(BookOf(slot, "Patient/p-1", "b"));
  ASSERT_TRUE(booked.ok()) << booked.status();
  auto cancelled = s().Cancel(booked->id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->status, AppointmentStatus::kCancelled);
  // Cancelling again changes nothing.
  auto again = s().Cancel(booked->id);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->status, AppointmentStatus::kCancelled);
  EXPECT_EQ(FirstPatelSlot(), slot);

  EXPECT_EQ(s().Cancel("no-such-appointment").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(s().Cancel(slot).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_P(SchedulerContractTest, ReleaseAHold) {
  const std::string slot = FirstPatelSlot();
  auto held = s().Hold({.appointment_id = slot, .idempotency_key = "h"});
  ASSERT_TRUE(held.ok()) << held.status();
  auto released = s().Cancel(held->id);
  ASSERT_TRUE(released.ok()) << released.status();
  EXPECT_EQ(released->status, AppointmentStatus::kCancelled);
  EXPECT_EQ(FirstPatelSlot(), slot);
  auto late = s().Book(BookOf(held->id, "Patient/p-1", "b"));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(SchedulerContractTest, RescheduleCancelsAndRebooksInOneStep) {
  const std::string slot = FirstPatelSlot();
  auto first = s().Book(BookOf(slot, "Patient/p-1", "b1"));
  ASSERT_TRUE(first.ok()) << first.status();
  FindRequest later = PatelTuesday();
  later.start = Local(2026, 12, 1, 13, 0);
  auto found = s().Find(later);
  ASSERT_TRUE(found.ok() && !found->empty());
  auto second =
      s().Book(BookOf((*found)[0].id, "Patient/p-1", "b2", first->id));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->status, AppointmentStatus::kBooked);
  EXPECT_EQ(second->replaces, first->id);
  EXPECT_EQ(second->start, Local(2026, 12, 1, 13, 0));
  auto old = s().Get(first->id);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->status, AppointmentStatus::kCancelled);
  EXPECT_EQ(FirstPatelSlot(), slot);
}

TEST_P(SchedulerContractTest, FailedRescheduleKeepsTheOldBooking) {
  const std::string slot = FirstPatelSlot();
  auto first = s().Book(BookOf(slot, "Patient/p-1", "b1"));
  ASSERT_TRUE(first.ok()) << first.status();
  // 09:00 is a seed booking: the new slot is taken.
  const std::string taken = SqliteScheduleStoreProposedId(
      "dr-patel", "follow-up", Local(2026, 12, 1, 9, 0));
  auto second = s().Book(BookOf(taken, "Patient/p-1", "b2", first->id));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kAborted);
  auto old = s().Get(first->id);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->status, AppointmentStatus::kBooked);
  // Another patient's booking cannot be the one replaced.
  auto other =
      s().Book(BookOf(FirstPatelSlot(), "Patient/p-2", "b3", first->id));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_P(SchedulerContractTest, HoldExpiresAndIsReleased) {
  const std::string slot = FirstPatelSlot();
  auto held = s().Hold({.appointment_id = slot, .idempotency_key = "h"});
  ASSERT_TRUE(held.ok()) << held.status();
  EXPECT_NE(FirstPatelSlot(), slot);
  clock_->Advance(absl::Minutes(4) + absl::Seconds(59));
  EXPECT_NE(FirstPatelSlot(), slot);
  clock_->Advance(absl::Seconds(1));
  EXPECT_EQ(FirstPatelSlot(), slot);
  auto got = s().Get(held->id);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->status, AppointmentStatus::kCancelled);
  auto late = s().Book(BookOf(held->id, "Patient/p-1", "b"));
  EXPECT_EQ(late.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(late.status().message()), HasSubstr("expired"));
  // Someone else may hold it now.
  auto other = s().Hold({.appointment_id = slot, .idempotency_key = "h2"});
  EXPECT_TRUE(other.ok()) << other.status();
}

TEST_P(SchedulerContractTest, RetriesWithTheSameKeyNeverHoldOrBookTwice) {
  const std::string slot = FirstPatelSlot();
  auto h1 = s().Hold({.appointment_id = slot, .idempotency_key = "h"});
  auto h2 = s().Hold({.appointment_id = slot, .idempotency_key = "h"});
  ASSERT_TRUE(h1.ok()) << h1.status();
  ASSERT_TRUE(h2.ok()) << h2.status();
  EXPECT_EQ(*h1, *h2);
  BookRequest book = BookOf(h1->id, "Patient/p-1", "b");
  auto b1 = s().Book(book);
  auto b2 = s().Book(book);
  ASSERT_TRUE(b1.ok()) << b1.status();
  ASSERT_TRUE(b2.ok()) << b2.status();
  EXPECT_EQ(*b1, *b2);

  // Exactly one appointment holds the time.
  FindRequest r = PatelTuesday();
  r.max_results = 200;
  auto found = s().Find(r);
  ASSERT_TRUE(found.ok());
  for (const Appointment& a : *found) EXPECT_NE(a.start, h1->start);

  // The same key for another request is refused, naming the key.
  book.patient = "Patient/p-2";
  auto reused = s().Book(book);
  EXPECT_EQ(reused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(reused.status().message()),
              HasSubstr("idempotency_key"));
  auto no_key = s().Hold({.appointment_id = slot, .idempotency_key = ""});
  EXPECT_EQ(no_key.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_P(SchedulerContractTest, TakenBetweenHoldAndBook) {
  const std::string slot = FirstPatelSlot();
  // Caller A holds; the hold lapses; caller B holds and books; A's book fails.
  auto a = s().Hold({.appointment_id = slot, .idempotency_key = "a-hold"});
  ASSERT_TRUE(a.ok()) << a.status();
  auto b_early =
      s().Hold({.appointment_id = slot, .idempotency_key = "b-hold"});
  EXPECT_EQ(b_early.status().code(), absl::StatusCode::kAborted);
  clock_->Advance(absl::Minutes(6));
  auto b = s().Book(BookOf(slot, "Patient/p-2", "b"));
  ASSERT_TRUE(b.ok()) << b.status();
  auto a_book = s().Book(BookOf(a->id, "Patient/p-1", "a-book"));
  EXPECT_EQ(a_book.status().code(), absl::StatusCode::kFailedPrecondition);
  // And booking the proposal itself finds it taken.
  auto a_direct = s().Book(BookOf(slot, "Patient/p-1", "a-direct"));
  EXPECT_EQ(a_direct.status().code(), absl::StatusCode::kAborted);
}

TEST_P(SchedulerContractTest, ConcurrentBookersNeverDoubleBook) {
  const std::string slot = FirstPatelSlot();
  // An overlapping proposal: 08:40-09:00 overlaps 08:30-08:50.
  const std::string overlapping = SqliteScheduleStoreProposedId(
      "dr-patel", "follow-up", Local(2026, 12, 1, 8, 40));
  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, aborted{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto r = s().Book(BookOf(i % 2 == 0 ? slot : overlapping,
                               absl::StrCat("Patient/p-", i),
                               absl::StrCat("k-", i)));
      if (r.ok()) {
        ++ok;
      } else if (r.status().code() == absl::StatusCode::kAborted) {
        ++aborted;
      } else {
        ++other;
        ADD_FAILURE() << r.status();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(aborted.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, SchedulerContractTest,
                         ::testing::Values(BackendKind::kEmbedded,
                                           BackendKind::kFhirAdapter),
                         [](const auto& info) {
                           return std::string(BackendName(info.param));
                         });

}  // namespace
}  // namespace frontdesk::scheduling
