#include "tools/frontdesk/reminders_commands.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "libs/common/clock.h"
#include "libs/policy/clinic_policy.h"
#include "libs/reminders/outbound_channel.h"
#include "libs/reminders/reminder_events.h"
#include "libs/reminders/reminder_worker.h"
#include "libs/reminders/upcoming_appointments.h"
#include "libs/scheduling/schedule_config.h"
#include "libs/scheduling/sqlite_schedule_store.h"
#include "services/rules_check/booking_rules.h"

ABSL_FLAG(bool, once, false, "reminders run: one pass, then exit (required)");
ABSL_FLAG(std::string, sink, "",
          "reminders run: append each reminder message here (JSON lines)");
ABSL_FLAG(std::string, replies, "",
          "reminders run: scripted patient replies (JSON lines)");
ABSL_FLAG(std::string, schedule, "examples/clinic/schedule.yaml",
          "reminders run: the schedule that seeds the store");
ABSL_FLAG(std::string, schedule_db, "",
          "reminders run: the schedule store's SQLite file");
ABSL_FLAG(std::string, reminder_state, "",
          "reminders run: what the worker remembers between runs (JSON); "
          "default <schedule_db>.reminders.json");
ABSL_FLAG(std::string, now, "",
          "reminders run: the time to run at (RFC 3339); default: now");

namespace frontdesk::cli {
namespace {

// Prints each event, one line, as it is emitted.
class PrintingEventSink : public reminders::ReminderEventSink {
 public:
  explicit PrintingEventSink(std::ostream& out) : out_(out) {}
  absl::Status Emit(const reminders::ReminderEvent& event) override {
    absl::MutexLock lock(&mu_);
    out_ << "event " << event.ToString() << "\n";
    return absl::OkStatus();
  }

 private:
  absl::Mutex mu_;
  std::ostream& out_;
};

// The clinic's booking rules (services/rules_check/booking_rules.h), asked
// about booking each reschedule option.
class BookingRulesGate : public reminders::RescheduleRules {
 public:
  explicit BookingRulesGate(std::shared_ptr<const policy::ClinicPolicy> policy)
      : policy_(std::move(policy)) {}
  absl::StatusOr<reminders::BookingAuthority> MayBook(
      const reminders::UpcomingAppointment& original,
      const scheduling::Appointment& option, absl::Time now) override {
    rules_check::BookingRequest request;
    request.operation = rules_check::BookingOperation::kBook;
    request.visit_type = option.visit_type;
    request.clinician = option.practitioner;
    request.slot = {option.start, option.end};
    request.new_patient = original.history.new_patient;
    absl::StatusOr<rules_check::BookingVerdict> verdict =
        rules_check::AuthorizeBooking(*policy_, request, now);
    if (!verdict.ok()) return verdict.status();
    reminders::BookingAuthority authority;
    authority.allowed =
        verdict->allowed &&
        verdict->outcome == rules_check::BookingOutcome::kAiOwned;
    authority.rule_id = verdict->rule_id;
    authority.outcome = rules_check::BookingOutcomeName(verdict->outcome);
    return authority;
  }

 private:
  const std::shared_ptr<const policy::ClinicPolicy> policy_;
};

// Prints each handoff without the patient's words (there is no sealing
// here), and numbers them.
class PrintingHandoff : public reminders::StaffHandoff {
 public:
  explicit PrintingHandoff(std::ostream& out) : out_(out) {}
  absl::StatusOr<std::string> RequestHandoff(
      const reminders::HandoffRequest& r) override {
    absl::MutexLock lock(&mu_);
    std::string id = absl::StrCat("handoff-", ++count_);
    out_ << "handoff " << id << " queue=" << r.queue
         << " appointment=" << r.appointment_id
         << " patient_ref=" << r.patient_ref << " reason=" << r.reason
         << (r.patient_words.empty() ? "" : " (patient's words withheld)")
         << "\n";
    return id;
  }

 private:
  absl::Mutex mu_;
  std::ostream& out_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

int RunRemindersOnce(const RemindersRunOptions& options, std::ostream& out,
                     std::ostream& err) {
  if (options.sink_path.empty()) {
    err << "frontdesk reminders run: --sink: required\n";
    return 2;
  }
  if (options.schedule_db.empty()) {
    err << "frontdesk reminders run: --schedule_db: required\n";
    return 2;
  }
  auto policy = policy::LoadPolicyFile(options.policy_path);
  if (!policy.ok()) {
    err << "frontdesk reminders run: " << policy.status().message() << "\n";
    return 1;
  }
  auto shared =
      std::make_shared<const policy::ClinicPolicy>(*std::move(policy));
  if (shared->rollout_mode() < policy::v1::ROLLOUT_MODE_REMINDERS) {
    out << "reminders: the policy's rollout_mode does not include reminders; "
           "nothing done\n";
    return 0;
  }
  auto schedule = scheduling::LoadScheduleFile(options.schedule_path);
  if (!schedule.ok()) {
    err << "frontdesk reminders run: " << schedule.status().message() << "\n";
    return 1;
  }
  absl::flat_hash_map<std::string, std::string> names;
  for (const scheduling::ClinicianSpec& c : schedule->clinicians) {
    names[c.id] = c.display.empty() ? c.id : c.display;
  }
  std::unique_ptr<FakeClock> fixed;
  const Clock* clock = RealClock::Get();
  if (options.now.has_value()) {
    fixed = std::make_unique<FakeClock>(*options.now);
    clock = fixed.get();
  }
  auto store = scheduling::SqliteScheduleStore::Open(options.schedule_db,
                                                     *schedule, clock);
  if (!store.ok()) {
    err << "frontdesk reminders run: " << store.status().message() << "\n";
    return 1;
  }
  auto channel = reminders::FileOutboundChannel::Open(
      {.out_path = options.sink_path, .replies_path = options.replies_path},
      clock);
  if (!channel.ok()) {
    err << "frontdesk reminders run: " << channel.status().message() << "\n";
    return 1;
  }
  reminders::ScheduleStoreUpcomingAppointments source(store->get());
  PrintingEventSink events(out);
  PrintingHandoff handoff(out);
  BookingRulesGate rules(shared);
  reminders::ReminderWorkerOptions worker_options;
  worker_options.clinician_names = std::move(names);
  auto worker = reminders::ReminderWorker::Create({.policy = shared,
                                                   .clock = clock,
                                                   .source = &source,
                                                   .scheduler = store->get(),
                                                   .channel = channel->get(),
                                                   .events = &events,
                                                   .handoff = &handoff,
                                                   .rules = &rules},
                                                  std::move(worker_options));
  if (!worker.ok()) {
    err << "frontdesk reminders run: " << worker.status().message() << "\n";
    return 1;
  }
  const std::string state_path = options.state_path.empty()
                                     ? options.schedule_db + ".reminders.json"
                                     : options.state_path;
  if (std::filesystem::exists(state_path)) {
    std::ifstream in(state_path);
    std::stringstream text;
    text << in.rdbuf();
    absl::Status loaded = (*worker)->ImportState(text.str());
    if (!loaded.ok()) {
      err << "frontdesk reminders run: " << state_path << ": "
          << loaded.message() << "\n";
      return 1;
    }
  }
  auto summary = (*worker)->RunOnce();
  {
    const std::string tmp = state_path + ".tmp";
    std::ofstream state(tmp, std::ios::trunc);
    state << (*worker)->ExportState();
    state.close();
    std::error_code ec;
    if (!state || (std::filesystem::rename(tmp, state_path, ec), ec)) {
      err << "frontdesk reminders run: cannot write " << state_path << "\n";
      return 1;
    }
  }
  if (!summary.ok()) {
    err << "frontdesk reminders run: " << summary.status().message() << "\n";
    return 1;
  }
  if (summary->quiet_hours) {
    out << "reminders: quiet hours; nothing done\n";
    return 0;
  }
  out << "reminders: sent " << summary->sent << ", confirmed "
      << summary->confirmed << ", cancelled " << summary->cancelled
      << ", rescheduled " << summary->rescheduled << ", handed off "
      << summary->handed_off << ", held by limits " << summary->held_by_limits
      << ", errors " << summary->errors << "\n";
  return summary->errors == 0 ? 0 : 1;
}

int RunRemindersCli(const std::vector<char*>& args,
                    const std::string& policy_path, std::ostream& out,
                    std::ostream& err) {
  if (args.size() != 3 || std::string(args[2]) != "run") {
    err << "usage: frontdesk reminders run --once --sink FILE [--replies "
           "FILE] --schedule_db FILE [--schedule FILE] [--policy FILE] "
           "[--now RFC3339]\n";
    return 2;
  }
  if (!absl::GetFlag(FLAGS_once)) {
    err << "frontdesk reminders run: --once: required (no daemon mode yet)\n";
    return 2;
  }
  RemindersRunOptions options;
  options.policy_path = policy_path;
  options.schedule_path = absl::GetFlag(FLAGS_schedule);
  options.schedule_db = absl::GetFlag(FLAGS_schedule_db);
  options.sink_path = absl::GetFlag(FLAGS_sink);
  options.replies_path = absl::GetFlag(FLAGS_replies);
  options.state_path = absl::GetFlag(FLAGS_reminder_state);
  const std::string now = absl::GetFlag(FLAGS_now);
  if (!now.empty()) {
    absl::Time t;
    std::string why;
    if (!absl::ParseTime(absl::RFC3339_full, now, &t, &why)) {
      err << "frontdesk reminders run: --now: not an RFC 3339 time: " << why
          << "\n";
      return 2;
    }
    options.now = t;
  }
  return RunRemindersOnce(options, out, err);
}

}  // namespace frontdesk::cli
