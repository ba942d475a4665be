#include "libs/auth/staff_authenticator.h"

#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace {
std::string EnvOrEmpty(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}
constexpr size_t kMaxAssertedBytes = 128;
}  // namespace

ABSL_FLAG(std::string, token_public_key_file,
          EnvOrEmpty("FRONTDESK_TOKEN_PUBLIC_KEY_FILE"),
          "PEM public key (EC P-256) of the staff token issuer (env "
          "FRONTDESK_TOKEN_PUBLIC_KEY_FILE)");
ABSL_FLAG(std::string, token_public_key,
          EnvOrEmpty("FRONTDESK_TOKEN_PUBLIC_KEY"),
          "The same key as PEM text instead of a file (env "
          "FRONTDESK_TOKEN_PUBLIC_KEY, for a ConfigMap value)");
ABSL_FLAG(std::string, token_issuer, EnvOrEmpty("FRONTDESK_STAFF_ISSUER"),
          "The iss claim staff tokens must carry; empty accepts any issuer "
          "signing with the key (env FRONTDESK_STAFF_ISSUER)");
ABSL_FLAG(bool, asserted_staff_identity_for_development, false,
          "Take x-staff-id and x-staff-role at their word, without tokens. "
          "Development only");

namespace frontdesk::auth {

std::unique_ptr<StaffAuthenticator> StaffAuthenticator::WithTokens(
    std::unique_ptr<TokenVerifier> verifier) {
  std::string tenant = verifier->tenant();
  return std::unique_ptr<StaffAuthenticator>(
      new StaffAuthenticator(std::move(verifier), std::move(tenant)));
}

std::unique_ptr<StaffAuthenticator> StaffAuthenticator::AssertedForDevelopment(
    std::string tenant) {
  return std::unique_ptr<StaffAuthenticator>(
      new StaffAuthenticator(nullptr, std::move(tenant)));
}

absl::StatusOr<StaffPrincipal> StaffAuthenticator::Authenticate(
    absl::string_view authorization, absl::string_view asserted_id,
    absl::string_view asserted_role) const {
  if (verifier_ != nullptr) {
    return verifier_->VerifyAuthorizationHeader(authorization);
  }
  if (asserted_id.empty() || asserted_role.empty()) {
    return absl::UnauthenticatedError(
        "a staff id and role are required (x-staff-id and x-staff-role)");
  }
  if (asserted_id.size() > kMaxAssertedBytes ||
      asserted_role.size() > kMaxAssertedBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("x-staff-id and x-staff-role: at most ", kMaxAssertedBytes,
                     " bytes each"));
  }
  StaffPrincipal p;
  p.subject = std::string(asserted_id);
  p.role = std::string(asserted_role);
  p.tenant = tenant_;
  p.expires = absl::InfiniteFuture();
  return p;
}

absl::StatusOr<std::unique_ptr<StaffAuthenticator>> StaffAuthenticatorFromFlags(
    const std::string& tenant, const Clock* clock) {
  const std::string pem = absl::GetFlag(FLAGS_token_public_key);
  if (!pem.empty()) {
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier =
        TokenVerifier::Create(pem, tenant, absl::GetFlag(FLAGS_token_issuer),
                              clock);
    if (!verifier.ok()) return verifier.status();
    return StaffAuthenticator::WithTokens(*std::move(verifier));
  }
  const std::string key = absl::GetFlag(FLAGS_token_public_key_file);
  if (!key.empty()) {
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier =
        TokenVerifier::FromPemFile(key, tenant,
                                   absl::GetFlag(FLAGS_token_issuer), clock);
    if (!verifier.ok()) return verifier.status();
    return StaffAuthenticator::WithTokens(*std::move(verifier));
  }
  if (absl::GetFlag(FLAGS_asserted_staff_identity_for_development)) {
    spdlog::warn(
        "event=asserted_staff_identity STAFF IDENTITY NOT VERIFIED: callers "
        "name themselves with x-staff-id and x-staff-role. Development only");
    return StaffAuthenticator::AssertedForDevelopment(tenant);
  }
  return absl::FailedPreconditionError(
      "no staff token key: pass --token_public_key_file (or set "
      "FRONTDESK_TOKEN_PUBLIC_KEY_FILE), or "
      "--asserted_staff_identity_for_development for a local experiment");
}

}  // namespace frontdesk::auth
