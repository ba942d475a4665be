#include "libs/phi/in_memory_tenant_keys.h"

namespace frontdesk::phi {

absl::StatusOr<std::string> InMemoryTenantKeys::AddKey(
    absl::string_view tenant_id, absl::string_view key) {
  absl::MutexLock lock(&mu_);
  return table_.Add(tenant_id, key);
}

absl::StatusOr<std::string> InMemoryTenantKeys::ActiveKey(
    absl::string_view tenant_id) const {
  absl::MutexLock lock(&mu_);
  return table_.Active(tenant_id);
}

absl::StatusOr<std::string> InMemoryTenantKeys::KeyById(
    absl::string_view tenant_id, absl::string_view key_id) const {
  absl::MutexLock lock(&mu_);
  return table_.ById(tenant_id, key_id);
}

}  // namespace frontdesk::phi
