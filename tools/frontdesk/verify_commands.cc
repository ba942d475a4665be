#include "tools/frontdesk/verify_commands.h"

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/common/clock.h"
#include "libs/events/event_chain.h"
#include "libs/events/producer_identity.h"
#include "libs/kafka/kafka_event_log.h"
#include "libs/phi/phi_keyring.h"
#include "libs/policy/access_roles.h"
#include "libs/policy/clinic_policy.h"
#include "tools/frontdesk/log_window_reader.h"
#include "tools/frontdesk/time_range.h"

namespace frontdesk::cli {

namespace {

// The CLI's own producer of access events, for one command.
struct AccessSession {
  std::unique_ptr<kafka::KafkaEventLog> log;
  std::unique_ptr<events::EventChain> chain;
  std::unique_ptr<access::AccessRecorder> recorder;
};

absl::StatusOr<AccessSession> OpenAccessSession(
    const kafka::KafkaSettings& settings) {
  kafka::KafkaEventLogOptions options;
  options.client_id = "frontdesk-cli";
  options.warm_topics = {kafka::kAccessTopic};
  auto log = kafka::KafkaEventLog::Create(settings, options);
  if (!log.ok()) return log.status();
  AccessSession s;
  s.log = *std::move(log);
  s.chain = std::make_unique<events::EventChain>(
      events::ThisProcess("frontdesk-cli"), RealClock::Get());
  s.recorder = std::make_unique<access::AccessRecorder>(
      s.log.get(), s.chain.get(), absl::Seconds(10));
  return s;
}

// Loads the policy and keys, records the access (or its refusal), and
// returns the exit code to stop with, or nullopt to go on.
struct Prepared {
  std::optional<policy::ClinicPolicy> policy;
  std::optional<events::ProducerKeys> keys;
  std::optional<AccessSession> session;
};

std::optional<int> Prepare(const AuditArgs& args, const char* command,
                           Prepared* p, std::ostream& err) {
  if (absl::Status s = CheckAuditArgs(args); !s.ok()) {
    err << "frontdesk " << command << ": " << s.message() << "\n";
    return 2;
  }
  auto policy = policy::LoadPolicyFile(args.policy_file);
  if (!policy.ok()) {
    err << "frontdesk " << command
        << ": --policy: " << policy.status().message() << "\n";
    return 2;
  }
  p->policy.emplace(*std::move(policy));
  if (!args.producer_keys_dir.empty()) {
    auto keys = events::ProducerKeys::FromDirectory(args.producer_keys_dir);
    if (!keys.ok()) {
      err << "frontdesk " << command << ": " << keys.status().message() << "\n";
      return 2;
    }
    p->keys.emplace(*std::move(keys));
  }
  auto session = OpenAccessSession(args.kafka);
  if (!session.ok()) {
    err << "frontdesk " << command << ": the access record cannot be written: "
        << session.status().message() << "\n";
    return 1;
  }
  p->session.emplace(*std::move(session));
  return std::nullopt;
}

// Records the access; the exit code when it was refused or not recorded.
std::optional<int> Authorize(const AuditArgs& args, Prepared& p,
                             const char* command, const std::string& action,
                             const std::string& resource,
                             absl::string_view permission, std::ostream& err) {
  access::Access a;
  a.tenant_id = p.policy->tenant_id();
  a.policy_version = p.policy->version();
  a.actor_id = args.actor_id;
  a.role = args.role;
  a.action = action;
  a.resource = resource;
  a.purpose = args.purpose;
  a.via = "cli";
  absl::Status s = access::AuthorizeAndRecord(
      p.policy->proto(), *p.session->recorder, a, permission);
  if (s.ok()) return std::nullopt;
  if (s.code() == absl::StatusCode::kPermissionDenied) {
    err << "frontdesk " << command << ": refused: role \"" << args.role
        << "\" is not granted \"" << permission << "\" by policy "
        << p.policy->version() << " (the refusal is recorded)\n";
    return kExitRefused;
  }
  err << "frontdesk " << command
      << ": the access could not be recorded, so nothing was read: "
      << s.message() << "\n";
  return 1;
}

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

absl::StatusOr<absl::Time> ParseSince(absl::string_view flag,
                                      absl::string_view value) {
  absl::Time t;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, value, &t, &error) ||
      absl::ParseTime("%Y-%m-%d", value, absl::UTCTimeZone(), &t, &error)) {
    return t;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(flag, ": not a time (RFC 3339, or YYYY-MM-DD in UTC)"));
}

absl::Status CheckAuditArgs(const AuditArgs& args) {
  if (args.actor_id.empty()) {
    return absl::InvalidArgumentError("--actor: required (who you are)");
  }
  if (args.role.empty()) {
    return absl::InvalidArgumentError(
        "--role: required (the access role you act in, as the policy names "
        "it)");
  }
  if (args.purpose.empty()) {
    return absl::InvalidArgumentError(
        "--purpose: required (why you read the record)");
  }
  return absl::OkStatus();
}

std::string RenderReplay(const audit::CallCheck& check,
                         const Timeline& timeline, bool json) {
  if (json) {
    nlohmann::json j = audit::CallCheckJson(check);
    j["timeline"] = timeline.lines;
    return j.dump(2) + "\n";
  }
  std::string out = absl::StrCat("call ", check.call_id, "\n");
  for (const std::string& line : timeline.lines)
    absl::StrAppend(&out, line, "\n");
  absl::StrAppend(
      &out, check.records.size(), " records, ", check.intact_events,
      " intact events from ", check.producers, " producers, ",
      check.actions_checked, " actions checked against their decisions; ",
      check.signatures_checked
          ? absl::StrCat(check.signed_events, " signatures valid")
          : std::string("signatures NOT checked (no --producer_keys)"),
      "\n");
  if (check.findings.empty()) {
    absl::StrAppend(&out, "no findings: chains intact, every action allowed\n");
    return out;
  }
  absl::StrAppend(&out, check.findings.size(), " findings:\n");
  for (const audit::Finding& f : check.findings) {
    absl::StrAppend(&out, "  ", audit::FindingLine(f), "\n");
  }
  return out;
}

int RunReplayCommand(const AuditArgs& args, const std::string& call_id,
                     const std::string& keyring_file, std::ostream& out,
                     std::ostream& err) {
  if (call_id.empty()) {
    err << "frontdesk replay: --call: required\n";
    return 2;
  }
  std::optional<phi::PhiKeyring> keyring;
  if (!keyring_file.empty()) {
    auto k = phi::PhiKeyring::FromLocalFile(keyring_file);
    if (!k.ok()) {
      err << "frontdesk replay: --keyring_file: " << k.status().message()
          << "\n";
      return 2;
    }
    keyring.emplace(*std::move(k));
  }
  if (!args.since.empty()) {
    if (auto t = ParseSince("--since", args.since); !t.ok()) {
      err << "frontdesk replay: " << t.status().message() << "\n";
      return 2;
    }
  }
  Prepared p;
  if (auto code = Prepare(args, "replay", &p, err)) return *code;
  const std::string resource = absl::StrCat("call/", call_id);
  if (auto code = Authorize(args, p, "replay", "replay", resource,
                            policy::kPermReplay, err)) {
    return *code;
  }
  if (keyring.has_value()) {
    if (auto code = Authorize(args, p, "replay", "open_phi", resource,
                              policy::kPermPhiRead, err)) {
      return *code;
    }
  }
  absl::Time since = absl::InfinitePast();
  if (!args.since.empty()) {
    auto t = ParseSince("--since", args.since);
    if (!t.ok()) {
      err << "frontdesk replay: " << t.status().message() << "\n";
      return 2;
    }
    since = *t;
  }
  auto records = ReadLogWindow(args.kafka, kafka::kCallsTopic, since, &call_id,
                               args.read_timeout);
  if (!records.ok()) {
    err << "frontdesk replay: " << records.status().message() << "\n";
    return 1;
  }
  if (records->empty()) {
    err << "frontdesk replay: no events for call " << call_id << " in "
        << kafka::kCallsTopic << "\n";
    return 1;
  }
  const audit::CallCheck check = audit::CheckCall(
      call_id, *records, p.keys.has_value() ? &*p.keys : nullptr);
  const Timeline timeline = keyring.has_value()
                                ? BuildTimeline(call_id, *records, *keyring)
                                : BuildTimeline(call_id, *records, nullptr);
  out << RenderReplay(check, timeline, args.json);
  return check.findings.empty() ? 0 : kExitFindings;
}

int RunVerifyCommand(const AuditArgs& args, const std::string& from,
                     const std::string& to, std::ostream& out,
                     std::ostream& err) {
  auto range = ParseTimeRange(from, to);
  if (!range.ok()) {
    err << "frontdesk verify: " << range.status().message() << "\n";
    return 2;
  }
  Prepared p;
  if (auto code = Prepare(args, "verify", &p, err)) return *code;
  if (auto code = Authorize(args, p, "verify", "verify",
                            absl::StrCat("range/", range->ToString()),
                            policy::kPermVerify, err)) {
    return *code;
  }
  const auto read_start = std::chrono::steady_clock::now();
  auto records =
      ReadLogWindow(args.kafka, kafka::kCallsTopic, range->from - args.lookback,
                    nullptr, args.read_timeout);
  const auto read_end = std::chrono::steady_clock::now();
  if (!records.ok()) {
    err << "frontdesk verify: " << records.status().message() << "\n";
    return 1;
  }
  const audit::RangeCheck r = audit::VerifyCalls(
      *records, range->from, range->to, p.keys.has_value() ? &*p.keys : nullptr,
      static_cast<int>(std::thread::hardware_concurrency()));
  const auto check_end = std::chrono::steady_clock::now();
  const double read_s = Seconds(read_end - read_start);
  const double check_s = Seconds(check_end - read_end);
  const double n = static_cast<double>(r.records_read);
  if (args.json) {
    nlohmann::json j = audit::RangeCheckJson(r);
    j["read_seconds"] = read_s;
    j["check_seconds"] = check_s;
    j["events_per_second"] = n / (read_s + check_s);
    j["check_events_per_second"] = check_s > 0 ? n / check_s : 0.0;
    out << j.dump(2) << "\n";
  } else {
    out << audit::RangeCheckText(r)
        << absl::StrFormat(
               "%d records read in %.3f s, checked in %.3f s: %.0f events/s "
               "read and verified (%.0f events/s checking alone)\n",
               r.records_read, read_s, check_s, n / (read_s + check_s),
               check_s > 0 ? n / check_s : 0.0);
  }
  return r.findings.empty() ? 0 : kExitFindings;
}

}  // namespace frontdesk::cli
