#include "libs/reports/fhir_audit_export.h"

#include <google/protobuf/util/json_util.h>

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/handoff_events.pb.h"
#include "frontdesk/policy/v1/policy_events.pb.h"
#include "libs/events/event_envelope.h"

namespace frontdesk::reports {

namespace ev = ::frontdesk::events::v1;
namespace pv = ::frontdesk::policy::v1;
using nlohmann::json;

namespace {

constexpr char kProducerSystem[] = "urn:frontdesk:producer";
constexpr char kStaffSystem[] = "urn:frontdesk:staff";
constexpr char kCallSystem[] = "urn:frontdesk:call";
constexpr char kDecisionSystem[] = "urn:frontdesk:decision";
constexpr char kHandoffSystem[] = "urn:frontdesk:handoff";
constexpr char kPolicySystem[] = "urn:frontdesk:policy-version";
constexpr char kResourceSystem[] = "urn:frontdesk:resource";
constexpr char kCallerNumberSystem[] = "urn:frontdesk:caller-number";

// DICOM audit event types (R4 value set audit-event-type) used here.
const std::map<std::string, std::string>& EventTypes() {
  static const auto* m = new std::map<std::string, std::string>{
      {"110100", "Application Activity"},
      {"110101", "Audit Log Used"},
      {"110110", "Patient Record"},
  };
  return *m;
}

// Our subtypes (the R4 binding of subtype is extensible).
const std::set<std::string>& Subtypes() {
  static const auto* s = new std::set<std::string>{
      "call-started",      "call-ended",        "turn-failed",
      "decision-recorded", "handoff-prepared",  "handoff-claimed",
      "handoff-resolved",  "handoff-escalated", "policy-activated",
      "policy-rejected",   "record-access"};
  return *s;
}

// v3 PurposeOfUse codes (system v3-ActReason) accepted.
const std::map<std::string, std::string>& Purposes() {
  static const auto* m = new std::map<std::string, std::string>{
      {"TREAT", "treatment"},
      {"ETREAT", "Emergency Treatment"},
      {"BTG", "break the glass"},
      {"HOPERAT", "healthcare operations"},
      {"PATADMIN", "patient administration"},
      {"HSYSADMIN", "health system administration"},
      {"HQUALIMP", "health quality improvement"},
      {"HPAYMT", "healthcare payment"},
      {"HRESCH", "healthcare research"},
      {"PATRQT", "patient requested"},
      {"PUBHLTH", "public health"},
  };
  return *m;
}

const std::map<std::string, std::string>& SourceTypes() {
  static const auto* m =
      new std::map<std::string, std::string>{{"4", "Application Server"}};
  return *m;
}
const std::map<std::string, std::string>& EntityTypes() {
  static const auto* m = new std::map<std::string, std::string>{
      {"1", "Person"}, {"2", "System Object"}};
  return *m;
}
const std::map<std::string, std::string>& ObjectRoles() {
  static const auto* m = new std::map<std::string, std::string>{
      {"1", "Patient"}, {"4", "Domain Resource"}, {"13", "Security Resource"}};
  return *m;
}
const std::map<std::string, std::string>& AgentTypes() {
  static const auto* m = new std::map<std::string, std::string>{
      {"humanuser", "human user"}, {"dataprocessor", "data processor"}};
  return *m;
}

json Coding(const std::string& system,
            const std::map<std::string, std::string>& codes,
            const std::string& code) {
  return {{"system", system}, {"code", code}, {"display", codes.at(code)}};
}

json Identifier(const std::string& system, const std::string& value) {
  return {{"system", system}, {"value", value}};
}

json Detail(const std::string& type, const std::string& value) {
  return {{"type", type}, {"valueString", value}};
}

json Entity(const std::string& system, const std::string& value,
            const std::string& role, json details = json::array()) {
  json e = {{"what", {{"identifier", Identifier(system, value)}}},
            {"type", Coding(kEntityTypeSystem, EntityTypes(), "2")},
            {"role", Coding(kObjectRoleSystem, ObjectRoles(), role)}};
  if (!details.empty()) e["detail"] = std::move(details);
  return e;
}

json ServiceAgent(const ev::Producer& p) {
  return {{"type",
           {{"coding", json::array({Coding(kAgentTypeSystem, AgentTypes(),
                                           "dataprocessor")})}}},
          {"who",
           {{"identifier", Identifier(kProducerSystem, p.service())},
            {"display", absl::StrCat(p.service(), " ", p.instance())}}},
          {"requestor", false}};
}

json StaffAgent(const std::string& id, const std::string& role) {
  json a = {
      {"type",
       {{"coding",
         json::array({Coding(kAgentTypeSystem, AgentTypes(), "humanuser")})}}},
      {"who", {{"identifier", Identifier(kStaffSystem, id)}}},
      {"requestor", true}};
  if (!role.empty()) a["role"] = json::array({{{"text", role}}});
  return a;
}

json Purpose(const std::string& stated) {
  const std::string upper = absl::AsciiStrToUpper(stated);
  auto it = Purposes().find(upper);
  if (it != Purposes().end()) {
    return {{"coding", json::array({{{"system", kPurposeOfUseSystem},
                                     {"code", it->first},
                                     {"display", it->second}}})}};
  }
  return {{"text", stated}};
}

std::string AccessFhirAction(const std::string& action) {
  if (action == "claim" || action == "resolve") return "U";
  if (action == "simulate") return "E";
  return "R";
}

bool IsLogAction(const std::string& action) {
  return action == "export" || action == "report" || action == "simulate" ||
         action == "replay" || action == "verify";
}

// The payload of an exported event, parsed; nullptr for other types.
std::unique_ptr<google::protobuf::Message> Payload(const ev::EventBody& b) {
  std::unique_ptr<google::protobuf::Message> m;
  switch (b.type()) {
    case ev::EVENT_TYPE_CALL_STARTED:
      m = std::make_unique<ev::CallStarted>();
      break;
    case ev::EVENT_TYPE_CALL_ENDED:
      m = std::make_unique<ev::CallEnded>();
      break;
    case ev::EVENT_TYPE_TURN_FAILED:
      m = std::make_unique<ev::TurnFailed>();
      break;
    case ev::EVENT_TYPE_DECISION_RECORDED:
      m = std::make_unique<ev::DecisionRecorded>();
      break;
    case ev::EVENT_TYPE_HANDOFF_PREPARED:
      m = std::make_unique<ev::HandoffPrepared>();
      break;
    case ev::EVENT_TYPE_HANDOFF_CLAIMED:
      m = std::make_unique<ev::HandoffClaimed>();
      break;
    case ev::EVENT_TYPE_HANDOFF_RESOLVED:
      m = std::make_unique<ev::HandoffResolved>();
      break;
    case ev::EVENT_TYPE_HANDOFF_ESCALATED:
      m = std::make_unique<ev::HandoffEscalated>();
      break;
    case ev::EVENT_TYPE_POLICY_ACTIVATED:
      m = std::make_unique<pv::PolicyActivated>();
      break;
    case ev::EVENT_TYPE_POLICY_REJECTED:
      m = std::make_unique<pv::PolicyRejected>();
      break;
    case ev::EVENT_TYPE_ACCESS_RECORDED:
      m = std::make_unique<ev::AccessRecorded>();
      break;
    default:
      return nullptr;
  }
  if (!m->ParseFromString(b.payload())) return nullptr;
  return m;
}

}  // namespace

bool IsExported(ev::EventType type) {
  switch (type) {
    case ev::EVENT_TYPE_CALL_STARTED:
    case ev::EVENT_TYPE_CALL_ENDED:
    case ev::EVENT_TYPE_TURN_FAILED:
    case ev::EVENT_TYPE_DECISION_RECORDED:
    case ev::EVENT_TYPE_HANDOFF_PREPARED:
    case ev::EVENT_TYPE_HANDOFF_CLAIMED:
    case ev::EVENT_TYPE_HANDOFF_RESOLVED:
    case ev::EVENT_TYPE_HANDOFF_ESCALATED:
    case ev::EVENT_TYPE_POLICY_ACTIVATED:
    case ev::EVENT_TYPE_POLICY_REJECTED:
    case ev::EVENT_TYPE_ACCESS_RECORDED:
      return true;
    default:
      return false;
  }
}

AuditExporter::AuditExporter(PhiOpener open) : open_(std::move(open)) {}

void AuditExporter::Apply(const LoggedEvent& e) {
  Learn(e);
  if (IsExported(e.body.type()) && Payload(e.body) != nullptr)
    exported_.push_back(e);
}

std::optional<json> AuditExporter::ToAuditEvent(const LoggedEvent& e) const {
  if (!IsExported(e.body.type()) || Payload(e.body) == nullptr)
    return std::nullopt;
  return Resource(e);
}

std::optional<json> AuditExporter::ToPlain(const LoggedEvent& e) const {
  if (!IsExported(e.body.type()) || Payload(e.body) == nullptr)
    return std::nullopt;
  return Plain(e);
}

namespace {

json BundleEntry(const json& resource) {
  return {
      {"fullUrl", absl::StrCat("urn:uuid:", resource["id"].get<std::string>())},
      {"resource", resource}};
}

}  // namespace

AuditBundleWriter::AuditBundleWriter(std::ostream* out) : out_(out) {
  *out_ << R"({"resourceType":"Bundle","type":"collection")";
}

// FHIR JSON has no empty arrays: "entry" only once there is one.
void AuditBundleWriter::Add(const json& resource) {
  *out_ << (first_ ? ",\"entry\":[\n" : ",\n") << BundleEntry(resource).dump();
  first_ = false;
}

void AuditBundleWriter::Finish() { *out_ << (first_ ? "}\n" : "\n]}\n"); }

void AuditExporter::Learn(const LoggedEvent& e) {
  if (!open_ || !e.body.has_sealed_phi()) return;
  if (e.body.type() != ev::EVENT_TYPE_CALL_STARTED &&
      e.body.type() != ev::EVENT_TYPE_FIELD_COLLECTED) {
    return;
  }
  auto phi = open_(e.body.sealed_phi(), e.body.tenant_id(), e.body.call_id());
  if (!phi.ok()) return;
  Patient& p = patients_[e.body.call_id()];
  if (!phi->caller_number().empty()) p.caller_number = phi->caller_number();
  for (const ev::IntakeValue& v : phi->intake()) {
    if (v.field() == "name") p.name = v.value();
    if (v.field() == "date_of_birth") p.date_of_birth = v.value();
  }
}

json AuditExporter::Resource(const LoggedEvent& e) const {
  const ev::EventBody& b = e.body;
  std::string type = "110110", subtype, action, outcome = "0",
              purpose = "PATADMIN";
  std::string outcome_desc;
  json agents = json::array({ServiceAgent(b.producer())});
  json entities = json::array();
  std::string patient_call = b.call_id();
  std::string stated_purpose;
  const bool about_a_call = b.type() != ev::EVENT_TYPE_ACCESS_RECORDED &&
                            b.type() != ev::EVENT_TYPE_POLICY_ACTIVATED &&
                            b.type() != ev::EVENT_TYPE_POLICY_REJECTED;
  if (!b.call_id().empty() && about_a_call) {
    entities.push_back(Entity(kCallSystem, b.call_id(), "4"));
  }
  switch (b.type()) {
    case ev::EVENT_TYPE_CALL_STARTED: {
      ev::CallStarted p;
      p.ParseFromString(b.payload());
      subtype = "call-started";
      action = "C";
      if (!entities.empty()) {
        entities[0]["detail"] =
            json::array({Detail("channel", ev::Channel_Name(p.channel())),
                         Detail("reason", ev::CallReason_Name(p.reason()))});
      }
      break;
    }
    case ev::EVENT_TYPE_CALL_ENDED: {
      ev::CallEnded p;
      p.ParseFromString(b.payload());
      subtype = "call-ended";
      action = "U";
      if (!entities.empty()) {
        entities[0]["detail"] = json::array(
            {Detail("how", p.how()), Detail("turns", absl::StrCat(p.turns()))});
      }
      break;
    }
    case ev::EVENT_TYPE_TURN_FAILED: {
      ev::TurnFailed p;
      p.ParseFromString(b.payload());
      type = "110100";
      subtype = "turn-failed";
      action = "E";
      outcome = "8";
      outcome_desc = p.reason();
      break;
    }
    case ev::EVENT_TYPE_DECISION_RECORDED: {
      ev::DecisionRecorded p;
      p.ParseFromString(b.payload());
      subtype = "decision-recorded";
      action = "E";
      if (!p.proposed().empty() && !p.allowed()) {
        outcome = "4";
        outcome_desc = absl::StrCat("not allowed: ", p.proposed());
      }
      json d = json::array({Detail("lane", LaneName(p.lane())),
                            Detail("rule_id", p.rule_id()),
                            Detail("policy_version", p.policy_version()),
                            Detail("turn", absl::StrCat(p.turn_index()))});
      if (!p.category().empty()) d.push_back(Detail("category", p.category()));
      if (!p.request_type().empty())
        d.push_back(Detail("request_type", p.request_type()));
      if (!p.action().empty()) d.push_back(Detail("action", p.action()));
      if (!p.proposed().empty()) d.push_back(Detail("proposed", p.proposed()));
      for (const std::string& t : p.matched_triggers())
        d.push_back(Detail("matched_trigger", t));
      if (!p.approved_text_id().empty()) {
        d.push_back(
            Detail("approved_text", absl::StrCat(p.approved_text_id(), "@",
                                                 p.approved_text_version())));
      }
      entities.push_back(Entity(kDecisionSystem, p.decision_id(), "4", d));
      break;
    }
    case ev::EVENT_TYPE_HANDOFF_PREPARED: {
      ev::HandoffPrepared p;
      p.ParseFromString(b.payload());
      subtype = "handoff-prepared";
      action = "C";
      entities.push_back(
          Entity(kHandoffSystem, p.handoff_id(), "4",
                 json::array({Detail("queue", p.queue()),
                              Detail("category", p.category()),
                              Detail("lane", LaneName(p.lane())),
                              Detail("decision_id", p.decision_id()),
                              Detail("owner_role", p.owner_role())})));
      break;
    }
    case ev::EVENT_TYPE_HANDOFF_CLAIMED: {
      ev::HandoffClaimed p;
      p.ParseFromString(b.payload());
      subtype = "handoff-claimed";
      action = "U";
      agents.push_back(StaffAgent(p.staff_id(), p.role()));
      entities.push_back(Entity(kHandoffSystem, p.handoff_id(), "4"));
      break;
    }
    case ev::EVENT_TYPE_HANDOFF_RESOLVED: {
      ev::HandoffResolved p;
      p.ParseFromString(b.payload());
      subtype = "handoff-resolved";
      action = "U";
      agents.push_back(StaffAgent(p.staff_id(), p.role()));
      entities.push_back(Entity(kHandoffSystem, p.handoff_id(), "4"));
      break;
    }
    case ev::EVENT_TYPE_HANDOFF_ESCALATED: {
      ev::HandoffEscalated p;
      p.ParseFromString(b.payload());
      subtype = "handoff-escalated";
      action = "U";
      outcome_desc = "claim deadline missed";
      entities.push_back(
          Entity(kHandoffSystem, p.handoff_id(), "4",
                 json::array({Detail("from_role", p.from_role()),
                              Detail("to_role", p.to_role()),
                              Detail("level", absl::StrCat(p.level()))})));
      break;
    }
    case ev::EVENT_TYPE_POLICY_ACTIVATED: {
      pv::PolicyActivated p;
      p.ParseFromString(b.payload());
      type = "110100";
      subtype = "policy-activated";
      action = "U";
      purpose = "HOPERAT";
      json d = json::array();
      if (!p.old_version().empty())
        d.push_back(Detail("old_version", p.old_version()));
      for (const std::string& c : p.changes()) d.push_back(Detail("change", c));
      entities.push_back(Entity(kPolicySystem, p.new_version(), "13", d));
      patient_call.clear();
      break;
    }
    case ev::EVENT_TYPE_POLICY_REJECTED: {
      pv::PolicyRejected p;
      p.ParseFromString(b.payload());
      type = "110100";
      subtype = "policy-rejected";
      action = "U";
      outcome = "4";
      outcome_desc = absl::StrCat(p.errors_size(), " errors; ",
                                  p.version_in_force(), " stays in force");
      purpose = "HOPERAT";
      entities.push_back(Entity(kPolicySystem, p.version_in_force(), "13"));
      patient_call.clear();
      break;
    }
    case ev::EVENT_TYPE_ACCESS_RECORDED: {
      ev::AccessRecorded p;
      p.ParseFromString(b.payload());
      type = IsLogAction(p.action()) ? "110101" : "110110";
      subtype = "record-access";
      action = AccessFhirAction(p.action());
      if (!p.allowed()) {
        outcome = "4";
        outcome_desc = p.reason().empty() ? "refused" : p.reason();
      }
      stated_purpose = p.purpose();
      agents.insert(agents.begin(), StaffAgent(p.actor_id(), p.role()));
      {
        json details =
            json::array({Detail("action", p.action()), Detail("via", p.via())});
        if (p.break_glass()) {
          // Emergency access: coded as break-the-glass, the stated reason
          // kept as a detail.
          stated_purpose = "BTG";
          details.push_back(Detail("break-glass-reason", p.purpose()));
        }
        entities.push_back(
            Entity(kResourceSystem, p.resource(), "4", std::move(details)));
      }
      patient_call.clear();
      if (absl::StartsWith(p.resource(), "call/"))
        patient_call = p.resource().substr(5);
      break;
    }
    default:
      break;
  }
  if (!patient_call.empty()) {
    auto it = patients_.find(patient_call);
    if (it != patients_.end() && !it->second.empty()) {
      const Patient& pt = it->second;
      json what = json::object();
      if (!pt.caller_number.empty())
        what["identifier"] = Identifier(kCallerNumberSystem, pt.caller_number);
      if (!pt.name.empty()) what["display"] = pt.name;
      if (what.empty()) what["display"] = "caller";
      json patient = {{"what", what},
                      {"type", Coding(kEntityTypeSystem, EntityTypes(), "1")},
                      {"role", Coding(kObjectRoleSystem, ObjectRoles(), "1")}};
      if (!pt.date_of_birth.empty())
        patient["detail"] =
            json::array({Detail("date_of_birth", pt.date_of_birth)});
      entities.push_back(std::move(patient));
    }
  }
  json r = {
      {"resourceType", "AuditEvent"},
      {"id", b.event_id()},
      {"type", Coding(kDicomSystem, EventTypes(), type)},
      {"subtype", json::array({{{"system", kFrontdeskSubtypeSystem},
                                {"code", subtype},
                                {"display", subtype}}})},
      {"action", action},
      {"recorded", FormatInstant(e.occurred_at)},
      {"outcome", outcome},
      {"purposeOfEvent",
       json::array({stated_purpose.empty() ? Purpose(purpose)
                                           : Purpose(stated_purpose)})},
      {"agent", agents},
      {"source",
       {{"site", b.tenant_id()},
        {"observer",
         {{"identifier", Identifier(kProducerSystem, b.producer().service())},
          {"display", b.producer().instance()}}},
        {"type",
         json::array({Coding(kSourceTypeSystem, SourceTypes(), "4")})}}},
  };
  if (!outcome_desc.empty()) r["outcomeDesc"] = outcome_desc;
  // FHIR strings are never empty: drop details without a value.
  for (json& entity : entities) {
    if (!entity.contains("detail")) continue;
    json kept = json::array();
    for (json& d : entity["detail"]) {
      if (!d["valueString"].get<std::string>().empty())
        kept.push_back(std::move(d));
    }
    if (kept.empty()) {
      entity.erase("detail");
    } else {
      entity["detail"] = std::move(kept);
    }
  }
  if (!entities.empty()) r["entity"] = entities;
  return r;
}

std::vector<json> AuditExporter::AuditEvents() const {
  std::vector<json> out;
  out.reserve(exported_.size());
  for (const LoggedEvent& e : exported_) out.push_back(Resource(e));
  return out;
}

json AuditExporter::Bundle() const {
  json entries = json::array();
  for (const json& r : AuditEvents()) entries.push_back(BundleEntry(r));
  json bundle = {{"resourceType", "Bundle"}, {"type", "collection"}};
  if (!entries.empty()) bundle["entry"] = std::move(entries);
  return bundle;
}

json AuditExporter::Plain(const LoggedEvent& e) const {
  const ev::EventBody& b = e.body;
  json o = {
      {"event_id", b.event_id()},
      {"recorded", FormatInstant(e.occurred_at)},
      {"event", events::EventTypeName(b.type())},
      {"tenant_id", b.tenant_id()},
      {"call_id", b.call_id()},
      {"producer",
       {{"service", b.producer().service()},
        {"instance", b.producer().instance()},
        {"version", b.producer().version()}}},
      {"sequence", b.sequence()},
      {"policy_version", b.policy_version()},
      {"log",
       {{"topic", e.topic}, {"partition", e.partition}, {"offset", e.offset}}}};
  std::unique_ptr<google::protobuf::Message> p = Payload(b);
  std::string text;
  google::protobuf::util::JsonPrintOptions opts;
  opts.preserve_proto_field_names = true;
  if (p != nullptr &&
      google::protobuf::util::MessageToJsonString(*p, &text, opts).ok()) {
    o["payload"] = json::parse(text, nullptr, false);
  }
  auto it = patients_.find(b.call_id());
  if (it != patients_.end() && !it->second.empty()) {
    json pt = json::object();
    if (!it->second.caller_number.empty())
      pt["caller_number"] = it->second.caller_number;
    if (!it->second.name.empty()) pt["name"] = it->second.name;
    if (!it->second.date_of_birth.empty())
      pt["date_of_birth"] = it->second.date_of_birth;
    o["patient"] = pt;
  }
  return o;
}

std::vector<json> AuditExporter::PlainEvents() const {
  std::vector<json> out;
  out.reserve(exported_.size());
  for (const LoggedEvent& e : exported_) out.push_back(Plain(e));
  return out;
}

// ---- Validation ----------------------------------------------------------

namespace {

absl::Status Bad(const std::string& path, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

#define FD_RETURN_IF_ERROR(expr)     \
  do {                               \
    absl::Status fd_st_ = (expr);    \
    if (!fd_st_.ok()) return fd_st_; \
  } while (false)

absl::Status OnlyKeys(const json& o, const std::string& path,
                      const std::set<std::string>& allowed) {
  for (auto it = o.begin(); it != o.end(); ++it) {
    if (!allowed.contains(it.key()))
      return Bad(absl::StrCat(path, ".", it.key()), "unknown element");
  }
  return absl::OkStatus();
}

absl::Status NonEmptyString(const json& o, const std::string& key,
                            const std::string& path, bool required) {
  if (!o.contains(key)) {
    return required ? Bad(absl::StrCat(path, ".", key), "required")
                    : absl::OkStatus();
  }
  if (!o[key].is_string() || o[key].get<std::string>().empty())
    return Bad(absl::StrCat(path, ".", key), "must be a non-empty string");
  return absl::OkStatus();
}

// A Coding whose system is `system` and whose code is in `codes` (any code
// when `codes` is null).
absl::Status CheckCoding(const json& c, const std::string& path,
                         const std::string& system,
                         const std::map<std::string, std::string>* codes) {
  if (!c.is_object()) return Bad(path, "must be a Coding object");
  FD_RETURN_IF_ERROR(OnlyKeys(c, path, {"system", "code", "display"}));
  FD_RETURN_IF_ERROR(NonEmptyString(c, "system", path, true));
  FD_RETURN_IF_ERROR(NonEmptyString(c, "code", path, true));
  FD_RETURN_IF_ERROR(NonEmptyString(c, "display", path, false));
  if (c["system"] != system) {
    return Bad(absl::StrCat(path, ".system"),
               absl::StrCat("must be ", system, ", got ",
                            c["system"].get<std::string>()));
  }
  const std::string code = c["code"];
  if (codes != nullptr && !codes->contains(code)) {
    return Bad(absl::StrCat(path, ".code"),
               absl::StrCat("\"", code, "\" is not in the value set"));
  }
  return absl::OkStatus();
}

absl::Status CheckReference(const json& r, const std::string& path) {
  if (!r.is_object()) return Bad(path, "must be a Reference object");
  FD_RETURN_IF_ERROR(
      OnlyKeys(r, path, {"reference", "identifier", "display", "type"}));
  if (!r.contains("reference") && !r.contains("identifier") &&
      !r.contains("display")) {
    return Bad(path, "needs a reference, an identifier or a display");
  }
  FD_RETURN_IF_ERROR(NonEmptyString(r, "reference", path, false));
  FD_RETURN_IF_ERROR(NonEmptyString(r, "display", path, false));
  if (r.contains("identifier")) {
    const json& id = r["identifier"];
    const std::string ip = absl::StrCat(path, ".identifier");
    if (!id.is_object()) return Bad(ip, "must be an Identifier object");
    FD_RETURN_IF_ERROR(OnlyKeys(id, ip, {"system", "value"}));
    FD_RETURN_IF_ERROR(NonEmptyString(id, "system", ip, false));
    FD_RETURN_IF_ERROR(NonEmptyString(id, "value", ip, true));
  }
  return absl::OkStatus();
}

absl::Status CheckCodeableConcept(
    const json& cc, const std::string& path, const std::string& system,
    const std::map<std::string, std::string>* codes) {
  if (!cc.is_object()) return Bad(path, "must be a CodeableConcept object");
  FD_RETURN_IF_ERROR(OnlyKeys(cc, path, {"coding", "text"}));
  if (!cc.contains("coding") && !cc.contains("text"))
    return Bad(path, "needs a coding or a text");
  FD_RETURN_IF_ERROR(NonEmptyString(cc, "text", path, false));
  if (cc.contains("coding")) {
    if (!cc["coding"].is_array() || cc["coding"].empty())
      return Bad(absl::StrCat(path, ".coding"), "must be a non-empty array");
    for (size_t i = 0; i < cc["coding"].size(); ++i) {
      FD_RETURN_IF_ERROR(CheckCoding(cc["coding"][i],
                                     absl::StrCat(path, ".coding[", i, "]"),
                                     system, codes));
    }
  }
  return absl::OkStatus();
}

// The number in s[pos, pos + n) when those are all digits, else -1.
int DigitsAt(absl::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

bool IsInstant(absl::string_view s) {
  // R4 instant: YYYY-MM-DDThh:mm:ss, an optional fraction, then Z or +/-hh:mm
  // (year 0001-9999, second up to 60, offset up to 14:00). Checked by hand:
  // GCC 12's std::regex trips -Wmaybe-uninitialized under the sanitizers.
  const int year = DigitsAt(s, 0, 4), month = DigitsAt(s, 5, 2),
            day = DigitsAt(s, 8, 2), hour = DigitsAt(s, 11, 2),
            minute = DigitsAt(s, 14, 2), second = DigitsAt(s, 17, 2);
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
      s[13] != ':' || s[16] != ':' || year < 1 || month < 1 || month > 12 ||
      day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60) {
    return false;
  }
  size_t pos = 19;
  if (s[pos] == '.') {
    const size_t digits_from = ++pos;
    while (pos < s.size() &&
           absl::ascii_isdigit(static_cast<unsigned char>(s[pos]))) {
      ++pos;
    }
    if (pos == digits_from) return false;
  }
  const absl::string_view zone = s.substr(pos);
  if (zone == "Z") return true;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') ||
      zone[3] != ':') {
    return false;
  }
  const int zh = DigitsAt(zone, 1, 2), zm = DigitsAt(zone, 4, 2);
  if (zh < 0 || zm < 0 || zm > 59) return false;
  return zh < 14 || (zh == 14 && zm == 0);
}

// FHIR id: 1 to 64 of [A-Za-z0-9-.].
bool IsFhirId(absl::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '.') {
      return false;
    }
  }
  return true;
}

absl::Status NonEmptyArray(const json& o, const std::string& key,
                           const std::string& path, bool required) {
  if (!o.contains(key)) {
    return required ? Bad(absl::StrCat(path, ".", key), "required (1..*)")
                    : absl::OkStatus();
  }
  if (!o[key].is_array() || o[key].empty())
    return Bad(absl::StrCat(path, ".", key), "must be a non-empty array");
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateAuditEventShape(const json& r) {
  const std::string p = "AuditEvent";
  if (!r.is_object()) return Bad(p, "must be a JSON object");
  if (!r.contains("resourceType") || r["resourceType"] != "AuditEvent")
    return Bad(absl::StrCat(p, ".resourceType"), "must be \"AuditEvent\"");
  FD_RETURN_IF_ERROR(OnlyKeys(
      r, p,
      {"resourceType", "id", "type", "subtype", "action", "recorded", "outcome",
       "outcomeDesc", "purposeOfEvent", "agent", "source", "entity"}));
  if (r.contains("id")) {
    if (!r["id"].is_string() || !IsFhirId(r["id"].get<std::string>()))
      return Bad(absl::StrCat(p, ".id"), "must match [A-Za-z0-9\\-\\.]{1,64}");
  }
  if (!r.contains("type")) return Bad(absl::StrCat(p, ".type"), "required");
  FD_RETURN_IF_ERROR(CheckCoding(r["type"], absl::StrCat(p, ".type"),
                                 kDicomSystem, &EventTypes()));
  FD_RETURN_IF_ERROR(NonEmptyArray(r, "subtype", p, false));
  if (r.contains("subtype")) {
    static const auto* subtypes = [] {
      auto* m = new std::map<std::string, std::string>;
      for (const std::string& s : Subtypes()) (*m)[s] = s;
      return m;
    }();
    for (size_t i = 0; i < r["subtype"].size(); ++i) {
      FD_RETURN_IF_ERROR(CheckCoding(r["subtype"][i],
                                     absl::StrCat(p, ".subtype[", i, "]"),
                                     kFrontdeskSubtypeSystem, subtypes));
    }
  }
  if (r.contains("action")) {
    static const std::set<std::string> actions = {"C", "R", "U", "D", "E"};
    if (!r["action"].is_string() || !actions.contains(r["action"]))
      return Bad(absl::StrCat(p, ".action"), "must be one of C, R, U, D, E");
  }
  if (!r.contains("recorded"))
    return Bad(absl::StrCat(p, ".recorded"), "required");
  if (!r["recorded"].is_string() ||
      !IsInstant(r["recorded"].get<std::string>()))
    return Bad(absl::StrCat(p, ".recorded"),
               "must be an instant (YYYY-MM-DDThh:mm:ss[.fff] with a zone)");
  if (r.contains("outcome")) {
    static const std::set<std::string> outcomes = {"0", "4", "8", "12"};
    if (!r["outcome"].is_string() || !outcomes.contains(r["outcome"]))
      return Bad(absl::StrCat(p, ".outcome"), "must be one of 0, 4, 8, 12");
  }
  FD_RETURN_IF_ERROR(NonEmptyString(r, "outcomeDesc", p, false));
  FD_RETURN_IF_ERROR(NonEmptyArray(r, "purposeOfEvent", p, false));
  if (r.contains("purposeOfEvent")) {
    for (size_t i = 0; i < r["purposeOfEvent"].size(); ++i) {
      FD_RETURN_IF_ERROR(CheckCodeableConcept(
          r["purposeOfEvent"][i], absl::StrCat(p, ".purposeOfEvent[", i, "]"),
          kPurposeOfUseSystem, &Purposes()));
    }
  }
  FD_RETURN_IF_ERROR(NonEmptyArray(r, "agent", p, true));
  for (size_t i = 0; i < r["agent"].size(); ++i) {
    const json& a = r["agent"][i];
    const std::string ap = absl::StrCat(p, ".agent[", i, "]");
    if (!a.is_object()) return Bad(ap, "must be an object");
    FD_RETURN_IF_ERROR(
        OnlyKeys(a, ap, {"type", "role", "who", "requestor", "name"}));
    if (!a.contains("requestor"))
      return Bad(absl::StrCat(ap, ".requestor"), "required");
    if (!a["requestor"].is_boolean())
      return Bad(absl::StrCat(ap, ".requestor"), "must be a boolean");
    if (!a.contains("who")) return Bad(absl::StrCat(ap, ".who"), "required");
    FD_RETURN_IF_ERROR(CheckReference(a["who"], absl::StrCat(ap, ".who")));
    if (a.contains("type")) {
      FD_RETURN_IF_ERROR(CheckCodeableConcept(a["type"],
                                              absl::StrCat(ap, ".type"),
                                              kAgentTypeSystem, &AgentTypes()));
    }
    FD_RETURN_IF_ERROR(NonEmptyArray(a, "role", ap, false));
    if (a.contains("role")) {
      for (size_t j = 0; j < a["role"].size(); ++j) {
        const json& role = a["role"][j];
        const std::string rp = absl::StrCat(ap, ".role[", j, "]");
        if (!role.is_object()) return Bad(rp, "must be a CodeableConcept");
        FD_RETURN_IF_ERROR(OnlyKeys(role, rp, {"text"}));
        FD_RETURN_IF_ERROR(NonEmptyString(role, "text", rp, true));
      }
    }
  }
  if (!r.contains("source")) return Bad(absl::StrCat(p, ".source"), "required");
  {
    const json& s = r["source"];
    const std::string sp = absl::StrCat(p, ".source");
    if (!s.is_object()) return Bad(sp, "must be an object");
    FD_RETURN_IF_ERROR(OnlyKeys(s, sp, {"site", "observer", "type"}));
    FD_RETURN_IF_ERROR(NonEmptyString(s, "site", sp, false));
    if (!s.contains("observer"))
      return Bad(absl::StrCat(sp, ".observer"), "required");
    FD_RETURN_IF_ERROR(
        CheckReference(s["observer"], absl::StrCat(sp, ".observer")));
    FD_RETURN_IF_ERROR(NonEmptyArray(s, "type", sp, false));
    if (s.contains("type")) {
      for (size_t i = 0; i < s["type"].size(); ++i) {
        FD_RETURN_IF_ERROR(CheckCoding(s["type"][i],
                                       absl::StrCat(sp, ".type[", i, "]"),
                                       kSourceTypeSystem, &SourceTypes()));
      }
    }
  }
  FD_RETURN_IF_ERROR(NonEmptyArray(r, "entity", p, false));
  if (r.contains("entity")) {
    for (size_t i = 0; i < r["entity"].size(); ++i) {
      const json& e = r["entity"][i];
      const std::string ep = absl::StrCat(p, ".entity[", i, "]");
      if (!e.is_object()) return Bad(ep, "must be an object");
      FD_RETURN_IF_ERROR(OnlyKeys(
          e, ep,
          {"what", "type", "role", "name", "description", "query", "detail"}));
      if (e.contains("name") && e.contains("query"))
        return Bad(ep, "sev-1: either a name or a query, not both");
      if (e.contains("what"))
        FD_RETURN_IF_ERROR(
            CheckReference(e["what"], absl::StrCat(ep, ".what")));
      if (e.contains("type")) {
        FD_RETURN_IF_ERROR(CheckCoding(e["type"], absl::StrCat(ep, ".type"),
                                       kEntityTypeSystem, &EntityTypes()));
      }
      if (e.contains("role")) {
        FD_RETURN_IF_ERROR(CheckCoding(e["role"], absl::StrCat(ep, ".role"),
                                       kObjectRoleSystem, &ObjectRoles()));
      }
      FD_RETURN_IF_ERROR(NonEmptyArray(e, "detail", ep, false));
      if (e.contains("detail")) {
        for (size_t j = 0; j < e["detail"].size(); ++j) {
          const json& d = e["detail"][j];
          const std::string dp = absl::StrCat(ep, ".detail[", j, "]");
          if (!d.is_object()) return Bad(dp, "must be an object");
          FD_RETURN_IF_ERROR(
              OnlyKeys(d, dp, {"type", "valueString", "valueBase64Binary"}));
          FD_RETURN_IF_ERROR(NonEmptyString(d, "type", dp, true));
          const bool has_s = d.contains("valueString");
          const bool has_b = d.contains("valueBase64Binary");
          if (has_s == has_b)
            return Bad(absl::StrCat(dp, ".value[x]"), "exactly one required");
          const json& v = has_s ? d["valueString"] : d["valueBase64Binary"];
          if (!v.is_string() || v.get<std::string>().empty())
            return Bad(absl::StrCat(dp, ".value[x]"),
                       "must be a non-empty string");
        }
      }
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateAuditBundleShape(const json& bundle) {
  if (!bundle.is_object() || !bundle.contains("resourceType") ||
      bundle["resourceType"] != "Bundle")
    return Bad("Bundle.resourceType", "must be \"Bundle\"");
  if (!bundle.contains("type") || bundle["type"] != "collection")
    return Bad("Bundle.type", "must be \"collection\"");
  FD_RETURN_IF_ERROR(
      OnlyKeys(bundle, "Bundle", {"resourceType", "type", "entry"}));
  if (!bundle.contains("entry")) return absl::OkStatus();
  if (!bundle["entry"].is_array() || bundle["entry"].empty())
    return Bad("Bundle.entry", "must be a non-empty array");
  for (size_t i = 0; i < bundle["entry"].size(); ++i) {
    const json& e = bundle["entry"][i];
    const std::string ep = absl::StrCat("Bundle.entry[", i, "]");
    if (!e.is_object()) return Bad(ep, "must be an object");
    FD_RETURN_IF_ERROR(OnlyKeys(e, ep, {"fullUrl", "resource"}));
    FD_RETURN_IF_ERROR(NonEmptyString(e, "fullUrl", ep, true));
    if (!e.contains("resource"))
      return Bad(absl::StrCat(ep, ".resource"), "required");
    absl::Status st = ValidateAuditEventShape(e["resource"]);
    if (!st.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(ep, ".resource ", st.message()));
    }
  }
  return absl::OkStatus();
}

#undef FD_RETURN_IF_ERROR

}  // namespace frontdesk::reports
