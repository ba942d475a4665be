// The scheduling events (scheduling_events.proto): round trips, golden bytes,
// their names and their one-line summaries.
#include <string>

#include "frontdesk/events/v1/scheduling_events.pb.h"
#include "gtest/gtest.h"
#include "libs/events/event_envelope.h"

namespace frontdesk::events {
namespace {

namespace ev = ::frontdesk::events::v1;

ev::AppointmentRef Appointment() {
  ev::AppointmentRef a;
  a.set_appointment_id("appt-7");
  a.set_visit_type("follow-up");
  a.set_clinician("dr-patel");
  a.mutable_start()->set_seconds(1800000000);
  a.mutable_end()->set_seconds(1800001200);
  return a;
}

ev::BookingAuthority Authority() {
  ev::BookingAuthority a;
  a.set_decision_id("d-1");
  a.set_rule_id("BOOK-VISIT-LANE");
  a.set_outcome("ai_owned");
  return a;
}

ev::EventBody Body(ev::EventType type, const google::protobuf::Message& p) {
  ev::EventBody body;
  body.set_call_id("call-1");
  body.set_type(type);
  p.SerializeToString(body.mutable_payload());
  return body;
}

TEST(SchedulingEventsTest, BookedRoundTripsEveryField) {
  ev::Booked b;
  *b.mutable_appointment() = Appointment();
  *b.mutable_authority() = Authority();
  b.set_ehr(ev::EHR_MODE_SIMULATED);
  b.set_patient_ref("p-opaque-1");
  b.set_booked_by("agent");
  b.set_handoff_id("h-1");
  ev::Booked parsed;
  ASSERT_TRUE(parsed.ParseFromString(b.SerializeAsString()));
  EXPECT_EQ(parsed.appointment().appointment_id(), "appt-7");
  EXPECT_EQ(parsed.appointment().visit_type(), "follow-up");
  EXPECT_EQ(parsed.appointment().clinician(), "dr-patel");
  EXPECT_EQ(parsed.appointment().start().seconds(), 1800000000);
  EXPECT_EQ(parsed.appointment().end().seconds(), 1800001200);
  EXPECT_EQ(parsed.authority().decision_id(), "d-1");
  EXPECT_EQ(parsed.authority().rule_id(), "BOOK-VISIT-LANE");
  EXPECT_EQ(parsed.authority().outcome(), "ai_owned");
  EXPECT_EQ(parsed.ehr(), ev::EHR_MODE_SIMULATED);
  EXPECT_EQ(parsed.patient_ref(), "p-opaque-1");
  EXPECT_EQ(parsed.booked_by(), "agent");
  EXPECT_EQ(parsed.handoff_id(), "h-1");
}

TEST(SchedulingEventsTest, GoldenBytesStayStable) {
  // Field numbers are forever: these are the bytes of version 1 of Booked
  // ({appointment: {appointment_id: "a"}, authority: {rule_id: "R"},
  // ehr: live}).
  ev::Booked b;
  b.mutable_appointment()->set_appointment_id("a");
  b.mutable_authority()->set_rule_id("R");
  b.set_ehr(ev::EHR_MODE_LIVE);
  EXPECT_EQ(ToHex(b.SerializeAsString()), "0a030a016112031201521801");
  ev::Booked parsed;
  ASSERT_TRUE(parsed.ParseFromString(
      std::string("\x0a\x03\x0a\x01\x61\x12\x03\x12\x01\x52\x18\x01", 12)));
  EXPECT_EQ(parsed.appointment().appointment_id(), "a");
  EXPECT_EQ(parsed.authority().rule_id(), "R");
  EXPECT_EQ(parsed.ehr(), ev::EHR_MODE_LIVE);
  // The event type numbers.
  EXPECT_EQ(ev::EVENT_TYPE_SLOTS_OFFERED, 16);
  EXPECT_EQ(ev::EVENT_TYPE_RESCHEDULED, 24);
}

TEST(SchedulingEventsTest, EveryTypeHasAName) {
  EXPECT_EQ(EventTypeName(ev::EVENT_TYPE_SLOTS_OFFERED), "SlotsOffered");
  EXPECT_EQ(EventTypeName(ev::EVENT_TYPE_HOLD_PLACED), "HoldPlaced");
  EXPECT_EQ(EventTypeName(ev::EVENT_TYPE_HOLD_RELEASED), "HoldReleased");
  EXPECT_EQ(EventTypeName(ev::EVENT_TYPE_BOOKED), "Booked");
  EXPECT_EQ(EventTypeName(ev::EVENT_TYPE_BOOKING_FAILED), "BookingFailed");
  EXPECT_EQ(EventTypeName(ev::EVENT_TYPE_REMINDER_SENT), "ReminderSent");
  EXPECT_EQ(EventTypeName(ev::EVENT_TYPE_APPOINTMENT_CONFIRMED),
            "AppointmentConfirmed");
  EXPECT_EQ(EventTypeName(ev::EVENT_TYPE_CANCELLATION_CAPTURED),
            "CancellationCaptured");
  EXPECT_EQ(EventTypeName(ev::EVENT_TYPE_RESCHEDULED), "Rescheduled");
}

TEST(SchedulingEventsTest, SummariesSayLiveOrSimulatedAndNameTheRule) {
  ev::Booked b;
  *b.mutable_appointment() = Appointment();
  *b.mutable_authority() = Authority();
  b.set_ehr(ev::EHR_MODE_LIVE);
  b.set_patient_ref("p-opaque-1");
  b.set_booked_by("agent");
  EXPECT_EQ(SummarizePayload(Body(ev::EVENT_TYPE_BOOKED, b)),
            "appointment=appt-7 visit_type=follow-up clinician=dr-patel "
            "start=2027-01-15T08:00:00+00:00 end=2027-01-15T08:20:00+00:00 "
            "decision=d-1 "
            "rule=BOOK-VISIT-LANE ehr=live by=agent");

  ev::HoldReleased r;
  *r.mutable_appointment() = Appointment();
  r.set_ehr(ev::EHR_MODE_SIMULATED);
  r.set_reason(ev::HoldReleased::REASON_EXPIRED);
  EXPECT_EQ(
      SummarizePayload(Body(ev::EVENT_TYPE_HOLD_RELEASED, r)),
      "appointment=appt-7 visit_type=follow-up clinician=dr-patel "
      "start=2027-01-15T08:00:00+00:00 end=2027-01-15T08:20:00+00:00 decision= "
      "rule= ehr=simulated reason=REASON_EXPIRED");

  ev::SlotsOffered o;
  o.set_turn_index(5);
  *o.add_slots() = Appointment();
  *o.mutable_authority() = Authority();
  o.set_ehr(ev::EHR_MODE_LIVE);
  EXPECT_EQ(SummarizePayload(Body(ev::EVENT_TYPE_SLOTS_OFFERED, o)),
            "turn=5 slots=[appt-7] decision=d-1 rule=BOOK-VISIT-LANE ehr=live");

  ev::BookingFailed f;
  *f.mutable_appointment() = Appointment();
  f.set_stage(ev::BookingFailed::STAGE_BOOK);
  f.set_code("UNAVAILABLE");
  EXPECT_EQ(
      SummarizePayload(Body(ev::EVENT_TYPE_BOOKING_FAILED, f)),
      "appointment=appt-7 visit_type=follow-up clinician=dr-patel "
      "start=2027-01-15T08:00:00+00:00 end=2027-01-15T08:20:00+00:00 decision= "
      "rule= ehr=unspecified stage=STAGE_BOOK code=UNAVAILABLE");
  // The patient reference is opaque and is not repeated in summaries.
  EXPECT_EQ(SummarizePayload(Body(ev::EVENT_TYPE_BOOKED, b)).find("p-opaque"),
            std::string::npos);
}

}  // namespace
}  // namespace frontdesk::events
