// The --policy and --phi_key_file flags of the services that hold a clinic
// policy (answer, rules-check, handoff-prep), and their loading. A service
// refuses to start when either does not load.
#ifndef FRONTDESK_LIBS_SERVING_POLICY_FLAGS_H_
#define FRONTDESK_LIBS_SERVING_POLICY_FLAGS_H_

#include <memory>
#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "libs/phi/phi_sealer.h"
#include "libs/policy/clinic_policy.h"

ABSL_DECLARE_FLAG(std::string, policy);
ABSL_DECLARE_FLAG(std::string, phi_key_file);

namespace frontdesk::serving {

// The policy named by --policy. INVALID_ARGUMENT lists every error.
absl::StatusOr<std::shared_ptr<const policy::ClinicPolicy>>
LoadPolicyFromFlags();

// The sealer whose key --phi_key_file names.
absl::StatusOr<phi::PhiSealer> LoadSealerFromFlags();

}  // namespace frontdesk::serving

#endif  // FRONTDESK_LIBS_SERVING_POLICY_FLAGS_H_
