// The services the answer agent depends on, as small interfaces, so the
// conversation logic is tested with in-memory fakes and run against the real
// services over gRPC (grpc_dependencies.h).
#ifndef FRONTDESK_SERVICES_ANSWER_AGENT_DEPENDENCIES_H_
#define FRONTDESK_SERVICES_ANSWER_AGENT_DEPENDENCIES_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "frontdesk/handoff/v1/handoff_service.pb.h"
#include "frontdesk/rules/v1/rules_service.pb.h"

namespace frontdesk::answer {

// rules-check. Implementations are thread-safe.
class RulesClient {
 public:
  virtual ~RulesClient() = default;
  virtual absl::StatusOr<frontdesk::rules::v1::Decision> Evaluate(
      const frontdesk::rules::v1::EvaluateRequest& request,
      absl::Duration timeout) = 0;
};

// handoff-prep. Implementations are thread-safe.
class HandoffClient {
 public:
  virtual ~HandoffClient() = default;
  virtual absl::StatusOr<frontdesk::handoff::v1::PrepareResponse> Prepare(
      const frontdesk::handoff::v1::PrepareRequest& request,
      absl::Duration timeout) = 0;
};

}  // namespace frontdesk::answer

#endif  // FRONTDESK_SERVICES_ANSWER_AGENT_DEPENDENCIES_H_
