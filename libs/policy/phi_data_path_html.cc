// RenderPhiDataPathHtml: the data-path report as one self-contained page.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "libs/kafka/kafka_settings.h"
#include "libs/policy/phi_data_path.h"

namespace frontdesk::policy {
namespace {

std::string Esc(absl::string_view s) {
  std::string o;
  for (char c : s) {
    switch (c) {
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
      case '\'':
        o += "&#39;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

constexpr char kGreen[] = "#d7f0d7";
constexpr char kRed[] = "#f7d4d4";
constexpr char kBlue[] = "#dde8f7";
constexpr char kGrey[] = "#eeeeee";
constexpr char kSealed[] = "#fff2cc";

void Box(std::string* o, int x, int y, int w, int h, const char* fill,
         const std::vector<std::string>& lines, bool bold_first = true) {
  absl::StrAppend(o, "<rect x='", x, "' y='", y, "' width='", w, "' height='",
                  h, "' rx='6' fill='", fill, "' stroke='#555'/>\n");
  int ty = y + 16;
  for (size_t i = 0; i < lines.size(); ++i) {
    absl::StrAppend(o, "<text x='", x + 6, "' y='", ty, "'",
                    (i == 0 && bold_first) ? " font-weight='bold'" : "", ">",
                    Esc(lines[i]), "</text>\n");
    ty += 14;
  }
}

void Arrow(std::string* o, int x1, int y1, int x2, int y2,
           absl::string_view label = "", bool dashed = false) {
  absl::StrAppend(o, "<line x1='", x1, "' y1='", y1, "' x2='", x2, "' y2='", y2,
                  "' stroke='#333' marker-end='url(#arrow)'",
                  dashed ? " stroke-dasharray='5,4'" : "", "/>\n");
  if (!label.empty()) {
    absl::StrAppend(o, "<text x='", (x1 + x2) / 2 + 3, "' y='",
                    (y1 + y2) / 2 - 4, "' font-size='10'>", Esc(label),
                    "</text>\n");
  }
}

// Splits "owner A, backup B, last resort C, claim window W" into two lines.
std::vector<std::string> QueueLines(const std::string& id,
                                    const std::string& roles) {
  std::vector<std::string> lines = {absl::StrCat("queue ", id)};
  const size_t cut = roles.find(", last resort");
  if (cut == std::string::npos) {
    lines.push_back(roles);
  } else {
    lines.push_back(roles.substr(0, cut));
    lines.push_back(roles.substr(cut + 2));
  }
  return lines;
}

std::string Diagram(const PhiDataPath& d) {
  const int n = static_cast<int>(d.queue_roles.size());
  const int row = 56;
  const int top = 20;
  const int queues_top = top + 70;
  const int queues_h = std::max(1, n) * row;
  const int rk_y = queues_top + queues_h + 10;
  const int sub_y = rk_y + 60 + 50;
  const int subs = static_cast<int>(d.subprocessors.size());
  const int sub_w = 170;
  const int width = std::max(1060, 20 + subs * (sub_w + 12));
  const int height = sub_y + 80;
  std::string o;
  absl::StrAppend(&o, "<svg xmlns='http://www.w3.org/2000/svg' width='", width,
                  "' height='", height,
                  "' font-family='sans-serif' "
                  "font-size='12' role='img' aria-label='PHI data path'>\n",
                  "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' "
                  "refY='5' markerWidth='7' markerHeight='7' "
                  "orient='auto-start-reverse'><path d='M0,0 L10,5 L0,10 z' "
                  "fill='#333'/></marker></defs>\n");
  const int mid = top + 60;
  Box(&o, 10, mid, 110, 50, kGrey, {"Caller", "speaks on the phone"});
  Box(&o, 160, mid, 130, 64, kBlue,
      {"answer", "runs the call;", "seals PHI first"});
  Arrow(&o, 120, mid + 25, 160, mid + 25);
  // Kafka: the calls topic and one handoff topic per queue.
  const int kx = 340;
  const int kw = 260;
  Box(&o, kx, top, kw, 50, kSealed,
      {"Kafka (sealed)", kafka::kCallsTopic, "every call event"});
  Arrow(&o, 290, mid + 20, kx, top + 30, "sealed");
  // handoff-prep below answer, fanning out to the queue topics.
  const int hx = 160;
  const int hy = mid + 110;
  Box(&o, hx, hy, 130, 64, kBlue,
      {"handoff-prep", "packets: only fields", "shown to the owner"});
  Arrow(&o, 225, mid + 64, 225, hy, "handoff");
  const int qx = 650;
  for (int i = 0; i < n; ++i) {
    const int y = queues_top + i * row;
    const int h = row - 8;
    Box(&o, kx, y, kw, h, kSealed,
        {kafka::HandoffTopic(d.queue_roles[i].first), "handoff packets"},
        false);
    absl::StrAppend(&o, "<line x1='290' y1='", hy + 32, "' x2='", kx, "' y2='",
                    y + h / 2, "' stroke='#999' marker-end='url(#arrow)'/>\n");
    Box(&o, qx, y, 400, h, kGreen,
        QueueLines(d.queue_roles[i].first, d.queue_roles[i].second));
    Arrow(&o, kx + kw, y + h / 2, qx, y + h / 2);
  }
  // record-keeper: folds every topic into its projection.
  Box(&o, kx, rk_y, kw, 50, kBlue,
      {"record-keeper", "SQLite projection; PHI stays sealed"});
  absl::StrAppend(&o, "<line x1='", kx - 12, "' y1='", top + 25, "' x2='",
                  kx - 12, "' y2='", rk_y + 25,
                  "' stroke='#333' stroke-dasharray='2,3'/>\n");
  Arrow(&o, kx - 12, rk_y + 25, kx, rk_y + 25);
  // Subprocessors.
  absl::StrAppend(&o, "<text x='10' y='", sub_y - 12,
                  "' font-weight='bold'>Subprocessors (green: BAA on record; "
                  "red: no BAA, receives no PHI)</text>\n");
  for (int i = 0; i < subs; ++i) {
    const SubprocessorSummary& s = d.subprocessors[i];
    const int x = 10 + i * (sub_w + 12);
    Box(&o, x, sub_y, sub_w, 60, s.baa_on_record ? kGreen : kRed,
        {s.id,
         absl::StrCat(s.kind, s.baa_on_record ? ", BAA on record" : ", NO BAA"),
         s.receives.empty()
             ? std::string("receives no PHI")
             : absl::StrCat("receives ", s.receives.size(), " PHI field",
                            s.receives.size() == 1 ? "" : "s")});
    if (!s.receives.empty()) {
      Arrow(&o, 170, mid + 64, x + sub_w / 2, sub_y, "", true);
    }
  }
  absl::StrAppend(&o, "</svg>\n");
  return o;
}

// "a (x, y); b (z)": each item once, with the request types it comes from.
std::string Grouped(const std::vector<std::pair<std::string, std::string>>& v) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> types;
  for (const auto& [item, type] : v) {
    if (types.count(item) == 0) order.push_back(item);
    types[item].push_back(type);
  }
  std::vector<std::string> parts;
  for (const std::string& item : order) {
    parts.push_back(
        absl::StrCat(item, " (", absl::StrJoin(types[item], ", "), ")"));
  }
  return parts.empty() ? "none" : absl::StrJoin(parts, "; ");
}

std::string List(const std::vector<std::string>& v) {
  return v.empty() ? "nobody" : Esc(absl::StrJoin(v, ", "));
}

}  // namespace

std::string RenderPhiDataPathHtml(const PhiDataPath& d) {
  std::string o;
  absl::StrAppend(
      &o,
      "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>\n"
      "<title>PHI data path: ",
      Esc(d.clinic_name),
      "</title>\n<style>body{font-family:sans-serif;max-width:1100px;"
      "margin:2em auto;line-height:1.4}table{border-collapse:collapse;"
      "margin:.5em 0}td,th{border:1px solid #bbb;padding:4px 8px;"
      "vertical-align:top;text-align:left}th{background:#f3f3f3}"
      ".nobaa{background:#f7d4d4}.baa{background:#d7f0d7}"
      "dt{font-weight:bold}</style></head><body>\n",
      "<h1>Where patient data goes: ", Esc(d.clinic_name), "</h1>\n",
      "<p>Tenant <code>", Esc(d.tenant_id), "</code>; policy <code>",
      Esc(d.source), "</code>, version <code>", Esc(d.policy_version),
      "</code>. Worked out from the policy objects the services enforce.</p>\n",
      "<h2>How to read this page</h2><dl>"
      "<dt>PHI</dt><dd>Protected health information: anything that "
      "identifies a patient.</dd>"
      "<dt>Sealed</dt><dd>Encrypted (AES-256-GCM) with the clinic's own "
      "data key before it leaves the answer service; unreadable without "
      "that key.</dd>"
      "<dt>Queue</dt><dd>A staff work list; each has an owner, a backup and "
      "a last-resort role.</dd>"
      "<dt>Subprocessor</dt><dd>An outside company that handles data for the "
      "clinic. Green: a BAA (business associate agreement) is on record. "
      "Red: no BAA; it receives no PHI.</dd>"
      "<dt>Arrows</dt><dd>Solid: the path of a call's data. Dashed: PHI "
      "to a subprocessor.</dd></dl>\n",
      "<h2>The data path</h2>\n", Diagram(d));
  for (const std::string& w : d.warnings) {
    absl::StrAppend(&o, "<p class='nobaa'><b>Warning:</b> ", Esc(w), "</p>\n");
  }

  absl::StrAppend(
      &o,
      "<h2>1. What the agent may collect</h2>\n<p>On every call: "
      "the caller's words and phone number, always sealed.</p>\n"
      "<table><tr><th>Field</th><th>Collected for</th><th>Stored "
      "(sealed on ",
      kafka::kCallsTopic,
      ") for</th><th>Sent to queues</th><th>Sent to "
      "subprocessors</th><th>Seen at the staff desk by</th></tr>\n");
  for (const FieldPath& f : d.fields) {
    std::vector<std::string> types, stored;
    std::vector<std::pair<std::string, std::string>> queues, subs;
    std::set<std::string> roles;
    for (const auto& u : f.requests) {
      types.push_back(u.request_type);
      if (u.stored) stored.push_back(u.request_type);
      for (const auto& q : u.queues) {
        queues.push_back({q.queue, u.request_type});
        roles.insert(q.roles_shown.begin(), q.roles_shown.end());
      }
      for (const auto& s : u.subprocessors) {
        subs.push_back({absl::StrCat(s.id, s.baa_on_record ? "" : " NO BAA"),
                        u.request_type});
      }
    }
    absl::StrAppend(&o, "<tr><td><b>", Esc(f.name), "</b></td><td>",
                    List(types), "</td><td>", List(stored), "</td><td>",
                    Esc(Grouped(queues)), "</td><td>", Esc(Grouped(subs)),
                    "</td><td>", List({roles.begin(), roles.end()}),
                    "</td></tr>\n");
  }
  absl::StrAppend(&o, "</table>\n");

  absl::StrAppend(&o,
                  "<h2>2. Where it is stored</h2>\n<p>Every PHI value is "
                  "sealed with the per-tenant data key of <code>",
                  Esc(d.tenant_id),
                  "</code>; each sealed value records the id of its key and "
                  "is bound to its tenant and call.</p>\n<table><tr><th>Topic"
                  "</th><th>Holds</th></tr>\n");
  for (const TopicUse& t : d.phi_topics) {
    absl::StrAppend(&o, "<tr><td><code>", Esc(t.topic), "</code></td><td>",
                    Esc(t.holds), "</td></tr>\n");
  }
  absl::StrAppend(&o,
                  "<tr><td>record-keeper (SQLite)</td><td>a copy folded from "
                  "these topics; PHI stays sealed</td></tr></table>\n");

  absl::StrAppend(&o,
                  "<h2>3. Who can see it</h2>\n<table><tr><th>Field</th>"
                  "<th>Request type</th><th>Queue</th><th>Roles shown the "
                  "field</th></tr>\n");
  for (const FieldPath& f : d.fields) {
    for (const auto& u : f.requests) {
      for (const auto& q : u.queues) {
        absl::StrAppend(&o, "<tr><td>", Esc(f.name), "</td><td>",
                        Esc(u.request_type), "</td><td>", Esc(q.queue),
                        "</td><td>", List(q.roles_shown), "</td></tr>\n");
      }
    }
  }
  absl::StrAppend(
      &o,
      "</table>\n<p>Opening sealed PHI in the tools with the keyring "
      "(<code>phi.read</code>, recorded): ",
      List(d.phi_read_roles),
      ".<br>Reading the record with PHI still sealed "
      "(<code>records.read</code>): ",
      List(d.records_read_roles),
      ".<br>The caller's words and number: the roles of the queue holding "
      "the handoff. Every view is recorded.<br>Emergency access (break "
      "glass) to any queue, with a stated reason, seeing what the queue's "
      "owner sees; loudly logged, recorded as break glass and listed in the "
      "weekly review: ",
      List(d.break_glass_roles), ".</p>\n");

  absl::StrAppend(
      &o, "<h2>4. How long it is kept</h2>\n<p>Kafka topics: ",
      absl::StrFormat("%.0f days (about %.1f years)",
                      d.topic_retention.retention_ms / 86400000.0,
                      d.topic_retention.retention_ms / 86400000.0 / 365.25),
      ", from ", Esc(d.topic_retention.source),
      ".<br>Retention in the policy: ", Esc(d.policy_retention),
      ".<br>Shred schedule: ", Esc(d.shred_schedule),
      ". A shredded key makes everything it sealed unreadable by anyone, "
      "while the audit skeleton (event types, lanes, rule ids, hashes) "
      "still verifies.</p>\n");

  absl::StrAppend(&o,
                  "<h2>5. What happens when something fails</h2>\n<table>"
                  "<tr><th>When</th><th>What happens</th></tr>\n");
  for (const FailureBehaviour& fb : d.failures) {
    absl::StrAppend(&o, "<tr><td>", Esc(fb.situation), "</td><td>",
                    Esc(fb.outcome), "</td></tr>\n");
  }
  absl::StrAppend(&o,
                  "</table>\n<table><tr><th>Queue</th><th>Roles and claim "
                  "window</th></tr>\n");
  for (const auto& [q, roles] : d.queue_roles) {
    absl::StrAppend(&o, "<tr><td>", Esc(q), "</td><td>", Esc(roles),
                    "</td></tr>\n");
  }
  absl::StrAppend(&o,
                  "</table>\n<h2>6. Where the audit records are</h2>\n<table>"
                  "<tr><th>Topic</th><th>Holds</th></tr>\n");
  for (const TopicUse& t : d.audit_topics) {
    absl::StrAppend(&o, "<tr><td><code>", Esc(t.topic), "</code></td><td>",
                    Esc(t.holds), "</td></tr>\n");
  }
  absl::StrAppend(&o,
                  "</table>\n<h2>7. Subprocessors</h2>\n<table><tr><th>"
                  "Subprocessor</th><th>Kind</th><th>BAA</th><th>Receives"
                  "</th></tr>\n");
  for (const SubprocessorSummary& s : d.subprocessors) {
    absl::StrAppend(
        &o, "<tr class='", s.baa_on_record ? "baa" : "nobaa", "'><td>",
        Esc(s.id), "</td><td>", Esc(s.kind), "</td><td>",
        s.baa_on_record ? "on record" : "NONE", "</td><td>",
        s.receives.empty() ? "no PHI" : Esc(absl::StrJoin(s.receives, "; ")),
        "</td></tr>\n");
  }
  absl::StrAppend(&o, "</table>\n</body></html>\n");
  return o;
}

}  // namespace frontdesk::policy
