// The two messages of grpc.health.v1.Health/Check in protobuf wire format,
// written and read by hand, so the probe needs no generated code (Debian's
// gRPC ships no health stubs).
//
//   HealthCheckRequest  { string service = 1; }
//   HealthCheckResponse { ServingStatus status = 1; }
//
// Example:
//   std::string request = EncodeHealthCheckRequest("");   // the whole server
//   absl::StatusOr<ServingStatus> status = DecodeHealthCheckResponse(bytes);
#ifndef FRONTDESK_TOOLS_GRPC_HEALTH_PROBE_HEALTH_CHECK_WIRE_H_
#define FRONTDESK_TOOLS_GRPC_HEALTH_PROBE_HEALTH_CHECK_WIRE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace frontdesk::health_probe {

enum class ServingStatus {
  kUnknown = 0,
  kServing = 1,
  kNotServing = 2,
  kServiceUnknown = 3,
};

// "SERVING", "NOT_SERVING", ...; "status <n>" for a value this probe does
// not know.
std::string ServingStatusName(ServingStatus status);

// The request bytes. An empty `service` asks about the server as a whole and
// encodes to no bytes at all.
std::string EncodeHealthCheckRequest(absl::string_view service);

// The status in a response. Unknown fields are skipped; a response without
// the status field is UNKNOWN (proto3's default). Bytes that are not a valid
// message give INVALID_ARGUMENT.
absl::StatusOr<ServingStatus> DecodeHealthCheckResponse(
    absl::string_view bytes);

}  // namespace frontdesk::health_probe

#endif  // FRONTDESK_TOOLS_GRPC_HEALTH_PROBE_HEALTH_CHECK_WIRE_H_
