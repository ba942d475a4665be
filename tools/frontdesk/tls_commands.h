// `frontdesk tls init --out_dir DIR [--force]`: writes a development CA and a
// certificate for each process identity (answer, rules-check, handoff-prep,
// record-keeper, frontdesk-cli) for mutual TLS on one machine. `make run`
// calls it through deploy/local/services.sh. Production brings its own CA.
#ifndef FRONTDESK_TOOLS_FRONTDESK_TLS_COMMANDS_H_
#define FRONTDESK_TOOLS_FRONTDESK_TLS_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

namespace frontdesk::cli {

// `args` are the words after "frontdesk". Returns the exit code: 0 written
// (or already there), 1 failed, 2 usage.
int RunTls(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_TLS_COMMANDS_H_
