#include "services/rules_check/booking_rules.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"

namespace frontdesk::rules_check {

namespace pv = ::frontdesk::policy::v1;

const char* BookingOutcomeName(BookingOutcome outcome) {
  switch (outcome) {
    case BookingOutcome::kAiOwned:
      return "ai_owned";
    case BookingOutcome::kAiAssisted:
      return "ai_assisted";
    case BookingOutcome::kOutsideRules:
      return "outside_rules";
  }
  return "outside_rules";
}

namespace {

using Blocks = google::protobuf::RepeatedPtrField<pv::OpeningHours>;

const char* OperationName(BookingOperation op) {
  switch (op) {
    case BookingOperation::kFind:
      return "find";
    case BookingOperation::kHold:
      return "hold";
    case BookingOperation::kBook:
      return "book";
  }
  return "find";
}

const char* LaneName(pv::BookingLane lane) {
  switch (lane) {
    case pv::BOOKING_LANE_AI_OWNED:
      return "ai_owned";
    case pv::BOOKING_LANE_AI_ASSISTED:
      return "ai_assisted";
    default:
      return "outside";
  }
}

BookingOutcome OutcomeOf(pv::BookingLane lane) {
  switch (lane) {
    case pv::BOOKING_LANE_AI_OWNED:
      return BookingOutcome::kAiOwned;
    case pv::BOOKING_LANE_AI_ASSISTED:
      return BookingOutcome::kAiAssisted;
    default:
      return BookingOutcome::kOutsideRules;
  }
}

// A cap lane left unset means ai_assisted.
pv::BookingLane CapOrAssisted(pv::BookingLane lane) {
  return lane == pv::BOOKING_LANE_UNSPECIFIED ? pv::BOOKING_LANE_AI_ASSISTED
                                              : lane;
}

// "HH:MM" (checked by the loader) as minutes after midnight.
int MinutesOf(const std::string& hhmm) {
  if (hhmm.size() != 5) return 0;
  return ((hhmm[0] - '0') * 10 + (hhmm[1] - '0')) * 60 + (hhmm[3] - '0') * 10 +
         (hhmm[4] - '0');
}

// WEEKDAY_MONDAY = 1 ... WEEKDAY_SUNDAY = 7; absl's monday is 0.
pv::Weekday WeekdayOf(absl::CivilDay day) {
  return static_cast<pv::Weekday>(static_cast<int>(absl::GetWeekday(day)) + 1);
}

const Blocks& BookingHours(const pv::Policy& p) {
  return p.booking().hours().empty() ? p.clinic().office_hours()
                                     : p.booking().hours();
}

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

// The reason the whole clinic books nothing on `day`, or "".
std::string ClinicClosed(const pv::Policy& p, absl::CivilDay day) {
  const std::string ymd = DayText(day);
  for (const auto& e : p.booking().exclusions()) {
    if (e.clinician().empty() && e.date() == ymd) {
      return "the day is excluded for the whole clinic";
    }
  }
  for (const auto& h : p.clinic().holidays()) {
    if (h.date() == ymd) return "the day is a clinic holiday";
  }
  return "";
}

// The reason `clinician` books nothing on `day`, or "".
std::string ClinicianAway(const pv::Policy& p, const std::string& clinician,
                          absl::CivilDay day) {
  if (clinician.empty()) return "";
  const std::string ymd = DayText(day);
  for (const auto& e : p.booking().exclusions()) {
    if (e.clinician() == clinician && e.date() == ymd) {
      return absl::StrCat("the day is excluded for ", clinician);
    }
  }
  return "";
}

class Decider {
 public:
  Decider(const policy::ClinicPolicy& policy, const BookingRequest& request,
          absl::Time now)
      : policy_(policy), p_(policy.proto()), r_(request), now_(now) {
    if (!absl::LoadTimeZone(p_.clinic().timezone(), &tz_)) {
      tz_ = absl::UTCTimeZone();
    }
    verdict_.policy_version = policy.version();
  }

  absl::StatusOr<BookingVerdict> Run() {
    if (absl::Status s = Validate(); !s.ok()) return s;
    if (policy_.rollout_mode() < pv::ROLLOUT_MODE_SCHEDULING) {
      return Outside(kBookRolloutRule,
                     "the rollout mode does not grant scheduling");
    }
    const pv::VisitType* v = policy_.FindVisitType(r_.visit_type);
    if (v == nullptr) {
      return Outside(kBookVisitTypeRule, "not a visit type of this clinic");
    }
    if (!r_.clinician.empty() &&
        std::find(v->clinicians().begin(), v->clinicians().end(),
                  r_.clinician) == v->clinicians().end()) {
      return Outside(kBookClinicianRule,
                     absl::StrCat("visit type ", v->id(),
                                  " is not booked with this clinician"));
    }
    const pv::BookingLane type_lane = policy::VisitTypeLane(*v);
    if (type_lane == pv::BOOKING_LANE_OUTSIDE) {
      return Outside(kBookVisitLaneRule,
                     absl::StrCat("visit type ", v->id(),
                                  " is outside the booking rules"));
    }
    if (r_.operation == BookingOperation::kFind) {
      if (!Narrow()) return verdict_;
    } else if (!CheckSlot(*v)) {
      return verdict_;
    }
    return Lane(*v, type_lane);
  }

 private:
  absl::Status Validate() const {
    if (r_.visit_type.empty()) {
      return absl::InvalidArgumentError("visit_type: required");
    }
    if (r_.operation != BookingOperation::kFind && r_.clinician.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "clinician: required to ", OperationName(r_.operation), " a slot"));
    }
    if (r_.slot.end <= r_.slot.start) {
      return absl::InvalidArgumentError("slot: end must be after start");
    }
    if (r_.operation == BookingOperation::kFind &&
        r_.slot.end - r_.slot.start > kMaxFindWindow) {
      return absl::InvalidArgumentError(
          "slot: a find window may span at most 31 days");
    }
    return absl::OkStatus();
  }

  const std::string& Queue() const {
    return p_.booking().exceptions_queue().empty()
               ? p_.default_queue()
               : p_.booking().exceptions_queue();
  }

  BookingVerdict Outside(const char* rule, std::string reason) {
    verdict_.outcome = BookingOutcome::kOutsideRules;
    verdict_.allowed = false;
    verdict_.rule_id = rule;
    verdict_.reason = std::move(reason);
    verdict_.queue = Queue();
    verdict_.search_windows.clear();
    return verdict_;
  }

  // Rules 5 to 9 for one slot. False when the slot is outside the rules.
  bool CheckSlot(const pv::VisitType& v) {
    if (r_.slot.start < now_) {
      Outside(kBookPastRule, "the slot starts before now");
      return false;
    }
    if (r_.slot.end - r_.slot.start != absl::Minutes(v.minutes())) {
      Outside(kBookDurationRule,
              absl::StrCat("visit type ", v.id(), " takes ", v.minutes(),
                           " minutes; the slot takes ",
                           absl::ToInt64Minutes(r_.slot.end - r_.slot.start)));
      return false;
    }
    const absl::CivilSecond cs = absl::ToCivilSecond(r_.slot.start, tz_);
    const absl::CivilSecond ce = absl::ToCivilSecond(r_.slot.end, tz_);
    const absl::CivilDay day(cs);
    const int64_t from = cs - absl::CivilSecond(day);
    const int64_t to = ce - absl::CivilSecond(day);
    bool inside = false;
    for (const auto& b : BookingHours(p_)) {
      if (b.day() != WeekdayOf(day)) continue;
      inside = inside || (from >= MinutesOf(b.open()) * 60 &&
                          to <= MinutesOf(b.close()) * 60);
    }
    if (!inside) {
      Outside(kBookHoursRule,
              "the slot is not inside the booking hours of its day");
      return false;
    }
    if (std::string why = ClinicClosed(p_, day); !why.empty()) {
      Outside(kBookExclusionClinicRule, why);
      return false;
    }
    if (std::string why = ClinicianAway(p_, r_.clinician, day); !why.empty()) {
      Outside(kBookExclusionClinicianRule, why);
      return false;
    }
    return true;
  }

  // Rules 5, 7, 8, 9 and an outside same-day rule for a find: narrows the
  // window into verdict_.search_windows. False when nothing is left.
  bool Narrow() {
    const absl::Time start = std::max(r_.slot.start, now_);
    const absl::Time end = r_.slot.end;
    if (start >= end) {
      Outside(kBookPastRule, "the whole window is before now");
      return false;
    }
    struct Piece {
      TimeSpan span;
      absl::CivilDay day;
    };
    std::vector<Piece> pieces;
    const absl::CivilDay first(absl::ToCivilSecond(start, tz_));
    const absl::CivilDay last(absl::ToCivilSecond(end, tz_));
    for (absl::CivilDay d = first; d <= last; ++d) {
      for (const auto& b : BookingHours(p_)) {
        if (b.day() != WeekdayOf(d)) continue;
        const absl::Time open =
            tz_.At(absl::CivilSecond(d) + MinutesOf(b.open()) * 60).pre;
        const absl::Time close =
            tz_.At(absl::CivilSecond(d) + MinutesOf(b.close()) * 60).pre;
        const TimeSpan s{std::max(open, start), std::min(close, end)};
        if (s.start < s.end) pieces.push_back({s, d});
      }
    }
    std::sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) {
      return a.span.start < b.span.start;
    });
    if (pieces.empty()) {
      Outside(kBookHoursRule,
              "no part of the window is inside the booking hours");
      return false;
    }
    std::erase_if(pieces, [&](const Piece& x) {
      return !ClinicClosed(p_, x.day).empty();
    });
    if (pieces.empty()) {
      Outside(kBookExclusionClinicRule,
              "every bookable day of the window is excluded for the whole "
              "clinic");
      return false;
    }
    std::erase_if(pieces, [&](const Piece& x) {
      return !ClinicianAway(p_, r_.clinician, x.day).empty();
    });
    if (pieces.empty()) {
      Outside(kBookExclusionClinicianRule,
              absl::StrCat("every bookable day of the window is excluded for ",
                           r_.clinician));
      return false;
    }
    if (p_.booking().has_same_day() &&
        p_.booking().same_day().lane() == pv::BOOKING_LANE_OUTSIDE) {
      const absl::Time cutoff = SameDayEnd();
      std::vector<Piece> kept;
      for (Piece x : pieces) {
        x.span.start = std::max(x.span.start, cutoff);
        if (x.span.start < x.span.end) kept.push_back(x);
      }
      pieces = std::move(kept);
      if (pieces.empty()) {
        Outside(kBookSameDayRule,
                "the window holds only same-day slots, which are outside the "
                "booking rules");
        return false;
      }
    }
    for (const Piece& x : pieces) verdict_.search_windows.push_back(x.span);
    return true;
  }

  // The first moment that is not same-day: the start of tomorrow (clinic
  // time) or now + cutoff, whichever is later.
  absl::Time SameDayEnd() const {
    const absl::CivilDay today(absl::ToCivilSecond(now_, tz_));
    const absl::Time tomorrow = tz_.At(absl::CivilSecond(today + 1)).pre;
    return std::max(
        tomorrow,
        now_ + absl::Minutes(p_.booking().same_day().cutoff_minutes()));
  }

  // Rules 10 to 12 and the outcome.
  BookingVerdict Lane(const pv::VisitType& v, pv::BookingLane type_lane) {
    struct Step {
      const char* rule;
      pv::BookingLane lane;
      std::string why;
    };
    std::vector<Step> steps;
    steps.push_back(
        {kBookVisitLaneRule, type_lane,
         absl::StrCat("visit type ", v.id(), " is ", LaneName(type_lane))});
    if (v.procedure()) {
      const pv::BookingLane l = CapOrAssisted(p_.booking().procedures());
      steps.push_back(
          {kBookProcedureRule, l,
           absl::StrCat("visit type ", v.id(),
                        " is a procedure; procedures are ", LaneName(l))});
    }
    if (r_.new_patient) {
      const pv::BookingLane l = CapOrAssisted(p_.booking().new_patients());
      steps.push_back({kBookNewPatientRule, l,
                       absl::StrCat("new patients are ", LaneName(l))});
    }
    if (r_.operation != BookingOperation::kFind &&
        p_.booking().has_same_day() && r_.slot.start < SameDayEnd()) {
      const pv::BookingLane l = p_.booking().same_day().lane();
      steps.push_back(
          {kBookSameDayRule, l,
           absl::StrCat("the slot is same-day (today, or within ",
                        p_.booking().same_day().cutoff_minutes(),
                        " minutes); same-day bookings are ", LaneName(l))});
    }
    pv::BookingLane lane = pv::BOOKING_LANE_AI_OWNED;
    for (const Step& s : steps) lane = std::max(lane, s.lane);
    const Step* decided = nullptr;
    std::vector<std::string> agreed;
    for (const Step& s : steps) {
      if (s.lane != lane) continue;
      if (decided == nullptr) {
        decided = &s;
      } else {
        agreed.push_back(s.rule);
      }
    }
    if (lane == pv::BOOKING_LANE_OUTSIDE) {
      return Outside(decided->rule, decided->why);
    }
    verdict_.outcome = OutcomeOf(lane);
    verdict_.rule_id = decided->rule;
    verdict_.reason = decided->why;
    if (!agreed.empty()) {
      absl::StrAppend(&verdict_.reason, " (also ", absl::StrJoin(agreed, ", "),
                      ")");
    }
    verdict_.queue = lane == pv::BOOKING_LANE_AI_OWNED ? "" : Queue();
    verdict_.allowed = r_.operation != BookingOperation::kBook ||
                       lane == pv::BOOKING_LANE_AI_OWNED;
    return verdict_;
  }

  const policy::ClinicPolicy& policy_;
  const pv::Policy& p_;
  const BookingRequest& r_;
  const absl::Time now_;
  absl::TimeZone tz_;
  BookingVerdict verdict_;
};

}  // namespace

absl::StatusOr<BookingVerdict> AuthorizeBooking(
    const policy::ClinicPolicy& policy, const BookingRequest& request,
    absl::Time now) {
  return Decider(policy, request, now).Run();
}

}  // namespace frontdesk::rules_check
