#include "tools/frontdesk/report_commands.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "libs/common/clock.h"
#include "libs/events/producer_identity.h"
#include "libs/kafka/kafka_event_log.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/phi/phi_keyring.h"
#include "libs/policy/access_roles.h"
#include "libs/policy/clinic_policy.h"
#include "libs/reports/audit_log_events.h"
#include "libs/reports/fhir_audit_export.h"
#include "libs/reports/kafka_range_reader.h"
#include "libs/reports/policy_simulation.h"
#include "libs/reports/weekly_report.h"
#include "services/rules_check/handoff_map.h"
#include "tools/frontdesk/time_range.h"

ABSL_FLAG(std::string, format, "",
          "audit export: fhir (default) or jsonl; report weekly: text "
          "(default), csv or html");
ABSL_FLAG(std::string, out, "",
          "audit export, report weekly, simulate: write to this file instead "
          "of standard output");
ABSL_FLAG(std::string, policy_in_force, "",
          "audit export, report weekly, simulate: the policy whose "
          "access_roles decide and whose tenant is read (default: --policy "
          "for export and report; FRONTDESK_POLICY or "
          "examples/clinic/policy.yaml for simulate)");
ABSL_FLAG(int, examples, 3, "simulate: examples shown per lane change");

namespace frontdesk::cli {

namespace {

constexpr int kExitRefused = 4;

// The events a command needs, read and checked.
struct Loaded {
  std::optional<policy::ClinicPolicy> policy;
  std::optional<phi::PhiKeyring> keyring;
  TimeRange range;
  reports::AuditLogEvents events;
};

absl::Status CheckArgs(const ReportArgs& a) {
  if (a.actor_id.empty())
    return absl::InvalidArgumentError("--actor: required (who you are)");
  if (a.role.empty()) {
    return absl::InvalidArgumentError(
        "--role: required (the access role you act in, as the policy names "
        "it)");
  }
  if (a.purpose.empty()) {
    return absl::InvalidArgumentError(
        "--purpose: required (why you read the record)");
  }
  return absl::OkStatus();
}

// Records one access; the exit code to stop with, or nullopt to go on.
std::optional<int> Authorize(const char* command, const ReportArgs& args,
                             const policy::ClinicPolicy& policy, ReportIo& io,
                             const std::string& action,
                             const std::string& resource,
                             absl::string_view permission, std::ostream& err) {
  access::Access a;
  a.tenant_id = policy.tenant_id();
  a.policy_version = policy.version();
  a.actor_id = args.actor_id;
  a.role = args.role;
  a.action = action;
  a.resource = resource;
  a.purpose = args.purpose;
  a.via = "cli";
  absl::Status s =
      access::AuthorizeAndRecord(policy.proto(), *io.recorder, a, permission);
  if (s.ok()) return std::nullopt;
  if (s.code() == absl::StatusCode::kPermissionDenied) {
    err << "frontdesk " << command << ": refused: role \"" << args.role
        << "\" is not granted \"" << permission << "\" by policy "
        << policy.version() << " (the refusal is recorded)\n";
    return kExitRefused;
  }
  err << "frontdesk " << command
      << ": the access could not be recorded, so nothing was read: "
      << s.message() << "\n";
  return 1;
}

// Checks the arguments, loads the policy (and keyring), records the access
// (and the PHI access), then reads and collects the range's events.
std::optional<int> Load(const char* command, const ReportArgs& args,
                        ReportIo& io, const std::string& action,
                        absl::string_view permission, bool needs_phi, Loaded* l,
                        std::ostream& err) {
  if (absl::Status s = CheckArgs(args); !s.ok()) {
    err << "frontdesk " << command << ": " << s.message() << "\n";
    return 2;
  }
  auto range = ParseTimeRange(args.from, args.to);
  if (!range.ok()) {
    err << "frontdesk " << command << ": " << range.status().message() << "\n";
    return 2;
  }
  l->range = *range;
  auto policy = policy::LoadPolicyFile(args.policy_in_force);
  if (!policy.ok()) {
    err << "frontdesk " << command
        << ": --policy_in_force: " << policy.status().message() << "\n";
    return 2;
  }
  l->policy.emplace(*std::move(policy));
  if (needs_phi && args.keyring_file.empty()) {
    err << "frontdesk " << command
        << ": --keyring_file: required (the caller's words are sealed)\n";
    return 2;
  }
  if (!args.keyring_file.empty()) {
    auto k = phi::PhiKeyring::FromLocalFile(args.keyring_file);
    if (!k.ok()) {
      err << "frontdesk " << command
          << ": --keyring_file: " << k.status().message() << "\n";
      return 2;
    }
    l->keyring.emplace(*std::move(k));
  }
  if (io.recorder == nullptr) {
    err << "frontdesk " << command
        << ": no access recorder, so nothing was read\n";
    return 1;
  }
  const std::string resource = absl::StrCat("range/", l->range.ToString());
  if (auto code = Authorize(command, args, *l->policy, io, action, resource,
                            permission, err)) {
    return code;
  }
  if (l->keyring.has_value()) {
    if (auto code = Authorize(command, args, *l->policy, io, "open_phi",
                              resource, policy::kPermPhiRead, err)) {
      return code;
    }
  }
  std::vector<eventlog::StoredRecord> records;
  for (const char* topic :
       {kafka::kCallsTopic, kafka::kAccessTopic, kafka::kPolicyTopic}) {
    auto r = io.read_topic(topic, l->range.from, l->range.to);
    if (!r.ok() && r.status().code() == absl::StatusCode::kNotFound) continue;
    if (!r.ok()) {
      err << "frontdesk " << command << ": reading " << topic << ": "
          << r.status().message() << "\n";
      return 1;
    }
    for (auto& rec : *r) records.push_back(std::move(rec));
  }
  reports::AuditLogEvents all =
      reports::CollectEvents(records, l->range.from, l->range.to);
  l->events.damaged = all.damaged;
  l->events.outside_range = all.outside_range;
  for (auto& e : all.events) {
    if (e.body.tenant_id() == l->policy->tenant_id())
      l->events.events.push_back(std::move(e));
  }
  if (all.damaged > 0) {
    err << "frontdesk " << command << ": " << all.damaged
        << " damaged records skipped; run frontdesk verify over the range\n";
  }
  return std::nullopt;
}

reports::PhiOpener OpenerOf(const Loaded& l) {
  if (!l.keyring.has_value()) return nullptr;
  const phi::PhiKeyring* k = &*l.keyring;
  return [k](const events::v1::SealedPhi& s, absl::string_view tenant,
             absl::string_view call) { return k->Open(s, tenant, call); };
}

// Writes `text` to --out or `out`; the exit code.
int Emit(const char* command, const ReportArgs& args, const std::string& text,
         std::ostream& out, std::ostream& err) {
  if (args.out_file.empty()) {
    out << text;
    return 0;
  }
  std::ofstream f(args.out_file, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f) {
    err << "frontdesk " << command << ": --out: cannot write " << args.out_file
        << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int RunAuditExport(const ReportArgs& args, ReportIo& io, std::ostream& out,
                   std::ostream& err) {
  const char* kCmd = "audit export";
  const std::string format = args.format.empty() ? "fhir" : args.format;
  if (format != "fhir" && format != "jsonl") {
    err << "frontdesk " << kCmd << ": --format: \"" << format
        << "\" is not fhir or jsonl\n";
    return 2;
  }
  Loaded l;
  if (auto code =
          Load(kCmd, args, io, "export", policy::kPermExport, false, &l, err)) {
    return *code;
  }
  reports::AuditExporter x(OpenerOf(l));
  for (const reports::LoggedEvent& e : l.events.events) x.Apply(e);
  std::string text;
  if (format == "fhir") {
    text = x.Bundle().dump(1) + "\n";
  } else {
    for (const nlohmann::json& o : x.PlainEvents())
      absl::StrAppend(&text, o.dump(), "\n");
  }
  return Emit(kCmd, args, text, out, err);
}

int RunWeeklyReport(const ReportArgs& args, ReportIo& io, std::ostream& out,
                    std::ostream& err) {
  const char* kCmd = "report weekly";
  const std::string format = args.format.empty() ? "text" : args.format;
  if (format != "text" && format != "csv" && format != "html") {
    err << "frontdesk " << kCmd << ": --format: \"" << format
        << "\" is not text, csv or html\n";
    return 2;
  }
  Loaded l;
  if (auto code =
          Load(kCmd, args, io, "report", policy::kPermReport, false, &l, err)) {
    return *code;
  }
  reports::WeeklyReportBuilder b(l.range.from, l.range.to, OpenerOf(l));
  for (const reports::LoggedEvent& e : l.events.events) b.Apply(e);
  const reports::WeeklyReport r = b.Finish();
  const std::string text = format == "csv"    ? reports::WeeklyReportCsv(r)
                           : format == "html" ? reports::WeeklyReportHtml(r)
                                              : reports::WeeklyReportText(r);
  return Emit(kCmd, args, text, out, err);
}

int RunSimulate(const ReportArgs& args, ReportIo& io, std::ostream& out,
                std::ostream& err) {
  const char* kCmd = "simulate";
  if (args.candidate_policy.empty()) {
    err << "frontdesk simulate: --policy: required (the candidate policy)\n";
    return 2;
  }
  std::vector<policy::PolicyError> errors;
  auto candidate = policy::LoadPolicyFile(args.candidate_policy, &errors);
  if (!candidate.ok()) {
    err << "frontdesk simulate: --policy: " << candidate.status().message()
        << "\n";
    return 2;
  }
  Loaded l;
  if (auto code = Load(kCmd, args, io, "simulate", policy::kPermSimulate, true,
                       &l, err)) {
    return *code;
  }
  if (candidate->tenant_id() != l.policy->tenant_id()) {
    err << "frontdesk simulate: --policy: tenant " << candidate->tenant_id()
        << " differs from the policy in force's " << l.policy->tenant_id()
        << "\n";
    return 2;
  }
  auto candidate_map = std::make_shared<const rules_check::HandoffMap>(
      std::make_shared<const policy::ClinicPolicy>(*std::move(candidate)));
  auto baseline_map = std::make_shared<const rules_check::HandoffMap>(
      std::make_shared<const policy::ClinicPolicy>(*l.policy));
  reports::PolicySimulator sim(candidate_map, OpenerOf(l), baseline_map);
  for (const reports::LoggedEvent& e : l.events.events) sim.Apply(e);
  const reports::SimulationResult r = sim.Finish();
  std::string text = absl::StrCat("Policy in force: ", l.policy->version(),
                                  "; range ", l.range.ToString(), "\n");
  absl::StrAppend(&text, reports::SimulationText(
                             r, static_cast<size_t>(std::max(0, args.examples)),
                             /*show_words=*/true));
  return Emit(kCmd, args, text, out, err);
}

namespace {

// A string flag that main.cc defines, read by name so that this library
// does not need main.cc to link.
std::string ToolFlag(absl::string_view name) {
  absl::CommandLineFlag* f = absl::FindCommandLineFlag(name);
  return f == nullptr ? std::string() : f->CurrentValue();
}

std::string EnvOrDefault(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

}  // namespace

int RunReportCli(const std::vector<char*>& args, std::ostream& out,
                 std::ostream& err) {
  const std::string command = args.size() > 1 ? args[1] : "";
  const std::string sub = args.size() > 2 ? args[2] : "";
  if ((command == "audit" && sub != "export") ||
      (command == "report" && sub != "weekly")) {
    err << "usage: frontdesk audit export | frontdesk report weekly | "
           "frontdesk simulate (see frontdesk help)\n";
    return 2;
  }
  ReportArgs a;
  a.actor_id = ToolFlag("actor");
  a.role = ToolFlag("role");
  a.purpose = ToolFlag("purpose");
  a.from = ToolFlag("from");
  a.to = ToolFlag("to");
  a.keyring_file = ToolFlag("keyring_file");
  a.format = absl::GetFlag(FLAGS_format);
  a.out_file = absl::GetFlag(FLAGS_out);
  a.examples = absl::GetFlag(FLAGS_examples);
  a.policy_in_force = absl::GetFlag(FLAGS_policy_in_force);
  if (command == "simulate") {
    a.candidate_policy = ToolFlag("policy");
    if (a.policy_in_force.empty()) {
      a.policy_in_force =
          EnvOrDefault("FRONTDESK_POLICY", "examples/clinic/policy.yaml");
    }
  } else if (a.policy_in_force.empty()) {
    a.policy_in_force = ToolFlag("policy");
  }
  auto settings = kafka::ParseKafkaSettings(ToolFlag("kafka_brokers"),
                                            ToolFlag("kafka_properties"));
  if (!settings.ok()) {
    err << "frontdesk " << command << ": " << settings.status().message()
        << "\n";
    return 2;
  }
  kafka::KafkaEventLogOptions options;
  options.client_id = "frontdesk-cli";
  options.warm_topics = {kafka::kAccessTopic};
  auto log = kafka::KafkaEventLog::Create(*settings, options);
  if (!log.ok()) {
    err << "frontdesk " << command
        << ": the access record cannot be written: " << log.status().message()
        << "\n";
    return 1;
  }
  events::EventChain chain(events::ThisProcess("frontdesk-cli"),
                           RealClock::Get());
  access::AccessRecorder recorder(log->get(), &chain, absl::Seconds(10));
  reports::KafkaRangeReader reader(*settings);
  ReportIo io;
  io.recorder = &recorder;
  io.read_topic = [&reader](const std::string& topic, absl::Time from,
                            absl::Time to) {
    return reader.Read(topic, from, to);
  };
  if (command == "audit") return RunAuditExport(a, io, out, err);
  if (command == "report") return RunWeeklyReport(a, io, out, err);
  return RunSimulate(a, io, out, err);
}

}  // namespace frontdesk::cli
