#include "tools/frontdesk/records_commands.h"

#include <unistd.h>

#include <cstdio>
#include <sstream>

#include "gtest/gtest.h"
#include "libs/records/sqlite_record_store.h"

namespace frontdesk::cli {
namespace {

TEST(RecordsCommandsTest, DigestNeedsAnExistingFile) {
  EXPECT_EQ(ProjectionDigest("").status().message(), "--db: required");
  auto missing = ProjectionDigest("/nonexistent/records.db");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(),
            "--db: no such file /nonexistent/records.db");
}

TEST(RecordsCommandsTest, DigestOfAFileEqualsTheStoresDigest) {
  char tmpl[] = "/tmp/records-cli-test-XXXXXX";
  const int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  close(fd);
  const std::string path = tmpl;
  std::string expected;
  {
    auto store = records::SqliteRecordStore::Open(path);
    ASSERT_TRUE(store.ok());
    eventlog::StoredRecord damaged;
    damaged.topic = "frontdesk.calls.v1";
    damaged.value = "not an event";
    ASSERT_TRUE((*store)->ApplyBatch({damaged}).ok());
    expected = *(*store)->Digest();
  }
  auto digest = ProjectionDigest(path);
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(*digest, expected);
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::remove((path + suffix).c_str());
  }
}

TEST(RecordsCommandsTest, RebuildRefusesAMissingUntilDb) {
  auto r = RebuildProjection({}, "/tmp/x.db", "/nonexistent/live.db",
                             absl::Seconds(1));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(),
            "--until_db: no such file /nonexistent/live.db");
  EXPECT_EQ(RebuildProjection({}, "", "", absl::Seconds(1)).status().message(),
            "--db: required");
}

TEST(RecordsCommandsTest, ReportNamesEveryFigure) {
  RebuildReport r;
  r.records = 1000;
  r.applied = 990;
  r.duplicates = 4;
  r.damaged = 6;
  r.elapsed = absl::Milliseconds(500);
  r.digest = "ab";
  EXPECT_EQ(FormatRebuildReport(r),
            "records: 1000\napplied: 990\nduplicates: 4\ndamaged: 6\n"
            "seconds: 0.500\nrecords_per_second: 2000\ndigest: ab\n");
}

TEST(RecordsCommandsTest, UnknownSubcommandPrintsUsage) {
  std::ostringstream out;
  std::ostringstream err;
  char prog[] = "frontdesk";
  char records[] = "records";
  char what[] = "shred";
  EXPECT_EQ(RunRecordsCli({prog, records, what}, "", "", out, err), 2);
  EXPECT_NE(err.str().find("usage: frontdesk records rebuild"),
            std::string::npos);
}

}  // namespace
}  // namespace frontdesk::cli
