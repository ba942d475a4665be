// LocalKeyringFile: the development keyring, a TenantKeySource read from a
// text file.
//
// Format: one key per line, "<tenant_id> <key>", separated by spaces or tabs.
//   - tenant_id uses only a-z, 0-9 and - (as clinic.tenant_id in a policy);
//   - key is 64 hexadecimal characters, 32 bytes (`openssl rand -hex 32`);
//   - blank lines and lines whose first non-blank character is '#' are
//     ignored; there are no comments after a key;
//   - a tenant may have several lines: the LAST one is its active key, and
//     the earlier ones still open PHI sealed under them. Appending a line and
//     restarting the services is the rotation hook (tooling for rotation is
//     a later issue);
//   - a key appears at most once in the file, for one tenant only.
//
// The file must be a regular file that only its owner may access (mode 600
// or 400): a keyring that group or others could read, or write, is refused.
//
// Every error names the file and line and what is wrong; no error ever
// contains key material, nor any other text from the file.
//
// Example:
//   # sunrise-family-medicine, rotated 2026-11
//   sunrise-family-medicine 8c1f...(64 hex)
//   sunrise-family-medicine 03ab...(64 hex)   <- active
//
//   absl::StatusOr<std::unique_ptr<LocalKeyringFile>> keys =
//       LocalKeyringFile::Load("run/keys/keyring");
//
// Thread-safe: immutable once loaded. Production keys belong in a KMS (see
// tenant_key_source.h), not in a file.
#ifndef FRONTDESK_LIBS_PHI_LOCAL_KEYRING_FILE_H_
#define FRONTDESK_LIBS_PHI_LOCAL_KEYRING_FILE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/phi/internal/tenant_key_table.h"
#include "libs/phi/tenant_key_source.h"

namespace frontdesk::phi {

class LocalKeyringFile : public TenantKeySource {
 public:
  // Reads and checks the keyring at `path`. NOT_FOUND when it does not exist;
  // FAILED_PRECONDITION when it cannot be read, is not a regular file, or
  // group or others have access; INVALID_ARGUMENT, naming the line, for
  // content that breaks the format above or a file without keys.
  static absl::StatusOr<std::unique_ptr<LocalKeyringFile>> Load(
      const std::string& path);

  // Checks `contents` as the text of a keyring file named `path` (used in
  // messages only). The same INVALID_ARGUMENT errors as Load.
  static absl::StatusOr<std::unique_ptr<LocalKeyringFile>> Parse(
      const std::string& path, absl::string_view contents);

  // Every key in file order, for importing into a wrapped keyring
  // (wrapped_keyring.h). Holds key material: never log it.
  struct Entry {
    std::string tenant_id;
    std::string key;  // 32 raw bytes
  };
  const std::vector<Entry>& entries() const { return entries_; }

  absl::StatusOr<std::string> ActiveKey(
      absl::string_view tenant_id) const override;
  absl::StatusOr<std::string> KeyById(absl::string_view tenant_id,
                                      absl::string_view key_id) const override;

 private:
  LocalKeyringFile() = default;
  internal::TenantKeyTable table_;
  std::vector<Entry> entries_;
};

}  // namespace frontdesk::phi

#endif  // FRONTDESK_LIBS_PHI_LOCAL_KEYRING_FILE_H_
