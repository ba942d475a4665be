#include "libs/policy/baa_gate.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace frontdesk::policy {

namespace pv = ::frontdesk::policy::v1;

const pv::Subprocessor* FindSubprocessor(const pv::Policy& policy,
                                         absl::string_view id) {
  for (const auto& s : policy.subprocessors()) {
    if (s.id() == id) return &s;
  }
  return nullptr;
}

std::vector<pv::IntakeField> FieldsAllowedTo(const ClinicPolicy& policy,
                                             absl::string_view subprocessor_id,
                                             absl::string_view request_type) {
  std::vector<pv::IntakeField> out;
  const pv::Subprocessor* sub =
      FindSubprocessor(policy.proto(), subprocessor_id);
  const pv::PhiScope* scope = policy.FindPhiScope(request_type);
  if (sub == nullptr || !sub->baa_on_record() || scope == nullptr) return out;
  for (const auto& flow : scope->send_to_subprocessors()) {
    if (flow.subprocessor() != subprocessor_id) continue;
    for (int f : flow.fields()) out.push_back(static_cast<pv::IntakeField>(f));
  }
  return out;
}

absl::Status CheckPhiFlow(const ClinicPolicy& policy,
                          absl::string_view subprocessor_id,
                          absl::string_view request_type,
                          absl::Span<const pv::IntakeField> fields) {
  const std::string what =
      fields.empty() ? std::string("PHI")
                     : absl::StrCat("PHI field ", IntakeFieldName(fields[0]));
  const pv::Subprocessor* sub =
      FindSubprocessor(policy.proto(), subprocessor_id);
  if (sub == nullptr) {
    return absl::PermissionDeniedError(
        absl::StrCat("BAA gate: ", what, " may not be sent to subprocessor \"",
                     subprocessor_id, "\": it is not in the policy"));
  }
  if (!sub->baa_on_record()) {
    return absl::PermissionDeniedError(
        absl::StrCat("BAA gate: ", what, " may not be sent to subprocessor \"",
                     subprocessor_id, "\": it has no BAA on record"));
  }
  const std::vector<pv::IntakeField> allowed =
      FieldsAllowedTo(policy, subprocessor_id, request_type);
  for (pv::IntakeField f : fields) {
    bool listed = false;
    for (pv::IntakeField a : allowed) listed = listed || a == f;
    if (!listed) {
      return absl::PermissionDeniedError(
          absl::StrCat("BAA gate: PHI field ", IntakeFieldName(f),
                       " of request type \"", request_type,
                       "\" may not be sent to subprocessor \"", subprocessor_id,
                       "\": the policy's phi_scopes do not list it in "
                       "send_to_subprocessors"));
    }
  }
  return absl::OkStatus();
}

OutboundPhiSender::OutboundPhiSender(std::shared_ptr<const ClinicPolicy> policy,
                                     std::string subprocessor_id,
                                     PhiTransport* transport)
    : policy_(std::move(policy)),
      subprocessor_id_(std::move(subprocessor_id)),
      transport_(transport) {}

absl::Status OutboundPhiSender::Send(const OutboundPhi& message) {
  std::vector<pv::IntakeField> fields;
  for (int i = 0; i < message.phi.intake_size(); ++i) {
    const pv::IntakeField f =
        IntakeFieldFromName(message.phi.intake(i).field());
    if (f == pv::INTAKE_FIELD_UNSPECIFIED) {
      return absl::InvalidArgumentError(
          absl::StrCat("phi.intake[", i, "].field: not an intake field name"));
    }
    fields.push_back(f);
  }
  // Any PHI at all (the caller's words or number too) needs the BAA.
  absl::Status gate =
      CheckPhiFlow(*policy_, subprocessor_id_, message.request_type, {});
  if (gate.ok()) {
    gate =
        CheckPhiFlow(*policy_, subprocessor_id_, message.request_type, fields);
  }
  if (!gate.ok()) return gate;
  return transport_->Deliver(message);
}

}  // namespace frontdesk::policy
