#include "libs/scheduling/fhir_json.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace frontdesk::scheduling::fhir {
namespace {

using json = nlohmann::json;

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

const json* Member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string StringAt(const json& j, const char* key) {
  const json* m = Member(j, key);
  return m != nullptr && m->is_string() ? m->get<std::string>() : "";
}

// "Appointment/abc" or a URL ending in it -> "abc"; a bare id stays.
std::string IdFromReference(absl::string_view ref, absl::string_view type) {
  const std::string marker = absl::StrCat(type, "/");
  const size_t at = ref.rfind(marker);
  if (at == absl::string_view::npos) return std::string(ref);
  return std::string(ref.substr(at + marker.size()));
}

json Parameter(absl::string_view name, absl::string_view value_key,
               json value) {
  return json{{"name", std::string(name)}, {std::string(value_key), value}};
}

json SimulatedMeta() {
  return json{{"tag", json::array({json{{"system", kSimulatedTagSystem},
                                        {"code", kSimulatedTagCode},
                                        {"display",
                                         "Simulated EHR: not a clinic "
                                         "record"}}})}};
}

bool HasSimulatedTag(const json& resource) {
  const json* meta = Member(resource, "meta");
  const json* tags = meta == nullptr ? nullptr : Member(*meta, "tag");
  if (tags == nullptr || !tags->is_array()) return false;
  for (const json& t : *tags) {
    if (StringAt(t, "system") == kSimulatedTagSystem &&
        StringAt(t, "code") == kSimulatedTagCode) {
      return true;
    }
  }
  return false;
}

// The value of a Parameters entry whose value[x] is one of `keys`.
absl::StatusOr<std::string> StringValue(
    const json& p, absl::string_view name,
    std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    const json* v = Member(p, k);
    if (v != nullptr) {
      if (!v->is_string()) {
        return Invalid(absl::StrCat("parameter ", name, ".", k),
                       "expected a string");
      }
      return v->get<std::string>();
    }
  }
  std::string want;
  for (const char* k : keys)
    absl::StrAppend(&want, want.empty() ? "" : " or ", k);
  return Invalid(absl::StrCat("parameter ", name),
                 absl::StrCat("expected ", want));
}

}  // namespace

std::string FormatDateTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseDateTime(absl::string_view s,
                                         absl::string_view field) {
  absl::Time t;
  std::string err;
  if (s.size() < 20 || !absl::ParseTime(absl::RFC3339_full, s, &t, &err)) {
    return Invalid(field, absl::StrCat("expected a dateTime with time and zone "
                                       "like 2026-12-01T15:00:00Z, got \"",
                                       s.substr(0, 40), "\""));
  }
  return t;
}

std::string FormatHttpDate(absl::Time t) {
  return absl::FormatTime("%a, %d %b %Y %H:%M:%S GMT", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseHttpDate(absl::string_view s) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", s, absl::UTCTimeZone(), &t,
                       &err)) {
    return Invalid("Expires", "expected an HTTP-date");
  }
  return t;
}

json AppointmentToJson(const Appointment& a) {
  json j = {{"resourceType", "Appointment"},
            {"id", a.id},
            {"status", std::string(StatusName(a.status))}};
  if (a.simulated) j["meta"] = SimulatedMeta();
  if (!a.visit_type.empty()) {
    j["serviceType"] = json::array(
        {json{{"coding", json::array({json{{"system", kVisitTypeSystem},
                                           {"code", a.visit_type}}})},
              {"text", a.visit_type}}});
  }
  j["start"] = FormatDateTime(a.start);
  j["end"] = FormatDateTime(a.end);
  j["minutesDuration"] = absl::ToInt64Minutes(a.end - a.start);
  const char* participant_status =
      a.status == AppointmentStatus::kBooked      ? "accepted"
      : a.status == AppointmentStatus::kCancelled ? "declined"
      : a.status == AppointmentStatus::kPending   ? "tentative"
                                                  : "needs-action";
  json participants = json::array();
  if (!a.practitioner.empty()) {
    participants.push_back(
        {{"actor",
          {{"reference", absl::StrCat("Practitioner/", a.practitioner)}}},
         {"required", "required"},
         {"status", participant_status}});
  }
  if (!a.patient.empty()) {
    participants.push_back({{"actor", {{"reference", a.patient}}},
                            {"required", "required"},
                            {"status", participant_status}});
  }
  j["participant"] = participants;
  if (!a.replaces.empty()) {
    j["extension"] = json::array(
        {json{{"url", kReplacesExtension},
              {"valueReference",
               {{"reference", absl::StrCat("Appointment/", a.replaces)}}}}});
  }
  return j;
}

absl::StatusOr<Appointment> AppointmentFromJson(const json& j) {
  if (!j.is_object() || StringAt(j, "resourceType") != "Appointment") {
    return Invalid("resourceType", "expected Appointment");
  }
  Appointment a;
  a.id = StringAt(j, "id");
  const std::string status = StringAt(j, "status");
  if (!ParseStatusName(status, &a.status)) {
    return Invalid("Appointment.status",
                   absl::StrCat("expected proposed, pending, booked or "
                                "cancelled, got \"",
                                status.substr(0, 40), "\""));
  }
  auto start = ParseDateTime(StringAt(j, "start"), "Appointment.start");
  if (!start.ok()) return start.status();
  auto end = ParseDateTime(StringAt(j, "end"), "Appointment.end");
  if (!end.ok()) return end.status();
  if (*end <= *start) return Invalid("Appointment.end", "must be after start");
  a.start = *start;
  a.end = *end;
  if (const json* st = Member(j, "serviceType");
      st != nullptr && st->is_array() && !st->empty()) {
    const json* coding = Member((*st)[0], "coding");
    if (coding != nullptr && coding->is_array() && !coding->empty()) {
      a.visit_type = StringAt((*coding)[0], "code");
    }
  }
  if (const json* ps = Member(j, "participant");
      ps != nullptr && ps->is_array()) {
    for (const json& p : *ps) {
      const json* actor = Member(p, "actor");
      if (actor == nullptr) continue;
      const std::string ref = StringAt(*actor, "reference");
      if (a.practitioner.empty() && absl::StartsWith(ref, "Practitioner/")) {
        a.practitioner = IdFromReference(ref, "Practitioner");
      } else if (a.patient.empty() && absl::StrContains(ref, "Patient/")) {
        a.patient = absl::StrCat("Patient/", IdFromReference(ref, "Patient"));
      }
    }
  }
  if (const json* ext = Member(j, "extension");
      ext != nullptr && ext->is_array()) {
    for (const json& e : *ext) {
      if (StringAt(e, "url") != kReplacesExtension) continue;
      const json* v = Member(e, "valueReference");
      if (v != nullptr) {
        a.replaces = IdFromReference(StringAt(*v, "reference"), "Appointment");
      }
    }
  }
  a.simulated = HasSimulatedTag(j);
  return a;
}

json BundleOf(const std::vector<Appointment>& appointments,
              absl::string_view base_url, bool simulated) {
  json entries = json::array();
  for (const Appointment& a : appointments) {
    entries.push_back(
        {{"fullUrl", absl::StrCat(base_url, "/Appointment/", a.id)},
         {"resource", AppointmentToJson(a)},
         {"search", {{"mode", "match"}}}});
  }
  json b = {{"resourceType", "Bundle"},
            {"type", "searchset"},
            {"total", appointments.size()},
            {"entry", entries}};
  if (simulated) b["meta"] = SimulatedMeta();
  return b;
}

absl::StatusOr<std::vector<Appointment>> AppointmentsFromBundle(const json& j) {
  if (!j.is_object() || StringAt(j, "resourceType") != "Bundle") {
    return Invalid("resourceType", "expected Bundle");
  }
  std::vector<Appointment> out;
  const json* entries = Member(j, "entry");
  if (entries == nullptr) return out;
  if (!entries->is_array()) return Invalid("Bundle.entry", "expected a list");
  const bool bundle_simulated = HasSimulatedTag(j);
  for (size_t i = 0; i < entries->size(); ++i) {
    const json* r = Member((*entries)[i], "resource");
    if (r == nullptr) {
      return Invalid(absl::StrCat("Bundle.entry[", i, "].resource"), "missing");
    }
    const std::string type = StringAt(*r, "resourceType");
    if (type == "OperationOutcome") {
      absl::Status s = StatusFromOperationOutcome(*r, 200, bundle_simulated);
      if (!s.ok()) return s;
      continue;
    }
    if (type != "Appointment") continue;  // Slots, Patients: not ours to read.
    auto a = AppointmentFromJson(*r);
    if (!a.ok()) {
      return Invalid(absl::StrCat("Bundle.entry[", i, "]"),
                     a.status().message());
    }
    a->simulated = a->simulated || bundle_simulated;
    out.push_back(*std::move(a));
  }
  return out;
}

int HttpStatusFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return 400;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kAlreadyExists:
      return 409;
    case absl::StatusCode::kFailedPrecondition:
      return 422;
    case absl::StatusCode::kDeadlineExceeded:
      return 504;
    case absl::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

absl::StatusCode CodeForHttpStatus(int http_status) {
  switch (http_status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 404:
    case 410:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAborted;
    case 412:
    case 422:
      return absl::StatusCode::kFailedPrecondition;
    case 408:
    case 504:
      return absl::StatusCode::kDeadlineExceeded;
    case 429:
    case 502:
    case 503:
      return absl::StatusCode::kUnavailable;
    case 401:
    case 403:
      return absl::StatusCode::kPermissionDenied;
    default:
      return absl::StatusCode::kInternal;
  }
}

json OperationOutcomeFor(const absl::Status& status) {
  const char* code = "exception";
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      code = "invalid";
      break;
    case absl::StatusCode::kNotFound:
      code = "not-found";
      break;
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kAlreadyExists:
      code = "conflict";
      break;
    case absl::StatusCode::kFailedPrecondition:
      code = "business-rule";
      break;
    case absl::StatusCode::kDeadlineExceeded:
      code = "timeout";
      break;
    case absl::StatusCode::kUnavailable:
      code = "transient";
      break;
    default:
      break;
  }
  return json{
      {"resourceType", "OperationOutcome"},
      {"issue",
       json::array({json{{"severity", "error"},
                         {"code", code},
                         {"diagnostics", std::string(status.message())}}})}};
}

absl::Status StatusFromOperationOutcome(const json& j, int http_status,
                                        bool keep_text) {
  const json* issues = Member(j, "issue");
  if (StringAt(j, "resourceType") != "OperationOutcome" || issues == nullptr ||
      !issues->is_array()) {
    return absl::Status(CodeForHttpStatus(http_status),
                        "EHR: malformed OperationOutcome");
  }
  for (const json& issue : *issues) {
    const std::string severity = StringAt(issue, "severity");
    if (severity != "error" && severity != "fatal") continue;
    const std::string code = StringAt(issue, "code");
    absl::StatusCode sc;
    if (code == "invalid" || code == "structure" || code == "required" ||
        code == "value" || code == "invariant" || code == "duplicate") {
      sc = absl::StatusCode::kInvalidArgument;
    } else if (code == "not-found" || code == "deleted") {
      sc = absl::StatusCode::kNotFound;
    } else if (code == "conflict") {
      sc = absl::StatusCode::kAborted;
    } else if (code == "business-rule" || code == "processing") {
      sc = absl::StatusCode::kFailedPrecondition;
    } else if (code == "timeout") {
      sc = absl::StatusCode::kDeadlineExceeded;
    } else if (code == "transient" || code == "throttled" ||
               code == "lock-error" || code == "no-store") {
      sc = absl::StatusCode::kUnavailable;
    } else if (code == "security" || code == "login" || code == "forbidden" ||
               code == "suppressed" || code == "unknown") {
      sc = absl::StatusCode::kPermissionDenied;
    } else {
      sc = http_status >= 400 ? CodeForHttpStatus(http_status)
                              : absl::StatusCode::kInternal;
    }
    // "EHR OperationOutcome error conflict [MSG_SLOT_TAKEN]": the severity,
    // the issue code and any coded details, never the free text of a real
    // EHR.
    std::string msg = absl::StrCat("EHR OperationOutcome ", severity, " ",
                                   code.substr(0, 40));
    // Coded details carry no free text.
    if (const json* details = Member(issue, "details")) {
      if (const json* coding = Member(*details, "coding");
          coding != nullptr && coding->is_array()) {
        for (const json& c : *coding) {
          const std::string dc = StringAt(c, "code");
          if (!dc.empty()) absl::StrAppend(&msg, " [", dc.substr(0, 60), "]");
        }
      }
    }
    if (keep_text) {
      std::string text = StringAt(issue, "diagnostics");
      if (text.empty()) {
        if (const json* details = Member(issue, "details")) {
          text = StringAt(*details, "text");
        }
      }
      if (!text.empty()) absl::StrAppend(&msg, ": ", text.substr(0, 300));
    }
    return absl::Status(sc, msg);
  }
  if (http_status >= 400) {
    return absl::Status(CodeForHttpStatus(http_status),
                        absl::StrCat("EHR answered HTTP ", http_status,
                                     " with no error issue"));
  }
  return absl::OkStatus();
}

json FindParameters(const FindRequest& r) {
  json ps = json::array();
  ps.push_back(Parameter("start", "valueDateTime", FormatDateTime(r.start)));
  ps.push_back(Parameter("end", "valueDateTime", FormatDateTime(r.end)));
  for (const auto& v : r.visit_types) {
    ps.push_back(Parameter("visit-type", "valueString", v));
  }
  for (const auto& p : r.practitioners) {
    ps.push_back(Parameter("practitioner", "valueUri",
                           absl::StrCat("Practitioner/", p)));
  }
  if (!r.patient.empty()) {
    ps.push_back(Parameter("patient-reference", "valueUri", r.patient));
  }
  return json{{"resourceType", "Parameters"}, {"parameter", ps}};
}

namespace {

absl::StatusOr<const json*> ParameterList(const json& j) {
  if (!j.is_object() || StringAt(j, "resourceType") != "Parameters") {
    return Invalid("resourceType", "expected Parameters");
  }
  const json* ps = Member(j, "parameter");
  if (ps == nullptr || !ps->is_array()) {
    return Invalid("Parameters.parameter", "expected a list");
  }
  for (size_t i = 0; i < ps->size(); ++i) {
    if (StringAt((*ps)[i], "name").empty()) {
      return Invalid(absl::StrCat("Parameters.parameter[", i, "].name"),
                     "missing");
    }
  }
  return ps;
}

}  // namespace

absl::StatusOr<FindRequest> FindRequestFromParameters(const json& j) {
  auto ps = ParameterList(j);
  if (!ps.ok()) return ps.status();
  FindRequest r;
  // $find declares no count; without `_count` the server proposes as many
  // as a Find may return.
  r.max_results = kMaxFindResults;
  bool has_start = false, has_end = false;
  for (const json& p : **ps) {
    const std::string name = StringAt(p, "name");
    if (name == "start" || name == "end") {
      auto v = StringValue(p, name, {"valueDateTime", "valueInstant"});
      if (!v.ok()) return v.status();
      auto t = ParseDateTime(*v, absl::StrCat("parameter ", name));
      if (!t.ok()) return t.status();
      (name == "start" ? r.start : r.end) = *t;
      (name == "start" ? has_start : has_end) = true;
    } else if (name == "visit-type") {
      auto v = StringValue(p, name, {"valueString", "valueCode"});
      if (!v.ok()) return v.status();
      r.visit_types.push_back(*v);
    } else if (name == "practitioner") {
      auto v = StringValue(p, name, {"valueUri", "valueString"});
      if (!v.ok()) return v.status();
      r.practitioners.push_back(IdFromReference(*v, "Practitioner"));
    } else if (name == "patient-reference") {
      auto v = StringValue(p, name, {"valueUri", "valueString"});
      if (!v.ok()) return v.status();
      r.patient = absl::StrCat("Patient/", IdFromReference(*v, "Patient"));
    } else if (name == "_count") {
      const json* v = Member(p, "valueInteger");
      if (v == nullptr || !v->is_number_integer()) {
        return Invalid("parameter _count", "expected valueInteger");
      }
      r.max_results = v->get<int>();
    } else if (name == "specialty" || name == "organization" ||
               name == "location-string" || name == "location-reference" ||
               name == "patient-resource" || name == "coverage" ||
               name == "reason") {
      // Defined by the guide; this clinic's schedule does not use them.
    } else {
      return Invalid(absl::StrCat("parameter ", name.substr(0, 40)),
                     "not a parameter of Appointment/$find");
    }
  }
  if (!has_start) return Invalid("parameter start", "required");
  if (!has_end) return Invalid("parameter end", "required");
  return r;
}

json HoldParameters(absl::string_view appointment_id) {
  return json{
      {"resourceType", "Parameters"},
      {"parameter",
       json::array({Parameter("appt-id", "valueUri",
                              absl::StrCat("Appointment/", appointment_id))})}};
}

json BookParameters(const BookRequest& r) {
  json ps = json::array();
  ps.push_back(Parameter("appt-id", "valueUri",
                         absl::StrCat("Appointment/", r.appointment_id)));
  ps.push_back(Parameter("patient-id", "valueUri", r.patient));
  if (!r.cancelled_appointment_id.empty()) {
    ps.push_back(
        Parameter("cancelled-appt-id", "valueUri",
                  absl::StrCat("Appointment/", r.cancelled_appointment_id)));
  }
  return json{{"resourceType", "Parameters"}, {"parameter", ps}};
}

absl::StatusOr<ApptParameters> ApptParametersFrom(const json& j,
                                                  absl::string_view operation) {
  auto ps = ParameterList(j);
  if (!ps.ok()) return ps.status();
  const bool book = operation == "book";
  ApptParameters out;
  int patients = 0;
  for (const json& p : **ps) {
    const std::string name = StringAt(p, "name");
    if (name == "appt-id") {
      auto v = StringValue(p, name, {"valueUri", "valueString"});
      if (!v.ok()) return v.status();
      out.appointment_id = IdFromReference(*v, "Appointment");
    } else if (name == "appt-resource") {
      const json* r = Member(p, "resource");
      if (r == nullptr)
        return Invalid("parameter appt-resource", "expected resource");
      auto a = AppointmentFromJson(*r);
      if (!a.ok()) {
        return Invalid("parameter appt-resource", a.status().message());
      }
      out.has_resource = true;
      out.resource = *std::move(a);
    } else if (book && name == "patient-id") {
      auto v = StringValue(p, name, {"valueUri", "valueString"});
      if (!v.ok()) return v.status();
      out.patient = absl::StrCat("Patient/", IdFromReference(*v, "Patient"));
      ++patients;
    } else if (book && name == "cancelled-appt-id") {
      auto v = StringValue(p, name, {"valueUri", "valueString"});
      if (!v.ok()) return v.status();
      out.cancelled_appointment_id = IdFromReference(*v, "Appointment");
    } else if (book && name == "comment") {
      // Free text: never stored or logged here.
    } else {
      return Invalid(
          absl::StrCat("parameter ", name.substr(0, 40)),
          absl::StrCat("not a parameter of Appointment/$", operation));
    }
  }
  if (out.appointment_id.empty() == !out.has_resource) {
    return Invalid("parameter appt-id",
                   "give exactly one of appt-id and appt-resource");
  }
  if (book && patients > 1) {
    return Invalid("parameter patient-id", "this clinic books one patient");
  }
  if (book && out.patient.empty() && out.has_resource) {
    out.patient = out.resource.patient;
  }
  return out;
}

}  // namespace frontdesk::scheduling::fhir
