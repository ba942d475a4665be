// The auditor's commands over the log itself: `frontdesk replay` and
// `frontdesk verify`.
//
// Both read frontdesk.calls.v1 straight from Kafka (never the projection;
// from a point in time on, log_window_reader.h),
// check it with libs/audit, and record the access on frontdesk.access.v1
// before reading anything (libs/access). The rules:
//   - replay needs the role's `replay` permission; with a keyring, which
//     opens the callers' words and details, also `phi.read`, recorded as a
//     separate "open_phi" access. Without a keyring the timeline is PHI-free
//     and `replay` suffices.
//   - verify needs `verify`; it never opens PHI.
// An access that is refused, or that cannot be recorded, reads nothing.
//
// Exit codes: 0 intact, 1 the log or the access record failed, 2 bad
// arguments, 3 findings, 4 access refused.
//
// Example:
//   AuditArgs a;  // actor_id, role, purpose, policy_file, kafka, ...
//   return RunReplayCommand(a, call_id, opts, std::cout, std::cerr);
#ifndef FRONTDESK_TOOLS_FRONTDESK_VERIFY_COMMANDS_H_
#define FRONTDESK_TOOLS_FRONTDESK_VERIFY_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/access/access_recorder.h"
#include "libs/audit/log_verifier.h"
#include "libs/audit/replay_checker.h"
#include "libs/kafka/kafka_settings.h"
#include "tools/frontdesk/replay_timeline.h"

namespace frontdesk::cli {

inline constexpr int kExitFindings = 3;
inline constexpr int kExitRefused = 4;

// Who runs an audit command, and why.
struct AuditArgs {
  std::string actor_id;
  std::string role;
  std::string purpose;
  // The policy whose access_roles decide (--policy).
  std::string policy_file;
  // Trusted producer public keys, <service>.pub files (--producer_keys);
  // empty: signatures are not checked, and the report says so.
  std::string producer_keys_dir;
  kafka::KafkaSettings kafka;
  bool json = false;
  // replay: read from this time on (--since, RFC 3339 or YYYY-MM-DD); empty:
  // from the start of the topic. A call's events are all found when it is at
  // or before the call began.
  std::string since;
  // verify: how long before --from a call in range may have begun
  // (--lookback); the topic is read from --from minus this.
  absl::Duration lookback = absl::Hours(24);
  // How long reading the log may take.
  absl::Duration read_timeout = absl::Minutes(10);
};

// RFC 3339, or YYYY-MM-DD (UTC midnight). INVALID_ARGUMENT naming `flag`.
absl::StatusOr<absl::Time> ParseSince(absl::string_view flag,
                                      absl::string_view value);

// INVALID_ARGUMENT naming --actor, --role or --purpose when one is empty.
absl::Status CheckAuditArgs(const AuditArgs& args);

// `frontdesk replay --call ID`. `keyring_file` empty: PHI stays sealed.
int RunReplayCommand(const AuditArgs& args, const std::string& call_id,
                     const std::string& keyring_file, std::ostream& out,
                     std::ostream& err);

// `frontdesk verify --from --to`.
int RunVerifyCommand(const AuditArgs& args, const std::string& from,
                     const std::string& to, std::ostream& out,
                     std::ostream& err);

// The replay as printed: the timeline lines, then the findings (text), or
// one JSON object (the check, plus the timeline lines under "timeline").
std::string RenderReplay(const audit::CallCheck& check,
                         const Timeline& timeline, bool json);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_VERIFY_COMMANDS_H_
