// The gRPC edge of handoff-prep. Maps HandoffPreparer's statuses to gRPC
// statuses one to one; holds no logic of its own. Metrics:
//   frontdesk_handoffs_prepared_total{queue,outcome}  counter: published
//       (a handoff created), duplicate, failed (queue "-")
//   frontdesk_errors_total{kind}  counter: bad_request (INVALID_ARGUMENT,
//       NOT_FOUND, FAILED_PRECONDITION), prepare_failed (any other failure)
#ifndef FRONTDESK_SERVICES_HANDOFF_PREP_HANDOFF_PREP_SERVICE_H_
#define FRONTDESK_SERVICES_HANDOFF_PREP_HANDOFF_PREP_SERVICE_H_

#include "frontdesk/handoff/v1/handoff_service.grpc.pb.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/handoff_prep/handoff_preparer.h"

namespace frontdesk::handoff_prep {

class HandoffPrepService final
    : public frontdesk::handoff::v1::HandoffPrep::Service {
 public:
  // `preparer` must outlive the service.
  HandoffPrepService(HandoffPreparer* preparer, prometheus::Registry& registry);

  grpc::Status Prepare(
      grpc::ServerContext* context,
      const frontdesk::handoff::v1::PrepareRequest* request,
      frontdesk::handoff::v1::PrepareResponse* response) override;

 private:
  HandoffPreparer* preparer_;
  prometheus::Family<prometheus::Counter>& handoffs_;
  prometheus::Family<prometheus::Counter>& errors_;
};

}  // namespace frontdesk::handoff_prep

#endif  // FRONTDESK_SERVICES_HANDOFF_PREP_HANDOFF_PREP_SERVICE_H_
