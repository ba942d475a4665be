#include "libs/eventlog/in_memory_event_log.h"

#include "gtest/gtest.h"

namespace frontdesk::eventlog {
namespace {

std::vector<LogRecord> Records(const std::string& key, int n) {
  std::vector<LogRecord> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({"calls", key, key + "-" + std::to_string(i),
                   "id-" + key + std::to_string(i)});
  }
  return out;
}

TEST(InMemoryEventLogTest, AppendsInOrderAndReadsBackByKey) {
  InMemoryEventLog log;
  ASSERT_TRUE(log.Append(Records("a", 2), absl::Seconds(1)).ok());
  ASSERT_TRUE(log.Append(Records("b", 1), absl::Seconds(1)).ok());
  ASSERT_TRUE(log.Append(Records("a", 1), absl::Seconds(1)).ok());
  auto a = log.ReadKey("calls", "a");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 3u);
  EXPECT_EQ((*a)[0].value, "a-0");
  EXPECT_EQ((*a)[1].value, "a-1");
  EXPECT_EQ((*a)[2].value, "a-0");
  EXPECT_EQ((*a)[2].offset, 3);
  EXPECT_EQ(log.ReadKey("other", "a")->size(), 0u);
}

TEST(InMemoryEventLogTest, UnavailableQueuesAndDeliversLaterInOrder) {
  InMemoryEventLog log;
  log.SetAvailable(false);
  absl::Status s = log.Append(Records("a", 2), absl::Seconds(2));
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(log.pending(), 2u);
  EXPECT_TRUE(log.Topic("calls").empty());
  log.SetAvailable(true);
  EXPECT_EQ(log.pending(), 0u);
  auto all = log.Topic("calls");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].value, "a-0");
  EXPECT_EQ(all[1].value, "a-1");
}

TEST(InMemoryEventLogTest, RefusedRecordsAreRecordedAsFailed) {
  InMemoryEventLog log;
  log.FailNext(1);
  absl::Status s = log.Append(Records("a", 2), absl::Seconds(2));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(s.message(), "event log refused record id-a0");
  EXPECT_EQ(log.failed(), std::vector<std::string>{"id-a0"});
  EXPECT_EQ(log.Topic("calls").size(), 1u);
}

}  // namespace
}  // namespace frontdesk::eventlog
