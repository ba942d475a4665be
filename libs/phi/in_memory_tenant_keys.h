// InMemoryTenantKeys: the unit-test fake of TenantKeySource.
//
// Keys are added at run time; the last key added for a tenant is its active
// key, and earlier ones still open old data, as in a keyring file.
//
// Example:
//   auto keys = std::make_unique<InMemoryTenantKeys>();
//   absl::StatusOr<std::string> id = keys->AddKey("sunrise", key32);
//
// Thread-safe.
#ifndef FRONTDESK_LIBS_PHI_IN_MEMORY_TENANT_KEYS_H_
#define FRONTDESK_LIBS_PHI_IN_MEMORY_TENANT_KEYS_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "libs/phi/internal/tenant_key_table.h"
#include "libs/phi/tenant_key_source.h"

namespace frontdesk::phi {

class InMemoryTenantKeys : public TenantKeySource {
 public:
  // Makes `key` (32 raw bytes) the active key of `tenant_id`; returns its key
  // id. INVALID_ARGUMENT for another length; ALREADY_EXISTS when any tenant
  // already holds this key.
  absl::StatusOr<std::string> AddKey(absl::string_view tenant_id,
                                     absl::string_view key);

  absl::StatusOr<std::string> ActiveKey(
      absl::string_view tenant_id) const override;
  absl::StatusOr<std::string> KeyById(absl::string_view tenant_id,
                                      absl::string_view key_id) const override;

 private:
  mutable absl::Mutex mu_;
  internal::TenantKeyTable table_ ABSL_GUARDED_BY(mu_);
};

}  // namespace frontdesk::phi

#endif  // FRONTDESK_LIBS_PHI_IN_MEMORY_TENANT_KEYS_H_
