#include "libs/reminders/reminder_worker.h"

#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/policy/clinic_policy.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace frontdesk::reminders {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

absl::TimeZone Chicago() {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("America/Chicago", &tz));
  return tz;
}

absl::Time Local(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), Chicago());
}

// The sample policy with its rollout mode replaced, and its reminders block
// too when `reminders_block` is given.
std::shared_ptr<const policy::ClinicPolicy> SamplePolicy(
    const std::string& rollout_mode, const std::string& reminders_block = "") {
  std::ifstream in(FRONTDESK_SAMPLE_POLICY);
  std::stringstream s;
  s << in.rdbuf();
  std::string yaml = s.str();
  const std::string was = "\nrollout_mode: answers\n";
  EXPECT_NE(yaml.find(was), std::string::npos);
  yaml = absl::StrReplaceAll(yaml,
                             {{was, "\nrollout_mode: " + rollout_mode + "\n"}});
  if (!reminders_block.empty()) {
    const std::string block =
        "\nreminders:\n  quiet_start: \"20:00\"\n  quiet_end: \"08:00\"\n";
    EXPECT_NE(yaml.find(block), std::string::npos);
    yaml = absl::StrReplaceAll(yaml, {{block, "\n" + reminders_block}});
  }
  auto p = policy::ParsePolicy(yaml, "sample");
  EXPECT_TRUE(p.ok()) << p.status();
  return std::make_shared<const policy::ClinicPolicy>(std::move(*p));
}

// A scheduler that records what it is asked and answers as told.
class FakeScheduler : public scheduling::Scheduler {
 public:
  absl::StatusOr<std::vector<scheduling::Appointment>> Find(
      const scheduling::FindRequest& request) override {
    finds.push_back(request);
    if (!find_status.ok()) return find_status;
    return find_results;
  }
  absl::StatusOr<scheduling::Appointment> Hold(
      const scheduling::HoldRequest& request) override {
    holds.push_back(request);
    if (!hold_status.ok()) return hold_status;
    scheduling::Appointment a = Proposal(request.appointment_id);
    a.id = "held-" + request.appointment_id;
    a.status = scheduling::AppointmentStatus::kPending;
    return a;
  }
  absl::StatusOr<scheduling::Appointment> Book(
      const scheduling::BookRequest& request) override {
    books.push_back(request);
    if (!book_status.ok()) return book_status;
    scheduling::Appointment a = Proposal(request.appointment_id.substr(5));
    a.id = "booked-" + request.appointment_id.substr(5);
    a.status = scheduling::AppointmentStatus::kBooked;
    a.patient = request.patient;
    return a;
  }
  absl::StatusOr<scheduling::Appointment> Cancel(
      absl::string_view appointment_id) override {
    cancels.emplace_back(appointment_id);
    if (!cancel_status.ok()) return cancel_status;
    scheduling::Appointment a;
    a.id = std::string(appointment_id);
    a.status = scheduling::AppointmentStatus::kCancelled;
    return a;
  }
  absl::StatusOr<scheduling::Appointment> Get(
      absl::string_view appointment_id) override {
    return absl::NotFoundError("fake");
  }

  scheduling::Appointment Proposal(const std::string& id) const {
    for (const scheduling::Appointment& a : find_results) {
      if (a.id == id) return a;
    }
    return {};
  }

  std::vector<scheduling::Appointment> find_results;
  absl::Status find_status, hold_status, book_status, cancel_status;
  std::vector<scheduling::FindRequest> finds;
  std::vector<scheduling::HoldRequest> holds;
  std::vector<scheduling::BookRequest> books;
  std::vector<std::string> cancels;
};

// A channel that records what is sent and hands out scripted replies.
class ScriptedChannel : public OutboundChannel {
 public:
  std::string kind() const override { return "sms"; }
  absl::Status Send(const OutboundMessage& message) override {
    if (!send_errors.empty()) {
      absl::Status s = send_errors.front();
      send_errors.pop_front();
      if (!s.ok()) return s;
    }
    sent.push_back(message);
    return absl::OkStatus();
  }
  absl::StatusOr<std::optional<std::string>> NextReply(
      const std::string& conversation_id,
      const std::string& patient_ref) override {
    std::deque<std::string>& q = replies[conversation_id];
    if (q.empty()) return std::nullopt;
    std::string r = q.front();
    q.pop_front();
    return r;
  }
  std::vector<std::string> TextIds() const {
    std::vector<std::string> out;
    for (const OutboundMessage& m : sent) out.push_back(m.text_id);
    return out;
  }

  std::vector<OutboundMessage> sent;
  std::map<std::string, std::deque<std::string>> replies;
  // Consumed one per Send; OK entries let the send through.
  std::deque<absl::Status> send_errors;
};

class FailingHandoff : public StaffHandoff {
 public:
  absl::StatusOr<std::string> RequestHandoff(
      const HandoffRequest& request) override {
    if (failures > 0) {
      --failures;
      return absl::UnavailableError(
          "queue down; could not reach staff for Jane Roe at 555-0142");
    }
    return inner.RequestHandoff(request);
  }
  int failures = 0;
  InMemoryStaffHandoff inner;
};

UpcomingAppointment Appt(const std::string& id, const std::string& patient,
                         absl::Time start, int no_shows = 0,
                         bool new_patient = false) {
  UpcomingAppointment a;
  a.appointment_id = id;
  a.patient_ref = patient;
  a.visit_type = new_patient ? "new-patient" : "follow-up";
  a.clinician = "dr-patel";
  a.clinician_display = "Dr. Patel";
  a.start = start;
  a.end = start + absl::Minutes(20);
  a.history.prior_no_shows = no_shows;
  a.history.new_patient = new_patient;
  return a;
}

scheduling::Appointment Slot(const std::string& id, absl::Time start) {
  scheduling::Appointment a;
  a.id = id;
  a.visit_type = "follow-up";
  a.practitioner = "dr-patel";
  a.start = start;
  a.end = start + absl::Minutes(20);
  return a;
}

std::vector<std::string> Types(const std::vector<ReminderEvent>& events) {
  std::vector<std::string> out;
  for (const ReminderEvent& e : events) out.push_back(EventTypeName(e.type));
  return out;
}

class ReminderWorkerTest : public ::testing::Test {
 protected:
  // Monday, November 30, 2026, 10:00 in Chicago.
  ReminderWorkerTest() : clock_(Local(2026, 11, 30, 10, 0)) {}

  std::unique_ptr<ReminderWorker> Worker(
      ReminderWorkerOptions options = {},
      const std::string& rollout = "reminders", StaffHandoff* handoff = nullptr,
      const std::string& reminders = "") {
    policy_ = SamplePolicy(rollout, reminders);
    auto w = ReminderWorker::Create(
        {.policy = policy_,
         .clock = &clock_,
         .source = &source_,
         .scheduler = &scheduler_,
         .channel = &channel_,
         .events = &events_,
         .handoff = handoff != nullptr ? handoff : &handoff_,
         .rules = rules_},
        std::move(options));
    EXPECT_TRUE(w.ok()) << w.status();
    return w.ok() ? std::move(*w) : nullptr;
  }

  std::string Text(const std::string& id) const {
    return policy_->FindText(id)->text();
  }

  FakeClock clock_;
  std::shared_ptr<const policy::ClinicPolicy> policy_;
  InMemoryUpcomingAppointments source_;
  FakeScheduler scheduler_;
  ScriptedChannel channel_;
  InMemoryReminderEventSink events_;
  InMemoryStaffHandoff handoff_;
  RescheduleRules* rules_ = nullptr;
};

TEST_F(ReminderWorkerTest, RemindsHighestRiskFirst) {
  // 10 points: Tuesday 10:00, no history.
  source_.Add(Appt("a-low", "Patient/p-1", Local(2026, 12, 1, 10, 0)));
  // 34 points: two no-shows.
  source_.Add(Appt("a-high", "Patient/p-2", Local(2026, 12, 1, 14, 0), 2));
  // 23 points: a new patient at 08:30.
  source_.Add(Appt("a-mid", "Patient/p-3", Local(2026, 12, 2, 8, 30), 0,
                   /*new_patient=*/true));
  auto worker = Worker();
  auto summary = worker->RunOnce();
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_THAT(summary->order, ElementsAre("a-high", "a-mid", "a-low"));
  EXPECT_EQ(summary->sent, 3);
  ASSERT_EQ(channel_.sent.size(), 3u);
  EXPECT_EQ(channel_.sent[0].patient_ref, "Patient/p-2");
  EXPECT_EQ(channel_.sent[1].patient_ref, "Patient/p-3");
  EXPECT_EQ(channel_.sent[2].patient_ref, "Patient/p-1");
  EXPECT_EQ(channel_.sent[2].text,
            "Sunrise Family Medicine reminds you of your follow up appointment "
            "with Dr. Patel on Tuesday, December 1 at 10:00 AM. Reply YES to "
            "confirm or CANCEL to cancel.");
  EXPECT_EQ(channel_.sent[2].conversation_id, "reminder/a-low");

  std::vector<ReminderEvent> sent =
      events_.OfType(ReminderEventType::kReminderSent);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].appointment.appointment_id, "a-high");
  EXPECT_EQ(sent[0].risk.points, 34);
  EXPECT_EQ(sent[0].risk.Explain(),
            "base=10:+10 prior_no_shows=2:+24 lead_time_days=unknown:+0 "
            "new_patient=false:+0 early_morning=false:+0 monday=false:+0");
  EXPECT_EQ(sent[1].risk.points, 23);
  EXPECT_EQ(sent[2].risk.points, 10);
  EXPECT_EQ(sent[0].channel, "sms");
  EXPECT_EQ(sent[0].text_id, "reminder");
  EXPECT_EQ(sent[0].text_version, 1u);
  EXPECT_EQ(sent[0].attempt, 1);
  EXPECT_TRUE(sent[0].simulated);
  EXPECT_THAT(sent[0].ToString(), HasSubstr("ehr=simulated risk=34"));
}

TEST_F(ReminderWorkerTest, EventsSayLiveForALiveScheduler) {
  UpcomingAppointment a = Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 10, 0));
  a.simulated = false;
  source_.Add(a);
  auto worker = Worker();
  ASSERT_TRUE(worker->RunOnce().ok());
  ASSERT_EQ(events_.events().size(), 1u);
  EXPECT_FALSE(events_.events()[0].simulated);
  EXPECT_THAT(events_.events()[0].ToString(), HasSubstr("ehr=live"));
}

TEST_F(ReminderWorkerTest, QuietHoursDeferEverything) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 14, 0)));
  auto worker = Worker();  // quiet 20:00 to 08:00, clinic time
  clock_.Set(Local(2026, 11, 30, 21, 30));
  auto summary = worker->RunOnce();
  ASSERT_TRUE(summary.ok());
  EXPECT_TRUE(summary->quiet_hours);
  EXPECT_EQ(summary->sent, 0);
  EXPECT_EQ(source_.list_calls(), 0);
  EXPECT_TRUE(channel_.sent.empty());
  EXPECT_TRUE(events_.events().empty());

  clock_.Set(Local(2026, 12, 1, 7, 59));
  EXPECT_TRUE(worker->RunOnce()->quiet_hours);
  EXPECT_TRUE(channel_.sent.empty());

  clock_.Set(Local(2026, 12, 1, 8, 0));
  summary = worker->RunOnce();
  EXPECT_FALSE(summary->quiet_hours);
  EXPECT_EQ(summary->sent, 1);
  EXPECT_EQ(channel_.sent.size(), 1u);
}

TEST_F(ReminderWorkerTest, QuietHoursAreClinicTimeAndMayNotWrap) {
  ReminderWorkerOptions options;
  options.quiet = {.start_minute = 12 * 60, .end_minute = 13 * 60};
  auto worker = Worker(options, "reminders", nullptr,
                       "reminders:\n  quiet_start: \"12:00\"\n"
                       "  quiet_end: \"12:00\"\n");
  // Equal start and end in the policy: no quiet hours at all.
  EXPECT_FALSE(worker->InQuietHours(Local(2026, 11, 30, 12, 30)));
  EXPECT_FALSE(worker->InQuietHours(Local(2026, 11, 30, 23, 0)));
  // Without quiet hours in the policy, the options' apply.
  worker = Worker(options, "reminders", nullptr, "reminders: {}\n");
  EXPECT_FALSE(worker->InQuietHours(Local(2026, 11, 30, 11, 59)));
  EXPECT_TRUE(worker->InQuietHours(Local(2026, 11, 30, 12, 0)));
  EXPECT_TRUE(worker->InQuietHours(Local(2026, 11, 30, 12, 59)));
  EXPECT_FALSE(worker->InQuietHours(Local(2026, 11, 30, 13, 0)));
  // 12:30 UTC is 06:30 in Chicago: not quiet.
  EXPECT_FALSE(worker->InQuietHours(absl::FromCivil(
      absl::CivilMinute(2026, 11, 30, 12, 30), absl::UTCTimeZone())));
}

TEST_F(ReminderWorkerTest, AttemptLimitStopsAndHandsOff) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 14, 0)));
  ReminderWorkerOptions options;
  options.retry_after = absl::Hours(1);
  options.max_attempts_per_appointment = 3;
  options.max_attempts_per_patient_per_day = 10;
  auto worker = Worker(options);

  EXPECT_EQ(worker->RunOnce()->sent, 1);  // 10:00
  clock_.Advance(absl::Minutes(30));
  auto summary = worker->RunOnce();  // 10:30: too soon
  EXPECT_EQ(summary->sent, 0);
  EXPECT_EQ(summary->held_by_limits, 1);
  clock_.Advance(absl::Minutes(30));
  EXPECT_EQ(worker->RunOnce()->sent, 1);  // 11:00
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(worker->RunOnce()->sent, 1);  // 12:00, the third and last
  clock_.Advance(absl::Hours(1));
  summary = worker->RunOnce();  // 13:00: no reply to any: a person calls
  EXPECT_EQ(summary->sent, 0);
  EXPECT_EQ(summary->handed_off, 1);
  clock_.Advance(absl::Hours(1));
  summary = worker->RunOnce();  // 14:00: nothing more
  EXPECT_EQ(summary->sent, 0);
  EXPECT_EQ(summary->handed_off, 0);
  EXPECT_TRUE(summary->order.empty());

  EXPECT_EQ(channel_.sent.size(), 3u);
  std::vector<ReminderEvent> sent =
      events_.OfType(ReminderEventType::kReminderSent);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[2].attempt, 3);
  std::vector<HandoffRequest> handoffs = handoff_.requests();
  ASSERT_EQ(handoffs.size(), 1u);
  EXPECT_EQ(handoffs[0].reason, "no_reply");
  EXPECT_EQ(handoffs[0].queue, "front-desk");
  EXPECT_EQ(handoffs[0].patient_words, "");
}

TEST_F(ReminderWorkerTest, PerPatientDailyLimitHoldsTheRestUntilTomorrow) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 2, 10, 0), 1));
  source_.Add(Appt("a-2", "Patient/p-1", Local(2026, 12, 2, 11, 0), 2));
  source_.Add(Appt("a-3", "Patient/p-1", Local(2026, 12, 2, 12, 0)));
  ReminderWorkerOptions options;
  options.max_attempts_per_patient_per_day = 2;
  options.max_attempts_per_appointment = 1;
  auto worker = Worker(options);
  auto summary = worker->RunOnce();
  EXPECT_EQ(summary->sent, 2);
  EXPECT_EQ(summary->held_by_limits, 1);
  ASSERT_EQ(channel_.sent.size(), 2u);
  EXPECT_EQ(channel_.sent[0].conversation_id, "reminder/a-2");
  EXPECT_EQ(channel_.sent[1].conversation_id, "reminder/a-1");

  clock_.Advance(absl::Hours(2));  // same clinic day
  EXPECT_EQ(worker->RunOnce()->sent, 0);

  clock_.Set(Local(2026, 12, 1, 9, 0));  // the next day
  summary = worker->RunOnce();
  EXPECT_EQ(summary->sent, 1);
  ASSERT_EQ(channel_.sent.size(), 3u);
  EXPECT_EQ(channel_.sent[2].conversation_id, "reminder/a-3");
}

TEST_F(ReminderWorkerTest, ThePolicysLimitsAndWordingWinOverOptions) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 2, 10, 0)));
  source_.Add(Appt("a-2", "Patient/p-1", Local(2026, 12, 2, 11, 0)));
  ReminderWorkerOptions options;
  options.max_attempts_per_patient_per_day = 5;
  auto worker = Worker(options, "reminders", nullptr,
                       "reminders:\n"
                       "  max_attempts_per_patient_per_day: 1\n"
                       "  reminder_text: reminder-handoff\n");
  auto summary = worker->RunOnce();
  EXPECT_EQ(summary->sent, 1);
  EXPECT_EQ(summary->held_by_limits, 1);
  ASSERT_EQ(channel_.sent.size(), 1u);
  EXPECT_EQ(channel_.sent[0].text_id, "reminder-handoff");
  // The sample policy's own block: quiet 20:00 to 08:00.
  worker = Worker();
  EXPECT_TRUE(worker->InQuietHours(Local(2026, 11, 30, 20, 0)));
  EXPECT_FALSE(worker->InQuietHours(Local(2026, 11, 30, 19, 59)));
}

TEST(ApplyPolicyRemindersTest, UnsetFieldsKeepTheOptions) {
  ReminderWorkerOptions options;
  ApplyPolicyReminders(policy::v1::Reminders(), &options);
  EXPECT_EQ(options.quiet.start_minute, 20 * 60);
  EXPECT_EQ(options.max_attempts_per_appointment, 3);
  EXPECT_EQ(options.scripts.confirmed, "reminder-confirmed");
  policy::v1::Reminders r;
  r.set_quiet_start("21:15");
  r.set_quiet_end("07:45");
  r.set_max_attempts_per_appointment(4);
  r.set_confirmed_text("thanks");
  ApplyPolicyReminders(r, &options);
  EXPECT_EQ(options.quiet.start_minute, 21 * 60 + 15);
  EXPECT_EQ(options.quiet.end_minute, 7 * 60 + 45);
  EXPECT_EQ(options.max_attempts_per_appointment, 4);
  EXPECT_EQ(options.max_attempts_per_patient_per_day, 2);
  EXPECT_EQ(options.scripts.confirmed, "thanks");
  EXPECT_EQ(options.scripts.reminder, "reminder");
}

TEST_F(ReminderWorkerTest, DoesNothingUnlessRolloutIncludesReminders) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 14, 0)));
  for (const char* mode : {"capture_only", "answers", "scheduling"}) {
    auto worker = Worker({}, mode);
    auto summary = worker->RunOnce();
    ASSERT_TRUE(summary.ok());
    EXPECT_TRUE(summary->rollout_off) << mode;
    EXPECT_EQ(summary->sent, 0) << mode;
  }
  EXPECT_EQ(source_.list_calls(), 0);
  EXPECT_TRUE(channel_.sent.empty());
  EXPECT_TRUE(events_.events().empty());
  EXPECT_TRUE(scheduler_.cancels.empty());

  auto worker = Worker({}, "reminders");
  auto summary = worker->RunOnce();
  EXPECT_FALSE(summary->rollout_off);
  EXPECT_EQ(summary->sent, 1);
}

TEST_F(ReminderWorkerTest, ConfirmRecordsTheConfirmation) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 14, 0)));
  channel_.replies["reminder/a-1"] = {"Yes, I'll be there"};
  auto worker = Worker();
  auto summary = worker->RunOnce();
  EXPECT_EQ(summary->confirmed, 1);
  EXPECT_THAT(Types(events_.events()),
              ElementsAre("reminder_sent", "confirmed"));
  ReminderEvent confirmed = events_.events()[1];
  EXPECT_EQ(confirmed.appointment.appointment_id, "a-1");
  EXPECT_EQ(confirmed.patient_ref, "Patient/p-1");
  EXPECT_EQ(confirmed.text_id, "reminder-confirmed");
  EXPECT_EQ(confirmed.risk.points, 10);
  EXPECT_THAT(channel_.TextIds(),
              ElementsAre("reminder", "reminder-confirmed"));
  EXPECT_EQ(channel_.sent[1].text, Text("reminder-confirmed"));
  EXPECT_TRUE(scheduler_.cancels.empty());
  EXPECT_TRUE(handoff_.requests().empty());

  // Confirmed: never reminded again.
  clock_.Advance(absl::Hours(5));
  EXPECT_EQ(worker->RunOnce()->sent, 0);
}

TEST_F(ReminderWorkerTest, CancelReleasesTheSlotOffersThreeAndBooksTheChoice) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 9, 0)));
  scheduler_.find_results = {
      Slot("same", Local(2026, 12, 1, 9, 0)),  // the time given up
      Slot("o1", Local(2026, 12, 2, 9, 0)),
      Slot("o2", Local(2026, 12, 2, 9, 20)),
      Slot("o3", Local(2026, 12, 3, 9, 0)),
  };
  channel_.replies["reminder/a-1"] = {"Cancel please", "2"};
  auto worker = Worker();
  auto summary = worker->RunOnce();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->cancelled, 1);
  EXPECT_EQ(summary->rescheduled, 1);

  EXPECT_THAT(scheduler_.cancels, ElementsAre("a-1"));
  ASSERT_EQ(scheduler_.finds.size(), 1u);
  EXPECT_THAT(scheduler_.finds[0].visit_types, ElementsAre("follow-up"));
  EXPECT_THAT(scheduler_.finds[0].practitioners, ElementsAre("dr-patel"));
  EXPECT_EQ(scheduler_.finds[0].start, Local(2026, 12, 1, 0, 0));
  EXPECT_EQ(scheduler_.finds[0].max_results, 20);

  EXPECT_THAT(Types(events_.events()),
              ElementsAre("reminder_sent", "cancellation_captured",
                          "reschedule_offered", "rescheduled"));
  ReminderEvent captured = events_.events()[1];
  EXPECT_TRUE(captured.cancelled);
  ReminderEvent offered = events_.events()[2];
  ASSERT_EQ(offered.offered.size(), 3u);
  EXPECT_EQ(offered.offered[0].appointment_id, "o1");
  EXPECT_EQ(offered.offered[2].appointment_id, "o3");
  EXPECT_EQ(offered.text_id, "reminder-reschedule-offer");

  ASSERT_EQ(channel_.sent.size(), 3u);
  EXPECT_EQ(channel_.sent[1].text,
            "Your appointment is cancelled. We can offer: 1) Wednesday, "
            "December 2 at 9:00 AM with Dr. Patel; 2) Wednesday, December 2 at "
            "9:20 AM with Dr. Patel; 3) Thursday, December 3 at 9:00 AM with "
            "Dr. Patel. Reply with the number of the time you would like, or "
            "call us to find another.");
  EXPECT_EQ(channel_.sent[2].text,
            "You are booked with Dr. Patel on Wednesday, December 2 at 9:20 "
            "AM. Thank you.");

  ASSERT_EQ(scheduler_.holds.size(), 1u);
  EXPECT_EQ(scheduler_.holds[0].appointment_id, "o2");
  ASSERT_EQ(scheduler_.books.size(), 1u);
  EXPECT_EQ(scheduler_.books[0].appointment_id, "held-o2");
  EXPECT_EQ(scheduler_.books[0].patient, "Patient/p-1");
  ReminderEvent moved = events_.events()[3];
  EXPECT_EQ(moved.slot.appointment_id, "booked-o2");
  EXPECT_EQ(moved.appointment.appointment_id, "a-1");
  EXPECT_TRUE(handoff_.requests().empty());
}

// Booking rules that refuse the options named in `refused`.
class RefusingRules : public RescheduleRules {
 public:
  absl::StatusOr<BookingAuthority> MayBook(
      const UpcomingAppointment& original,
      const scheduling::Appointment& option, absl::Time now) override {
    asked.push_back(option.id);
    BookingAuthority a;
    a.allowed = !refused.contains(option.id);
    a.rule_id = a.allowed ? "BOOK-VISIT-LANE" : "BOOK-HOURS";
    a.outcome = a.allowed ? "ai_owned" : "outside_rules";
    return a;
  }
  absl::flat_hash_set<std::string> refused;
  std::vector<std::string> asked;
};

TEST_F(ReminderWorkerTest, OnlyOptionsTheBookingRulesAllowAreOffered) {
  RefusingRules rules;
  rules.refused = {"o1", "o3"};
  rules_ = &rules;
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 9, 0)));
  scheduler_.find_results = {
      Slot("o1", Local(2026, 12, 2, 9, 0)),
      Slot("o2", Local(2026, 12, 2, 9, 20)),
      Slot("o3", Local(2026, 12, 3, 9, 0)),
      Slot("o4", Local(2026, 12, 3, 9, 20)),
      Slot("o5", Local(2026, 12, 3, 9, 40)),
      Slot("o6", Local(2026, 12, 3, 10, 0)),
  };
  channel_.replies["reminder/a-1"] = {"cancel", "1"};
  auto worker = Worker();
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_THAT(rules.asked, ElementsAre("o1", "o2", "o3", "o4", "o5"));
  std::vector<ReminderEvent> offered =
      events_.OfType(ReminderEventType::kRescheduleOffered);
  ASSERT_EQ(offered.size(), 1u);
  ASSERT_EQ(offered[0].offered.size(), 3u);
  EXPECT_EQ(offered[0].offered[0].appointment_id, "o2");
  EXPECT_EQ(offered[0].offered[1].appointment_id, "o4");
  EXPECT_EQ(offered[0].offered[2].appointment_id, "o5");
  std::vector<ReminderEvent> moved =
      events_.OfType(ReminderEventType::kRescheduled);
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].slot.appointment_id, "booked-o2");
  EXPECT_EQ(moved[0].rule_id, "BOOK-VISIT-LANE");
  EXPECT_EQ(moved[0].outcome, "ai_owned");
  EXPECT_THAT(moved[0].ToString(),
              HasSubstr("authority=BOOK-VISIT-LANE/ai_owned"));
}

TEST_F(ReminderWorkerTest, ChoiceMayArriveOnALaterRun) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 9, 0)));
  scheduler_.find_results = {Slot("o1", Local(2026, 12, 2, 9, 0))};
  channel_.replies["reminder/a-1"] = {"I can't make it"};
  auto worker = Worker();
  EXPECT_EQ(worker->RunOnce()->cancelled, 1);
  EXPECT_TRUE(scheduler_.holds.empty());
  source_.Remove("a-1");  // cancelled: the source no longer lists it

  clock_.Advance(absl::Minutes(20));
  EXPECT_EQ(worker->RunOnce()->rescheduled, 0);  // no answer yet
  channel_.replies["reminder/a-1"] = {"1"};
  clock_.Advance(absl::Minutes(20));
  auto summary = worker->RunOnce();
  EXPECT_EQ(summary->rescheduled, 1);
  EXPECT_THAT(summary->order, ElementsAre("a-1"));
  ASSERT_EQ(scheduler_.books.size(), 1u);
  EXPECT_EQ(scheduler_.books[0].appointment_id, "held-o1");
}

TEST_F(ReminderWorkerTest, AnUnansweredOfferGoesToAPerson) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 9, 0)));
  scheduler_.find_results = {Slot("o1", Local(2026, 12, 2, 9, 0))};
  channel_.replies["reminder/a-1"] = {"cancel"};
  auto worker = Worker();  // retry_after 4 hours
  ASSERT_TRUE(worker->RunOnce().ok());
  source_.Remove("a-1");
  clock_.Advance(absl::Hours(3));
  EXPECT_EQ(worker->RunOnce()->handed_off, 0);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(worker->RunOnce()->handed_off, 1);
  ASSERT_EQ(handoff_.requests().size(), 1u);
  EXPECT_EQ(handoff_.requests()[0].reason, "no_choice");
  EXPECT_TRUE(scheduler_.holds.empty());
  clock_.Advance(absl::Hours(1));
  EXPECT_TRUE(worker->RunOnce()->order.empty());
}

TEST_F(ReminderWorkerTest, FailedBookingReleasesTheHoldAndHandsOff) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 9, 0)));
  scheduler_.find_results = {Slot("o1", Local(2026, 12, 2, 9, 0))};
  scheduler_.book_status = absl::UnavailableError("ehr down");
  channel_.replies["reminder/a-1"] = {"cancel", "1"};
  auto worker = Worker();
  auto summary = worker->RunOnce();
  EXPECT_EQ(summary->rescheduled, 0);
  EXPECT_EQ(summary->handed_off, 1);
  EXPECT_THAT(scheduler_.cancels, ElementsAre("a-1", "held-o1"));
  EXPECT_THAT(Types(events_.events()),
              ElementsAre("reminder_sent", "cancellation_captured",
                          "reschedule_offered", "hold_released", "handed_off"));
  ReminderEvent released = events_.events()[3];
  EXPECT_EQ(released.slot.appointment_id, "held-o1");
  EXPECT_EQ(released.code, "UNAVAILABLE");
  EXPECT_EQ(events_.events()[4].reason, "book_failed");
}

TEST_F(ReminderWorkerTest, NoOptionsMeansAPersonFindsANewTime) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 9, 0)));
  channel_.replies["reminder/a-1"] = {"cancel"};
  auto worker = Worker();
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_THAT(scheduler_.cancels, ElementsAre("a-1"));
  // Same clinician first, then any clinician the booking rules allow.
  ASSERT_EQ(scheduler_.finds.size(), 2u);
  EXPECT_THAT(scheduler_.finds[1].practitioners,
              ElementsAre("dr-patel", "dr-nguyen", "np-garcia", "pa-okafor"));
  EXPECT_THAT(channel_.TextIds(),
              ElementsAre("reminder", "reminder-cancelled-no-options"));
  ASSERT_EQ(handoff_.requests().size(), 1u);
  EXPECT_EQ(handoff_.requests()[0].reason, "no_reschedule_options");
}

TEST_F(ReminderWorkerTest, AVisitTypeTheAgentMayNotBookGoesToAPerson) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 9, 0), 0,
                   /*new_patient=*/true));
  scheduler_.find_results = {Slot("o1", Local(2026, 12, 2, 9, 0))};
  channel_.replies["reminder/a-1"] = {"cancel"};
  auto worker = Worker();
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_THAT(scheduler_.cancels, ElementsAre("a-1"));
  EXPECT_TRUE(scheduler_.finds.empty());
  ASSERT_EQ(handoff_.requests().size(), 1u);
  EXPECT_EQ(handoff_.requests()[0].reason, "reschedule_needs_person");
}

TEST_F(ReminderWorkerTest, AnythingElseGoesToTheDefaultStaffQueue) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 14, 0)));
  channel_.replies["reminder/a-1"] = {"Is there parking near the clinic?"};
  auto worker = Worker();
  auto summary = worker->RunOnce();
  EXPECT_EQ(summary->handed_off, 1);
  std::vector<HandoffRequest> handoffs = handoff_.requests();
  ASSERT_EQ(handoffs.size(), 1u);
  EXPECT_EQ(handoffs[0].queue, "front-desk");  // the policy's default_queue
  EXPECT_EQ(handoffs[0].reason, "unclear_reply");
  EXPECT_EQ(handoffs[0].appointment_id, "a-1");
  EXPECT_EQ(handoffs[0].patient_words, "Is there parking near the clinic?");
  EXPECT_THAT(Types(events_.events()),
              ElementsAre("reminder_sent", "handed_off"));
  ReminderEvent handed = events_.events()[1];
  EXPECT_EQ(handed.queue, "front-desk");
  EXPECT_EQ(handed.handoff_id, "handoff-1");
  EXPECT_EQ(handed.reason, "unclear_reply");
  EXPECT_EQ(handed.text_id, "reminder-handoff");
  EXPECT_EQ(handed.channel, "sms");
  EXPECT_THAT(channel_.TextIds(), ElementsAre("reminder", "reminder-handoff"));
  EXPECT_TRUE(scheduler_.cancels.empty());
}

TEST_F(ReminderWorkerTest, HumanOnlyTriggerWinsOverCancel) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 14, 0)));
  channel_.replies["reminder/a-1"] = {"cancel, I have chest pain"};
  auto worker = Worker();
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_TRUE(scheduler_.cancels.empty());
  ASSERT_EQ(handoff_.requests().size(), 1u);
  EXPECT_EQ(handoff_.requests()[0].queue, "nurse-line");
  EXPECT_EQ(handoff_.requests()[0].reason, "human_only:urgent-symptoms");
  // The clinic's urgent script, word for word.
  EXPECT_EQ(channel_.sent.back().text_id, policy_->proto().scripts().urgent());
  EXPECT_EQ(channel_.sent.back().text,
            Text(policy_->proto().scripts().urgent()));
}

TEST_F(ReminderWorkerTest, ANonUrgentHumanOnlyCategorySaysItsOwnWording) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 14, 0)));
  channel_.replies["reminder/a-1"] = {"yes, what dose should I take before"};
  auto worker = Worker();
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(worker->RunOnce()->confirmed, 0);
  ASSERT_EQ(handoff_.requests().size(), 1u);
  EXPECT_EQ(handoff_.requests()[0].queue, "nurse-line");
  EXPECT_EQ(handoff_.requests()[0].reason, "human_only:medication-question");
  EXPECT_EQ(channel_.sent.back().text_id, "handoff-medication");
  EXPECT_TRUE(events_.OfType(ReminderEventType::kConfirmed).empty());
}

TEST_F(ReminderWorkerTest, ForgetsFinishedConversationsADayAfter) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 14, 0)));
  channel_.replies["reminder/a-1"] = {"yes"};
  auto worker = Worker();
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(worker->remembered_conversations(), 1u);
  clock_.Set(Local(2026, 12, 2, 13, 0));  // 23 hours after the visit
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(worker->remembered_conversations(), 1u);
  clock_.Set(Local(2026, 12, 2, 15, 0));
  ASSERT_TRUE(worker->RunOnce().ok());
  EXPECT_EQ(worker->remembered_conversations(), 0u);
  EXPECT_EQ(channel_.sent.size(), 2u);  // the reminder and the confirmation
}

TEST_F(ReminderWorkerTest, FailedHandoffIsRetriedNextRun) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 14, 0)));
  channel_.replies["reminder/a-1"] = {"what should I bring?"};
  FailingHandoff handoff;
  handoff.failures = 1;
  auto worker = Worker({}, "reminders", &handoff);
  auto summary = worker->RunOnce();
  EXPECT_EQ(summary->handed_off, 0);
  EXPECT_EQ(summary->errors, 1);
  EXPECT_TRUE(handoff.inner.requests().empty());
  summary = worker->RunOnce();
  EXPECT_EQ(summary->handed_off, 1);
  ASSERT_EQ(handoff.inner.requests().size(), 1u);
  EXPECT_EQ(handoff.inner.requests()[0].patient_words, "what should I bring?");
  EXPECT_EQ(events_.OfType(ReminderEventType::kHandedOff).size(), 1u);
  // Only one reminder and one handoff message went out.
  EXPECT_THAT(channel_.TextIds(), ElementsAre("reminder", "reminder-handoff"));
}

TEST_F(ReminderWorkerTest, NoPatientDetailsInLogsEventsOrErrors) {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "reminders-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);

  const std::string name = "Jane Roe";
  const std::string phone = "555-0142";
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 14, 0)));
  source_.Add(Appt("a-2", "Patient/p-2", Local(2026, 12, 1, 15, 0)));
  // a-1's reminder fails with an error that names the patient.
  channel_.send_errors = {
      absl::InvalidArgumentError("gateway refused " + phone + " for " + name),
      absl::OkStatus()};
  channel_.replies["reminder/a-2"] = {"This is " + name + " at " + phone +
                                      ", cancel and call me back please"};
  FailingHandoff handoff;
  handoff.failures = 1;
  auto worker = Worker({}, "reminders", &handoff);
  auto summary = worker->RunOnce();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->errors, 2);  // the send and the handoff
  summary = worker->RunOnce();    // the handoff goes through
  ASSERT_TRUE(summary.ok());
  spdlog::set_default_logger(previous);

  const std::string logged = log.str();
  EXPECT_THAT(logged, HasSubstr("a-1"));
  EXPECT_THAT(logged, HasSubstr("INVALID_ARGUMENT"));
  EXPECT_THAT(logged, HasSubstr("handed off"));
  for (const std::string& phi :
       {name, std::string("Roe"), phone, std::string("0142")}) {
    EXPECT_THAT(logged, Not(HasSubstr(phi)));
    for (const ReminderEvent& e : events_.events()) {
      EXPECT_THAT(e.ToString(), Not(HasSubstr(phi)));
      EXPECT_THAT(e.reason, Not(HasSubstr(phi)));
      EXPECT_THAT(e.code, Not(HasSubstr(phi)));
    }
  }
  // The words reach the person who takes the handoff, and only there.
  ASSERT_EQ(handoff.inner.requests().size(), 1u);
  EXPECT_THAT(handoff.inner.requests()[0].patient_words, HasSubstr(phone));
}

TEST_F(ReminderWorkerTest, StateCarriesLimitsAndOffersToTheNextWorker) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 14, 0)));
  source_.Add(Appt("a-2", "Patient/p-2", Local(2026, 12, 1, 9, 0)));
  scheduler_.find_results = {Slot("o1", Local(2026, 12, 2, 9, 0))};
  channel_.replies["reminder/a-2"] = {"cancel"};
  ReminderWorkerOptions options;
  options.retry_after = absl::Hours(1);
  auto first = Worker(options);
  EXPECT_EQ(first->RunOnce()->sent, 2);
  const std::string state = first->ExportState();
  source_.Remove("a-2");

  auto second = Worker(options);
  ASSERT_TRUE(second->ImportState(state).ok());
  EXPECT_EQ(second->remembered_conversations(), 2u);
  clock_.Advance(absl::Minutes(30));
  auto summary = second->RunOnce();
  EXPECT_EQ(summary->sent, 0);  // a-1 was reminded 30 minutes ago
  EXPECT_EQ(summary->held_by_limits, 1);
  channel_.replies["reminder/a-2"] = {"1"};
  clock_.Advance(absl::Minutes(30));
  summary = second->RunOnce();
  EXPECT_EQ(summary->sent, 1);
  EXPECT_EQ(summary->rescheduled, 1);  // the offer made by the first worker
  ASSERT_EQ(scheduler_.holds.size(), 1u);
  EXPECT_EQ(scheduler_.holds[0].appointment_id, "o1");
  std::vector<ReminderEvent> sent =
      events_.OfType(ReminderEventType::kReminderSent);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[2].appointment.appointment_id, "a-1");
  EXPECT_EQ(sent[2].attempt, 2);
}

TEST_F(ReminderWorkerTest, StateHoldsNoPatientWordsAndRefusesGarbage) {
  source_.Add(Appt("a-1", "Patient/p-1", Local(2026, 12, 1, 14, 0)));
  channel_.replies["reminder/a-1"] = {"Jane Roe here, 555-0142, a question"};
  FailingHandoff handoff;
  handoff.failures = 1;
  auto worker = Worker({}, "reminders", &handoff);
  ASSERT_TRUE(worker->RunOnce().ok());  // the handoff is pending
  const std::string state = worker->ExportState();
  EXPECT_THAT(state, Not(HasSubstr("Jane")));
  EXPECT_THAT(state, Not(HasSubstr("0142")));
  EXPECT_THAT(state, HasSubstr("unclear_reply"));

  // The pending handoff survives, without the words.
  auto next = Worker({}, "reminders", &handoff);
  ASSERT_TRUE(next->ImportState(state).ok());
  EXPECT_EQ(next->RunOnce()->handed_off, 1);
  ASSERT_EQ(handoff.inner.requests().size(), 1u);
  EXPECT_EQ(handoff.inner.requests()[0].reason, "unclear_reply");
  EXPECT_EQ(handoff.inner.requests()[0].patient_words, "");

  absl::Status bad = next->ImportState("{\"version\": 2}");
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "reminder state: not a version 1 state object");
  std::string broken =
      absl::StrReplaceAll(state, {{"\"attempts\":1", "\"attempts\":\"x\""}});
  ASSERT_NE(broken, state);
  bad = next->ImportState(broken);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "reminder state: conversations[0].attempts");
  EXPECT_EQ(next->remembered_conversations(), 1u);  // unchanged
}

TEST(ReplyIntentTest, ShortClearRepliesOnly) {
  EXPECT_EQ(ClassifyReply("YES"), ReplyIntent::kConfirm);
  EXPECT_EQ(ClassifyReply("Confirmed, thanks"), ReplyIntent::kConfirm);
  EXPECT_EQ(ClassifyReply("ok see you then"), ReplyIntent::kConfirm);
  EXPECT_EQ(ClassifyReply("CANCEL"), ReplyIntent::kCancel);
  EXPECT_EQ(ClassifyReply("Cancelled"), ReplyIntent::kCancel);
  EXPECT_EQ(ClassifyReply("sorry I cant make it"), ReplyIntent::kCancel);
  EXPECT_EQ(ClassifyReply("need to reschedule"), ReplyIntent::kCancel);
  EXPECT_EQ(ClassifyReply("yes no maybe"), ReplyIntent::kOther);
  EXPECT_EQ(ClassifyReply(""), ReplyIntent::kOther);
  EXPECT_EQ(ClassifyReply("what time should I arrive"), ReplyIntent::kOther);
  EXPECT_EQ(ClassifyReply("yes but I also wanted to ask about my bill please"),
            ReplyIntent::kOther);
}

TEST(ReminderWorkerCreateTest, RefusesMissingTextsQueuesAndDependencies) {
  auto policy = SamplePolicy("reminders");
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  InMemoryUpcomingAppointments source;
  FakeScheduler scheduler;
  ScriptedChannel channel;
  InMemoryReminderEventSink events;
  InMemoryStaffHandoff handoff;
  ReminderWorkerDeps deps{.policy = policy,
                          .clock = &clock,
                          .source = &source,
                          .scheduler = &scheduler,
                          .channel = &channel,
                          .events = &events,
                          .handoff = &handoff,
                          .rules = nullptr};

  ReminderWorkerOptions missing_text;
  missing_text.scripts.confirmed = "no-such-text";
  auto w = ReminderWorker::Create(deps, missing_text);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(w.status().message(),
            "reminders: the policy has no approved text \"no-such-text\"");

  ReminderWorkerOptions bad_queue;
  bad_queue.handoff_queue = "nowhere";
  w = ReminderWorker::Create(deps, bad_queue);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(w.status().message(),
            "reminders: the policy has no queue \"nowhere\"");

  ReminderWorkerOptions too_many;
  too_many.max_reschedule_options = 4;
  w = ReminderWorker::Create(deps, too_many);
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(w.status().message(),
            "options.max_reschedule_options: must be 1 to 3");

  ReminderWorkerDeps no_channel = deps;
  no_channel.channel = nullptr;
  w = ReminderWorker::Create(no_channel, {});
  EXPECT_EQ(w.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(w.status().message(), "deps.channel");
}

}  // namespace
}  // namespace frontdesk::reminders
