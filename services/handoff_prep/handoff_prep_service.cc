#include "services/handoff_prep/handoff_prep_service.h"

#include "libs/common/service_logging.h"
#include "libs/common/uuid.h"
#include "spdlog/spdlog.h"

namespace frontdesk::handoff_prep {

namespace hv = ::frontdesk::handoff::v1;

HandoffPrepService::HandoffPrepService(HandoffPreparer* preparer,
                                       prometheus::Registry& registry)
    : preparer_(preparer),
      handoffs_(prometheus::BuildCounter()
                    .Name("frontdesk_handoffs_prepared_total")
                    .Help("Handoff requests, by queue and outcome "
                          "(published, duplicate, failed)")
                    .Register(registry)),
      errors_(prometheus::BuildCounter()
                  .Name("frontdesk_errors_total")
                  .Help("Errors by kind")
                  .Register(registry)) {
  for (const char* k : {"bad_request", "prepare_failed"}) {
    errors_.Add({{"kind", k}});
  }
}

grpc::Status HandoffPrepService::Prepare(grpc::ServerContext* /*context*/,
                                         const hv::PrepareRequest* request,
                                         hv::PrepareResponse* response) {
  absl::StatusOr<PrepareResult> r = preparer_->Prepare(*request);
  if (!r.ok()) {
    handoffs_.Add({{"queue", "-"}, {"outcome", "failed"}}).Increment();
    const absl::StatusCode code = r.status().code();
    const bool bad_request = code == absl::StatusCode::kInvalidArgument ||
                             code == absl::StatusCode::kNotFound ||
                             code == absl::StatusCode::kFailedPrecondition;
    errors_.Add({{"kind", bad_request ? "bad_request" : "prepare_failed"}})
        .Increment();
    spdlog::warn("event=handoff_failed code={} detail=\"{}\"",
                 absl::StatusCodeToString(r.status().code()),
                 r.status().message());
    return grpc::Status(static_cast<grpc::StatusCode>(r.status().code()),
                        std::string(r.status().message()));
  }
  handoffs_
      .Add({{"queue", r->packet.queue()},
            {"outcome", r->duplicate ? "duplicate" : "published"}})
      .Increment();
  spdlog::info(
      "event=handoff call_id={} handoff_id={} queue={} priority={} "
      "duplicate={}",
      LooksLikeUuid(r->packet.call_id()) ? r->packet.call_id() : "-",
      r->packet.handoff_id(), r->packet.queue(), r->packet.priority(),
      r->duplicate);
  *response->mutable_packet() = r->packet;
  response->set_duplicate(r->duplicate);
  return grpc::Status::OK;
}

}  // namespace frontdesk::handoff_prep
