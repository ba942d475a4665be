// Scheduler: find, hold, book and cancel appointments with the semantics of
// the Argonaut Scheduling implementation guide.
//
// The EHR decides what is available; a caller only takes the order. `Find`
// proposes appointments (status proposed), `Hold` makes one pending until its
// hold expires, `Book` makes it booked (and, given the appointment it
// replaces, cancels that one in the same step: reschedule is
// cancel-and-rebook), `Cancel` releases a hold or cancels a booking.
//
// Argonaut's $hold and $book are not idempotent, so every Hold and Book here
// carries an idempotency key: a retry with the same key and the same request
// returns the same appointment and never holds or books twice; the same key
// with a different request is refused.
//
// Errors (every implementation returns the same codes; docs/SCHEDULING.md):
//   INVALID_ARGUMENT     a malformed request; the message names the field.
//                        Also an idempotency key reused for another request.
//   NOT_FOUND            no such appointment, clinician or visit type.
//   ABORTED              the slot is taken (held or booked by someone else);
//                        find again and offer another.
//   FAILED_PRECONDITION  the appointment is in the wrong state for the call
//                        (booking an expired hold, cancelling a proposal).
//   DEADLINE_EXCEEDED    the EHR did not answer in time; for Hold and Book the
//                        outcome is unknown: retry with the SAME key.
//   UNAVAILABLE          the EHR cannot be reached.
//   INTERNAL             anything else.
// No message ever carries patient details.
//
// Example:
//   auto found = scheduler.Find({.start = from, .end = to,
//                                .visit_types = {"follow-up"}});
//   auto held = scheduler.Hold({.appointment_id = (*found)[0].id,
//                               .idempotency_key = "call-7/hold-1"});
//   auto booked = scheduler.Book({.appointment_id = held->id,
//                                 .patient = "Patient/p-123",
//                                 .idempotency_key = "call-7/book-1"});
#ifndef FRONTDESK_LIBS_SCHEDULING_SCHEDULER_H_
#define FRONTDESK_LIBS_SCHEDULING_SCHEDULER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace frontdesk::scheduling {

// FHIR R4 Appointment.status values used by the Argonaut flow.
enum class AppointmentStatus { kProposed, kPending, kBooked, kCancelled };

// "proposed", "pending", "booked", "cancelled".
absl::string_view StatusName(AppointmentStatus status);
// The inverse of StatusName; false for any other FHIR status.
bool ParseStatusName(absl::string_view name, AppointmentStatus* status);

struct Appointment {
  // Proposed appointments have ids that name their slot; a hold or a booking
  // gets its own id.
  std::string id;
  AppointmentStatus status = AppointmentStatus::kProposed;
  // Schedule ids: "follow-up", "dr-patel".
  std::string visit_type;
  std::string practitioner;
  // An opaque patient reference ("Patient/p-123"); empty until booked.
  std::string patient;
  absl::Time start;
  absl::Time end;
  // Pending only: when the hold lapses. absl::InfinitePast() when the EHR
  // did not say (no Expires header).
  absl::Time hold_expires = absl::InfinitePast();
  // Book with a replaced appointment: that appointment's id.
  std::string replaces;
  // True when the answer came from a simulated EHR (or the embedded store),
  // false when a real EHR confirmed it. Every booking event carries it.
  bool simulated = true;

  bool operator==(const Appointment&) const = default;
};

struct FindRequest {
  // [start, end): appointments that start in the window.
  absl::Time start;
  absl::Time end;
  // Empty: any visit type.
  std::vector<std::string> visit_types;
  // Empty: any clinician.
  std::vector<std::string> practitioners;
  // Opaque patient reference; optional.
  std::string patient;
  // At most this many proposals, earliest first (1..200).
  int max_results = 20;
};

struct HoldRequest {
  // A proposed appointment's id from Find.
  std::string appointment_id;
  std::string idempotency_key;
};

struct BookRequest {
  // A held (pending) appointment's id, or a proposed one's.
  std::string appointment_id;
  // Opaque patient reference; required.
  std::string patient;
  // Optional: the booked appointment this one replaces (reschedule). It is
  // cancelled in the same step; if the booking fails it stays booked.
  std::string cancelled_appointment_id;
  std::string idempotency_key;
};

// The scheduling interface. Implementations are thread-safe.
class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // Proposed appointments that fit the request, earliest first.
  virtual absl::StatusOr<std::vector<Appointment>> Find(
      const FindRequest& request) = 0;
  // Holds a proposed appointment: returns it pending with its expiry. A taken
  // slot is ABORTED.
  virtual absl::StatusOr<Appointment> Hold(const HoldRequest& request) = 0;
  // Books a held or proposed appointment for the patient.
  virtual absl::StatusOr<Appointment> Book(const BookRequest& request) = 0;
  // Releases a hold or cancels a booking: returns it cancelled. Cancelling a
  // cancelled appointment returns it unchanged.
  virtual absl::StatusOr<Appointment> Cancel(
      absl::string_view appointment_id) = 0;
  // The appointment as it stands now (pending, booked or cancelled).
  virtual absl::StatusOr<Appointment> Get(absl::string_view appointment_id) = 0;
};

}  // namespace frontdesk::scheduling

#endif  // FRONTDESK_LIBS_SCHEDULING_SCHEDULER_H_
