#include "libs/eventlog/delivery_reconciler.h"

#include "gtest/gtest.h"
#include "libs/eventlog/in_memory_event_log.h"

namespace frontdesk::eventlog {
namespace {

const LogRecord kRecord = {"calls", "call-1", "event-bytes", "event-1"};

TEST(DeliveryReconcilerTest, RecordAlreadyInTheLogIsLeftAlone) {
  InMemoryEventLog log;
  ASSERT_TRUE(log.Append({kRecord}, absl::Seconds(1)).ok());
  auto r = ReconcileRecord(kRecord, &log, &log, absl::Seconds(1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, ReconcileOutcome::kFoundInLog);
  EXPECT_EQ(log.Topic("calls").size(), 1u);
}

TEST(DeliveryReconcilerTest, MissingRecordIsAppendedAgain) {
  InMemoryEventLog log;
  ASSERT_TRUE(log.Append({{"calls", "call-1", "other-bytes", "event-0"}},
                         absl::Seconds(1))
                  .ok());
  auto r = ReconcileRecord(kRecord, &log, &log, absl::Seconds(1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, ReconcileOutcome::kAppendedAgain);
  auto all = log.Topic("calls");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].value, "event-bytes");
}

TEST(DeliveryReconcilerTest, LogStillDownIsAnError) {
  InMemoryEventLog log;
  log.SetAvailable(false);
  auto r = ReconcileRecord(kRecord, &log, &log, absl::Seconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace frontdesk::eventlog
