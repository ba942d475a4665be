// `frontdesk reminders run --once`: one pass of the reminder worker
// (libs/reminders) over the embedded SQLite schedule store, sending through
// the development file sink.
//
//   frontdesk reminders run --once --sink FILE [--replies FILE]
//       [--policy FILE] [--schedule FILE] [--schedule_db FILE] [--now T]
//       [--reminder_state FILE]
//
// Reminders go to --sink as JSON lines; patients' replies are scripted from
// --replies ({"patient_ref": ..., "reply": ...} per line). Reschedule
// options are offered only when the booking rules
// (services/rules_check/booking_rules.h) let the agent book them itself. Every
// event and handoff is printed to stdout (ids, codes and risk explanations
// only; a handoff's patient words are withheld), then a summary. Nothing is
// done unless the policy's rollout_mode is reminders. --now (RFC 3339) fixes
// the clock, for drills and tests. What the worker remembers (attempts, daily
// counts, offers awaiting a choice) is read from and written back to
// --reminder_state (default: <schedule_db>.reminders.json), so runs one
// after another keep the limits. No events reach Kafka and no handoff
// reaches handoff-prep yet.
#ifndef FRONTDESK_TOOLS_FRONTDESK_REMINDERS_COMMANDS_H_
#define FRONTDESK_TOOLS_FRONTDESK_REMINDERS_COMMANDS_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace frontdesk::cli {

struct RemindersRunOptions {
  std::string policy_path;
  std::string schedule_path;
  // The schedule store's SQLite file; created and seeded from the schedule
  // when absent.
  std::string schedule_db;
  std::string sink_path;
  // Optional.
  std::string replies_path;
  // Unset: the real time.
  std::optional<absl::Time> now;
  // Empty: schedule_db + ".reminders.json".
  std::string state_path;
};

// Returns 0 after the pass (also when the rollout mode does nothing); 1 when
// the policy, schedule, store or sink cannot be opened, or the pass fails;
// every problem is on `err`, without patient details.
int RunRemindersOnce(const RemindersRunOptions& options, std::ostream& out,
                     std::ostream& err);

// The command line: args are the positional arguments after the program
// name ("reminders", "run"); the rest comes from the flags. 2 for a bad
// command or flag.
int RunRemindersCli(const std::vector<char*>& args,
                    const std::string& policy_path, std::ostream& out,
                    std::ostream& err);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_REMINDERS_COMMANDS_H_
