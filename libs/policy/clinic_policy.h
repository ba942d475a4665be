// ClinicPolicy: a clinic's policy, loaded from YAML and checked strictly.
//
// The schema is protos/frontdesk/policy/v1/policy.proto; the file format is
// shown by examples/clinic/policy.yaml. Loading yields either a complete,
// consistent policy or every error found, each with file, line and column and
// what was expected. There is no half-loaded policy.
//
// Checked: unknown keys, wrong types, unknown enum values, missing required
// fields, duplicate ids (queues, categories, conditions, request types, texts,
// visit types, subprocessors, and rule ids across all of them), a trigger
// phrase claimed by two categories, references to queues, texts and request
// types that do not exist, times ("HH:MM"), dates ("YYYY-MM-DD") and the time
// zone. Booking: hours that close before they open, clinicians not on
// booking.clinicians (when listed), a visit type that gives both lane and
// ai_owned, and new-patient, procedure or same-day lanes that would be
// AI-owned.
//
// The policy version is "<label>+<first 12 hex digits of SHA-256 of the
// deterministically serialized policy>": a change of content, however small,
// changes the version; reformatting the YAML or reordering keys does not.
//
// Example:
//   absl::StatusOr<ClinicPolicy> p =
//   LoadPolicyFile("examples/clinic/policy.yaml"); if (!p.ok()) { std::cerr <<
//   p.status(); return 1; } const auto* hours = p->FindText("office-hours");
//
// A ClinicPolicy is immutable and safe to share between threads.
#ifndef FRONTDESK_LIBS_POLICY_CLINIC_POLICY_H_
#define FRONTDESK_LIBS_POLICY_CLINIC_POLICY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "frontdesk/policy/v1/policy.pb.h"

namespace frontdesk::policy {

// The rule of a decision on a turn nothing in the policy fits (a callback).
inline constexpr char kNotUnderstoodRuleId[] = "AA-CALLBACK-DEFAULT";

// rules.v1.CallContext.asking_for after the agent asked "anything else?".
inline constexpr char kAskingAnythingElse[] = "anything_else";

// Where scripts.read_back_date_of_birth puts the understood date.
inline constexpr char kDateOfBirthPlaceholder[] = "{date_of_birth}";

// One problem in a policy source, with its place (1-based; 0 if unknown).
struct PolicyError {
  std::string source;
  int line = 0;
  int column = 0;
  std::string message;
  // "source:line:column: message".
  std::string ToString() const;
};

class ClinicPolicy {
 public:
  const frontdesk::policy::v1::Policy& proto() const { return proto_; }
  // "<label>+<hash>".
  const std::string& version() const { return version_; }
  const std::string& tenant_id() const { return proto_.clinic().tenant_id(); }
  frontdesk::policy::v1::RolloutMode rollout_mode() const {
    return proto_.rollout_mode();
  }

  // nullptr when absent.
  const frontdesk::policy::v1::ApprovedText* FindText(
      absl::string_view id) const;
  const frontdesk::policy::v1::Queue* FindQueue(absl::string_view id) const;
  const frontdesk::policy::v1::RequestType* FindRequestType(
      absl::string_view id) const;
  const frontdesk::policy::v1::PhiScope* FindPhiScope(
      absl::string_view request_type) const;
  const frontdesk::policy::v1::VisitType* FindVisitType(
      absl::string_view id) const;

  // The approved text a script names; the loader guarantees it exists.
  const frontdesk::policy::v1::ApprovedText& Script(
      const std::string& text_id) const;

  std::vector<std::string> QueueIds() const;

  // Intake. The wording for a field; the loader guarantees one for every
  // field a PHI scope collects. nullptr for other fields.
  const frontdesk::policy::v1::FieldWording* FindFieldWording(
      frontdesk::policy::v1::IntakeField field) const;
  // Failed attempts at one field before handing off (intake.max_attempts, 3
  // by default).
  uint32_t max_intake_attempts() const {
    return proto_.intake().max_attempts() == 0 ? 3
                                               : proto_.intake().max_attempts();
  }
  // The fields collected for a request type, in the order they are asked:
  // consent first (nothing is taken before it), then as the scope lists
  // them. Empty when the type has no scope.
  std::vector<frontdesk::policy::v1::IntakeField> IntakeOrder(
      absl::string_view request_type) const;
  // Whether the request type's scope stores the field.
  bool Stores(absl::string_view request_type,
              frontdesk::policy::v1::IntakeField field) const;
  // The default country calling code for phone numbers ("1" when unset).
  std::string country_code() const {
    return proto_.clinic().country_code().empty()
               ? "1"
               : proto_.clinic().country_code();
  }

  absl::Duration ClaimWindow(const frontdesk::policy::v1::Queue& q) const {
    return q.claim_window_seconds() > 0
               ? absl::Seconds(q.claim_window_seconds())
               : absl::Minutes(q.claim_window_minutes());
  }

 private:
  friend absl::StatusOr<ClinicPolicy> ParsePolicy(absl::string_view,
                                                  absl::string_view,
                                                  std::vector<PolicyError>*);
  frontdesk::policy::v1::Policy proto_;
  std::string version_;
};

// The lane a visit type names: `lane`, or, when that is unset, the older
// `ai_owned` (true: ai_owned, false: ai_assisted). Before the new-patient,
// procedure and same-day rules; see services/rules_check/booking_rules.h.
frontdesk::policy::v1::BookingLane VisitTypeLane(
    const frontdesk::policy::v1::VisitType& v);

// "date_of_birth" for INTAKE_FIELD_DATE_OF_BIRTH, as the YAML spells it; ""
// for INTAKE_FIELD_UNSPECIFIED.
std::string IntakeFieldName(frontdesk::policy::v1::IntakeField field);
// The inverse; INTAKE_FIELD_UNSPECIFIED for a name that is not a field.
frontdesk::policy::v1::IntakeField IntakeFieldFromName(absl::string_view name);

// Parses and checks a policy. `source` names the input in messages. On
// failure the status is INVALID_ARGUMENT and holds every error, one per line;
// `errors`, when given, receives them as a list.
absl::StatusOr<ClinicPolicy> ParsePolicy(
    absl::string_view yaml, absl::string_view source,
    std::vector<PolicyError>* errors = nullptr);

// Reads and parses a policy file. NOT_FOUND when it cannot be read.
absl::StatusOr<ClinicPolicy> LoadPolicyFile(
    const std::string& path, std::vector<PolicyError>* errors = nullptr);

}  // namespace frontdesk::policy

#endif  // FRONTDESK_LIBS_POLICY_CLINIC_POLICY_H_
