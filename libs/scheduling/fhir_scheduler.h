// FhirScheduler: the Scheduler as a FHIR R4 client speaking the Argonaut
// Scheduling operations over HTTP to an EHR (or to the simulated EHR).
//
// What it does with each kind of answer (docs/SCHEDULING.md):
//   - An OperationOutcome (any HTTP status, or an error entry in a Bundle)
//     becomes a Status by its first error issue's code (fhir_json.h). Only
//     the issue code and coded details are kept from a real EHR — its free
//     text may name the patient; the simulated EHR's diagnostics are kept.
//   - A timeout or broken connection: Find, Get and Cancel fail with
//     DEADLINE_EXCEEDED (UNAVAILABLE when no connection was made). Hold and
//     Book, whose outcome is then unknown, are retried with the SAME
//     idempotency key up to `max_attempts`, never re-issued with a new one;
//     if every attempt times out the result is DEADLINE_EXCEEDED and the
//     caller must retry with the same key before doing anything else.
//   - A rejected hold (409 conflict, or a hold answered with a cancelled
//     appointment) is ABORTED: the slot is gone, find again.
//   - A hold without an `Expires` header comes back with hold_expires =
//     InfinitePast (unknown).
// Every appointment says whether it is simulated: true when the response
// carried the X-Simulated-EHR header or the resource the simulated tag.
//
// Thread-safe: each call takes an HTTP client from a small pool.
//
// Example:
//   auto ehr = FhirScheduler::Create({.base_url =
//   "http://127.0.0.1:8089/fhir"}); auto found = (*ehr)->Find(request);
#ifndef FRONTDESK_LIBS_SCHEDULING_FHIR_SCHEDULER_H_
#define FRONTDESK_LIBS_SCHEDULING_FHIR_SCHEDULER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/scheduling/scheduler.h"

namespace httplib {
class Client;
}

namespace frontdesk::scheduling {

struct FhirSchedulerOptions {
  // "http://host:port/base", e.g. "http://127.0.0.1:8089/fhir".
  std::string base_url;
  // Per request: connecting, and waiting for each read or write.
  absl::Duration timeout = absl::Seconds(5);
  // Hold and Book attempts when the outcome is unknown (>= 1).
  int max_attempts = 3;
};

class FhirScheduler : public Scheduler {
 public:
  // INVALID_ARGUMENT when base_url is not "http://host[:port][/path]".
  static absl::StatusOr<std::unique_ptr<FhirScheduler>> Create(
      FhirSchedulerOptions options);
  ~FhirScheduler() override;

  absl::StatusOr<std::vector<Appointment>> Find(
      const FindRequest& request) override;
  absl::StatusOr<Appointment> Hold(const HoldRequest& request) override;
  absl::StatusOr<Appointment> Book(const BookRequest& request) override;
  absl::StatusOr<Appointment> Cancel(absl::string_view appointment_id) override;
  absl::StatusOr<Appointment> Get(absl::string_view appointment_id) override;

 private:
  struct Reply;
  FhirScheduler(FhirSchedulerOptions options, std::string host, int port,
                std::string path);
  // One HTTP exchange. Transport failures are DEADLINE_EXCEEDED (the request
  // may have been received) or UNAVAILABLE (it was not sent).
  absl::StatusOr<Reply> Call(const std::string& method, const std::string& path,
                             const std::string& body,
                             const std::string& content_type,
                             const std::string& idempotency_key);
  // Call, retried while the outcome is unknown (for Hold and Book).
  absl::StatusOr<Reply> CallWithRetries(const std::string& path,
                                        const std::string& body,
                                        const std::string& idempotency_key);

  std::unique_ptr<httplib::Client> NewClient() const;

  const FhirSchedulerOptions options_;
  const std::string host_;
  const int port_;
  const std::string path_;
  absl::Mutex mu_;
  std::vector<std::unique_ptr<httplib::Client>> idle_ ABSL_GUARDED_BY(mu_);
};

}  // namespace frontdesk::scheduling

#endif  // FRONTDESK_LIBS_SCHEDULING_FHIR_SCHEDULER_H_
