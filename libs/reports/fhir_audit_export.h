// FHIR R4 AuditEvent export of the operating record.
//
// Each call, decision, handoff (prepared, claimed, resolved, escalated),
// failed turn, policy activation or rejection and record access on the log
// becomes one R4 AuditEvent; BuildAuditBundle wraps them in a Bundle of type
// "collection". docs/AUDIT.md has the mapping table (event -> type, subtype,
// action, outcome). Events of other types (turns, replies, intake fields)
// are not exported one by one: the call's decisions cite them.
//
// Patient identity appears only when the exporter is given a PhiOpener (the
// caller holds the key and the phi.read permission): then the call's caller
// number and intake name and date of birth, when present, form one patient
// entity on the call's events. Without it, no patient identity at all.
//
// ValidateAuditEventShape checks the R4 rules this exporter relies on:
// required elements and cardinalities, the code systems and codes of the
// value sets used, the instant format, and no unknown elements. Its errors
// name the element, e.g. "AuditEvent.agent[0].requestor: required".
//
// Example (in memory):
//   AuditExporter x(opener_or_nullptr);
//   for (const LoggedEvent& e : events.events) x.Apply(e);
//   nlohmann::json bundle = x.Bundle();
// Streaming (large ranges): Learn() every event first when a PhiOpener is
// given (patient details come from later events), then for each event
// AuditBundleWriter::Add(*x.ToAuditEvent(e)).
#ifndef FRONTDESK_LIBS_REPORTS_FHIR_AUDIT_EXPORT_H_
#define FRONTDESK_LIBS_REPORTS_FHIR_AUDIT_EXPORT_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "libs/reports/audit_log_events.h"
#include "nlohmann/json.hpp"

namespace frontdesk::reports {

// Code systems used.
inline constexpr char kDicomSystem[] =
    "http://dicom.nema.org/resources/ontology/DCM";
inline constexpr char kFrontdeskSubtypeSystem[] =
    "urn:frontdesk:fhir:audit-event-sub-type";
inline constexpr char kPurposeOfUseSystem[] =
    "http://terminology.hl7.org/CodeSystem/v3-ActReason";
inline constexpr char kSourceTypeSystem[] =
    "http://terminology.hl7.org/CodeSystem/security-source-type";
inline constexpr char kEntityTypeSystem[] =
    "http://terminology.hl7.org/CodeSystem/audit-entity-type";
inline constexpr char kObjectRoleSystem[] =
    "http://terminology.hl7.org/CodeSystem/object-role";
inline constexpr char kAgentTypeSystem[] =
    "http://terminology.hl7.org/CodeSystem/extra-security-role-type";

class AuditExporter {
 public:
  // `open` may be empty: then no patient identity is exported.
  explicit AuditExporter(PhiOpener open);

  // Learns the event's patient details (with a PhiOpener) and keeps the
  // event for AuditEvents(), Bundle() and PlainEvents().
  void Apply(const LoggedEvent& e);

  // Learns the event's patient details only (with a PhiOpener).
  void Learn(const LoggedEvent& e);
  // The event's AuditEvent, with the patient details learned so far;
  // nullopt for an event that is not exported.
  std::optional<nlohmann::json> ToAuditEvent(const LoggedEvent& e) const;
  // The event as one plain JSON object (jsonl); nullopt when not exported.
  std::optional<nlohmann::json> ToPlain(const LoggedEvent& e) const;

  // The AuditEvent resources, in the order applied.
  std::vector<nlohmann::json> AuditEvents() const;
  // A Bundle (type "collection") of AuditEvents().
  nlohmann::json Bundle() const;
  // One plain JSON object per exported event (the jsonl format): event id,
  // time, type, tenant, call, producer, policy version, log place and the
  // payload's fields; "patient" only with a PhiOpener.
  std::vector<nlohmann::json> PlainEvents() const;

 private:
  struct Patient {
    std::string caller_number;
    std::string name;
    std::string date_of_birth;
    bool empty() const {
      return caller_number.empty() && name.empty() && date_of_birth.empty();
    }
  };
  nlohmann::json Resource(const LoggedEvent& e) const;
  nlohmann::json Plain(const LoggedEvent& e) const;

  const PhiOpener open_;
  std::vector<LoggedEvent> exported_;
  absl::flat_hash_map<std::string, Patient> patients_;
};

// Writes a Bundle (type "collection") one entry at a time, so an export
// never holds all its resources in memory. The text parses to the same JSON
// as AuditExporter::Bundle() for the same resources.
class AuditBundleWriter {
 public:
  // `out` must outlive the writer.
  explicit AuditBundleWriter(std::ostream* out);
  // Adds one AuditEvent (its "id" names the entry's fullUrl).
  void Add(const nlohmann::json& resource);
  // Closes the Bundle. REQUIRES: called once, after the last Add.
  void Finish();

 private:
  std::ostream* out_;
  bool first_ = true;
};

// True for the event types the exporter turns into AuditEvents.
bool IsExported(frontdesk::events::v1::EventType type);

// Checks one AuditEvent resource against the R4 rules above. OK or
// INVALID_ARGUMENT naming the element.
absl::Status ValidateAuditEventShape(const nlohmann::json& resource);

// Checks a Bundle: resourceType, type "collection", entries with a fullUrl
// and a resource, and each resource with ValidateAuditEventShape (errors
// prefixed with "Bundle.entry[i].resource").
absl::Status ValidateAuditBundleShape(const nlohmann::json& bundle);

}  // namespace frontdesk::reports

#endif  // FRONTDESK_LIBS_REPORTS_FHIR_AUDIT_EXPORT_H_
