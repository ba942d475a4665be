// PhiDataPath: the path patient data takes through frontdesk, worked out from
// the same ClinicPolicy objects the services enforce, for `frontdesk phi-map`.
//
// For every PHI field the agent may collect it answers: for which request
// types, where it is stored (which Kafka topics, sealed with which key), where
// it is sent (which staff queues, which subprocessors and their BAA status),
// who can see it (which roles, at the staff desk and in the tools), how long
// it is kept, what happens on failure and where the audit records are.
//
// The per-queue and per-role answers come from FieldsSentToQueue,
// FieldsShownAtDesk and FieldsShownOnBreakGlass, which restate the filters of
// the answer agent (stored fields, queues in send_to_queues), HandoffPreparer
// (fields shown to the queue's owner) and HandoffDesk (fields shown to the
// viewing role). tools/frontdesk/phi_map_drift_test.cc and
// phi_map_call_drift_test.cc run the real services against these functions,
// so the report and the services cannot drift apart unnoticed.
//
// Example:
//   auto policy = LoadPolicyFile("examples/clinic/policy.yaml");
//   auto kept = ReadHelmTopicRetention("helm/frontdesk/values.yaml");
//   PhiDataPath path = BuildPhiDataPath(*policy, "policy.yaml", *kept);
//   std::cout << RenderPhiDataPathText(path);
//
// Pure functions of their inputs; thread-safe.
#ifndef FRONTDESK_LIBS_POLICY_PHI_DATA_PATH_H_
#define FRONTDESK_LIBS_POLICY_PHI_DATA_PATH_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "frontdesk/policy/v1/policy.pb.h"
#include "libs/policy/clinic_policy.h"

namespace frontdesk::policy {

// The intake fields a handoff packet on `queue` carries for `request_type`:
// the fields the answer service forwards (the scope stores them and lists the
// queue in send_to_queues) that the scope shows the queue's owner role. In
// the scope's store order. Empty when the queue receives none.
std::vector<frontdesk::policy::v1::IntakeField> FieldsSentToQueue(
    const ClinicPolicy& policy, absl::string_view request_type,
    absl::string_view queue);

// The intake fields a staff member with `role` sees on a handoff of
// `request_type` on `queue` at the staff desk: the packet's fields the scope
// shows `role`. Empty when the role is not the queue's owner, backup or last
// resort (the desk refuses it).
std::vector<frontdesk::policy::v1::IntakeField> FieldsShownAtDesk(
    const ClinicPolicy& policy, absl::string_view request_type,
    absl::string_view queue, absl::string_view role);

// The intake fields `role` sees on that handoff through emergency access
// ("break glass", with a stated reason): for a role that does not serve the
// queue but holds break_glass, what the queue's owner sees; for a role that
// serves it, FieldsShownAtDesk; otherwise nothing (refused).
std::vector<frontdesk::policy::v1::IntakeField> FieldsShownOnBreakGlass(
    const ClinicPolicy& policy, absl::string_view request_type,
    absl::string_view queue, absl::string_view role);

// How long the Kafka topics keep events, and where that figure came from.
struct TopicRetention {
  int64_t retention_ms = 0;
  // "helm/frontdesk/values.yaml: kafka.topics.retentionMs" or the default.
  std::string source;
};

// The services' default (--topic_retention_ms, libs/serving/service_flags.cc).
TopicRetention DefaultTopicRetention();

// Reads kafka.topics.retentionMs from a Helm values file. NOT_FOUND when the
// file cannot be read; INVALID_ARGUMENT naming the file, line and key when
// the YAML is broken or the value is not a positive whole number. A file
// without the key yields the default, saying so.
absl::StatusOr<TopicRetention> ReadHelmTopicRetention(const std::string& path);

// One queue a field reaches.
struct QueueRoute {
  std::string queue;
  std::string topic;
  // The queue's roles (owner, backup, last resort) the desk shows the field.
  std::vector<std::string> roles_shown;
};

struct SubprocessorRoute {
  std::string id;
  std::string kind;
  bool baa_on_record = false;
};

// One request type that collects a field.
struct FieldInRequest {
  std::string request_type;
  // Recorded, sealed, on the calls topic.
  bool stored = false;
  std::vector<QueueRoute> queues;
  std::vector<SubprocessorRoute> subprocessors;
};

struct FieldPath {
  frontdesk::policy::v1::IntakeField field =
      frontdesk::policy::v1::INTAKE_FIELD_UNSPECIFIED;
  std::string name;
  std::vector<FieldInRequest> requests;
};

struct SubprocessorSummary {
  std::string id;
  std::string kind;
  bool baa_on_record = false;
  // "date_of_birth (appointment-new, billing)", one per field it receives.
  std::vector<std::string> receives;
};

// A situation and what the software does, in plain words.
struct FailureBehaviour {
  std::string situation;
  std::string outcome;
};

// A topic and what it holds.
struct TopicUse {
  std::string topic;
  std::string holds;
};

struct PhiDataPath {
  std::string source;
  std::string policy_version;
  std::string tenant_id;
  std::string clinic_name;
  // In the order of the IntakeField enum; only fields some scope collects.
  std::vector<FieldPath> fields;
  std::vector<TopicUse> phi_topics;
  // Roles whose tools may open sealed PHI (phi.read, with the keyring).
  std::vector<std::string> phi_read_roles;
  // Roles that may break glass: open any queue with a stated reason.
  std::vector<std::string> break_glass_roles;
  // Roles that read the operating record, where PHI stays sealed.
  std::vector<std::string> records_read_roles;
  // Every queue: {queue, "owner X, backup Y, last resort Z"}.
  std::vector<std::pair<std::string, std::string>> queue_roles;
  std::vector<SubprocessorSummary> subprocessors;
  TopicRetention topic_retention;
  // The policy's retention (retention.phi_years), or "not set in policy".
  std::string policy_retention;
  // When keys may be shredded, in plain words.
  std::string shred_schedule;
  // Inconsistencies a reader must act on, in plain words (for example the
  // topics deleting events before the policy's retention ends).
  std::vector<std::string> warnings;
  std::vector<FailureBehaviour> failures;
  std::vector<TopicUse> audit_topics;
};

// Works out the data path. `source` names the policy file in the report.
PhiDataPath BuildPhiDataPath(const ClinicPolicy& policy,
                             absl::string_view source,
                             const TopicRetention& retention);

// A plain-text report a compliance officer can read unaided.
std::string RenderPhiDataPathText(const PhiDataPath& path);

// The same as one self-contained HTML page (no scripts, no external files)
// with an inline SVG diagram of the data path.
std::string RenderPhiDataPathHtml(const PhiDataPath& path);

}  // namespace frontdesk::policy

#endif  // FRONTDESK_LIBS_POLICY_PHI_DATA_PATH_H_
