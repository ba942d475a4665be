#include "libs/serving/transport_security.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/auth_metadata_processor.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace frontdesk::serving {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("TLS ", what, " file ", path, " cannot be read"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (!absl::StrContains(ss.str(), "-----BEGIN ")) {
    return absl::InvalidArgumentError(
        absl::StrCat("TLS ", what, " file ", path, " is not PEM"));
  }
  return ss.str();
}

// Enforces the peer rules on every call, inline on the call's thread.
class PeerRuleProcessor : public grpc::AuthMetadataProcessor {
 public:
  explicit PeerRuleProcessor(std::vector<PeerRule> rules)
      : rules_(std::move(rules)) {}

  bool IsBlocking() const override { return false; }

  grpc::Status Process(const InputMetadata& metadata,
                       grpc::AuthContext* context, OutputMetadata*,
                       OutputMetadata*) override {
    std::string method;
    auto path = metadata.find(grpc::string_ref(":path"));
    if (path != metadata.end()) {
      method.assign(path->second.data(), path->second.size());
    }
    // The identity is the common name (development certificates) or, when
    // there is none, the first DNS name (cert-manager certificates).
    std::string peer;
    for (const grpc::string_ref& v :
         context->FindPropertyValues("x509_common_name")) {
      peer.assign(v.data(), v.size());
    }
    if (peer.empty()) {
      for (const grpc::string_ref& v :
           context->FindPropertyValues("x509_subject_alternative_name")) {
        peer.assign(v.data(), v.size());
        break;
      }
    }
    const absl::Status s = CheckPeer(rules_, method, peer);
    if (!s.ok()) {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                          std::string(s.message()));
    }
    return grpc::Status::OK;
  }

 private:
  const std::vector<PeerRule> rules_;
};

struct Deleters {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(X509* c) const { X509_free(c); }
  void operator()(BIO* b) const { BIO_free(b); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleters>;
using CertPtr = std::unique_ptr<X509, Deleters>;
using BioPtr = std::unique_ptr<BIO, Deleters>;

bool AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  const bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// A certificate for `name`, signed by `issuer_key` (self-signed when
// `issuer` is null).
CertPtr MakeCertificate(const std::string& name, EVP_PKEY* key, X509* issuer,
                        EVP_PKEY* issuer_key, int days, long serial) {
  CertPtr cert(X509_new());
  if (!cert) return nullptr;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * days);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
      subject, "O", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>("frontdesk development"), -1, -1,
      0);
  X509_NAME_add_entry_by_txt(
      subject, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  X509* signer = issuer == nullptr ? cert.get() : issuer;
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  bool ok = true;
  if (issuer == nullptr) {
    ok = AddExtension(cert.get(), signer, NID_basic_constraints,
                      "critical,CA:TRUE") &&
         AddExtension(cert.get(), signer, NID_key_usage,
                      "critical,keyCertSign,cRLSign") &&
         AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
  } else {
    ok =
        AddExtension(cert.get(), signer, NID_basic_constraints,
                     "critical,CA:FALSE") &&
        AddExtension(cert.get(), signer, NID_key_usage,
                     "critical,digitalSignature,keyEncipherment") &&
        AddExtension(cert.get(), signer, NID_ext_key_usage,
                     "serverAuth,clientAuth") &&
        AddExtension(cert.get(), signer, NID_subject_alt_name,
                     absl::StrCat("DNS:", name, ",DNS:localhost,IP:127.0.0.1"));
  }
  if (!ok) return nullptr;
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) return nullptr;
  return cert;
}

absl::Status WriteFile(const std::string& path, const std::string& data,
                       mode_t mode) {
  std::ofstream out(path, std::ios::trunc);
  out << data;
  out.close();
  if (!out) return absl::InternalError(absl::StrCat(path, ": cannot write"));
  if (chmod(path.c_str(), mode) != 0) {
    return absl::InternalError(absl::StrCat(path, ": cannot set its mode"));
  }
  return absl::OkStatus();
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string KeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                           nullptr);
  return BioText(bio.get());
}

std::string CertPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return BioText(bio.get());
}

}  // namespace

bool PeerIs(absl::string_view peer, absl::string_view identity) {
  if (peer == identity) return true;
  // A Kubernetes workload name: "<release>-<clinic>-<identity>", possibly
  // followed by ".<namespace>.svc...".
  const absl::string_view host = peer.substr(0, peer.find('.'));
  return host.size() > identity.size() + 1 &&
         absl::EndsWith(host, absl::StrCat("-", identity));
}

bool IsLoopbackAddress(absl::string_view address) {
  return absl::StartsWith(address, "127.") ||
         absl::StartsWith(address, "localhost:") ||
         absl::StartsWith(address, "[::1]:");
}

std::vector<PeerRule> DepartmentPeerRules() {
  return {
      {"/grpc.health.v1.Health/", {}},
      {"/grpc.reflection.", {}},
      {"/frontdesk.rules.v1.RulesCheck/", {"answer"}},
      {"/frontdesk.handoff.v1.HandoffPrep/", {"answer"}},
      {"/frontdesk.handoff.v1.StaffQueue/", {"frontdesk-cli"}},
      {"/frontdesk.answer.v1.Answer/", {"frontdesk-cli"}},
      {"/frontdesk.records.v1.Records/", {"frontdesk-cli"}},
  };
}

absl::Status CheckPeer(const std::vector<PeerRule>& rules,
                       const std::string& method, const std::string& peer) {
  for (const PeerRule& r : rules) {
    if (!absl::StartsWith(method, r.method_prefix)) continue;
    if (r.peers.empty()) return absl::OkStatus();
    for (const std::string& p : r.peers) {
      if (PeerIs(peer, p)) return absl::OkStatus();
    }
    return absl::PermissionDeniedError(
        absl::StrCat("peer \"", peer, "\" may not call ", method));
  }
  return absl::PermissionDeniedError(
      absl::StrCat("no rule allows any peer to call ", method));
}

absl::StatusOr<std::shared_ptr<TransportSecurity>> TransportSecurity::FromFiles(
    const std::string& ca_file, const std::string& cert_file,
    const std::string& key_file) {
  absl::StatusOr<std::string> ca = ReadPem(ca_file, "CA certificate");
  if (!ca.ok()) return ca.status();
  absl::StatusOr<std::string> cert = ReadPem(cert_file, "certificate");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadPem(key_file, "key");
  if (!key.ok()) return key.status();
  return std::shared_ptr<TransportSecurity>(
      new TransportSecurity(*std::move(ca), *std::move(cert), *std::move(key)));
}

absl::StatusOr<std::shared_ptr<TransportSecurity>> TransportSecurity::FromDir(
    const std::string& dir, const std::string& identity) {
  // A cert-manager Secret mounted as a folder: one certificate per pod.
  if (std::filesystem::exists(absl::StrCat(dir, "/tls.crt"))) {
    return FromFiles(absl::StrCat(dir, "/ca.crt"),
                     absl::StrCat(dir, "/tls.crt"),
                     absl::StrCat(dir, "/tls.key"));
  }
  return FromFiles(absl::StrCat(dir, "/ca.pem"),
                   absl::StrCat(dir, "/", identity, ".pem"),
                   absl::StrCat(dir, "/", identity, ".key"));
}

std::shared_ptr<grpc::ServerCredentials> TransportSecurity::ServerCredentials(
    std::vector<PeerRule> rules) const {
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = ca_;
  options.pem_key_cert_pairs.push_back({key_, cert_});
  std::shared_ptr<grpc::ServerCredentials> creds =
      grpc::SslServerCredentials(options);
  creds->SetAuthMetadataProcessor(
      std::make_shared<PeerRuleProcessor>(std::move(rules)));
  return creds;
}

std::shared_ptr<grpc::ChannelCredentials>
TransportSecurity::ChannelCredentials() const {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ca_;
  options.pem_private_key = key_;
  options.pem_cert_chain = cert_;
  return grpc::SslCredentials(options);
}

std::shared_ptr<grpc::Channel> TransportSecurity::Channel(
    const std::string& address, const std::string& server_identity) const {
  grpc::ChannelArguments args;
  if (IsLoopbackAddress(address))
    args.SetSslTargetNameOverride(server_identity);
  return grpc::CreateCustomChannel(address, ChannelCredentials(), args);
}

absl::Status WriteDevelopmentCertificates(
    const std::string& dir, const std::vector<std::string>& identities,
    int days) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat(dir, ": cannot create: ", ec.message()));
  }
  KeyPtr ca_key(EVP_EC_gen("P-256"));
  if (!ca_key) return absl::InternalError("cannot generate the CA key");
  CertPtr ca = MakeCertificate("frontdesk development CA", ca_key.get(),
                               nullptr, ca_key.get(), days, 1);
  if (!ca) return absl::InternalError("cannot make the CA certificate");
  absl::Status s =
      WriteFile(absl::StrCat(dir, "/ca.pem"), CertPem(ca.get()), 0644);
  if (s.ok()) {
    s = WriteFile(absl::StrCat(dir, "/ca.key"), KeyPem(ca_key.get()), 0600);
  }
  long serial = 2;
  for (const std::string& id : identities) {
    if (!s.ok()) return s;
    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key) return absl::InternalError("cannot generate a key");
    CertPtr cert =
        MakeCertificate(id, key.get(), ca.get(), ca_key.get(), days, serial++);
    if (!cert) {
      return absl::InternalError(
          absl::StrCat("cannot make the certificate of ", id));
    }
    s = WriteFile(absl::StrCat(dir, "/", id, ".pem"), CertPem(cert.get()),
                  0644);
    if (s.ok()) {
      s = WriteFile(absl::StrCat(dir, "/", id, ".key"), KeyPem(key.get()),
                    0600);
    }
  }
  return s;
}

}  // namespace frontdesk::serving
