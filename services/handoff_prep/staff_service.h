// The gRPC edge of the staff API (StaffQueue): learns the staff member and
// role from the staff token in `authorization: Bearer <jwt>` (or, with the
// development authenticator, from `x-staff-id` and `x-staff-role`) and maps
// HandoffDesk's statuses to gRPC statuses one to one. No logic of its own.
#ifndef FRONTDESK_SERVICES_HANDOFF_PREP_STAFF_SERVICE_H_
#define FRONTDESK_SERVICES_HANDOFF_PREP_STAFF_SERVICE_H_

#include "frontdesk/handoff/v1/staff_service.grpc.pb.h"
#include "libs/auth/staff_authenticator.h"
#include "services/handoff_prep/handoff_desk.h"

namespace frontdesk::handoff_prep {

inline constexpr char kStaffIdHeader[] = "x-staff-id";
inline constexpr char kStaffRoleHeader[] = "x-staff-role";
// Emergency access to a queue the role does not serve: the reason
// (StaffMember::break_glass_reason).
inline constexpr char kBreakGlassHeader[] = "x-break-glass-reason";

class StaffService final : public frontdesk::handoff::v1::StaffQueue::Service {
 public:
  // `desk` and `authenticator` must outlive the service.
  StaffService(HandoffDesk* desk, const auth::StaffAuthenticator* authenticator)
      : desk_(desk), authenticator_(authenticator) {}

  grpc::Status ListOpen(
      grpc::ServerContext* context,
      const frontdesk::handoff::v1::ListOpenRequest* request,
      frontdesk::handoff::v1::ListOpenResponse* response) override;
  grpc::Status Claim(grpc::ServerContext* context,
                     const frontdesk::handoff::v1::ClaimRequest* request,
                     frontdesk::handoff::v1::HandoffView* response) override;
  grpc::Status Resolve(grpc::ServerContext* context,
                       const frontdesk::handoff::v1::ResolveRequest* request,
                       frontdesk::handoff::v1::HandoffView* response) override;
  grpc::Status Watch(
      grpc::ServerContext* context,
      const frontdesk::handoff::v1::WatchRequest* request,
      grpc::ServerWriter<frontdesk::handoff::v1::HandoffView>* writer) override;

 private:
  absl::StatusOr<StaffMember> Who(const grpc::ServerContext* context) const;

  HandoffDesk* desk_;
  const auth::StaffAuthenticator* authenticator_;
};

}  // namespace frontdesk::handoff_prep

#endif  // FRONTDESK_SERVICES_HANDOFF_PREP_STAFF_SERVICE_H_
