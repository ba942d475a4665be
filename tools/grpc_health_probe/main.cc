// grpc_health_probe: asks a gRPC server's standard health service
// (grpc.health.v1.Health/Check) whether it is serving. The container images
// run it as their HEALTHCHECK.
//
//   grpc_health_probe [--service=NAME] [--timeout_ms=N] HOST:PORT
//
// Exit status: 0 when the answer is SERVING; 1 when it is anything else, or
// the server cannot be reached in time; 2 for a usage error. One line on
// stdout (serving) or stderr (anything else) says what it saw.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <future>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "tools/grpc_health_probe/health_check_wire.h"

ABSL_FLAG(std::string, service, "",
          "Service name to ask about; empty asks about the whole server");
ABSL_FLAG(int, timeout_ms, 2000, "Deadline of the check, in milliseconds");

namespace {

using frontdesk::health_probe::ServingStatus;

int Check(const std::string& address) {
  auto channel =
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(absl::GetFlag(FLAGS_timeout_ms)));

  const std::string request_bytes =
      frontdesk::health_probe::EncodeHealthCheckRequest(
          absl::GetFlag(FLAGS_service));
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check",
                 grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  const grpc::Status rpc = done.get_future().get();
  if (!rpc.ok()) {
    std::cerr << "grpc_health_probe: " << address << ": rpc failed: code "
              << rpc.error_code() << ": " << rpc.error_message() << "\n";
    return 1;
  }

  std::vector<grpc::Slice> slices;
  if (!response.Dump(&slices).ok()) {
    std::cerr << "grpc_health_probe: " << address << ": unreadable response\n";
    return 1;
  }
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  absl::StatusOr<ServingStatus> status =
      frontdesk::health_probe::DecodeHealthCheckResponse(bytes);
  if (!status.ok()) {
    std::cerr << "grpc_health_probe: " << address << ": " << status.status()
              << "\n";
    return 1;
  }
  const std::string name = frontdesk::health_probe::ServingStatusName(*status);
  if (*status != ServingStatus::kServing) {
    std::cerr << "grpc_health_probe: " << address << ": " << name << "\n";
    return 1;
  }
  std::cout << address << ": " << name << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "asks a gRPC server's health service whether it is serving\n"
      "usage: grpc_health_probe [--service=NAME] [--timeout_ms=N] HOST:PORT");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2 || absl::GetFlag(FLAGS_timeout_ms) <= 0) {
    std::cerr << absl::ProgramUsageMessage() << "\n";
    return 2;
  }
  return Check(args[1]);
}
