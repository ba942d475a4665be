#include "libs/phi/phi_keyring.h"

#include <utility>

#include "libs/phi/local_keyring_file.h"

namespace frontdesk::phi {

namespace ev = ::frontdesk::events::v1;

PhiKeyring::PhiKeyring(std::unique_ptr<const TenantKeySource> keys)
    : keys_(std::move(keys)) {}

absl::StatusOr<PhiKeyring> PhiKeyring::FromLocalFile(const std::string& path) {
  absl::StatusOr<std::unique_ptr<LocalKeyringFile>> keys =
      LocalKeyringFile::Load(path);
  if (!keys.ok()) return keys.status();
  return PhiKeyring(*std::move(keys));
}

absl::StatusOr<PhiSealer> PhiKeyring::SealerFor(
    absl::string_view tenant_id) const {
  absl::StatusOr<std::string> key = keys_->ActiveKey(tenant_id);
  if (!key.ok()) return key.status();
  return PhiSealer::FromKey(*key);
}

absl::StatusOr<ev::PhiFields> PhiKeyring::Open(
    const ev::SealedPhi& sealed, absl::string_view tenant_id,
    absl::string_view call_id) const {
  absl::StatusOr<std::string> key = keys_->KeyById(tenant_id, sealed.key_id());
  if (!key.ok()) return key.status();
  absl::StatusOr<PhiSealer> sealer = PhiSealer::FromKey(*key);
  if (!sealer.ok()) return sealer.status();
  return sealer->Open(sealed, tenant_id, call_id);
}

}  // namespace frontdesk::phi
