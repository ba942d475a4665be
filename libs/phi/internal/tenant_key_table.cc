#include "libs/phi/internal/tenant_key_table.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libs/phi/phi_sealer.h"

namespace frontdesk::phi::internal {

absl::StatusOr<std::string> TenantKeyTable::Add(absl::string_view tenant_id,
                                                absl::string_view key) {
  absl::StatusOr<PhiSealer> sealer = PhiSealer::FromKey(key);
  if (!sealer.ok()) return sealer.status();
  const std::string& id = sealer->key_id();
  if (!ids_.insert(id).second) {
    return absl::AlreadyExistsError(
        absl::StrCat("phi key ", id, " is already held"));
  }
  by_tenant_[tenant_id].push_back(Key{id, std::string(key)});
  return id;
}

absl::StatusOr<std::string> TenantKeyTable::Active(
    absl::string_view tenant_id) const {
  auto it = by_tenant_.find(tenant_id);
  if (it == by_tenant_.end()) {
    return absl::NotFoundError(
        absl::StrCat("no PHI key for tenant \"", tenant_id, "\""));
  }
  return it->second.back().bytes;
}

absl::StatusOr<std::string> TenantKeyTable::ById(
    absl::string_view tenant_id, absl::string_view key_id) const {
  auto it = by_tenant_.find(tenant_id);
  if (it != by_tenant_.end()) {
    for (const Key& k : it->second) {
      if (k.id == key_id) return k.bytes;
    }
  }
  return absl::NotFoundError(absl::StrCat(
      "tenant \"", tenant_id, "\" holds no PHI key with id \"", key_id, "\""));
}

}  // namespace frontdesk::phi::internal
