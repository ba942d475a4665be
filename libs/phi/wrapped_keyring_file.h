// WrappedKeyringFile: a TenantKeySource over a wrapped keyring file
// (wrapped_keyring.h), whose data keys are unwrapped with a key-encryption
// key (key_encryption_key.h) when loaded.
//
// The unwrapped data keys live only in this object's memory; the file holds
// them wrapped. Every key id is checked against the key it unwraps to. A
// shredded key answers NOT_FOUND saying it was shredded, and when, so a reader
// can tell destroyed keys from unknown ones.
//
// The KEK is read from the file the keyring's `kek file:<path>` line names
// (relative to the keyring's folder), or from an explicit `kek_file`; either
// must hold the KEK whose id the keyring records. The keyring and the KEK file
// must both be owner-only (mode 600 or 400).
//
// Example:
//   absl::StatusOr<std::unique_ptr<WrappedKeyringFile>> keys =
//       WrappedKeyringFile::Load("run/keys/keyring");
//   absl::StatusOr<std::string> key = (*keys)->ActiveKey("sunrise");
//
// Thread-safe: immutable once loaded. A rotation or shred rewrites the file;
// running services pick it up when restarted.
#ifndef FRONTDESK_LIBS_PHI_WRAPPED_KEYRING_FILE_H_
#define FRONTDESK_LIBS_PHI_WRAPPED_KEYRING_FILE_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "libs/phi/key_encryption_key.h"
#include "libs/phi/tenant_key_source.h"
#include "libs/phi/wrapped_keyring.h"

namespace frontdesk::phi {

class WrappedKeyringFile : public TenantKeySource {
 public:
  // Reads the keyring at `path` and its KEK (`kek_file`, or the one the
  // keyring names when empty), and unwraps every key that is not shredded.
  // ReadKeyring's and KeyEncryptionKey::FromFile's errors;
  // FAILED_PRECONDITION when the KEK's id is not the keyring's; DATA_LOSS,
  // naming the key id, when a key does not unwrap or unwraps to a key with
  // another id.
  static absl::StatusOr<std::unique_ptr<WrappedKeyringFile>> Load(
      const std::string& path, const std::string& kek_file = "");

  // The same over a parsed keyring and a KEK, for tests and tools.
  static absl::StatusOr<std::unique_ptr<WrappedKeyringFile>> FromKeyring(
      const WrappedKeyring& ring, const KeyEncryptionKey& kek);

  // Reads and parses the keyring file at `path` (owner-only). NOT_FOUND,
  // FAILED_PRECONDITION, or WrappedKeyring::Parse's INVALID_ARGUMENT.
  static absl::StatusOr<WrappedKeyring> ReadKeyring(const std::string& path);
  // Replaces the keyring file at `path` atomically (temp file, fsync,
  // rename), mode 600.
  static absl::Status WriteKeyring(const std::string& path,
                                   const WrappedKeyring& ring);
  // The KEK file of `ring` stored at `path`: `kek_file` when not empty, else
  // the path its kek line names, relative to the keyring's folder.
  static std::string KekPath(const std::string& path,
                             const WrappedKeyring& ring,
                             const std::string& kek_file = "");

  absl::StatusOr<std::string> ActiveKey(
      absl::string_view tenant_id) const override;
  absl::StatusOr<std::string> KeyById(absl::string_view tenant_id,
                                      absl::string_view key_id) const override;

 private:
  WrappedKeyringFile() = default;
  struct Held {
    std::string tenant_id;
    std::string bytes;  // empty when shredded
    std::string shredded_at;
  };
  // Key id -> key. Key ids are unique in the file.
  absl::flat_hash_map<std::string, Held> by_id_;
  // Tenant -> its active key id.
  absl::flat_hash_map<std::string, std::string> active_;
};

}  // namespace frontdesk::phi

#endif  // FRONTDESK_LIBS_PHI_WRAPPED_KEYRING_FILE_H_
