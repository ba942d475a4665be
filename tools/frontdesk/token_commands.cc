#include "tools/frontdesk/token_commands.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/time/clock.h"
#include "libs/auth/staff_token.h"

ABSL_DECLARE_FLAG(std::string, out_dir);
ABSL_DECLARE_FLAG(bool, force);
ABSL_DECLARE_FLAG(std::string, tenant);
ABSL_FLAG(std::string, issuer_key_file, "",
          "token issue: the issuer's private key (PEM)");
ABSL_FLAG(std::string, subject, "", "token issue: the staff member's id");
ABSL_FLAG(std::string, token_role, "", "token issue: the role");
ABSL_FLAG(int, ttl_minutes, 480, "token issue: minutes until it expires");

namespace frontdesk::cli {
namespace {

int Keygen(std::ostream& out, std::ostream& err) {
  const std::string dir = absl::GetFlag(FLAGS_out_dir);
  if (dir.empty()) {
    err << "frontdesk token keygen: --out_dir is required\n";
    return 2;
  }
  const std::string key = dir + "/token-issuer.key";
  const std::string pub = dir + "/token-issuer.pub";
  if (std::filesystem::exists(key) && !absl::GetFlag(FLAGS_force)) {
    out << "frontdesk token keygen: " << key
        << " exists; keeping it (--force replaces it)\n";
    return 0;
  }
  absl::StatusOr<auth::IssuerKeyPair> pair = auth::GenerateIssuerKeyPair();
  if (!pair.ok()) {
    err << "frontdesk token keygen: " << pair.status().message() << "\n";
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  {
    std::ofstream k(key, std::ios::trunc);
    k << pair->private_pem;
    if (!k.flush() || chmod(key.c_str(), 0600) != 0) {
      err << "frontdesk token keygen: cannot write " << key << "\n";
      return 1;
    }
  }
  std::ofstream p(pub, std::ios::trunc);
  p << pair->public_pem;
  if (!p.flush()) {
    err << "frontdesk token keygen: cannot write " << pub << "\n";
    return 1;
  }
  out << "frontdesk token keygen: wrote " << key << " and " << pub << "\n";
  return 0;
}

int Issue(std::ostream& out, std::ostream& err) {
  const std::string path = absl::GetFlag(FLAGS_issuer_key_file);
  const std::string subject = absl::GetFlag(FLAGS_subject);
  const std::string role = absl::GetFlag(FLAGS_token_role);
  const std::string tenant = absl::GetFlag(FLAGS_tenant);
  if (path.empty() || subject.empty() || role.empty() || tenant.empty()) {
    err << "frontdesk token issue: --issuer_key_file, --subject, "
           "--token_role and --tenant are required\n";
    return 2;
  }
  if (absl::GetFlag(FLAGS_ttl_minutes) <= 0) {
    err << "frontdesk token issue: --ttl_minutes must be positive\n";
    return 2;
  }
  std::ifstream in(path);
  if (!in) {
    err << "frontdesk token issue: cannot read " << path << "\n";
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  absl::StatusOr<std::unique_ptr<auth::TokenIssuer>> issuer =
      auth::TokenIssuer::Create(ss.str(), "");
  if (!issuer.ok()) {
    err << "frontdesk token issue: " << issuer.status().message() << "\n";
    return 1;
  }
  const absl::Time now = absl::Now();
  absl::StatusOr<std::string> token =
      (*issuer)->Issue({subject, role, tenant,
                        now + absl::Minutes(absl::GetFlag(FLAGS_ttl_minutes))},
                       now);
  if (!token.ok()) {
    err << "frontdesk token issue: " << token.status().message() << "\n";
    return 1;
  }
  out << *token << "\n";
  return 0;
}

}  // namespace

int RunToken(const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err) {
  if (args.size() >= 2 && args[1] == "keygen") return Keygen(out, err);
  if (args.size() >= 2 && args[1] == "issue") return Issue(out, err);
  err << "usage: frontdesk token keygen --out_dir DIR | token issue "
         "--issuer_key_file F --subject S --token_role R [--tenant T] "
         "[--ttl_minutes N]\n";
  return 2;
}

}  // namespace frontdesk::cli
