#include "libs/phi/phi_keyring.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "libs/phi/internal/owner_only_file.h"
#include "libs/phi/local_keyring_file.h"
#include "libs/phi/wrapped_keyring.h"
#include "libs/phi/wrapped_keyring_file.h"

namespace frontdesk::phi {

namespace ev = ::frontdesk::events::v1;

PhiKeyring::PhiKeyring(std::unique_ptr<const TenantKeySource> keys)
    : keys_(std::move(keys)) {}

absl::StatusOr<PhiKeyring> PhiKeyring::FromLocalFile(const std::string& path) {
  return FromFile(path, "");
}

absl::StatusOr<PhiKeyring> PhiKeyring::FromFile(const std::string& path,
                                                const std::string& kek_file) {
  absl::StatusOr<std::string> contents =
      internal::ReadOwnerOnlyFile(path, absl::StrCat("keyring file ", path));
  if (!contents.ok()) return contents.status();
  if (WrappedKeyring::IsWrapped(*contents)) {
    absl::StatusOr<std::unique_ptr<WrappedKeyringFile>> keys =
        WrappedKeyringFile::Load(path, kek_file);
    if (!keys.ok()) return keys.status();
    return PhiKeyring(*std::move(keys));
  }
  if (!kek_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "keyring file ", path,
        ": a plain keyring, but a KEK file was given; wrap it with "
        "`frontdesk keys init --import_plain`"));
  }
  absl::StatusOr<std::unique_ptr<LocalKeyringFile>> keys =
      LocalKeyringFile::Parse(path, *contents);
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
