// Scripted multi-turn calls, run through the real department: the four
// services as processes and the real broker, no fakes. The calls are data,
// in tests/scenarios/answer_scenarios.txt (its header describes the format);
// each scenario is a test of its own, and all of them share one department.
//
// Besides a scenario's own expectations, every scenario is checked for:
//   - a greeting, and replies made only of the approved texts they quote,
//     joined by one space (the date read-back excepted);
//   - intact hash chains on frontdesk.calls.v1, and one answer process more
//     on them for each restart;
//   - one ReplyGiven on the log for each turn, with the same texts and reply
//     (a reply that repeats the caller's details sealed); every ReplyGiven,
//     FieldCollected and HandoffPrepared citing a decision that was recorded
//     for the call;
//   - exactly the handoffs the scenario expects, each with its packet on its
//     queue's topic, telling the patient what the reply told them;
//   - none of the caller's words, nor the caller's number, in the clear in
//     any record of the call, on the calls topic or on a handoff topic.
//
// FRONTDESK_SCENARIO_TRACE=1 prints each call as played, in the file's own
// syntax, which helps when writing a new scenario.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "frontdesk/answer/v1/answer_service.pb.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/handoff/v1/handoff_service.pb.h"
#include "gtest/gtest.h"
#include "libs/events/chain_verifier.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_key_reader.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/phi/phi_keyring.h"
#include "libs/policy/clinic_policy.h"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;

constexpr char kScenarioPath[] =
    FRONTDESK_SOURCE_DIR "/tests/scenarios/answer_scenarios.txt";
constexpr char kScenarioFile[] = "tests/scenarios/answer_scenarios.txt";
constexpr char kPolicyPath[] =
    FRONTDESK_SOURCE_DIR "/examples/clinic/policy.yaml";
constexpr char kReadBackText[] = "read-back-date-of-birth@1";
// Caller words this short ("yes", "no") are not checked for in the raw
// records: they occur there by chance.
constexpr size_t kMaxUncheckedChars = 3;

// ---------------------------------------------------------------------------
// The scenario file.

// What one reply must be. Unset fields are not checked, except the handoff
// and the end of the call: a reply with no `handoff` must have none, and a
// reply with no `over` must not end the call.
struct ReplyExpectation {
  std::optional<std::vector<std::string>> texts;
  std::optional<av::CallState> state;
  std::optional<std::string> asking;
  std::string handoff_queue;
  bool over = false;
  std::optional<std::string> lane;
  std::optional<std::string> rule;
  std::vector<std::string> reply_contains;
  // The keys given so far, to refuse one given twice.
  std::set<std::string> keys;
};

// A caller turn, or the kill and restart of the answer process.
struct Step {
  int line = 0;
  bool restart = false;
  std::string words;
  ReplyExpectation expect;
};

struct EventCount {
  int line = 0;
  std::string type;
  int count = 0;
};

struct PacketCheck {
  int line = 0;
  std::string queue;
  bool consent_declined = false;
  std::optional<std::vector<std::string>> fields;
};

struct ValueCheck {
  int line = 0;
  std::string field;
  std::string value;
};

struct Scenario {
  std::string name;
  std::string test_name;
  int line = 0;
  std::string caller_number;
  std::vector<Step> steps;
  std::vector<EventCount> event_counts;
  std::vector<PacketCheck> packets;
  std::vector<ValueCheck> values;
};

// "Refill, then DOB read back" -> "Refill_then_DOB_read_back".
std::string TestName(absl::string_view name) {
  std::string out;
  bool gap = false;
  for (char c : name) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      if (gap && !out.empty()) out.push_back('_');
      out.push_back(c);
      gap = false;
    } else {
      gap = true;
    }
  }
  return out;
}

std::set<std::string> EventTypeNames() {
  std::set<std::string> names;
  const auto* d = ev::EventType_descriptor();
  for (int i = 0; i < d->value_count(); ++i) {
    const auto type = static_cast<ev::EventType>(d->value(i)->number());
    if (type != ev::EVENT_TYPE_UNSPECIFIED)
      names.insert(events::EventTypeName(type));
  }
  return names;
}

std::optional<av::CallState> ParseState(absl::string_view name) {
  av::CallState s = av::CALL_STATE_UNSPECIFIED;
  if (name.empty() ||
      !av::CallState_Parse(
          absl::StrCat("CALL_STATE_", absl::AsciiStrToUpper(name)), &s) ||
      s == av::CALL_STATE_UNSPECIFIED) {
    return std::nullopt;
  }
  return s;
}

std::string StateName(av::CallState s) {
  return absl::AsciiStrToLower(
      av::CallState_Name(s).substr(std::string("CALL_STATE_").size()));
}

class ScenarioParser {
 public:
  explicit ScenarioParser(std::string file) : file_(std::move(file)) {}

  absl::StatusOr<std::vector<Scenario>> Parse(absl::string_view text) {
    for (absl::string_view raw : absl::StrSplit(text, '\n')) {
      ++line_;
      absl::Status st = Line(absl::StripAsciiWhitespace(raw));
      if (!st.ok()) return st;
    }
    if (scenarios_.empty()) return Error(line_, "no scenario in the file");
    absl::Status st = Finish();
    if (!st.ok()) return st;
    return std::move(scenarios_);
  }

 private:
  absl::Status Error(int line, absl::string_view why) const {
    return absl::InvalidArgumentError(
        absl::StrCat(file_, ":", line, ": ", why));
  }
  absl::Status Error(absl::string_view why) const { return Error(line_, why); }

  // Checks the scenario that just ended.
  absl::Status Finish() {
    if (scenarios_.empty()) return absl::OkStatus();
    const Scenario& s = scenarios_.back();
    bool any_turn = false;
    for (const Step& step : s.steps) {
      if (step.restart) continue;
      any_turn = true;
      if (!step.expect.texts.has_value()) {
        return Error(step.line,
                     "a turn needs a `< texts ...` line with the approved "
                     "texts its reply quotes");
      }
    }
    if (!any_turn) return Error(s.line, "a scenario needs at least one turn");
    return absl::OkStatus();
  }

  absl::Status Line(absl::string_view line) {
    if (line.empty()) return absl::OkStatus();
    if (absl::ConsumePrefix(&line, "## ")) {
      absl::Status st = Finish();
      if (!st.ok()) return st;
      Scenario s;
      s.name = std::string(absl::StripAsciiWhitespace(line));
      s.test_name = TestName(s.name);
      s.line = line_;
      if (s.test_name.empty()) return Error("a scenario needs a name");
      auto [it, fresh] = names_.emplace(s.test_name, line_);
      if (!fresh) {
        return Error(absl::StrCat("scenario name \"", s.name,
                                  "\" is already used at line ", it->second));
      }
      scenarios_.push_back(std::move(s));
      return absl::OkStatus();
    }
    if (line[0] == '#') return absl::OkStatus();
    if (scenarios_.empty()) {
      return Error("expected \"## <scenario name>\" before anything else");
    }
    Scenario& s = scenarios_.back();
    const bool checks_begun =
        !s.event_counts.empty() || !s.packets.empty() || !s.values.empty();
    if (absl::ConsumePrefix(&line, "caller:")) {
      if (!s.steps.empty()) return Error("`caller:` must come before turns");
      s.caller_number = std::string(absl::StripAsciiWhitespace(line));
      if (s.caller_number.empty()) return Error("`caller:` needs a number");
      return absl::OkStatus();
    }
    if (absl::ConsumePrefix(&line, ">")) {
      if (checks_begun) return Error("a turn after the `=` checks");
      Step step;
      step.line = line_;
      step.words = std::string(absl::StripAsciiWhitespace(line));
      if (step.words.empty()) return Error("a turn needs words");
      s.steps.push_back(std::move(step));
      return absl::OkStatus();
    }
    if (absl::ConsumePrefix(&line, "<")) {
      if (s.steps.empty() || s.steps.back().restart) {
        return Error("an expectation with no turn above it");
      }
      return Expectations(line, &s.steps.back().expect);
    }
    if (absl::ConsumePrefix(&line, "!")) {
      if (absl::StripAsciiWhitespace(line) != "restart")
        return Error("the only `!` action is `! restart`");
      if (checks_begun) return Error("`! restart` after the `=` checks");
      Step step;
      step.line = line_;
      step.restart = true;
      s.steps.push_back(std::move(step));
      return absl::OkStatus();
    }
    if (absl::ConsumePrefix(&line, "=")) {
      if (s.steps.empty()) return Error("a `=` check before any turn");
      return Check(absl::StripAsciiWhitespace(line), &s);
    }
    return Error(
        absl::StrCat("not a line of the scenario format: \"", line, "\""));
  }

  absl::Status Expectations(absl::string_view line, ReplyExpectation* e) {
    for (absl::string_view part : absl::StrSplit(line, ';')) {
      part = absl::StripAsciiWhitespace(part);
      if (part.empty()) continue;
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(part, absl::MaxSplits(' ', 1));
      const std::string key(kv.first);
      const std::string value(absl::StripAsciiWhitespace(kv.second));
      if (key != "reply-contains" && !e->keys.insert(key).second) {
        return Error(absl::StrCat("`", key, "` given twice for one turn"));
      }
      const bool flag = key == "no-handoff" || key == "over";
      if (flag && !value.empty())
        return Error(absl::StrCat("`", key, "` takes no value"));
      if (!flag && value.empty())
        return Error(absl::StrCat("`", key, "` needs a value"));
      if (key == "texts") {
        std::vector<std::string> texts =
            absl::StrSplit(value, ' ', absl::SkipWhitespace());
        for (const std::string& t : texts) {
          const size_t at = t.find('@');
          int version = 0;
          if (at == std::string::npos || at == 0 ||
              !absl::SimpleAtoi(t.substr(at + 1), &version) || version < 1) {
            return Error(
                absl::StrCat("`texts` takes id@version, not \"", t, "\""));
          }
        }
        e->texts = std::move(texts);
      } else if (key == "state") {
        e->state = ParseState(value);
        if (!e->state.has_value())
          return Error(absl::StrCat("not a call state: \"", value, "\""));
      } else if (key == "asking") {
        e->asking = value == "-" ? "" : value;
      } else if (key == "handoff") {
        if (e->keys.count("no-handoff") > 0)
          return Error("both `handoff` and `no-handoff`");
        e->handoff_queue = value;
      } else if (key == "no-handoff") {
        if (e->keys.count("handoff") > 0)
          return Error("both `handoff` and `no-handoff`");
      } else if (key == "over") {
        e->over = true;
      } else if (key == "lane") {
        if (value != "ai_owned" && value != "ai_assisted" &&
            value != "human_only") {
          return Error(absl::StrCat("not a lane: \"", value, "\""));
        }
        e->lane = value;
      } else if (key == "rule") {
        e->rule = value;
      } else if (key == "reply-contains") {
        e->reply_contains.push_back(value);
      } else {
        return Error(absl::StrCat("unknown expectation `", key, "`"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Check(absl::string_view line, Scenario* s) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(line, absl::MaxSplits(' ', 1));
    const absl::string_view rest = absl::StripAsciiWhitespace(kv.second);
    if (kv.first == "events") {
      static const std::set<std::string>* const kTypes =
          new std::set<std::string>(EventTypeNames());
      for (absl::string_view item :
           absl::StrSplit(rest, ' ', absl::SkipWhitespace())) {
        std::pair<std::string, std::string> tc =
            absl::StrSplit(item, absl::MaxSplits('=', 1));
        EventCount c;
        c.line = line_;
        c.type = tc.first;
        if (kTypes->count(c.type) == 0) {
          return Error(absl::StrCat("not an event type: \"", c.type,
                                    "\" (one of ", absl::StrJoin(*kTypes, " "),
                                    ")"));
        }
        if (!absl::SimpleAtoi(tc.second, &c.count) || c.count < 0)
          return Error(
              absl::StrCat("`events` takes Type=count, not \"", item, "\""));
        s->event_counts.push_back(std::move(c));
      }
      if (rest.empty()) return Error("`= events` needs Type=count items");
      return absl::OkStatus();
    }
    if (kv.first == "packet") {
      std::vector<std::string> words =
          absl::StrSplit(rest, ' ', absl::SkipWhitespace());
      if (words.empty()) return Error("`= packet` needs a queue");
      PacketCheck p;
      p.line = line_;
      p.queue = words[0];
      for (size_t i = 1; i < words.size(); ++i) {
        if (words[i] == "consent-declined") {
          p.consent_declined = true;
        } else if (words[i] == "fields" && i + 1 < words.size()) {
          ++i;
          p.fields.emplace();
          if (words[i] != "-")
            *p.fields = absl::StrSplit(words[i], ',', absl::SkipEmpty());
          std::sort(p.fields->begin(), p.fields->end());
        } else {
          return Error(
              absl::StrCat("`= packet <queue>` takes `fields a,b` "
                           "and `consent-declined`, not \"",
                           words[i], "\""));
        }
      }
      s->packets.push_back(std::move(p));
      return absl::OkStatus();
    }
    if (kv.first == "value") {
      std::pair<absl::string_view, absl::string_view> fv =
          absl::StrSplit(rest, absl::MaxSplits(' ', 1));
      ValueCheck v;
      v.line = line_;
      v.field = std::string(fv.first);
      v.value = std::string(absl::StripAsciiWhitespace(fv.second));
      if (policy::IntakeFieldFromName(v.field) ==
          frontdesk::policy::v1::INTAKE_FIELD_UNSPECIFIED) {
        return Error(absl::StrCat("not an intake field: \"", v.field, "\""));
      }
      if (v.value.empty()) return Error("`= value <field>` needs a value");
      s->values.push_back(std::move(v));
      return absl::OkStatus();
    }
    return Error(absl::StrCat("unknown check `= ", kv.first,
                              "` (events, packet or value)"));
  }

  const std::string file_;
  int line_ = 0;
  std::vector<Scenario> scenarios_;
  std::map<std::string, int> names_;
};

const absl::StatusOr<std::vector<Scenario>>& Scenarios() {
  static const auto* const loaded = [] {
    const std::string text = ReadFile(kScenarioPath);
    if (text.empty()) {
      return new absl::StatusOr<std::vector<Scenario>>(absl::NotFoundError(
          absl::StrCat(kScenarioFile, ": missing or empty")));
    }
    return new absl::StatusOr<std::vector<Scenario>>(
        ScenarioParser(kScenarioFile).Parse(text));
  }();
  return *loaded;
}

// ---------------------------------------------------------------------------
// Playing a scenario and checking it.

bool Tracing() { return std::getenv("FRONTDESK_SCENARIO_TRACE") != nullptr; }

// A reply in the file's own syntax; `queues` maps handoff ids to queues.
std::string Summary(const av::TurnResponse& r,
                    const std::map<std::string, std::string>& queues) {
  std::vector<std::string> parts = {
      absl::StrCat("texts ", absl::StrJoin(r.quoted_texts(), " ")),
      absl::StrCat("state ", StateName(r.state())),
      absl::StrCat("asking ", r.asking_for().empty() ? "-" : r.asking_for())};
  if (!r.handoff_id().empty()) {
    auto q = queues.find(r.handoff_id());
    parts.push_back(absl::StrCat(
        "handoff ", q == queues.end() ? "<not on the log>" : q->second));
  }
  if (r.call_over()) parts.push_back("over");
  if (!r.lane().empty()) parts.push_back(absl::StrCat("lane ", r.lane()));
  if (!r.rule_id().empty()) parts.push_back(absl::StrCat("rule ", r.rule_id()));
  return absl::StrJoin(parts, "; ");
}

// What every scenario shares: one department for the suite, the policy it
// runs, and the key that opens its PHI.
struct SharedDepartment {
  std::unique_ptr<Department> dept;
  std::unique_ptr<policy::ClinicPolicy> policy;
  std::string policy_text;
  std::unique_ptr<phi::PhiKeyring> keyring;
};

// One scenario: played against the department, read back from the log,
// checked. The checks collect what they find wrong in problems(), each
// with the file and line it is about. Not thread-safe.
class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, const SharedDepartment& shared)
      : s_(scenario), shared_(shared) {}

  // StartCall, the turns (killing and restarting the answer process where
  // the scenario says so), EndCall. An error when the call cannot go on.
  absl::Status Play();
  // The call's events, and the packets of its handoffs, read from Kafka
  // once each.
  absl::Status ReadBack();

  void CheckTurns();
  void CheckCall();
  void CheckPackets();
  void CheckValues();
  void CheckNoWordsInTheClear();
  // Prints the call as played, in the file's syntax.
  void Trace() const;

  const std::string& call_id() const { return call_id_; }
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  struct PlayedTurn {
    const Step* step;
    av::TurnResponse response;
  };
  struct Packet {
    hv::HandoffPacket packet;
    std::map<std::string, std::string> intake;
  };

  std::string At(int line) const {
    return absl::StrCat(kScenarioFile, ":", line, ": ");
  }
  template <typename... Why>
  void Problem(int line, const Why&... why) {
    problems_.push_back(absl::StrCat(At(line), why...));
  }
  void CheckTurn(size_t index);
  const Packet* FindPacket(const std::string& handoff_id) const;
  absl::StatusOr<ev::PhiFields> Open(const ev::SealedPhi& sealed) const {
    return shared_.keyring->Open(sealed, kTenant, call_id_);
  }

  const Scenario& s_;
  const SharedDepartment& shared_;
  std::string call_id_;
  std::vector<PlayedTurn> turns_;
  std::vector<std::string> problems_;

  // Read back from the log.
  std::vector<eventlog::StoredRecord> log_;
  std::map<std::string, int> counts_;
  std::set<std::string> answer_instances_;
  std::set<std::string> decisions_;
  std::map<uint32_t, ev::ReplyGiven> replies_;
  // Each FieldCollected, with the intake values sealed in it.
  std::vector<std::pair<ev::FieldCollected, std::map<std::string, std::string>>>
      fields_;
  std::map<std::string, ev::HandoffPrepared> prepared_;
  std::map<std::string, std::string> handoff_queues_;
  std::map<std::string, std::vector<eventlog::StoredRecord>> packet_records_;
  std::vector<Packet> packets_;
  // The handoff ids the replies announced, as the scenario expects them.
  std::set<std::string> expected_handoffs_;
};

absl::Status ScenarioRun::Play() {
  auto answer = shared_.dept->Answer();
  av::StartCallRequest start;
  start.set_tenant_id(kTenant);
  start.set_channel(av::CHANNEL_VOICE);
  start.set_reason(av::CALL_REASON_AFTER_HOURS);
  start.set_caller_number(s_.caller_number);
  av::StartCallResponse started;
  {
    grpc::ClientContext ctx;
    grpc::Status st = answer->StartCall(&ctx, start, &started);
    if (!st.ok()) {
      return absl::UnavailableError(
          absl::StrCat(At(s_.line), "StartCall: ", st.error_message()));
    }
  }
  if (started.fallback()) {
    return absl::UnavailableError(
        absl::StrCat(At(s_.line), "StartCall answered with the fallback"));
  }
  call_id_ = started.call_id();
  const auto& greeting =
      shared_.policy->Script(shared_.policy->proto().scripts().greeting());
  if (started.greeting() != greeting.text()) {
    Problem(s_.line, "the greeting is \"", started.greeting(), "\"");
  }

  for (const Step& step : s_.steps) {
    if (step.restart) {
      absl::Status st = shared_.dept->RestartAnswerAfterKill();
      if (!st.ok()) {
        return absl::Status(st.code(),
                            absl::StrCat(At(step.line), st.message()));
      }
      answer = shared_.dept->Answer();
      continue;
    }
    av::TurnRequest request;
    request.set_call_id(call_id_);
    request.set_utterance(step.words);
    av::TurnResponse response;
    grpc::ClientContext ctx;
    grpc::Status st = answer->Turn(&ctx, request, &response);
    if (!st.ok()) {
      return absl::UnavailableError(
          absl::StrCat(At(step.line), "Turn: ", st.error_message()));
    }
    turns_.push_back({&step, std::move(response)});
    if (turns_.back().response.call_over()) break;
  }
  av::EndCallRequest end;
  end.set_call_id(call_id_);
  av::EndCallResponse ended;
  grpc::ClientContext ctx;
  grpc::Status st = answer->EndCall(&ctx, end, &ended);
  if (!st.ok()) Problem(s_.line, "EndCall: ", st.error_message());

  size_t planned = 0;
  for (const Step& step : s_.steps) planned += step.restart ? 0 : 1;
  if (turns_.size() != planned && !turns_.empty()) {
    Problem(turns_.back().step->line,
            "the call ended here, but the scenario has more turns");
  }
  return absl::OkStatus();
}

absl::Status ScenarioRun::ReadBack() {
  kafka::KafkaKeyReader reader(shared_.dept->kafka());
  auto log = reader.ReadKey(kafka::kCallsTopic, call_id_);
  if (!log.ok()) return log.status();
  log_ = *std::move(log);

  events::ChainVerifier verifier(call_id_);
  for (const auto& r : log_) {
    auto e = verifier.Add(r.value, std::to_string(r.offset));
    if (!e.ok()) continue;  // A finding of the verifier's.
    const ev::EventBody& body = e->body;
    ++counts_[events::EventTypeName(body.type())];
    if (body.producer().service() == "answer")
      answer_instances_.insert(body.producer().instance());
    bool parsed = true;
    switch (body.type()) {
      case ev::EVENT_TYPE_DECISION_RECORDED: {
        ev::DecisionRecorded d;
        parsed = d.ParseFromString(body.payload());
        decisions_.insert(d.decision_id());
        break;
      }
      case ev::EVENT_TYPE_REPLY_GIVEN: {
        ev::ReplyGiven g;
        parsed = g.ParseFromString(body.payload());
        if (body.has_sealed_phi()) {
          // A reply that repeats the caller's details is sealed, and only
          // sealed.
          if (!g.reply_text().empty()) {
            Problem(s_.line, "the reply of turn ", g.turn_index(),
                    " is both sealed and in the clear");
          }
          auto phi = Open(body.sealed_phi());
          if (phi.ok()) {
            g.set_reply_text(phi->reply_text());
          } else {
            Problem(s_.line,
                    "a sealed reply does not open: ", phi.status().ToString());
          }
        }
        if (!replies_.emplace(g.turn_index(), g).second)
          Problem(s_.line, "two ReplyGiven for turn ", g.turn_index());
        break;
      }
      case ev::EVENT_TYPE_FIELD_COLLECTED: {
        ev::FieldCollected f;
        parsed = f.ParseFromString(body.payload());
        std::map<std::string, std::string> values;
        if (body.has_sealed_phi()) {
          auto phi = Open(body.sealed_phi());
          if (phi.ok()) {
            for (const auto& v : phi->intake()) values[v.field()] = v.value();
          } else {
            Problem(s_.line, "a sealed intake value does not open: ",
                    phi.status().ToString());
          }
        }
        fields_.emplace_back(std::move(f), std::move(values));
        break;
      }
      case ev::EVENT_TYPE_HANDOFF_PREPARED: {
        ev::HandoffPrepared h;
        parsed = h.ParseFromString(body.payload());
        handoff_queues_[h.handoff_id()] = h.queue();
        prepared_[h.handoff_id()] = std::move(h);
        break;
      }
      default:
        break;
    }
    if (!parsed) {
      Problem(s_.line, "an unparsable ", events::EventTypeName(body.type()),
              " at offset ", r.offset);
    }
  }
  for (const auto& f : verifier.findings()) {
    Problem(s_.line, "the hash chain: ", events::FindingKindName(f.kind),
            " at ", f.position, ": ", f.detail);
  }

  for (const auto& [id, h] : prepared_) {
    if (packet_records_.count(h.topic()) > 0) continue;
    auto records = reader.ReadKey(h.topic(), call_id_);
    if (!records.ok()) return records.status();
    packet_records_[h.topic()] = *std::move(records);
  }
  for (const auto& [topic, records] : packet_records_) {
    for (const auto& r : records) {
      Packet p;
      if (!p.packet.ParseFromString(r.value)) {
        Problem(s_.line, "an unparsable packet on ", topic);
        continue;
      }
      auto phi = Open(p.packet.sealed_phi());
      if (!phi.ok()) {
        Problem(s_.line,
                "a packet's PHI does not open: ", phi.status().ToString());
      } else {
        for (const auto& v : phi->intake()) p.intake[v.field()] = v.value();
      }
      packets_.push_back(std::move(p));
    }
  }
  return absl::OkStatus();
}

const ScenarioRun::Packet* ScenarioRun::FindPacket(
    const std::string& handoff_id) const {
  for (const auto& p : packets_) {
    if (p.packet.handoff_id() == handoff_id) return &p;
  }
  return nullptr;
}

void ScenarioRun::CheckTurns() {
  for (size_t i = 0; i < turns_.size(); ++i) CheckTurn(i);
}

void ScenarioRun::CheckTurn(size_t index) {
  const ReplyExpectation& e = turns_[index].step->expect;
  const av::TurnResponse& r = turns_[index].response;
  const int line = turns_[index].step->line;
  const std::string got =
      absl::StrCat("\n    got: ", Summary(r, handoff_queues_),
                   "\n    reply: \"", r.reply(), "\"");

  // What the scenario expects.
  if (r.fallback()) Problem(line, "the fallback wording", got);
  const std::vector<std::string> quoted(r.quoted_texts().begin(),
                                        r.quoted_texts().end());
  if (quoted != *e.texts) {
    Problem(line, "texts: expected ", absl::StrJoin(*e.texts, " "), got);
  }
  if (e.state.has_value() && r.state() != *e.state) {
    Problem(line, "state: expected ", StateName(*e.state), got);
  }
  if (e.asking.has_value() && r.asking_for() != *e.asking) {
    Problem(line, "asking: expected ", e.asking->empty() ? "-" : *e.asking,
            got);
  }
  if (r.call_over() != e.over) {
    Problem(line, e.over ? "expected the call to be over" : "call_over set",
            got);
  }
  if (e.lane.has_value() && r.lane() != *e.lane) {
    Problem(line, "lane: expected ", *e.lane, got);
  }
  if (e.rule.has_value() && r.rule_id() != *e.rule) {
    Problem(line, "rule: expected ", *e.rule, got);
  }
  for (const std::string& part : e.reply_contains) {
    if (!absl::StrContains(r.reply(), part))
      Problem(line, "the reply does not contain \"", part, "\"", got);
  }

  // The reply is the approved texts it quotes, and nothing else.
  std::vector<std::string> said;
  bool read_back = false;
  for (const std::string& q : quoted) {
    read_back = read_back || q == kReadBackText;
    const std::pair<std::string, std::string> id_version =
        absl::StrSplit(q, absl::MaxSplits('@', 1));
    const auto* t = shared_.policy->FindText(id_version.first);
    if (t == nullptr || absl::StrCat(t->version()) != id_version.second) {
      Problem(line, "quotes ", q, ", not an approved text of the policy");
      continue;
    }
    said.push_back(t->text());
  }
  if (!read_back && r.reply() != absl::StrJoin(said, " ")) {
    Problem(line, "the reply is not the approved texts it quotes", got);
  }

  // The handoff: its event, and its packet on the queue's topic.
  if (e.handoff_queue.empty()) {
    if (!r.handoff_id().empty()) Problem(line, "an unexpected handoff", got);
  } else if (r.handoff_id().empty()) {
    Problem(line, "no handoff; expected one to ", e.handoff_queue, got);
  } else {
    expected_handoffs_.insert(r.handoff_id());
    auto h = prepared_.find(r.handoff_id());
    const Packet* p = FindPacket(r.handoff_id());
    if (h == prepared_.end()) {
      Problem(line, "no HandoffPrepared on the log for the handoff");
    } else if (h->second.queue() != e.handoff_queue) {
      Problem(line, "handoff to ", h->second.queue(), ", expected ",
              e.handoff_queue);
    } else if (h->second.topic() != kafka::HandoffTopic(e.handoff_queue)) {
      Problem(line, "handoff on topic ", h->second.topic());
    } else if (p == nullptr) {
      Problem(line, "no packet on ", h->second.topic(), " for the handoff");
    } else {
      if (p->packet.queue() != e.handoff_queue)
        Problem(line, "the packet names queue ", p->packet.queue());
      if (p->packet.call_id() != call_id_)
        Problem(line, "the packet names another call");
      if (p->packet.decision_id() != r.decision_id())
        Problem(line, "the packet cites another decision than the reply");
      if (!said.empty() && p->packet.patient_told() != said.front()) {
        Problem(line, "the packet says the patient was told \"",
                p->packet.patient_told(), "\"");
      }
    }
  }

  // The reply on the record.
  auto g = replies_.find(static_cast<uint32_t>(index + 1));
  if (g == replies_.end()) {
    Problem(line, "no ReplyGiven on the log for turn ", index + 1);
    return;
  }
  const ev::ReplyGiven& given = g->second;
  const std::vector<std::string> logged(given.quoted_texts().begin(),
                                        given.quoted_texts().end());
  if (logged != quoted) {
    Problem(line, "ReplyGiven quotes ", absl::StrJoin(logged, " "), got);
  }
  if (given.decision_id() != r.decision_id())
    Problem(line, "ReplyGiven cites another decision than the reply");
  if (given.handoff_id() != r.handoff_id())
    Problem(line, "ReplyGiven names another handoff than the reply");
  if (given.call_over() != r.call_over())
    Problem(line, "ReplyGiven disagrees on the end of the call");
  if (given.reply_text() != r.reply())
    Problem(line, "ReplyGiven holds another reply: \"", given.reply_text(),
            "\"");
}

void ScenarioRun::CheckCall() {
  for (const auto& [turn, given] : replies_) {
    if (decisions_.count(given.decision_id()) == 0)
      Problem(s_.line, "the ReplyGiven of turn ", turn,
              " cites no decision recorded for the call");
  }
  for (const auto& [f, values] : fields_) {
    if (decisions_.count(f.decision_id()) == 0) {
      Problem(s_.line, "the FieldCollected of turn ", f.turn_index(),
              " cites no decision recorded for the call");
    }
  }
  for (const auto& [id, h] : prepared_) {
    if (decisions_.count(h.decision_id()) == 0)
      Problem(s_.line, "a HandoffPrepared cites no decision recorded");
    if (expected_handoffs_.count(id) == 0)
      Problem(s_.line, "a handoff to ", h.queue(), " that no reply announced");
  }
  // Each restart is a new answer process, with a chain of its own.
  size_t restarts = 0;
  for (const Step& step : s_.steps) restarts += step.restart ? 1 : 0;
  if (answer_instances_.size() != restarts + 1) {
    Problem(s_.line, "events from ", answer_instances_.size(),
            " answer processes, expected ", restarts + 1);
  }
  if (replies_.size() != turns_.size()) {
    Problem(s_.line, replies_.size(), " ReplyGiven on the log for ",
            turns_.size(), " turns");
  }
  const std::map<std::string, int> always = {
      {"CallStarted", 1},
      {"CallEnded", 1},
      {"TurnFailed", 0},
      {"TurnReceived", static_cast<int>(turns_.size())}};
  for (const auto& [type, n] : always) {
    if (counts_[type] != n) {
      Problem(s_.line, type, "=", counts_[type], " on the log, expected ", n);
    }
  }
  for (const EventCount& c : s_.event_counts) {
    if (counts_[c.type] != c.count) {
      Problem(c.line, c.type, "=", counts_[c.type], " on the log, expected ",
              c.count);
    }
  }
}

void ScenarioRun::CheckPackets() {
  for (const PacketCheck& c : s_.packets) {
    const Packet* last = nullptr;
    for (const auto& p : packets_) {
      if (p.packet.queue() == c.queue) last = &p;
    }
    if (last == nullptr) {
      Problem(c.line, "no packet of the call on ",
              kafka::HandoffTopic(c.queue));
      continue;
    }
    if (last->packet.consent_declined() != c.consent_declined) {
      Problem(c.line, "the packet's consent_declined is ",
              last->packet.consent_declined() ? "true" : "false");
    }
    if (c.fields.has_value()) {
      std::vector<std::string> names;
      for (const auto& [field, value] : last->intake) names.push_back(field);
      if (names != *c.fields) {
        Problem(c.line, "the packet carries fields ",
                names.empty() ? "-" : absl::StrJoin(names, ","));
      }
    }
  }
}

void ScenarioRun::CheckValues() {
  for (const ValueCheck& v : s_.values) {
    bool carried = false;
    for (const auto& p : packets_) {
      auto it = p.intake.find(v.field);
      if (it == p.intake.end()) continue;
      carried = true;
      if (it->second != v.value) {
        Problem(v.line, "the packet to ", p.packet.queue(), " has ", v.field,
                " \"", it->second, "\"");
      }
    }
    if (!carried) Problem(v.line, "no packet carries ", v.field);
    std::string last;
    for (const auto& [f, values] : fields_) {
      auto it = values.find(v.field);
      if (it != values.end()) last = it->second;
    }
    if (last != v.value) {
      Problem(v.line, "the last ", v.field, " sealed on the log is \"", last,
              "\"");
    }
  }
}

void ScenarioRun::CheckNoWordsInTheClear() {
  // Words the policy itself holds ("goodbye", "chest pain") are public and
  // may be there, in a quoted text or a matched trigger.
  std::vector<std::string> secrets;
  auto secret = [&](const std::string& w) {
    if (w.size() > kMaxUncheckedChars &&
        !absl::StrContains(shared_.policy_text, w)) {
      secrets.push_back(w);
    }
  };
  secret(s_.caller_number);
  for (const PlayedTurn& t : turns_) {
    secret(t.step->words);
    // The date as read back to the caller.
    for (const std::string& part : t.step->expect.reply_contains) secret(part);
  }
  for (const ValueCheck& v : s_.values) secret(v.value);
  std::vector<std::pair<std::string, const eventlog::StoredRecord*>> raw;
  for (const auto& r : log_) raw.emplace_back(kafka::kCallsTopic, &r);
  for (const auto& [topic, records] : packet_records_) {
    for (const auto& r : records) raw.emplace_back(topic, &r);
  }
  for (const std::string& w : secrets) {
    for (const auto& [topic, r] : raw) {
      if (absl::StrContains(r->value, w) || absl::StrContains(r->key, w)) {
        Problem(s_.line, "\"", w, "\" is in the clear on ", topic,
                " at offset ", r->offset);
        break;
      }
    }
  }
}

void ScenarioRun::Trace() const {
  std::cout << "## " << s_.name << " (call " << call_id_ << ")\n";
  size_t next = 0;
  for (const Step& step : s_.steps) {
    if (step.restart) {
      std::cout << "! restart\n";
      continue;
    }
    if (next >= turns_.size()) break;
    const av::TurnResponse& r = turns_[next++].response;
    std::cout << "> " << step.words << "\n< " << Summary(r, handoff_queues_)
              << "\n    \"" << r.reply() << "\"\n";
  }
  std::vector<std::string> seen;
  for (const auto& [type, n] : counts_) {
    if (n > 0 && type != "CallStarted" && type != "CallEnded" &&
        type != "TurnReceived" && type != "ReplyGiven") {
      seen.push_back(absl::StrCat(type, "=", n));
    }
  }
  std::cout << "= events " << absl::StrJoin(seen, " ") << "\n";
  for (const auto& p : packets_) {
    std::vector<std::string> names;
    for (const auto& [field, value] : p.intake) names.push_back(field);
    std::cout << "= packet " << p.packet.queue() << " fields "
              << (names.empty() ? "-" : absl::StrJoin(names, ","))
              << (p.packet.consent_declined() ? " consent-declined" : "")
              << "\n";
  }
}

class AnswerScenarioTest : public ::testing::TestWithParam<int> {
 protected:
  static void SetUpTestSuite() {
    shared_ = new SharedDepartment();
    if (!Scenarios().ok()) return;  // Each test reports it.
    auto policy = policy::LoadPolicyFile(kPolicyPath);
    if (!policy.ok()) {
      *setup_status_ = policy.status();
      return;
    }
    shared_->policy =
        std::make_unique<policy::ClinicPolicy>(*std::move(policy));
    shared_->policy_text = ReadFile(kPolicyPath);
    auto dept = Department::Start();
    if (!dept.ok()) {
      *setup_status_ = dept.status();
      return;
    }
    shared_->dept = *std::move(dept);
    auto keyring =
        phi::PhiKeyring::FromLocalFile(shared_->dept->keyring_file());
    if (!keyring.ok()) {
      *setup_status_ = keyring.status();
      return;
    }
    shared_->keyring = std::make_unique<phi::PhiKeyring>(*std::move(keyring));
  }

  static void TearDownTestSuite() {
    if (shared_->dept != nullptr) {
      absl::Status stopped = shared_->dept->Stop();
      EXPECT_TRUE(stopped.ok()) << stopped;
    }
    delete shared_;
    shared_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(Scenarios().ok()) << Scenarios().status();
    ASSERT_TRUE(setup_status_->ok()) << *setup_status_;
  }

  static absl::Status* const setup_status_;
  static SharedDepartment* shared_;
};

absl::Status* const AnswerScenarioTest::setup_status_ = new absl::Status();
SharedDepartment* AnswerScenarioTest::shared_ = nullptr;

TEST_P(AnswerScenarioTest, Plays) {
  const Scenario& s = (*Scenarios())[static_cast<size_t>(GetParam())];
  const std::string where = absl::StrCat(kScenarioFile, ":", s.line, ": ");
  SCOPED_TRACE(absl::StrCat(where, s.name));
  ScenarioRun run(s, *shared_);
  absl::Status played = run.Play();
  ASSERT_TRUE(played.ok()) << played << "\n" << shared_->dept->Logs();
  absl::Status read = run.ReadBack();
  ASSERT_TRUE(read.ok()) << where << "reading call " << run.call_id()
                         << " back: " << read;
  run.CheckTurns();
  run.CheckCall();
  run.CheckPackets();
  run.CheckValues();
  run.CheckNoWordsInTheClear();
  if (Tracing()) run.Trace();

  const std::string which =
      absl::StrCat(where, "scenario \"", s.name, "\", call ", run.call_id());
  for (const std::string& p : run.problems()) ADD_FAILURE() << p;
  if (!run.problems().empty()) ADD_FAILURE() << which;
}

std::vector<int> ScenarioIndexes() {
  std::vector<int> out;
  if (!Scenarios().ok()) return {-1};
  for (size_t i = 0; i < Scenarios()->size(); ++i)
    out.push_back(static_cast<int>(i));
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    File, AnswerScenarioTest, ::testing::ValuesIn(ScenarioIndexes()),
    [](const ::testing::TestParamInfo<int>& info) {
      return info.param < 0
                 ? std::string("FileDoesNotParse")
                 : (*Scenarios())[static_cast<size_t>(info.param)].test_name;
    });

// The file itself: it parses, and it covers what the suite promises.
TEST(AnswerScenarioFileTest, ParsesAndHoldsEnoughScenarios) {
  ASSERT_TRUE(Scenarios().ok()) << Scenarios().status();
  EXPECT_GE(Scenarios()->size(), 25u);
  bool restart = false;
  for (const Scenario& s : *Scenarios()) {
    for (const Step& step : s.steps) restart = restart || step.restart;
  }
  EXPECT_TRUE(restart) << "no scenario restarts the answer process";
}

TEST(AnswerScenarioFileTest, EveryRequestTypeIsPlayed) {
  ASSERT_TRUE(Scenarios().ok()) << Scenarios().status();
  auto policy = policy::LoadPolicyFile(kPolicyPath);
  ASSERT_TRUE(policy.ok()) << policy.status();
  std::set<std::string> rules;
  for (const Scenario& s : *Scenarios()) {
    for (const Step& step : s.steps) {
      if (step.expect.rule.has_value()) rules.insert(*step.expect.rule);
    }
  }
  for (const auto& rt : policy->proto().request_types()) {
    // A type with no phrasings is never what a caller asks for.
    if (rt.phrasings().empty()) continue;
    EXPECT_EQ(rules.count(rt.rule_id()), 1u)
        << "no scenario expects a reply under " << rt.rule_id() << " ("
        << rt.id() << ")";
  }
}

TEST(AnswerScenarioFileTest, AParseErrorNamesFileAndLine) {
  const char kBad[] =
      "# comment\n"
      "## A call\n"
      "> what are your hours\n"
      "< texts office-hours@3; colour blue\n";
  auto parsed = ScenarioParser("calls.txt").Parse(kBad);
  EXPECT_EQ(parsed.status(), absl::InvalidArgumentError(
                                 "calls.txt:4: unknown expectation `colour`"));
  const char kNoTexts[] =
      "## A call\n"
      "> what are your hours\n"
      "< state confirm\n"
      "## Another\n";
  EXPECT_EQ(ScenarioParser("calls.txt").Parse(kNoTexts).status(),
            absl::InvalidArgumentError(
                "calls.txt:2: a turn needs a `< texts ...` line with the "
                "approved texts its reply quotes"));
  const char kTwice[] =
      "## A call\n"
      "> hi\n"
      "< texts callback@1\n"
      "## A call!\n";
  EXPECT_EQ(ScenarioParser("calls.txt").Parse(kTwice).status(),
            absl::InvalidArgumentError(
                "calls.txt:4: scenario name \"A call!\" is already used at "
                "line 1"));
}

}  // namespace
}  // namespace frontdesk::testing
