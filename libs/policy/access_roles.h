// Access roles: what each staff, auditor or operator role may do with the
// operating record and the tools, as the policy's `access_roles` grants it.
//
// A permission is one of the names below. The policy loader refuses any other
// name, so a typo never silently grants or withholds access. A role the policy
// does not list holds no permission.
//
// Example:
//   if (!RoleGrants(policy.proto(), role, kPermReplay)) { /* refuse */ }
#ifndef FRONTDESK_LIBS_POLICY_ACCESS_ROLES_H_
#define FRONTDESK_LIBS_POLICY_ACCESS_ROLES_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "frontdesk/policy/v1/policy.pb.h"

namespace frontdesk::policy {

// Read calls and handoffs from record-keeper (GetCall, ListCalls, GetHandoff).
inline constexpr char kPermRecordsRead[] = "records.read";
// Read who accessed what (ListAccesses).
inline constexpr char kPermRecordsAccesses[] = "records.accesses";
// Replay one call from the log (`frontdesk replay`).
inline constexpr char kPermReplay[] = "replay";
// Verify the log over a time range (`frontdesk verify`).
inline constexpr char kPermVerify[] = "verify";
// Export audit events (`frontdesk audit export`).
inline constexpr char kPermExport[] = "export";
// Produce the weekly review (`frontdesk report weekly`).
inline constexpr char kPermReport[] = "report";
// Replay past calls through a candidate policy (`frontdesk simulate`).
inline constexpr char kPermSimulate[] = "simulate";
// Open sealed PHI in the tools (needs the keyring as well).
inline constexpr char kPermPhiRead[] = "phi.read";
// Destroy PHI data keys past retention (`frontdesk keys shred`).
inline constexpr char kPermKeysShred[] = "keys.shred";
// Emergency access: read a staff queue the role does not serve, giving a
// reason; loudly recorded and listed in the weekly review.
inline constexpr char kPermBreakGlass[] = "break_glass";

// Every permission name the loader accepts, in a stable order.
const std::vector<absl::string_view>& KnownPermissions();

bool IsKnownPermission(absl::string_view permission);

// True when the policy lists `role` with `permission`.
bool RoleGrants(const frontdesk::policy::v1::Policy& policy,
                absl::string_view role, absl::string_view permission);

}  // namespace frontdesk::policy

#endif  // FRONTDESK_LIBS_POLICY_ACCESS_ROLES_H_
