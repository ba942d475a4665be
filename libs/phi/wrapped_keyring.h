// WrappedKeyring: the contents of a wrapped keyring file, where every
// per-tenant PHI data key is stored wrapped by a key-encryption key
// (key_encryption_key.h), with its history: created, retired, shredded.
//
// Format (text, one record a line, fields separated by spaces):
//
//   frontdesk-wrapped-keyring v1
//   kek <kek reference> <kek id>
//   key <tenant> <key id> <created> <retired or -> <wrapped key, hex>
//   shredded <tenant> <key id> <created> <retired> <shredded at>
//
//   - the first record is the header line; blank lines and lines starting
//     with '#' are ignored anywhere;
//   - `kek` names where the KEK is: "file:<path>" (a path relative to the
//     keyring's folder, or absolute), and the KEK's id, so that the wrong
//     KEK is refused by name; exactly one kek line, before any key;
//   - times are RFC 3339 in UTC;
//   - a `key` whose retired field is "-" is its tenant's ACTIVE key: new PHI
//     is sealed with it. A tenant has at most one. Retired keys still open
//     the PHI sealed under them until they are shredded;
//   - `shredded` is the tombstone of a destroyed key: its wrapped key is gone
//     from the file, so the PHI it sealed cannot be opened by anyone, and
//     readers can say "shredded" rather than "unknown key";
//   - a key id appears once in the file.
//
// Errors name "keyring file <path>:<line>" and what is wrong; they never
// contain key material.
//
// Example:
//   absl::StatusOr<WrappedKeyring> ring = WrappedKeyring::Parse(path, text);
//   absl::StatusOr<std::string> id = ring->Rotate(kek, "sunrise", now);
//   std::string text2 = ring->Serialize();
//
// Thread-compatible: a value type; callers serialize mutations.
#ifndef FRONTDESK_LIBS_PHI_WRAPPED_KEYRING_H_
#define FRONTDESK_LIBS_PHI_WRAPPED_KEYRING_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "libs/phi/key_encryption_key.h"

namespace frontdesk::phi {

inline constexpr char kWrappedKeyringHeader[] = "frontdesk-wrapped-keyring v1";

// One data key's record. `wrapped` is empty once shredded.
struct WrappedKey {
  std::string tenant_id;
  std::string key_id;
  absl::Time created;
  // absl::InfiniteFuture() while the key is active.
  absl::Time retired = absl::InfiniteFuture();
  // absl::InfiniteFuture() until it is shredded.
  absl::Time shredded = absl::InfiniteFuture();
  std::string wrapped;

  bool active() const { return retired == absl::InfiniteFuture(); }
  bool is_shredded() const { return shredded != absl::InfiniteFuture(); }
};

class WrappedKeyring {
 public:
  // A new, empty keyring whose KEK is `kek` found at `kek_reference`
  // ("file:<path>").
  WrappedKeyring(std::string kek_reference, std::string kek_id)
      : kek_reference_(std::move(kek_reference)), kek_id_(std::move(kek_id)) {}

  // True when `contents` starts (after blank and comment lines) with the
  // wrapped keyring header; false for a plain keyring (local_keyring_file.h).
  static bool IsWrapped(absl::string_view contents);

  // Parses `contents` of the file at `path` (used in messages only).
  // INVALID_ARGUMENT naming the line for anything that breaks the format.
  static absl::StatusOr<WrappedKeyring> Parse(const std::string& path,
                                              absl::string_view contents);

  // The file text, records in order; Parse(Serialize()) gives it back.
  std::string Serialize() const;

  const std::string& kek_reference() const { return kek_reference_; }
  const std::string& kek_id() const { return kek_id_; }
  const std::vector<WrappedKey>& keys() const { return keys_; }
  // The records of `tenant_id`, oldest first.
  std::vector<WrappedKey> ForTenant(absl::string_view tenant_id) const;

  // Adds `data_key` (32 bytes) for `tenant_id`, wrapped by `kek`, created at
  // `now`, as the active key when `active`, else retired at `now`. Retires
  // the tenant's current active key at `now` first when `active`. Returns the
  // key id. FAILED_PRECONDITION when `kek` is not this keyring's KEK;
  // ALREADY_EXISTS when the key is already held; INVALID_ARGUMENT for a bad
  // tenant id or key length.
  absl::StatusOr<std::string> Add(const KeyEncryptionKey& kek,
                                  absl::string_view tenant_id,
                                  absl::string_view data_key, absl::Time now,
                                  bool active = true);

  // Rotation: a new random data key becomes the active key of `tenant_id`
  // (the old one is retired at `now` and keeps opening old PHI). Returns the
  // new key id. Add's errors.
  absl::StatusOr<std::string> Rotate(const KeyEncryptionKey& kek,
                                     absl::string_view tenant_id,
                                     absl::Time now);

  // Shredding: destroys every key of `tenant_id` that was retired before
  // `before` (its use ended then), leaving a tombstone shredded at `now`.
  // The active key is never shredded. Returns the keys shredded (empty when
  // none qualified). NOT_FOUND when the tenant has no keys at all.
  absl::StatusOr<std::vector<WrappedKey>> Shred(absl::string_view tenant_id,
                                                absl::Time before,
                                                absl::Time now);

 private:
  std::string kek_reference_;
  std::string kek_id_;
  std::vector<WrappedKey> keys_;
};

// RFC 3339 in UTC, as the keyring writes times.
std::string KeyringTime(absl::Time t);

}  // namespace frontdesk::phi

#endif  // FRONTDESK_LIBS_PHI_WRAPPED_KEYRING_H_
