// The fault suite: nothing acknowledged is lost.
//
// The real department (four service processes) runs against a broker of the
// suite's own (tests/fault/fault_broker.h), never the shared one, while
// scripted calls keep coming (tests/fault/call_load.h). In turn it kill -9s
// answer, rules-check, handoff-prep and record-keeper (each restarted on the
// same port), kill -9s the broker and restarts it, and SIGSTOPs the broker for
// longer than the services' acknowledgement bound before a SIGCONT. After
// each fault, with the load stopped, it reads frontdesk.calls.v1 and the
// handoff queue topics back and checks:
//   - every turn the caller saw acknowledged has its events on the log exactly
//     once: answer's events by the event ids in the TurnResponse, the
//     decision by its decision id, the handoff by its handoff id;
//   - no event id is on the log twice;
//   - every action (ReplyGiven, FieldCollected, QuestionUnanswered,
//     HandoffPrepared) cites a DecisionRecorded earlier in the call's log; a
//     reply without a decision is the fallback wording;
//   - calls in progress resumed or were ended cleanly: no turn of a started
//     call was refused as unknown, and every call has its CallEnded;
//   - each acknowledged handoff's packet is on its queue topic once, and no
//     packet revision twice;
//   - the nurse line's deadlines (3 s here) still fire: every acknowledged
//     nurse-line handoff gets its first escalation, including one prepared
//     just before handoff-prep was killed;
//   - every call's hash chains verify;
//   - a turn that failed got the fallback wording or a gRPC error.
#include <grpcpp/grpcpp.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/events/v1/handoff_events.pb.h"
#include "frontdesk/handoff/v1/handoff_service.pb.h"
#include "gtest/gtest.h"
#include "libs/events/chain_verifier.h"
#include "libs/events/event_envelope.h"
#include "libs/kafka/kafka_key_reader.h"
#include "libs/serving/transport_security.h"
#include "tests/fault/call_load.h"
#include "tests/fault/fault_broker.h"
#include "tests/integration/department_harness.h"

namespace frontdesk::testing {
namespace {

namespace av = ::frontdesk::answer::v1;
namespace ev = ::frontdesk::events::v1;
namespace hv = ::frontdesk::handoff::v1;

// The services' acknowledgement bound (--append_timeout_ms).
constexpr int kBoundMs = 2000;
constexpr int kWindowSeconds = 3;
constexpr int kCallers = 6;
// Acknowledged turns before a fault, and after it is over.
constexpr int kTurnsBefore = 20;
constexpr int kTurnsAfter = 30;
constexpr char kNurseLine[] = "nurse-line";

// The sample policy with the nurse line's claim window in seconds.
std::string ShortWindowPolicy(const std::string& dir) {
  std::ifstream in(std::string(FRONTDESK_SOURCE_DIR) +
                   "/examples/clinic/policy.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string original = ss.str();
  const std::string text = absl::StrReplaceAll(
      original, {{"    last_resort_role: practice-manager\n"
                  "    claim_window_minutes: 5\n",
                  absl::StrCat("    last_resort_role: practice-manager\n"
                               "    claim_window_seconds: ",
                               kWindowSeconds, "\n")}});
  if (text == original) return "";
  const std::string path = dir + "/short-window-policy.yaml";
  std::ofstream(path) << text;
  return path;
}

// The calls topic and the handoff queues, read back once.
struct LogView {
  struct Event {
    std::string call_id;
    ev::EventBody body;
    size_t index = 0;  // position in the call's log
  };
  std::map<std::string, std::vector<Event>> calls;
  std::map<std::string, int> event_ids;
  // decision id -> (call id, count)
  std::map<std::string, std::pair<std::string, int>> decisions;
  // handoff id -> (queue, count) of HandoffPrepared
  std::map<std::string, std::pair<std::string, int>> prepared;
  std::set<std::string> escalated;  // handoff ids with a level-1 escalation
  std::map<std::string, absl::Time> escalated_at;
  // (handoff id, level) -> HandoffEscalated events
  std::map<std::pair<std::string, uint32_t>, int> escalations;
  // (queue, handoff id, revision) -> count, on the queue's topic
  std::map<std::tuple<std::string, std::string, uint32_t>, int> packets;
  std::vector<std::string> damage;  // unreadable records
};

absl::StatusOr<LogView> ReadLog(const kafka::KafkaSettings& settings) {
  kafka::KafkaKeyReader reader(settings, absl::Seconds(60));
  absl::StatusOr<std::vector<eventlog::StoredRecord>> records =
      reader.ReadTopic(kafka::kCallsTopic);
  if (!records.ok()) return records.status();
  std::sort(records->begin(), records->end(), [](const auto& a, const auto& b) {
    return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
  });
  LogView view;
  std::set<std::string> queues;
  for (const eventlog::StoredRecord& r : *records) {
    absl::StatusOr<events::OpenedEvent> e = events::OpenEnvelopeBytes(r.value);
    if (!e.ok()) {
      view.damage.push_back(absl::StrCat(r.partition, "@", r.offset));
      continue;
    }
    const ev::EventBody& b = e->body;
    auto& log = view.calls[r.key];
    log.push_back({r.key, b, log.size()});
    ++view.event_ids[b.event_id()];
    if (b.type() == ev::EVENT_TYPE_DECISION_RECORDED) {
      ev::DecisionRecorded d;
      d.ParseFromString(b.payload());
      auto& entry = view.decisions[d.decision_id()];
      entry.first = r.key;
      ++entry.second;
    } else if (b.type() == ev::EVENT_TYPE_HANDOFF_PREPARED) {
      ev::HandoffPrepared h;
      h.ParseFromString(b.payload());
      auto& entry = view.prepared[h.handoff_id()];
      entry.first = h.queue();
      ++entry.second;
      queues.insert(h.queue());
    } else if (b.type() == ev::EVENT_TYPE_HANDOFF_ESCALATED) {
      ev::HandoffEscalated h;
      h.ParseFromString(b.payload());
      ++view.escalations[{h.handoff_id(), h.level()}];
      if (h.level() == 1) {
        view.escalated.insert(h.handoff_id());
        view.escalated_at[h.handoff_id()] =
            absl::FromUnixSeconds(b.occurred_at().seconds()) +
            absl::Nanoseconds(b.occurred_at().nanos());
      }
    }
  }
  for (const std::string& q : queues) {
    absl::StatusOr<std::vector<eventlog::StoredRecord>> packets =
        reader.ReadTopic(kafka::HandoffTopic(q));
    if (!packets.ok()) return packets.status();
    for (const eventlog::StoredRecord& r : *packets) {
      hv::HandoffPacket p;
      if (!p.ParseFromString(r.value)) {
        view.damage.push_back(absl::StrCat(q, "/", r.partition, "@", r.offset));
        continue;
      }
      ++view.packets[{q, p.handoff_id(), p.revision()}];
    }
  }
  return view;
}

// The acknowledged handoffs on the nurse line, which must escalate.
std::vector<std::string> NurseLineHandoffs(const std::vector<CallSeen>& calls,
                                           const LogView& view) {
  std::vector<std::string> out;
  for (const CallSeen& c : calls) {
    for (const TurnSeen& t : c.turns) {
      const std::string& id = t.response.handoff_id();
      if (!t.acknowledged() || id.empty()) continue;
      auto it = view.prepared.find(id);
      if (it != view.prepared.end() && it->second.first == kNurseLine)
        out.push_back(id);
    }
  }
  return out;
}

struct PhaseFigures {
  int calls = 0;
  int acknowledged = 0;
  int fallbacks = 0;
  int errors = 0;
  int resumed = 0;  // calls with a failed turn, then an acknowledged one
  int handoffs = 0;
  // Over the whole log so far: escalation packets on a queue topic more than
  // once, and (handoff, level) pairs with more than one HandoffEscalated.
  int repeated_escalation_packets = 0;
  int repeated_escalations = 0;
};

// Every check of the file comment, on one read of the log.
PhaseFigures CheckLog(const LogView& view, const std::vector<CallSeen>& calls) {
  PhaseFigures f;
  for (const std::string& where : view.damage)
    ADD_FAILURE() << "unreadable record at " << where;
  for (const auto& [id, n] : view.event_ids)
    EXPECT_EQ(n, 1) << "event " << id << " is on the log " << n << " times";

  // Hash chains, and decisions before actions, in every call on the log.
  for (const auto& [call_id, log] : view.calls) {
    std::map<std::string, size_t> decided_at;
    for (const LogView::Event& e : log) {
      const ev::EventBody& b = e.body;
      std::string cited;
      bool fallback_reply = false;
      switch (b.type()) {
        case ev::EVENT_TYPE_DECISION_RECORDED: {
          ev::DecisionRecorded d;
          d.ParseFromString(b.payload());
          decided_at.emplace(d.decision_id(), e.index);
          continue;
        }
        case ev::EVENT_TYPE_REPLY_GIVEN: {
          ev::ReplyGiven r;
          r.ParseFromString(b.payload());
          cited = r.decision_id();
          fallback_reply = r.fallback();
          break;
        }
        case ev::EVENT_TYPE_FIELD_COLLECTED: {
          ev::FieldCollected r;
          r.ParseFromString(b.payload());
          cited = r.decision_id();
          break;
        }
        case ev::EVENT_TYPE_QUESTION_UNANSWERED: {
          ev::QuestionUnanswered r;
          r.ParseFromString(b.payload());
          cited = r.decision_id();
          break;
        }
        case ev::EVENT_TYPE_HANDOFF_PREPARED: {
          ev::HandoffPrepared r;
          r.ParseFromString(b.payload());
          cited = r.decision_id();
          break;
        }
        default:
          continue;
      }
      if (cited.empty()) {
        EXPECT_TRUE(fallback_reply)
            << events::EventTypeName(b.type()) << " " << b.event_id()
            << " of call " << call_id << " cites no decision";
        continue;
      }
      auto it = decided_at.find(cited);
      EXPECT_TRUE(it != decided_at.end() && it->second < e.index)
          << events::EventTypeName(b.type()) << " " << b.event_id()
          << " of call " << call_id << " cites decision " << cited
          << ", which is not earlier in the call's log";
    }
  }

  // What the callers saw.
  for (const CallSeen& c : calls) {
    ++f.calls;
    auto log_it = view.calls.find(c.call_id);
    if (log_it == view.calls.end()) {
      ADD_FAILURE() << "call " << c.call_id << " (" << c.script
                    << ") was started but is not on the log";
      continue;
    }
    const auto& log = log_it->second;
    auto count = [&](ev::EventType type) {
      int n = 0;
      for (const auto& e : log) n += e.body.type() == type ? 1 : 0;
      return n;
    };
    std::set<std::string> ids_of_call;
    bool over_on_log = false;
    for (const auto& e : log) {
      ids_of_call.insert(e.body.event_id());
      if (e.body.type() == ev::EVENT_TYPE_REPLY_GIVEN) {
        ev::ReplyGiven r;
        r.ParseFromString(e.body.payload());
        over_on_log = over_on_log || r.call_over();
      }
    }
    EXPECT_EQ(count(ev::EVENT_TYPE_CALL_STARTED), 1) << c.call_id;
    bool failed_before = false;
    bool resumed = false;
    for (const TurnSeen& t : c.turns) {
      if (t.acknowledged()) {
        ++f.acknowledged;
        if (failed_before) resumed = true;
        const av::TurnResponse& r = t.response;
        EXPECT_FALSE(r.event_ids().empty())
            << "an acknowledged turn of " << c.call_id << " names no events";
        for (const std::string& id : r.event_ids()) {
          EXPECT_EQ(view.event_ids.count(id) ? view.event_ids.at(id) : 0, 1)
              << "acknowledged event " << id << " of call " << c.call_id;
          EXPECT_TRUE(ids_of_call.count(id)) << id << " not in " << c.call_id;
        }
        if (!r.decision_id().empty()) {
          auto d = view.decisions.find(r.decision_id());
          if (d == view.decisions.end()) {
            ADD_FAILURE() << "decision " << r.decision_id()
                          << " of an acknowledged turn of " << c.call_id
                          << " is not on the log";
          } else {
            EXPECT_EQ(d->second.second, 1) << r.decision_id();
            EXPECT_EQ(d->second.first, c.call_id) << r.decision_id();
          }
        } else {
          ADD_FAILURE() << "an acknowledged turn of " << c.call_id
                        << " names no decision";
        }
        if (!r.handoff_id().empty()) {
          ++f.handoffs;
          auto h = view.prepared.find(r.handoff_id());
          if (h == view.prepared.end()) {
            ADD_FAILURE() << "handoff " << r.handoff_id()
                          << " of an acknowledged turn has no HandoffPrepared";
            continue;
          }
          EXPECT_EQ(h->second.second, 1) << r.handoff_id();
          auto p = view.packets.find({h->second.first, r.handoff_id(), 1u});
          EXPECT_TRUE(p != view.packets.end() && p->second == 1)
              << "handoff " << r.handoff_id() << ": its packet is on "
              << kafka::HandoffTopic(h->second.first) << " "
              << (p == view.packets.end() ? 0 : p->second) << " times";
        }
      } else if (t.code == grpc::StatusCode::OK) {
        // The fallback wording, and no action claimed.
        ++f.fallbacks;
        failed_before = true;
        EXPECT_TRUE(t.response.quoted_texts_size() >= 1 &&
                    absl::StartsWith(t.response.quoted_texts(0), "fallback@"))
            << "a fallback reply that is not the fallback wording";
        EXPECT_TRUE(t.response.event_ids().empty());
        EXPECT_TRUE(t.response.decision_id().empty());
      } else {
        ++f.errors;
        failed_before = true;
        // A call the caller started is never forgotten.
        EXPECT_NE(t.code, grpc::StatusCode::NOT_FOUND)
            << "call " << c.call_id << " was lost: " << t.error;
        EXPECT_NE(t.code, grpc::StatusCode::INVALID_ARGUMENT) << t.error;
        if (t.code == grpc::StatusCode::FAILED_PRECONDITION) {
          EXPECT_TRUE(over_on_log) << c.call_id << ": " << t.error;
        }
      }
    }
    if (resumed) ++f.resumed;
    // Ended cleanly: EndCall taken, and the CallEnded on the log.
    EXPECT_TRUE(c.end_code == grpc::StatusCode::OK ||
                c.end_code == grpc::StatusCode::NOT_FOUND ||
                c.end_code == grpc::StatusCode::FAILED_PRECONDITION)
        << c.call_id << " EndCall " << static_cast<int>(c.end_code);
    EXPECT_GE(count(ev::EVENT_TYPE_CALL_ENDED), 1)
        << "call " << c.call_id << " has no CallEnded";
  }
  // Escalations (revision 2 on) that handoff-prep published more than once,
  // counted over the whole log. A broker outage must add none (an append that
  // timed out stays queued, so handoff-prep applies it rather than publishing
  // it again); the test checks that per phase. A kill -9 of handoff-prep
  // between sending an escalation and its acknowledgement may repeat it from
  // the new process: printed, not failed.
  for (const auto& [key, n] : view.packets) {
    if (std::get<2>(key) == 1) {
      EXPECT_EQ(n, 1) << "packet " << std::get<1>(key) << " revision 1 is on "
                      << kafka::HandoffTopic(std::get<0>(key)) << " " << n
                      << " times";
    } else if (n > 1) {
      ++f.repeated_escalation_packets;
    }
  }
  for (const auto& [key, n] : view.escalations) {
    if (n > 1) ++f.repeated_escalations;
  }
  return f;
}

// The hash chains, from the stored bytes.
void VerifyChains(const kafka::KafkaSettings& settings) {
  kafka::KafkaKeyReader reader(settings, absl::Seconds(60));
  auto records = reader.ReadTopic(kafka::kCallsTopic);
  ASSERT_TRUE(records.ok()) << records.status();
  std::sort(records->begin(), records->end(), [](const auto& a, const auto& b) {
    return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
  });
  std::map<std::string, events::ChainVerifier> verifiers;
  for (const auto& r : *records) {
    auto it = verifiers.try_emplace(r.key, r.key).first;
    (void)it->second.Add(
        r.value, absl::StrCat(r.topic, "/", r.partition, "@", r.offset));
  }
  for (const auto& [call_id, v] : verifiers) {
    for (const events::Finding& finding : v.findings()) {
      ADD_FAILURE() << "call " << call_id << ": "
                    << events::FindingKindName(finding.kind) << " at "
                    << finding.position << ": " << finding.detail;
    }
  }
}

class NothingAcknowledgedIsLostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/frontdesk-fault-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto broker = FaultBroker::Start(dir_);
    ASSERT_TRUE(broker.ok()) << broker.status();
    broker_ = *std::move(broker);
    // The harness points every service, and the readers, at this broker.
    setenv("FRONTDESK_KAFKA_BROKERS", broker_->bootstrap().c_str(), 1);
    const std::string policy = ShortWindowPolicy(dir_);
    ASSERT_FALSE(policy.empty()) << "the nurse line's window was not found in "
                                    "examples/clinic/policy.yaml";
    auto dept = Department::Start(kBoundMs, policy);
    ASSERT_TRUE(dept.ok()) << dept.status();
    dept_ = *std::move(dept);
    auto tls =
        serving::TransportSecurity::FromDir(dept_->tls_dir(), "frontdesk-cli");
    ASSERT_TRUE(tls.ok()) << tls.status();
    auto load = CallLoad::Create(
        dept_->answer().address(), (*tls)->ChannelCredentials(), "answer",
        kTenant, std::string(FRONTDESK_SOURCE_DIR) + "/examples/clinic/calls",
        kCallers,
        /*seed=*/8);
    ASSERT_TRUE(load.ok()) << load.status();
    load_ = *std::move(load);
  }
  void TearDown() override {
    if (load_ != nullptr) (void)load_->Stop();
    load_.reset();
    if (dept_ != nullptr) {
      absl::Status st = dept_->Stop();
      EXPECT_TRUE(st.ok()) << st;
    }
    dept_.reset();
    broker_.reset();
    unsetenv("FRONTDESK_KAFKA_BROKERS");
  }

  // An urgent call outside the load: chest pain on the first turn, handed to
  // the nurse line. Returns the call as seen, with the call ended.
  CallSeen UrgentCall() {
    auto answer = dept_->Answer();
    CallSeen call;
    call.script = "urgent (direct)";
    av::StartCallRequest start;
    start.set_tenant_id(kTenant);
    av::StartCallResponse started;
    grpc::ClientContext sctx;
    EXPECT_TRUE(answer->StartCall(&sctx, start, &started).ok());
    call.call_id = started.call_id();
    av::TurnRequest turn;
    turn.set_call_id(call.call_id);
    turn.set_utterance("I have chest pain and I feel faint");
    TurnSeen seen;
    grpc::ClientContext ctx;
    const grpc::Status s = answer->Turn(&ctx, turn, &seen.response);
    seen.code = s.error_code();
    seen.error = s.error_message();
    call.turns.push_back(seen);
    av::EndCallRequest end;
    end.set_call_id(call.call_id);
    av::EndCallResponse ended;
    grpc::ClientContext ectx;
    call.end_code = answer->EndCall(&ectx, end, &ended).error_code();
    call.end_attempts = 1;
    return call;
  }

  // Runs the load across `fault`, then checks the log. `expect_felt`: the
  // fault lasts long enough that some turn must have failed.
  void Run(const std::string& name, const std::function<void()>& fault,
           bool expect_felt, std::vector<CallSeen>* extra = nullptr) {
    SCOPED_TRACE(name);
    load_->Start();
    const LoadTally start = load_->tally();
    ASSERT_TRUE(load_->WaitForAcknowledged(start.acknowledged_turns,
                                           kTurnsBefore, absl::Seconds(120)))
        << "the load did not get going\n"
        << dept_->Logs();
    fault();
    if (::testing::Test::HasFatalFailure()) return;
    const LoadTally healed = load_->tally();
    ASSERT_TRUE(load_->WaitForAcknowledged(healed.acknowledged_turns,
                                           kTurnsAfter, absl::Seconds(180)))
        << "the department did not recover from " << name;
    std::vector<CallSeen> calls = load_->Stop();
    const LoadTally end = load_->tally();
    if (expect_felt) {
      EXPECT_GT(
          end.fallback_turns + end.failed_turns + end.refused_starts,
          start.fallback_turns + start.failed_turns + start.refused_starts)
          << "no caller noticed " << name;
    }
    if (extra != nullptr) {
      for (const CallSeen& c : *extra) calls.push_back(c);
    }

    // The deadlines of acknowledged nurse-line handoffs fire; wait for them
    // (bounded), then check everything on that one read.
    absl::StatusOr<LogView> view;
    const absl::Time give_up = absl::Now() + absl::Seconds(90);
    while (true) {
      view = ReadLog(dept_->kafka());
      ASSERT_TRUE(view.ok()) << view.status();
      bool all = true;
      for (const std::string& id : NurseLineHandoffs(calls, *view))
        all = all && view->escalated.count(id) > 0;
      if (all || absl::Now() > give_up) break;
      absl::SleepFor(absl::Milliseconds(500));
    }
    for (const std::string& id : NurseLineHandoffs(calls, *view)) {
      EXPECT_TRUE(view->escalated.count(id))
          << "nurse-line handoff " << id << " passed its deadline unescalated";
    }
    const PhaseFigures f = CheckLog(*view, calls);
    VerifyChains(dept_->kafka());
    std::printf(
        "fault %-28s calls=%d acknowledged_turns=%d fallback_turns=%d "
        "error_turns=%d resumed_calls=%d handoffs=%d "
        "repeated_escalations=%d repeated_escalation_packets=%d\n",
        name.c_str(), f.calls, f.acknowledged, f.fallbacks, f.errors, f.resumed,
        f.handoffs, f.repeated_escalations, f.repeated_escalation_packets);
    last_ = f;
    std::fflush(stdout);
  }

  std::string dir_;
  std::unique_ptr<FaultBroker> broker_;
  std::unique_ptr<Department> dept_;
  std::unique_ptr<CallLoad> load_;
  PhaseFigures last_;  // of the last Run
};

TEST_F(NothingAcknowledgedIsLostTest, UnderLoadAcrossKillsAndBrokerFaults) {
  for (const char* service : {"answer", "rules-check", "record-keeper"}) {
    Run(
        absl::StrCat("kill -9 ", service),
        [&] {
          absl::Status st = dept_->RestartOnSamePortAfterKill(service);
          ASSERT_TRUE(st.ok()) << st;
        },
        /*expect_felt=*/false);
    if (HasFatalFailure()) return;
    if (std::string(service) == "answer") {
      // Callers in the middle of a call when answer died went on with the
      // same call on the new process.
      EXPECT_GE(last_.resumed, 1);
    }
  }

  // handoff-prep dies just after an urgent call's handoff; its deadline must
  // still fire, from the new process.
  std::vector<CallSeen> urgent;
  absl::Time killed_at;
  Run(
      "kill -9 handoff-prep",
      [&] {
        urgent.push_back(UrgentCall());
        ASSERT_TRUE(urgent.back().turns.at(0).acknowledged());
        ASSERT_FALSE(urgent.back().turns.at(0).response.handoff_id().empty());
        killed_at = absl::Now();
        absl::Status st = dept_->RestartOnSamePortAfterKill("handoff-prep");
        ASSERT_TRUE(st.ok()) << st;
      },
      /*expect_felt=*/false, &urgent);
  if (HasFatalFailure()) return;
  {
    absl::StatusOr<LogView> view = ReadLog(dept_->kafka());
    ASSERT_TRUE(view.ok()) << view.status();
    const std::string& id = urgent.at(0).turns.at(0).response.handoff_id();
    ASSERT_TRUE(view->escalated_at.count(id)) << id;
    // Escalated by the process started after the kill.
    EXPECT_GE(view->escalated_at.at(id), killed_at);
  }

  // From here on no escalation may be repeated.
  const int repeated_before_broker = last_.repeated_escalations;
  const int repeated_packets_before_broker = last_.repeated_escalation_packets;
  Run(
      "kill -9 broker",
      [&] {
        absl::Status st = broker_->Kill();
        ASSERT_TRUE(st.ok()) << st;
        // Callers meet the dead broker before it comes back.
        const LoadTally t = load_->tally();
        const absl::Time limit = absl::Now() + absl::Seconds(60);
        while (absl::Now() < limit) {
          const LoadTally now = load_->tally();
          if (now.fallback_turns + now.refused_starts >
              t.fallback_turns + t.refused_starts)
            break;
          absl::SleepFor(absl::Milliseconds(100));
        }
        st = broker_->Restart();
        ASSERT_TRUE(st.ok()) << st;
      },
      /*expect_felt=*/true);
  if (HasFatalFailure()) return;
  EXPECT_EQ(last_.repeated_escalations, repeated_before_broker);
  EXPECT_EQ(last_.repeated_escalation_packets, repeated_packets_before_broker);

  Run(
      "SIGSTOP broker past the bound",
      [&] {
        absl::Status st = broker_->Pause();
        ASSERT_TRUE(st.ok()) << st;
        // Past the bound: wait until a caller got the fallback wording.
        const LoadTally t = load_->tally();
        const absl::Time stopped_at = absl::Now();
        const absl::Time limit = stopped_at + absl::Seconds(60);
        while (absl::Now() < limit) {
          const LoadTally now = load_->tally();
          if (now.fallback_turns > t.fallback_turns &&
              absl::Now() - stopped_at > absl::Milliseconds(2 * kBoundMs))
            break;
          absl::SleepFor(absl::Milliseconds(100));
        }
        st = broker_->Resume();
        ASSERT_TRUE(st.ok()) << st;
      },
      /*expect_felt=*/true);
  EXPECT_EQ(last_.repeated_escalations, repeated_before_broker);
  EXPECT_EQ(last_.repeated_escalation_packets, repeated_packets_before_broker);
}

}  // namespace
}  // namespace frontdesk::testing
