// WeeklyReport: the operating record a clinic reviews each week, folded from
// the events of a time range.
//
// Build it with WeeklyReportBuilder: Apply() every event of the range in log
// order (a call's events share one partition, so per-call order is enough;
// CollectEvents or a streaming read both give it), then Finish(). The
// figures:
//
//   calls                 calls started in the range, by request type, by
//                         lane and by category. A call's lane and category
//                         are those of its most restrictive turn decision
//                         (human_only > ai_assisted > ai_owned; the first
//                         such decision on a tie); its request type is the
//                         last one its decisions named ("(none)" if none).
//   escalations           HandoffEscalated events, by the handoff's category
//                         and by the queue the handoff was first sent to.
//   time to claim         HandoffClaimed time minus HandoffPrepared time, per
//                         claimed handoff; median and p90 by nearest rank
//                         (the value at rank ceil(p * n), 1-based).
//   deadlines missed      handoffs whose first deadline passed before a claim:
//                         claimed after it, or unclaimed at the end of the
//                         range with the deadline before min(to, now).
//   top triggers          matched trigger phrases (the clinic's words) and
//                         the rule ids of turn decisions, most frequent first.
//   approved-answer hits  turn decisions that quoted an approved text, over
//                         those plus QuestionUnanswered events.
//   unanswered questions  QuestionUnanswered events. Their words are sealed
//                         PHI: grouped texts only with a PhiOpener, else a
//                         count.
//   lane-move candidates  see LaneMoveCandidate.
//   break glass           every emergency access (AccessRecorded with
//                         break_glass), granted or refused, listed one by
//                         one: when, who, role, what, and the stated reason.
//
// Not thread-safe.
//
// Example:
//   WeeklyReportBuilder b(from, to, opener_or_nullptr);
//   for (const LoggedEvent& e : events.events) b.Apply(e);
//   WeeklyReport r = b.Finish();
//   std::cout << WeeklyReportText(r);
#ifndef FRONTDESK_LIBS_REPORTS_WEEKLY_REPORT_H_
#define FRONTDESK_LIBS_REPORTS_WEEKLY_REPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "libs/reports/audit_log_events.h"

namespace frontdesk::reports {

// A request type that might move from ai_assisted to ai_owned. The rule: at
// least kLaneMoveMinHandoffs handoffs of the type in the range, every one
// claimed and resolved, none escalated, no deadline missed, and none of the
// type's calls produced a human-only decision or a failed turn. The evidence
// is the log only: resolution notes are sealed and are not read, so "resolved"
// means staff closed it, not that nothing needed changing.
struct LaneMoveCandidate {
  std::string request_type;
  int handoffs = 0;
  int resolved = 0;
  int calls = 0;
};
inline constexpr int kLaneMoveMinHandoffs = 3;

// One emergency access, as recorded on frontdesk.access.v1.
struct BreakGlassAccess {
  absl::Time at;
  std::string actor_id;
  std::string role;
  std::string action;
  std::string resource;
  bool allowed = false;
  // The stated reason ("break glass: ...").
  std::string purpose;
};

// A count keyed by a name, most frequent first (then by name).
using Counts = std::vector<std::pair<std::string, int>>;

struct WeeklyReport {
  absl::Time from;
  absl::Time to;
  int calls = 0;
  Counts calls_by_request_type;
  Counts calls_by_lane;
  Counts calls_by_category;
  int escalations = 0;
  Counts escalations_by_category;
  Counts escalations_by_queue;
  int handoffs = 0;
  int claimed = 0;
  // Unset when nothing was claimed.
  std::optional<absl::Duration> median_time_to_claim;
  std::optional<absl::Duration> p90_time_to_claim;
  int deadlines_missed = 0;
  Counts top_triggers;
  Counts top_rules;
  int answered_with_approved_text = 0;
  int unanswered = 0;
  // answered / (answered + unanswered); unset when both are 0.
  std::optional<double> approved_answer_hit_rate;
  // Grouped caller words, only when PHI was opened.
  bool unanswered_texts_shown = false;
  Counts unanswered_texts;
  std::vector<LaneMoveCandidate> lane_move_candidates;
  // In log order.
  std::vector<BreakGlassAccess> break_glass;
  // Events folded.
  int events = 0;
};

class WeeklyReportBuilder {
 public:
  // `open` may be empty (PHI stays sealed). The range is [from, to). `now`:
  // an unclaimed handoff whose deadline is still ahead of it is not late.
  WeeklyReportBuilder(absl::Time from, absl::Time to, PhiOpener open,
                      absl::Time now = absl::InfiniteFuture());

  void Apply(const LoggedEvent& e);
  WeeklyReport Finish() const;

 private:
  std::vector<BreakGlassAccess> break_glass_;
  struct Call {
    std::string request_type;
    frontdesk::events::v1::Lane lane = frontdesk::events::v1::LANE_UNSPECIFIED;
    std::string category;
    bool started = false;
    bool human_only = false;
    bool turn_failed = false;
  };
  struct Handoff {
    std::string call_id;
    std::string request_type;
    std::string category;
    std::string queue;
    absl::Time prepared;
    absl::Time deadline;
    std::optional<absl::Time> claimed;
    bool resolved = false;
    int escalations = 0;
  };

  const absl::Time from_;
  const absl::Time to_;
  const PhiOpener open_;
  const absl::Time now_;
  int events_ = 0;
  std::vector<std::string> call_order_;
  absl::flat_hash_map<std::string, Call> calls_;
  std::vector<std::string> handoff_order_;
  absl::flat_hash_map<std::string, Handoff> handoffs_;
  // decision id -> request type named by the decision.
  absl::flat_hash_map<std::string, std::string> decision_request_type_;
  std::map<std::string, int> escalations_by_category_;
  std::map<std::string, int> escalations_by_queue_;
  int escalations_ = 0;
  std::map<std::string, int> triggers_;
  std::map<std::string, int> rules_;
  int answered_ = 0;
  int unanswered_ = 0;
  std::map<std::string, int> unanswered_texts_;
  bool texts_opened_ = false;
};

// Nearest-rank percentile of `values` (p in (0, 1]); unset when empty.
std::optional<absl::Duration> NearestRankPercentile(
    std::vector<absl::Duration> values, double p);

// Writers. Text and CSV are plain; HTML is one self-contained page with
// inline SVG bar charts, no scripts and no external resources.
std::string WeeklyReportText(const WeeklyReport& r);
// One row per figure: section,key,value.
std::string WeeklyReportCsv(const WeeklyReport& r);
std::string WeeklyReportHtml(const WeeklyReport& r);

}  // namespace frontdesk::reports

#endif  // FRONTDESK_LIBS_REPORTS_WEEKLY_REPORT_H_
