#include "libs/policy/phi_data_path.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/policy/access_roles.h"
#include "libs/policy/baa_gate.h"
#include "yaml-cpp/yaml.h"

namespace frontdesk::policy {
namespace {

namespace pv = ::frontdesk::policy::v1;

bool Has(const google::protobuf::RepeatedField<int>& fields, int f) {
  return std::find(fields.begin(), fields.end(), f) != fields.end();
}

// The fields the scope shows `role`.
std::set<int> ShownTo(const pv::PhiScope& scope, absl::string_view role) {
  std::set<int> out;
  for (const auto& rf : scope.show()) {
    if (rf.role() == role) out.insert(rf.fields().begin(), rf.fields().end());
  }
  return out;
}

std::vector<std::string> QueueRoleList(const pv::Queue& q) {
  std::vector<std::string> roles;
  for (const std::string* r :
       {&q.owner_role(), &q.backup_role(), &q.last_resort_role()}) {
    if (!r->empty() && std::find(roles.begin(), roles.end(), *r) == roles.end())
      roles.push_back(*r);
  }
  return roles;
}

std::string KindName(pv::SubprocessorKind kind) {
  switch (kind) {
    case pv::SUBPROCESSOR_KIND_SPEECH:
      return "speech";
    case pv::SUBPROCESSOR_KIND_MESSAGING:
      return "messaging";
    case pv::SUBPROCESSOR_KIND_HOSTING:
      return "hosting";
    case pv::SUBPROCESSOR_KIND_MODEL:
      return "model";
    case pv::SUBPROCESSOR_KIND_ANALYTICS:
      return "analytics";
    default:
      return "unspecified";
  }
}

std::string Days(int64_t ms) {
  const double days = static_cast<double>(ms) / (24.0 * 3600 * 1000);
  return absl::StrFormat("%.0f days (about %.1f years; %d ms)", days,
                         days / 365.25, ms);
}

std::string PolicyRetention(const pv::Policy& p) {
  if (!p.has_retention()) return "not set in policy";
  if (p.retention().phi_years() == 0) {
    return "retention.phi_years: 0 (no minimum; for development and tests "
           "only)";
  }
  return absl::StrCat("at least ", p.retention().phi_years(),
                      " years (retention.phi_years)");
}

std::vector<std::string> ShredRoles(const pv::Policy& p) {
  std::vector<std::string> roles;
  for (const auto& r : p.access_roles()) {
    if (RoleGrants(p, r.role(), kPermKeysShred)) roles.push_back(r.role());
  }
  if (roles.empty()) roles.push_back("nobody");
  return roles;
}

std::string ShredSchedule(const pv::Policy& p) {
  if (!p.has_retention()) {
    return "none, as the policy sets no retention";
  }
  return absl::StrCat(
      "PHI older than ", p.retention().phi_years(),
      " years may be crypto-shredded with `frontdesk keys shred --tenant ",
      p.clinic().tenant_id(),
      " --before DATE`, which destroys the data keys whose use ended before "
      "DATE and refuses keys that protect PHI still within the retention; "
      "roles allowed to shred (keys.shred): ",
      absl::StrJoin(ShredRoles(p), ", "));
}

std::string Quote(const ClinicPolicy& policy, const std::string& text_id) {
  const pv::ApprovedText* t = policy.FindText(text_id);
  if (t == nullptr) return "(no approved text)";
  return absl::StrCat("\"", t->text(), "\" (approved text ", t->id(), ")");
}

}  // namespace

std::vector<pv::IntakeField> FieldsSentToQueue(const ClinicPolicy& policy,
                                               absl::string_view request_type,
                                               absl::string_view queue) {
  std::vector<pv::IntakeField> out;
  const pv::PhiScope* scope = policy.FindPhiScope(request_type);
  const pv::Queue* q = policy.FindQueue(queue);
  if (scope == nullptr || q == nullptr) return out;
  if (std::find(scope->send_to_queues().begin(), scope->send_to_queues().end(),
                queue) == scope->send_to_queues().end()) {
    return out;
  }
  const std::set<int> shown = ShownTo(*scope, q->owner_role());
  for (int f : scope->store()) {
    if (shown.count(f) > 0) out.push_back(static_cast<pv::IntakeField>(f));
  }
  return out;
}

std::vector<pv::IntakeField> FieldsShownAtDesk(const ClinicPolicy& policy,
                                               absl::string_view request_type,
                                               absl::string_view queue,
                                               absl::string_view role) {
  std::vector<pv::IntakeField> out;
  const pv::Queue* q = policy.FindQueue(queue);
  const pv::PhiScope* scope = policy.FindPhiScope(request_type);
  if (q == nullptr || scope == nullptr) return out;
  const std::vector<std::string> roles = QueueRoleList(*q);
  if (std::find(roles.begin(), roles.end(), role) == roles.end()) return out;
  const std::set<int> shown = ShownTo(*scope, role);
  for (pv::IntakeField f : FieldsSentToQueue(policy, request_type, queue)) {
    if (shown.count(f) > 0) out.push_back(f);
  }
  return out;
}

std::vector<pv::IntakeField> FieldsShownOnBreakGlass(
    const ClinicPolicy& policy, absl::string_view request_type,
    absl::string_view queue, absl::string_view role) {
  const pv::Queue* q = policy.FindQueue(queue);
  if (q == nullptr) return {};
  const std::vector<std::string> roles = QueueRoleList(*q);
  if (std::find(roles.begin(), roles.end(), role) != roles.end()) {
    return FieldsShownAtDesk(policy, request_type, queue, role);
  }
  if (!RoleGrants(policy.proto(), role, kPermBreakGlass)) return {};
  return FieldsShownAtDesk(policy, request_type, queue, q->owner_role());
}

TopicRetention DefaultTopicRetention() {
  return {kafka::TopicSettings{}.retention_ms,
          "the services' default (--topic_retention_ms); no Helm values "
          "given"};
}

absl::StatusOr<TopicRetention> ReadHelmTopicRetention(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("Helm values ", path, ": cannot be read"));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  YAML::Node root;
  try {
    root = YAML::Load(ss.str());
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("Helm values ", path, ":", e.mark.line + 1, ":",
                     e.mark.column + 1, ": not valid YAML: ", e.msg));
  }
  const std::string key = "kafka.topics.retentionMs";
  if (!root.IsMap() || !root["kafka"] || !root["kafka"].IsMap() ||
      !root["kafka"]["topics"] || !root["kafka"]["topics"].IsMap() ||
      !root["kafka"]["topics"]["retentionMs"]) {
    TopicRetention d = DefaultTopicRetention();
    d.source = absl::StrCat(path, " has no ", key,
                            "; the services' default (--topic_retention_ms)");
    return d;
  }
  const YAML::Node v = root["kafka"]["topics"]["retentionMs"];
  int64_t ms = 0;
  bool ok = v.IsScalar();
  if (ok) {
    try {
      ms = v.as<int64_t>();
    } catch (const YAML::Exception&) {
      ok = false;
    }
  }
  if (!ok || ms <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Helm values ", path, ":", v.Mark().line + 1, ":", v.Mark().column + 1,
        ": ", key, ": expected a positive whole number of milliseconds"));
  }
  return TopicRetention{ms, absl::StrCat(path, ": ", key)};
}

PhiDataPath BuildPhiDataPath(const ClinicPolicy& policy,
                             absl::string_view source,
                             const TopicRetention& retention) {
  const pv::Policy& p = policy.proto();
  PhiDataPath out;
  out.source = std::string(source);
  out.policy_version = policy.version();
  out.tenant_id = policy.tenant_id();
  out.clinic_name = p.clinic().name();
  out.topic_retention = retention;
  out.policy_retention = PolicyRetention(p);
  out.shred_schedule = ShredSchedule(p);
  if (p.has_retention() && p.retention().phi_years() > 0) {
    const int64_t kept_days = retention.retention_ms / (24 * 3600 * 1000);
    // A year here is 366 days, so a leap year never makes this pass wrongly.
    const int64_t needed_days = int64_t{366} * p.retention().phi_years();
    if (kept_days < needed_days) {
      out.warnings.push_back(
          absl::StrCat("The Kafka topics delete events after ", kept_days,
                       " days, before the policy's retention of ",
                       p.retention().phi_years(), " years ends (", needed_days,
                       " days): raise kafka.topics.retentionMs, or lower "
                       "retention.phi_years."));
    }
  }

  // Fields, in enum order.
  std::map<int, FieldPath> by_field;
  for (const auto& scope : p.phi_scopes()) {
    for (int f : scope.collect()) {
      FieldPath& fp = by_field[f];
      fp.field = static_cast<pv::IntakeField>(f);
      fp.name = IntakeFieldName(fp.field);
      FieldInRequest use;
      use.request_type = scope.request_type();
      use.stored = Has(scope.store(), f);
      for (const std::string& qid : scope.send_to_queues()) {
        const auto sent = FieldsSentToQueue(policy, scope.request_type(), qid);
        if (std::find(sent.begin(), sent.end(), f) == sent.end()) continue;
        const pv::Queue* q = policy.FindQueue(qid);
        QueueRoute route{qid, kafka::HandoffTopic(qid), {}};
        for (const std::string& role : QueueRoleList(*q)) {
          const auto shown =
              FieldsShownAtDesk(policy, scope.request_type(), qid, role);
          if (std::find(shown.begin(), shown.end(), f) != shown.end())
            route.roles_shown.push_back(role);
        }
        use.queues.push_back(std::move(route));
      }
      for (const auto& flow : scope.send_to_subprocessors()) {
        if (!Has(flow.fields(), f)) continue;
        const pv::Subprocessor* sub = FindSubprocessor(p, flow.subprocessor());
        if (sub == nullptr) continue;  // the loader refuses this
        use.subprocessors.push_back(
            {sub->id(), KindName(sub->kind()), sub->baa_on_record()});
      }
      fp.requests.push_back(std::move(use));
    }
  }
  for (auto& [f, fp] : by_field) out.fields.push_back(std::move(fp));

  out.phi_topics = {
      {kafka::kCallsTopic,
       "every call event; the caller's words, read-backs, the intake values "
       "the scope stores, and staff notes are sealed inside the events"},
  };
  for (const auto& q : p.queues()) {
    out.phi_topics.push_back(
        {kafka::HandoffTopic(q.id()),
         absl::StrCat("handoff packets for queue ", q.id(),
                      "; the caller's words and number and the intake "
                      "fields shown to its owner role, sealed")});
    std::vector<std::string> parts = {absl::StrCat("owner ", q.owner_role())};
    if (!q.backup_role().empty())
      parts.push_back(absl::StrCat("backup ", q.backup_role()));
    if (!q.last_resort_role().empty())
      parts.push_back(absl::StrCat("last resort ", q.last_resort_role()));
    const int64_t window = absl::ToInt64Seconds(policy.ClaimWindow(q));
    parts.push_back(window % 60 == 0
                        ? absl::StrCat("claim window ", window / 60, " min")
                        : absl::StrCat("claim window ", window, " s"));
    out.queue_roles.push_back({q.id(), absl::StrJoin(parts, ", ")});
  }
  for (const auto& r : p.access_roles()) {
    if (RoleGrants(p, r.role(), kPermBreakGlass))
      out.break_glass_roles.push_back(r.role());
    if (RoleGrants(p, r.role(), kPermPhiRead))
      out.phi_read_roles.push_back(r.role());
    else if (RoleGrants(p, r.role(), kPermRecordsRead))
      out.records_read_roles.push_back(r.role());
  }

  for (const auto& s : p.subprocessors()) {
    SubprocessorSummary sum{s.id(), KindName(s.kind()), s.baa_on_record(), {}};
    for (const FieldPath& fp : out.fields) {
      std::vector<std::string> types;
      for (const FieldInRequest& use : fp.requests) {
        for (const auto& r : use.subprocessors) {
          if (r.id == s.id()) types.push_back(use.request_type);
        }
      }
      if (!types.empty()) {
        sum.receives.push_back(
            absl::StrCat(fp.name, " (", absl::StrJoin(types, ", "), ")"));
      }
    }
    out.subprocessors.push_back(std::move(sum));
  }

  const auto& sc = p.scripts();
  out.failures = {
      {"Kafka does not confirm a turn's events within the time bound",
       absl::StrCat("The caller hears the fallback wording ",
                    Quote(policy, sc.fallback()),
                    ". No AI-owned action is taken; the failure is queued for "
                    "the log. A normal reply is given only once its events "
                    "are on the log.")},
      {"rules-check cannot be reached",
       absl::StrCat("The caller hears the fallback wording, and the call is "
                    "handed to the default queue (",
                    p.default_queue(),
                    ") under a fail-closed decision the answer service "
                    "records.")},
      {"handoff-prep cannot be reached",
       "The caller hears the fallback wording; nothing is booked or "
       "answered by the AI."},
      {"The caller declines consent",
       absl::StrCat("The agent says ", Quote(policy, sc.consent_declined()),
                    " and collects nothing more.")},
      {absl::StrCat("A field is not understood after ",
                    policy.max_intake_attempts(), " tries"),
       absl::StrCat("The agent says ", Quote(policy, sc.intake_gave_up()),
                    " and hands the request off with what was collected.")},
      {"Nobody claims a handoff in the queue's claim window",
       "It escalates to the queue's backup role, then to its last-resort "
       "role, which fires an alert (see the queues below)."},
      {"A read of the operating record cannot be recorded on the access "
       "topic",
       "The read is refused: an access that cannot be recorded does not "
       "happen."},
      {"The policy would send PHI to a subprocessor without a BAA",
       "The policy does not load, so no service starts with it. At run time "
       "the BAA gate refuses any PHI the policy does not list for a "
       "subprocessor, and nothing is sent."},
  };
  out.audit_topics = {
      {kafka::kCallsTopic,
       "every step of every call: what was heard (sealed), each decision "
       "with its rule id and policy version, each action and reply, and "
       "each handoff's lifecycle; hash-chained per producer and signed"},
      {kafka::kAccessTopic,
       "every access to the record and the staff desk, granted or refused: "
       "who, which role, what action, which target, why"},
      {kafka::kPolicyTopic, "policy edits and activations"},
      {"frontdesk.handoff.<queue>.v1",
       "every revision of every handoff packet, per queue"},
  };
  return out;
}

namespace {

constexpr char kLegendText[] =
    "How to read this report\n"
    "  PHI          protected health information: anything that identifies "
    "a patient.\n"
    "  sealed       encrypted (AES-256-GCM) with the clinic's own data key "
    "before it\n"
    "               leaves the answer service; unreadable without that key.\n"
    "  queue        a staff work list; each has an owner, a backup and a "
    "last-resort role.\n"
    "  subprocessor an outside company that handles data for the clinic; "
    "without a\n"
    "               BAA (business associate agreement) on record it receives "
    "no PHI.\n";

std::string RoleList(const std::vector<std::string>& roles) {
  return roles.empty() ? "nobody" : absl::StrJoin(roles, ", ");
}

}  // namespace

std::string RenderPhiDataPathText(const PhiDataPath& d) {
  std::string o;
  absl::StrAppend(&o, "PHI DATA-PATH REPORT\n", "Clinic: ", d.clinic_name,
                  " (tenant ", d.tenant_id, ")\n", "Policy: ", d.source,
                  ", version ", d.policy_version, "\n",
                  "Worked out from the policy objects the services enforce "
                  "(the same loader and checks).\n\n",
                  kLegendText, "\n");

  if (!d.warnings.empty()) {
    absl::StrAppend(&o, "WARNINGS\n");
    for (const std::string& w : d.warnings)
      absl::StrAppend(&o, "  ! ", w, "\n");
    absl::StrAppend(&o, "\n");
  }
  absl::StrAppend(&o, "1. PHI FIELDS THE AGENT MAY COLLECT\n");
  absl::StrAppend(&o,
                  "  On every call: the caller's words and the caller's "
                  "phone number, always sealed.\n");
  for (const FieldPath& f : d.fields) {
    std::vector<std::string> types;
    for (const auto& u : f.requests) types.push_back(u.request_type);
    absl::StrAppend(&o, "  ", f.name, ": collected for ",
                    absl::StrJoin(types, ", "), "\n");
  }

  absl::StrAppend(&o, "\n2. WHERE EACH FIELD IS STORED\n",
                  "  Key: every PHI value is sealed with the per-tenant data "
                  "key of tenant ",
                  d.tenant_id,
                  ";\n  each sealed value records the id of its key and is "
                  "bound to its tenant and call.\n");
  for (const TopicUse& t : d.phi_topics) {
    absl::StrAppend(&o, "  ", t.topic, ": ", t.holds, "\n");
  }
  absl::StrAppend(&o,
                  "  record-keeper projection (SQLite): a copy folded from "
                  "these topics; PHI stays sealed.\n");
  for (const FieldPath& f : d.fields) {
    std::vector<std::string> stored, not_stored;
    for (const auto& u : f.requests)
      (u.stored ? stored : not_stored).push_back(u.request_type);
    absl::StrAppend(&o, "  ", f.name, ": sealed on ", kafka::kCallsTopic,
                    " for ", stored.empty() ? "no request type" : "",
                    absl::StrJoin(stored, ", "));
    if (!not_stored.empty())
      absl::StrAppend(&o, "; heard but not stored for ",
                      absl::StrJoin(not_stored, ", "));
    absl::StrAppend(&o, "\n");
  }

  absl::StrAppend(&o, "\n3. WHERE EACH FIELD IS SENT\n");
  for (const FieldPath& f : d.fields) {
    absl::StrAppend(&o, "  ", f.name, ":\n");
    for (const auto& u : f.requests) {
      std::vector<std::string> qs, subs;
      for (const auto& q : u.queues)
        qs.push_back(absl::StrCat(q.queue, " (", q.topic, ")"));
      for (const auto& s : u.subprocessors)
        subs.push_back(
            absl::StrCat(s.id, " (", s.kind, ", ",
                         s.baa_on_record ? "BAA on record" : "NO BAA", ")"));
      absl::StrAppend(&o, "    ", u.request_type, ": queues ",
                      qs.empty() ? "none" : absl::StrJoin(qs, ", "),
                      "; subprocessors ",
                      subs.empty() ? "none" : absl::StrJoin(subs, ", "), "\n");
    }
  }

  absl::StrAppend(&o, "\n4. WHO CAN SEE EACH FIELD\n",
                  "  At the staff desk, only on handoffs of their queues "
                  "(every view is recorded):\n");
  for (const FieldPath& f : d.fields) {
    std::set<std::string> roles;
    for (const auto& u : f.requests)
      for (const auto& q : u.queues)
        roles.insert(q.roles_shown.begin(), q.roles_shown.end());
    absl::StrAppend(&o, "    ", f.name, ": ",
                    RoleList({roles.begin(), roles.end()}), "\n");
    for (const auto& u : f.requests) {
      for (const auto& q : u.queues) {
        absl::StrAppend(&o, "      ", u.request_type, " on ", q.queue, ": ",
                        RoleList(q.roles_shown), "\n");
      }
    }
  }
  absl::StrAppend(&o,
                  "  In the tools, opening sealed PHI with the clinic's "
                  "keyring (phi.read; recorded): ",
                  RoleList(d.phi_read_roles), "\n",
                  "  Read the record with PHI still sealed (records.read): ",
                  RoleList(d.records_read_roles), "\n",
                  "  Every role shown the caller's words and number: the "
                  "roles of the queue holding the handoff.\n",
                  "  Emergency access (break glass) to any queue, with a "
                  "stated reason, seeing what the\n  queue's owner sees; "
                  "loudly logged, recorded as break glass and listed in the "
                  "weekly\n  review: ",
                  RoleList(d.break_glass_roles), "\n");

  absl::StrAppend(&o, "\n5. HOW LONG IT IS KEPT\n",
                  "  Kafka topics: ", Days(d.topic_retention.retention_ms),
                  "\n    from ", d.topic_retention.source, "\n",
                  "  Retention in the policy: ", d.policy_retention, "\n",
                  "  Shred schedule: ", d.shred_schedule,
                  ".\n  A shredded key makes everything it sealed unreadable "
                  "by anyone, while the audit\n  skeleton (event types, "
                  "lanes, rule ids, hashes) still verifies.\n");

  absl::StrAppend(&o, "\n6. WHAT HAPPENS ON FAILURE\n");
  for (const FailureBehaviour& fb : d.failures) {
    absl::StrAppend(&o, "  - ", fb.situation, ":\n      ", fb.outcome, "\n");
  }
  absl::StrAppend(&o, "  Queues and their escalation:\n");
  for (const auto& [q, roles] : d.queue_roles) {
    absl::StrAppend(&o, "    ", q, ": ", roles, "\n");
  }

  absl::StrAppend(&o, "\n7. WHERE THE AUDIT RECORDS ARE\n");
  for (const TopicUse& t : d.audit_topics) {
    absl::StrAppend(&o, "  ", t.topic, ": ", t.holds, "\n");
  }

  absl::StrAppend(&o, "\n8. SUBPROCESSORS\n");
  for (const SubprocessorSummary& s : d.subprocessors) {
    absl::StrAppend(
        &o, "  ", s.id, " (", s.kind,
        "): ", s.baa_on_record ? "BAA on record" : "NO BAA on record",
        "; receives ",
        s.receives.empty() ? "no PHI" : absl::StrJoin(s.receives, "; "), "\n");
  }
  return o;
}

}  // namespace frontdesk::policy
