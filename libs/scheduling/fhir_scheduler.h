// FhirScheduler: the Scheduler as a FHIR R4 client speaking the Argonaut
// Scheduling operations over HTTP to an EHR (or to the simulated EHR).
//
// What it does with each kind of answer (fhir_scheduler_test pins each one;
// docs/SCHEDULING.md):
//   - An OperationOutcome (the whole body at any HTTP status, or an error
//     entry in a Bundle) becomes a Status by its first issue of severity
//     error or fatal, by issue code (fhir_json.h): conflict -> ABORTED,
//     not-found -> NOT_FOUND, invalid -> INVALID_ARGUMENT, business-rule ->
//     FAILED_PRECONDITION, timeout -> DEADLINE_EXCEEDED, transient ->
//     UNAVAILABLE; an unknown code falls back to the HTTP status. Codes that
//     scheduler.h does not list (a 401/403 or a security issue) become
//     INTERNAL. The message names the severity, the issue code and any coded
//     details; the free text (diagnostics, details.text) of a real EHR is
//     dropped because it may name the patient. Only the simulated EHR's text
//     is kept. An OperationOutcome with only information issues where a
//     Bundle was expected is INTERNAL ("resourceType: expected Bundle").
//   - An HTTP error without an OperationOutcome: the code of its HTTP status.
//   - A timeout (connected, no answer within `timeout`) or a dropped
//     connection: DEADLINE_EXCEEDED; a refused connection: UNAVAILABLE.
//     Find and Get are not retried. Cancel (idempotent) is retried up to
//     `max_attempts`. Hold and Book, whose outcome is then unknown, are
//     retried with the SAME idempotency key up to `max_attempts`, never with
//     a new one; if every attempt fails that way the result is
//     DEADLINE_EXCEEDED (or UNAVAILABLE) and the caller must retry with the
//     same key before doing anything else: the EHR then answers with the one
//     hold or booking it made.
//   - A rejected hold or booking (409 or a conflict OperationOutcome, or the
//     appointment answered `cancelled`) is ABORTED and not retried: the slot
//     is gone, find again.
//   - Expires: a hold's `Expires` HTTP-date (IMF-fixdate) is hold_expires.
//     Missing, or not an HTTP-date: hold_expires = InfinitePast (unknown) and
//     the hold is still returned, since the EHR did place it (a garbled one
//     is logged as event=ehr_bad_expires_header, without its value).
//   - An answer that is not JSON, or not the resource expected (Bundle for
//     $find/$hold/$book, Appointment or Bundle for read and cancel), or an
//     Appointment the codec refuses (bad status, start, end; no id), or one
//     in the wrong status for the operation: INTERNAL, naming the operation
//     and the field ("EHR: $hold answer: resourceType: expected Bundle,
//     got Patient").
//   - $find: the Parameters carry only the names the guide's
//     OperationDefinition declares; max_results travels as the standard
//     search parameter `_count` in the URL, as the guide says, and the
//     adapter keeps the earliest max_results itself in case the EHR ignores
//     it.
// Every appointment says whether it is simulated: true when the response
// carried the X-Simulated-EHR header or the resource the simulated tag.
//
// Thread-safe: each call takes an HTTP client from a small pool.
//
// Example:
//   auto ehr =
//       FhirScheduler::Create({.base_url = "http://127.0.0.1:8089/fhir"});
//   auto found = (*ehr)->Find(request);
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
  // `op` ("$find", "$hold", "$book", "read", "cancel") names the exchange
  // in messages.
  absl::StatusOr<Reply> Call(absl::string_view op, const std::string& method,
                             const std::string& path, const std::string& body,
                             const std::string& content_type,
                             const std::string& idempotency_key);
  // Call, retried while the outcome is unknown (for Hold and Book).
  absl::StatusOr<Reply> CallWithRetries(absl::string_view op,
                                        const std::string& path,
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
