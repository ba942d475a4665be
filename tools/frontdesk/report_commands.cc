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

// What a command needs before it reads the log.
struct Loaded {
  std::optional<policy::ClinicPolicy> policy;
  std::optional<phi::PhiKeyring> keyring;
  TimeRange range;
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

// Checks the arguments, loads the policy (and keyring), and records the
// access (and the PHI access).
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
  return std::nullopt;
}

// Folds every event of the range and tenant, topic by topic, as it is read.
std::optional<int> ForEachEvent(
    const char* command, ReportIo& io, const Loaded& l,
    const std::function<void(const reports::LoggedEvent&)>& fold,
    std::ostream& err) {
  reports::EventFilter filter(l.range.from, l.range.to, l.policy->tenant_id());
  for (const char* topic :
       {kafka::kCallsTopic, kafka::kAccessTopic, kafka::kPolicyTopic}) {
    absl::Status st = io.for_each_record(
        topic, l.range.from, l.range.to, [&](eventlog::StoredRecord r) {
          std::optional<reports::LoggedEvent> e = filter.Open(r);
          if (e.has_value()) fold(*e);
        });
    if (st.code() == absl::StatusCode::kNotFound) continue;
    if (!st.ok()) {
      err << "frontdesk " << command << ": reading " << topic << ": "
          << st.message() << "\n";
      return 1;
    }
  }
  if (filter.damaged() > 0) {
    err << "frontdesk " << command << ": " << filter.damaged()
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

// Where a command writes: --out, or `out`.
class Output {
 public:
  Output(const ReportArgs& args, std::ostream& out) : path_(args.out_file) {
    if (path_.empty()) {
      stream_ = &out;
    } else {
      file_.open(path_, std::ios::binary | std::ios::trunc);
      stream_ = &file_;
    }
  }
  std::ostream& stream() { return *stream_; }
  // The exit code: 0, or 1 when the output could not be written.
  int Close(const char* command, std::ostream& err) {
    stream_->flush();
    if (!path_.empty()) file_.close();
    if (!*stream_) {
      err << "frontdesk " << command << ": --out: cannot write "
          << (path_.empty() ? std::string("standard output") : path_) << "\n";
      return 1;
    }
    return 0;
  }

 private:
  std::string path_;
  std::ofstream file_;
  std::ostream* stream_;
};

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
  // Patient details come from later events of a call: learn them first.
  if (l.keyring.has_value()) {
    if (auto code = ForEachEvent(
            kCmd, io, l, [&](const reports::LoggedEvent& e) { x.Learn(e); },
            err)) {
      return *code;
    }
  }
  Output o(args, out);
  std::optional<int> code;
  if (format == "fhir") {
    reports::AuditBundleWriter w(&o.stream());
    code = ForEachEvent(
        kCmd, io, l,
        [&](const reports::LoggedEvent& e) {
          if (auto r = x.ToAuditEvent(e)) w.Add(*r);
        },
        err);
    w.Finish();
  } else {
    code = ForEachEvent(
        kCmd, io, l,
        [&](const reports::LoggedEvent& e) {
          if (auto p = x.ToPlain(e)) o.stream() << p->dump() << "\n";
        },
        err);
  }
  const int closed = o.Close(kCmd, err);
  return code.has_value() ? *code : closed;
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
  reports::WeeklyReportBuilder b(l.range.from, l.range.to, OpenerOf(l),
                                 absl::Now());
  if (auto code = ForEachEvent(
          kCmd, io, l, [&](const reports::LoggedEvent& e) { b.Apply(e); },
          err)) {
    return *code;
  }
  const reports::WeeklyReport r = b.Finish();
  const std::string text = format == "csv"    ? reports::WeeklyReportCsv(r)
                           : format == "html" ? reports::WeeklyReportHtml(r)
                                              : reports::WeeklyReportText(r);
  Output o(args, out);
  o.stream() << text;
  return o.Close(kCmd, err);
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
  if (auto code = ForEachEvent(
          kCmd, io, l, [&](const reports::LoggedEvent& e) { sim.Apply(e); },
          err)) {
    return *code;
  }
  const reports::SimulationResult r = sim.Finish();
  std::string text = absl::StrCat("Policy in force: ", l.policy->version(),
                                  "; range ", l.range.ToString(), "\n");
  absl::StrAppend(&text, reports::SimulationText(
                             r, static_cast<size_t>(std::max(0, args.examples)),
                             /*show_words=*/true));
  Output o(args, out);
  o.stream() << text;
  return o.Close(kCmd, err);
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
  io.for_each_record =
      [&reader](const std::string& topic, absl::Time from, absl::Time to,
                const std::function<void(eventlog::StoredRecord)>& each) {
        return reader.ForEach(topic, from, to, each);
      };
  if (command == "audit") return RunAuditExport(a, io, out, err);
  if (command == "report") return RunWeeklyReport(a, io, out, err);
  return RunSimulate(a, io, out, err);
}

}  // namespace frontdesk::cli
