// ReminderWorker: outbound appointment reminders, highest no-show risk
// first, inside the clinic's rollout mode, quiet hours and attempt limits.
//
// Each RunOnce:
//   1. does nothing at all unless the policy's rollout mode includes
//      reminders (ROLLOUT_MODE_REMINDERS);
//   2. does nothing during quiet hours (clinic time, the policy's clinic
//      timezone): nothing is sent and no reply is acted on;
//   3. lists the booked appointments starting in [now + min_lead,
//      now + horizon), scores each (no_show_risk.h) and works through them,
//      and through the conversations waiting for a reschedule choice,
//      highest risk first (ties: earlier start, then appointment id);
//   4. for each: reads the patient's reply if one has arrived; otherwise
//      sends the reminder (approved wording) if the per-appointment and
//      per-patient-per-day limits and the retry interval allow, and reads
//      the reply right after (a channel may already have one).
// A reply takes one of three branches:
//   - confirm ("yes", "confirm", ...): recorded; the confirmation wording is
//     sent.
//   - cancel ("cancel", "no", "can't make it", ...): captured; the slot is
//     released (Scheduler::Cancel); up to max_reschedule_options slots of
//     the same visit type are found (Scheduler::Find) and offered in approved
//     wording. A later reply naming an option by number holds and books it.
//   - anything else, a long reply, a reply that names a human-only trigger
//     of the policy, or one that is both confirm and cancel: handed off to
//     the staff queue (the policy's default queue; a human-only category's
//     own queue when one of its triggers is in the reply).
// An offer of reschedule options unanswered for retry_after is handed off
// ("no_choice").
// Every step is a ReminderEvent. Nothing the patient wrote reaches a log, an
// event or a returned status; logs name appointment ids and codes only.
//
// State (attempt counts, open conversations) lives in the worker, so limits
// hold across RunOnce calls on one worker, not across processes.
//
// Example:
//   auto worker = ReminderWorker::Create(deps, ReminderWorkerOptions{});
//   absl::StatusOr<RunSummary> summary = (*worker)->RunOnce();
//
// Thread-safe: RunOnce calls are serialized.
#ifndef FRONTDESK_LIBS_REMINDERS_REMINDER_WORKER_H_
#define FRONTDESK_LIBS_REMINDERS_REMINDER_WORKER_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"
#include "libs/policy/clinic_policy.h"
#include "libs/reminders/no_show_risk.h"
#include "libs/reminders/outbound_channel.h"
#include "libs/reminders/reminder_events.h"
#include "libs/reminders/upcoming_appointments.h"
#include "libs/scheduling/scheduler.h"

namespace frontdesk::reminders {

// The approved texts (ids in the policy's approved_texts) each message
// quotes. Placeholders filled by the worker: {visit_type} ("follow up"),
// {clinician} (display name), {date} ("Tuesday, December 1"), {time}
// ("9:00 AM"), and in the offer, {options} ("1) Tuesday, December 1 at
// 9:00 AM with Dr. Patel; 2) ...").
// The policy's `reminders` block may name others.
struct ReminderScripts {
  std::string reminder = "reminder";
  std::string confirmed = "reminder-confirmed";
  std::string reschedule_offer = "reminder-reschedule-offer";
  std::string no_options = "reminder-cancelled-no-options";
  std::string rescheduled = "reminder-rescheduled";
  std::string handoff = "reminder-handoff";
};

// [start_minute, end_minute) after local midnight, clinic time; wraps past
// midnight when start > end; no quiet hours when equal.
struct QuietHours {
  int start_minute = 20 * 60;
  int end_minute = 8 * 60;
};

// The worker's settings. Create replaces quiet hours, attempt limits and
// script ids with whatever the policy's `reminders` block sets
// (ApplyPolicyReminders); the values here are the defaults for the rest.
struct ReminderWorkerOptions {
  // Appointments starting in [now + min_lead, now + horizon) are reminded.
  absl::Duration min_lead = absl::Hours(2);
  absl::Duration horizon = absl::Hours(72);
  QuietHours quiet;
  // Reminders sent for one appointment, ever; after the last one goes
  // unanswered the conversation is handed off ("no_reply").
  int max_attempts_per_appointment = 3;
  // Reminders sent to one patient (all their appointments) per clinic day.
  int max_attempts_per_patient_per_day = 2;
  // The least time between two reminders of one appointment.
  absl::Duration retry_after = absl::Hours(4);
  // Reschedule options offered after a cancellation (1 to 3).
  int max_reschedule_options = 3;
  // How far ahead reschedule options are looked for.
  absl::Duration reschedule_window = absl::Hours(14 * 24);
  // The staff queue for edge cases; empty: the policy's default_queue.
  std::string handoff_queue;
  // Clinician display names for offered options (id -> "Dr. Patel"); an
  // unnamed clinician is shown by id.
  absl::flat_hash_map<std::string, std::string> clinician_names;
  ReminderScripts scripts;
};

// What the booking rules say about the agent booking one reschedule option
// itself.
struct BookingAuthority {
  bool allowed = false;
  // The rule that decided ("BOOK-VISIT-LANE") and the outcome ("ai_owned").
  std::string rule_id;
  std::string outcome;
};

// The clinic's booking rules, asked about every reschedule option before it
// is offered (the CLI asks services/rules_check/booking_rules.h). Only an
// option the agent may book itself (AI-owned) is offered. Thread-safe
// implementations.
class RescheduleRules {
 public:
  virtual ~RescheduleRules() = default;
  virtual absl::StatusOr<BookingAuthority> MayBook(
      const UpcomingAppointment& original,
      const scheduling::Appointment& option, absl::Time now) = 0;
};

// What the worker works with; none owned, all must outlive the worker.
struct ReminderWorkerDeps {
  std::shared_ptr<const policy::ClinicPolicy> policy;
  const Clock* clock = nullptr;
  UpcomingAppointments* source = nullptr;
  scheduling::Scheduler* scheduler = nullptr;
  OutboundChannel* channel = nullptr;
  ReminderEventSink* events = nullptr;
  StaffHandoff* handoff = nullptr;
  // Optional. Null: an option is offered when the visit type's lane is
  // AI-owned, with no other booking rule checked.
  RescheduleRules* rules = nullptr;
};

// What one RunOnce did.
struct RunSummary {
  // The rollout mode does not include reminders: nothing was done.
  bool rollout_off = false;
  // Quiet hours: nothing was done.
  bool quiet_hours = false;
  // Appointment ids in the order they were worked (highest risk first).
  std::vector<std::string> order;
  int sent = 0;
  int confirmed = 0;
  int cancelled = 0;
  int rescheduled = 0;
  int handed_off = 0;
  // Not reminded this run because a limit or the retry interval held it.
  int held_by_limits = 0;
  // Steps that failed (a send, a scheduler call); the run went on.
  int errors = 0;
};

class ReminderWorker {
 public:
  // INVALID_ARGUMENT naming the missing dependency or bad option;
  // FAILED_PRECONDITION naming an approved text id the policy lacks, or the
  // handoff queue when the policy has no such queue.
  static absl::StatusOr<std::unique_ptr<ReminderWorker>> Create(
      ReminderWorkerDeps deps, ReminderWorkerOptions options);

  // One pass (see the file comment). Fails only when the source cannot list
  // appointments; failed steps are counted in `errors` and logged by code.
  absl::StatusOr<RunSummary> RunOnce();

  // True when `now` is inside the quiet hours, clinic time.
  bool InQuietHours(absl::Time now) const;

  // Conversations the worker remembers (open, or finished less than a day
  // after their appointment), for tests and metrics.
  size_t remembered_conversations() const;

  // What the worker remembers (conversations, attempt counts, offers, daily
  // counts) as JSON, so a process that runs one pass at a time keeps its
  // limits. Holds ids, opaque patient references, times and counts; a
  // pending handoff's patient words are not saved (it goes without them).
  std::string ExportState() const;
  // Replaces what the worker remembers with an ExportState. INVALID_ARGUMENT
  // (naming the field, never a value) when it is not one; nothing changes
  // then.
  absl::Status ImportState(const std::string& json);

 private:
  enum class Stage { kAwaitingReply, kAwaitingChoice, kDone };
  struct Conversation {
    UpcomingAppointment appointment;
    NoShowRisk risk;
    Stage stage = Stage::kAwaitingReply;
    int attempts = 0;
    absl::Time last_sent = absl::InfinitePast();
    std::vector<scheduling::Appointment> options;
    // The booking rules' word on each option, in the same order.
    std::vector<BookingAuthority> authority;
    // When the options were offered.
    absl::Time offered_at = absl::InfinitePast();
    // A handoff whose request failed; retried first on the next run.
    std::optional<HandoffRequest> pending_handoff;
    // The approved text the patient was sent when handed off; empty if none.
    std::string handoff_text;
  };

  ReminderWorker(ReminderWorkerDeps deps, ReminderWorkerOptions options,
                 absl::TimeZone tz, std::string queue);

  void Work(Conversation& c, absl::Time now, RunSummary& summary)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnReply(Conversation& c, const std::string& reply, RunSummary& summary)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnCancel(Conversation& c, const std::string& reply, RunSummary& summary)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void OnChoice(Conversation& c, const std::string& reply, RunSummary& summary)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // A reply that names a human-only category (urgent included) goes to that
  // category's queue with its wording; true when it did.
  bool HandedOffAsHumanOnly(Conversation& c, const std::string& reply,
                            RunSummary& summary)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Hands the conversation to `queue` and tells the patient so with
  // `text_id` (empty: no message); the conversation is done.
  void HandOff(Conversation& c, const std::string& queue,
               const std::string& reason, const std::string& reply,
               const std::string& text_id, RunSummary& summary)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Requests the pending handoff; on failure it stays pending.
  void RequestPendingHandoff(Conversation& c, RunSummary& summary);
  // Sends approved text `text_id` with the placeholders filled; emits no
  // event. False (counted as an error) when the send failed.
  bool SendText(Conversation& c, const std::string& text_id,
                const std::vector<std::pair<std::string, std::string>>& fill,
                RunSummary& summary);
  ReminderEvent BaseEvent(const Conversation& c, ReminderEventType type) const;
  void Emit(const ReminderEvent& event, RunSummary& summary);
  std::string ClinicianName(const std::string& id, const Conversation& c) const;
  std::string DayKey(const std::string& patient_ref, absl::Time t) const;
  // Drops finished conversations a day after their appointment, and the
  // daily counts of earlier days.
  void Prune(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ReminderWorkerDeps deps_;
  const ReminderWorkerOptions options_;
  const absl::TimeZone tz_;
  const std::string queue_;
  mutable absl::Mutex mu_;
  // By appointment id. A node map: Work holds references across inserts.
  absl::node_hash_map<std::string, Conversation> conversations_
      ABSL_GUARDED_BY(mu_);
  // Reminders sent per "patient_ref|YYYY-MM-DD" (clinic day).
  absl::flat_hash_map<std::string, int> sent_per_patient_day_
      ABSL_GUARDED_BY(mu_);
};

// Copies what the policy's `reminders` block sets (quiet hours, attempt
// limits, text ids) into `options`; unset fields leave it as it was.
void ApplyPolicyReminders(const frontdesk::policy::v1::Reminders& reminders,
                          ReminderWorkerOptions* options);

// How a reply is read: exposed for tests.
enum class ReplyIntent { kConfirm, kCancel, kOther };
// kOther also for a reply of more than 8 words, or one with both a confirm
// and a cancel phrase.
ReplyIntent ClassifyReply(const std::string& reply);
// The human-only category of the policy whose trigger phrase is in the
// reply, or nullptr.
const frontdesk::policy::v1::HumanOnlyCategory* HumanOnlyMatch(
    const policy::ClinicPolicy& policy, const std::string& reply);

}  // namespace frontdesk::reminders

#endif  // FRONTDESK_LIBS_REMINDERS_REMINDER_WORKER_H_
