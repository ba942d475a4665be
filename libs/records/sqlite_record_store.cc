#include "libs/records/sqlite_record_store.h"

#include <openssl/evp.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/call_events.pb.h"
#include "frontdesk/events/v1/handoff_events.pb.h"
#include "frontdesk/handoff/v1/handoff_service.pb.h"
#include "frontdesk/policy/v1/policy_events.pb.h"
#include "libs/events/event_envelope.h"

namespace frontdesk::records {

namespace ev = ::frontdesk::events::v1;
namespace rv = ::frontdesk::records::v1;

namespace {

constexpr char kCallsTopic[] = "frontdesk.calls.v1";

bool IsHandoffTopic(absl::string_view topic) {
  return absl::StartsWith(topic, "frontdesk.handoff.") &&
         absl::EndsWith(topic, ".v1");
}

int64_t Micros(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000 + t.nanos() / 1000;
}

void SetTimestamp(int64_t micros, google::protobuf::Timestamp* t) {
  int64_t s = micros / 1000000;
  int64_t us = micros % 1000000;
  if (us < 0) {
    us += 1000000;
    --s;
  }
  t->set_seconds(s);
  t->set_nanos(static_cast<int32_t>(us * 1000));
}

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }

// Prepared statements by connection and SQL text, prepared once: preparing
// costs more than running most of the projection's statements.
class StatementCache {
 public:
  static StatementCache& Get() {
    static StatementCache* cache = new StatementCache();
    return *cache;
  }
  // A statement to borrow; nullptr when it does not prepare (rc is set).
  sqlite3_stmt* Borrow(sqlite3* db, const char* sql, int* rc) {
    absl::MutexLock lock(&mu_);
    auto& slot = stmts_[{db, sql}];
    if (slot == nullptr) {
      *rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot,
                               nullptr);
      if (*rc != SQLITE_OK) {
        sqlite3_finalize(slot);
        stmts_.erase({db, sql});
        return nullptr;
      }
    }
    *rc = SQLITE_OK;
    return slot;
  }
  // Finalizes every statement of `db`, before it is closed.
  void Forget(sqlite3* db) {
    absl::MutexLock lock(&mu_);
    for (auto it = stmts_.begin(); it != stmts_.end();) {
      if (it->first.first == db) {
        sqlite3_finalize(it->second);
        it = stmts_.erase(it);
      } else {
        ++it;
      }
    }
  }

 private:
  absl::Mutex mu_;
  std::map<std::pair<sqlite3*, std::string>, sqlite3_stmt*> stmts_
      ABSL_GUARDED_BY(mu_);
};

// A borrowed prepared statement, reset on scope exit. Bind* take 1-based
// indexes. A statement is never borrowed twice at once: callers hold the
// store's mutex and no function nests the same SQL.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) {
    stmt_ = StatementCache::Get().Borrow(db, sql, &rc_);
  }
  ~Stmt() {
    if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  absl::Status status() const {
    if (rc_ == SQLITE_OK) return absl::OkStatus();
    return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  }
  Stmt& Text(int i, absl::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Blob(int i, absl::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()),
                      SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Int(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& Null(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  // SQLITE_ROW: true; SQLITE_DONE: false; an error otherwise.
  absl::StatusOr<bool> Step() {
    if (rc_ != SQLITE_OK) return status();
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return absl::InternalError(absl::StrCat("sqlite: ", sqlite3_errmsg(db_)));
  }
  absl::Status Run() {
    absl::StatusOr<bool> r = Step();
    return r.ok() ? absl::OkStatus() : r.status();
  }
  std::string ColText(int i) const {
    const unsigned char* p = sqlite3_column_text(stmt_, i);
    if (p == nullptr) return "";
    return std::string(reinterpret_cast<const char*>(p),
                       static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
  }
  std::string ColBlob(int i) const {
    const void* p = sqlite3_column_blob(stmt_, i);
    if (p == nullptr) return "";
    return std::string(static_cast<const char*>(p),
                       static_cast<size_t>(sqlite3_column_bytes(stmt_, i)));
  }
  int64_t ColInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  bool ColNull(int i) const {
    return sqlite3_column_type(stmt_, i) == SQLITE_NULL;
  }
  sqlite3_stmt* raw() const { return stmt_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

absl::Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err != nullptr ? err : "unknown error";
    sqlite3_free(err);
    return absl::InternalError(absl::StrCat("sqlite: ", msg));
  }
  return absl::OkStatus();
}

// The projected tables, in digest order, with their primary keys. The
// offsets table is not among them.
struct TableKey {
  const char* name;
  const char* order_by;
};
constexpr TableKey kProjectedTables[] = {
    {"events", "event_id"},
    {"calls", "call_id"},
    {"turns", "event_id"},
    {"decisions", "event_id"},
    {"replies", "event_id"},
    {"unanswered", "event_id"},
    {"fields_collected", "event_id"},
    {"handoffs", "handoff_id"},
    {"handoff_steps", "event_id"},
    {"handoff_packets", "topic, handoff_id, revision"},
    {"policy_activations", "event_id"},
    {"policy_rejections", "event_id"},
    {"accesses", "event_id"},
    {"damaged", "topic, partition, offset"},
    {"origin", "topic, partition"},
};

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS events (
  event_id TEXT PRIMARY KEY, topic TEXT NOT NULL, partition INTEGER NOT NULL,
  offset INTEGER NOT NULL, call_id TEXT NOT NULL, sequence INTEGER NOT NULL,
  type INTEGER NOT NULL, occurred_at_us INTEGER NOT NULL,
  producer TEXT NOT NULL, policy_version TEXT NOT NULL, envelope BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_call
  ON events(call_id, topic, partition, offset);
CREATE TABLE IF NOT EXISTS calls (
  call_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL,
  started_at_us INTEGER NOT NULL, ended_at_us INTEGER,
  channel INTEGER NOT NULL DEFAULT 0, direction INTEGER NOT NULL DEFAULT 0,
  reason INTEGER NOT NULL DEFAULT 0, turns INTEGER NOT NULL DEFAULT 0,
  ended_how TEXT NOT NULL DEFAULT '', events INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS calls_by_start ON calls(started_at_us, call_id);
CREATE TABLE IF NOT EXISTS turns (
  event_id TEXT PRIMARY KEY, call_id TEXT NOT NULL, turn_index INTEGER,
  utterance_chars INTEGER, failed_reason TEXT, sealed_phi BLOB);
CREATE TABLE IF NOT EXISTS decisions (
  event_id TEXT PRIMARY KEY, decision_id TEXT NOT NULL, call_id TEXT NOT NULL,
  turn_index INTEGER, lane INTEGER, rule_id TEXT, policy_version TEXT,
  category TEXT, request_type TEXT, action TEXT, allowed INTEGER, queue TEXT,
  approved_text_id TEXT, approved_text_version INTEGER, reason TEXT,
  matched_triggers TEXT);
CREATE INDEX IF NOT EXISTS decisions_by_call ON decisions(call_id);
CREATE TABLE IF NOT EXISTS replies (
  event_id TEXT PRIMARY KEY, call_id TEXT NOT NULL, turn_index INTEGER,
  decision_id TEXT, quoted_texts TEXT, handoff_id TEXT, call_over INTEGER,
  fallback INTEGER, state TEXT, sealed_phi BLOB);
CREATE TABLE IF NOT EXISTS unanswered (
  event_id TEXT PRIMARY KEY, call_id TEXT NOT NULL, turn_index INTEGER,
  decision_id TEXT, offered TEXT, handoff_id TEXT);
CREATE TABLE IF NOT EXISTS fields_collected (
  event_id TEXT PRIMARY KEY, call_id TEXT NOT NULL, turn_index INTEGER,
  decision_id TEXT, field TEXT, outcome INTEGER, reason TEXT, attempt INTEGER,
  request_type TEXT, sealed_phi BLOB);
CREATE TABLE IF NOT EXISTS handoffs (
  handoff_id TEXT PRIMARY KEY, call_id TEXT NOT NULL,
  decision_id TEXT NOT NULL DEFAULT '', queue TEXT NOT NULL DEFAULT '',
  owner_role TEXT NOT NULL DEFAULT '', backup_role TEXT NOT NULL DEFAULT '',
  category TEXT NOT NULL DEFAULT '', lane INTEGER NOT NULL DEFAULT 0,
  deadline_us INTEGER, prepared_at_us INTEGER, state INTEGER NOT NULL,
  escalation_level INTEGER NOT NULL DEFAULT 0,
  claimed_by TEXT NOT NULL DEFAULT '', claimed_role TEXT NOT NULL DEFAULT '',
  claimed_at_us INTEGER, resolved_by TEXT NOT NULL DEFAULT '',
  resolved_at_us INTEGER);
CREATE INDEX IF NOT EXISTS handoffs_by_call ON handoffs(call_id);
CREATE TABLE IF NOT EXISTS handoff_steps (
  event_id TEXT PRIMARY KEY, handoff_id TEXT NOT NULL, call_id TEXT NOT NULL,
  stage INTEGER NOT NULL, occurred_at_us INTEGER NOT NULL, staff_id TEXT,
  role TEXT, from_role TEXT, to_role TEXT, level INTEGER);
CREATE INDEX IF NOT EXISTS steps_by_handoff
  ON handoff_steps(handoff_id, occurred_at_us);
CREATE TABLE IF NOT EXISTS handoff_packets (
  topic TEXT NOT NULL, handoff_id TEXT NOT NULL, revision INTEGER NOT NULL,
  partition INTEGER NOT NULL, offset INTEGER NOT NULL, call_id TEXT NOT NULL,
  state INTEGER NOT NULL, packet BLOB NOT NULL,
  PRIMARY KEY (topic, handoff_id, revision));
CREATE TABLE IF NOT EXISTS policy_activations (
  event_id TEXT PRIMARY KEY, tenant_id TEXT, old_version TEXT,
  new_version TEXT, source TEXT, changes TEXT, occurred_at_us INTEGER);
CREATE TABLE IF NOT EXISTS policy_rejections (
  event_id TEXT PRIMARY KEY, tenant_id TEXT, version_in_force TEXT,
  source TEXT, errors TEXT, occurred_at_us INTEGER);
CREATE TABLE IF NOT EXISTS accesses (
  event_id TEXT PRIMARY KEY, occurred_at_us INTEGER NOT NULL, actor_id TEXT,
  role TEXT, action TEXT, resource TEXT, allowed INTEGER, reason TEXT,
  purpose TEXT, via TEXT, policy_version TEXT, tenant_id TEXT);
CREATE INDEX IF NOT EXISTS accesses_by_time ON accesses(occurred_at_us, event_id);
CREATE TABLE IF NOT EXISTS damaged (
  topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL,
  reason TEXT NOT NULL, PRIMARY KEY (topic, partition, offset));
CREATE TABLE IF NOT EXISTS origin (
  topic TEXT NOT NULL, partition INTEGER NOT NULL,
  first_offset INTEGER NOT NULL, PRIMARY KEY (topic, partition));
CREATE TABLE IF NOT EXISTS offsets (
  topic TEXT NOT NULL, partition INTEGER NOT NULL,
  next_offset INTEGER NOT NULL, PRIMARY KEY (topic, partition));
)sql";

bool IsCallEvent(ev::EventType t) {
  switch (t) {
    case ev::EVENT_TYPE_POLICY_ACTIVATED:
    case ev::EVENT_TYPE_POLICY_REJECTED:
    case ev::EVENT_TYPE_ACCESS_RECORDED:
    case ev::EVENT_TYPE_UNSPECIFIED:
      return false;
    default:
      return true;
  }
}

std::string SealedBytes(const ev::EventBody& body) {
  return body.has_sealed_phi() ? body.sealed_phi().SerializeAsString() : "";
}

// Parses `body.payload()` into `msg`; DATA_LOSS names the type.
absl::Status ParsePayload(const ev::EventBody& body,
                          google::protobuf::MessageLite* msg) {
  if (!msg->ParseFromString(body.payload())) {
    return absl::DataLossError(absl::StrCat(
        "payload of ", events::EventTypeName(body.type()), " does not parse"));
  }
  return absl::OkStatus();
}

absl::Status HandoffStep(sqlite3* db, const std::string& event_id,
                         const std::string& handoff_id,
                         const std::string& call_id, rv::HandoffStage stage,
                         int64_t at, const std::string& staff_id,
                         const std::string& role, const std::string& from_role,
                         const std::string& to_role, int64_t level) {
  Stmt s(db,
         "INSERT INTO handoff_steps VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
         "?9, ?10)");
  s.Text(1, event_id)
      .Text(2, handoff_id)
      .Text(3, call_id)
      .Int(4, stage)
      .Int(5, at)
      .Text(6, staff_id)
      .Text(7, role)
      .Text(8, from_role)
      .Text(9, to_role)
      .Int(10, level);
  return s.Run();
}

// The lifecycle columns of a handoff, upserted so that a step never moves
// the state backwards.
absl::Status AdvanceHandoff(sqlite3* db, const std::string& handoff_id,
                            const std::string& call_id, rv::HandoffStage stage,
                            int64_t at, const std::string& staff_id,
                            const std::string& role) {
  const char* sql =
      stage == rv::HANDOFF_STAGE_CLAIMED
          ? "INSERT INTO handoffs (handoff_id, call_id, state, claimed_by, "
            "claimed_role, claimed_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
            "ON CONFLICT(handoff_id) DO UPDATE SET "
            "state = max(state, excluded.state), claimed_by = ?4, "
            "claimed_role = ?5, claimed_at_us = ?6"
          : "INSERT INTO handoffs (handoff_id, call_id, state, resolved_by, "
            "resolved_at_us) VALUES (?1, ?2, ?3, ?4, ?6) "
            "ON CONFLICT(handoff_id) DO UPDATE SET "
            "state = max(state, excluded.state), resolved_by = ?4, "
            "resolved_at_us = ?6";
  Stmt s(db, sql);
  s.Text(1, handoff_id)
      .Text(2, call_id)
      .Int(3, stage)
      .Text(4, staff_id)
      .Text(5, role)
      .Int(6, at);
  return s.Run();
}

absl::Status ProjectEvent(sqlite3* db, const ev::EventBody& body, int64_t at) {
  const std::string& id = body.event_id();
  const std::string& call = body.call_id();
  switch (body.type()) {
    case ev::EVENT_TYPE_CALL_STARTED: {
      ev::CallStarted p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(db,
             "UPDATE calls SET started_at_us = ?2, channel = ?3, "
             "direction = ?4, reason = ?5 WHERE call_id = ?1");
      s.Text(1, call).Int(2, at).Int(3, p.channel()).Int(4, p.direction());
      s.Int(5, p.reason());
      return s.Run();
    }
    case ev::EVENT_TYPE_TURN_RECEIVED: {
      ev::TurnReceived p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(db, "INSERT INTO turns VALUES (?1, ?2, ?3, ?4, NULL, ?5)");
      s.Text(1, id).Text(2, call).Int(3, p.turn_index());
      s.Int(4, p.utterance_chars()).Blob(5, SealedBytes(body));
      return s.Run();
    }
    case ev::EVENT_TYPE_TURN_FAILED: {
      ev::TurnFailed p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(db, "INSERT INTO turns VALUES (?1, ?2, ?3, NULL, ?4, ?5)");
      s.Text(1, id).Text(2, call).Int(3, p.turn_index()).Text(4, p.reason());
      s.Blob(5, SealedBytes(body));
      return s.Run();
    }
    case ev::EVENT_TYPE_DECISION_RECORDED: {
      ev::DecisionRecorded p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(db,
             "INSERT INTO decisions VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
             "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");
      s.Text(1, id).Text(2, p.decision_id()).Text(3, call);
      s.Int(4, p.turn_index()).Int(5, p.lane()).Text(6, p.rule_id());
      s.Text(7, p.policy_version()).Text(8, p.category());
      s.Text(9, p.request_type()).Text(10, p.action()).Int(11, p.allowed());
      s.Text(12, p.queue()).Text(13, p.approved_text_id());
      s.Int(14, p.approved_text_version()).Text(15, p.reason());
      s.Text(16, absl::StrJoin(p.matched_triggers(), ","));
      return s.Run();
    }
    case ev::EVENT_TYPE_REPLY_GIVEN: {
      ev::ReplyGiven p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(db,
             "INSERT INTO replies VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
             "?10)");
      s.Text(1, id).Text(2, call).Int(3, p.turn_index());
      s.Text(4, p.decision_id()).Text(5, absl::StrJoin(p.quoted_texts(), ","));
      s.Text(6, p.handoff_id()).Int(7, p.call_over()).Int(8, p.fallback());
      s.Text(9, p.state()).Blob(10, SealedBytes(body));
      return s.Run();
    }
    case ev::EVENT_TYPE_QUESTION_UNANSWERED: {
      ev::QuestionUnanswered p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(db, "INSERT INTO unanswered VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      s.Text(1, id).Text(2, call).Int(3, p.turn_index());
      s.Text(4, p.decision_id()).Text(5, p.offered()).Text(6, p.handoff_id());
      return s.Run();
    }
    case ev::EVENT_TYPE_FIELD_COLLECTED: {
      ev::FieldCollected p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(db,
             "INSERT INTO fields_collected VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
             "?8, ?9, ?10)");
      s.Text(1, id).Text(2, call).Int(3, p.turn_index());
      s.Text(4, p.decision_id()).Text(5, p.field()).Int(6, p.outcome());
      s.Text(7, p.reason()).Int(8, p.attempt()).Text(9, p.request_type());
      s.Blob(10, SealedBytes(body));
      return s.Run();
    }
    case ev::EVENT_TYPE_CALL_ENDED: {
      ev::CallEnded p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(db,
             "UPDATE calls SET ended_at_us = ?2, turns = ?3, ended_how = ?4 "
             "WHERE call_id = ?1");
      s.Text(1, call).Int(2, at).Int(3, p.turns()).Text(4, p.how());
      return s.Run();
    }
    case ev::EVENT_TYPE_HANDOFF_PREPARED: {
      ev::HandoffPrepared p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(
          db,
          "INSERT INTO handoffs (handoff_id, call_id, decision_id, queue, "
          "owner_role, backup_role, category, lane, deadline_us, "
          "prepared_at_us, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
          "?9, ?10, ?11) ON CONFLICT(handoff_id) DO UPDATE SET "
          "decision_id = ?3, queue = ?4, owner_role = ?5, backup_role = ?6, "
          "category = ?7, lane = ?8, deadline_us = ?9, prepared_at_us = ?10");
      s.Text(1, p.handoff_id()).Text(2, call).Text(3, p.decision_id());
      s.Text(4, p.queue()).Text(5, p.owner_role()).Text(6, p.backup_role());
      s.Text(7, p.category()).Int(8, p.lane());
      if (p.has_deadline()) {
        s.Int(9, Micros(p.deadline()));
      } else {
        s.Null(9);
      }
      s.Int(10, at).Int(11, rv::HANDOFF_STAGE_PREPARED);
      if (auto st = s.Run(); !st.ok()) return st;
      return HandoffStep(db, id, p.handoff_id(), call,
                         rv::HANDOFF_STAGE_PREPARED, at, "", p.owner_role(), "",
                         "", 0);
    }
    case ev::EVENT_TYPE_HANDOFF_CLAIMED: {
      ev::HandoffClaimed p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      if (auto st = AdvanceHandoff(db, p.handoff_id(), call,
                                   rv::HANDOFF_STAGE_CLAIMED, at, p.staff_id(),
                                   p.role());
          !st.ok()) {
        return st;
      }
      return HandoffStep(db, id, p.handoff_id(), call,
                         rv::HANDOFF_STAGE_CLAIMED, at, p.staff_id(), p.role(),
                         "", "", 0);
    }
    case ev::EVENT_TYPE_HANDOFF_RESOLVED: {
      ev::HandoffResolved p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      if (auto st = AdvanceHandoff(db, p.handoff_id(), call,
                                   rv::HANDOFF_STAGE_RESOLVED, at, p.staff_id(),
                                   p.role());
          !st.ok()) {
        return st;
      }
      return HandoffStep(db, id, p.handoff_id(), call,
                         rv::HANDOFF_STAGE_RESOLVED, at, p.staff_id(), p.role(),
                         "", "", 0);
    }
    case ev::EVENT_TYPE_HANDOFF_ESCALATED: {
      ev::HandoffEscalated p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(db,
             "INSERT INTO handoffs (handoff_id, call_id, state, "
             "escalation_level) VALUES (?1, ?2, ?3, ?4) "
             "ON CONFLICT(handoff_id) DO UPDATE SET "
             "escalation_level = max(escalation_level, ?4)");
      s.Text(1, p.handoff_id()).Text(2, call);
      s.Int(3, rv::HANDOFF_STAGE_PREPARED).Int(4, p.level());
      if (auto st = s.Run(); !st.ok()) return st;
      return HandoffStep(db, id, p.handoff_id(), call,
                         rv::HANDOFF_STAGE_ESCALATED, at, "", "", p.from_role(),
                         p.to_role(), p.level());
    }
    case ev::EVENT_TYPE_POLICY_ACTIVATED: {
      frontdesk::policy::v1::PolicyActivated p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(db,
             "INSERT INTO policy_activations VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
             "?7)");
      s.Text(1, id).Text(2, p.tenant_id()).Text(3, p.old_version());
      s.Text(4, p.new_version()).Text(5, p.source());
      s.Text(6, absl::StrJoin(p.changes(), "\n")).Int(7, at);
      return s.Run();
    }
    case ev::EVENT_TYPE_POLICY_REJECTED: {
      frontdesk::policy::v1::PolicyRejected p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(db,
             "INSERT INTO policy_rejections VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
      s.Text(1, id).Text(2, p.tenant_id()).Text(3, p.version_in_force());
      s.Text(4, p.source()).Text(5, absl::StrJoin(p.errors(), "\n"));
      s.Int(6, at);
      return s.Run();
    }
    case ev::EVENT_TYPE_ACCESS_RECORDED: {
      ev::AccessRecorded p;
      if (auto st = ParsePayload(body, &p); !st.ok()) return st;
      Stmt s(db,
             "INSERT INTO accesses (event_id, occurred_at_us, actor_id, role, "
             "action, resource, allowed, reason, purpose, via, policy_version, "
             "tenant_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
             "?12)");
      s.Text(1, id).Int(2, at).Text(3, p.actor_id()).Text(4, p.role());
      s.Text(5, p.action()).Text(6, p.resource()).Int(7, p.allowed());
      s.Text(8, p.reason()).Text(9, p.purpose()).Text(10, p.via());
      s.Text(11, body.policy_version()).Text(12, body.tenant_id());
      return s.Run();
    }
    default:
      // Kept in the events table; no table of its own (yet).
      return absl::OkStatus();
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteRecordStore>> SqliteRecordStore::Open(
    const std::string& path, absl::Duration busy_timeout,
    Durability durability) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return absl::InternalError(
        absl::StrCat("records db ", path, ": cannot open: ", msg));
  }
  std::unique_ptr<SqliteRecordStore> store(new SqliteRecordStore(db));
  absl::MutexLock lock(&store->mu_);
  // WAL with synchronous=NORMAL: a commit survives a process crash; after a
  // power loss the last batches may roll back, offsets with them.
  const std::string busy = absl::StrCat(
      "PRAGMA busy_timeout=", absl::ToInt64Milliseconds(busy_timeout));
  const bool rebuild = durability == Durability::kRebuild;
  for (const char* pragma :
       {"PRAGMA journal_mode=WAL",
        rebuild ? "PRAGMA synchronous=OFF" : "PRAGMA synchronous=NORMAL",
        "PRAGMA cache_size=-65536", busy.c_str()}) {
    if (absl::Status st = Exec(db, pragma); !st.ok()) {
      return absl::InternalError(
          absl::StrCat("records db ", path, ": ", st.message()));
    }
  }
  if (absl::Status st = store->CreateTables(); !st.ok()) {
    return absl::InternalError(
        absl::StrCat("records db ", path, ": ", st.message()));
  }
  if (absl::Status st = store->LoadOffsets(); !st.ok()) return st;
  return store;
}

SqliteRecordStore::~SqliteRecordStore() {
  absl::MutexLock lock(&mu_);
  StatementCache::Get().Forget(db_);
  sqlite3_close(db_);
}

absl::Status SqliteRecordStore::CreateTables() {
  if (absl::Status st = Exec(db_, kSchema); !st.ok()) return st;
  // A projection made before accesses carried their tenant gains the column
  // (its older rows keep none and no clinic's query shows them).
  Stmt has(db_,
           "SELECT count(*) FROM pragma_table_info('accesses') WHERE name = "
           "'tenant_id'");
  absl::StatusOr<bool> row = has.Step();
  if (!row.ok()) return row.status();
  if (*row && has.ColInt(0) == 0) {
    return Exec(db_, "ALTER TABLE accesses ADD COLUMN tenant_id TEXT");
  }
  return absl::OkStatus();
}

absl::Status SqliteRecordStore::LoadOffsets() {
  offsets_.clear();
  Stmt s(db_, "SELECT topic, partition, next_offset FROM offsets");
  while (true) {
    absl::StatusOr<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    offsets_[{s.ColText(0), static_cast<int32_t>(s.ColInt(1))}] = s.ColInt(2);
  }
  return absl::OkStatus();
}

absl::Status SqliteRecordStore::Clear() {
  absl::MutexLock lock(&mu_);
  std::string sql = "BEGIN IMMEDIATE;";
  for (const TableKey& t : kProjectedTables) {
    absl::StrAppend(&sql, "DELETE FROM ", t.name, ";");
  }
  absl::StrAppend(&sql, "DELETE FROM offsets; COMMIT;");
  if (absl::Status st = Exec(db_, sql.c_str()); !st.ok()) {
    Exec(db_, "ROLLBACK").IgnoreError();
    return st;
  }
  offsets_.clear();
  return absl::OkStatus();
}

absl::Status SqliteRecordStore::MarkDamaged(const eventlog::StoredRecord& r,
                                            const std::string& reason,
                                            ApplyCounts* counts) {
  Stmt s(db_, "INSERT OR IGNORE INTO damaged VALUES (?1, ?2, ?3, ?4)");
  s.Text(1, r.topic).Int(2, r.partition).Int(3, r.offset).Text(4, reason);
  if (absl::Status st = s.Run(); !st.ok()) return st;
  ++counts->damaged;
  return absl::OkStatus();
}

absl::Status SqliteRecordStore::ApplyPacket(const eventlog::StoredRecord& r,
                                            ApplyCounts* counts) {
  frontdesk::handoff::v1::HandoffPacket packet;
  if (!packet.ParseFromString(r.value) || packet.handoff_id().empty() ||
      packet.call_id().empty()) {
    return MarkDamaged(r, "not a handoff packet", counts);
  }
  Stmt s(db_,
         "INSERT OR IGNORE INTO handoff_packets VALUES (?1, ?2, ?3, ?4, ?5, "
         "?6, ?7, ?8)");
  s.Text(1, r.topic).Text(2, packet.handoff_id()).Int(3, packet.revision());
  s.Int(4, r.partition).Int(5, r.offset).Text(6, packet.call_id());
  s.Int(7, packet.state()).Blob(8, r.value);
  if (absl::Status st = s.Run(); !st.ok()) return st;
  if (sqlite3_changes(db_) == 0) {
    ++counts->duplicates;
  } else {
    ++counts->applied;
  }
  return absl::OkStatus();
}

absl::Status SqliteRecordStore::ApplyOne(const eventlog::StoredRecord& r,
                                         ApplyCounts* counts) {
  if (IsHandoffTopic(r.topic)) return ApplyPacket(r, counts);
  absl::StatusOr<events::OpenedEvent> opened =
      events::OpenEnvelopeBytes(r.value);
  if (!opened.ok()) {
    return MarkDamaged(r, std::string(opened.status().message()), counts);
  }
  const ev::EventBody& body = opened->body;
  if (body.event_id().empty()) {
    return MarkDamaged(r, "event without an event id", counts);
  }
  // Each event is applied inside a savepoint, so one whose payload does not
  // parse leaves nothing behind but its row in the damaged table.
  if (absl::Status st = Exec(db_, "SAVEPOINT ev"); !st.ok()) return st;
  const int64_t at = Micros(body.occurred_at());
  {
    Stmt s(db_,
           "INSERT OR IGNORE INTO events VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
           "?8, ?9, ?10, ?11)");
    s.Text(1, body.event_id()).Text(2, r.topic).Int(3, r.partition);
    s.Int(4, r.offset).Text(5, body.call_id());
    s.Int(6, static_cast<int64_t>(body.sequence())).Int(7, body.type());
    s.Int(8, at).Text(9, absl::StrCat(body.producer().service(), "/",
                                      body.producer().instance()));
    s.Text(10, body.policy_version()).Blob(11, r.value);
    if (absl::Status st = s.Run(); !st.ok()) return st;
  }
  if (sqlite3_changes(db_) == 0) {
    ++counts->duplicates;
    return Exec(db_, "RELEASE ev");
  }
  absl::Status projected = absl::OkStatus();
  if (r.topic == kCallsTopic && IsCallEvent(body.type())) {
    Stmt s(db_,
           "INSERT INTO calls (call_id, tenant_id, started_at_us, events) "
           "VALUES (?1, ?2, ?3, 1) ON CONFLICT(call_id) DO UPDATE SET "
           "events = events + 1");
    s.Text(1, body.call_id()).Text(2, body.tenant_id()).Int(3, at);
    projected = s.Run();
  }
  if (projected.ok()) projected = ProjectEvent(db_, body, at);
  if (projected.code() == absl::StatusCode::kDataLoss) {
    if (absl::Status st = Exec(db_, "ROLLBACK TO ev; RELEASE ev"); !st.ok()) {
      return st;
    }
    return MarkDamaged(r, std::string(projected.message()), counts);
  }
  if (!projected.ok()) return projected;
  ++counts->applied;
  return Exec(db_, "RELEASE ev");
}

absl::StatusOr<ApplyCounts> SqliteRecordStore::ApplyBatch(
    const std::vector<eventlog::StoredRecord>& records) {
  absl::MutexLock lock(&mu_);
  ApplyCounts counts;
  if (records.empty()) return counts;
  if (absl::Status st = Exec(db_, "BEGIN IMMEDIATE"); !st.ok()) return st;
  OffsetMap next = offsets_;
  absl::Status st = absl::OkStatus();
  for (const eventlog::StoredRecord& r : records) {
    const TopicPartition tp{r.topic, r.partition};
    auto it = next.find(tp);
    if (it != next.end() && r.offset < it->second) {
      // Below the stored offset: applied by an earlier batch.
      ++counts.duplicates;
      continue;
    }
    st = ApplyOne(r, &counts);
    if (!st.ok()) break;
    next[tp] = r.offset + 1;
  }
  if (st.ok()) {
    Stmt s(db_,
           "INSERT INTO offsets VALUES (?1, ?2, ?3) ON CONFLICT(topic, "
           "partition) DO UPDATE SET next_offset = excluded.next_offset");
    st = s.status();
    for (const auto& [tp, offset] : next) {
      if (!st.ok()) break;
      auto old = offsets_.find(tp);
      if (old != offsets_.end() && old->second == offset) continue;
      sqlite3_reset(s.raw());
      s.Text(1, tp.first).Int(2, tp.second).Int(3, offset);
      st = s.Run();
    }
  }
  if (st.ok()) st = Exec(db_, "COMMIT");
  if (!st.ok()) {
    Exec(db_, "ROLLBACK").IgnoreError();
    return st;
  }
  offsets_ = std::move(next);
  return counts;
}

absl::StatusOr<OffsetMap> SqliteRecordStore::Offsets() const {
  absl::MutexLock lock(&mu_);
  return offsets_;
}

absl::Status SqliteRecordStore::StartAt(const OffsetMap& origin) {
  absl::MutexLock lock(&mu_);
  if (!offsets_.empty()) {
    return absl::FailedPreconditionError(
        "records db: the projection has already started");
  }
  if (absl::Status st = Exec(db_, "BEGIN IMMEDIATE"); !st.ok()) return st;
  absl::Status st = absl::OkStatus();
  for (const char* sql : {"INSERT INTO origin VALUES (?1, ?2, ?3)",
                          "INSERT INTO offsets VALUES (?1, ?2, ?3)"}) {
    for (const auto& [tp, offset] : origin) {
      if (!st.ok()) break;
      Stmt s(db_, sql);
      s.Text(1, tp.first).Int(2, tp.second).Int(3, offset);
      st = s.Run();
    }
  }
  if (st.ok()) st = Exec(db_, "COMMIT");
  if (!st.ok()) {
    Exec(db_, "ROLLBACK").IgnoreError();
    return st;
  }
  offsets_ = origin;
  return absl::OkStatus();
}

absl::StatusOr<OffsetMap> SqliteRecordStore::Origin() const {
  absl::MutexLock lock(&mu_);
  OffsetMap out;
  Stmt s(db_, "SELECT topic, partition, first_offset FROM origin");
  while (true) {
    absl::StatusOr<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out[{s.ColText(0), static_cast<int32_t>(s.ColInt(1))}] = s.ColInt(2);
  }
  return out;
}

absl::StatusOr<rv::CallSummary> SqliteRecordStore::SummaryLocked(
    const std::string& call_id) const {
  rv::CallSummary c;
  {
    Stmt s(db_,
           "SELECT tenant_id, started_at_us, ended_at_us, channel, direction, "
           "reason, turns, ended_how, events FROM calls WHERE call_id = ?1");
    s.Text(1, call_id);
    absl::StatusOr<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::NotFoundError("call_id: no such call");
    c.set_call_id(call_id);
    c.set_tenant_id(s.ColText(0));
    SetTimestamp(s.ColInt(1), c.mutable_started_at());
    if (!s.ColNull(2)) SetTimestamp(s.ColInt(2), c.mutable_ended_at());
    c.set_channel(static_cast<ev::Channel>(s.ColInt(3)));
    c.set_direction(static_cast<ev::Direction>(s.ColInt(4)));
    c.set_reason(static_cast<ev::CallReason>(s.ColInt(5)));
    c.set_turns(static_cast<uint32_t>(s.ColInt(6)));
    c.set_ended_how(s.ColText(7));
    c.set_events(static_cast<uint32_t>(s.ColInt(8)));
  }
  {
    Stmt s(db_,
           "SELECT DISTINCT lane FROM decisions WHERE call_id = ?1 ORDER BY 1");
    s.Text(1, call_id);
    while (true) {
      absl::StatusOr<bool> row = s.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      c.add_lanes(static_cast<ev::Lane>(s.ColInt(0)));
    }
  }
  for (auto [sql, out] :
       {std::pair{"SELECT DISTINCT request_type FROM decisions WHERE "
                  "call_id = ?1 AND request_type != '' ORDER BY 1",
                  c.mutable_request_types()},
        std::pair{"SELECT DISTINCT category FROM decisions WHERE call_id = ?1 "
                  "AND category != '' ORDER BY 1",
                  c.mutable_categories()},
        std::pair{"SELECT handoff_id FROM handoffs WHERE call_id = ?1 "
                  "ORDER BY 1",
                  c.mutable_handoff_ids()}}) {
    Stmt s(db_, sql);
    s.Text(1, call_id);
    while (true) {
      absl::StatusOr<bool> row = s.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      out->Add(s.ColText(0));
    }
  }
  return c;
}

absl::StatusOr<rv::HandoffRecord> SqliteRecordStore::HandoffLocked(
    const std::string& handoff_id) const {
  rv::HandoffRecord h;
  {
    Stmt s(db_,
           "SELECT call_id, decision_id, queue, owner_role, backup_role, "
           "category, lane, deadline_us, state, escalation_level, claimed_by, "
           "claimed_role, claimed_at_us, resolved_by, resolved_at_us, "
           "prepared_at_us FROM handoffs WHERE handoff_id = ?1");
    s.Text(1, handoff_id);
    absl::StatusOr<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::NotFoundError("handoff_id: no such handoff");
    h.set_handoff_id(handoff_id);
    h.set_call_id(s.ColText(0));
    h.set_decision_id(s.ColText(1));
    h.set_queue(s.ColText(2));
    h.set_owner_role(s.ColText(3));
    h.set_backup_role(s.ColText(4));
    h.set_category(s.ColText(5));
    h.set_lane(static_cast<ev::Lane>(s.ColInt(6)));
    if (!s.ColNull(7)) SetTimestamp(s.ColInt(7), h.mutable_deadline());
    h.set_state(static_cast<rv::HandoffStage>(s.ColInt(8)));
    h.set_escalation_level(static_cast<uint32_t>(s.ColInt(9)));
    h.set_claimed_by(s.ColText(10));
    h.set_claimed_role(s.ColText(11));
    if (!s.ColNull(12)) SetTimestamp(s.ColInt(12), h.mutable_claimed_at());
    h.set_resolved_by(s.ColText(13));
    if (!s.ColNull(14)) SetTimestamp(s.ColInt(14), h.mutable_resolved_at());
    if (!s.ColNull(15)) SetTimestamp(s.ColInt(15), h.mutable_prepared_at());
  }
  Stmt s(db_,
         "SELECT s.event_id, s.stage, s.occurred_at_us, s.staff_id, s.role, "
         "s.from_role, s.to_role, s.level FROM handoff_steps s JOIN events e "
         "ON e.event_id = s.event_id WHERE s.handoff_id = ?1 "
         "ORDER BY e.partition, e.offset");
  s.Text(1, handoff_id);
  while (true) {
    absl::StatusOr<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    rv::HandoffStep* step = h.add_steps();
    step->set_event_id(s.ColText(0));
    step->set_stage(static_cast<rv::HandoffStage>(s.ColInt(1)));
    SetTimestamp(s.ColInt(2), step->mutable_occurred_at());
    step->set_staff_id(s.ColText(3));
    step->set_role(s.ColText(4));
    step->set_from_role(s.ColText(5));
    step->set_to_role(s.ColText(6));
    step->set_level(static_cast<uint32_t>(s.ColInt(7)));
  }
  return h;
}

absl::StatusOr<rv::GetCallResponse> SqliteRecordStore::GetCall(
    const std::string& call_id) const {
  absl::MutexLock lock(&mu_);
  rv::GetCallResponse out;
  {
    Stmt s(db_,
           "SELECT envelope, partition, offset FROM events WHERE call_id = ?1 "
           "AND topic = ?2 ORDER BY partition, offset");
    s.Text(1, call_id).Text(2, kCallsTopic);
    while (true) {
      absl::StatusOr<bool> row = s.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      rv::RecordedEvent* e = out.add_events();
      if (!e->mutable_envelope()->ParseFromString(s.ColBlob(0))) {
        return absl::DataLossError("records db: a stored envelope is damaged");
      }
      e->set_partition(static_cast<int32_t>(s.ColInt(1)));
      e->set_offset(s.ColInt(2));
    }
  }
  if (out.events().empty()) {
    return absl::NotFoundError("call_id: no events recorded for this call");
  }
  absl::StatusOr<rv::CallSummary> summary = SummaryLocked(call_id);
  if (summary.ok()) {
    *out.mutable_call() = *std::move(summary);
  } else if (!absl::IsNotFound(summary.status())) {
    return summary.status();
  }
  for (const std::string& id : out.call().handoff_ids()) {
    absl::StatusOr<rv::HandoffRecord> h = HandoffLocked(id);
    if (!h.ok()) return h.status();
    *out.add_handoffs() = *std::move(h);
  }
  return out;
}

absl::StatusOr<rv::ListCallsResponse> SqliteRecordStore::ListCalls(
    const CallFilter& f) const {
  if (f.page_size < 1 || f.page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: between 1 and ", kMaxPageSize));
  }
  int64_t after_us = 0;
  std::string after_id;
  const bool paged = !f.page_token.empty();
  if (paged) {
    std::pair<std::string, std::string> parts =
        absl::StrSplit(f.page_token, absl::MaxSplits('/', 1));
    if (!absl::SimpleAtoi(parts.first, &after_us) || parts.second.empty()) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    after_id = parts.second;
  }
  std::string sql = "SELECT c.call_id, c.started_at_us FROM calls c WHERE 1";
  if (!f.tenant_id.empty()) absl::StrAppend(&sql, " AND c.tenant_id = ?9");
  if (f.from) absl::StrAppend(&sql, " AND c.started_at_us >= ?1");
  if (f.to) absl::StrAppend(&sql, " AND c.started_at_us < ?2");
  if (f.lane != ev::LANE_UNSPECIFIED) {
    absl::StrAppend(&sql,
                    " AND EXISTS (SELECT 1 FROM decisions d WHERE d.call_id = "
                    "c.call_id AND d.lane = ?3)");
  }
  if (!f.request_type.empty()) {
    absl::StrAppend(&sql,
                    " AND EXISTS (SELECT 1 FROM decisions d WHERE d.call_id = "
                    "c.call_id AND d.request_type = ?4)");
  }
  if (!f.category.empty()) {
    absl::StrAppend(&sql,
                    " AND EXISTS (SELECT 1 FROM decisions d WHERE d.call_id = "
                    "c.call_id AND d.category = ?5)");
  }
  constexpr char kHandoffs[] =
      "EXISTS (SELECT 1 FROM handoffs h WHERE h.call_id = c.call_id";
  switch (f.handoff) {
    case rv::HANDOFF_FILTER_NONE:
      absl::StrAppend(&sql, " AND NOT ", kHandoffs, ")");
      break;
    case rv::HANDOFF_FILTER_OPEN:
      absl::StrAppend(&sql, " AND ", kHandoffs,
                      " AND h.state = ", rv::HANDOFF_STAGE_PREPARED, ")");
      break;
    case rv::HANDOFF_FILTER_CLAIMED:
      absl::StrAppend(&sql, " AND ", kHandoffs,
                      " AND h.state = ", rv::HANDOFF_STAGE_CLAIMED, ")");
      break;
    case rv::HANDOFF_FILTER_RESOLVED:
      absl::StrAppend(&sql, " AND ", kHandoffs,
                      " AND h.state = ", rv::HANDOFF_STAGE_RESOLVED, ")");
      break;
    case rv::HANDOFF_FILTER_ESCALATED:
      absl::StrAppend(&sql, " AND ", kHandoffs, " AND h.escalation_level > 0)");
      break;
    default:
      break;
  }
  if (paged) {
    absl::StrAppend(&sql,
                    " AND (c.started_at_us > ?6 OR (c.started_at_us = ?6 AND "
                    "c.call_id > ?7))");
  }
  absl::StrAppend(&sql, " ORDER BY c.started_at_us, c.call_id LIMIT ?8");

  absl::MutexLock lock(&mu_);
  Stmt s(db_, sql.c_str());
  if (f.from) s.Int(1, Micros(*f.from));
  if (f.to) s.Int(2, Micros(*f.to));
  if (f.lane != ev::LANE_UNSPECIFIED) s.Int(3, f.lane);
  if (!f.request_type.empty()) s.Text(4, f.request_type);
  if (!f.category.empty()) s.Text(5, f.category);
  if (paged) s.Int(6, after_us).Text(7, after_id);
  s.Int(8, f.page_size + 1);
  if (!f.tenant_id.empty()) s.Text(9, f.tenant_id);
  std::vector<std::pair<std::string, int64_t>> ids;
  while (true) {
    absl::StatusOr<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ids.emplace_back(s.ColText(0), s.ColInt(1));
  }
  rv::ListCallsResponse out;
  const bool more = ids.size() > static_cast<size_t>(f.page_size);
  if (more) ids.resize(static_cast<size_t>(f.page_size));
  for (const auto& [id, started] : ids) {
    absl::StatusOr<rv::CallSummary> c = SummaryLocked(id);
    if (!c.ok()) return c.status();
    *out.add_calls() = *std::move(c);
  }
  if (more && !ids.empty()) {
    out.set_next_page_token(
        absl::StrCat(ids.back().second, "/", ids.back().first));
  }
  return out;
}

absl::StatusOr<rv::HandoffRecord> SqliteRecordStore::GetHandoff(
    const std::string& handoff_id) const {
  absl::MutexLock lock(&mu_);
  return HandoffLocked(handoff_id);
}

absl::StatusOr<rv::ListAccessesResponse> SqliteRecordStore::ListAccesses(
    const AccessFilter& f) const {
  if (f.page_size < 1 || f.page_size > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: between 1 and ", kMaxPageSize));
  }
  int64_t after_us = 0;
  std::string after_id;
  const bool paged = !f.page_token.empty();
  if (paged) {
    std::pair<std::string, std::string> parts =
        absl::StrSplit(f.page_token, absl::MaxSplits('/', 1));
    if (!absl::SimpleAtoi(parts.first, &after_us) || parts.second.empty()) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    after_id = parts.second;
  }
  std::string sql =
      "SELECT event_id, occurred_at_us, actor_id, role, action, resource, "
      "allowed, reason, purpose, via, policy_version FROM accesses WHERE 1";
  if (!f.tenant_id.empty()) absl::StrAppend(&sql, " AND tenant_id = ?8");
  if (f.from) absl::StrAppend(&sql, " AND occurred_at_us >= ?1");
  if (f.to) absl::StrAppend(&sql, " AND occurred_at_us < ?2");
  if (!f.actor_id.empty()) absl::StrAppend(&sql, " AND actor_id = ?3");
  if (!f.resource.empty()) absl::StrAppend(&sql, " AND resource = ?4");
  if (paged) {
    absl::StrAppend(&sql,
                    " AND (occurred_at_us > ?5 OR (occurred_at_us = ?5 AND "
                    "event_id > ?6))");
  }
  absl::StrAppend(&sql, " ORDER BY occurred_at_us, event_id LIMIT ?7");
  absl::MutexLock lock(&mu_);
  Stmt s(db_, sql.c_str());
  if (f.from) s.Int(1, Micros(*f.from));
  if (f.to) s.Int(2, Micros(*f.to));
  if (!f.actor_id.empty()) s.Text(3, f.actor_id);
  if (!f.resource.empty()) s.Text(4, f.resource);
  if (paged) s.Int(5, after_us).Text(6, after_id);
  s.Int(7, f.page_size + 1);
  if (!f.tenant_id.empty()) s.Text(8, f.tenant_id);
  rv::ListAccessesResponse out;
  while (true) {
    absl::StatusOr<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    rv::AccessRecord* a = out.add_accesses();
    a->set_event_id(s.ColText(0));
    SetTimestamp(s.ColInt(1), a->mutable_occurred_at());
    a->set_actor_id(s.ColText(2));
    a->set_role(s.ColText(3));
    a->set_action(s.ColText(4));
    a->set_resource(s.ColText(5));
    a->set_allowed(s.ColInt(6) != 0);
    a->set_reason(s.ColText(7));
    a->set_purpose(s.ColText(8));
    a->set_via(s.ColText(9));
    a->set_policy_version(s.ColText(10));
  }
  if (out.accesses_size() > f.page_size) {
    out.mutable_accesses()->RemoveLast();
    const rv::AccessRecord& last = out.accesses(out.accesses_size() - 1);
    out.set_next_page_token(
        absl::StrCat(Micros(last.occurred_at()), "/", last.event_id()));
  }
  return out;
}

absl::StatusOr<std::string> SqliteRecordStore::Digest() const {
  absl::MutexLock lock(&mu_);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    return absl::InternalError("digest: SHA-256 unavailable");
  }
  // Every value is written as a type tag, its length and its bytes, so no two
  // different tables hash alike.
  auto put = [&](char tag, absl::string_view bytes) {
    uint64_t n = bytes.size();
    unsigned char len[8];
    for (int i = 0; i < 8; ++i)
      len[i] = static_cast<unsigned char>(n >> (8 * i));
    EVP_DigestUpdate(ctx.get(), &tag, 1);
    EVP_DigestUpdate(ctx.get(), len, sizeof(len));
    EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size());
  };
  for (const TableKey& t : kProjectedTables) {
    put('T', t.name);
    const std::string sql =
        absl::StrCat("SELECT * FROM ", t.name, " ORDER BY ", t.order_by);
    Stmt s(db_, sql.c_str());
    const int columns = sqlite3_column_count(s.raw());
    while (true) {
      absl::StatusOr<bool> row = s.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      put('R', "");
      for (int i = 0; i < columns; ++i) {
        switch (sqlite3_column_type(s.raw(), i)) {
          case SQLITE_NULL:
            put('N', "");
            break;
          case SQLITE_INTEGER:
            put('I', absl::StrCat(s.ColInt(i)));
            break;
          case SQLITE_TEXT:
            put('S', s.ColText(i));
            break;
          default:
            put('B', s.ColBlob(i));
            break;
        }
      }
    }
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md, &n) != 1) {
    return absl::InternalError("digest: SHA-256 failed");
  }
  return events::ToHex(absl::string_view(reinterpret_cast<const char*>(md), n));
}

absl::StatusOr<int64_t> SqliteRecordStore::DamagedCount() const {
  absl::MutexLock lock(&mu_);
  Stmt s(db_, "SELECT count(*) FROM damaged");
  absl::StatusOr<bool> row = s.Step();
  if (!row.ok()) return row.status();
  return s.ColInt(0);
}

}  // namespace frontdesk::records
