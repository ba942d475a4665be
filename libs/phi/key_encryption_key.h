// KeyEncryptionKey: the key that wraps (encrypts) the per-tenant PHI data
// keys of a wrapped keyring (wrapped_keyring.h), with AES-256-GCM.
//
// A wrapped data key is nonce (12 bytes) || ciphertext (32) || tag (16). The
// associated data is "frontdesk.keywrap.v1|<tenant>|<key id>", so a wrapped
// key moved to another tenant, or relabelled with another key id, no longer
// unwraps. The KEK is named by its id, the first 8 bytes of SHA-256(KEK) in
// hex, which the keyring records so that the wrong KEK is refused by name.
//
// In development the KEK is a file of 64 hexadecimal characters, mode 600,
// kept apart from the keyring (`frontdesk keys init` makes one). In
// production a KMS or HSM holds it and does Wrap/Unwrap itself; the KEK never
// leaves it (see README.md, "Where a KMS plugs in").
//
// Example:
//   absl::StatusOr<KeyEncryptionKey> kek =
//       KeyEncryptionKey::FromFile("run/keys/kek");
//   std::string wrapped = kek->Wrap("sunrise", key_id, data_key);
//   absl::StatusOr<std::string> back = kek->Unwrap("sunrise", key_id, wrapped);
//
// Thread-safe: immutable.
#ifndef FRONTDESK_LIBS_PHI_KEY_ENCRYPTION_KEY_H_
#define FRONTDESK_LIBS_PHI_KEY_ENCRYPTION_KEY_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace frontdesk::phi {

class KeyEncryptionKey {
 public:
  // `key` must be 32 raw bytes; INVALID_ARGUMENT otherwise.
  static absl::StatusOr<KeyEncryptionKey> FromBytes(absl::string_view key);

  // Reads a KEK file: 64 hexadecimal characters (surrounding whitespace
  // allowed), owner-only (mode 600 or 400). NOT_FOUND, FAILED_PRECONDITION
  // (access, permissions) or INVALID_ARGUMENT (content), each naming
  // "kek file <path>"; never echoes the file's content.
  static absl::StatusOr<KeyEncryptionKey> FromFile(const std::string& path);

  // Writes a new random KEK to `path` (mode 600). ALREADY_EXISTS when the
  // file exists: a KEK is never overwritten.
  static absl::StatusOr<KeyEncryptionKey> CreateFile(const std::string& path);

  // 32 fresh random bytes (a new data key or KEK).
  static std::string RandomKey();

  const std::string& id() const { return id_; }

  // Wraps `data_key` (32 bytes) for `tenant_id` and `key_id`.
  std::string Wrap(absl::string_view tenant_id, absl::string_view key_id,
                   absl::string_view data_key) const;

  // The data key. DATA_LOSS when `wrapped` was altered, was wrapped for
  // another tenant or key id, or by another KEK.
  absl::StatusOr<std::string> Unwrap(absl::string_view tenant_id,
                                     absl::string_view key_id,
                                     absl::string_view wrapped) const;

 private:
  KeyEncryptionKey(std::string key, std::string id)
      : key_(std::move(key)), id_(std::move(id)) {}
  std::string key_;
  std::string id_;
};

}  // namespace frontdesk::phi

#endif  // FRONTDESK_LIBS_PHI_KEY_ENCRYPTION_KEY_H_
