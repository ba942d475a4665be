// AccessRecorder: writes who read or changed what to frontdesk.access.v1.
//
// Every access to the operating record and the audit tools, allowed or
// refused, becomes an AccessRecorded event keyed "actor/<actor id>", chained
// and hashed like every other event. Record returns only after the log
// acknowledged the event. An access that cannot be recorded must not happen:
// callers refuse the request when Record fails.
//
// Example:
//   AccessRecorder recorder(log, &chain, absl::Seconds(2));
//   absl::Status s = AuthorizeAndRecord(policy, recorder, access,
//                                       policy::kPermReplay);
//   if (!s.ok()) return s;  // refused, or could not be recorded
//
// Thread-safe when the log and the chain are (both are in this project).
#ifndef FRONTDESK_LIBS_ACCESS_ACCESS_RECORDER_H_
#define FRONTDESK_LIBS_ACCESS_ACCESS_RECORDER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "frontdesk/policy/v1/policy.pb.h"
#include "libs/eventlog/event_log.h"
#include "libs/events/event_chain.h"

namespace frontdesk::access {

// One access. No field may hold PHI: resources name ids ("call/<id>",
// "handoff/<id>", "range/<from>..<to>"), never patient details.
struct Access {
  std::string tenant_id;
  std::string policy_version;
  std::string actor_id;
  std::string role;
  // What was attempted, for example "get_call", "replay", "export".
  std::string action;
  std::string resource;
  std::string purpose;
  // The surface: "grpc", "console", "cli".
  std::string via;
  bool allowed = false;
  // Why it was refused; empty when allowed.
  std::string reason;
};

class AccessRecorder {
 public:
  // `log` and `chain` must outlive the recorder.
  AccessRecorder(eventlog::EventLog* log, events::EventChain* chain,
                 absl::Duration timeout);

  // Appends the AccessRecorded event and waits for its acknowledgement.
  // INVALID_ARGUMENT when the actor id, role or action is empty; otherwise
  // the log's error when it was not acknowledged.
  absl::Status Record(const Access& access);

 private:
  eventlog::EventLog* const log_;
  events::EventChain* const chain_;
  const absl::Duration timeout_;
};

// Checks that the policy grants `access.role` the `permission`, records the
// access either way, and returns:
//   OK                 granted and recorded;
//   PERMISSION_DENIED  not granted (recorded as refused);
//   the recorder's error when the access could not be recorded.
// `access.allowed` and `access.reason` are set here.
absl::Status AuthorizeAndRecord(const frontdesk::policy::v1::Policy& policy,
                                AccessRecorder& recorder, Access access,
                                absl::string_view permission);

}  // namespace frontdesk::access

#endif  // FRONTDESK_LIBS_ACCESS_ACCESS_RECORDER_H_
