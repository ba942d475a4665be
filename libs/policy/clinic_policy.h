// ClinicPolicy: a clinic's Handoff Map, loaded from YAML and checked strictly.
//
// The file format is documented by examples/clinic/policy.yaml. Loading
// either yields a complete, consistent policy or an error; there is no
// half-loaded policy. Errors name the file, line and column and say what was
// expected: an unknown key, a wrong type, a missing field, a duplicate id or
// a reference to a queue or text that does not exist.
//
// Example:
//   absl::StatusOr<ClinicPolicy> p = LoadPolicyFile("examples/clinic/policy.yaml");
//   if (!p.ok()) { std::cerr << p.status(); return 1; }
//   const ApprovedText* hours = p->FindText("office-hours");
//
// A loaded ClinicPolicy is immutable and safe to share between threads.
#ifndef FRONTDESK_LIBS_POLICY_CLINIC_POLICY_H_
#define FRONTDESK_LIBS_POLICY_CLINIC_POLICY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace frontdesk::policy {

struct Clinic {
  std::string tenant_id;
  std::string name;
  std::string timezone;
};

// A staff queue and who answers for it.
struct Queue {
  std::string id;
  std::string owner_role;
  std::string backup_role;
  absl::Duration claim_window;
};

// A human-only category with its exact trigger phrases, stored normalized
// (see NormalizeText).
struct HumanOnlyCategory {
  std::string id;
  std::string rule_id;
  std::string queue;
  // Urgent categories stop normal handling and say the urgent script.
  bool urgent = false;
  std::vector<std::string> triggers;
};

// Clinic-approved wording, quoted word for word.
struct ApprovedText {
  std::string id;
  uint32_t version = 0;
  std::string text;
  // Normalized words that make this an answer to a caller's question; empty
  // for scripts such as the greeting.
  std::vector<std::string> keywords;
};

// Which approved text each situation uses.
struct Scripts {
  std::string greeting;
  std::string fallback;
  std::string urgent;
  std::string handoff;
  std::string callback;
  std::string goodbye;
};

struct ClinicPolicy {
  std::string version;
  Clinic clinic;
  std::vector<Queue> queues;
  std::vector<HumanOnlyCategory> human_only;
  std::vector<ApprovedText> approved_texts;
  Scripts scripts;
  std::string default_queue;

  // nullptr when absent.
  const ApprovedText* FindText(absl::string_view id) const;
  const Queue* FindQueue(absl::string_view id) const;
  std::vector<std::string> QueueIds() const;
};

// Lower-cases, turns every character other than a letter, digit or
// apostrophe into a space, folds curly apostrophes to "'", and collapses
// runs of spaces. Trigger phrases and utterances are compared in this form.
std::string NormalizeText(absl::string_view text);

// Parses and checks a policy. `source` names the input in error messages.
absl::StatusOr<ClinicPolicy> ParsePolicy(absl::string_view yaml,
                                         absl::string_view source);

// Reads and parses a policy file.
absl::StatusOr<ClinicPolicy> LoadPolicyFile(const std::string& path);

}  // namespace frontdesk::policy

#endif  // FRONTDESK_LIBS_POLICY_CLINIC_POLICY_H_
