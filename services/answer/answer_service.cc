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

AnswerService::AnswerService(CallAgent* agent, prometheus::Registry& registry)
    : agent_(agent),
      turns_(prometheus::BuildCounter()
                 .Name("frontdesk_answer_turns_total")
                 .Help("Turns by outcome: ok, fallback, rejected")
                 .Register(registry)),
      turn_seconds_(prometheus::BuildHistogram()
                        .Name("frontdesk_answer_turn_seconds")
                        .Help("Time to answer a turn, all events acknowledged")
                        .Register(registry)
                        .Add({}, prometheus::Histogram::BucketBoundaries{
                                     0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                     1, 2, 5})) {}

grpc::Status AnswerService::StartCall(grpc::ServerContext* /*context*/,
                                      const av::StartCallRequest* request,
                                      av::StartCallResponse* response) {
  absl::StatusOr<av::StartCallResponse> r = agent_->StartCall(*request);
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
  absl::StatusOr<av::TurnResponse> r = agent_->Turn(*request);
  if (!r.ok()) {
    turns_.Add({{"outcome", "rejected"}}).Increment();
    // Messages name fields, never their values.
    spdlog::warn("event=turn_rejected code={} detail=\"{}\"",
                 absl::StatusCodeToString(r.status().code()),
                 r.status().message());
    return ToGrpc(r.status());
  }
  turns_.Add({{"outcome", r->fallback() ? "fallback" : "ok"}}).Increment();
  turn_seconds_.Observe(absl::ToDoubleSeconds(absl::Now() - start));
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status AnswerService::EndCall(grpc::ServerContext* /*context*/,
                                    const av::EndCallRequest* request,
                                    av::EndCallResponse* /*response*/) {
  return ToGrpc(agent_->EndCall(*request));
}

}  // namespace frontdesk::answer
