#include "libs/auth/staff_token.h"

#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace frontdesk::auth {
namespace {

struct JwtDeleter {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtDeleter>;

// A JWT is three base64url parts separated by dots; anything else is refused
// before it reaches the library.
bool LooksLikeJwt(absl::string_view token) {
  if (token.empty() || token.size() > 8192) return false;
  int dots = 0;
  for (char c : token) {
    if (c == '.') {
      ++dots;
    } else if (!(absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
                 c == '-' || c == '_')) {
      return false;
    }
  }
  return dots == 2;
}

std::string Claim(jwt_t* j, const char* name) {
  const char* v = jwt_get_grant(j, name);
  return v == nullptr ? std::string() : std::string(v);
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

}  // namespace

absl::StatusOr<IssuerKeyPair> GenerateIssuerKeyPair() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return absl::InternalError("cannot generate an EC key");
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  const bool ok = PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0,
                                           nullptr, nullptr) == 1 &&
                  PEM_write_bio_PUBKEY(pub, key) == 1;
  IssuerKeyPair pair{BioText(priv), BioText(pub)};
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  if (!ok) return absl::InternalError("cannot write the EC key pair");
  return pair;
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::Create(
    std::string public_key_pem, std::string tenant, std::string issuer,
    const Clock* clock) {
  if (!absl::StrContains(public_key_pem, "BEGIN PUBLIC KEY")) {
    return absl::InvalidArgumentError(
        "token public key: expected an EC P-256 public key in PEM "
        "(-----BEGIN PUBLIC KEY-----)");
  }
  if (tenant.empty()) {
    return absl::InvalidArgumentError("token verifier: tenant is required");
  }
  return std::unique_ptr<TokenVerifier>(new TokenVerifier(
      std::move(public_key_pem), std::move(tenant), std::move(issuer), clock));
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::FromPemFile(
    const std::string& path, std::string tenant, std::string issuer,
    const Clock* clock) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("token public key file ", path, " cannot be read"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  absl::StatusOr<std::unique_ptr<TokenVerifier>> v =
      Create(ss.str(), std::move(tenant), std::move(issuer), clock);
  if (!v.ok()) {
    return absl::Status(v.status().code(),
                        absl::StrCat(path, ": ", v.status().message()));
  }
  return v;
}

absl::StatusOr<StaffPrincipal> TokenVerifier::Verify(
    absl::string_view token) const {
  if (token.empty()) {
    return absl::UnauthenticatedError("no token: sign in first");
  }
  if (!LooksLikeJwt(token)) {
    return absl::UnauthenticatedError("the token is not a signed JWT");
  }
  const std::string t(token);
  jwt_t* raw = nullptr;
  const int rc = jwt_decode(&raw, t.c_str(),
                            reinterpret_cast<const unsigned char*>(key_.data()),
                            static_cast<int>(key_.size()));
  JwtPtr j(raw);
  if (rc != 0 || j == nullptr) {
    return absl::UnauthenticatedError(
        "the token's signature does not verify with the issuer's key");
  }
  // The signature was checked with the algorithm the token names; only
  // ES256 proves the issuer's private key signed it.
  if (jwt_get_alg(j.get()) != JWT_ALG_ES256) {
    return absl::UnauthenticatedError(absl::StrCat(
        "the token is signed with ", jwt_alg_str(jwt_get_alg(j.get())),
        "; only ES256 is "
        "accepted"));
  }
  errno = 0;
  const long exp = jwt_get_grant_int(j.get(), "exp");
  if (errno != 0 || exp <= 0) {
    return absl::UnauthenticatedError("the token has no expiry (exp)");
  }
  const absl::Time expires = absl::FromUnixSeconds(exp);
  if (clock_->Now() >= expires) {
    return absl::UnauthenticatedError("the token has expired");
  }
  if (!issuer_.empty() && Claim(j.get(), "iss") != issuer_) {
    return absl::UnauthenticatedError(
        "the token was not issued by this clinic's issuer");
  }
  StaffPrincipal p;
  p.subject = Claim(j.get(), "sub");
  p.role = Claim(j.get(), "role");
  p.tenant = Claim(j.get(), "tenant");
  p.expires = expires;
  if (p.subject.empty()) {
    return absl::UnauthenticatedError("the token has no subject (sub)");
  }
  if (p.role.empty()) {
    return absl::UnauthenticatedError("the token has no role");
  }
  if (p.tenant != tenant_) {
    return absl::PermissionDeniedError(
        "the token is for another clinic (tenant)");
  }
  return p;
}

absl::StatusOr<StaffPrincipal> TokenVerifier::VerifyAuthorizationHeader(
    absl::string_view header) const {
  absl::ConsumePrefix(&header, "Bearer ");
  return Verify(header);
}

absl::StatusOr<std::unique_ptr<TokenIssuer>> TokenIssuer::Create(
    std::string private_key_pem, std::string issuer) {
  if (!absl::StrContains(private_key_pem, "PRIVATE KEY")) {
    return absl::InvalidArgumentError(
        "token issuer key: expected an EC P-256 private key in PEM");
  }
  return std::unique_ptr<TokenIssuer>(
      new TokenIssuer(std::move(private_key_pem), std::move(issuer)));
}

absl::StatusOr<std::string> TokenIssuer::Issue(const StaffPrincipal& principal,
                                               absl::Time issued_at) const {
  if (principal.subject.empty() || principal.role.empty() ||
      principal.tenant.empty()) {
    return absl::InvalidArgumentError(
        "a token needs a subject, a role and a tenant");
  }
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::InternalError("jwt_new failed");
  JwtPtr j(raw);
  bool ok =
      jwt_add_grant(j.get(), "sub", principal.subject.c_str()) == 0 &&
      jwt_add_grant(j.get(), "role", principal.role.c_str()) == 0 &&
      jwt_add_grant(j.get(), "tenant", principal.tenant.c_str()) == 0 &&
      jwt_add_grant_int(j.get(), "exp",
                        absl::ToUnixSeconds(principal.expires)) == 0 &&
      jwt_add_grant_int(j.get(), "iat", absl::ToUnixSeconds(issued_at)) == 0;
  if (ok && !issuer_.empty()) {
    ok = jwt_add_grant(j.get(), "iss", issuer_.c_str()) == 0;
  }
  if (!ok) return absl::InternalError("the token's claims could not be set");
  if (jwt_set_alg(j.get(), JWT_ALG_ES256,
                  reinterpret_cast<const unsigned char*>(key_.data()),
                  static_cast<int>(key_.size())) != 0) {
    return absl::InvalidArgumentError("the issuer key cannot sign ES256");
  }
  char* out = jwt_encode_str(j.get());
  if (out == nullptr) {
    return absl::InvalidArgumentError(
        "the token could not be signed with the issuer key");
  }
  std::string token(out);
  free(out);  // NOLINT: allocated by libjwt with malloc.
  return token;
}

}  // namespace frontdesk::auth
