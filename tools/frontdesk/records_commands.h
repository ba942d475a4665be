// `frontdesk records rebuild|digest`: the operating record's projection file.
//
//   frontdesk records rebuild --db PATH [--until_db LIVE]
//       Rebuilds the projection at PATH from offset 0 of every frontdesk
//       topic, straight from Kafka, and prints the records applied, the
//       records per second and the digest. With --until_db it stops at the
//       offsets stored in another projection (a live record-keeper's file),
//       starting where that one started, so the two digests can be compared.
//   frontdesk records digest --db PATH
//       Prints the digest of an existing projection file.
//
// The digest is SHA-256 over every projected table, ordered by primary key
// (libs/records/record_store.h); equal digests mean equal projections.
#ifndef FRONTDESK_TOOLS_FRONTDESK_RECORDS_COMMANDS_H_
#define FRONTDESK_TOOLS_FRONTDESK_RECORDS_COMMANDS_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/kafka/kafka_settings.h"

namespace frontdesk::cli {

// The digest of the projection file at `db_path`. NOT_FOUND naming --db when
// there is no such file.
absl::StatusOr<std::string> ProjectionDigest(const std::string& db_path);

// The report of a rebuild: records, outcomes, time, records per second and
// the digest, one "key: value" per line.
struct RebuildReport {
  int64_t records = 0;
  int64_t applied = 0;
  int64_t duplicates = 0;
  int64_t damaged = 0;
  absl::Duration elapsed;
  std::string digest;
};
std::string FormatRebuildReport(const RebuildReport& report);

// Rebuilds `db_path` (emptied first) from the log. `until_db` empty: up to the
// high watermarks; else up to that file's stored offsets (NOT_FOUND naming
// --until_db when it does not exist).
absl::StatusOr<RebuildReport> RebuildProjection(
    const kafka::KafkaSettings& settings, const std::string& db_path,
    const std::string& until_db, absl::Duration timeout);

// The `records` command: args are the positional arguments after the
// program name ("records", "rebuild"|"digest"). Returns the exit code.
int RunRecordsCli(const std::vector<char*>& args, const std::string& brokers,
                  const std::string& kafka_properties, std::ostream& out,
                  std::ostream& err);

}  // namespace frontdesk::cli

#endif  // FRONTDESK_TOOLS_FRONTDESK_RECORDS_COMMANDS_H_
