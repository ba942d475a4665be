#include "libs/serving/policy_flags.h"

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/phi/phi_keyring.h"
#include "libs/serving/service_runtime.h"

ABSL_FLAG(std::string, policy,
          frontdesk::serving::EnvOr("FRONTDESK_POLICY",
                                    "examples/clinic/policy.yaml"),
          "The clinic's policy file (env FRONTDESK_POLICY)");
ABSL_FLAG(std::string, keyring_file,
          frontdesk::serving::EnvOr("FRONTDESK_KEYRING_FILE", ""),
          "The PHI keyring, mode 600: a wrapped keyring whose data keys the "
          "KEK file it names unwraps (`frontdesk keys init`), or a plain "
          "development one, lines \"<tenant_id> <64 hex key>\" (env "
          "FRONTDESK_KEYRING_FILE; libs/phi/README.md)");

namespace frontdesk::serving {

absl::StatusOr<std::shared_ptr<const policy::ClinicPolicy>>
LoadPolicyFromFlags() {
  absl::StatusOr<policy::ClinicPolicy> p =
      policy::LoadPolicyFile(absl::GetFlag(FLAGS_policy));
  if (!p.ok()) return p.status();
  return std::make_shared<const policy::ClinicPolicy>(*std::move(p));
}

absl::StatusOr<phi::PhiKeyring> LoadKeyringFromFlags(
    absl::string_view tenant_id) {
  const std::string path = absl::GetFlag(FLAGS_keyring_file);
  if (path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--keyring_file: required, with a PHI key for tenant \"",
                     tenant_id, "\""));
  }
  absl::StatusOr<phi::PhiKeyring> keyring =
      phi::PhiKeyring::FromLocalFile(path);
  if (!keyring.ok()) {
    return absl::Status(
        keyring.status().code(),
        absl::StrCat("--keyring_file: ", keyring.status().message()));
  }
  absl::StatusOr<phi::PhiSealer> sealer = keyring->SealerFor(tenant_id);
  if (!sealer.ok()) {
    return absl::Status(
        sealer.status().code(),
        absl::StrCat("--keyring_file ", path, ": ", sealer.status().message()));
  }
  return keyring;
}

absl::StatusOr<phi::PhiSealer> LoadSealerFromFlags(
    absl::string_view tenant_id) {
  absl::StatusOr<phi::PhiKeyring> keyring = LoadKeyringFromFlags(tenant_id);
  if (!keyring.ok()) return keyring.status();
  return keyring->SealerFor(tenant_id);
}

}  // namespace frontdesk::serving
