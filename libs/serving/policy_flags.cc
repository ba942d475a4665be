#include "libs/serving/policy_flags.h"

#include "absl/flags/flag.h"
#include "libs/serving/service_runtime.h"

ABSL_FLAG(std::string, policy,
          frontdesk::serving::EnvOr("FRONTDESK_POLICY",
                                    "examples/clinic/policy.yaml"),
          "The clinic's policy file (env FRONTDESK_POLICY)");
ABSL_FLAG(std::string, phi_key_file,
          frontdesk::serving::EnvOr("FRONTDESK_PHI_KEY_FILE", ""),
          "File with the 32-byte PHI sealing key in hex (env "
          "FRONTDESK_PHI_KEY_FILE)");

namespace frontdesk::serving {

absl::StatusOr<std::shared_ptr<const policy::ClinicPolicy>>
LoadPolicyFromFlags() {
  absl::StatusOr<policy::ClinicPolicy> p =
      policy::LoadPolicyFile(absl::GetFlag(FLAGS_policy));
  if (!p.ok()) return p.status();
  return std::make_shared<const policy::ClinicPolicy>(*std::move(p));
}

absl::StatusOr<phi::PhiSealer> LoadSealerFromFlags() {
  return phi::PhiSealer::FromKeyFile(absl::GetFlag(FLAGS_phi_key_file));
}

}  // namespace frontdesk::serving
