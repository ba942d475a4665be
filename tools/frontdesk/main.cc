// frontdesk: the command-line tool for operators, staff and auditors.
//
//   frontdesk call [--script FILE]    talk to the front desk (answer service)
//   frontdesk replay --call ID        a call's timeline, read from Kafka
//   frontdesk policy check|show FILE  check or print a clinic policy, offline
//   frontdesk classify --policy FILE TEXT   decide one utterance, offline
//   frontdesk queue list|tail|claim|resolve  the staff queues (handoff-prep)
//
// Thin glue over call_script.h, replay_timeline.h, policy_commands.h and
// queue_commands.h.
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <iostream>
#include <optional>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/time/time.h"
#include "frontdesk/answer/v1/answer_service.grpc.pb.h"
#include "frontdesk/handoff/v1/staff_service.grpc.pb.h"
#include "libs/kafka/kafka_key_reader.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/serving/tls_flags.h"
#include "services/rules_check/handoff_map.h"
#include "tools/frontdesk/call_script.h"
#include "tools/frontdesk/keys_commands.h"
#include "tools/frontdesk/phi_map_commands.h"
#include "tools/frontdesk/policy_commands.h"
#include "tools/frontdesk/queue_commands.h"
#include "tools/frontdesk/records_commands.h"
#include "tools/frontdesk/reminders_commands.h"
#include "tools/frontdesk/replay_timeline.h"
#include "tools/frontdesk/report_commands.h"
#include "tools/frontdesk/tls_commands.h"
#include "tools/frontdesk/token_commands.h"
#include "tools/frontdesk/verify_commands.h"

namespace {

std::string EnvOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : std::string(fallback);
}

}  // namespace

ABSL_FLAG(std::string, answer, EnvOr("FRONTDESK_ANSWER_ADDR", "127.0.0.1:7101"),
          "call: the answer service address (env FRONTDESK_ANSWER_ADDR)");
ABSL_FLAG(std::string, tenant,
          EnvOr("FRONTDESK_TENANT", "sunrise-family-medicine"),
          "call: the clinic (env FRONTDESK_TENANT)");
ABSL_FLAG(std::string, script, "",
          "call: play the turns in this file, one per line");
ABSL_FLAG(bool, verbose, false,
          "call: also show each turn's lane, rule and decision id");
ABSL_FLAG(std::string, caller_number, "",
          "call: the caller's number, if known");
ABSL_FLAG(std::string, call, "", "replay: the call id");
ABSL_FLAG(std::string, kafka_brokers,
          EnvOr("FRONTDESK_KAFKA_BROKERS", "127.0.0.1:19092"),
          "replay: Kafka bootstrap servers (env FRONTDESK_KAFKA_BROKERS)");
ABSL_FLAG(std::string, kafka_properties,
          EnvOr("FRONTDESK_KAFKA_PROPERTIES", ""),
          "replay: extra librdkafka properties k=v,k=v");
ABSL_FLAG(std::string, keyring_file, "",
          "replay: open sealed PHI with the tenant keys in this keyring file "
          "(shows caller words)");
ABSL_FLAG(std::string, policy,
          EnvOr("FRONTDESK_POLICY", "examples/clinic/policy.yaml"),
          "classify: the clinic policy file (env FRONTDESK_POLICY)");
ABSL_FLAG(bool, jsonl, false,
          "classify: read one utterance per line from stdin, write one JSON "
          "object per line");

// replay and verify (tools/frontdesk/verify_commands.h); --from, --to,
// --actor and --purpose are shared by the audit tools.
ABSL_FLAG(std::string, producer_keys, EnvOr("FRONTDESK_PRODUCER_KEYS", ""),
          "replay, verify: a folder of trusted producer public keys "
          "(<service>.pub); every event's signature is then checked (env "
          "FRONTDESK_PRODUCER_KEYS)");
ABSL_FLAG(bool, json, false, "replay, verify: print JSON");
ABSL_FLAG(std::string, from, "",
          "verify (audit tools): start of the time range, RFC 3339 or "
          "YYYY-MM-DD (UTC)");
ABSL_FLAG(std::string, to, "",
          "verify (audit tools): end of the time range (exclusive)");
ABSL_FLAG(std::string, actor, EnvOr("FRONTDESK_ACTOR", ""),
          "audit tools: who you are, for the access record (env "
          "FRONTDESK_ACTOR)");
ABSL_FLAG(std::string, purpose, "",
          "audit tools: why you read the record, for the access record");
ABSL_FLAG(std::string, since, "",
          "replay: read the log from this time on (RFC 3339 or YYYY-MM-DD), "
          "at or before the call began; empty: from the start of the topic");
ABSL_FLAG(absl::Duration, lookback, absl::Hours(24),
          "verify: how long before --from a call in range may have begun");

ABSL_FLAG(std::string, handoff_prep,
          EnvOr("FRONTDESK_HANDOFF_PREP_ADDR", "127.0.0.1:7103"),
          "queue: the handoff-prep address (env FRONTDESK_HANDOFF_PREP_ADDR)");
ABSL_FLAG(std::string, queue, "", "queue list|tail: the staff queue");
ABSL_FLAG(std::string, staff_id, EnvOr("FRONTDESK_STAFF_ID", ""),
          "queue: who you are (env FRONTDESK_STAFF_ID)");
ABSL_FLAG(std::string, role, EnvOr("FRONTDESK_STAFF_ROLE", ""),
          "queue: the role you act in, as the policy names it (env "
          "FRONTDESK_STAFF_ROLE)");
ABSL_FLAG(std::string, token, EnvOr("FRONTDESK_STAFF_TOKEN", ""),
          "queue: your staff token (env FRONTDESK_STAFF_TOKEN); see "
          "`frontdesk token issue`");
ABSL_FLAG(std::string, break_glass_reason, "",
          "queue list|tail: emergency access to a queue your role does not "
          "serve, with this reason (recorded as break glass)");
ABSL_FLAG(std::string, note, "", "queue resolve: what was done");

namespace av = ::frontdesk::answer::v1;
namespace hv = ::frontdesk::handoff::v1;

namespace {

constexpr char kUsage[] =
    "frontdesk: the command-line tool of the frontdesk system.\n\n"
    "  frontdesk call [--answer ADDR] [--script FILE] [--caller_number N] "
    "[--verbose]\n"
    "      Talk to the front desk. Interactive on a terminal; with --script,\n"
    "      plays the turns in FILE (one per line, '#' comments).\n"
    "  frontdesk replay --call ID --actor A --role R --purpose P\n"
    "                   [--producer_keys DIR] [--keyring_file F] [--json]\n"
    "                   [--since T]\n"
    "      A call's timeline read straight from Kafka, verified: hashes,\n"
    "      producer signatures (with --producer_keys), per-producer chains,\n"
    "      and every action against the decision that allowed it. The\n"
    "      role needs `replay` (and `phi.read` with --keyring_file, which\n"
    "      opens the sealed PHI); the access is recorded. Exit 0 intact,\n"
    "      3 findings, 4 refused.\n"
    "  frontdesk verify --from T --to T --actor A --role R --purpose P\n"
    "                   [--producer_keys DIR] [--json] [--lookback 24h]\n"
    "      The same checks over every call with an event in [from, to);\n"
    "      a summary with findings by kind and events/s. Needs `verify`.\n"
    "  frontdesk token keygen --out_dir DIR | token issue --issuer_key_file F\n"
    "                  --subject S --token_role R [--ttl_minutes N]\n"
    "      A staff token issuer's key pair, or a signed staff token for\n"
    "      local runs; queue commands send it with --token (env\n"
    "      FRONTDESK_STAFF_TOKEN).\n"
    "  frontdesk keys init|rotate|list|shred --tenant T --keyring_file F\n"
    "                  [--kek_file K] [--before DATE|retention]\n"
    "      The wrapped PHI keyring: make it, rotate the active key, list the\n"
    "      keys, destroy keys retired before DATE (shred records the access).\n"
    "  frontdesk tls init --out_dir DIR [--force]\n"
    "      Write a development CA and mTLS certificates for the services and\n"
    "      this tool. call and queue talk mTLS with --tls_dir DIR (env\n"
    "      FRONTDESK_TLS_DIR), or plaintext with --plaintext_for_development.\n"
    "  frontdesk policy check FILE\n"
    "      Check a clinic policy. Exit 0 with a summary, or 1 with every "
    "error\n"
    "      as file:line:column: message.\n"
    "  frontdesk policy show FILE\n"
    "      Print the policy's queues, lanes, categories, triggers, owners,\n"
    "      backups and windows.\n"
    "  frontdesk classify [--policy FILE] TEXT | --jsonl\n"
    "      Decide an utterance as rules-check would, offline, and print one\n"
    "      JSON object (lane, category, request_type, trigger, span, rule_id,\n"
    "      policy_version). With --jsonl, one utterance per stdin line.\n"
    "  (queue commands: --token T, or --staff_id ID --role R for a "
    "handoff-prep\n"
    "   run with --asserted_staff_identity_for_development)\n"
    "  frontdesk queue list --queue Q --staff_id ID --role R\n"
    "  frontdesk queue tail --queue Q --staff_id ID --role R\n"
    "  frontdesk queue claim HANDOFF_ID --staff_id ID --role R\n"
    "  frontdesk queue resolve HANDOFF_ID --note TEXT --staff_id ID --role R\n"
    "      The staff queues of handoff-prep: open handoffs urgent first,\n"
    "      live changes, claiming and resolving. Every call is recorded as\n"
    "      an access on frontdesk.access.v1.\n"
    "  frontdesk audit export --from T --to T --actor A --role R --purpose P\n"
    "                   [--format fhir|jsonl] [--out FILE] [--keyring_file F]\n"
    "      FHIR R4 Bundle of AuditEvents (or one JSON object per line) for\n"
    "      calls, decisions, handoffs, policy events and accesses. Needs\n"
    "      `export`; patient entities only with --keyring_file and phi.read.\n"
    "  frontdesk report weekly --from T --to T --actor A --role R --purpose P\n"
    "                   [--format text|csv|html] [--out FILE] [--keyring_file "
    "F]\n"
    "      The weekly review (docs/AUDIT.md). Needs `report`.\n"
    "  frontdesk simulate --policy CANDIDATE --from T --to T --keyring_file F\n"
    "                   --actor A --role R --purpose P [--policy_in_force P]\n"
    "      Replays recorded turns through a candidate policy; every decision\n"
    "      that would change, by old lane -> new lane. Needs `simulate` and\n"
    "      `phi.read`. All three record their access; exit 4 when refused.\n"
    "  frontdesk phi-map --policy FILE [--values helm-values.yaml]\n"
    "                   [--format text|html] [--out FILE]\n"
    "      Where patient data goes, from the policy the services enforce:\n"
    "      fields, topics, queues, subprocessors (BAA), roles, retention,\n"
    "      failure behaviour, audit topics. Reads no PHI.\n"
    "  frontdesk reminders run --once --sink FILE --schedule_db FILE\n"
    "                   [--replies FILE] [--schedule FILE] [--policy FILE]\n"
    "                   [--now RFC3339]\n"
    "      One pass of the reminder worker over the embedded schedule store:\n"
    "      messages to the file sink, replies scripted from --replies, every\n"
    "      event and handoff printed. Nothing unless rollout_mode is\n"
    "      reminders.\n\n"
    "Run 'frontdesk --help' for every flag.";

int RunCall() {
  auto channel = frontdesk::serving::ChannelFromFlags(
      "frontdesk-cli", absl::GetFlag(FLAGS_answer), "answer");
  if (!channel.ok()) {
    std::cerr << "frontdesk call: " << channel.status().message() << "\n";
    return 2;
  }
  auto stub = av::Answer::NewStub(*channel);
  std::vector<std::string> scripted;
  const bool from_script = !absl::GetFlag(FLAGS_script).empty();
  if (from_script) {
    auto turns = frontdesk::cli::LoadCallScript(absl::GetFlag(FLAGS_script));
    if (!turns.ok()) {
      std::cerr << "frontdesk call: " << turns.status().message() << "\n";
      return 2;
    }
    scripted = *std::move(turns);
  }
  const bool interactive = !from_script && isatty(STDIN_FILENO);

  av::StartCallRequest start;
  start.set_tenant_id(absl::GetFlag(FLAGS_tenant));
  start.set_channel(av::CHANNEL_VOICE);
  start.set_direction(av::DIRECTION_INBOUND);
  start.set_reason(av::CALL_REASON_AFTER_HOURS);
  start.set_caller_number(absl::GetFlag(FLAGS_caller_number));
  av::StartCallResponse started;
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    grpc::Status s = stub->StartCall(&ctx, start, &started);
    if (!s.ok()) {
      std::cerr << "frontdesk call: answer at " << absl::GetFlag(FLAGS_answer)
                << ": " << s.error_message() << " (code " << s.error_code()
                << ")\n";
      return 1;
    }
  }
  std::cout << "frontdesk: " << started.greeting() << "\n";
  if (started.fallback()) {
    std::cout << "(the call could not be recorded; nothing was done)\n";
    return 1;
  }
  const std::string call_id = started.call_id();
  std::cout << "(call " << call_id << ")\n";

  size_t next = 0;
  bool over = false;
  while (!over) {
    std::string line;
    if (from_script) {
      if (next >= scripted.size()) break;
      line = scripted[next++];
      std::cout << "caller:    " << line << "\n";
    } else {
      if (interactive) std::cout << "you> " << std::flush;
      if (!std::getline(std::cin, line)) break;
      if (line.empty()) continue;
    }
    av::TurnRequest turn;
    turn.set_call_id(call_id);
    turn.set_utterance(line);
    av::TurnResponse reply;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(15));
    grpc::Status s = stub->Turn(&ctx, turn, &reply);
    if (!s.ok()) {
      std::cout << "(turn refused: " << s.error_message() << ")\n";
      continue;
    }
    std::cout << "frontdesk: " << reply.reply() << "\n";
    std::string notes;
    for (const auto& q : reply.quoted_texts()) notes += " quoted=" + q;
    if (!reply.asking_for().empty()) notes += " asking=" + reply.asking_for();
    if (!reply.handoff_id().empty()) notes += " handoff=" + reply.handoff_id();
    if (reply.fallback()) notes += " FALLBACK (no action taken)";
    if (absl::GetFlag(FLAGS_verbose) && !reply.decision_id().empty()) {
      notes += " lane=" + reply.lane() + " rule=" + reply.rule_id() +
               " decision=" + reply.decision_id();
    }
    std::cout << "           [" << av::CallState_Name(reply.state()) << notes
              << "]\n";
    over = reply.call_over();
  }
  av::EndCallRequest end;
  end.set_call_id(call_id);
  av::EndCallResponse ended;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::Status s = stub->EndCall(&ctx, end, &ended);
  if (!s.ok())
    std::cout << "(end of call not recorded: " << s.error_message() << ")\n";
  std::cout << "(call " << call_id
            << " ended; replay it with: frontdesk replay --call " << call_id
            << ")\n";
  return 0;
}

frontdesk::cli::AuditArgs AuditArgsFromFlags() {
  frontdesk::cli::AuditArgs a;
  a.actor_id = absl::GetFlag(FLAGS_actor);
  a.role = absl::GetFlag(FLAGS_role);
  a.purpose = absl::GetFlag(FLAGS_purpose);
  a.policy_file = absl::GetFlag(FLAGS_policy);
  a.producer_keys_dir = absl::GetFlag(FLAGS_producer_keys);
  a.json = absl::GetFlag(FLAGS_json);
  a.since = absl::GetFlag(FLAGS_since);
  a.lookback = absl::GetFlag(FLAGS_lookback);
  return a;
}

int RunAudit(const char* command) {
  frontdesk::cli::AuditArgs a = AuditArgsFromFlags();
  auto settings = frontdesk::kafka::ParseKafkaSettings(
      absl::GetFlag(FLAGS_kafka_brokers),
      absl::GetFlag(FLAGS_kafka_properties));
  if (!settings.ok()) {
    std::cerr << "frontdesk " << command << ": " << settings.status().message()
              << "\n";
    return 2;
  }
  a.kafka = *std::move(settings);
  if (std::string(command) == "replay") {
    return frontdesk::cli::RunReplayCommand(a, absl::GetFlag(FLAGS_call),
                                            absl::GetFlag(FLAGS_keyring_file),
                                            std::cout, std::cerr);
  }
  return frontdesk::cli::RunVerifyCommand(a, absl::GetFlag(FLAGS_from),
                                          absl::GetFlag(FLAGS_to), std::cout,
                                          std::cerr);
}

int RunPolicy(const std::vector<char*>& rest) {
  if (rest.size() != 4 ||
      (std::string(rest[2]) != "check" && std::string(rest[2]) != "show")) {
    std::cerr << "usage: frontdesk policy check|show FILE\n";
    return 2;
  }
  const std::string path = rest[3];
  if (std::string(rest[2]) == "check")
    return frontdesk::cli::CheckPolicy(path, std::cout, std::cerr);
  auto p = frontdesk::policy::LoadPolicyFile(path);
  if (!p.ok()) {
    std::cerr << p.status().message() << "\n";
    return 1;
  }
  std::cout << frontdesk::cli::PolicyTable(*p);
  return 0;
}

int RunClassify(const std::vector<char*>& rest) {
  auto p = frontdesk::policy::LoadPolicyFile(absl::GetFlag(FLAGS_policy));
  if (!p.ok()) {
    std::cerr << "frontdesk classify: " << p.status().message() << "\n";
    return 2;
  }
  frontdesk::rules_check::HandoffMap map(
      std::make_shared<const frontdesk::policy::ClinicPolicy>(*std::move(p)));
  const frontdesk::rules::v1::CallContext none;
  if (absl::GetFlag(FLAGS_jsonl)) {
    std::string line;
    while (std::getline(std::cin, line)) {
      std::cout << frontdesk::cli::DecisionJson(map.Evaluate(line, {}, none))
                << "\n";
    }
    return 0;
  }
  std::string text;
  for (size_t i = 2; i < rest.size(); ++i) {
    if (!text.empty()) text += " ";
    text += rest[i];
  }
  if (text.empty()) {
    std::cerr
        << "usage: frontdesk classify [--policy FILE] TEXT   (or --jsonl)\n";
    return 2;
  }
  std::cout << frontdesk::cli::DecisionJson(map.Evaluate(text, {}, none))
            << "\n";
  return 0;
}

}  // namespace

// Prints a gRPC failure and returns the exit code.
int Refused(const char* what, const grpc::Status& s) {
  std::cerr << "frontdesk queue " << what << ": " << s.error_message()
            << " (code " << s.error_code() << ")\n";
  return s.error_code() == grpc::StatusCode::PERMISSION_DENIED ||
                 s.error_code() == grpc::StatusCode::FAILED_PRECONDITION
             ? 3
             : 1;
}

int RunQueue(const std::vector<char*>& args) {
  if (args.size() < 3) {
    std::cerr << kUsage << "\n";
    return 2;
  }
  const std::string sub = args[2];
  if (absl::GetFlag(FLAGS_token).empty() &&
      (absl::GetFlag(FLAGS_staff_id).empty() ||
       absl::GetFlag(FLAGS_role).empty())) {
    std::cerr << "frontdesk queue: --token is required (or --staff_id and "
                 "--role for a development handoff-prep)\n";
    return 2;
  }
  auto channel = frontdesk::serving::ChannelFromFlags(
      "frontdesk-cli", absl::GetFlag(FLAGS_handoff_prep), "handoff-prep");
  if (!channel.ok()) {
    std::cerr << "frontdesk queue: " << channel.status().message() << "\n";
    return 2;
  }
  auto stub = hv::StaffQueue::NewStub(*channel);
  auto context = [](grpc::ClientContext* ctx) {
    if (!absl::GetFlag(FLAGS_token).empty()) {
      ctx->AddMetadata("authorization", "Bearer " + absl::GetFlag(FLAGS_token));
    }
    if (!absl::GetFlag(FLAGS_break_glass_reason).empty()) {
      ctx->AddMetadata("x-break-glass-reason",
                       absl::GetFlag(FLAGS_break_glass_reason));
    }
    // Counted only by a handoff-prep in development mode.
    ctx->AddMetadata("x-staff-id", absl::GetFlag(FLAGS_staff_id));
    ctx->AddMetadata("x-staff-role", absl::GetFlag(FLAGS_role));
  };
  if (sub == "list" || sub == "tail") {
    if (absl::GetFlag(FLAGS_queue).empty()) {
      std::cerr << "frontdesk queue " << sub << ": --queue is required\n";
      return 2;
    }
    if (sub == "list") {
      hv::ListOpenRequest req;
      req.set_queue(absl::GetFlag(FLAGS_queue));
      hv::ListOpenResponse resp;
      grpc::ClientContext ctx;
      context(&ctx);
      grpc::Status s = stub->ListOpen(&ctx, req, &resp);
      if (!s.ok()) return Refused("list", s);
      if (resp.handoffs().empty()) std::cout << "(no open handoffs)\n";
      for (const auto& v : resp.handoffs())
        std::cout << frontdesk::cli::HandoffDetails(v);
      if (resp.open_total() > static_cast<uint32_t>(resp.handoffs_size())) {
        std::cout << "(the " << resp.handoffs_size() << " most urgent of "
                  << resp.open_total() << " open handoffs)\n";
      }
      return 0;
    }
    hv::WatchRequest req;
    req.set_queue(absl::GetFlag(FLAGS_queue));
    grpc::ClientContext ctx;
    context(&ctx);
    auto reader = stub->Watch(&ctx, req);
    hv::HandoffView v;
    while (reader->Read(&v)) {
      std::cout << frontdesk::cli::HandoffDetails(v) << std::flush;
    }
    grpc::Status s = reader->Finish();
    return s.ok() ? 0 : Refused("tail", s);
  }
  if (sub == "claim" || sub == "resolve") {
    if (args.size() < 4) {
      std::cerr << "frontdesk queue " << sub << ": the handoff id is "
                << "required\n";
      return 2;
    }
    grpc::ClientContext ctx;
    context(&ctx);
    hv::HandoffView v;
    grpc::Status s;
    if (sub == "claim") {
      hv::ClaimRequest req;
      req.set_handoff_id(args[3]);
      s = stub->Claim(&ctx, req, &v);
    } else {
      hv::ResolveRequest req;
      req.set_handoff_id(args[3]);
      req.set_note(absl::GetFlag(FLAGS_note));
      s = stub->Resolve(&ctx, req, &v);
    }
    if (!s.ok()) return Refused(sub.c_str(), s);
    std::cout << frontdesk::cli::HandoffDetails(v);
    return 0;
  }
  std::cerr << "frontdesk queue: unknown command \"" << sub << "\"\n";
  return 2;
}

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() < 2) {
    std::cerr << kUsage << "\n";
    return 2;
  }
  const std::string command = rest[1];
  if (command == "call") return RunCall();
  if (command == "replay" || command == "verify") {
    return RunAudit(command.c_str());
  }
  if (command == "policy") return RunPolicy(rest);
  if (command == "classify") return RunClassify(rest);
  if (command == "queue") return RunQueue(rest);
  if (command == "records")
    return frontdesk::cli::RunRecordsCli(
        rest, absl::GetFlag(FLAGS_kafka_brokers),
        absl::GetFlag(FLAGS_kafka_properties), std::cout, std::cerr);
  if (command == "token") {
    return frontdesk::cli::RunToken({rest.begin() + 1, rest.end()}, std::cout,
                                    std::cerr);
  }
  if (command == "keys")
    return frontdesk::cli::RunKeysCli(rest, std::cout, std::cerr);
  if (command == "tls") {
    return frontdesk::cli::RunTls({rest.begin() + 1, rest.end()}, std::cout,
                                  std::cerr);
  }
  if (command == "audit")
    return frontdesk::cli::RunReportCli(rest, std::cout, std::cerr);
  if (command == "report")
    return frontdesk::cli::RunReportCli(rest, std::cout, std::cerr);
  if (command == "simulate")
    return frontdesk::cli::RunReportCli(rest, std::cout, std::cerr);
  if (command == "phi-map") {
    return frontdesk::cli::RunPhiMapCli(rest, absl::GetFlag(FLAGS_policy),
                                        std::cout, std::cerr);
  }
  if (command == "reminders") {
    return frontdesk::cli::RunRemindersCli(rest, absl::GetFlag(FLAGS_policy),
                                           std::cout, std::cerr);
  }
  if (command == "help") {
    std::cout << kUsage << "\n";
    return 0;
  }
  std::cerr << "frontdesk: unknown command \"" << command << "\"\n\n"
            << kUsage << "\n";
  return 2;
}
