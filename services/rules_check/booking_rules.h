// Booking rules: decides a find, hold or book against the clinic's policy.
//
// Pure logic: no network, no clock of its own (the caller passes `now`), no
// logging. The policy's `booking:` section (policy.proto, BookingRules) says
// which visit types may be booked, with which clinicians, inside which hours,
// and which days are excluded; AuthorizeBooking turns one request into one of
// three outcomes, naming the rule that decided it:
//
//   AI-owned      the agent may find, hold and book;
//   AI-assisted   the agent may find and hold, then hands off with the hold
//                 in the packet; a person confirms or releases it (book is
//                 not allowed);
//   outside       no offer; the request goes to the exceptions queue.
//
// The rules apply in this order; the first that puts a request outside the
// rules decides it:
//
//   1. BOOK-ROLLOUT               rollout mode below scheduling: outside.
//   2. BOOK-VISIT-TYPE            a visit type the policy does not list:
//                                 outside.
//   3. BOOK-CLINICIAN             a clinician the visit type does not list:
//                                 outside (find with no clinician skips it).
//   4. BOOK-VISIT-LANE            a visit type whose lane is `outside`.
//   5. BOOK-PAST                  a slot (or a whole window) before now.
//   6. BOOK-DURATION              hold/book: a slot whose length is not the
//                                 visit type's minutes.
//   7. BOOK-HOURS                 a slot not inside one block of the booking
//                                 hours of its day (clinic time; the office
//                                 hours when the policy lists no booking
//                                 hours).
//   8. BOOK-EXCLUSION-CLINIC      a day excluded for the whole clinic, or a
//                                 clinic holiday.
//   9. BOOK-EXCLUSION-CLINICIAN   a day excluded for the slot's clinician.
//
// Then the lane: it starts at the visit type's lane (BOOK-VISIT-LANE) and the
// following rules can only move it away from AI-owned, never back:
//
//  10. BOOK-PROCEDURE             a visit type marked `procedure`:
//                                 booking.procedures (ai_assisted by default).
//  11. BOOK-NEW-PATIENT           a new patient: booking.new_patients
//                                 (ai_assisted by default).
//  12. BOOK-SAME-DAY              hold/book of a slot that starts today
//                                 (clinic time) or within
//                                 same_day.cutoff_minutes of now:
//                                 same_day.lane. Only when same_day is set.
//
// The outcome is the most restrictive lane reached; its rule is the first rule
// in that order that reached it (the reason names any later rule that agreed).
//
// Find: the window is narrowed, not refused. The decision's search windows are
// the parts of the window that are after now, inside the booking hours, not on
// an excluded day (the clinician's too, when one is named), and, when the
// same-day rule's lane is `outside`, after the same-day cutoff. A window with
// nothing left is outside the rules, under the rule that removed the last of
// it. A same-day rule whose lane is ai_assisted does not narrow a find: the
// hold or book of a same-day slot is decided when it is proposed. The
// outcome of a find is the lane the rules give for the visit type, clinician
// and patient (rules 10 and 11).
//
// Example:
//   BookingRequest r;
//   r.operation = BookingOperation::kHold;
//   r.visit_type = "follow-up";
//   r.clinician = "dr-patel";
//   r.slot = {start, start + absl::Minutes(20)};
//   absl::StatusOr<BookingVerdict> v = AuthorizeBooking(policy, r, now);
//   if (v.ok() && v->allowed) { ... }
//
// Thread-safe: AuthorizeBooking only reads its arguments.
#ifndef FRONTDESK_SERVICES_RULES_CHECK_BOOKING_RULES_H_
#define FRONTDESK_SERVICES_RULES_CHECK_BOOKING_RULES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/policy/clinic_policy.h"

namespace frontdesk::rules_check {

// The rule ids a booking decision names, in the order they apply.
inline constexpr char kBookRolloutRule[] = "BOOK-ROLLOUT";
inline constexpr char kBookVisitTypeRule[] = "BOOK-VISIT-TYPE";
inline constexpr char kBookClinicianRule[] = "BOOK-CLINICIAN";
inline constexpr char kBookVisitLaneRule[] = "BOOK-VISIT-LANE";
inline constexpr char kBookPastRule[] = "BOOK-PAST";
inline constexpr char kBookDurationRule[] = "BOOK-DURATION";
inline constexpr char kBookHoursRule[] = "BOOK-HOURS";
inline constexpr char kBookExclusionClinicRule[] = "BOOK-EXCLUSION-CLINIC";
inline constexpr char kBookExclusionClinicianRule[] =
    "BOOK-EXCLUSION-CLINICIAN";
inline constexpr char kBookProcedureRule[] = "BOOK-PROCEDURE";
inline constexpr char kBookNewPatientRule[] = "BOOK-NEW-PATIENT";
inline constexpr char kBookSameDayRule[] = "BOOK-SAME-DAY";

// The longest window a find may search.
inline constexpr absl::Duration kMaxFindWindow = absl::Hours(24 * 31);

enum class BookingOperation { kFind, kHold, kBook };

enum class BookingOutcome { kAiOwned, kAiAssisted, kOutsideRules };

// "ai_owned", "ai_assisted", "outside_rules".
const char* BookingOutcomeName(BookingOutcome outcome);

// [start, end).
struct TimeSpan {
  absl::Time start;
  absl::Time end;
  bool operator==(const TimeSpan& o) const {
    return start == o.start && end == o.end;
  }
};

struct BookingRequest {
  BookingOperation operation = BookingOperation::kFind;
  std::string visit_type;
  // Required for hold and book; for find, empty means any clinician the
  // visit type allows.
  std::string clinician;
  // Hold and book: the slot. Find: the window to search.
  TimeSpan slot;
  bool new_patient = false;
};

struct BookingVerdict {
  BookingOutcome outcome = BookingOutcome::kOutsideRules;
  // Whether the operation may go ahead: find and hold unless outside the
  // rules; book only when AI-owned.
  bool allowed = false;
  std::string rule_id;
  // Plain words naming the rule and the visit type and clinician ids. Never
  // patient details, nor the slot's date or time (with the call, those would
  // say when a patient is seen).
  std::string reason;
  // AI-assisted: where the hold is handed off; outside: where the request
  // goes. booking.exceptions_queue, or default_queue when that is unset.
  // Empty when AI-owned.
  std::string queue;
  std::string policy_version;
  // Find only: the parts of the window that may be searched, in order.
  std::vector<TimeSpan> search_windows;
};

// Decides `request` under `policy` at `now`. INVALID_ARGUMENT, naming the
// field, when the request is malformed: an empty visit type, a hold or book
// without a clinician, a slot whose end is not after its start, or a find
// window longer than kMaxFindWindow. Every other request gets a verdict.
absl::StatusOr<BookingVerdict> AuthorizeBooking(
    const policy::ClinicPolicy& policy, const BookingRequest& request,
    absl::Time now);

}  // namespace frontdesk::rules_check

#endif  // FRONTDESK_SERVICES_RULES_CHECK_BOOKING_RULES_H_
