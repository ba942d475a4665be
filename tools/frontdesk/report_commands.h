// The clinic's review commands over the log itself:
//
//   frontdesk audit export --from T --to T --format fhir|jsonl [--out FILE]
//   frontdesk report weekly --from T --to T [--format text|csv|html]
//                           [--out FILE]
//   frontdesk simulate --policy CANDIDATE.yaml --from T --to T
//                      --keyring_file F
//
// Each reads frontdesk.calls.v1, frontdesk.access.v1 and frontdesk.policy.v1
// straight from Kafka (never the projection), keeps the events of the policy
// in force's tenant within [from, to), and folds them with libs/reports.
// Before reading anything it records its own access on frontdesk.access.v1
// (libs/access) under the policy in force (--policy_in_force; for export and
// report --policy when that is not given):
//   - export needs `export`, report needs `report`, simulate needs
//     `simulate`;
//   - a keyring (--keyring_file) opens PHI and needs `phi.read` as well,
//     recorded as a separate "open_phi" access. simulate always needs it:
//     the utterances are sealed. Without a keyring, export and report show
//     no patient identity and no caller words.
// A refused access, or one that cannot be recorded, reads nothing.
//
// Exit codes: 0 done, 1 the log or the access record failed, 2 bad
// arguments, 4 access refused.
//
// Example:
//   ReportArgs a{.actor_id = "ann", .role = "auditor", .purpose = "HOPERAT",
//                .from = "2026-11-23", .to = "2026-11-30", .format = "fhir"};
//   return RunAuditExport(a, io, std::cout, std::cerr);
#ifndef FRONTDESK_TOOLS_FRONTDESK_REPORT_COMMANDS_H_
#define FRONTDESK_TOOLS_FRONTDESK_REPORT_COMMANDS_H_

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/access/access_recorder.h"
#include "libs/eventlog/event_log.h"

namespace frontdesk::cli {

struct ReportArgs {
  std::string actor_id;
  std::string role;
  std::string purpose;
  // The policy whose access_roles decide, and whose tenant is reported.
  std::string policy_in_force;
  // simulate: the candidate policy.
  std::string candidate_policy;
  std::string from;
  std::string to;
  // export: "fhir" (default) or "jsonl"; report: "text" (default), "csv" or
  // "html".
  std::string format;
  // Write here instead of standard output.
  std::string out_file;
  // Opens sealed PHI (needs phi.read).
  std::string keyring_file;
  // simulate: examples printed per lane change.
  int examples = 3;
};

// What the commands read and where they record accesses; the CLI gives
// Kafka, tests give an in-memory log.
struct ReportIo {
  // Hands each record of a topic appended around [from, to) to `each`, in
  // order within a partition (more records are fine: the commands filter on
  // occurred_at); NOT_FOUND when the topic does not exist.
  std::function<absl::Status(
      const std::string& topic, absl::Time from, absl::Time to,
      const std::function<void(eventlog::StoredRecord)>& each)>
      for_each_record;
  access::AccessRecorder* recorder = nullptr;
};

int RunAuditExport(const ReportArgs& args, ReportIo& io, std::ostream& out,
                   std::ostream& err);
int RunWeeklyReport(const ReportArgs& args, ReportIo& io, std::ostream& out,
                    std::ostream& err);
int RunSimulate(const ReportArgs& args, ReportIo& io, std::ostream& out,
                std::ostream& err);

// The command-line entry for "audit", "report" and "simulate": reads the
// flags (its own --format, --out, --policy_in_force, --examples, and the
// tool's --from, --to, --actor, --role, --purpose, --policy, --keyring_file,
// --kafka_brokers, --kafka_properties), connects to Kafka and runs the
// command named by args[1] (and args[2] for "audit export" and "report
// weekly").
int RunReportCli(const std::vector<char*>& args, std::ostream& out,
                 std::ostream& err);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_REPORT_COMMANDS_H_
