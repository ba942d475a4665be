// The transport flags every frontdesk process shares (services and tools):
//
//   --tls_dir (env FRONTDESK_TLS_DIR): a folder with ca.pem and, for each
//       identity, <identity>.pem and <identity>.key (see
//       transport_security.h). Services serve mutual TLS and call each other
//       over it.
//   --plaintext_for_development: serve and call without TLS. Only for local
//       experiments; a service refuses to start with neither flag, and says
//       loudly in its log when it runs in plaintext.
#ifndef FRONTDESK_LIBS_SERVING_TLS_FLAGS_H_
#define FRONTDESK_LIBS_SERVING_TLS_FLAGS_H_

#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"

ABSL_DECLARE_FLAG(std::string, tls_dir);
ABSL_DECLARE_FLAG(bool, plaintext_for_development);

namespace grpc {
class Channel;
class ChannelCredentials;
}  // namespace grpc

namespace frontdesk::serving {

// A channel from `self` (this process's identity) to `address`, expected to
// be `server_identity`: mTLS with --tls_dir, plaintext with
// --plaintext_for_development, else FAILED_PRECONDITION saying what to pass.
absl::StatusOr<std::shared_ptr<grpc::Channel>> ChannelFromFlags(
    const std::string& self, const std::string& address,
    const std::string& server_identity);

// The credentials ChannelFromFlags uses, for callers that build their own
// channel arguments (they must also set SetSslTargetNameOverride to the
// server's identity).
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
ChannelCredentialsFromFlags(const std::string& self);

}  // namespace frontdesk::serving

#endif  // FRONTDESK_LIBS_SERVING_TLS_FLAGS_H_
