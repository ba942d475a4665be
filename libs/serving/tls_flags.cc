#include "libs/serving/tls_flags.h"

#include <grpcpp/grpcpp.h>

#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "libs/serving/transport_security.h"

namespace {
std::string TlsDirFromEnv() {
  const char* v = std::getenv("FRONTDESK_TLS_DIR");
  return v == nullptr ? std::string() : std::string(v);
}
}  // namespace

ABSL_FLAG(std::string, tls_dir, TlsDirFromEnv(),
          "Folder with ca.pem and <identity>.pem/.key for mutual TLS (env "
          "FRONTDESK_TLS_DIR)");
ABSL_FLAG(bool, plaintext_for_development, false,
          "Serve and call gRPC without TLS. Development only");

namespace frontdesk::serving {

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
ChannelCredentialsFromFlags(const std::string& self) {
  const std::string dir = absl::GetFlag(FLAGS_tls_dir);
  if (!dir.empty()) {
    absl::StatusOr<std::shared_ptr<TransportSecurity>> tls =
        TransportSecurity::FromDir(dir, self);
    if (!tls.ok()) return tls.status();
    return (*tls)->ChannelCredentials();
  }
  if (absl::GetFlag(FLAGS_plaintext_for_development)) {
    return grpc::InsecureChannelCredentials();
  }
  return absl::FailedPreconditionError(
      "no transport security: pass --tls_dir (or set FRONTDESK_TLS_DIR), or "
      "--plaintext_for_development for a local experiment");
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelFromFlags(
    const std::string& self, const std::string& address,
    const std::string& server_identity) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds =
      ChannelCredentialsFromFlags(self);
  if (!creds.ok()) return creds.status();
  grpc::ChannelArguments args;
  if (IsLoopbackAddress(address))
    args.SetSslTargetNameOverride(server_identity);
  return grpc::CreateCustomChannel(address, *creds, args);
}

}  // namespace frontdesk::serving
