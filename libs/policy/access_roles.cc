#include "libs/policy/access_roles.h"

#include <algorithm>

namespace frontdesk::policy {

const std::vector<absl::string_view>& KnownPermissions() {
  static const auto* const kAll = new std::vector<absl::string_view>{
      kPermRecordsRead, kPermRecordsAccesses, kPermReplay,   kPermVerify,
      kPermExport,      kPermReport,          kPermSimulate, kPermPhiRead,
      kPermBreakGlass,  kPermKeysShred};
  return *kAll;
}

bool IsKnownPermission(absl::string_view permission) {
  const auto& all = KnownPermissions();
  return std::find(all.begin(), all.end(), permission) != all.end();
}

bool RoleGrants(const frontdesk::policy::v1::Policy& policy,
                absl::string_view role, absl::string_view permission) {
  if (role.empty()) return false;
  for (const auto& r : policy.access_roles()) {
    if (r.role() != role) continue;
    for (const auto& p : r.permissions()) {
      if (p == permission) return true;
    }
  }
  return false;
}

}  // namespace frontdesk::policy
