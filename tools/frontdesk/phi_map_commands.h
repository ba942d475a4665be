// `frontdesk phi-map`: the PHI data-path report (libs/policy/phi_data_path.h)
// for a clinic's policy, loaded with the loader every service uses.
//
//   frontdesk phi-map --policy FILE [--values helm-values.yaml]
//                     [--format text|html] [--out FILE]
//
// Offline: reads only the policy and the Helm values; no PHI is read.
#ifndef FRONTDESK_TOOLS_FRONTDESK_PHI_MAP_COMMANDS_H_
#define FRONTDESK_TOOLS_FRONTDESK_PHI_MAP_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace frontdesk::cli {

struct PhiMapOptions {
  std::string policy_path;
  // Helm values file; empty: the services' default topic retention.
  std::string values_path;
  // "text" (default when empty) or "html".
  std::string format;
  // Write here instead of `out`; empty: `out`.
  std::string out_path;
};

// Returns 0 after writing the report; 1 when the policy does not load (every
// error, file:line:column, on `err`) or the values file is bad; 2 for a bad
// option or an output file that cannot be written.
int RunPhiMap(const PhiMapOptions& options, std::ostream& out,
              std::ostream& err);

// The command line: takes --values, --format and --out from the flags;
// `policy_path` is --policy.
int RunPhiMapCli(const std::vector<char*>& args, const std::string& policy_path,
                 std::ostream& out, std::ostream& err);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_PHI_MAP_COMMANDS_H_
