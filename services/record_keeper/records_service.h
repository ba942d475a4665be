// The gRPC edge of record-keeper: reads the caller from the metadata
// (x-staff-id, x-staff-role, x-purpose) and maps RecordsQueries' statuses to
// gRPC codes. The rules are in records_queries.h.
#ifndef FRONTDESK_SERVICES_RECORD_KEEPER_RECORDS_SERVICE_H_
#define FRONTDESK_SERVICES_RECORD_KEEPER_RECORDS_SERVICE_H_

#include "frontdesk/records/v1/records_service.grpc.pb.h"
#include "services/record_keeper/records_queries.h"

namespace frontdesk::record_keeper {

inline constexpr char kStaffIdHeader[] = "x-staff-id";
inline constexpr char kStaffRoleHeader[] = "x-staff-role";
inline constexpr char kPurposeHeader[] = "x-purpose";

// The caller named by the metadata; missing entries stay empty (the queries
// refuse them, naming the header).
Caller CallerFromMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata);

class RecordsService final : public frontdesk::records::v1::Records::Service {
 public:
  // `queries` must outlive the service.
  explicit RecordsService(const RecordsQueries* queries) : queries_(queries) {}

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
};

}  // namespace frontdesk::record_keeper

#endif  // FRONTDESK_SERVICES_RECORD_KEEPER_RECORDS_SERVICE_H_
