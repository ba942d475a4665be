// TenantKeyTable: the per-tenant key lists behind LocalKeyringFile and
// InMemoryTenantKeys. Not for use outside libs/phi.
//
// Each tenant's keys are kept in the order they were added; the last one is
// the active key. A key may be held once in the whole table: the same key for
// two tenants, or twice for one, is refused.
//
// Not thread-safe: callers that mutate it while others read must lock.
#ifndef FRONTDESK_LIBS_PHI_INTERNAL_TENANT_KEY_TABLE_H_
#define FRONTDESK_LIBS_PHI_INTERNAL_TENANT_KEY_TABLE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace frontdesk::phi::internal {

class TenantKeyTable {
 public:
  // Makes `key` (32 raw bytes) the active key of `tenant_id` and returns its
  // key id. INVALID_ARGUMENT for another length; ALREADY_EXISTS when the table
  // already holds this key.
  absl::StatusOr<std::string> Add(absl::string_view tenant_id,
                                  absl::string_view key);

  // TenantKeySource::ActiveKey and KeyById.
  absl::StatusOr<std::string> Active(absl::string_view tenant_id) const;
  absl::StatusOr<std::string> ById(absl::string_view tenant_id,
                                   absl::string_view key_id) const;

  bool empty() const { return by_tenant_.empty(); }

 private:
  struct Key {
    std::string id;
    std::string bytes;
  };
  absl::flat_hash_map<std::string, std::vector<Key>> by_tenant_;
  absl::flat_hash_set<std::string> ids_;
};

}  // namespace frontdesk::phi::internal

#endif  // FRONTDESK_LIBS_PHI_INTERNAL_TENANT_KEY_TABLE_H_
