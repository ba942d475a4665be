#include "services/answer/booking_conversation.h"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"

namespace frontdesk::answer {
namespace {

namespace ev = frontdesk::events::v1;
namespace rv = frontdesk::rules::v1;
using scheduling::Appointment;

constexpr std::array<const char*, 11> kRequiredTexts = {
    kBookingAskWhenText,         kBookingSlotOptionText,
    kBookingOfferSlotsText,      kBookingNoneFoundText,
    kBookingConfirmHoldText,     kBookingBookedText,
    kBookingBookedSimulatedText, kBookingHeldForStaffText,
    kBookingSlotTakenText,       kBookingFailedText,
    kBookingExceptionText};

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp out;
  const int64_t seconds = absl::ToUnixSeconds(t);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
  return out;
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

ev::AppointmentRef RefOf(const Appointment& a) {
  ev::AppointmentRef ref;
  ref.set_appointment_id(a.id);
  ref.set_visit_type(a.visit_type);
  ref.set_clinician(a.practitioner);
  *ref.mutable_start() = ToProto(a.start);
  *ref.mutable_end() = ToProto(a.end);
  return ref;
}

ev::EhrMode EhrOf(const Appointment& a) {
  return a.simulated ? ev::EHR_MODE_SIMULATED : ev::EHR_MODE_LIVE;
}

std::string OutcomeName(rv::BookingOutcome outcome) {
  switch (outcome) {
    case rv::BOOKING_OUTCOME_AI_OWNED:
      return "ai_owned";
    case rv::BOOKING_OUTCOME_AI_ASSISTED:
      return "ai_assisted";
    case rv::BOOKING_OUTCOME_OUTSIDE_RULES:
      return "outside_rules";
    default:
      return "unspecified";
  }
}

ev::BookingAuthority AuthorityOf(const rv::BookingDecision& d) {
  ev::BookingAuthority a;
  a.set_decision_id(d.decision_id());
  a.set_rule_id(d.rule_id());
  a.set_outcome(OutcomeName(d.outcome()));
  return a;
}

// The caller's words as lower-case tokens; ':' stays inside "9:10".
std::vector<std::string> Tokens(absl::string_view words) {
  std::string lower = absl::AsciiStrToLower(words);
  for (char& c : lower) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != ':' &&
        c != '\'') {
      c = ' ';
    }
  }
  return absl::StrSplit(lower, ' ', absl::SkipEmpty());
}

bool HasAny(const std::vector<std::string>& tokens,
            std::initializer_list<absl::string_view> words) {
  for (const std::string& t : tokens) {
    for (absl::string_view w : words) {
      if (t == w) return true;
    }
  }
  return false;
}

// Words that turn a yes around ("don't book it", "not that one").
bool Negated(const std::vector<std::string>& tokens) {
  return HasAny(tokens, {"don't", "dont", "not", "never", "cancel", "wait"});
}

bool SaysYes(const std::vector<std::string>& tokens) {
  return !Negated(tokens) &&
         HasAny(tokens, {"yes", "yeah", "yep", "yup", "sure", "ok", "okay",
                         "book", "fine", "perfect", "correct"});
}

bool SaysNo(const std::vector<std::string>& tokens) {
  return Negated(tokens) ||
         HasAny(tokens, {"no", "none", "neither", "nope", "nah", "other",
                         "others", "different"});
}

// 0-based index named by "the first one", "the second", "number 3", "the
// last one"; -1 when none. `count` is how many were offered.
int OrdinalPick(const std::vector<std::string>& tokens, size_t count) {
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (t == "first" || t == "1st") return 0;
    if (t == "second" || t == "2nd") return 1;
    if (t == "third" || t == "3rd") return 2;
    if (t == "last" && count > 0) return static_cast<int>(count) - 1;
    const bool numbered =
        i > 0 && (tokens[i - 1] == "number" || tokens[i - 1] == "option");
    if (numbered || tokens.size() == 1) {
      if (t == "one" || t == "1") return 0;
      if (t == "two" || t == "2") return 1;
      if (t == "three" || t == "3") return 2;
    }
  }
  return -1;
}

// A clock time "9:10" in the words, as minutes after midnight on a 12-hour
// dial (9:10 and 21:10 are the same); -1 when none.
int ClockMinutes(const std::vector<std::string>& tokens) {
  for (const std::string& t : tokens) {
    std::vector<absl::string_view> parts = absl::StrSplit(t, ':');
    if (parts.size() != 2 || parts[1].size() != 2) continue;
    int hour = 0;
    int minute = 0;
    if (!absl::SimpleAtoi(parts[0], &hour) ||
        !absl::SimpleAtoi(parts[1], &minute)) {
      continue;
    }
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59) continue;
    return (hour % 12) * 60 + minute;
  }
  return -1;
}

constexpr std::array<const char*, 7> kWeekdays = {
    "Monday", "Tuesday",  "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday"};
constexpr std::array<const char*, 12> kMonths = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

std::string DayWords(absl::Time t, absl::TimeZone zone) {
  const absl::CivilDay day = absl::ToCivilDay(t, zone);
  return absl::StrCat(kWeekdays[static_cast<int>(absl::GetWeekday(day))], ", ",
                      kMonths[day.month() - 1], " ", day.day());
}

std::string TimeWords(absl::Time t, absl::TimeZone zone) {
  const absl::CivilMinute m = absl::ToCivilMinute(t, zone);
  const int hour12 = m.hour() % 12 == 0 ? 12 : m.hour() % 12;
  return absl::StrCat(hour12, ":", m.minute() < 10 ? "0" : "", m.minute(),
                      m.hour() < 12 ? " AM" : " PM");
}

}  // namespace

absl::string_view BookingStateName(BookingState state) {
  switch (state) {
    case BookingState::kAskingWhen:
      return "asking_when";
    case BookingState::kOffered:
      return "offered";
    case BookingState::kConfirming:
      return "confirming";
    case BookingState::kBooked:
      return "booked";
    case BookingState::kHandedOff:
      return "handed_off";
    case BookingState::kEnded:
      return "ended";
  }
  return "unknown";
}

absl::StatusOr<std::unique_ptr<BookingConversation>>
BookingConversation::Create(BookingConversationOptions options,
                            BookingDependencies deps) {
  if (options.call_id.empty()) {
    return absl::InvalidArgumentError("call_id is required");
  }
  if (options.policy == nullptr) {
    return absl::InvalidArgumentError("policy is required");
  }
  if (options.schedule == nullptr) {
    return absl::InvalidArgumentError("schedule is required");
  }
  if (options.offer_size < 1 || options.offer_size > 3) {
    return absl::InvalidArgumentError("offer_size must be 1 to 3");
  }
  if (options.search_size < options.offer_size || options.search_size > 200) {
    return absl::InvalidArgumentError("search_size must be offer_size to 200");
  }
  if (deps.authorizer == nullptr || deps.scheduler == nullptr ||
      deps.events == nullptr) {
    return absl::InvalidArgumentError(
        "deps: authorizer, scheduler and events are required");
  }
  for (const char* id : kRequiredTexts) {
    if (options.policy->FindText(id) == nullptr) {
      return absl::FailedPreconditionError(
          absl::StrCat("policy has no approved text ", id));
    }
  }
  return std::unique_ptr<BookingConversation>(
      new BookingConversation(std::move(options), deps));
}

BookingConversation::BookingConversation(BookingConversationOptions options,
                                         BookingDependencies deps)
    : options_(std::move(options)), deps_(deps) {}

absl::StatusOr<BookingReply> BookingConversation::Turn(
    const BookingTurn& turn) {
  if (turn.tenant_id.empty()) {
    return absl::InvalidArgumentError("tenant_id is required");
  }
  if (turn.patient_ref.empty()) {
    return absl::InvalidArgumentError("patient_ref is required");
  }
  if (turn.visit_type.empty()) {
    return absl::InvalidArgumentError("visit_type is required");
  }
  if (state_ == BookingState::kBooked || state_ == BookingState::kHandedOff ||
      state_ == BookingState::kEnded) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the booking conversation is over: ", BookingStateName(state_)));
  }
  ++turn_index_;
  tenant_id_ = turn.tenant_id;
  BookingReply reply;
  const std::vector<std::string> tokens = Tokens(turn.words);
  absl::StatusOr<scheduling::DateWindow> when =
      scheduling::ParseNaturalDate(turn.words, DateContext(turn.now));

  switch (state_) {
    case BookingState::kAskingWhen:
      if (when.ok()) {
        Search(turn, *when, &reply);
      } else {
        Say(kBookingAskWhenText, nullptr, &reply);
      }
      break;
    case BookingState::kOffered: {
      const int ordinal = OrdinalPick(tokens, offered_.size());
      if (ordinal >= 0 && static_cast<size_t>(ordinal) < offered_.size()) {
        Pick(turn, static_cast<size_t>(ordinal), &reply);
        break;
      }
      if (when.ok()) {
        // "Tuesday at 9:10" picks an offered slot; a day or time that fits
        // none of them is a change of mind.
        const int clock = ClockMinutes(tokens);
        std::vector<size_t> matches;
        for (size_t i = 0; i < offered_.size(); ++i) {
          const Appointment& a = offered_[i];
          bool inside = false;
          for (const scheduling::TimeInterval& iv : when->intervals) {
            inside = inside || (a.start >= iv.start && a.start < iv.end);
          }
          if (!when->practitioners.empty() &&
              std::find(when->practitioners.begin(), when->practitioners.end(),
                        a.practitioner) == when->practitioners.end()) {
            inside = false;
          }
          if (inside && clock >= 0) {
            const absl::CivilMinute m =
                absl::ToCivilMinute(a.start, options_.schedule->timezone);
            inside = (m.hour() % 12) * 60 + m.minute() == clock;
          }
          if (inside) matches.push_back(i);
        }
        if (matches.size() == 1) {
          Pick(turn, matches[0], &reply);
        } else if (matches.empty()) {
          Search(turn, *when, &reply);
        } else {
          SayOffer(&reply);
        }
        break;
      }
      if (SaysNo(tokens)) {
        OfferNext(turn, &reply);
      } else if (SaysYes(tokens) && offered_.size() == 1) {
        Pick(turn, 0, &reply);
      } else {
        SayOffer(&reply);
      }
      break;
    }
    case BookingState::kConfirming:
      // A failed release is not the caller's problem: the hold lapses.
      if (when.ok() && !SaysYes(tokens)) {
        ReleaseHold(turn.now, ev::HoldReleased::REASON_DECLINED, &reply)
            .IgnoreError();
        Search(turn, *when, &reply);
      } else if (SaysYes(tokens)) {
        Confirm(turn, &reply);
      } else if (SaysNo(tokens)) {
        ReleaseHold(turn.now, ev::HoldReleased::REASON_DECLINED, &reply)
            .IgnoreError();
        OfferNext(turn, &reply);
      } else {
        Say(kBookingConfirmHoldText, &*hold_, &reply);
      }
      break;
    case BookingState::kBooked:
    case BookingState::kHandedOff:
    case BookingState::kEnded:
      break;
  }
  reply.state = state_;
  return reply;
}

absl::Status BookingConversation::HangUp(absl::Time now) {
  if (state_ == BookingState::kEnded) return absl::OkStatus();
  absl::Status status;
  if (state_ == BookingState::kConfirming) {
    status = ReleaseHold(now, ev::HoldReleased::REASON_DECLINED, nullptr);
  }
  status.Update(unreported_event_status_);
  unreported_event_status_ = absl::OkStatus();
  if (state_ != BookingState::kBooked && state_ != BookingState::kHandedOff) {
    state_ = BookingState::kEnded;
  }
  return status;
}

scheduling::NaturalDateContext BookingConversation::DateContext(
    absl::Time now) const {
  scheduling::NaturalDateContext c;
  c.now = now;
  c.zone = options_.schedule->timezone;
  c.hours = scheduling::OfficeHoursFromSchedule(*options_.schedule);
  c.clinicians = scheduling::CliniciansFromSchedule(*options_.schedule);
  return c;
}

absl::StatusOr<rv::BookingDecision> BookingConversation::Authorize(
    const BookingTurn& turn, rv::BookingOperation op,
    const std::string& clinician, absl::Time start, absl::Time end) {
  rv::AuthorizeBookingRequest request;
  request.set_tenant_id(turn.tenant_id);
  request.set_call_id(options_.call_id);
  request.set_turn_index(turn_index_);
  request.set_operation(op);
  request.set_visit_type(turn.visit_type);
  request.set_clinician(clinician);
  *request.mutable_slot()->mutable_start() = ToProto(start);
  *request.mutable_slot()->mutable_end() = ToProto(end);
  request.set_new_patient(turn.new_patient);
  return deps_.authorizer->Authorize(request);
}

void BookingConversation::Search(const BookingTurn& turn,
                                 const scheduling::DateWindow& window,
                                 BookingReply* reply) {
  window_ = window;
  candidates_.clear();
  next_candidate_ = 0;
  offered_.clear();
  if (window.intervals.empty()) {
    Say(kBookingNoneFoundText, nullptr, reply);
    state_ = BookingState::kAskingWhen;
    return;
  }
  // One decision for the whole span asked for; its search windows are
  // intersected with the caller's intervals. The first clinician named
  // decides (a caller names one).
  const absl::Time from = window.intervals.front().start;
  const absl::Time to =
      std::min(window.intervals.back().end, from + absl::Hours(24 * 31));
  const std::string clinician =
      window.practitioners.empty() ? "" : window.practitioners.front();
  absl::StatusOr<rv::BookingDecision> decision =
      Authorize(turn, rv::BOOKING_OPERATION_FIND, clinician, from, to);
  if (!decision.ok()) {
    FailClosed(turn, decision.status(), ev::BookingFailed::STAGE_FIND, nullptr,
               nullptr, reply);
    return;
  }
  if (!decision->allowed()) {
    Say(kBookingExceptionText, nullptr, reply);
    HandOff(turn, BookingHandoff::Kind::kOutsideRules, &*decision, "", reply);
    return;
  }
  find_decision_ = *decision;
  const size_t limit = static_cast<size_t>(options_.search_size);
  for (const rv::TimeRange& allowed : decision->search_windows()) {
    const absl::Time a_start = FromProto(allowed.start());
    const absl::Time a_end = FromProto(allowed.end());
    for (const scheduling::TimeInterval& iv : window.intervals) {
      const absl::Time s = std::max(a_start, iv.start);
      const absl::Time e = std::min(a_end, iv.end);
      if (s >= e || candidates_.size() >= limit) continue;
      scheduling::FindRequest find;
      find.start = s;
      find.end = e;
      find.visit_types = {turn.visit_type};
      if (!clinician.empty()) find.practitioners = {clinician};
      find.patient = turn.patient_ref;
      find.max_results = static_cast<int>(limit - candidates_.size());
      absl::StatusOr<std::vector<Appointment>> found =
          deps_.scheduler->Find(find);
      if (!found.ok()) {
        FailClosed(turn, found.status(), ev::BookingFailed::STAGE_FIND, nullptr,
                   &find_decision_, reply);
        return;
      }
      candidates_.insert(candidates_.end(), found->begin(), found->end());
    }
  }
  std::stable_sort(candidates_.begin(), candidates_.end(),
                   [](const Appointment& a, const Appointment& b) {
                     return a.start < b.start;
                   });
  OfferNext(turn, reply);
}

void BookingConversation::OfferNext(const BookingTurn& turn,
                                    BookingReply* reply) {
  offered_.clear();
  if (next_candidate_ >= candidates_.size()) {
    Say(kBookingNoneFoundText, nullptr, reply);
    state_ = BookingState::kAskingWhen;
    return;
  }
  const size_t n = std::min(candidates_.size() - next_candidate_,
                            static_cast<size_t>(options_.offer_size));
  offered_.assign(candidates_.begin() + static_cast<long>(next_candidate_),
                  candidates_.begin() + static_cast<long>(next_candidate_ + n));
  next_candidate_ += n;
  ev::SlotsOffered offered;
  offered.set_turn_index(turn_index_);
  *offered.mutable_authority() = AuthorityOf(find_decision_);
  bool simulated = false;
  for (const Appointment& a : offered_) {
    *offered.add_slots() = RefOf(a);
    simulated = simulated || a.simulated;
  }
  offered.set_ehr(simulated ? ev::EHR_MODE_SIMULATED : ev::EHR_MODE_LIVE);
  Emit(ev::EVENT_TYPE_SLOTS_OFFERED, std::move(offered), turn.now, reply);
  SayOffer(reply);
  state_ = BookingState::kOffered;
}

void BookingConversation::Pick(const BookingTurn& turn, size_t index,
                               BookingReply* reply) {
  const Appointment slot = offered_[index];
  absl::StatusOr<rv::BookingDecision> decision =
      Authorize(turn, rv::BOOKING_OPERATION_HOLD, slot.practitioner, slot.start,
                slot.end);
  if (!decision.ok()) {
    FailClosed(turn, decision.status(), ev::BookingFailed::STAGE_HOLD, &slot,
               nullptr, reply);
    return;
  }
  if (!decision->allowed()) {
    Say(kBookingExceptionText, nullptr, reply);
    HandOff(turn, BookingHandoff::Kind::kOutsideRules, &*decision, "", reply);
    return;
  }
  hold_decision_ = *decision;
  scheduling::HoldRequest hold_request{
      .appointment_id = slot.id,
      .idempotency_key =
          absl::StrCat(options_.call_id, "/", turn_index_, "/hold")};
  absl::StatusOr<Appointment> held = deps_.scheduler->Hold(hold_request);
  if (held.status().code() == absl::StatusCode::kDeadlineExceeded) {
    held = deps_.scheduler->Hold(hold_request);
  }
  if (!held.ok()) {
    if (held.status().code() == absl::StatusCode::kAborted) {
      ev::BookingFailed failed;
      *failed.mutable_appointment() = RefOf(slot);
      *failed.mutable_authority() = AuthorityOf(hold_decision_);
      failed.set_ehr(EhrOf(slot));
      failed.set_stage(ev::BookingFailed::STAGE_HOLD);
      failed.set_code("ABORTED");
      Emit(ev::EVENT_TYPE_BOOKING_FAILED, std::move(failed), turn.now, reply);
      Say(kBookingSlotTakenText, nullptr, reply);
      Search(turn, window_, reply);
      return;
    }
    FailClosed(turn, held.status(), ev::BookingFailed::STAGE_HOLD, &slot,
               &hold_decision_, reply);
    return;
  }
  hold_ = *held;

  absl::StatusOr<rv::BookingDecision> book =
      Authorize(turn, rv::BOOKING_OPERATION_BOOK, held->practitioner,
                held->start, held->end);
  const bool assisted =
      book.ok() && book->outcome() == rv::BOOKING_OUTCOME_AI_ASSISTED;
  const std::string handoff_id =
      absl::StrCat(options_.call_id, "/booking-handoff/", turn_index_);
  ev::HoldPlaced placed;
  *placed.mutable_appointment() = RefOf(*held);
  *placed.mutable_authority() = AuthorityOf(hold_decision_);
  placed.set_ehr(EhrOf(*held));
  if (held->hold_expires != absl::InfinitePast()) {
    *placed.mutable_expires() = ToProto(held->hold_expires);
  }
  placed.set_patient_ref(turn.patient_ref);
  if (assisted) placed.set_handoff_id(handoff_id);
  Emit(ev::EVENT_TYPE_HOLD_PLACED, std::move(placed), turn.now, reply);

  if (!book.ok()) {
    const Appointment hold = *hold_;
    FailClosed(turn, book.status(), ev::BookingFailed::STAGE_BOOK, &hold,
               &hold_decision_, reply);
    ReleaseHold(turn.now, ev::HoldReleased::REASON_FAILED, reply).IgnoreError();
    return;
  }
  if (book->allowed() && book->outcome() == rv::BOOKING_OUTCOME_AI_OWNED) {
    book_decision_ = *book;
    Say(kBookingConfirmHoldText, &*hold_, reply);
    state_ = BookingState::kConfirming;
    return;
  }
  if (assisted) {
    // The hold is a person's now: HangUp leaves it alone.
    const Appointment hold = *hold_;
    hold_.reset();
    Say(kBookingHeldForStaffText, &hold, reply);
    HandOff(turn, BookingHandoff::Kind::kConfirmHold, &*book, hold.id, reply);
    return;
  }
  ReleaseHold(turn.now, ev::HoldReleased::REASON_FAILED, reply).IgnoreError();
  Say(kBookingExceptionText, nullptr, reply);
  HandOff(turn, BookingHandoff::Kind::kOutsideRules, &*book, "", reply);
}

void BookingConversation::Confirm(const BookingTurn& turn,
                                  BookingReply* reply) {
  const Appointment hold = *hold_;
  std::optional<Appointment> previous;
  if (!turn.replaces_appointment_id.empty()) {
    absl::StatusOr<Appointment> old =
        deps_.scheduler->Get(turn.replaces_appointment_id);
    if (old.ok()) previous = *old;
  }
  scheduling::BookRequest request{
      .appointment_id = hold.id,
      .patient = turn.patient_ref,
      .cancelled_appointment_id = turn.replaces_appointment_id,
      .idempotency_key =
          absl::StrCat(options_.call_id, "/", turn_index_, "/book")};
  absl::StatusOr<Appointment> booked = deps_.scheduler->Book(request);
  if (booked.status().code() == absl::StatusCode::kDeadlineExceeded) {
    booked = deps_.scheduler->Book(request);
  }
  if (!booked.ok()) {
    const absl::StatusCode code = booked.status().code();
    if (code == absl::StatusCode::kAborted ||
        code == absl::StatusCode::kFailedPrecondition) {
      // Taken, or the hold lapsed. The release records how the hold ended
      // (cancelling a lapsed hold returns it unchanged).
      ev::BookingFailed failed;
      *failed.mutable_appointment() = RefOf(hold);
      *failed.mutable_authority() = AuthorityOf(book_decision_);
      failed.set_ehr(EhrOf(hold));
      failed.set_stage(ev::BookingFailed::STAGE_BOOK);
      failed.set_code(absl::StatusCodeToString(code));
      Emit(ev::EVENT_TYPE_BOOKING_FAILED, std::move(failed), turn.now, reply);
      ReleaseHold(turn.now,
                  code == absl::StatusCode::kFailedPrecondition
                      ? ev::HoldReleased::REASON_EXPIRED
                      : ev::HoldReleased::REASON_FAILED,
                  reply)
          .IgnoreError();
      Say(kBookingSlotTakenText, nullptr, reply);
      Search(turn, window_, reply);
      return;
    }
    FailClosed(turn, booked.status(), ev::BookingFailed::STAGE_BOOK, &hold,
               &book_decision_, reply);
    // Best effort: a scheduler that cannot book may not release either; an
    // unreleased hold lapses on its own.
    ReleaseHold(turn.now, ev::HoldReleased::REASON_FAILED, reply).IgnoreError();
    return;
  }
  hold_.reset();
  if (turn.replaces_appointment_id.empty()) {
    ev::Booked event;
    *event.mutable_appointment() = RefOf(*booked);
    *event.mutable_authority() = AuthorityOf(book_decision_);
    event.set_ehr(EhrOf(*booked));
    event.set_patient_ref(turn.patient_ref);
    event.set_booked_by("agent");
    Emit(ev::EVENT_TYPE_BOOKED, std::move(event), turn.now, reply);
  } else {
    ev::Rescheduled event;
    *event.mutable_appointment() = RefOf(*booked);
    *event.mutable_authority() = AuthorityOf(book_decision_);
    event.set_ehr(EhrOf(*booked));
    event.set_patient_ref(turn.patient_ref);
    if (previous.has_value()) {
      *event.mutable_previous() = RefOf(*previous);
    } else {
      event.mutable_previous()->set_appointment_id(
          turn.replaces_appointment_id);
    }
    Emit(ev::EVENT_TYPE_RESCHEDULED, std::move(event), turn.now, reply);
  }
  Say(booked->simulated ? kBookingBookedSimulatedText : kBookingBookedText,
      &*booked, reply);
  reply->booked = *booked;
  state_ = BookingState::kBooked;
}

absl::Status BookingConversation::ReleaseHold(absl::Time now,
                                              ev::HoldReleased::Reason reason,
                                              BookingReply* reply) {
  if (!hold_.has_value()) return absl::OkStatus();
  const Appointment hold = *hold_;
  hold_.reset();
  absl::StatusOr<Appointment> cancelled = deps_.scheduler->Cancel(hold.id);
  if (!cancelled.ok()) return cancelled.status();
  ev::HoldReleased released;
  *released.mutable_appointment() = RefOf(hold);
  *released.mutable_authority() = AuthorityOf(hold_decision_);
  released.set_ehr(EhrOf(*cancelled));
  released.set_reason(reason);
  Emit(ev::EVENT_TYPE_HOLD_RELEASED, std::move(released), now, reply);
  return absl::OkStatus();
}

void BookingConversation::FailClosed(const BookingTurn& turn,
                                     const absl::Status& status,
                                     ev::BookingFailed::Stage stage,
                                     const Appointment* appointment,
                                     const rv::BookingDecision* decision,
                                     BookingReply* reply) {
  const std::string handoff_id =
      absl::StrCat(options_.call_id, "/booking-handoff/", turn_index_);
  ev::BookingFailed failed;
  if (appointment != nullptr) {
    *failed.mutable_appointment() = RefOf(*appointment);
    failed.set_ehr(EhrOf(*appointment));
  }
  if (decision != nullptr) *failed.mutable_authority() = AuthorityOf(*decision);
  failed.set_stage(stage);
  failed.set_code(absl::StatusCodeToString(status.code()));
  failed.set_handoff_id(handoff_id);
  Emit(ev::EVENT_TYPE_BOOKING_FAILED, std::move(failed), turn.now, reply);
  Say(kBookingFailedText, nullptr, reply);
  HandOff(turn, BookingHandoff::Kind::kSchedulerFailed, decision, "", reply);
}

void BookingConversation::HandOff(const BookingTurn& /*turn*/,
                                  BookingHandoff::Kind kind,
                                  const rv::BookingDecision* decision,
                                  const std::string& hold_id,
                                  BookingReply* reply) {
  BookingHandoff handoff;
  handoff.kind = kind;
  handoff.handoff_id =
      absl::StrCat(options_.call_id, "/booking-handoff/", turn_index_);
  handoff.hold_appointment_id = hold_id;
  if (decision != nullptr) {
    handoff.decision_id = decision->decision_id();
    handoff.rule_id = decision->rule_id();
    handoff.queue = decision->queue();
  }
  if (handoff.queue.empty()) handoff.queue = SchedulingQueue();
  reply->handoff = std::move(handoff);
  state_ = BookingState::kHandedOff;
}

std::string BookingConversation::SchedulingQueue() const {
  const auto& p = options_.policy->proto();
  return p.booking().exceptions_queue().empty()
             ? p.default_queue()
             : p.booking().exceptions_queue();
}

std::string BookingConversation::ClinicianDisplay(const std::string& id) const {
  const scheduling::ClinicianSpec* c = options_.schedule->FindClinician(id);
  return c == nullptr || c->display.empty() ? id : c->display;
}

std::string BookingConversation::Fill(absl::string_view text_id,
                                      const Appointment* slot) const {
  const policy::v1::ApprovedText* text = options_.policy->FindText(text_id);
  if (slot == nullptr) return text->text();
  const absl::TimeZone zone = options_.schedule->timezone;
  return absl::StrReplaceAll(
      text->text(), {{"{day}", DayWords(slot->start, zone)},
                     {"{time}", TimeWords(slot->start, zone)},
                     {"{clinician}", ClinicianDisplay(slot->practitioner)}});
}

void BookingConversation::Say(absl::string_view text_id,
                              const Appointment* slot, BookingReply* reply) {
  const policy::v1::ApprovedText* text = options_.policy->FindText(text_id);
  if (!reply->say.empty()) reply->say += " ";
  reply->say += Fill(text_id, slot);
  reply->texts.push_back({text->id(), text->version()});
}

void BookingConversation::SayOffer(BookingReply* reply) {
  std::vector<std::string> options;
  for (const Appointment& a : offered_) {
    options.push_back(Fill(kBookingSlotOptionText, &a));
  }
  std::string joined;
  if (options.size() <= 1) {
    joined = options.empty() ? "" : options[0];
  } else {
    joined =
        absl::StrCat(absl::StrJoin(options.begin(), options.end() - 1, "; "),
                     "; or ", options.back());
  }
  const policy::v1::ApprovedText* offer =
      options_.policy->FindText(kBookingOfferSlotsText);
  const policy::v1::ApprovedText* option =
      options_.policy->FindText(kBookingSlotOptionText);
  if (!reply->say.empty()) reply->say += " ";
  reply->say += absl::StrReplaceAll(offer->text(), {{"{options}", joined}});
  reply->texts.push_back({offer->id(), offer->version()});
  reply->texts.push_back({option->id(), option->version()});
}

void BookingConversation::Emit(ev::EventType type,
                               decltype(BookingEvent::payload) payload,
                               absl::Time time, BookingReply* reply) {
  BookingEvent event;
  event.type = type;
  event.tenant_id = tenant_id_;
  event.call_id = options_.call_id;
  event.time = time;
  event.payload = std::move(payload);
  absl::Status status = deps_.events->Emit(event);
  if (reply != nullptr) {
    reply->events_status.Update(status);
  } else {
    unreported_event_status_.Update(status);
  }
}

}  // namespace frontdesk::answer
