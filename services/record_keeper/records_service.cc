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

Caller CallerFromMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  Caller c;
  c.id = Header(metadata, kStaffIdHeader);
  c.role = Header(metadata, kStaffRoleHeader);
  c.purpose = Header(metadata, kPurposeHeader);
  c.via = "grpc";
  return c;
}

grpc::Status RecordsService::GetCall(grpc::ServerContext* context,
                                     const rv::GetCallRequest* request,
                                     rv::GetCallResponse* response) {
  return Answer(queries_->GetCall(
                    CallerFromMetadata(context->client_metadata()), *request),
                response);
}

grpc::Status RecordsService::ListCalls(grpc::ServerContext* context,
                                       const rv::ListCallsRequest* request,
                                       rv::ListCallsResponse* response) {
  return Answer(queries_->ListCalls(
                    CallerFromMetadata(context->client_metadata()), *request),
                response);
}

grpc::Status RecordsService::GetHandoff(grpc::ServerContext* context,
                                        const rv::GetHandoffRequest* request,
                                        rv::GetHandoffResponse* response) {
  return Answer(queries_->GetHandoff(
                    CallerFromMetadata(context->client_metadata()), *request),
                response);
}

grpc::Status RecordsService::ListAccesses(
    grpc::ServerContext* context, const rv::ListAccessesRequest* request,
    rv::ListAccessesResponse* response) {
  return Answer(queries_->ListAccesses(
                    CallerFromMetadata(context->client_metadata()), *request),
                response);
}

}  // namespace frontdesk::record_keeper
