#include "tools/frontdesk/records_commands.h"

#include <filesystem>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "libs/records/log_projector.h"
#include "libs/records/sqlite_record_store.h"

ABSL_FLAG(std::string, db, "", "records: the projection file (SQLite)");
ABSL_FLAG(std::string, until_db, "",
          "records rebuild: stop at the offsets stored in this projection");
ABSL_FLAG(int, records_timeout_s, 600,
          "records rebuild: give up when the log's end is not reached by then");

namespace frontdesk::cli {

absl::StatusOr<std::string> ProjectionDigest(const std::string& db_path) {
  if (db_path.empty()) return absl::InvalidArgumentError("--db: required");
  if (!std::filesystem::exists(db_path)) {
    return absl::NotFoundError(absl::StrCat("--db: no such file ", db_path));
  }
  auto store = records::SqliteRecordStore::Open(db_path);
  if (!store.ok()) return store.status();
  return (*store)->Digest();
}

std::string FormatRebuildReport(const RebuildReport& r) {
  const double seconds = absl::ToDoubleSeconds(r.elapsed);
  return absl::StrFormat(
      "records: %d\napplied: %d\nduplicates: %d\ndamaged: %d\n"
      "seconds: %.3f\nrecords_per_second: %.0f\ndigest: %s\n",
      r.records, r.applied, r.duplicates, r.damaged, seconds,
      seconds > 0 ? static_cast<double>(r.records) / seconds : 0.0, r.digest);
}

absl::StatusOr<RebuildReport> RebuildProjection(
    const kafka::KafkaSettings& settings, const std::string& db_path,
    const std::string& until_db, absl::Duration timeout) {
  if (db_path.empty()) return absl::InvalidArgumentError("--db: required");
  std::optional<records::OffsetMap> until;
  records::OffsetMap origin;
  if (!until_db.empty()) {
    if (!std::filesystem::exists(until_db)) {
      return absl::NotFoundError(
          absl::StrCat("--until_db: no such file ", until_db));
    }
    auto live = records::SqliteRecordStore::Open(until_db);
    if (!live.ok()) return live.status();
    auto offsets = (*live)->Offsets();
    if (!offsets.ok()) return offsets.status();
    until = *std::move(offsets);
    // The same range of the log: where that projection started, too.
    auto started = (*live)->Origin();
    if (!started.ok()) return started.status();
    origin = *std::move(started);
  }
  auto store = records::SqliteRecordStore::Open(
      db_path, absl::Seconds(5),
      records::SqliteRecordStore::Durability::kRebuild);
  if (!store.ok()) return store.status();
  if (absl::Status st = (*store)->Clear(); !st.ok()) return st;
  if (!origin.empty()) {
    if (absl::Status st = (*store)->StartAt(origin); !st.ok()) return st;
  }
  auto done = records::ProjectLogOnce(settings, store->get(), until, timeout);
  if (!done.ok()) return done.status();
  RebuildReport r;
  r.records = done->records;
  r.applied = done->counts.applied;
  r.duplicates = done->counts.duplicates;
  r.damaged = done->counts.damaged;
  r.elapsed = done->elapsed;
  auto digest = (*store)->Digest();
  if (!digest.ok()) return digest.status();
  r.digest = *std::move(digest);
  return r;
}

int RunRecordsCli(const std::vector<char*>& args, const std::string& brokers,
                  const std::string& kafka_properties, std::ostream& out,
                  std::ostream& err) {
  const std::string sub = args.size() > 2 ? args[2] : "";
  const std::string db = absl::GetFlag(FLAGS_db);
  if (sub == "digest") {
    auto digest = ProjectionDigest(db);
    if (!digest.ok()) {
      err << "frontdesk records digest: " << digest.status().message() << "\n";
      return 2;
    }
    out << *digest << "\n";
    return 0;
  }
  if (sub == "rebuild") {
    auto settings = kafka::ParseKafkaSettings(brokers, kafka_properties);
    if (!settings.ok()) {
      err << "frontdesk records rebuild: " << settings.status().message()
          << "\n";
      return 2;
    }
    auto report = RebuildProjection(
        *settings, db, absl::GetFlag(FLAGS_until_db),
        absl::Seconds(absl::GetFlag(FLAGS_records_timeout_s)));
    if (!report.ok()) {
      err << "frontdesk records rebuild: " << report.status().message() << "\n";
      return report.status().code() == absl::StatusCode::kInvalidArgument ||
                     report.status().code() == absl::StatusCode::kNotFound
                 ? 2
                 : 1;
    }
    out << FormatRebuildReport(*report);
    return 0;
  }
  err << "usage: frontdesk records rebuild --db PATH [--until_db LIVE]\n"
         "       frontdesk records digest --db PATH\n";
  return 2;
}

}  // namespace frontdesk::cli
