#include "libs/reports/weekly_report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "frontdesk/events/v1/access_events.pb.h"
#include "frontdesk/events/v1/handoff_events.pb.h"

namespace frontdesk::reports {

namespace ev = ::frontdesk::events::v1;

namespace {

int Severity(ev::Lane lane) {
  switch (lane) {
    case ev::LANE_HUMAN_ONLY:
      return 3;
    case ev::LANE_AI_ASSISTED:
      return 2;
    case ev::LANE_AI_OWNED:
      return 1;
    default:
      return 0;
  }
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

Counts Sorted(const std::map<std::string, int>& m, size_t limit = 0) {
  Counts out(m.begin(), m.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second > b.second;
  });
  if (limit > 0 && out.size() > limit) out.resize(limit);
  return out;
}

// Lower case, inner whitespace collapsed: "Do you  do X-rays?" and "do you do
// x-rays?" are one question.
std::string NormalizeQuestion(const std::string& text) {
  std::vector<absl::string_view> words =
      absl::StrSplit(text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  return absl::AsciiStrToLower(absl::StrJoin(words, " "));
}

constexpr size_t kTopN = 10;

}  // namespace

std::optional<absl::Duration> NearestRankPercentile(
    std::vector<absl::Duration> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(p * values.size()));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

WeeklyReportBuilder::WeeklyReportBuilder(absl::Time from, absl::Time to,
                                         PhiOpener open, absl::Time now)
    : from_(from), to_(to), open_(std::move(open)), now_(now) {}

void WeeklyReportBuilder::Apply(const LoggedEvent& e) {
  const ev::EventBody& b = e.body;
  ++events_;
  switch (b.type()) {
    case ev::EVENT_TYPE_CALL_STARTED: {
      Call& c = calls_[b.call_id()];
      if (!c.started) call_order_.push_back(b.call_id());
      c.started = true;
      break;
    }
    case ev::EVENT_TYPE_DECISION_RECORDED: {
      ev::DecisionRecorded d;
      if (!d.ParseFromString(b.payload())) break;
      if (!d.request_type().empty())
        decision_request_type_[d.decision_id()] = d.request_type();
      // Authorizations decide an action, not a turn's lane.
      if (!d.proposed().empty()) break;
      Call& c = calls_[b.call_id()];
      if (!d.request_type().empty()) c.request_type = d.request_type();
      if (Severity(d.lane()) > Severity(c.lane)) {
        c.lane = d.lane();
        c.category = d.category();
      }
      if (d.lane() == ev::LANE_HUMAN_ONLY) c.human_only = true;
      for (const std::string& t : d.matched_triggers()) ++triggers_[t];
      if (!d.rule_id().empty()) ++rules_[d.rule_id()];
      if (d.action() == "quote_answer" && !d.approved_text_id().empty())
        ++answered_;
      break;
    }
    case ev::EVENT_TYPE_TURN_FAILED:
      calls_[b.call_id()].turn_failed = true;
      break;
    case ev::EVENT_TYPE_QUESTION_UNANSWERED: {
      ++unanswered_;
      if (open_ && b.has_sealed_phi()) {
        auto phi = open_(b.sealed_phi(), b.tenant_id(), b.call_id());
        if (phi.ok() && !phi->utterance().empty()) {
          ++unanswered_texts_[NormalizeQuestion(phi->utterance())];
          texts_opened_ = true;
        }
      }
      break;
    }
    case ev::EVENT_TYPE_HANDOFF_PREPARED: {
      ev::HandoffPrepared p;
      if (!p.ParseFromString(b.payload())) break;
      if (handoffs_.contains(p.handoff_id())) break;
      Handoff& h = handoffs_[p.handoff_id()];
      handoff_order_.push_back(p.handoff_id());
      h.call_id = b.call_id();
      auto rt = decision_request_type_.find(p.decision_id());
      h.request_type =
          rt != decision_request_type_.end() ? rt->second : p.category();
      h.category = p.category();
      h.queue = p.queue();
      h.prepared = e.occurred_at;
      h.deadline = FromProto(p.deadline());
      break;
    }
    case ev::EVENT_TYPE_HANDOFF_CLAIMED: {
      ev::HandoffClaimed c;
      if (!c.ParseFromString(b.payload())) break;
      auto it = handoffs_.find(c.handoff_id());
      if (it != handoffs_.end() && !it->second.claimed.has_value())
        it->second.claimed = e.occurred_at;
      break;
    }
    case ev::EVENT_TYPE_HANDOFF_RESOLVED: {
      ev::HandoffResolved r;
      if (!r.ParseFromString(b.payload())) break;
      auto it = handoffs_.find(r.handoff_id());
      if (it != handoffs_.end()) it->second.resolved = true;
      break;
    }
    case ev::EVENT_TYPE_HANDOFF_ESCALATED: {
      ev::HandoffEscalated x;
      if (!x.ParseFromString(b.payload())) break;
      ++escalations_;
      auto it = handoffs_.find(x.handoff_id());
      std::string category = "(prepared before the range)",
                  queue = "(prepared before the range)";
      if (it != handoffs_.end()) {
        ++it->second.escalations;
        category = it->second.category;
        queue = it->second.queue;
      }
      ++escalations_by_category_[category];
      ++escalations_by_queue_[queue];
      break;
    }
    case ev::EVENT_TYPE_ACCESS_RECORDED: {
      ev::AccessRecorded a;
      if (!a.ParseFromString(b.payload()) || !a.break_glass()) break;
      if (e.occurred_at < from_ || e.occurred_at >= to_) break;
      break_glass_.push_back({e.occurred_at, a.actor_id(), a.role(), a.action(),
                              a.resource(), a.allowed(), a.purpose()});
      break;
    }
    default:
      break;
  }
}

WeeklyReport WeeklyReportBuilder::Finish() const {
  WeeklyReport r;
  r.from = from_;
  r.to = to_;
  r.events = events_;
  std::map<std::string, int> by_type, by_lane, by_category;
  for (const std::string& id : call_order_) {
    const Call& c = calls_.at(id);
    ++r.calls;
    ++by_type[c.request_type.empty() ? "(none)" : c.request_type];
    ++by_lane[LaneName(c.lane)];
    ++by_category[c.category.empty() ? "(none)" : c.category];
  }
  r.calls_by_request_type = Sorted(by_type);
  r.calls_by_lane = Sorted(by_lane);
  r.calls_by_category = Sorted(by_category);
  r.escalations = escalations_;
  r.escalations_by_category = Sorted(escalations_by_category_);
  r.escalations_by_queue = Sorted(escalations_by_queue_);

  std::vector<absl::Duration> claim_times;
  struct TypeEvidence {
    int handoffs = 0, resolved = 0;
    bool clean = true;
    std::vector<std::string> calls;
  };
  std::map<std::string, TypeEvidence> evidence;
  for (const std::string& id : handoff_order_) {
    const Handoff& h = handoffs_.at(id);
    ++r.handoffs;
    bool missed = false;
    if (h.claimed.has_value()) {
      ++r.claimed;
      claim_times.push_back(*h.claimed - h.prepared);
      missed = *h.claimed > h.deadline;
    } else {
      missed = h.deadline < std::min(to_, now_);
    }
    r.deadlines_missed += missed;
    TypeEvidence& t = evidence[h.request_type];
    ++t.handoffs;
    t.resolved += h.resolved;
    if (!h.claimed.has_value() || !h.resolved || h.escalations > 0 || missed)
      t.clean = false;
    if (std::find(t.calls.begin(), t.calls.end(), h.call_id) == t.calls.end())
      t.calls.push_back(h.call_id);
  }
  r.median_time_to_claim = NearestRankPercentile(claim_times, 0.5);
  r.p90_time_to_claim = NearestRankPercentile(claim_times, 0.9);

  r.top_triggers = Sorted(triggers_, kTopN);
  r.top_rules = Sorted(rules_, kTopN);
  r.answered_with_approved_text = answered_;
  r.unanswered = unanswered_;
  if (answered_ + unanswered_ > 0) {
    r.approved_answer_hit_rate =
        static_cast<double>(answered_) / (answered_ + unanswered_);
  }
  r.break_glass = break_glass_;
  r.unanswered_texts_shown = texts_opened_;
  if (texts_opened_) r.unanswered_texts = Sorted(unanswered_texts_);

  for (const auto& [type, t] : evidence) {
    if (!t.clean || t.handoffs < kLaneMoveMinHandoffs) continue;
    // Only handoffs that came from ai_assisted decisions are candidates: a
    // human-only category never moves on this evidence.
    bool assisted = true;
    for (const std::string& call : t.calls) {
      auto c = calls_.find(call);
      if (c == calls_.end() || c->second.human_only || c->second.turn_failed ||
          c->second.lane != ev::LANE_AI_ASSISTED) {
        assisted = false;
      }
    }
    if (!assisted) continue;
    r.lane_move_candidates.push_back(
        {type, t.handoffs, t.resolved, static_cast<int>(t.calls.size())});
  }
  return r;
}

namespace {

std::string Dur(const std::optional<absl::Duration>& d) {
  if (!d.has_value()) return "-";
  return absl::StrFormat("%.0fs", absl::ToDoubleSeconds(*d));
}

std::string Rate(const std::optional<double>& r) {
  if (!r.has_value()) return "-";
  return absl::StrFormat("%.1f%%", *r * 100.0);
}

std::string Day(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M", t, absl::UTCTimeZone());
}

void TextSection(std::string* out, const std::string& title, const Counts& c) {
  absl::StrAppend(out, title, "\n");
  if (c.empty()) absl::StrAppend(out, "  (none)\n");
  for (const auto& [k, v] : c)
    absl::StrAppendFormat(out, "  %-40s %6d\n", k, v);
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string q = "\"";
  for (char ch : s) {
    if (ch == '"') q += '"';
    q += ch;
  }
  return q + "\"";
}

std::string HtmlEscape(const std::string& s) {
  std::string o;
  for (char ch : s) {
    switch (ch) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      default:
        o += ch;
    }
  }
  return o;
}

// A horizontal bar chart, one bar per count, scaled to the largest.
std::string SvgBars(const std::string& title, const Counts& c) {
  std::string o = absl::StrCat("<h2>", HtmlEscape(title), "</h2>\n");
  if (c.empty()) return o + "<p class=\"none\">none this week</p>\n";
  const int bar_h = 22, label_w = 260, chart_w = 360, gap = 6;
  int max = 1;
  for (const auto& kv : c) max = std::max(max, kv.second);
  const int h = static_cast<int>(c.size()) * (bar_h + gap) + gap;
  absl::StrAppendFormat(
      &o,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
      "role=\"img\" aria-label=\"%s\">\n",
      label_w + chart_w + 60, h, HtmlEscape(title));
  int y = gap;
  for (const auto& [k, v] : c) {
    const int w = std::max(1, v * chart_w / max);
    absl::StrAppendFormat(
        &o,
        "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#3a7bd5\"/>"
        "<text x=\"%d\" y=\"%d\">%d</text>\n",
        label_w - 8, y + 16, HtmlEscape(k), label_w, y, w, bar_h,
        label_w + w + 6, y + 16, v);
    y += bar_h + gap;
  }
  return o + "</svg>\n";
}

std::string HtmlTable(
    const std::vector<std::pair<std::string, std::string>>& rows) {
  std::string o = "<table>\n";
  for (const auto& [k, v] : rows) {
    absl::StrAppend(&o, "<tr><th>", HtmlEscape(k), "</th><td>", HtmlEscape(v),
                    "</td></tr>\n");
  }
  return o + "</table>\n";
}

std::vector<std::pair<std::string, std::string>> Headline(
    const WeeklyReport& r) {
  return {
      {"calls", absl::StrCat(r.calls)},
      {"handoffs", absl::StrCat(r.handoffs)},
      {"handoffs claimed", absl::StrCat(r.claimed)},
      {"median time to claim", Dur(r.median_time_to_claim)},
      {"p90 time to claim", Dur(r.p90_time_to_claim)},
      {"deadlines missed", absl::StrCat(r.deadlines_missed)},
      {"escalations", absl::StrCat(r.escalations)},
      {"answered with an approved text",
       absl::StrCat(r.answered_with_approved_text)},
      {"unanswered questions", absl::StrCat(r.unanswered)},
      {"approved-answer hit rate", Rate(r.approved_answer_hit_rate)},
      {"break-glass accesses", absl::StrCat(r.break_glass.size())},
  };
}

std::string BreakGlassLine(const BreakGlassAccess& b) {
  return absl::StrCat(FormatInstant(b.at), " ", b.actor_id, " (", b.role, ") ",
                      b.action, " ", b.resource, " ",
                      b.allowed ? "granted" : "refused", ": ", b.purpose);
}

}  // namespace

std::string WeeklyReportText(const WeeklyReport& r) {
  std::string o = absl::StrCat("Weekly review ", Day(r.from), " to ", Day(r.to),
                               " UTC (", r.events, " events)\n\n");
  for (const auto& [k, v] : Headline(r))
    absl::StrAppendFormat(&o, "%-32s %s\n", k, v);
  o += "\n";
  TextSection(&o, "Calls by request type", r.calls_by_request_type);
  TextSection(&o, "Calls by lane", r.calls_by_lane);
  TextSection(&o, "Calls by category", r.calls_by_category);
  TextSection(&o, "Escalations by category", r.escalations_by_category);
  TextSection(&o, "Escalations by queue", r.escalations_by_queue);
  TextSection(&o, "Triggers that fired most", r.top_triggers);
  TextSection(&o, "Rules that decided most turns", r.top_rules);
  if (r.unanswered_texts_shown) {
    TextSection(&o, "Unanswered questions (candidates for approved answers)",
                r.unanswered_texts);
  } else {
    absl::StrAppend(&o,
                    "Unanswered questions (candidates for approved answers)\n"
                    "  ",
                    r.unanswered,
                    " (words sealed; need the keyring and phi.read)\n");
  }
  o += "Requests that might move from ai_assisted to ai_owned\n";
  if (r.lane_move_candidates.empty()) o += "  (none)\n";
  for (const auto& c : r.lane_move_candidates) {
    absl::StrAppendFormat(&o,
                          "  %-40s %d handoffs, %d resolved, none escalated or "
                          "late, %d calls, no human-only turn\n",
                          c.request_type, c.handoffs, c.resolved, c.calls);
  }
  o += "Break-glass (emergency) accesses\n";
  if (r.break_glass.empty()) o += "  (none)\n";
  for (const auto& b : r.break_glass)
    absl::StrAppend(&o, "  ", BreakGlassLine(b), "\n");
  return o;
}

std::string WeeklyReportCsv(const WeeklyReport& r) {
  std::string o = "section,key,value\n";
  auto row = [&](const std::string& s, const std::string& k,
                 const std::string& v) {
    absl::StrAppend(&o, CsvField(s), ",", CsvField(k), ",", CsvField(v), "\n");
  };
  row("range", "from", FormatInstant(r.from));
  row("range", "to", FormatInstant(r.to));
  for (const auto& [k, v] : Headline(r)) row("summary", k, v);
  auto counts = [&](const std::string& s, const Counts& c) {
    for (const auto& [k, v] : c) row(s, k, absl::StrCat(v));
  };
  counts("calls_by_request_type", r.calls_by_request_type);
  counts("calls_by_lane", r.calls_by_lane);
  counts("calls_by_category", r.calls_by_category);
  counts("escalations_by_category", r.escalations_by_category);
  counts("escalations_by_queue", r.escalations_by_queue);
  counts("top_triggers", r.top_triggers);
  counts("top_rules", r.top_rules);
  if (r.unanswered_texts_shown) counts("unanswered_texts", r.unanswered_texts);
  for (const auto& c : r.lane_move_candidates) {
    row("lane_move_candidates", c.request_type,
        absl::StrCat(c.handoffs, " handoffs; ", c.resolved, " resolved; ",
                     c.calls, " calls"));
  }
  for (const auto& b : r.break_glass) {
    row("break_glass", FormatInstant(b.at), BreakGlassLine(b));
  }
  return o;
}

std::string WeeklyReportHtml(const WeeklyReport& r) {
  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<title>Weekly review</title>\n<style>\n"
      "body{font-family:sans-serif;margin:2em;color:#222}"
      "table{border-collapse:collapse}th,td{padding:4px 12px;text-align:left;"
      "border-bottom:1px solid #ddd}svg text{font-size:13px}"
      ".none{color:#777}\n</style></head><body>\n";
  absl::StrAppend(&o, "<h1>Weekly review</h1>\n<p>", HtmlEscape(Day(r.from)),
                  " to ", HtmlEscape(Day(r.to)), " UTC, ", r.events,
                  " events on the log.</p>\n");
  o += HtmlTable(Headline(r));
  o += SvgBars("Calls by request type", r.calls_by_request_type);
  o += SvgBars("Calls by lane", r.calls_by_lane);
  o += SvgBars("Calls by category", r.calls_by_category);
  o += SvgBars("Escalations by category", r.escalations_by_category);
  o += SvgBars("Escalations by queue", r.escalations_by_queue);
  o += SvgBars("Triggers that fired most", r.top_triggers);
  o += SvgBars("Rules that decided most turns", r.top_rules);
  if (r.unanswered_texts_shown) {
    o += SvgBars("Unanswered questions (candidates for approved answers)",
                 r.unanswered_texts);
  } else {
    absl::StrAppend(&o, "<h2>Unanswered questions</h2>\n<p>", r.unanswered,
                    " questions; their words are sealed (the keyring and "
                    "phi.read show them).</p>\n");
  }
  o += "<h2>Requests that might move from ai_assisted to ai_owned</h2>\n";
  if (r.lane_move_candidates.empty()) o += "<p class=\"none\">none</p>\n";
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& c : r.lane_move_candidates) {
    rows.push_back(
        {c.request_type, absl::StrCat(c.handoffs, " handoffs, ", c.resolved,
                                      " resolved, none escalated or late, ",
                                      c.calls, " calls, no human-only turn")});
  }
  if (!rows.empty()) o += HtmlTable(rows);
  o += "<h2>Break-glass (emergency) accesses</h2>\n";
  if (r.break_glass.empty()) o += "<p class=\"none\">none</p>\n";
  std::vector<std::pair<std::string, std::string>> glass;
  for (const auto& b : r.break_glass) {
    glass.push_back({FormatInstant(b.at), BreakGlassLine(b)});
  }
  if (!glass.empty()) o += HtmlTable(glass);
  return o + "</body></html>\n";
}

}  // namespace frontdesk::reports
