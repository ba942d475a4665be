// gRPC implementations of RulesClient and HandoffClient.
#ifndef FRONTDESK_SERVICES_ANSWER_GRPC_DEPENDENCIES_H_
#define FRONTDESK_SERVICES_ANSWER_GRPC_DEPENDENCIES_H_

#include <memory>
#include <string>

#include "frontdesk/handoff/v1/handoff_service.grpc.pb.h"
#include "frontdesk/rules/v1/rules_service.grpc.pb.h"
#include "services/answer/agent_dependencies.h"

namespace frontdesk::answer {

class GrpcRulesClient : public RulesClient {
 public:
  explicit GrpcRulesClient(std::shared_ptr<grpc::Channel> channel);
  absl::StatusOr<frontdesk::rules::v1::Decision> Evaluate(
      const frontdesk::rules::v1::EvaluateRequest& request,
      absl::Duration timeout) override;

 private:
  std::unique_ptr<frontdesk::rules::v1::RulesCheck::Stub> stub_;
};

class GrpcHandoffClient : public HandoffClient {
 public:
  explicit GrpcHandoffClient(std::shared_ptr<grpc::Channel> channel);
  absl::StatusOr<frontdesk::handoff::v1::PrepareResponse> Prepare(
      const frontdesk::handoff::v1::PrepareRequest& request,
      absl::Duration timeout) override;

 private:
  std::unique_ptr<frontdesk::handoff::v1::HandoffPrep::Stub> stub_;
};

}  // namespace frontdesk::answer

#endif  // FRONTDESK_SERVICES_ANSWER_GRPC_DEPENDENCIES_H_
