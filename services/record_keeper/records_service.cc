#include "services/record_keeper/records_service.h"

#include <string>

namespace frontdesk::record_keeper {

namespace rv = ::frontdesk::records::v1;

namespace {

std::string Header(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
    const char* key) {
  auto it = metadata.find(key);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      std::string(s.message()));
}

template <typename T>
grpc::Status Answer(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) {
    return grpc::Status(static_cast<grpc::StatusCode>(result.status().code()),
                        std::string(result.status().message()));
  }
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

absl::StatusOr<Caller> CallerFromMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
    const auth::StaffAuthenticator& authenticator) {
  absl::StatusOr<auth::StaffPrincipal> p = authenticator.Authenticate(
      Header(metadata, "authorization"), Header(metadata, kStaffIdHeader),
      Header(metadata, kStaffRoleHeader));
  if (!p.ok()) return p.status();
  Caller c;
  c.id = p->subject;
  c.role = p->role;
  c.purpose = Header(metadata, kPurposeHeader);
  c.via = "grpc";
  return c;
}

grpc::Status RecordsService::GetCall(grpc::ServerContext* context,
                                     const rv::GetCallRequest* request,
                                     rv::GetCallResponse* response) {
  absl::StatusOr<Caller> who =
      CallerFromMetadata(context->client_metadata(), *authenticator_);
  if (!who.ok()) return ToGrpc(who.status());
  return Answer(queries_->GetCall(*who, *request), response);
}

grpc::Status RecordsService::ListCalls(grpc::ServerContext* context,
                                       const rv::ListCallsRequest* request,
                                       rv::ListCallsResponse* response) {
  absl::StatusOr<Caller> who =
      CallerFromMetadata(context->client_metadata(), *authenticator_);
  if (!who.ok()) return ToGrpc(who.status());
  return Answer(queries_->ListCalls(*who, *request), response);
}

grpc::Status RecordsService::GetHandoff(grpc::ServerContext* context,
                                        const rv::GetHandoffRequest* request,
                                        rv::GetHandoffResponse* response) {
  absl::StatusOr<Caller> who =
      CallerFromMetadata(context->client_metadata(), *authenticator_);
  if (!who.ok()) return ToGrpc(who.status());
  return Answer(queries_->GetHandoff(*who, *request), response);
}

grpc::Status RecordsService::ListAccesses(
    grpc::ServerContext* context, const rv::ListAccessesRequest* request,
    rv::ListAccessesResponse* response) {
  absl::StatusOr<Caller> who =
      CallerFromMetadata(context->client_metadata(), *authenticator_);
  if (!who.ok()) return ToGrpc(who.status());
  return Answer(queries_->ListAccesses(*who, *request), response);
}

}  // namespace frontdesk::record_keeper
