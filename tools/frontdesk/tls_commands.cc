#include "tools/frontdesk/tls_commands.h"

#include <filesystem>

#include "absl/flags/flag.h"
#include "libs/serving/transport_security.h"

ABSL_FLAG(std::string, out_dir, "",
          "tls init: the folder for the CA and the certificates");
ABSL_FLAG(bool, force, false, "tls init: replace existing certificates");

namespace frontdesk::cli {

int RunTls(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err) {
  if (args.size() < 2 || args[1] != "init") {
    err << "usage: frontdesk tls init --out_dir DIR [--force]\n";
    return 2;
  }
  const std::string dir = absl::GetFlag(FLAGS_out_dir);
  if (dir.empty()) {
    err << "frontdesk tls init: --out_dir is required\n";
    return 2;
  }
  if (std::filesystem::exists(dir + "/ca.pem") && !absl::GetFlag(FLAGS_force)) {
    out << "frontdesk tls init: " << dir
        << " already holds a CA; keeping it (--force replaces it)\n";
    return 0;
  }
  const absl::Status s = serving::WriteDevelopmentCertificates(
      dir, {"answer", "rules-check", "handoff-prep", "record-keeper",
            "frontdesk-cli"});
  if (!s.ok()) {
    err << "frontdesk tls init: " << s.message() << "\n";
    return 1;
  }
  out << "frontdesk tls init: wrote a development CA and certificates for "
         "answer, rules-check, handoff-prep, record-keeper and frontdesk-cli "
         "to "
      << dir << "\n";
  return 0;
}

}  // namespace frontdesk::cli
