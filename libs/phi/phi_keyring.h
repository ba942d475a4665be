// PhiKeyring: seals and opens PHI with per-tenant data keys.
//
// A keyring sits on a TenantKeySource (tenant_key_source.h): the local
// keyring file in development, a KMS-backed source in production. New PHI of
// a tenant is sealed with the tenant's active key; sealed PHI is opened with
// the tenant's key named by its SealedPhi.key_id, so PHI sealed before a key
// was rotated stays readable as long as the old key is kept.
//
// Who can decrypt: whoever holds the tenant's keys. Today that is the
// services that seal (answer, handoff-prep, each for its policy's tenant)
// and `frontdesk replay --keyring_file`.
//
// Example:
//   absl::StatusOr<PhiKeyring> keyring =
//       PhiKeyring::FromLocalFile("run/keys/keyring");
//   absl::StatusOr<PhiSealer> sealer = keyring->SealerFor("sunrise");
//   SealedPhi s = sealer->Seal(fields, "sunrise", call_id);
//   absl::StatusOr<PhiFields> back = keyring->Open(s, "sunrise", call_id);
//
// Thread-safe when its source is (every TenantKeySource must be).
#ifndef FRONTDESK_LIBS_PHI_PHI_KEYRING_H_
#define FRONTDESK_LIBS_PHI_PHI_KEYRING_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/events/v1/envelope.pb.h"
#include "libs/phi/phi_sealer.h"
#include "libs/phi/tenant_key_source.h"

namespace frontdesk::phi {

class PhiKeyring {
 public:
  // REQUIRES: `keys` is not null. The keyring owns it.
  explicit PhiKeyring(std::unique_ptr<const TenantKeySource> keys);

  // A keyring on the file at `path`, either format: a wrapped keyring
  // (wrapped_keyring_file.h; the KEK from `kek_file`, or the file the
  // keyring names when empty) or a plain development keyring
  // (local_keyring_file.h; `kek_file` must then be empty). Their errors.
  static absl::StatusOr<PhiKeyring> FromFile(const std::string& path,
                                             const std::string& kek_file);
  // FromFile(path, ""): the format is detected, the KEK the keyring names.
  static absl::StatusOr<PhiKeyring> FromLocalFile(const std::string& path);

  // A sealer with the active key of `tenant_id`. NOT_FOUND when the tenant
  // has no key; other errors are the source's.
  absl::StatusOr<PhiSealer> SealerFor(absl::string_view tenant_id) const;

  // Opens PHI of `tenant_id` and `call_id` with the tenant's key named by
  // `sealed.key_id()`. NOT_FOUND when the tenant holds no such key (also for
  // PHI of another tenant); otherwise PhiSealer::Open's errors.
  absl::StatusOr<frontdesk::events::v1::PhiFields> Open(
      const frontdesk::events::v1::SealedPhi& sealed,
      absl::string_view tenant_id, absl::string_view call_id) const;

 private:
  std::unique_ptr<const TenantKeySource> keys_;
};

}  // namespace frontdesk::phi

#endif  // FRONTDESK_LIBS_PHI_PHI_KEYRING_H_
