#include "libs/access/access_recorder.h"

#include "absl/strings/str_cat.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/envelope.pb.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/policy/access_roles.h"

namespace frontdesk::access {

namespace ev = ::frontdesk::events::v1;

AccessRecorder::AccessRecorder(eventlog::EventLog* log,
                               events::EventChain* chain,
                               absl::Duration timeout)
    : log_(log), chain_(chain), timeout_(timeout) {}

absl::Status AccessRecorder::Record(const Access& access) {
  if (access.actor_id.empty()) {
    return absl::InvalidArgumentError("access: actor id is required");
  }
  if (access.role.empty()) {
    return absl::InvalidArgumentError("access: role is required");
  }
  if (access.action.empty()) {
    return absl::InvalidArgumentError("access: action is required");
  }
  ev::AccessRecorded a;
  a.set_actor_id(access.actor_id);
  a.set_role(access.role);
  a.set_action(access.action);
  a.set_resource(access.resource);
  a.set_allowed(access.allowed);
  a.set_reason(access.reason);
  a.set_purpose(access.purpose);
  a.set_via(access.via);
  events::EventDraft draft;
  draft.tenant_id = access.tenant_id;
  draft.call_id = absl::StrCat("actor/", access.actor_id);
  draft.policy_version = access.policy_version;
  draft.type = ev::EVENT_TYPE_ACCESS_RECORDED;
  draft.payload = a.SerializeAsString();
  const ev::EventEnvelope envelope = chain_->Next(draft);
  ev::EventBody body;
  body.ParseFromString(envelope.body());
  const absl::Status st =
      log_->Append({{kafka::kAccessTopic, draft.call_id,
                     envelope.SerializeAsString(), body.event_id()}},
                   timeout_);
  if (!st.ok()) {
    return absl::Status(
        st.code(),
        absl::StrCat("the access could not be recorded: ", st.message()));
  }
  return absl::OkStatus();
}

absl::Status AuthorizeAndRecord(const frontdesk::policy::v1::Policy& policy,
                                AccessRecorder& recorder, Access access,
                                absl::string_view permission) {
  access.allowed = policy::RoleGrants(policy, access.role, permission);
  access.reason =
      access.allowed
          ? ""
          : absl::StrCat("role \"", access.role, "\" does not hold \"",
                         permission, "\" in policy ", access.policy_version);
  const absl::Status recorded = recorder.Record(access);
  if (!recorded.ok()) return recorded;
  if (!access.allowed) return absl::PermissionDeniedError(access.reason);
  return absl::OkStatus();
}

}  // namespace frontdesk::access
