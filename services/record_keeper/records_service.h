// The gRPC edge of record-keeper.
#ifndef FRONTDESK_SERVICES_RECORD_KEEPER_RECORDS_SERVICE_H_
#define FRONTDESK_SERVICES_RECORD_KEEPER_RECORDS_SERVICE_H_

#include "frontdesk/records/v1/records_service.grpc.pb.h"
#include "services/record_keeper/call_record_store.h"

namespace frontdesk::record_keeper {

class RecordsService final : public frontdesk::records::v1::Records::Service {
 public:
  // `store` must outlive the service.
  explicit RecordsService(const CallRecordStore* store) : store_(store) {}

  // INVALID_ARGUMENT without a call id; NOT_FOUND when the record holds no
  // event of the call (yet: the projection follows the log).
  grpc::Status GetCall(
      grpc::ServerContext* context,
      const frontdesk::records::v1::GetCallRequest* request,
      frontdesk::records::v1::GetCallResponse* response) override;

 private:
  const CallRecordStore* store_;
};

}  // namespace frontdesk::record_keeper

#endif  // FRONTDESK_SERVICES_RECORD_KEEPER_RECORDS_SERVICE_H_
