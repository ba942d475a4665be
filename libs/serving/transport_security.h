// Transport security: mutual TLS between the services and from the tools,
// and which peer may call which gRPC method.
//
// Every process holds one certificate, signed by the department's CA, whose
// common name is its identity: "answer", "rules-check", "handoff-prep",
// "record-keeper", or "frontdesk-cli" for the tools. The same certificate
// serves (server side) and calls (client side).
//
// A server built with ServerCredentials:
//   - refuses a peer without a certificate, or whose certificate does not
//     chain to the CA (the TLS handshake fails);
//   - refuses, with PERMISSION_DENIED, a peer whose identity the rules do not
//     allow for the method called.
// A client channel checks that the server's certificate chains to the CA and
// names the service it expected.
//
// Example:
//   auto tls = TransportSecurity::FromDir("run/tls", "answer");
//   builder.AddListeningPort(addr, (*tls)->ServerCredentials(
//       DepartmentPeerRules()));
//   auto channel = (*tls)->Channel("127.0.0.1:7102", "rules-check");
#ifndef FRONTDESK_LIBS_SERVING_TRANSPORT_SECURITY_H_
#define FRONTDESK_LIBS_SERVING_TRANSPORT_SECURITY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace grpc {
class Channel;
class ChannelCredentials;
class ServerCredentials;
}  // namespace grpc

namespace frontdesk::serving {

// Who may call the methods whose full name ("/package.Service/Method")
// starts with `method_prefix`. An empty `peers` list allows any peer whose
// certificate chains to the CA.
struct PeerRule {
  std::string method_prefix;
  std::vector<std::string> peers;
};

// The department's call graph: only answer calls rules-check and
// handoff-prep's Prepare; the tools (frontdesk-cli) call answer, the staff
// API and the records API; health checks and reflection are open to any
// authenticated peer. A method no rule names is refused.
std::vector<PeerRule> DepartmentPeerRules();

// True when the certificate identity `peer` is `identity`: the same name, or
// a Kubernetes workload name "<release>-<clinic>-<identity>" (cert-manager
// certificates carry the workload's DNS names, not a common name).
bool PeerIs(absl::string_view peer, absl::string_view identity);

// True for 127.x.x.x, localhost and [::1] addresses. Channels to those check
// the server certificate against the expected identity (the development
// certificates name it); to any other host, against the host name.
bool IsLoopbackAddress(absl::string_view address);

// The identity a rule set allows for `method`, as a decision:
// OK, or PERMISSION_DENIED naming the peer and the method.
absl::Status CheckPeer(const std::vector<PeerRule>& rules,
                       const std::string& method, const std::string& peer);

class TransportSecurity {
 public:
  // PEM files: the CA certificate, this process's certificate and its key.
  // The status names the file that is missing or unreadable.
  static absl::StatusOr<std::shared_ptr<TransportSecurity>> FromFiles(
      const std::string& ca_file, const std::string& cert_file,
      const std::string& key_file);
  // "<dir>/ca.pem", "<dir>/<identity>.pem" and "<dir>/<identity>.key"; or,
  // when "<dir>/tls.crt" exists (a mounted cert-manager Secret), "ca.crt",
  // "tls.crt" and "tls.key".
  static absl::StatusOr<std::shared_ptr<TransportSecurity>> FromDir(
      const std::string& dir, const std::string& identity);

  // mTLS server credentials that enforce `rules` on every call.
  std::shared_ptr<grpc::ServerCredentials> ServerCredentials(
      std::vector<PeerRule> rules) const;
  std::shared_ptr<grpc::ChannelCredentials> ChannelCredentials() const;
  // A channel to `address` that expects the server to be `server_identity`.
  std::shared_ptr<grpc::Channel> Channel(
      const std::string& address, const std::string& server_identity) const;

 private:
  TransportSecurity(std::string ca, std::string cert, std::string key)
      : ca_(std::move(ca)), cert_(std::move(cert)), key_(std::move(key)) {}
  const std::string ca_;
  const std::string cert_;
  const std::string key_;
};

// Writes a development CA ("<dir>/ca.pem", "<dir>/ca.key") and, for each
// identity, "<dir>/<identity>.pem" and "<dir>/<identity>.key" (mode 600),
// valid for `days`, with the identity as common name and as a DNS name, and
// localhost and 127.0.0.1 as alternative names. For `make run` and tests;
// production brings its own CA.
absl::Status WriteDevelopmentCertificates(
    const std::string& dir, const std::vector<std::string>& identities,
    int days = 365);

}  // namespace frontdesk::serving

#endif  // FRONTDESK_LIBS_SERVING_TRANSPORT_SECURITY_H_
