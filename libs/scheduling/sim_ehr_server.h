// SimEhrServer: a SIMULATED EHR. It serves a Scheduler (normally the
// embedded SqliteScheduleStore) over HTTP as FHIR R4 with the Argonaut
// Scheduling operations, for demos and for testing the FHIR adapter. It is
// not a clinic's record: every response carries the header
// `X-Simulated-EHR: true` and every resource the meta tag
// ehr-provenance#simulated.
//
//   POST  {base}/Appointment/$find   Parameters -> Bundle (proposed);
//                                    `?_count=N` limits it (default 200)
//   POST  {base}/Appointment/$hold   Parameters -> Bundle (pending),
//                                    `Expires` header = the hold's expiry
//   POST  {base}/Appointment/$book   Parameters -> Bundle (booked; and the
//                                    cancelled one when rescheduling)
//   PATCH {base}/Appointment/<id>    JSON Patch replacing /status with
//                                    "cancelled" -> Appointment
//   GET   {base}/Appointment/<id>    -> Appointment
//   GET   {base}/metadata            -> a minimal CapabilityStatement
// $hold and $book require an `Idempotency-Key` header. Errors are an
// OperationOutcome with the status mapping of fhir_json.h.
//
// Thread-safe; requests are served by a small thread pool.
//
// Example:
//   SimEhrServer server(store.get(), {.port = 0});
//   absl::StatusOr<int> port = server.Start();
#ifndef FRONTDESK_LIBS_SCHEDULING_SIM_EHR_SERVER_H_
#define FRONTDESK_LIBS_SCHEDULING_SIM_EHR_SERVER_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "libs/scheduling/scheduler.h"

namespace httplib {
class Server;
}

namespace frontdesk::scheduling {

struct SimEhrServerOptions {
  std::string bind = "127.0.0.1";
  // 0: any free port.
  int port = 0;
  // The path the FHIR endpoints live under.
  std::string base_path = "/fhir";
  int threads = 8;
  // Test hook: runs after an operation is done and before its reply is sent
  // ("find", "hold", "book", "cancel", "get"), e.g. to delay a reply past a
  // client's timeout. Never set in production.
  std::function<void(const std::string& operation)> before_reply;
};

class SimEhrServer {
 public:
  // `scheduler` must outlive the server.
  SimEhrServer(Scheduler* scheduler, SimEhrServerOptions options);
  ~SimEhrServer();

  // Binds and starts serving; returns the port.
  absl::StatusOr<int> Start();
  void Stop();
  int port() const { return port_; }

 private:
  void Route();

  Scheduler* const scheduler_;
  const SimEhrServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
};

}  // namespace frontdesk::scheduling

#endif  // FRONTDESK_LIBS_SCHEDULING_SIM_EHR_SERVER_H_
