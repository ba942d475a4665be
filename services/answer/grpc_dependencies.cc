#include "services/answer/grpc_dependencies.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"

namespace frontdesk::answer {

namespace {

absl::Status ToAbsl(const grpc::Status& s, const char* who) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat(who, ": ", s.error_message()));
}

void SetDeadline(grpc::ClientContext* ctx, absl::Duration timeout) {
  ctx->set_deadline(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(timeout));
}

}  // namespace

GrpcRulesClient::GrpcRulesClient(std::shared_ptr<grpc::Channel> channel)
    : stub_(frontdesk::rules::v1::RulesCheck::NewStub(std::move(channel))) {}

absl::StatusOr<frontdesk::rules::v1::Decision> GrpcRulesClient::Evaluate(
    const frontdesk::rules::v1::EvaluateRequest& request,
    absl::Duration timeout) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx, timeout);
  frontdesk::rules::v1::EvaluateResponse response;
  grpc::Status s = stub_->Evaluate(&ctx, request, &response);
  if (!s.ok()) return ToAbsl(s, "rules-check");
  return response.decision();
}

GrpcHandoffClient::GrpcHandoffClient(std::shared_ptr<grpc::Channel> channel)
    : stub_(frontdesk::handoff::v1::HandoffPrep::NewStub(std::move(channel))) {}

absl::StatusOr<frontdesk::handoff::v1::PrepareResponse>
GrpcHandoffClient::Prepare(
    const frontdesk::handoff::v1::PrepareRequest& request,
    absl::Duration timeout) {
  grpc::ClientContext ctx;
  SetDeadline(&ctx, timeout);
  frontdesk::handoff::v1::PrepareResponse response;
  grpc::Status s = stub_->Prepare(&ctx, request, &response);
  if (!s.ok()) return ToAbsl(s, "handoff-prep");
  return response;
}

}  // namespace frontdesk::answer
