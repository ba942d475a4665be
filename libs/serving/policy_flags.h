// The --policy and --keyring_file flags of the services that hold a clinic
// policy (answer, rules-check, handoff-prep), and their loading. A service
// refuses to start when either does not load.
#ifndef FRONTDESK_LIBS_SERVING_POLICY_FLAGS_H_
#define FRONTDESK_LIBS_SERVING_POLICY_FLAGS_H_

#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "libs/phi/phi_keyring.h"
#include "libs/phi/phi_sealer.h"
#include "libs/policy/clinic_policy.h"

ABSL_DECLARE_FLAG(std::string, policy);
ABSL_DECLARE_FLAG(std::string, keyring_file);

namespace frontdesk::serving {

// The policy named by --policy. INVALID_ARGUMENT lists every error.
absl::StatusOr<std::shared_ptr<const policy::ClinicPolicy>>
LoadPolicyFromFlags();

// A sealer with the active key of `tenant_id` (the policy's tenant) from the
// keyring that --keyring_file names, wrapped (libs/phi/wrapped_keyring_file.h)
// or plain (libs/phi/local_keyring_file.h), detected. Fails,
// naming the flag, when the flag is empty, the keyring does not load, or it
// holds no key for the tenant.
absl::StatusOr<phi::PhiSealer> LoadSealerFromFlags(absl::string_view tenant_id);

// The keyring itself, checked the same way: it opens PHI sealed under any
// key of the tenant it holds, so data sealed before a rotation stays
// readable.
absl::StatusOr<phi::PhiKeyring> LoadKeyringFromFlags(
    absl::string_view tenant_id);

}  // namespace frontdesk::serving

#endif  // FRONTDESK_LIBS_SERVING_POLICY_FLAGS_H_
