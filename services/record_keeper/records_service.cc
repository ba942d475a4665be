#include "services/record_keeper/records_service.h"

namespace frontdesk::record_keeper {

grpc::Status RecordsService::GetCall(
    grpc::ServerContext* /*context*/,
    const frontdesk::records::v1::GetCallRequest* request,
    frontdesk::records::v1::GetCallResponse* response) {
  if (request->call_id().empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "call_id: required");
  }
  auto events = store_->GetCall(request->call_id());
  if (events.empty()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "call_id: no events recorded for this call");
  }
  for (auto& e : events) *response->add_events() = std::move(e);
  return grpc::Status::OK;
}

}  // namespace frontdesk::record_keeper
