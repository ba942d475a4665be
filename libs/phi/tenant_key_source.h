// TenantKeySource: where the per-tenant PHI data keys come from.
//
// Every tenant (clinic) has its own 32-byte AES-256-GCM data keys. One of
// them is active: new PHI is sealed with it. Older ones stay available so that
// PHI sealed before a rotation can still be opened. A key is named by its key
// id, PhiSealer::key_id() (the first 8 bytes of SHA-256(key) in hex), which is
// also the key id recorded in every SealedPhi.
//
// Implementations:
//   WrappedKeyringFile  data keys wrapped by a KEK (wrapped_keyring_file.h)
//   LocalKeyringFile    a plain development keyring file
//                       (local_keyring_file.h)
//   InMemoryTenantKeys  the unit-test fake (in_memory_tenant_keys.h)
//
// Where a KMS plugs in: WrappedKeyringFile does envelope encryption with a
// KEK from a file; a production source does the same with the KEK in a KMS. It
// stores, per tenant, the data keys wrapped (encrypted) by a key-encryption key
// that never leaves the KMS, each with its key id and an "active" mark, and
// asks the KMS to unwrap a data key on first use, keeping the unwrapped key in
// memory. After unwrapping it checks that the key id derived from the plaintext
// key matches the stored one. Who may unwrap a tenant's keys is then the KMS's
// access policy. KMS failures map to UNAVAILABLE (retryable) or
// PERMISSION_DENIED; NOT_FOUND stays reserved for "this tenant has no such
// key". No caller changes: PhiKeyring (phi_keyring.h) takes any
// TenantKeySource.
//
// Most code does not call a source directly but goes through PhiKeyring.
//
// Example:
//   absl::StatusOr<std::string> key = source.ActiveKey("sunrise");
//   if (!key.ok()) return key.status();
//   absl::StatusOr<PhiSealer> sealer = PhiSealer::FromKey(*key);
//
// Implementations must be thread-safe for concurrent calls.
#ifndef FRONTDESK_LIBS_PHI_TENANT_KEY_SOURCE_H_
#define FRONTDESK_LIBS_PHI_TENANT_KEY_SOURCE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace frontdesk::phi {

class TenantKeySource {
 public:
  virtual ~TenantKeySource() = default;

  // The 32 raw bytes of the key that new PHI of `tenant_id` is sealed with.
  // NOT_FOUND when the tenant has no key.
  virtual absl::StatusOr<std::string> ActiveKey(
      absl::string_view tenant_id) const = 0;

  // The 32 raw bytes of the key of `tenant_id` whose key id is `key_id`,
  // active or not. NOT_FOUND when the tenant holds no such key: a key of
  // another tenant is never returned.
  virtual absl::StatusOr<std::string> KeyById(
      absl::string_view tenant_id, absl::string_view key_id) const = 0;
};

}  // namespace frontdesk::phi

#endif  // FRONTDESK_LIBS_PHI_TENANT_KEY_SOURCE_H_
