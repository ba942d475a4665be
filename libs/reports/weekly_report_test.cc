#include "libs/reports/weekly_report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "libs/reports/crafted_log_test_util.h"

namespace frontdesk::reports {
namespace {

using testing::CraftedLog;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;

WeeklyReport Build(const CraftedLog& log, PhiOpener open) {
  const absl::Time from = CraftedLog::WeekStart();
  WeeklyReportBuilder b(from, from + absl::Hours(168), std::move(open));
  for (const LoggedEvent& e : log.Week().events) b.Apply(e);
  return b.Finish();
}

TEST(WeeklyReportTest, ScriptedWeekFigures) {
  CraftedLog log;
  testing::ScriptWeek(&log);
  const WeeklyReport r = Build(log, nullptr);
  EXPECT_EQ(r.calls, 6);
  EXPECT_THAT(r.calls_by_request_type,
              ElementsAre(Pair("refill", 3), Pair("general-question", 2),
                          Pair("(none)", 1)));
  EXPECT_THAT(r.calls_by_lane,
              ElementsAre(Pair("ai_assisted", 5), Pair("human_only", 1)));
  EXPECT_THAT(r.calls_by_category,
              ElementsAre(Pair("refill", 3), Pair("callback", 2),
                          Pair("urgent-symptoms", 1)));
  EXPECT_EQ(r.escalations, 1);
  EXPECT_THAT(r.escalations_by_category,
              ElementsAre(Pair("urgent-symptoms", 1)));
  EXPECT_THAT(r.escalations_by_queue, ElementsAre(Pair("nurse-line", 1)));
  EXPECT_EQ(r.handoffs, 5);
  EXPECT_EQ(r.claimed, 4);
  // Claim times 60, 120, 300, 600 s: nearest rank 2 and 4.
  EXPECT_EQ(r.median_time_to_claim, absl::Seconds(120));
  EXPECT_EQ(r.p90_time_to_claim, absl::Seconds(600));
  // h4 claimed after its 5 min deadline; h5 never claimed.
  EXPECT_EQ(r.deadlines_missed, 2);
  EXPECT_THAT(r.top_rules,
              ElementsAre(Pair("RT-REFILL", 3), Pair("AA-CALLBACK-DEFAULT", 2),
                          Pair("RT-GENERAL", 2), Pair("HO-URGENT", 1)));
  EXPECT_THAT(r.top_triggers,
              ElementsAre(Pair("chest pain", 1), Pair("short of breath", 1)));
  EXPECT_EQ(r.answered_with_approved_text, 2);
  EXPECT_EQ(r.unanswered, 2);
  EXPECT_EQ(r.approved_answer_hit_rate, 0.5);
  EXPECT_FALSE(r.unanswered_texts_shown);
  EXPECT_THAT(r.unanswered_texts, IsEmpty());
  ASSERT_EQ(r.lane_move_candidates.size(), 1u);
  EXPECT_EQ(r.lane_move_candidates[0].request_type, "refill");
  EXPECT_EQ(r.lane_move_candidates[0].handoffs, 3);
  EXPECT_EQ(r.lane_move_candidates[0].resolved, 3);
  EXPECT_EQ(r.lane_move_candidates[0].calls, 3);
  // The one emergency access, and not the ordinary export.
  ASSERT_EQ(r.break_glass.size(), 1u);
  EXPECT_EQ(r.break_glass[0].actor_id, "dr-dee");
  EXPECT_EQ(r.break_glass[0].role, "medical-director");
  EXPECT_EQ(r.break_glass[0].resource, "queue/nurse-line");
  EXPECT_TRUE(r.break_glass[0].allowed);
  EXPECT_THAT(WeeklyReportText(r),
              HasSubstr("dr-dee (medical-director) list_open queue/nurse-line "
                        "granted: break glass: nurse line unstaffed"));
  EXPECT_THAT(WeeklyReportHtml(r),
              HasSubstr("Break-glass (emergency) accesses"));
}

TEST(WeeklyReportTest, UnansweredTextsOnlyWithTheKey) {
  CraftedLog log;
  testing::ScriptWeek(&log);
  const WeeklyReport sealed = Build(log, nullptr);
  EXPECT_THAT(WeeklyReportText(sealed), Not(HasSubstr("x-rays")));
  EXPECT_THAT(WeeklyReportHtml(sealed), Not(HasSubstr("x-rays")));
  EXPECT_THAT(WeeklyReportCsv(sealed), Not(HasSubstr("x-rays")));

  const WeeklyReport opened = Build(log, log.Opener());
  EXPECT_TRUE(opened.unanswered_texts_shown);
  EXPECT_THAT(opened.unanswered_texts,
              ElementsAre(Pair("do you do x-rays?", 2)));
  EXPECT_THAT(WeeklyReportText(opened), HasSubstr("do you do x-rays?"));
}

TEST(WeeklyReportTest, OneMoreEscalatedHandoffRemovesTheLaneMoveCandidate) {
  CraftedLog log;
  testing::ScriptWeek(&log);
  testing::Script s(&log);
  s.Start("c7");
  s.Decide("c7", s.Decision("d7", 1, events::v1::LANE_AI_ASSISTED, "RT-REFILL",
                            "refill", "refill", "handoff"));
  s.Prepare("c7", "h7", "d7", "refills", "refill", events::v1::LANE_AI_ASSISTED,
            absl::Minutes(15));
  s.Wait(absl::Minutes(16));
  s.Escalate("c7", "h7");
  const WeeklyReport r = Build(log, nullptr);
  EXPECT_THAT(r.lane_move_candidates, IsEmpty());
  EXPECT_EQ(r.escalations, 2);
  EXPECT_EQ(r.deadlines_missed, 3);
}

TEST(WeeklyReportTest, AnUnclaimedHandoffIsNotLateBeforeItsDeadline) {
  CraftedLog log;
  testing::ScriptWeek(&log);
  const absl::Time from = CraftedLog::WeekStart();
  // h5 was prepared with a 30 min window; ask 10 minutes after.
  absl::Time prepared;
  for (const LoggedEvent& e : log.Week().events) {
    if (e.body.type() == events::v1::EVENT_TYPE_HANDOFF_PREPARED &&
        e.body.call_id() == "c5")
      prepared = e.occurred_at;
  }
  WeeklyReportBuilder early(from, from + absl::Hours(168), nullptr,
                            prepared + absl::Minutes(10));
  WeeklyReportBuilder late(from, from + absl::Hours(168), nullptr,
                           prepared + absl::Minutes(31));
  for (const LoggedEvent& e : log.Week().events) {
    early.Apply(e);
    late.Apply(e);
  }
  EXPECT_EQ(early.Finish().deadlines_missed, 1);
  EXPECT_EQ(late.Finish().deadlines_missed, 2);
}

TEST(WeeklyReportTest, NearestRankPercentile) {
  EXPECT_EQ(NearestRankPercentile({}, 0.5), std::nullopt);
  EXPECT_EQ(NearestRankPercentile({absl::Seconds(7)}, 0.9), absl::Seconds(7));
  std::vector<absl::Duration> ten;
  for (int i = 10; i >= 1; --i) ten.push_back(absl::Seconds(i));
  EXPECT_EQ(NearestRankPercentile(ten, 0.5), absl::Seconds(5));
  EXPECT_EQ(NearestRankPercentile(ten, 0.9), absl::Seconds(9));
}

TEST(WeeklyReportTest, WritersCarryTheFigures) {
  CraftedLog log;
  testing::ScriptWeek(&log);
  const WeeklyReport r = Build(log, nullptr);
  const std::string text = WeeklyReportText(r);
  EXPECT_THAT(text, HasSubstr("median time to claim             120s"));
  EXPECT_THAT(text, HasSubstr("p90 time to claim                600s"));
  EXPECT_THAT(text, HasSubstr("approved-answer hit rate         50.0%"));
  const std::string csv = WeeklyReportCsv(r);
  EXPECT_THAT(csv, HasSubstr("calls_by_request_type,refill,3\n"));
  EXPECT_THAT(csv, HasSubstr("summary,deadlines missed,2\n"));
  EXPECT_THAT(csv, HasSubstr("lane_move_candidates,refill,3 handoffs; 3 "
                             "resolved; 3 calls\n"));
  const std::string html = WeeklyReportHtml(r);
  EXPECT_THAT(html, HasSubstr("<svg"));
  EXPECT_THAT(html, HasSubstr(">refill</text>"));
  // Self-contained: no scripts, no external resources.
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("src=")));
  EXPECT_THAT(html, Not(HasSubstr("href=")));
}

}  // namespace
}  // namespace frontdesk::reports
