#include "libs/policy/clinic_policy.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "libs/events/event_envelope.h"
#include "libs/policy/access_roles.h"
#include "libs/policy/internal/yaml_proto_reader.h"
#include "libs/policy/utterance_tokens.h"
#include "yaml-cpp/yaml.h"

namespace frontdesk::policy {

namespace pv = ::frontdesk::policy::v1;

std::string PolicyError::ToString() const {
  if (line == 0) return absl::StrCat(source, ": ", message);
  return absl::StrCat(source, ":", line, ":", column, ": ", message);
}

const pv::ApprovedText* ClinicPolicy::FindText(absl::string_view id) const {
  for (const auto& t : proto_.approved_texts()) {
    if (t.id() == id) return &t;
  }
  return nullptr;
}

const pv::Queue* ClinicPolicy::FindQueue(absl::string_view id) const {
  for (const auto& q : proto_.queues()) {
    if (q.id() == id) return &q;
  }
  return nullptr;
}

const pv::RequestType* ClinicPolicy::FindRequestType(
    absl::string_view id) const {
  for (const auto& r : proto_.request_types()) {
    if (r.id() == id) return &r;
  }
  return nullptr;
}

const pv::PhiScope* ClinicPolicy::FindPhiScope(
    absl::string_view request_type) const {
  for (const auto& s : proto_.phi_scopes()) {
    if (s.request_type() == request_type) return &s;
  }
  return nullptr;
}

const pv::VisitType* ClinicPolicy::FindVisitType(absl::string_view id) const {
  for (const auto& v : proto_.booking().visit_types()) {
    if (v.id() == id) return &v;
  }
  return nullptr;
}

pv::BookingLane VisitTypeLane(const pv::VisitType& v) {
  if (v.lane() != pv::BOOKING_LANE_UNSPECIFIED) return v.lane();
  return v.ai_owned() ? pv::BOOKING_LANE_AI_OWNED
                      : pv::BOOKING_LANE_AI_ASSISTED;
}

const pv::ApprovedText& ClinicPolicy::Script(const std::string& text_id) const {
  return *FindText(text_id);
}

const pv::FieldWording* ClinicPolicy::FindFieldWording(
    pv::IntakeField field) const {
  for (const auto& w : proto_.intake().fields()) {
    if (w.field() == field) return &w;
  }
  return nullptr;
}

std::vector<pv::IntakeField> ClinicPolicy::IntakeOrder(
    absl::string_view request_type) const {
  std::vector<pv::IntakeField> order;
  const pv::PhiScope* scope = FindPhiScope(request_type);
  if (scope == nullptr) return order;
  for (int f : scope->collect()) {
    if (f == pv::INTAKE_FIELD_CONSENT)
      order.push_back(pv::INTAKE_FIELD_CONSENT);
  }
  for (int f : scope->collect()) {
    const auto field = static_cast<pv::IntakeField>(f);
    if (field == pv::INTAKE_FIELD_CONSENT) continue;
    bool seen = false;
    for (auto o : order) seen = seen || o == field;
    if (!seen) order.push_back(field);
  }
  return order;
}

bool ClinicPolicy::Stores(absl::string_view request_type,
                          pv::IntakeField field) const {
  const pv::PhiScope* scope = FindPhiScope(request_type);
  if (scope == nullptr) return false;
  for (int f : scope->store()) {
    if (f == field) return true;
  }
  return false;
}

std::string IntakeFieldName(pv::IntakeField field) {
  if (field == pv::INTAKE_FIELD_UNSPECIFIED) return "";
  return internal::YamlProtoReader::EnumValueName(
      pv::IntakeField_descriptor()->FindValueByNumber(field));
}

pv::IntakeField IntakeFieldFromName(absl::string_view name) {
  const auto* e = pv::IntakeField_descriptor();
  for (int i = 1; i < e->value_count(); ++i) {
    if (internal::YamlProtoReader::EnumValueName(e->value(i)) == name) {
      return static_cast<pv::IntakeField>(e->value(i)->number());
    }
  }
  return pv::INTAKE_FIELD_UNSPECIFIED;
}

std::vector<std::string> ClinicPolicy::QueueIds() const {
  std::vector<std::string> ids;
  for (const auto& q : proto_.queues()) ids.push_back(q.id());
  return ids;
}

namespace {

// Semantic checks over the parsed proto; each error is placed with the
// reader's recorded positions.
class Checker {
 public:
  Checker(const pv::Policy& p, const internal::YamlProtoReader& reader,
          std::string source, std::vector<PolicyError>* errors)
      : p_(p), reader_(reader), source_(std::move(source)), errors_(errors) {}

  void Run() {
    Required(p_.label(), "label");
    CheckClinic();
    if (p_.rollout_mode() == pv::ROLLOUT_MODE_UNSPECIFIED) {
      Error("rollout_mode",
            "required; one of: capture_only, answers, scheduling, reminders");
    }
    if (p_.queues().empty()) Error("queues", "needs at least one queue");
    for (int i = 0; i < p_.queues_size(); ++i) CheckQueue(i);
    RefQueue(p_.default_queue(), "default_queue", true);
    for (int i = 0; i < p_.approved_texts_size(); ++i) CheckText(i);
    if (p_.human_only().empty())
      Error("human_only", "needs at least one category");
    for (int i = 0; i < p_.human_only_size(); ++i) CheckHumanOnly(i);
    for (int i = 0; i < p_.ai_assisted_size(); ++i) CheckAiAssisted(i);
    for (int i = 0; i < p_.request_types_size(); ++i) CheckRequestType(i);
    CheckScripts();
    for (int i = 0; i < p_.phi_scopes_size(); ++i) CheckPhiScope(i);
    CheckIntake();
    std::set<std::string> subs;
    for (int i = 0; i < p_.subprocessors_size(); ++i) {
      const auto& s = p_.subprocessors(i);
      const std::string path = absl::StrCat("subprocessors[", i, "]");
      Id(s.id(), path + ".id", &subs, "subprocessor");
      if (s.kind() == pv::SUBPROCESSOR_KIND_UNSPECIFIED) {
        Error(path + ".kind",
              "required; one of: speech, messaging, hosting, model, analytics");
      }
    }
    CheckBooking();
    CheckAccessRoles();
    CheckRetention();
    CheckReminders();
  }

 private:
  void CheckReminders() {
    if (!p_.has_reminders()) return;
    const auto& r = p_.reminders();
    if (r.quiet_start().empty() != r.quiet_end().empty()) {
      Error(r.quiet_start().empty() ? "reminders.quiet_start"
                                    : "reminders.quiet_end",
            "give quiet_start and quiet_end together");
    }
    if (!r.quiet_start().empty())
      Time(r.quiet_start(), "reminders.quiet_start");
    if (!r.quiet_end().empty()) Time(r.quiet_end(), "reminders.quiet_end");
    if (r.max_attempts_per_appointment() > 10) {
      Error(
          "reminders.max_attempts_per_appointment",
          absl::StrCat("at most 10, found ", r.max_attempts_per_appointment()));
    }
    if (r.max_attempts_per_patient_per_day() > 10) {
      Error("reminders.max_attempts_per_patient_per_day",
            absl::StrCat("at most 10, found ",
                         r.max_attempts_per_patient_per_day()));
    }
    const std::pair<const std::string*, const char*> texts[] = {
        {&r.reminder_text(), "reminders.reminder_text"},
        {&r.confirmed_text(), "reminders.confirmed_text"},
        {&r.reschedule_offer_text(), "reminders.reschedule_offer_text"},
        {&r.no_options_text(), "reminders.no_options_text"},
        {&r.rescheduled_text(), "reminders.rescheduled_text"},
        {&r.handoff_text(), "reminders.handoff_text"}};
    for (const auto& [id, path] : texts) {
      if (!id->empty()) RefText(*id, path);
    }
  }

  void CheckRetention() {
    if (p_.retention().phi_years() > 100) {
      Error("retention.phi_years", absl::StrCat("at most 100 years, found ",
                                                p_.retention().phi_years()));
    }
  }

  void CheckAccessRoles() {
    std::set<std::string> roles;
    for (int i = 0; i < p_.access_roles_size(); ++i) {
      const auto& r = p_.access_roles(i);
      const std::string path = absl::StrCat("access_roles[", i, "]");
      Id(r.role(), path + ".role", &roles, "access role");
      if (r.permissions().empty()) {
        Error(path + ".permissions", "needs at least one permission");
      }
      std::set<std::string> seen;
      for (int j = 0; j < r.permissions_size(); ++j) {
        const std::string ppath = absl::StrCat(path, ".permissions[", j, "]");
        const std::string& perm = r.permissions(j);
        if (!IsKnownPermission(perm)) {
          Error(ppath,
                absl::StrCat("unknown permission \"", perm, "\"; one of: ",
                             absl::StrJoin(KnownPermissions(), ", ")));
        } else if (!seen.insert(perm).second) {
          Error(ppath, absl::StrCat("duplicate permission \"", perm, "\""));
        }
      }
    }
  }

  void Error(const std::string& path, const std::string& message) {
    const internal::Position at = reader_.Find(path);
    errors_->push_back(
        {source_, at.line, at.column, absl::StrCat(path, ": ", message)});
  }

  bool Required(const std::string& value, const std::string& path) {
    if (absl::StripAsciiWhitespace(value).empty()) {
      Error(path, "required, must not be empty");
      return false;
    }
    return true;
  }

  // An id: required, [a-z0-9-]+, unique within `seen`.
  void Id(const std::string& id, const std::string& path,
          std::set<std::string>* seen, const char* what) {
    if (!Required(id, path)) return;
    for (char c : id) {
      if (!(absl::ascii_islower(static_cast<unsigned char>(c)) ||
            absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-')) {
        Error(path, absl::StrCat("\"", id, "\" must use only a-z, 0-9 and -"));
        return;
      }
    }
    if (seen != nullptr && !seen->insert(id).second) {
      Error(path, absl::StrCat("duplicate ", what, " id \"", id, "\""));
    }
  }

  void RuleId(const std::string& id, const std::string& path) {
    if (!Required(id, path)) return;
    if (!rule_ids_.insert(id).second) {
      Error(path, absl::StrCat("duplicate rule id \"", id, "\""));
    }
  }

  void RefQueue(const std::string& id, const std::string& path, bool required) {
    if (id.empty()) {
      if (required) Error(path, "required: the id of a queue");
      return;
    }
    if (queue_ids_.count(id) == 0) {
      Error(path, absl::StrCat("no queue with id \"", id, "\""));
    }
  }

  void RefText(const std::string& id, const std::string& path) {
    if (id.empty()) {
      Error(path, "required: the id of an approved text");
      return;
    }
    if (text_ids_.count(id) == 0) {
      Error(path, absl::StrCat("no approved text with id \"", id, "\""));
    }
  }

  void Time(const std::string& hhmm, const std::string& path) {
    absl::Time t;
    std::string err;
    if (hhmm.size() != 5 || !absl::ParseTime("%H:%M", hhmm, &t, &err)) {
      Error(path, absl::StrCat("\"", hhmm, "\" is not a time; expected HH:MM"));
    }
  }

  void Date(const std::string& ymd, const std::string& path) {
    absl::Time t;
    std::string err;
    if (ymd.size() != 10 || !absl::ParseTime("%Y-%m-%d", ymd, &t, &err)) {
      Error(path,
            absl::StrCat("\"", ymd, "\" is not a date; expected YYYY-MM-DD"));
    }
  }

  void Hours(const pv::OpeningHours& h, const std::string& path) {
    if (h.day() == pv::WEEKDAY_UNSPECIFIED)
      Error(path + ".day", "required: a weekday");
    Time(h.open(), path + ".open");
    Time(h.close(), path + ".close");
    if (h.open().size() == 5 && h.close().size() == 5 &&
        h.open() >= h.close()) {
      Error(path + ".close", "must be later than open");
    }
  }

  void CheckClinic() {
    const auto& c = p_.clinic();
    Id(c.tenant_id(), "clinic.tenant_id", nullptr, "tenant");
    Required(c.name(), "clinic.name");
    if (Required(c.timezone(), "clinic.timezone")) {
      absl::TimeZone tz;
      if (!absl::LoadTimeZone(c.timezone(), &tz)) {
        Error("clinic.timezone",
              absl::StrCat("unknown time zone \"", c.timezone(), "\""));
      }
    }
    for (int i = 0; i < c.office_hours_size(); ++i) {
      Hours(c.office_hours(i), absl::StrCat("clinic.office_hours[", i, "]"));
    }
    for (int i = 0; i < c.holidays_size(); ++i) {
      const std::string path = absl::StrCat("clinic.holidays[", i, "]");
      Date(c.holidays(i).date(), path + ".date");
      Required(c.holidays(i).name(), path + ".name");
    }
  }

  void CheckQueue(int i) {
    const auto& q = p_.queues(i);
    const std::string path = absl::StrCat("queues[", i, "]");
    Id(q.id(), path + ".id", &queue_ids_, "queue");
    Id(q.owner_role(), path + ".owner_role", nullptr, "role");
    Id(q.backup_role(), path + ".backup_role", nullptr, "role");
    if (!q.last_resort_role().empty()) {
      Id(q.last_resort_role(), path + ".last_resort_role", nullptr, "role");
    }
    if (q.claim_window_seconds() > 0) {
      if (q.claim_window_seconds() > 7 * 24 * 3600) {
        Error(path + ".claim_window_seconds", "at most 604800 (a week)");
      }
      if (q.claim_window_minutes() > 0) {
        Error(path + ".claim_window_seconds",
              "give claim_window_minutes or claim_window_seconds, not both");
      }
    } else if (q.claim_window_minutes() < 1 ||
               q.claim_window_minutes() > 7 * 24 * 60) {
      Error(path + ".claim_window_minutes", "required, between 1 and 10080");
    }
  }

  void CheckText(int i) {
    const auto& t = p_.approved_texts(i);
    const std::string path = absl::StrCat("approved_texts[", i, "]");
    Id(t.id(), path + ".id", &text_ids_, "approved text");
    if (t.version() < 1) Error(path + ".version", "required, 1 or more");
    Required(t.text(), path + ".text");
    Phrases(t.phrasings(), path + ".phrasings",
            absl::StrCat("approved text ", t.id()));
  }

  // Each phrase must have a word; a phrase may not be claimed twice within
  // one group (human-only triggers are one group across categories).
  void Phrases(
      const google::protobuf::RepeatedPtrField<std::string>& phrases,
      const std::string& path, const std::string& owner,
      absl::flat_hash_map<std::string, std::string>* claimed = nullptr) {
    absl::flat_hash_map<std::string, std::string> local;
    if (claimed == nullptr) claimed = &local;
    for (int j = 0; j < phrases.size(); ++j) {
      const std::string item = absl::StrCat(path, "[", j, "]");
      const std::string canon = CanonicalPhrase(phrases[j]);
      if (canon.empty()) {
        Error(item, "must contain a word");
        continue;
      }
      auto [it, inserted] = claimed->emplace(canon, owner);
      if (!inserted) {
        Error(item,
              absl::StrCat(
                  "\"", phrases[j], "\" is already listed",
                  it->second == owner ? "" : absl::StrCat(" by ", it->second)));
      }
    }
  }

  void CheckHumanOnly(int i) {
    const auto& c = p_.human_only(i);
    const std::string path = absl::StrCat("human_only[", i, "]");
    Id(c.id(), path + ".id", &category_ids_, "category");
    RuleId(c.rule_id(), path + ".rule_id");
    RefQueue(c.queue(), path + ".queue", true);
    if (c.triggers().empty())
      Error(path + ".triggers", "needs at least one phrase");
    Phrases(c.triggers(), path + ".triggers", absl::StrCat("category ", c.id()),
            &trigger_owner_);
    if (!c.say().empty()) RefText(c.say(), path + ".say");
  }

  void CheckAiAssisted(int i) {
    const auto& c = p_.ai_assisted(i);
    const std::string path = absl::StrCat("ai_assisted[", i, "]");
    Id(c.id(), path + ".id", &category_ids_, "condition");
    RuleId(c.rule_id(), path + ".rule_id");
    RefQueue(c.queue(), path + ".queue", true);
    if (c.phrases().empty())
      Error(path + ".phrases", "needs at least one phrase");
    Phrases(c.phrases(), path + ".phrases", absl::StrCat("condition ", c.id()),
            &assisted_owner_);
  }

  void CheckRequestType(int i) {
    const auto& r = p_.request_types(i);
    const std::string path = absl::StrCat("request_types[", i, "]");
    Id(r.id(), path + ".id", &request_type_ids_, "request type");
    RuleId(r.rule_id(), path + ".rule_id");
    if (r.lane() == pv::LANE_UNSPECIFIED) {
      Error(path + ".lane",
            "required; one of: ai_owned, ai_assisted, human_only");
    }
    RefQueue(r.queue(), path + ".queue", r.lane() != pv::LANE_AI_OWNED);
    Phrases(r.phrasings(), path + ".phrasings",
            absl::StrCat("request type ", r.id()), &phrasing_owner_);
    if (!r.next_steps().empty()) RefText(r.next_steps(), path + ".next_steps");
    if (r.closes_call()) {
      if (r.lane() != pv::LANE_AI_OWNED) {
        Error(path + ".lane", "a type that closes the call must be ai_owned");
      }
      if (r.phrasings().empty()) {
        Error(path + ".phrasings",
              "a type that closes the call needs phrasings");
      }
    }
  }

  void CheckScripts() {
    const auto& s = p_.scripts();
    RefText(s.greeting(), "scripts.greeting");
    RefText(s.fallback(), "scripts.fallback");
    RefText(s.urgent(), "scripts.urgent");
    RefText(s.handoff(), "scripts.handoff");
    RefText(s.callback(), "scripts.callback");
    RefText(s.goodbye(), "scripts.goodbye");
    if (!s.consent().empty()) RefText(s.consent(), "scripts.consent");
    RefText(s.post_escalation(), "scripts.post_escalation");
    RefText(s.anything_else(), "scripts.anything_else");
    if (!p_.phi_scopes().empty()) {
      RefText(s.read_back_date_of_birth(), "scripts.read_back_date_of_birth");
      RefText(s.consent_declined(), "scripts.consent_declined");
      RefText(s.intake_gave_up(), "scripts.intake_gave_up");
    }
    const auto* rb = FindText(s.read_back_date_of_birth());
    if (rb != nullptr &&
        rb->text().find(kDateOfBirthPlaceholder) == std::string::npos) {
      Error("scripts.read_back_date_of_birth",
            absl::StrCat("the text \"", rb->id(), "\" must contain ",
                         kDateOfBirthPlaceholder));
    }
  }

  const pv::ApprovedText* FindText(const std::string& id) const {
    for (const auto& t : p_.approved_texts()) {
      if (t.id() == id) return &t;
    }
    return nullptr;
  }

  void CheckIntake() {
    const auto& in = p_.intake();
    if (in.max_attempts() > 10) {
      Error("intake.max_attempts", "at most 10");
    }
    std::set<int> worded;
    for (int i = 0; i < in.fields_size(); ++i) {
      const auto& w = in.fields(i);
      const std::string path = absl::StrCat("intake.fields[", i, "]");
      if (w.field() == pv::INTAKE_FIELD_UNSPECIFIED) {
        Error(path + ".field", "required: an intake field name");
      } else if (!worded.insert(w.field()).second) {
        Error(path + ".field", "this field already has wording");
      }
      RefText(w.ask(), path + ".ask");
      RefText(w.reask(), path + ".reask");
    }
    for (int i = 0; i < p_.phi_scopes_size(); ++i) {
      const auto& s = p_.phi_scopes(i);
      for (int j = 0; j < s.collect_size(); ++j) {
        if (worded.count(s.collect(j)) == 0) {
          Error(absl::StrCat("phi_scopes[", i, "].collect[", j, "]"),
                absl::StrCat("no wording in intake.fields for ",
                             IntakeFieldName(
                                 static_cast<pv::IntakeField>(s.collect(j)))));
        }
      }
    }
    const std::string& cc = p_.clinic().country_code();
    if (!cc.empty() && (cc.size() > 3 || cc[0] == '0' ||
                        !std::all_of(cc.begin(), cc.end(), [](char c) {
                          return c >= '0' && c <= '9';
                        }))) {
      Error("clinic.country_code",
            "1 to 3 digits, without + or a leading zero");
    }
  }

  void CheckPhiScope(int i) {
    const auto& s = p_.phi_scopes(i);
    const std::string path = absl::StrCat("phi_scopes[", i, "]");
    if (request_type_ids_.count(s.request_type()) == 0) {
      Error(path + ".request_type",
            absl::StrCat("no request type with id \"", s.request_type(), "\""));
    }
    for (int j = 0; j < s.send_to_queues_size(); ++j) {
      RefQueue(s.send_to_queues(j),
               absl::StrCat(path, ".send_to_queues[", j, "]"), true);
    }
    std::set<int> collected(s.collect().begin(), s.collect().end());
    for (int j = 0; j < s.store_size(); ++j) {
      if (collected.count(s.store(j)) == 0) {
        Error(absl::StrCat(path, ".store[", j, "]"),
              "a field may be stored only if it is collected");
      }
    }
    CheckSubprocessorFlows(i, collected);
  }

  // The BAA gate, at load time: PHI may flow only to a subprocessor the
  // policy lists with a BAA on record, and only fields the scope collects.
  void CheckSubprocessorFlows(int i, const std::set<int>& collected) {
    const auto& s = p_.phi_scopes(i);
    std::set<std::string> named;
    for (int j = 0; j < s.send_to_subprocessors_size(); ++j) {
      const auto& flow = s.send_to_subprocessors(j);
      const std::string path =
          absl::StrCat("phi_scopes[", i, "].send_to_subprocessors[", j, "]");
      const pv::Subprocessor* sub = nullptr;
      for (const auto& candidate : p_.subprocessors()) {
        if (candidate.id() == flow.subprocessor()) sub = &candidate;
      }
      if (flow.subprocessor().empty()) {
        Error(path + ".subprocessor", "required: the id of a subprocessor");
        continue;
      }
      if (!named.insert(flow.subprocessor()).second) {
        Error(path + ".subprocessor",
              absl::StrCat("\"", flow.subprocessor(),
                           "\" is already listed for this request type"));
      }
      if (sub == nullptr) {
        Error(path + ".subprocessor", absl::StrCat("no subprocessor with id \"",
                                                   flow.subprocessor(), "\""));
      }
      if (flow.fields().empty()) {
        Error(path + ".fields", "needs at least one field");
      }
      for (int k = 0; k < flow.fields_size(); ++k) {
        const std::string fpath = absl::StrCat(path, ".fields[", k, "]");
        const std::string name =
            IntakeFieldName(static_cast<pv::IntakeField>(flow.fields(k)));
        if (collected.count(flow.fields(k)) == 0) {
          Error(fpath,
                absl::StrCat(name, " is not collected for \"", s.request_type(),
                             "\", so it cannot be sent"));
        }
        if (sub != nullptr && !sub->baa_on_record()) {
          Error(fpath, absl::StrCat(
                           "PHI field ", name, " of request type \"",
                           s.request_type(), "\" would flow to subprocessor \"",
                           sub->id(), "\", which has no BAA on record"));
        }
      }
    }
  }

  // A booking lane that caps another: ai_assisted or outside.
  void CapLane(pv::BookingLane lane, const std::string& path,
               const char* what) {
    if (lane == pv::BOOKING_LANE_AI_OWNED) {
      Error(path, absl::StrCat("must be ai_assisted or outside; ", what,
                               " is never AI-owned"));
    }
  }

  void CheckBooking() {
    const auto& b = p_.booking();
    std::set<std::string> roster;
    for (int i = 0; i < b.clinicians_size(); ++i) {
      Id(b.clinicians(i), absl::StrCat("booking.clinicians[", i, "]"), &roster,
         "clinician");
    }
    std::set<std::string> visits;
    std::set<std::string> clinicians;
    for (int i = 0; i < b.visit_types_size(); ++i) {
      const auto& v = b.visit_types(i);
      const std::string path = absl::StrCat("booking.visit_types[", i, "]");
      Id(v.id(), path + ".id", &visits, "visit type");
      if (v.minutes() < 5 || v.minutes() > 480) {
        Error(path + ".minutes", "required, between 5 and 480");
      }
      if (v.clinicians().empty())
        Error(path + ".clinicians", "needs at least one clinician");
      for (int j = 0; j < v.clinicians_size(); ++j) {
        const std::string& c = v.clinicians(j);
        clinicians.insert(c);
        if (!roster.empty() && roster.count(c) == 0) {
          Error(absl::StrCat(path, ".clinicians[", j, "]"),
                absl::StrCat("unknown clinician \"", c,
                             "\"; not listed in booking.clinicians"));
        }
      }
      if (v.lane() != pv::BOOKING_LANE_UNSPECIFIED &&
          reader_.positions().count(path + ".ai_owned") > 0) {
        Error(path + ".ai_owned",
              "give lane or ai_owned, not both (ai_owned is the older "
              "spelling of lane)");
      }
    }
    for (int i = 0; i < b.hours_size(); ++i) {
      Hours(b.hours(i), absl::StrCat("booking.hours[", i, "]"));
    }
    for (int i = 0; i < b.exclusions_size(); ++i) {
      const auto& e = b.exclusions(i);
      const std::string path = absl::StrCat("booking.exclusions[", i, "]");
      Date(e.date(), path + ".date");
      if (e.clinician().empty()) continue;
      if (!roster.empty() && roster.count(e.clinician()) == 0) {
        Error(path + ".clinician",
              absl::StrCat("unknown clinician \"", e.clinician(),
                           "\"; not listed in booking.clinicians"));
      } else if (roster.empty() && clinicians.count(e.clinician()) == 0) {
        Error(path + ".clinician",
              absl::StrCat("\"", e.clinician(),
                           "\" is not a clinician of any visit type"));
      }
    }
    CapLane(b.new_patients(), "booking.new_patients",
            "a new patient's booking");
    CapLane(b.procedures(), "booking.procedures", "a procedure's booking");
    if (b.has_same_day()) {
      const auto& sd = b.same_day();
      if (sd.lane() == pv::BOOKING_LANE_UNSPECIFIED) {
        Error("booking.same_day.lane", "required: ai_assisted or outside");
      }
      CapLane(sd.lane(), "booking.same_day.lane", "a same-day booking");
      if (sd.cutoff_minutes() > 10080) {
        Error("booking.same_day.cutoff_minutes",
              absl::StrCat("at most 10080 (a week), found ",
                           sd.cutoff_minutes()));
      }
    }
    RefQueue(b.exceptions_queue(), "booking.exceptions_queue",
             !b.visit_types().empty());
  }

  const pv::Policy& p_;
  const internal::YamlProtoReader& reader_;
  const std::string source_;
  std::vector<PolicyError>* errors_;
  std::set<std::string> queue_ids_, text_ids_, category_ids_, request_type_ids_,
      rule_ids_;
  absl::flat_hash_map<std::string, std::string> trigger_owner_, assisted_owner_,
      phrasing_owner_;
};

std::string Fingerprint(const pv::Policy& p) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream sos(&bytes);
    google::protobuf::io::CodedOutputStream cos(&sos);
    cos.SetSerializationDeterministic(true);
    p.SerializeToCodedStream(&cos);
  }
  return events::ToHex(events::Sha256(bytes), 6);
}

}  // namespace

absl::StatusOr<ClinicPolicy> ParsePolicy(absl::string_view yaml,
                                         absl::string_view source,
                                         std::vector<PolicyError>* errors) {
  std::vector<PolicyError> local;
  if (errors == nullptr) errors = &local;
  errors->clear();
  const std::string src(source);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    errors->push_back({src, e.mark.line + 1, e.mark.column + 1,
                       absl::StrCat("not valid YAML: ", e.msg)});
  }
  ClinicPolicy policy;
  if (errors->empty()) {
    internal::YamlProtoReader reader;
    try {
      reader.Read(root, &policy.proto_);
    } catch (const YAML::Exception& e) {
      errors->push_back({src, e.mark.line + 1, e.mark.column + 1, e.msg});
    }
    for (const auto& e : reader.errors()) {
      errors->push_back({src, e.at.line, e.at.column, e.message});
    }
    if (errors->empty()) Checker(policy.proto_, reader, src, errors).Run();
  }
  if (!errors->empty()) {
    std::vector<std::string> lines;
    for (const auto& e : *errors) lines.push_back(e.ToString());
    return absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
  }
  policy.version_ =
      absl::StrCat(policy.proto_.label(), "+", Fingerprint(policy.proto_));
  return policy;
}

absl::StatusOr<ClinicPolicy> LoadPolicyFile(const std::string& path,
                                            std::vector<PolicyError>* errors) {
  std::ifstream in(path);
  if (!in) {
    if (errors != nullptr) {
      errors->assign(1, {path, 0, 0, "cannot be read"});
    }
    return absl::NotFoundError(
        absl::StrCat("policy file ", path, ": cannot be read"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ParsePolicy(ss.str(), path, errors);
}

}  // namespace frontdesk::policy
