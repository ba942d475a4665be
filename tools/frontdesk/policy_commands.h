// The offline policy commands of the frontdesk tool: `policy check`,
// `policy show` and `classify`. They use the same libraries as rules-check,
// so what they print is what the service would decide.
#ifndef FRONTDESK_TOOLS_FRONTDESK_POLICY_COMMANDS_H_
#define FRONTDESK_TOOLS_FRONTDESK_POLICY_COMMANDS_H_

#include <iosfwd>
#include <string>

#include "frontdesk/rules/v1/rules_service.pb.h"
#include "libs/policy/clinic_policy.h"

namespace frontdesk::cli {

// `policy check FILE`: prints a one-line summary and returns 0, or prints
// every error (file:line:column: message) to `err` and returns 1.
int CheckPolicy(const std::string& path, std::ostream& out, std::ostream& err);

// `policy show`: a readable table of queues, lanes, categories, triggers,
// owners, backups and windows.
std::string PolicyTable(const policy::ClinicPolicy& policy);

// One decision as a single-line JSON object with the fields lane
// ("ai_owned" | "ai_assisted" | "human_only"), category, request_type,
// trigger, span ([begin, end] in characters, or null), source, rule_id,
// policy_version, action and queue.
std::string DecisionJson(const frontdesk::rules::v1::Decision& d);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_POLICY_COMMANDS_H_
