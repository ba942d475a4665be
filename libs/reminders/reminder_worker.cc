#include "libs/reminders/reminder_worker.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "libs/policy/utterance_tokens.h"
#include "nlohmann/json.hpp"
#include "spdlog/spdlog.h"

namespace frontdesk::reminders {

namespace pv = frontdesk::policy::v1;

namespace {

// Replies longer than this go to a person whatever they say.
constexpr size_t kMaxAutomaticReplyWords = 8;

constexpr const char* kConfirmPhrases[] = {
    "yes",         "y",       "yep",
    "yeah",        "confirm", "ok",
    "okay",        "sure",    "i will be there",
    "see you then"};
constexpr const char* kCancelPhrases[] = {"no",
                                          "n",
                                          "nope",
                                          "cancel",
                                          "reschedule",
                                          "can't make it",
                                          "can't come",
                                          "won't make it",
                                          "won't be there",
                                          "not coming"};

// True when `phrase`'s terms occur, contiguous, in `terms`.
bool ContainsPhrase(const std::vector<std::string>& terms,
                    const std::vector<std::string>& phrase) {
  if (phrase.empty() || phrase.size() > terms.size()) return false;
  return std::search(terms.begin(), terms.end(), phrase.begin(),
                     phrase.end()) != terms.end();
}

template <size_t N>
bool ContainsAny(const std::vector<std::string>& terms,
                 const char* const (&phrases)[N]) {
  for (const char* p : phrases) {
    if (ContainsPhrase(terms, policy::Terms(p))) return true;
  }
  return false;
}

std::string CodeName(const absl::Status& s) {
  return absl::StatusCodeToString(s.code());
}

SlotRef RefOf(const UpcomingAppointment& a) {
  return {a.appointment_id, a.visit_type, a.clinician, a.start, a.end};
}

SlotRef RefOf(const scheduling::Appointment& a) {
  return {a.id, a.visit_type, a.practitioner, a.start, a.end};
}

std::string ConversationId(const UpcomingAppointment& a) {
  return absl::StrCat("reminder/", a.appointment_id);
}

// "Tuesday, December 1".
std::string DateText(absl::Time t, absl::TimeZone tz) {
  const absl::CivilDay day = absl::ToCivilDay(t, tz);
  return absl::StrCat(absl::FormatTime("%A, %B ", t, tz), day.day());
}

// "9:00 AM".
std::string TimeText(absl::Time t, absl::TimeZone tz) {
  std::string s = absl::FormatTime("%I:%M %p", t, tz);
  if (!s.empty() && s[0] == '0') s.erase(0, 1);
  return s;
}

// The 1-based option a reply names ("2", "option 2"), or 0.
int ParseChoice(const std::string& reply, int options) {
  const std::vector<std::string> terms = policy::Terms(reply);
  if (terms.empty() || terms.size() > 3) return 0;
  int found = 0;
  for (const std::string& t : terms) {
    int n = 0;
    if (absl::SimpleAtoi(t, &n)) {
      if (found != 0) return 0;
      found = n;
    } else if (t != "option" && t != "number" && t != "pleas" &&
               t != "please") {
      return 0;
    }
  }
  return found >= 1 && found <= options ? found : 0;
}

// True when the visit type's lane lets the agent book it itself (the
// booking rules' new-patient, procedure and same-day rules can only move a
// lane away from AI-owned).
bool AgentMayBook(const pv::VisitType& v) {
  return policy::VisitTypeLane(v) == pv::BOOKING_LANE_AI_OWNED;
}

// "HH:MM" (checked by the policy loader) as minutes after midnight.
int MinuteOf(const std::string& hhmm) {
  int h = 0, m = 0;
  if (hhmm.size() != 5 || !absl::SimpleAtoi(hhmm.substr(0, 2), &h) ||
      !absl::SimpleAtoi(hhmm.substr(3, 2), &m)) {
    return -1;
  }
  return h * 60 + m;
}

// What the patient is told when a human-only category takes the
// conversation: the urgent script, word for word, for an urgent category;
// the category's own wording (`say`) when it has one; else `fallback`.
std::string HumanOnlyText(const policy::ClinicPolicy& policy,
                          const pv::HumanOnlyCategory& cat,
                          const std::string& fallback) {
  if (cat.urgent()) return policy.proto().scripts().urgent();
  if (!cat.say().empty()) return cat.say();
  return fallback;
}

}  // namespace

void ApplyPolicyReminders(const pv::Reminders& r,
                          ReminderWorkerOptions* options) {
  if (!r.quiet_start().empty() && !r.quiet_end().empty()) {
    options->quiet.start_minute = MinuteOf(r.quiet_start());
    options->quiet.end_minute = MinuteOf(r.quiet_end());
  }
  if (r.max_attempts_per_appointment() > 0) {
    options->max_attempts_per_appointment =
        static_cast<int>(r.max_attempts_per_appointment());
  }
  if (r.max_attempts_per_patient_per_day() > 0) {
    options->max_attempts_per_patient_per_day =
        static_cast<int>(r.max_attempts_per_patient_per_day());
  }
  const std::pair<const std::string*, std::string*> texts[] = {
      {&r.reminder_text(), &options->scripts.reminder},
      {&r.confirmed_text(), &options->scripts.confirmed},
      {&r.reschedule_offer_text(), &options->scripts.reschedule_offer},
      {&r.no_options_text(), &options->scripts.no_options},
      {&r.rescheduled_text(), &options->scripts.rescheduled},
      {&r.handoff_text(), &options->scripts.handoff}};
  for (const auto& [from, to] : texts) {
    if (!from->empty()) *to = *from;
  }
}

ReplyIntent ClassifyReply(const std::string& reply) {
  const std::vector<std::string> terms = policy::Terms(reply);
  if (terms.empty() || terms.size() > kMaxAutomaticReplyWords) {
    return ReplyIntent::kOther;
  }
  const bool confirm = ContainsAny(terms, kConfirmPhrases);
  const bool cancel = ContainsAny(terms, kCancelPhrases);
  if (confirm == cancel) return ReplyIntent::kOther;
  return confirm ? ReplyIntent::kConfirm : ReplyIntent::kCancel;
}

const pv::HumanOnlyCategory* HumanOnlyMatch(const policy::ClinicPolicy& policy,
                                            const std::string& reply) {
  const std::vector<std::string> terms = policy::Terms(reply);
  for (const pv::HumanOnlyCategory& cat : policy.proto().human_only()) {
    for (const std::string& trigger : cat.triggers()) {
      if (ContainsPhrase(terms, policy::Terms(trigger))) return &cat;
    }
  }
  return nullptr;
}

absl::StatusOr<std::unique_ptr<ReminderWorker>> ReminderWorker::Create(
    ReminderWorkerDeps deps, ReminderWorkerOptions options) {
  if (deps.policy == nullptr) return absl::InvalidArgumentError("deps.policy");
  if (deps.clock == nullptr) return absl::InvalidArgumentError("deps.clock");
  if (deps.source == nullptr) return absl::InvalidArgumentError("deps.source");
  if (deps.scheduler == nullptr) {
    return absl::InvalidArgumentError("deps.scheduler");
  }
  if (deps.channel == nullptr)
    return absl::InvalidArgumentError("deps.channel");
  if (deps.events == nullptr) return absl::InvalidArgumentError("deps.events");
  if (deps.handoff == nullptr)
    return absl::InvalidArgumentError("deps.handoff");
  // The clinic's policy is the authority on quiet hours, limits and
  // wording: what it sets replaces the options.
  ApplyPolicyReminders(deps.policy->proto().reminders(), &options);
  if (options.max_reschedule_options < 1 ||
      options.max_reschedule_options > 3) {
    return absl::InvalidArgumentError(
        "options.max_reschedule_options: must be 1 to 3");
  }
  if (options.max_attempts_per_appointment < 1) {
    return absl::InvalidArgumentError(
        "options.max_attempts_per_appointment: must be at least 1");
  }
  if (options.max_attempts_per_patient_per_day < 1) {
    return absl::InvalidArgumentError(
        "options.max_attempts_per_patient_per_day: must be at least 1");
  }
  if (options.quiet.start_minute < 0 || options.quiet.start_minute > 1440 ||
      options.quiet.end_minute < 0 || options.quiet.end_minute > 1440) {
    return absl::InvalidArgumentError(
        "options.quiet: minutes must be 0 to 1440");
  }
  if (options.min_lead >= options.horizon) {
    return absl::InvalidArgumentError(
        "options.horizon: must be after options.min_lead");
  }
  const policy::ClinicPolicy& p = *deps.policy;
  for (const std::string* id :
       {&options.scripts.reminder, &options.scripts.confirmed,
        &options.scripts.reschedule_offer, &options.scripts.no_options,
        &options.scripts.rescheduled, &options.scripts.handoff}) {
    if (p.FindText(*id) == nullptr) {
      return absl::FailedPreconditionError(absl::StrCat(
          "reminders: the policy has no approved text \"", *id, "\""));
    }
  }
  std::string queue = options.handoff_queue.empty() ? p.proto().default_queue()
                                                    : options.handoff_queue;
  if (p.FindQueue(queue) == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("reminders: the policy has no queue \"", queue, "\""));
  }
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(p.proto().clinic().timezone(), &tz)) {
    return absl::FailedPreconditionError(
        absl::StrCat("reminders: unknown clinic.timezone \"",
                     p.proto().clinic().timezone(), "\""));
  }
  return std::unique_ptr<ReminderWorker>(new ReminderWorker(
      std::move(deps), std::move(options), tz, std::move(queue)));
}

ReminderWorker::ReminderWorker(ReminderWorkerDeps deps,
                               ReminderWorkerOptions options, absl::TimeZone tz,
                               std::string queue)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      tz_(tz),
      queue_(std::move(queue)) {}

bool ReminderWorker::InQuietHours(absl::Time now) const {
  const absl::CivilMinute local = absl::ToCivilMinute(now, tz_);
  const int minute = local.hour() * 60 + local.minute();
  const int start = options_.quiet.start_minute;
  const int end = options_.quiet.end_minute;
  if (start == end) return false;
  if (start < end) return minute >= start && minute < end;
  return minute >= start || minute < end;
}

size_t ReminderWorker::remembered_conversations() const {
  absl::MutexLock lock(&mu_);
  return conversations_.size();
}

void ReminderWorker::Prune(absl::Time now) {
  // A finished conversation is kept until a day after its appointment (so a
  // listing never reminds it again), then dropped.
  absl::erase_if(conversations_, [&](const auto& entry) {
    const Conversation& c = entry.second;
    return c.stage == Stage::kDone && !c.pending_handoff.has_value() &&
           c.appointment.start != absl::Time() &&
           c.appointment.start + absl::Hours(24) < now;
  });
  // Daily counts of earlier clinic days no longer limit anything.
  const std::string today =
      absl::StrCat("|", absl::FormatCivilTime(absl::ToCivilDay(now, tz_)));
  absl::erase_if(sent_per_patient_day_, [&](const auto& entry) {
    return !absl::EndsWith(entry.first, today);
  });
}

std::string ReminderWorker::DayKey(const std::string& patient_ref,
                                   absl::Time t) const {
  return absl::StrCat(patient_ref, "|",
                      absl::FormatCivilTime(absl::ToCivilDay(t, tz_)));
}

std::string ReminderWorker::ClinicianName(const std::string& id,
                                          const Conversation& c) const {
  auto it = options_.clinician_names.find(id);
  if (it != options_.clinician_names.end()) return it->second;
  if (id == c.appointment.clinician &&
      !c.appointment.clinician_display.empty()) {
    return c.appointment.clinician_display;
  }
  return id;
}

ReminderEvent ReminderWorker::BaseEvent(const Conversation& c,
                                        ReminderEventType type) const {
  ReminderEvent e;
  e.type = type;
  e.time = deps_.clock->Now();
  e.conversation_id = ConversationId(c.appointment);
  e.appointment = RefOf(c.appointment);
  e.patient_ref = c.appointment.patient_ref;
  e.simulated = c.appointment.simulated;
  e.risk = c.risk;
  return e;
}

void ReminderWorker::Emit(const ReminderEvent& event, RunSummary& summary) {
  absl::Status s = deps_.events->Emit(event);
  if (!s.ok()) {
    ++summary.errors;
    spdlog::warn("reminders: event {} for appointment {} not recorded: {}",
                 EventTypeName(event.type), event.appointment.appointment_id,
                 CodeName(s));
  }
}

bool ReminderWorker::SendText(
    Conversation& c, const std::string& text_id,
    const std::vector<std::pair<std::string, std::string>>& fill,
    RunSummary& summary) {
  const pv::ApprovedText* text = deps_.policy->FindText(text_id);
  if (text == nullptr) {
    ++summary.errors;
    spdlog::warn("reminders: no approved text {} for appointment {}", text_id,
                 c.appointment.appointment_id);
    return false;
  }
  OutboundMessage m;
  m.conversation_id = ConversationId(c.appointment);
  m.patient_ref = c.appointment.patient_ref;
  m.text_id = text->id();
  m.text_version = text->version();
  m.text = absl::StrReplaceAll(text->text(), fill);
  absl::Status s = deps_.channel->Send(m);
  if (!s.ok()) {
    ++summary.errors;
    spdlog::warn("reminders: sending {} for appointment {} failed: {}", text_id,
                 c.appointment.appointment_id, CodeName(s));
    return false;
  }
  return true;
}

absl::StatusOr<RunSummary> ReminderWorker::RunOnce() {
  absl::MutexLock lock(&mu_);
  RunSummary summary;
  if (deps_.policy->rollout_mode() < pv::ROLLOUT_MODE_REMINDERS) {
    summary.rollout_off = true;
    return summary;
  }
  const absl::Time now = deps_.clock->Now();
  if (InQuietHours(now)) {
    summary.quiet_hours = true;
    return summary;
  }
  absl::StatusOr<std::vector<UpcomingAppointment>> due =
      deps_.source->List(now + options_.min_lead, now + options_.horizon);
  if (!due.ok()) {
    return absl::Status(due.status().code(),
                        absl::StrCat("reminders: listing appointments: ",
                                     due.status().message()));
  }
  std::vector<Conversation*> work;
  absl::flat_hash_map<std::string, bool> listed;
  for (UpcomingAppointment& a : *due) {
    listed[a.appointment_id] = true;
    Conversation& c = conversations_[a.appointment_id];
    c.risk = ScoreNoShowRisk(a, tz_);
    c.appointment = std::move(a);
    if (c.stage != Stage::kDone || c.pending_handoff.has_value()) {
      work.push_back(&c);
    }
  }
  for (auto& [id, c] : conversations_) {
    if (listed.contains(id)) continue;
    if (c.stage == Stage::kAwaitingChoice || c.pending_handoff.has_value()) {
      work.push_back(&c);
    }
  }
  std::sort(work.begin(), work.end(),
            [](const Conversation* x, const Conversation* y) {
              if (x->risk.points != y->risk.points) {
                return x->risk.points > y->risk.points;
              }
              if (x->appointment.start != y->appointment.start) {
                return x->appointment.start < y->appointment.start;
              }
              return x->appointment.appointment_id <
                     y->appointment.appointment_id;
            });
  for (Conversation* c : work) {
    summary.order.push_back(c->appointment.appointment_id);
    Work(*c, now, summary);
  }
  Prune(now);
  return summary;
}

void ReminderWorker::Work(Conversation& c, absl::Time now,
                          RunSummary& summary) {
  if (c.pending_handoff.has_value()) {
    RequestPendingHandoff(c, summary);
    return;
  }
  if (c.stage == Stage::kDone) return;
  const std::string conversation = ConversationId(c.appointment);
  if (c.attempts > 0) {
    absl::StatusOr<std::optional<std::string>> reply =
        deps_.channel->NextReply(conversation, c.appointment.patient_ref);
    if (!reply.ok()) {
      ++summary.errors;
      spdlog::warn("reminders: reading the reply for appointment {} failed: {}",
                   c.appointment.appointment_id, CodeName(reply.status()));
      return;
    }
    if (reply->has_value()) {
      if (c.stage == Stage::kAwaitingChoice) {
        OnChoice(c, **reply, summary);
      } else {
        OnReply(c, **reply, summary);
      }
      return;
    }
    if (c.stage == Stage::kAwaitingChoice) {
      // No choice within retry_after of the offer: a person finds a time.
      if (now - c.offered_at >= options_.retry_after) {
        HandOff(c, queue_, "no_choice", "", options_.scripts.handoff, summary);
      }
      return;
    }
    if (now - c.last_sent < options_.retry_after) {
      ++summary.held_by_limits;
      return;
    }
  }
  if (c.attempts >= options_.max_attempts_per_appointment) {
    HandOff(c, queue_, "no_reply", "", "", summary);
    return;
  }
  const std::string day_key = DayKey(c.appointment.patient_ref, now);
  if (sent_per_patient_day_[day_key] >=
      options_.max_attempts_per_patient_per_day) {
    ++summary.held_by_limits;
    return;
  }
  const UpcomingAppointment& a = c.appointment;
  std::string visit = a.visit_type;
  std::replace(visit.begin(), visit.end(), '-', ' ');
  if (!SendText(c, options_.scripts.reminder,
                {{"{visit_type}", visit},
                 {"{clinician}", ClinicianName(a.clinician, c)},
                 {"{date}", DateText(a.start, tz_)},
                 {"{time}", TimeText(a.start, tz_)}},
                summary)) {
    return;
  }
  ++c.attempts;
  c.last_sent = now;
  ++sent_per_patient_day_[day_key];
  ++summary.sent;
  ReminderEvent e = BaseEvent(c, ReminderEventType::kReminderSent);
  const pv::ApprovedText* text =
      deps_.policy->FindText(options_.scripts.reminder);
  e.channel = deps_.channel->kind();
  e.text_id = text->id();
  e.text_version = text->version();
  e.attempt = c.attempts;
  Emit(e, summary);
  spdlog::info("reminders: sent reminder {} for appointment {} (risk {})",
               c.attempts, a.appointment_id, c.risk.points);

  absl::StatusOr<std::optional<std::string>> reply =
      deps_.channel->NextReply(conversation, c.appointment.patient_ref);
  if (!reply.ok()) {
    ++summary.errors;
    spdlog::warn("reminders: reading the reply for appointment {} failed: {}",
                 a.appointment_id, CodeName(reply.status()));
    return;
  }
  if (reply->has_value()) OnReply(c, **reply, summary);
}

bool ReminderWorker::HandedOffAsHumanOnly(Conversation& c,
                                          const std::string& reply,
                                          RunSummary& summary) {
  const pv::HumanOnlyCategory* cat = HumanOnlyMatch(*deps_.policy, reply);
  if (cat == nullptr) return false;
  const std::string text =
      HumanOnlyText(*deps_.policy, *cat, options_.scripts.handoff);
  HandOff(c, cat->queue(), absl::StrCat("human_only:", cat->id()), reply, text,
          summary);
  return true;
}

void ReminderWorker::OnReply(Conversation& c, const std::string& reply,
                             RunSummary& summary) {
  if (HandedOffAsHumanOnly(c, reply, summary)) return;
  switch (ClassifyReply(reply)) {
    case ReplyIntent::kConfirm: {
      c.stage = Stage::kDone;
      ++summary.confirmed;
      ReminderEvent e = BaseEvent(c, ReminderEventType::kConfirmed);
      if (SendText(c, options_.scripts.confirmed, {}, summary)) {
        const pv::ApprovedText* text =
            deps_.policy->FindText(options_.scripts.confirmed);
        e.channel = deps_.channel->kind();
        e.text_id = text->id();
        e.text_version = text->version();
      }
      Emit(e, summary);
      spdlog::info("reminders: appointment {} confirmed",
                   c.appointment.appointment_id);
      return;
    }
    case ReplyIntent::kCancel:
      OnCancel(c, reply, summary);
      return;
    case ReplyIntent::kOther:
      HandOff(c, queue_, "unclear_reply", reply, options_.scripts.handoff,
              summary);
      return;
  }
}

void ReminderWorker::OnCancel(Conversation& c, const std::string& reply,
                              RunSummary& summary) {
  const UpcomingAppointment& a = c.appointment;
  absl::StatusOr<scheduling::Appointment> cancelled =
      deps_.scheduler->Cancel(a.appointment_id);
  ReminderEvent captured =
      BaseEvent(c, ReminderEventType::kCancellationCaptured);
  captured.cancelled = cancelled.ok();
  if (!cancelled.ok()) captured.code = CodeName(cancelled.status());
  Emit(captured, summary);
  if (!cancelled.ok()) {
    ++summary.errors;
    spdlog::warn("reminders: cancelling appointment {} failed: {}",
                 a.appointment_id, captured.code);
    HandOff(c, queue_, "cancel_failed", reply, options_.scripts.handoff,
            summary);
    return;
  }
  ++summary.cancelled;
  spdlog::info("reminders: appointment {} cancelled at the patient's request",
               a.appointment_id);

  // Only an AI-owned visit type is rebooked by the agent; any other goes to
  // a person.
  const pv::VisitType* vt = deps_.policy->FindVisitType(a.visit_type);
  if (vt == nullptr || !AgentMayBook(*vt)) {
    HandOff(c, queue_, "reschedule_needs_person", "",
            options_.scripts.no_options, summary);
    return;
  }
  // Options start on the next clinic day: the agent never makes a same-day
  // booking (the booking rules give those to a person).
  const absl::Time now = deps_.clock->Now();
  scheduling::FindRequest find;
  find.start = absl::FromCivil(absl::ToCivilDay(now, tz_) + 1, tz_);
  find.end = now + options_.reschedule_window;
  find.visit_types = {a.visit_type};
  find.practitioners = {a.clinician};
  // More than are offered: the time given up and options the booking rules
  // refuse are skipped.
  find.max_results = 20;
  std::vector<scheduling::Appointment> options;
  std::vector<BookingAuthority> authority;
  for (int pass = 0; pass < 2 && options.empty(); ++pass) {
    if (pass == 1) {
      // Nothing with the same clinician: any clinician the booking rules
      // allow for the visit type.
      if (vt->clinicians().empty()) break;
      find.practitioners.assign(vt->clinicians().begin(),
                                vt->clinicians().end());
    }
    absl::StatusOr<std::vector<scheduling::Appointment>> found =
        deps_.scheduler->Find(find);
    if (!found.ok()) {
      ++summary.errors;
      spdlog::warn("reminders: finding options for appointment {} failed: {}",
                   a.appointment_id, CodeName(found.status()));
      HandOff(c, queue_, "find_failed", "", options_.scripts.no_options,
              summary);
      return;
    }
    for (scheduling::Appointment& o : *found) {
      if (static_cast<int>(options.size()) >= options_.max_reschedule_options) {
        break;
      }
      // Never offer back the time just given up.
      if (o.start == a.start && o.practitioner == a.clinician) continue;
      BookingAuthority may;
      may.allowed = true;
      if (deps_.rules != nullptr) {
        absl::StatusOr<BookingAuthority> verdict =
            deps_.rules->MayBook(a, o, now);
        if (!verdict.ok()) {
          ++summary.errors;
          spdlog::warn(
              "reminders: booking rules for an option of appointment {} "
              "failed: {}",
              a.appointment_id, CodeName(verdict.status()));
          continue;
        }
        may = *std::move(verdict);
      }
      if (!may.allowed) continue;
      options.push_back(std::move(o));
      authority.push_back(std::move(may));
    }
  }
  if (options.empty()) {
    HandOff(c, queue_, "no_reschedule_options", "", options_.scripts.no_options,
            summary);
    return;
  }
  std::vector<std::string> lines;
  for (size_t i = 0; i < options.size(); ++i) {
    lines.push_back(absl::StrCat(i + 1, ") ", DateText(options[i].start, tz_),
                                 " at ", TimeText(options[i].start, tz_),
                                 " with ",
                                 ClinicianName(options[i].practitioner, c)));
  }
  ReminderEvent offered = BaseEvent(c, ReminderEventType::kRescheduleOffered);
  for (const scheduling::Appointment& o : options) {
    offered.offered.push_back(RefOf(o));
  }
  c.options = std::move(options);
  c.authority = std::move(authority);
  c.stage = Stage::kAwaitingChoice;
  c.offered_at = deps_.clock->Now();
  if (SendText(c, options_.scripts.reschedule_offer,
               {{"{options}", absl::StrJoin(lines, "; ")}}, summary)) {
    const pv::ApprovedText* text =
        deps_.policy->FindText(options_.scripts.reschedule_offer);
    offered.channel = deps_.channel->kind();
    offered.text_id = text->id();
    offered.text_version = text->version();
  }
  Emit(offered, summary);

  absl::StatusOr<std::optional<std::string>> choice =
      deps_.channel->NextReply(ConversationId(a), a.patient_ref);
  if (!choice.ok()) {
    ++summary.errors;
    spdlog::warn("reminders: reading the choice for appointment {} failed: {}",
                 a.appointment_id, CodeName(choice.status()));
    return;
  }
  if (choice->has_value()) OnChoice(c, **choice, summary);
}

void ReminderWorker::OnChoice(Conversation& c, const std::string& reply,
                              RunSummary& summary) {
  if (HandedOffAsHumanOnly(c, reply, summary)) return;
  const int choice = ParseChoice(reply, static_cast<int>(c.options.size()));
  if (choice == 0) {
    HandOff(c, queue_, "unclear_choice", reply, options_.scripts.handoff,
            summary);
    return;
  }
  const UpcomingAppointment& a = c.appointment;
  const scheduling::Appointment& option = c.options[choice - 1];
  const std::string key =
      absl::StrCat("reminder/", a.appointment_id, "/option-", choice);
  scheduling::HoldRequest hold;
  hold.appointment_id = option.id;
  hold.idempotency_key = absl::StrCat(key, "/hold");
  absl::StatusOr<scheduling::Appointment> held = deps_.scheduler->Hold(hold);
  if (!held.ok()) {
    if (held.status().code() != absl::StatusCode::kAborted) ++summary.errors;
    spdlog::warn("reminders: holding the choice for appointment {} failed: {}",
                 a.appointment_id, CodeName(held.status()));
    HandOff(c, queue_,
            held.status().code() == absl::StatusCode::kAborted ? "option_taken"
                                                               : "book_failed",
            "", options_.scripts.handoff, summary);
    return;
  }
  scheduling::BookRequest book;
  book.appointment_id = held->id;
  book.patient = a.patient_ref;
  book.idempotency_key = absl::StrCat(key, "/book");
  absl::StatusOr<scheduling::Appointment> booked = deps_.scheduler->Book(book);
  if (!booked.ok()) {
    ++summary.errors;
    spdlog::warn("reminders: booking the choice for appointment {} failed: {}",
                 a.appointment_id, CodeName(booked.status()));
    absl::StatusOr<scheduling::Appointment> released =
        deps_.scheduler->Cancel(held->id);
    ReminderEvent e = BaseEvent(c, ReminderEventType::kHoldReleased);
    e.slot = RefOf(*held);
    e.code =
        released.ok() ? CodeName(booked.status()) : CodeName(released.status());
    if (released.ok()) Emit(e, summary);
    HandOff(c, queue_, "book_failed", "", options_.scripts.handoff, summary);
    return;
  }
  ++summary.rescheduled;
  c.stage = Stage::kDone;
  ReminderEvent e = BaseEvent(c, ReminderEventType::kRescheduled);
  e.slot = RefOf(*booked);
  if (static_cast<size_t>(choice) <= c.authority.size()) {
    e.rule_id = c.authority[choice - 1].rule_id;
    e.outcome = c.authority[choice - 1].outcome;
  }
  if (SendText(c, options_.scripts.rescheduled,
               {{"{clinician}", ClinicianName(booked->practitioner, c)},
                {"{date}", DateText(booked->start, tz_)},
                {"{time}", TimeText(booked->start, tz_)}},
               summary)) {
    const pv::ApprovedText* text =
        deps_.policy->FindText(options_.scripts.rescheduled);
    e.channel = deps_.channel->kind();
    e.text_id = text->id();
    e.text_version = text->version();
  }
  Emit(e, summary);
  spdlog::info("reminders: appointment {} rescheduled to {}", a.appointment_id,
               booked->id);
  // The new appointment was just agreed: no reminder for it from this
  // worker.
  Conversation& moved = conversations_[booked->id];
  moved.stage = Stage::kDone;
  moved.appointment.appointment_id = booked->id;
  moved.appointment.start = booked->start;
}

void ReminderWorker::HandOff(Conversation& c, const std::string& queue,
                             const std::string& reason,
                             const std::string& reply,
                             const std::string& text_id, RunSummary& summary) {
  c.stage = Stage::kDone;
  c.pending_handoff = HandoffRequest{
      .queue = queue,
      .conversation_id = ConversationId(c.appointment),
      .appointment_id = c.appointment.appointment_id,
      .patient_ref = c.appointment.patient_ref,
      .reason = reason,
      .patient_words = reply,
  };
  c.handoff_text.clear();
  if (!text_id.empty() && SendText(c, text_id, {}, summary)) {
    c.handoff_text = text_id;
  }
  RequestPendingHandoff(c, summary);
}

void ReminderWorker::RequestPendingHandoff(Conversation& c,
                                           RunSummary& summary) {
  const HandoffRequest& request = *c.pending_handoff;
  absl::StatusOr<std::string> id = deps_.handoff->RequestHandoff(request);
  if (!id.ok()) {
    ++summary.errors;
    spdlog::warn(
        "reminders: handoff of appointment {} to queue {} failed: {}; retried "
        "next run",
        request.appointment_id, request.queue, CodeName(id.status()));
    return;
  }
  ++summary.handed_off;
  ReminderEvent e = BaseEvent(c, ReminderEventType::kHandedOff);
  e.queue = request.queue;
  e.handoff_id = *id;
  e.reason = request.reason;
  if (const pv::ApprovedText* text = deps_.policy->FindText(c.handoff_text)) {
    e.channel = deps_.channel->kind();
    e.text_id = text->id();
    e.text_version = text->version();
  }
  Emit(e, summary);
  spdlog::info("reminders: appointment {} handed off to queue {} ({})",
               request.appointment_id, request.queue, request.reason);
  c.pending_handoff.reset();
}

namespace {

// Times as Unix seconds; InfinitePast as null.
nlohmann::json TimeJson(absl::Time t) {
  if (t == absl::InfinitePast()) return nullptr;
  return absl::ToUnixSeconds(t);
}

bool TimeFrom(const nlohmann::json& j, absl::Time* t) {
  if (j.is_null()) {
    *t = absl::InfinitePast();
    return true;
  }
  if (!j.is_number_integer()) return false;
  *t = absl::FromUnixSeconds(j.get<int64_t>());
  return true;
}

nlohmann::json SlotJson(const scheduling::Appointment& a) {
  return {{"id", a.id},
          {"visit_type", a.visit_type},
          {"practitioner", a.practitioner},
          {"start", TimeJson(a.start)},
          {"end", TimeJson(a.end)},
          {"simulated", a.simulated}};
}

}  // namespace

std::string ReminderWorker::ExportState() const {
  absl::MutexLock lock(&mu_);
  nlohmann::json conversations = nlohmann::json::array();
  for (const auto& [id, c] : conversations_) {
    const UpcomingAppointment& a = c.appointment;
    nlohmann::json options = nlohmann::json::array();
    for (size_t k = 0; k < c.options.size(); ++k) {
      nlohmann::json o = SlotJson(c.options[k]);
      if (k < c.authority.size()) {
        o["rule_id"] = c.authority[k].rule_id;
        o["outcome"] = c.authority[k].outcome;
      }
      options.push_back(std::move(o));
    }
    nlohmann::json j = {
        {"key", id},
        {"appointment_id", a.appointment_id},
        {"patient_ref", a.patient_ref},
        {"visit_type", a.visit_type},
        {"clinician", a.clinician},
        {"clinician_display", a.clinician_display},
        {"start", TimeJson(a.start)},
        {"end", TimeJson(a.end)},
        {"booked_at", TimeJson(a.booked_at)},
        {"prior_no_shows", a.history.prior_no_shows},
        {"new_patient", a.history.new_patient},
        {"simulated", a.simulated},
        {"stage", static_cast<int>(c.stage)},
        {"attempts", c.attempts},
        {"last_sent", TimeJson(c.last_sent)},
        {"offered_at", TimeJson(c.offered_at)},
        {"options", options},
        {"handoff_text", c.handoff_text},
    };
    if (c.pending_handoff.has_value()) {
      j["pending_handoff"] = {{"queue", c.pending_handoff->queue},
                              {"reason", c.pending_handoff->reason}};
    }
    conversations.push_back(std::move(j));
  }
  nlohmann::json daily = nlohmann::json::object();
  for (const auto& [key, n] : sent_per_patient_day_) daily[key] = n;
  return nlohmann::json{{"version", 1},
                        {"conversations", conversations},
                        {"sent_per_patient_day", daily}}
      .dump();
}

absl::Status ReminderWorker::ImportState(const std::string& text) {
  const nlohmann::json j =
      nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("version") || j["version"] != 1) {
    return absl::InvalidArgumentError(
        "reminder state: not a version 1 state object");
  }
  if (!j.contains("conversations") || !j["conversations"].is_array()) {
    return absl::InvalidArgumentError("reminder state: conversations");
  }
  if (!j.contains("sent_per_patient_day") ||
      !j["sent_per_patient_day"].is_object()) {
    return absl::InvalidArgumentError("reminder state: sent_per_patient_day");
  }
  absl::node_hash_map<std::string, Conversation> conversations;
  size_t i = 0;
  for (const nlohmann::json& cj : j["conversations"]) {
    const std::string where =
        absl::StrCat("reminder state: conversations[", i++, "]");
    auto str = [&](const char* k, std::string* out) {
      if (!cj.contains(k) || !cj[k].is_string()) return false;
      *out = cj[k].get<std::string>();
      return true;
    };
    auto integer = [&](const char* k, int* out) {
      if (!cj.contains(k) || !cj[k].is_number_integer()) return false;
      *out = cj[k].get<int>();
      return true;
    };
    auto boolean = [&](const char* k, bool* out) {
      if (!cj.contains(k) || !cj[k].is_boolean()) return false;
      *out = cj[k].get<bool>();
      return true;
    };
    auto time = [&](const char* k, absl::Time* out) {
      return cj.contains(k) && TimeFrom(cj[k], out);
    };
    std::string key;
    Conversation c;
    UpcomingAppointment& a = c.appointment;
    int stage = 0;
    const std::pair<bool, const char*> checks[] = {
        {str("key", &key), "key"},
        {str("appointment_id", &a.appointment_id), "appointment_id"},
        {str("patient_ref", &a.patient_ref), "patient_ref"},
        {str("visit_type", &a.visit_type), "visit_type"},
        {str("clinician", &a.clinician), "clinician"},
        {str("clinician_display", &a.clinician_display), "clinician_display"},
        {time("start", &a.start), "start"},
        {time("end", &a.end), "end"},
        {time("booked_at", &a.booked_at), "booked_at"},
        {integer("prior_no_shows", &a.history.prior_no_shows),
         "prior_no_shows"},
        {boolean("new_patient", &a.history.new_patient), "new_patient"},
        {boolean("simulated", &a.simulated), "simulated"},
        {integer("stage", &stage) && stage >= 0 &&
             stage <= static_cast<int>(Stage::kDone),
         "stage"},
        {integer("attempts", &c.attempts), "attempts"},
        {time("last_sent", &c.last_sent), "last_sent"},
        {time("offered_at", &c.offered_at), "offered_at"},
        {str("handoff_text", &c.handoff_text), "handoff_text"},
        {cj.contains("options") && cj["options"].is_array(), "options"},
    };
    for (const auto& [ok, field] : checks) {
      if (!ok)
        return absl::InvalidArgumentError(absl::StrCat(where, ".", field));
    }
    c.stage = static_cast<Stage>(stage);
    for (const nlohmann::json& oj : cj["options"]) {
      scheduling::Appointment o;
      if (!oj.is_object() || !oj.contains("id") || !oj["id"].is_string() ||
          !oj.contains("visit_type") || !oj["visit_type"].is_string() ||
          !oj.contains("practitioner") || !oj["practitioner"].is_string() ||
          !oj.contains("start") || !TimeFrom(oj["start"], &o.start) ||
          !oj.contains("end") || !TimeFrom(oj["end"], &o.end) ||
          !oj.contains("simulated") || !oj["simulated"].is_boolean()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ".options"));
      }
      o.id = oj["id"].get<std::string>();
      o.visit_type = oj["visit_type"].get<std::string>();
      o.practitioner = oj["practitioner"].get<std::string>();
      o.simulated = oj["simulated"].get<bool>();
      c.options.push_back(std::move(o));
      BookingAuthority may;
      may.allowed = true;
      if (oj.contains("rule_id") && oj["rule_id"].is_string() &&
          oj.contains("outcome") && oj["outcome"].is_string()) {
        may.rule_id = oj["rule_id"].get<std::string>();
        may.outcome = oj["outcome"].get<std::string>();
      }
      c.authority.push_back(std::move(may));
    }
    if (cj.contains("pending_handoff")) {
      const nlohmann::json& h = cj["pending_handoff"];
      if (!h.is_object() || !h.contains("queue") || !h["queue"].is_string() ||
          !h.contains("reason") || !h["reason"].is_string()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ".pending_handoff"));
      }
      c.pending_handoff = HandoffRequest{
          .queue = h["queue"].get<std::string>(),
          .conversation_id = ConversationId(a),
          .appointment_id = a.appointment_id,
          .patient_ref = a.patient_ref,
          .reason = h["reason"].get<std::string>(),
          .patient_words = "",
      };
    }
    c.risk = ScoreNoShowRisk(a, tz_);
    conversations[key] = std::move(c);
  }
  absl::flat_hash_map<std::string, int> daily;
  for (const auto& [key, n] : j["sent_per_patient_day"].items()) {
    if (!n.is_number_integer()) {
      return absl::InvalidArgumentError("reminder state: sent_per_patient_day");
    }
    daily[key] = n.get<int>();
  }
  absl::MutexLock lock(&mu_);
  conversations_ = std::move(conversations);
  sent_per_patient_day_ = std::move(daily);
  return absl::OkStatus();
}

}  // namespace frontdesk::reminders
