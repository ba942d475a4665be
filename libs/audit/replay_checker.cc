#include "libs/audit/replay_checker.h"

#include <functional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "frontdesk/events/v1/call_events.pb.h"

namespace frontdesk::audit {

namespace ev = ::frontdesk::events::v1;

namespace {

// answer's own decision when rules-check cannot be reached: it may only hand
// off (services/answer/call_agent.h).
constexpr char kFailClosedRuleId[] = "FAIL-CLOSED-RULES-CHECK";
constexpr char kRulesCheck[] = "rules-check";

struct Decision {
  ev::DecisionRecorded payload;
  const ev::EventBody* body = nullptr;
};

Finding About(const std::string& kind, const CheckedRecord& r,
              std::string detail) {
  Finding f;
  f.kind = kind;
  const ev::EventBody& b = r.event->body;
  f.event_id = b.event_id();
  f.event_type = events::EventTypeName(b.type());
  f.producer_service = b.producer().service();
  f.producer_instance = b.producer().instance();
  f.sequence = b.sequence();
  f.topic = r.record->topic;
  f.partition = r.record->partition;
  f.offset = r.record->offset;
  f.detail = std::move(detail);
  return f;
}

bool Allows(const ev::DecisionRecorded& d, const std::string& action) {
  if (d.action() == action) return true;
  for (const std::string& a : d.allowed_actions()) {
    if (a == action) return true;
  }
  return false;
}

std::string AllowedList(const ev::DecisionRecorded& d) {
  return absl::StrCat("action ", d.action(), ", allowed [",
                      absl::StrJoin(d.allowed_actions(), ","), "]");
}

// Each action against decision `d`: "" when allowed, else why not.
std::string CheckReply(const ev::ReplyGiven& r, const ev::DecisionRecorded& d) {
  if (r.turn_index() != d.turn_index() && d.action() != "urgent_script") {
    return absl::StrCat("reply of turn ", r.turn_index(),
                        " cites the decision of turn ", d.turn_index());
  }
  if (d.action() == "quote_answer") {
    const std::string quote =
        absl::StrCat(d.approved_text_id(), "@", d.approved_text_version());
    bool quoted = false;
    for (const std::string& q : r.quoted_texts()) quoted = quoted || q == quote;
    if (!quoted) {
      return absl::StrCat("the decision allowed quoting ", quote,
                          "; the reply quoted [",
                          absl::StrJoin(r.quoted_texts(), ","), "]");
    }
  }
  if (r.call_over() && !Allows(d, "close_call")) {
    return absl::StrCat("the reply closed the call; the decision allowed ",
                        AllowedList(d));
  }
  if (!r.handoff_id().empty() && !Allows(d, "handoff")) {
    return absl::StrCat("the reply names handoff ", r.handoff_id(),
                        "; the decision allowed ", AllowedList(d));
  }
  return "";
}

std::string CheckField(const ev::FieldCollected& f,
                       const ev::DecisionRecorded& d) {
  if (f.turn_index() != d.turn_index()) {
    return absl::StrCat("field of turn ", f.turn_index(),
                        " cites the decision of turn ", d.turn_index());
  }
  if (!d.allowed() || !Allows(d, "collect_field")) {
    return absl::StrCat("the decision did not allow collecting a field (",
                        AllowedList(d), ")");
  }
  if (f.field() != d.collect_field()) {
    return absl::StrCat("collected field ", f.field(),
                        "; the decision allowed field \"", d.collect_field(),
                        "\"");
  }
  if (!d.request_type().empty() && f.request_type() != d.request_type()) {
    return absl::StrCat("collected for request type ", f.request_type(),
                        "; the decision allowed request type ",
                        d.request_type());
  }
  return "";
}

std::string CheckUnanswered(const ev::QuestionUnanswered& q,
                            const ev::DecisionRecorded& d) {
  if (q.turn_index() != d.turn_index()) {
    return absl::StrCat("question of turn ", q.turn_index(),
                        " cites the decision of turn ", d.turn_index());
  }
  if (!Allows(d, "handoff")) {
    return absl::StrCat("offered ", q.offered(), "; the decision allowed ",
                        AllowedList(d));
  }
  return "";
}

std::string CheckHandoff(const ev::HandoffPrepared& h,
                         const ev::DecisionRecorded& d) {
  if (!Allows(d, "handoff") && !Allows(d, "urgent_script")) {
    return absl::StrCat("handoff prepared; the decision allowed ",
                        AllowedList(d));
  }
  if (!d.queue().empty() && h.queue() != d.queue()) {
    return absl::StrCat("handoff to queue ", h.queue(),
                        "; the decision routed to queue ", d.queue());
  }
  if (h.lane() != ev::LANE_UNSPECIFIED && h.lane() != d.lane()) {
    return absl::StrCat("handoff in lane ", ev::Lane_Name(h.lane()),
                        "; the decision's lane is ", ev::Lane_Name(d.lane()));
  }
  return "";
}

}  // namespace

std::string Position(const eventlog::StoredRecord& r) {
  return absl::StrCat(r.topic, "/", r.partition, "@", r.offset);
}

CallCheck CheckCall(const std::string& call_id,
                    const std::vector<eventlog::StoredRecord>& records,
                    const events::ProducerKeys* keys) {
  CallCheck c;
  c.call_id = call_id;
  c.signatures_checked = keys != nullptr;
  c.records.reserve(records.size());

  // 1. Hashes, signatures and chains.
  events::ChainVerifier verifier(call_id, keys);
  for (const eventlog::StoredRecord& r : records) {
    const size_t before = verifier.findings().size();
    absl::StatusOr<events::OpenedEvent> e = verifier.Add(r.value, Position(r));
    CheckedRecord checked;
    checked.record = &r;
    checked.trusted = e.ok();
    if (e.ok()) checked.event = *std::move(e);
    for (size_t i = before; i < verifier.findings().size(); ++i) {
      const events::Finding& vf = verifier.findings()[i];
      if (vf.kind == events::FindingKind::kForged ||
          vf.kind == events::FindingKind::kForeign ||
          vf.kind == events::FindingKind::kDuplicate) {
        checked.trusted = false;
      }
      Finding f;
      f.kind = events::FindingKindName(vf.kind);
      f.event_id = vf.event_id;
      f.event_type = vf.event_type;
      f.producer_service = vf.producer_service;
      f.producer_instance = vf.producer_instance;
      f.sequence = vf.sequence;
      f.topic = r.topic;
      f.partition = r.partition;
      f.offset = r.offset;
      f.detail = vf.detail;
      c.findings.push_back(std::move(f));
    }
    c.records.push_back(std::move(checked));
  }
  c.intact_events = verifier.intact_events();
  c.signed_events = verifier.signed_events();
  c.producers = verifier.producers();

  // 2. Every action against the decision it cites, in log order: a decision
  // counts only once it is on the log.
  absl::flat_hash_map<std::string, Decision> decisions;
  for (const CheckedRecord& r : c.records) {
    if (!r.trusted) continue;
    const ev::EventBody& b = r.event->body;
    std::string decision_id;
    std::string why;
    std::function<std::string(const ev::DecisionRecorded&)> check;
    ev::ReplyGiven reply;
    ev::FieldCollected field;
    ev::QuestionUnanswered question;
    ev::HandoffPrepared handoff;
    switch (b.type()) {
      case ev::EVENT_TYPE_DECISION_RECORDED: {
        Decision d;
        d.body = &b;
        if (d.payload.ParseFromString(b.payload()) &&
            !d.payload.decision_id().empty()) {
          decisions.emplace(d.payload.decision_id(), std::move(d));
        }
        continue;
      }
      case ev::EVENT_TYPE_REPLY_GIVEN:
        if (!reply.ParseFromString(b.payload())) break;
        // The fallback wording takes no action and cites no decision.
        if (reply.fallback() && reply.decision_id().empty()) continue;
        decision_id = reply.decision_id();
        check = [&reply](const ev::DecisionRecorded& d) {
          return CheckReply(reply, d);
        };
        break;
      case ev::EVENT_TYPE_FIELD_COLLECTED:
        if (!field.ParseFromString(b.payload())) break;
        decision_id = field.decision_id();
        check = [&field](const ev::DecisionRecorded& d) {
          return CheckField(field, d);
        };
        break;
      case ev::EVENT_TYPE_QUESTION_UNANSWERED:
        if (!question.ParseFromString(b.payload())) break;
        decision_id = question.decision_id();
        check = [&question](const ev::DecisionRecorded& d) {
          return CheckUnanswered(question, d);
        };
        break;
      case ev::EVENT_TYPE_HANDOFF_PREPARED:
        if (!handoff.ParseFromString(b.payload())) break;
        decision_id = handoff.decision_id();
        check = [&handoff](const ev::DecisionRecorded& d) {
          return CheckHandoff(handoff, d);
        };
        break;
      default:
        continue;
    }
    ++c.actions_checked;
    if (!check) {
      c.findings.push_back(
          About(kNoDecision, r, "the payload does not parse as its type"));
      continue;
    }
    if (decision_id.empty()) {
      c.findings.push_back(About(kNoDecision, r, "cites no decision"));
      continue;
    }
    auto it = decisions.find(decision_id);
    if (it == decisions.end()) {
      c.findings.push_back(
          About(kNoDecision, r,
                absl::StrCat("cites decision ", decision_id,
                             ", which is not on the log for this call before "
                             "it")));
      continue;
    }
    const ev::DecisionRecorded& d = it->second.payload;
    const ev::EventBody& db = *it->second.body;
    const std::string& writer = db.producer().service();
    if (writer != kRulesCheck &&
        !(writer == "answer" && d.rule_id() == kFailClosedRuleId &&
          d.action() == "handoff")) {
      c.findings.push_back(
          About(kNotAllowed, r,
                absl::StrCat("cites decision ", decision_id, " (event ",
                             db.event_id(), "), written by ", writer,
                             ", not rules-check")));
      continue;
    }
    if (d.policy_version() != db.policy_version()) {
      c.findings.push_back(About(
          kPolicyMismatch, r,
          absl::StrCat("decision ", decision_id, " names policy ",
                       d.policy_version(), " but its event was written under ",
                       db.policy_version())));
      continue;
    }
    if (b.policy_version() != d.policy_version()) {
      c.findings.push_back(
          About(kPolicyMismatch, r,
                absl::StrCat("acted under policy ", b.policy_version(),
                             "; decision ", decision_id,
                             " was made under policy ", d.policy_version())));
      continue;
    }
    why = check(d);
    if (!why.empty()) {
      c.findings.push_back(
          About(kNotAllowed, r,
                absl::StrCat("decision ", decision_id, " (rule ", d.rule_id(),
                             "): ", why)));
    }
  }
  return c;
}

nlohmann::json FindingJson(const Finding& f) {
  return {
      {"kind", f.kind},
      {"event_id", f.event_id},
      {"event_type", f.event_type},
      {"producer",
       {{"service", f.producer_service}, {"instance", f.producer_instance}}},
      {"sequence", f.sequence},
      {"topic", f.topic},
      {"partition", f.partition},
      {"offset", f.offset},
      {"detail", f.detail}};
}

nlohmann::json CallCheckJson(const CallCheck& check) {
  nlohmann::json events = nlohmann::json::array();
  for (const CheckedRecord& r : check.records) {
    nlohmann::json e = {{"topic", r.record->topic},
                        {"partition", r.record->partition},
                        {"offset", r.record->offset}};
    if (r.event.has_value()) {
      const ev::EventBody& b = r.event->body;
      const absl::Time at = absl::FromUnixSeconds(b.occurred_at().seconds()) +
                            absl::Nanoseconds(b.occurred_at().nanos());
      e["event_id"] = b.event_id();
      e["event_type"] = events::EventTypeName(b.type());
      e["producer"] = {{"service", b.producer().service()},
                       {"instance", b.producer().instance()}};
      e["sequence"] = b.sequence();
      e["occurred_at"] =
          absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", at, absl::UTCTimeZone());
      e["policy_version"] = b.policy_version();
      e["summary"] = events::SummarizePayload(b);
      e["signing_key_id"] = r.event->envelope.signing_key_id();
      e["trusted"] = r.trusted;
    } else {
      e["damaged"] = true;
    }
    events.push_back(std::move(e));
  }
  nlohmann::json findings = nlohmann::json::array();
  for (const Finding& f : check.findings) findings.push_back(FindingJson(f));
  return {{"call_id", check.call_id},
          {"events", std::move(events)},
          {"findings", std::move(findings)},
          {"counts",
           {{"records", check.records.size()},
            {"intact", check.intact_events},
            {"signed", check.signed_events},
            {"producers", check.producers},
            {"actions_checked", check.actions_checked}}},
          {"signatures_checked", check.signatures_checked}};
}

std::string FindingLine(const Finding& f) {
  const std::string where =
      absl::StrCat(f.topic, "/", f.partition, "@", f.offset);
  if (f.event_id.empty()) {
    return absl::StrCat(f.kind, " at ", where, ": ", f.detail);
  }
  return absl::StrCat(f.kind, " at ", where, ": event ", f.event_id, " (",
                      f.event_type, ", ", f.producer_service, "/",
                      f.producer_instance, " #", f.sequence, "): ", f.detail);
}

}  // namespace frontdesk::audit
