// The gRPC edge of record-keeper: learns the caller from the staff token in
// `authorization: Bearer <jwt>` (or, with the development authenticator,
// x-staff-id and x-staff-role), takes the stated purpose from x-purpose, and
// maps RecordsQueries' statuses to gRPC codes. The rules are in
// records_queries.h.
#ifndef FRONTDESK_SERVICES_RECORD_KEEPER_RECORDS_SERVICE_H_
#define FRONTDESK_SERVICES_RECORD_KEEPER_RECORDS_SERVICE_H_

#include "frontdesk/records/v1/records_service.grpc.pb.h"
#include "libs/auth/staff_authenticator.h"
#include "services/record_keeper/records_queries.h"

namespace frontdesk::record_keeper {

inline constexpr char kStaffIdHeader[] = "x-staff-id";
inline constexpr char kStaffRoleHeader[] = "x-staff-role";
inline constexpr char kPurposeHeader[] = "x-purpose";

// The caller the metadata proves (see StaffAuthenticator); the authenticator's
// error when it proves no one. A missing purpose stays empty (the queries
// refuse it, naming x-purpose).
absl::StatusOr<Caller> CallerFromMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
    const auth::StaffAuthenticator& authenticator);

class RecordsService final : public frontdesk::records::v1::Records::Service {
 public:
  // `queries` and `authenticator` must outlive the service.
  RecordsService(const RecordsQueries* queries,
                 const auth::StaffAuthenticator* authenticator)
      : queries_(queries), authenticator_(authenticator) {}

  grpc::Status GetCall(
      grpc::ServerContext* context,
      const frontdesk::records::v1::GetCallRequest* request,
      frontdesk::records::v1::GetCallResponse* response) override;
  grpc::Status ListCalls(
      grpc::ServerContext* context,
      const frontdesk::records::v1::ListCallsRequest* request,
      frontdesk::records::v1::ListCallsResponse* response) override;
  grpc::Status GetHandoff(
      grpc::ServerContext* context,
      const frontdesk::records::v1::GetHandoffRequest* request,
      frontdesk::records::v1::GetHandoffResponse* response) override;
  grpc::Status ListAccesses(
      grpc::ServerContext* context,
      const frontdesk::records::v1::ListAccessesRequest* request,
      frontdesk::records::v1::ListAccessesResponse* response) override;

 private:
  const RecordsQueries* queries_;
  const auth::StaffAuthenticator* authenticator_;
};

}  // namespace frontdesk::record_keeper

#endif  // FRONTDESK_SERVICES_RECORD_KEEPER_RECORDS_SERVICE_H_
