// BookingConversation: the scheduling part of a call, as a state machine.
//
// One conversation per call. Each caller turn goes in through Turn(); the
// conversation answers with approved wording only (the policy's booking-*
// texts), and may end in a booking, a hold handed to a person, or a handoff.
//
//   when?  ParseNaturalDate (clinic zone, hours and clinicians from the
//          schedule) -> AuthorizeBooking(find) -> Scheduler::Find inside the
//          decision's search windows -> offer at most 3 slots (SlotsOffered)
//   pick   "the first one", "the second", "Tuesday at 9:10", or "yes" when
//          one slot was offered -> AuthorizeBooking(hold) -> Hold
//          (HoldPlaced) -> AuthorizeBooking(book):
//            AI-owned     read the hold back, and on "yes" Book (Booked, or
//                         Rescheduled when the turn names the appointment it
//                         replaces) and read the booking back;
//            AI-assisted  keep the hold and return a handoff carrying its
//                         appointment id, for a person to confirm or release;
//            outside      release the hold and hand off to the exceptions
//                         queue.
//   A find or hold outside the rules makes no offer and hands off to the
//   decision's queue (the policy's scheduling exceptions queue).
//
// Also: "none of those" offers the next 3 (or asks for another time); a new
// day or time ("actually, Thursday instead") releases any hold and searches
// again; a slot taken between offer and book (ABORTED, or an expired hold)
// is a BookingFailed event, the caller is told, and fresh slots are offered;
// HangUp() releases a hold the caller was still deciding on (HoldReleased).
// A scheduler or rules-check failure fails closed: the booking-failed text,
// a handoff to the scheduling queue, a BookingFailed event, and no booking
// is claimed. A Hold or Book that timed out (outcome unknown) is retried once
// with the same idempotency key before failing closed.
//
// Every event cites the AuthorizeBooking decision id and rule id that allowed
// the step, and is live or simulated as the scheduler's Appointment says.
// Events name the patient only by the opaque reference; the caller's words
// are never in an event, a log line or an error message.
//
// Idempotency keys are "<call id>/<turn>/hold" and "<call id>/<turn>/book"
// (turns count from 1), so a retried Hold or Book never holds or books twice.
// Handoff ids are "<call id>/booking-handoff/<turn>".
//
// Reading the caller: a search uses the first clinician named and at most 31
// days from the first day asked for. A booking read back from a simulated
// scheduler uses booking-booked-simulated, never the live wording.
//
// Example:
//   BookingConversationOptions options;
//   options.call_id = "call-7";
//   options.policy = &policy;
//   options.schedule = &schedule;
//   auto conv = BookingConversation::Create(
//       options,
//       {.authorizer = &authorizer, .scheduler = &store, .events = &sink});
//   BookingTurn t;
//   t.words = "next Tuesday morning";
//   t.tenant_id = policy.tenant_id();
//   t.patient_ref = "Patient/p-1";
//   t.visit_type = "follow-up";
//   t.now = clock.Now();
//   absl::StatusOr<BookingReply> r = (*conv)->Turn(t);   // offers 3 slots
//   t.words = "the second one";
//   r = (*conv)->Turn(t);                                 // held; book it?
//   t.words = "yes";
//   r = (*conv)->Turn(t);                                 // booked
//
// Not thread-safe: one call's turns come one at a time. The dependencies and
// the policy and schedule must outlive the conversation.
#ifndef FRONTDESK_SERVICES_ANSWER_BOOKING_CONVERSATION_H_
#define FRONTDESK_SERVICES_ANSWER_BOOKING_CONVERSATION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "frontdesk/events/v1/envelope.pb.h"
#include "frontdesk/events/v1/scheduling_events.pb.h"
#include "frontdesk/rules/v1/rules_service.pb.h"
#include "libs/policy/clinic_policy.h"
#include "libs/scheduling/natural_date.h"
#include "libs/scheduling/schedule_config.h"
#include "libs/scheduling/scheduler.h"

namespace frontdesk::answer {

// Asks rules-check whether a find, hold or book may go ahead (the
// AuthorizeBooking RPC). Any error status means no decision: the
// conversation fails closed.
class BookingAuthorizer {
 public:
  virtual ~BookingAuthorizer() = default;
  virtual absl::StatusOr<frontdesk::rules::v1::BookingDecision> Authorize(
      const frontdesk::rules::v1::AuthorizeBookingRequest& request) = 0;
};

// One scheduling event, with its envelope type and the call it belongs to.
struct BookingEvent {
  frontdesk::events::v1::EventType type =
      frontdesk::events::v1::EVENT_TYPE_UNSPECIFIED;
  std::string tenant_id;
  std::string call_id;
  absl::Time time;
  std::variant<
      frontdesk::events::v1::SlotsOffered, frontdesk::events::v1::HoldPlaced,
      frontdesk::events::v1::HoldReleased, frontdesk::events::v1::Booked,
      frontdesk::events::v1::BookingFailed, frontdesk::events::v1::Rescheduled>
      payload;
};

// Where the conversation's events go (the calls topic, in the service).
class BookingEventSink {
 public:
  virtual ~BookingEventSink() = default;
  virtual absl::Status Emit(const BookingEvent& event) = 0;
};

// What a turn tells the conversation.
struct BookingTurn {
  // What the caller said. Read, never logged or stored.
  std::string words;
  std::string tenant_id;
  // Opaque ("Patient/p-1").
  std::string patient_ref;
  bool new_patient = false;
  // The visit type the request implies ("follow-up").
  std::string visit_type;
  // Reschedule: the booked appointment the new one replaces.
  std::string replaces_appointment_id;
  absl::Time now;
};

// An approved text said, "id" at "version".
struct SaidText {
  std::string id;
  uint32_t version = 0;
  bool operator==(const SaidText&) const = default;
};

// A request for a person.
struct BookingHandoff {
  enum class Kind {
    // AI-assisted: a hold waits for a person to confirm or release it.
    kConfirmHold,
    // Outside the booking rules: the exceptions queue.
    kOutsideRules,
    // The scheduler or rules-check failed; nothing was booked.
    kSchedulerFailed,
  };
  Kind kind = Kind::kOutsideRules;
  std::string handoff_id;
  std::string queue;
  // kConfirmHold: the held appointment.
  std::string hold_appointment_id;
  // The decision that sent it (empty when rules-check itself failed).
  std::string decision_id;
  std::string rule_id;
};

enum class BookingState {
  // Waiting for the caller to say when.
  kAskingWhen,
  // Slots offered; waiting for a pick.
  kOffered,
  // An AI-owned hold read back; waiting for "yes".
  kConfirming,
  // Booked: the conversation is over.
  kBooked,
  // Handed to a person: the conversation is over.
  kHandedOff,
  // The caller hung up.
  kEnded,
};

// "asking_when", "offered", "confirming", "booked", "handed_off", "ended".
absl::string_view BookingStateName(BookingState state);

struct BookingReply {
  // What to say, approved texts filled in, joined by a space.
  std::string say;
  // The approved texts it was made of, in order.
  std::vector<SaidText> texts;
  BookingState state = BookingState::kAskingWhen;
  std::optional<BookingHandoff> handoff;
  // kBooked: the appointment.
  std::optional<scheduling::Appointment> booked;
  // OK, or the first error an event sink returned this turn (the step it
  // recorded still happened).
  absl::Status events_status;
};

struct BookingConversationOptions {
  std::string call_id;
  // Texts and the exceptions queue. Must hold every booking-* text.
  const policy::ClinicPolicy* policy = nullptr;
  // The clinic's zone, hours and clinicians' names.
  const scheduling::ScheduleConfig* schedule = nullptr;
  // Slots offered at once (1..3).
  int offer_size = 3;
  // Proposals read per search; "none of those" walks through them.
  int search_size = 12;
};

struct BookingDependencies {
  BookingAuthorizer* authorizer = nullptr;
  scheduling::Scheduler* scheduler = nullptr;
  BookingEventSink* events = nullptr;
};

// The approved texts the conversation needs.
inline constexpr char kBookingAskWhenText[] = "booking-ask-when";
inline constexpr char kBookingSlotOptionText[] = "booking-slot-option";
inline constexpr char kBookingOfferSlotsText[] = "booking-offer-slots";
inline constexpr char kBookingNoneFoundText[] = "booking-none-found";
inline constexpr char kBookingConfirmHoldText[] = "booking-confirm-hold";
inline constexpr char kBookingBookedText[] = "booking-booked";
inline constexpr char kBookingBookedSimulatedText[] =
    "booking-booked-simulated";
inline constexpr char kBookingHeldForStaffText[] = "booking-held-for-staff";
inline constexpr char kBookingSlotTakenText[] = "booking-slot-taken";
inline constexpr char kBookingFailedText[] = "booking-failed";
inline constexpr char kBookingExceptionText[] = "booking-exception";

class BookingConversation {
 public:
  // INVALID_ARGUMENT naming the option when one is missing;
  // FAILED_PRECONDITION naming the text when the policy lacks a booking-*
  // text.
  static absl::StatusOr<std::unique_ptr<BookingConversation>> Create(
      BookingConversationOptions options, BookingDependencies deps);

  // One caller turn. INVALID_ARGUMENT (naming the field) for a turn without
  // tenant, patient reference or visit type; FAILED_PRECONDITION after the
  // conversation is over. Every scheduling or rules failure is a reply (fail
  // closed), not an error.
  absl::StatusOr<BookingReply> Turn(const BookingTurn& turn);

  // The caller hung up. Releases a hold waiting for the caller's yes
  // (HoldReleased, declined); a hold handed to a person is kept. Idempotent.
  // The scheduler's error if the release failed (the hold then lapses by
  // itself), or the event sink's.
  absl::Status HangUp(absl::Time now);

  BookingState state() const { return state_; }

 private:
  BookingConversation(BookingConversationOptions options,
                      BookingDependencies deps);

  void Search(const BookingTurn& turn, const scheduling::DateWindow& window,
              BookingReply* reply);
  void OfferNext(const BookingTurn& turn, BookingReply* reply);
  void Pick(const BookingTurn& turn, size_t index, BookingReply* reply);
  void Confirm(const BookingTurn& turn, BookingReply* reply);
  // Cancels hold_ (if any) and records HoldReleased. The scheduler's error
  // when the cancel fails (the hold then lapses on its own). `reply` may be
  // null.
  absl::Status ReleaseHold(absl::Time now,
                           frontdesk::events::v1::HoldReleased::Reason reason,
                           BookingReply* reply);
  // BookingFailed, the booking-failed text and a handoff to the scheduling
  // queue. `appointment` and `decision` may be null.
  void FailClosed(const BookingTurn& turn, const absl::Status& status,
                  frontdesk::events::v1::BookingFailed::Stage stage,
                  const scheduling::Appointment* appointment,
                  const frontdesk::rules::v1::BookingDecision* decision,
                  BookingReply* reply);
  void HandOff(const BookingTurn& turn, BookingHandoff::Kind kind,
               const frontdesk::rules::v1::BookingDecision* decision,
               const std::string& hold_id, BookingReply* reply);
  absl::StatusOr<frontdesk::rules::v1::BookingDecision> Authorize(
      const BookingTurn& turn, frontdesk::rules::v1::BookingOperation op,
      const std::string& clinician, absl::Time start, absl::Time end);
  // The text with {day}, {time} and {clinician} of `slot` (may be null).
  std::string Fill(absl::string_view text_id,
                   const scheduling::Appointment* slot) const;
  void Say(absl::string_view text_id, const scheduling::Appointment* slot,
           BookingReply* reply);
  void SayOffer(BookingReply* reply);
  // The sink's error goes to `reply`, or, when it is null (HangUp), to
  // unreported_event_status_.
  void Emit(frontdesk::events::v1::EventType type,
            decltype(BookingEvent::payload) payload, absl::Time time,
            BookingReply* reply);
  std::string ClinicianDisplay(const std::string& id) const;
  std::string SchedulingQueue() const;
  scheduling::NaturalDateContext DateContext(absl::Time now) const;

  BookingConversationOptions options_;
  BookingDependencies deps_;
  BookingState state_ = BookingState::kAskingWhen;
  uint32_t turn_index_ = 0;
  std::string tenant_id_;
  absl::Status unreported_event_status_;
  // The last search: what the caller asked for, what the rules allowed, what
  // was found, and where the offers have got to.
  scheduling::DateWindow window_;
  frontdesk::rules::v1::BookingDecision find_decision_;
  std::vector<scheduling::Appointment> candidates_;
  size_t next_candidate_ = 0;
  std::vector<scheduling::Appointment> offered_;
  // The hold waiting for the caller's yes, with the decisions that allowed it.
  std::optional<scheduling::Appointment> hold_;
  frontdesk::rules::v1::BookingDecision hold_decision_;
  frontdesk::rules::v1::BookingDecision book_decision_;
};

}  // namespace frontdesk::answer

#endif  // FRONTDESK_SERVICES_ANSWER_BOOKING_CONVERSATION_H_
