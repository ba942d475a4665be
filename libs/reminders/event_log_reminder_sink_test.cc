#include "libs/reminders/event_log_reminder_sink.h"

#include <string>

#include "absl/time/time.h"
#include "frontdesk/events/v1/scheduling_events.pb.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/eventlog/in_memory_event_log.h"
#include "libs/events/event_envelope.h"

namespace frontdesk::reminders {
namespace {

namespace ev = frontdesk::events::v1;

constexpr char kTopic[] = "frontdesk.calls.v1";

class EventLogReminderSinkTest : public ::testing::Test {
 protected:
  EventLogReminderSinkTest()
      : clock_(absl::FromUnixSeconds(1800000000)),
        chain_(Producer(), &clock_),
        sink_(&chain_, &log_, "sunrise-family-medicine", "label+0123456789ab") {
  }

  static ev::Producer Producer() {
    ev::Producer p;
    p.set_service("reminders");
    p.set_instance("test");
    return p;
  }

  ReminderEvent Event(ReminderEventType type) const {
    ReminderEvent e;
    e.type = type;
    e.conversation_id = "reminder/a-1";
    e.appointment = {"a-1", "follow-up", "dr-patel",
                     absl::FromUnixSeconds(1800100000),
                     absl::FromUnixSeconds(1800101200)};
    e.patient_ref = "Patient/p-1";
    e.simulated = true;
    e.risk.points = 22;
    e.risk.contributions = {{"base", "10", 10}, {"prior_no_shows", "1", 12}};
    e.channel = "sms";
    e.text_id = "reminder";
    e.text_version = 2;
    return e;
  }

  events::OpenedEvent Record(size_t i) {
    std::vector<eventlog::StoredRecord> records = log_.Topic(kTopic);
    EXPECT_GT(records.size(), i);
    if (records.size() <= i) return {};
    EXPECT_EQ(records[i].key, "reminder/a-1");
    auto opened = events::OpenEnvelopeBytes(records[i].value);
    EXPECT_TRUE(opened.ok()) << opened.status();
    return opened.ok() ? *opened : events::OpenedEvent{};
  }

  FakeClock clock_;
  eventlog::InMemoryEventLog log_;
  events::EventChain chain_;
  EventLogReminderSink sink_;
};

TEST_F(EventLogReminderSinkTest, ReminderSentCarriesTheRiskExplanation) {
  ASSERT_TRUE(sink_.Emit(Event(ReminderEventType::kReminderSent)).ok());
  events::OpenedEvent e = Record(0);
  EXPECT_EQ(e.body.type(), ev::EVENT_TYPE_REMINDER_SENT);
  EXPECT_EQ(e.body.tenant_id(), "sunrise-family-medicine");
  EXPECT_EQ(e.body.call_id(), "reminder/a-1");
  EXPECT_EQ(e.body.policy_version(), "label+0123456789ab");
  EXPECT_EQ(e.body.sequence(), 1u);
  EXPECT_EQ(e.body.producer().service(), "reminders");
  EXPECT_FALSE(e.body.has_sealed_phi());
  ev::ReminderSent p;
  ASSERT_TRUE(p.ParseFromString(e.body.payload()));
  EXPECT_EQ(p.appointment().appointment_id(), "a-1");
  EXPECT_EQ(p.appointment().visit_type(), "follow-up");
  EXPECT_EQ(p.appointment().clinician(), "dr-patel");
  EXPECT_EQ(p.appointment().start().seconds(), 1800100000);
  EXPECT_EQ(p.appointment().end().seconds(), 1800101200);
  EXPECT_EQ(p.ehr(), ev::EHR_MODE_SIMULATED);
  EXPECT_EQ(p.patient_ref(), "Patient/p-1");
  EXPECT_EQ(p.channel(), "sms");
  EXPECT_EQ(p.text(), "reminder@2");
  EXPECT_EQ(p.risk().points(), 22u);
  ASSERT_EQ(p.risk().contributions_size(), 2);
  EXPECT_EQ(p.risk().contributions(1).feature(), "prior_no_shows");
  EXPECT_EQ(p.risk().contributions(1).value(), "1");
  EXPECT_EQ(p.risk().contributions(1).points(), 12);
}

TEST_F(EventLogReminderSinkTest, AConversationChainsInOrder) {
  ReminderEvent confirmed = Event(ReminderEventType::kConfirmed);
  confirmed.simulated = false;
  ASSERT_TRUE(sink_.Emit(Event(ReminderEventType::kReminderSent)).ok());
  ASSERT_TRUE(sink_.Emit(confirmed).ok());
  events::OpenedEvent first = Record(0);
  events::OpenedEvent second = Record(1);
  EXPECT_EQ(second.body.type(), ev::EVENT_TYPE_APPOINTMENT_CONFIRMED);
  EXPECT_EQ(second.body.sequence(), 2u);
  EXPECT_EQ(second.body.prev_hash(), first.envelope.hash());
  ev::AppointmentConfirmed p;
  ASSERT_TRUE(p.ParseFromString(second.body.payload()));
  EXPECT_EQ(p.ehr(), ev::EHR_MODE_LIVE);
  EXPECT_EQ(p.via(), "sms");
}

TEST_F(EventLogReminderSinkTest, CancelOfferRescheduleAndRelease) {
  ReminderEvent captured = Event(ReminderEventType::kCancellationCaptured);
  captured.cancelled = true;
  ReminderEvent offered = Event(ReminderEventType::kRescheduleOffered);
  offered.offered = {
      {"o1", "follow-up", "dr-patel", absl::FromUnixSeconds(1800200000),
       absl::FromUnixSeconds(1800201200)},
      {"o2", "follow-up", "dr-nguyen", absl::FromUnixSeconds(1800300000),
       absl::FromUnixSeconds(1800301200)}};
  ReminderEvent released = Event(ReminderEventType::kHoldReleased);
  released.slot = {"held-o1", "follow-up", "dr-patel",
                   absl::FromUnixSeconds(1800200000),
                   absl::FromUnixSeconds(1800201200)};
  ReminderEvent moved = Event(ReminderEventType::kRescheduled);
  moved.rule_id = "BOOK-VISIT-LANE";
  moved.outcome = "ai_owned";
  moved.slot = {"booked-o2", "follow-up", "dr-nguyen",
                absl::FromUnixSeconds(1800300000),
                absl::FromUnixSeconds(1800301200)};
  for (const ReminderEvent& e : {captured, offered, released, moved}) {
    ASSERT_TRUE(sink_.Emit(e).ok());
  }

  ev::CancellationCaptured c;
  ASSERT_TRUE(c.ParseFromString(Record(0).body.payload()));
  EXPECT_EQ(Record(0).body.type(), ev::EVENT_TYPE_CANCELLATION_CAPTURED);
  EXPECT_TRUE(c.cancelled());
  EXPECT_EQ(c.appointment().appointment_id(), "a-1");

  ev::SlotsOffered o;
  EXPECT_EQ(Record(1).body.type(), ev::EVENT_TYPE_SLOTS_OFFERED);
  ASSERT_TRUE(o.ParseFromString(Record(1).body.payload()));
  ASSERT_EQ(o.slots_size(), 2);
  EXPECT_EQ(o.slots(1).appointment_id(), "o2");
  EXPECT_EQ(o.slots(1).clinician(), "dr-nguyen");

  ev::HoldReleased h;
  EXPECT_EQ(Record(2).body.type(), ev::EVENT_TYPE_HOLD_RELEASED);
  ASSERT_TRUE(h.ParseFromString(Record(2).body.payload()));
  EXPECT_EQ(h.appointment().appointment_id(), "held-o1");
  EXPECT_EQ(h.reason(), ev::HoldReleased::REASON_FAILED);

  ev::Rescheduled r;
  EXPECT_EQ(Record(3).body.type(), ev::EVENT_TYPE_RESCHEDULED);
  ASSERT_TRUE(r.ParseFromString(Record(3).body.payload()));
  EXPECT_EQ(r.appointment().appointment_id(), "booked-o2");
  EXPECT_EQ(r.previous().appointment_id(), "a-1");
  EXPECT_EQ(r.patient_ref(), "Patient/p-1");
  EXPECT_EQ(r.authority().rule_id(), "BOOK-VISIT-LANE");
  EXPECT_EQ(r.authority().outcome(), "ai_owned");
}

TEST_F(EventLogReminderSinkTest, HandedOffIsNotAppended) {
  ReminderEvent handed = Event(ReminderEventType::kHandedOff);
  handed.queue = "front-desk";
  handed.reason = "unclear_reply";
  EXPECT_TRUE(sink_.Emit(handed).ok());
  EXPECT_TRUE(log_.Topic(kTopic).empty());
  EXPECT_FALSE(MapReminderEvent(handed).has_value());
}

TEST_F(EventLogReminderSinkTest, AnUnavailableLogIsReported) {
  log_.SetAvailable(false);
  absl::Status s = sink_.Emit(Event(ReminderEventType::kReminderSent));
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(log_.pending(), 1u);
}

}  // namespace
}  // namespace frontdesk::reminders
