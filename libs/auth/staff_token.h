// Staff tokens: who is calling, in which role, for which clinic, until when.
//
// Staff, auditors and operators present a signed JSON Web Token (ES256,
// signed by the clinic's token issuer). The claims are:
//   sub     the person's id (never a name)
//   role    one role of the policy, for example "triage-nurse" or "auditor"
//   tenant  the clinic's tenant id
//   exp     expiry, seconds since the epoch (required)
//   iat     issued at (optional)
//   iss     the issuer, checked when the verifier is given one
//
// TokenVerifier holds only the issuer's public key. It accepts a token only
// when: its algorithm is ES256 (never "none" and never an HMAC keyed with the
// public key), its signature verifies, it has not expired, it is for the
// verifier's tenant, and sub and role are present. Errors say which check
// failed and never include the token, which is a secret.
//
// TokenIssuer holds the private key; `frontdesk token issue` and tests use it.
//
// Example:
//   auto verifier = TokenVerifier::FromPemFile(path, "clinic-a", "", clock);
//   absl::StatusOr<StaffPrincipal> who = verifier->Verify(bearer);
//
// Thread-safe.
#ifndef FRONTDESK_LIBS_AUTH_STAFF_TOKEN_H_
#define FRONTDESK_LIBS_AUTH_STAFF_TOKEN_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/common/clock.h"

namespace frontdesk::auth {

struct StaffPrincipal {
  std::string subject;
  std::string role;
  std::string tenant;
  absl::Time expires;
};

class TokenVerifier {
 public:
  // `public_key_pem` is the issuer's EC P-256 public key in PEM. An empty
  // `issuer` skips the iss check. `clock` must outlive the verifier.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> Create(
      std::string public_key_pem, std::string tenant, std::string issuer,
      const Clock* clock);
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> FromPemFile(
      const std::string& path, std::string tenant, std::string issuer,
      const Clock* clock);

  // UNAUTHENTICATED: missing, malformed, badly signed, wrong algorithm,
  // expired or incomplete token. PERMISSION_DENIED: a valid token for another
  // tenant.
  absl::StatusOr<StaffPrincipal> Verify(absl::string_view token) const;

  // Strips an optional "Bearer " prefix from an authorization header.
  absl::StatusOr<StaffPrincipal> VerifyAuthorizationHeader(
      absl::string_view header) const;

  const std::string& tenant() const { return tenant_; }

 private:
  TokenVerifier(std::string public_key_pem, std::string tenant,
                std::string issuer, const Clock* clock)
      : key_(std::move(public_key_pem)),
        tenant_(std::move(tenant)),
        issuer_(std::move(issuer)),
        clock_(clock) {}
  const std::string key_;
  const std::string tenant_;
  const std::string issuer_;
  const Clock* const clock_;
};

// A new issuer key pair (EC P-256) in PEM.
struct IssuerKeyPair {
  std::string private_pem;
  std::string public_pem;
};
absl::StatusOr<IssuerKeyPair> GenerateIssuerKeyPair();

class TokenIssuer {
 public:
  // `private_key_pem` is an EC P-256 private key in PEM.
  static absl::StatusOr<std::unique_ptr<TokenIssuer>> Create(
      std::string private_key_pem, std::string issuer);

  // A token for `principal` (its `expires` is the exp claim).
  absl::StatusOr<std::string> Issue(const StaffPrincipal& principal,
                                    absl::Time issued_at) const;

 private:
  TokenIssuer(std::string key, std::string issuer)
      : key_(std::move(key)), issuer_(std::move(issuer)) {}
  const std::string key_;
  const std::string issuer_;
};

}  // namespace frontdesk::auth

#endif  // FRONTDESK_LIBS_AUTH_STAFF_TOKEN_H_
