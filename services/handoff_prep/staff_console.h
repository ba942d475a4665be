// StaffConsole: the staff API of HandoffDesk as a small web console, for
// front desk staff who would rather look than read logs.
//
// It serves one self-contained page (staff_console_page.h) and a JSON API
// over HTTP/1.1 (cpp-httplib):
//
//   GET  /                 the page
//   GET  /api/queues       the policy's queues and the roles that serve them
//                          (configuration, no PHI: no identity needed)
//   GET  /api/open?queue=Q            HandoffDesk::ListOpen
//   POST /api/claim   {"handoff_id"}          HandoffDesk::Claim
//   POST /api/resolve {"handoff_id", "note"}  HandoffDesk::Resolve
//   GET  /api/events?queue=Q&staff_id=S&role=R
//                          Server-Sent Events: a "snapshot" event with the
//                          open handoffs, then a "handoff" event for every
//                          new or changed one (HandoffDesk::StartWatch and
//                          WaitForChanges)
//
// Identity works as on the gRPC edge (staff_service.h): the `X-Staff-Id` and
// `X-Staff-Role` headers name the staff member and role (401 when missing).
// EventSource cannot set headers, so /api/events alone takes them from its
// query. Every action goes through HandoffDesk, so it is checked and recorded
// on frontdesk.access.v1 exactly like a gRPC call, with via "console".
// Statuses map to HTTP codes (PERMISSION_DENIED 403, NOT_FOUND 404,
// FAILED_PRECONDITION 409, INVALID_ARGUMENT 400, UNAVAILABLE and
// DEADLINE_EXCEEDED 503) with a body {"error": "<status message>"}; the desk's
// messages hold no PHI. The console logs no request content.
//
// Like the gRPC API it trusts the identity it is given (tokens are a
// separate issue), so it binds to loopback unless told otherwise. Requests
// from another origin are refused (403), bodies are capped, reads and writes
// time out, and the number of live event streams is bounded.
//
// Example:
//   StaffConsole console(&desk, policy, RealClock::Get(),
//                        {.bind = "127.0.0.1", .port = 9180});
//   absl::StatusOr<int> port = console.Start();
//   ...
//   console.Stop();
//
// Thread-safe. Start and Stop are called from one thread.
#ifndef FRONTDESK_SERVICES_HANDOFF_PREP_STAFF_CONSOLE_H_
#define FRONTDESK_SERVICES_HANDOFF_PREP_STAFF_CONSOLE_H_

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/auth/staff_authenticator.h"
#include "libs/common/clock.h"
#include "libs/policy/clinic_policy.h"
#include "services/handoff_prep/handoff_desk.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace frontdesk::handoff_prep {

struct StaffConsoleOptions {
  // The address to listen on.
  std::string bind = "127.0.0.1";
  // 0 picks a free port.
  int port = 0;
  // Larger request bodies get 413.
  size_t max_body_bytes = 64 * 1024;
  // Event streams beyond this many get 503. Each holds a worker thread.
  int max_event_streams = 32;
  // Worker threads for everything that is not an event stream.
  int request_threads = 8;
  absl::Duration read_timeout = absl::Seconds(5);
  absl::Duration write_timeout = absl::Seconds(5);
  // How long an event stream waits for a change before checking that the
  // console is still running.
  absl::Duration watch_poll = absl::Seconds(1);
  // A comment line on a quiet event stream this often, so a browser that
  // went away is noticed.
  absl::Duration heartbeat = absl::Seconds(10);
  // Who is calling: a staff token in "Authorization: Bearer" (or the event
  // stream's `token` parameter) when it verifies tokens. Null takes the
  // asserted X-Staff-Id / X-Staff-Role at their word (tests, development);
  // handoff-prep's main always passes one. Must outlive the console.
  const auth::StaffAuthenticator* authenticator = nullptr;
};

class StaffConsole {
 public:
  // `desk` and `clock` (the desk's) must outlive the console.
  StaffConsole(HandoffDesk* desk,
               std::shared_ptr<const policy::ClinicPolicy> policy,
               const Clock* clock, StaffConsoleOptions options = {});
  // Stops the console.
  ~StaffConsole();

  StaffConsole(const StaffConsole&) = delete;
  StaffConsole& operator=(const StaffConsole&) = delete;

  // Binds and starts serving on a thread of its own. Returns the bound
  // port; UNAVAILABLE when the address cannot be bound. Call once.
  absl::StatusOr<int> Start();

  // Ends every event stream and stops serving; waits for the workers, at
  // most about `watch_poll` plus the keep-alive timeout. Idempotent.
  void Stop();

  // The bound port, or 0 before Start.
  int port() const { return port_; }

 private:
  void Route();

  HandoffDesk* const desk_;
  const std::shared_ptr<const policy::ClinicPolicy> policy_;
  const Clock* const clock_;
  const StaffConsoleOptions options_;
  // options_.authenticator, or the development one.
  std::unique_ptr<auth::StaffAuthenticator> asserted_;
  const auth::StaffAuthenticator* authenticator_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> streams_{0};
};

}  // namespace frontdesk::handoff_prep

#endif  // FRONTDESK_SERVICES_HANDOFF_PREP_STAFF_CONSOLE_H_
