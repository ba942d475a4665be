// The BAA gate: a subprocessor without a business associate agreement (BAA)
// on record in the clinic's policy receives no PHI.
//
// The policy says which PHI fields each subprocessor receives for each
// request type (phi_scopes[].send_to_subprocessors); the loader refuses a
// policy that routes PHI to a subprocessor without a BAA. This gate enforces
// the same at run time, at the point of sending: every outbound adapter that
// hands PHI to a speech, messaging, hosting, model or analytics subprocessor
// must send through an OutboundPhiSender (or call CheckPhiFlow itself just
// before sending). Anything the policy does not list is refused with
// PERMISSION_DENIED naming the subprocessor and the field (field names only,
// never values).
//
// Example:
//   OutboundPhiSender sms(policy, "sms-gateway", &twilio_transport);
//   absl::Status st = sms.Send({tenant, call_id, "callback", phi});
//   // PERMISSION_DENIED unless the policy lists the fields for sms-gateway.
//
// Thread-safe when the transport is.
#ifndef FRONTDESK_LIBS_POLICY_BAA_GATE_H_
#define FRONTDESK_LIBS_POLICY_BAA_GATE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/policy/v1/policy.pb.h"
#include "libs/policy/clinic_policy.h"

namespace frontdesk::policy {

// The subprocessor with this id, or nullptr.
const frontdesk::policy::v1::Subprocessor* FindSubprocessor(
    const frontdesk::policy::v1::Policy& policy, absl::string_view id);

// The fields the policy lets flow to `subprocessor_id` for `request_type`
// (empty when none, or when the subprocessor has no BAA on record).
std::vector<frontdesk::policy::v1::IntakeField> FieldsAllowedTo(
    const ClinicPolicy& policy, absl::string_view subprocessor_id,
    absl::string_view request_type);

// OK when every field in `fields` may flow to `subprocessor_id` for
// `request_type`. PERMISSION_DENIED, naming the subprocessor and the first
// refused field, when the subprocessor is not in the policy, has no BAA on
// record, or the request type's scope does not list the field for it. With
// no fields, checks only that the subprocessor may receive PHI at all (for
// the caller's words or number, which every PHI flow may carry).
absl::Status CheckPhiFlow(
    const ClinicPolicy& policy, absl::string_view subprocessor_id,
    absl::string_view request_type,
    absl::Span<const frontdesk::policy::v1::IntakeField> fields);

// PHI on its way out to one subprocessor.
struct OutboundPhi {
  std::string tenant_id;
  std::string call_id;
  // The request type whose PHI scope governs the flow.
  std::string request_type;
  frontdesk::events::v1::PhiFields phi;
};

// What an outbound adapter implements: the actual sending (an HTTP call to
// an SMS gateway, a stream to a speech service...). Never call it directly
// with PHI; wrap it in an OutboundPhiSender.
class PhiTransport {
 public:
  virtual ~PhiTransport() = default;
  virtual absl::Status Deliver(const OutboundPhi& message) = 0;
};

// The only way PHI reaches a PhiTransport: checks the BAA gate for the whole
// message (every intake field by name, and the subprocessor's BAA for the
// caller's words, number and any other PHI) before delivering. A refused
// message is not delivered at all; nothing is partly sent.
class OutboundPhiSender {
 public:
  // `policy` and `transport` must outlive the sender.
  OutboundPhiSender(std::shared_ptr<const ClinicPolicy> policy,
                    std::string subprocessor_id, PhiTransport* transport);

  // PERMISSION_DENIED from the gate, INVALID_ARGUMENT for an intake value
  // whose field name is unknown, else the transport's status.
  absl::Status Send(const OutboundPhi& message);

  const std::string& subprocessor_id() const { return subprocessor_id_; }

 private:
  const std::shared_ptr<const ClinicPolicy> policy_;
  const std::string subprocessor_id_;
  PhiTransport* const transport_;
};

}  // namespace frontdesk::policy

#endif  // FRONTDESK_LIBS_POLICY_BAA_GATE_H_
