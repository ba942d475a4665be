#include "services/answer/answer_service.h"

#include "absl/time/clock.h"
#include "libs/common/service_logging.h"
#include "spdlog/spdlog.h"

namespace frontdesk::answer {

namespace av = ::frontdesk::answer::v1;

namespace {

grpc::Status ToGrpc(const absl::Status& s) {
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      std::string(s.message()));
}

}  // namespace

AnswerService::AnswerService(CallAgent* agent, AnswerProbe* probe)
    : agent_(agent), probe_(probe) {}

grpc::Status AnswerService::StartCall(grpc::ServerContext* /*context*/,
                                      const av::StartCallRequest* request,
                                      av::StartCallResponse* response) {
  absl::StatusOr<av::StartCallResponse> r = agent_->StartCall(*request);
  probe_->CallStarted(*request, r);
  if (!r.ok()) {
    spdlog::warn("event=start_call_rejected code={} detail=\"{}\"",
                 absl::StatusCodeToString(r.status().code()),
                 r.status().message());
    return ToGrpc(r.status());
  }
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status AnswerService::Turn(grpc::ServerContext* /*context*/,
                                 const av::TurnRequest* request,
                                 av::TurnResponse* response) {
  const absl::Time start = absl::Now();
  absl::StatusOr<av::TurnResponse> r;
  {
    // The agent calls its dependencies on this thread: the trace sees them.
    TurnTrace trace;
    r = agent_->Turn(*request);
    probe_->TurnAnswered(r, trace, absl::Now() - start);
  }
  if (!r.ok()) {
    // Messages name fields, never their values.
    spdlog::warn("event=turn_rejected code={} detail=\"{}\"",
                 absl::StatusCodeToString(r.status().code()),
                 r.status().message());
    return ToGrpc(r.status());
  }
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status AnswerService::EndCall(grpc::ServerContext* /*context*/,
                                    const av::EndCallRequest* request,
                                    av::EndCallResponse* /*response*/) {
  const absl::Status st = agent_->EndCall(*request);
  probe_->CallEnded(st);
  return ToGrpc(st);
}

}  // namespace frontdesk::answer
