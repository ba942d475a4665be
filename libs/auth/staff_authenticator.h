// StaffAuthenticator: who is calling the staff API, the staff console or the
// records API.
//
// With a TokenVerifier (production): only a valid bearer token counts, taken
// from "authorization: Bearer <jwt>" (or the console's token parameter). The
// person and role come from the token; asserted x-staff-id / x-staff-role
// headers are ignored.
//
// Without one (development only, --asserted_staff_identity_for_development):
// the asserted id and role are taken at their word, and the service says so
// loudly when it starts.
//
// Example:
//   auto auth = StaffAuthenticatorFromFlags(policy.tenant_id(), clock);
//   absl::StatusOr<StaffPrincipal> who =
//       (*auth)->Authenticate(authorization, asserted_id, asserted_role);
//
// Thread-safe.
#ifndef FRONTDESK_LIBS_AUTH_STAFF_AUTHENTICATOR_H_
#define FRONTDESK_LIBS_AUTH_STAFF_AUTHENTICATOR_H_

#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/auth/staff_token.h"
#include "libs/common/clock.h"

ABSL_DECLARE_FLAG(std::string, token_public_key_file);
ABSL_DECLARE_FLAG(std::string, token_public_key);
ABSL_DECLARE_FLAG(std::string, token_issuer);
ABSL_DECLARE_FLAG(bool, asserted_staff_identity_for_development);

namespace frontdesk::auth {

class StaffAuthenticator {
 public:
  static std::unique_ptr<StaffAuthenticator> WithTokens(
      std::unique_ptr<TokenVerifier> verifier);
  static std::unique_ptr<StaffAuthenticator> AssertedForDevelopment(
      std::string tenant);

  // `authorization` is the raw header value ("Bearer <jwt>" or the bare
  // token). UNAUTHENTICATED when nothing valid identifies the caller,
  // PERMISSION_DENIED for another clinic's token, INVALID_ARGUMENT for an
  // asserted id or role over 128 bytes. Messages never contain the token.
  absl::StatusOr<StaffPrincipal> Authenticate(
      absl::string_view authorization, absl::string_view asserted_id,
      absl::string_view asserted_role) const;

  bool verifies_tokens() const { return verifier_ != nullptr; }

 private:
  StaffAuthenticator(std::unique_ptr<TokenVerifier> verifier,
                     std::string tenant)
      : verifier_(std::move(verifier)), tenant_(std::move(tenant)) {}
  const std::unique_ptr<TokenVerifier> verifier_;
  const std::string tenant_;
};

// From --token_public_key (PEM text, env FRONTDESK_TOKEN_PUBLIC_KEY) or
// --token_public_key_file (env FRONTDESK_TOKEN_PUBLIC_KEY_FILE),
// --token_issuer and --asserted_staff_identity_for_development.
// FAILED_PRECONDITION when neither a key nor the development flag is given;
// the key file's error when it cannot be read. Logs a loud warning in
// development mode.
absl::StatusOr<std::unique_ptr<StaffAuthenticator>> StaffAuthenticatorFromFlags(
    const std::string& tenant, const Clock* clock);

}  // namespace frontdesk::auth

#endif  // FRONTDESK_LIBS_AUTH_STAFF_AUTHENTICATOR_H_
