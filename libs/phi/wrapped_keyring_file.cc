#include "libs/phi/wrapped_keyring_file.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "libs/phi/internal/owner_only_file.h"
#include "libs/phi/phi_sealer.h"

namespace frontdesk::phi {

absl::StatusOr<WrappedKeyring> WrappedKeyringFile::ReadKeyring(
    const std::string& path) {
  absl::StatusOr<std::string> contents =
      internal::ReadOwnerOnlyFile(path, absl::StrCat("keyring file ", path));
  if (!contents.ok()) return contents.status();
  return WrappedKeyring::Parse(path, *contents);
}

absl::Status WrappedKeyringFile::WriteKeyring(const std::string& path,
                                              const WrappedKeyring& ring) {
  return internal::WriteOwnerOnlyFileAtomically(
      path, ring.Serialize(), absl::StrCat("keyring file ", path));
}

std::string WrappedKeyringFile::KekPath(const std::string& path,
                                        const WrappedKeyring& ring,
                                        const std::string& kek_file) {
  if (!kek_file.empty()) return kek_file;
  std::string named = ring.kek_reference().substr(5);  // after "file:"
  if (absl::StartsWith(named, "/")) return named;
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return named;
  return absl::StrCat(path.substr(0, slash + 1), named);
}

absl::StatusOr<std::unique_ptr<WrappedKeyringFile>> WrappedKeyringFile::Load(
    const std::string& path, const std::string& kek_file) {
  absl::StatusOr<WrappedKeyring> ring = ReadKeyring(path);
  if (!ring.ok()) return ring.status();
  absl::StatusOr<KeyEncryptionKey> kek =
      KeyEncryptionKey::FromFile(KekPath(path, *ring, kek_file));
  if (!kek.ok()) return kek.status();
  absl::StatusOr<std::unique_ptr<WrappedKeyringFile>> keys =
      FromKeyring(*ring, *kek);
  if (!keys.ok()) {
    return absl::Status(
        keys.status().code(),
        absl::StrCat("keyring file ", path, ": ", keys.status().message()));
  }
  return keys;
}

absl::StatusOr<std::unique_ptr<WrappedKeyringFile>>
WrappedKeyringFile::FromKeyring(const WrappedKeyring& ring,
                                const KeyEncryptionKey& kek) {
  if (kek.id() != ring.kek_id()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the KEK given has id ", kek.id(),
                     "; the keys are wrapped by KEK ", ring.kek_id()));
  }
  auto keys = std::unique_ptr<WrappedKeyringFile>(new WrappedKeyringFile());
  for (const WrappedKey& k : ring.keys()) {
    Held held;
    held.tenant_id = k.tenant_id;
    if (k.is_shredded()) {
      held.shredded_at = KeyringTime(k.shredded);
    } else {
      absl::StatusOr<std::string> bytes =
          kek.Unwrap(k.tenant_id, k.key_id, k.wrapped);
      if (!bytes.ok()) return bytes.status();
      absl::StatusOr<PhiSealer> sealer = PhiSealer::FromKey(*bytes);
      if (!sealer.ok() || sealer->key_id() != k.key_id) {
        return absl::DataLossError(absl::StrCat(
            "key ", k.key_id, " unwraps to a key with another id"));
      }
      held.bytes = *std::move(bytes);
      if (k.active()) keys->active_[k.tenant_id] = k.key_id;
    }
    keys->by_id_.emplace(k.key_id, std::move(held));
  }
  return keys;
}

absl::StatusOr<std::string> WrappedKeyringFile::ActiveKey(
    absl::string_view tenant_id) const {
  auto it = active_.find(tenant_id);
  if (it == active_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no active PHI key for tenant \"", tenant_id, "\""));
  }
  return by_id_.at(it->second).bytes;
}

absl::StatusOr<std::string> WrappedKeyringFile::KeyById(
    absl::string_view tenant_id, absl::string_view key_id) const {
  auto it = by_id_.find(key_id);
  if (it == by_id_.end() || it->second.tenant_id != tenant_id) {
    return absl::NotFoundError(absl::StrCat("tenant \"", tenant_id,
                                            "\" holds no PHI key with id \"",
                                            key_id, "\""));
  }
  if (it->second.bytes.empty()) {
    return absl::NotFoundError(
        absl::StrCat("PHI key ", key_id, " of tenant \"", tenant_id,
                     "\" was shredded at ", it->second.shredded_at,
                     " (retention); what it sealed can no longer be opened"));
  }
  return it->second.bytes;
}

}  // namespace frontdesk::phi
