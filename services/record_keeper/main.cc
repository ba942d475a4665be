// record-keeper: projects every frontdesk topic into the operating record
// (an SQLite file) and serves the auditor and staff queries. Thin glue; the
// projection is libs/records, the query rules records_queries.h.
#include <filesystem>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/synchronization/mutex.h"
#include "libs/access/access_recorder.h"
#include "libs/common/clock.h"
#include "libs/common/service_logging.h"
#include "libs/events/producer_identity.h"
#include "libs/records/log_projector.h"
#include "libs/records/sqlite_record_store.h"
#include "libs/serving/policy_flags.h"
#include "libs/serving/service_flags.h"
#include "libs/serving/signing_flags.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "services/record_keeper/records_service.h"
#include "spdlog/spdlog.h"

ABSL_FLAG(std::string, consumer_group, "frontdesk-record-keeper",
          "Kafka consumer group of the projection");
ABSL_FLAG(std::string, records_db, "records.db",
          "The SQLite file of the projection (created when missing)");
ABSL_FLAG(bool, rebuild, false,
          "Empty the projection and rebuild it from offset 0 of every topic");
ABSL_FLAG(std::string, projection_start, "earliest",
          "Where an empty projection starts: earliest (offset 0, the whole "
          "log) or end (the current end of every topic; for test "
          "departments, which must not project the whole history)");
ABSL_FLAG(int, projection_batch, 1000,
          "At most this many records per projection transaction");

int main(int argc, char** argv) {
  frontdesk::serving::BlockShutdownSignals();
  absl::SetProgramUsageMessage("record-keeper: the operating record");
  absl::ParseCommandLine(argc, argv);
  frontdesk::InitServiceLogging("record-keeper");

  // The whole policy or nothing: the access roles decide every query.
  auto policy = frontdesk::serving::LoadPolicyFromFlags();
  if (!policy.ok()) {
    std::cerr << "record-keeper: refusing to start: " << policy.status()
              << "\n";
    return 2;
  }
  auto kafka = frontdesk::serving::KafkaSettingsFromFlags();
  if (!kafka.ok()) {
    std::cerr << "record-keeper: " << kafka.status() << "\n";
    return 2;
  }
  const std::string db_path = absl::GetFlag(FLAGS_records_db);
  const std::filesystem::path parent =
      std::filesystem::path(db_path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  auto store = frontdesk::records::SqliteRecordStore::Open(db_path);
  if (!store.ok()) {
    std::cerr << "record-keeper: refusing to start: " << store.status() << "\n";
    return 2;
  }
  if (absl::GetFlag(FLAGS_rebuild)) {
    if (absl::Status st = (*store)->Clear(); !st.ok()) {
      std::cerr << "record-keeper: --rebuild: " << st << "\n";
      return 1;
    }
    spdlog::info("event=projection_cleared db={}", db_path);
  }
  const std::string start = absl::GetFlag(FLAGS_projection_start);
  if (start != "earliest" && start != "end") {
    std::cerr << "record-keeper: --projection_start: earliest or end, not \""
              << start << "\"\n";
    return 2;
  }
  if (start == "end" && (*store)->Offsets().ok() &&
      (*store)->Offsets()->empty()) {
    auto end = frontdesk::records::EndOffsets(*kafka, absl::Seconds(30));
    absl::Status st = end.ok() ? (*store)->StartAt(*end) : end.status();
    if (!st.ok()) {
      std::cerr << "record-keeper: --projection_start=end: " << st << "\n";
      return 1;
    }
    spdlog::info("event=projection_starts_at_end partitions={}", end->size());
  }
  // The producer of the access records; it also creates the topics.
  auto log = frontdesk::serving::StartEventLogFromFlags(
      "record-keeper", (*policy)->QueueIds(), {frontdesk::kafka::kAccessTopic});
  if (!log.ok()) {
    std::cerr << "record-keeper: " << log.status() << "\n";
    return 1;
  }
  frontdesk::events::EventChain chain(
      frontdesk::events::ThisProcess("record-keeper"),
      frontdesk::RealClock::Get());
  if (absl::Status st = frontdesk::serving::SignEventsFromFlags(chain);
      !st.ok()) {
    std::cerr << "record-keeper: refusing to start: " << st << "\n";
    return 2;
  }
  frontdesk::access::AccessRecorder recorder(
      log->get(), &chain, frontdesk::serving::AppendTimeoutFromFlags());

  auto registry = std::make_shared<prometheus::Registry>();
  auto& projected =
      prometheus::BuildCounter()
          .Name("frontdesk_records_events_total")
          .Help("Records consumed, by outcome: applied, duplicate, damaged")
          .Register(*registry);
  auto& applied = projected.Add({{"outcome", "applied"}});
  auto& duplicate = projected.Add({{"outcome", "duplicate"}});
  auto& damaged = projected.Add({{"outcome", "damaged"}});
  // The same damage, under the name every service reports errors by.
  auto& damaged_error = prometheus::BuildCounter()
                            .Name("frontdesk_errors_total")
                            .Help("Errors by kind")
                            .Register(*registry)
                            .Add({{"kind", "damaged_record"}});
  auto& rate = prometheus::BuildGauge()
                   .Name("frontdesk_records_projected_per_second")
                   .Help(
                       "Records projected per second over the last "
                       "reporting interval (10 s)")
                   .Register(*registry)
                   .Add({});
  // Events per second, logged and exposed every 10 s while records flow.
  absl::Mutex rate_mu;
  absl::Time window_start = absl::Now();
  int64_t window_records = 0;
  frontdesk::records::LogProjector projector(
      *kafka, absl::GetFlag(FLAGS_consumer_group), store->get(),
      {.max_batch = absl::GetFlag(FLAGS_projection_batch)},
      [&](const frontdesk::records::ApplyCounts& n) {
        applied.Increment(static_cast<double>(n.applied));
        duplicate.Increment(static_cast<double>(n.duplicates));
        damaged.Increment(static_cast<double>(n.damaged));
        damaged_error.Increment(static_cast<double>(n.damaged));
        absl::MutexLock lock(&rate_mu);
        window_records += n.applied + n.duplicates + n.damaged;
        const absl::Duration d = absl::Now() - window_start;
        if (d >= absl::Seconds(10)) {
          const double per_second =
              static_cast<double>(window_records) / absl::ToDoubleSeconds(d);
          rate.Set(per_second);
          spdlog::info("event=projection_rate records={} per_second={:.0f}",
                       window_records, per_second);
          window_start = absl::Now();
          window_records = 0;
        }
      });
  if (absl::Status st = projector.Start(); !st.ok()) {
    std::cerr << "record-keeper: " << st << "\n";
    return 1;
  }
  frontdesk::record_keeper::RecordsQueries queries(store->get(), *policy,
                                                   &recorder);
  // Staff and auditors prove who they are with tokens
  // (libs/auth/staff_authenticator.h).
  auto staff_auth = frontdesk::auth::StaffAuthenticatorFromFlags(
      (*policy)->tenant_id(), frontdesk::RealClock::Get());
  if (!staff_auth.ok()) {
    std::cerr << "record-keeper: " << staff_auth.status() << "\n";
    return 2;
  }
  frontdesk::record_keeper::RecordsService service(&queries, staff_auth->get());
  const int code = frontdesk::serving::ServeUntilShutdown(
      "record-keeper", {&service}, registry, log->get(),
      [&] { projector.Stop(); });
  spdlog::info("event=stopped applied={} duplicates={} damaged={}",
               projector.applied(), projector.duplicates(),
               projector.damaged());
  return code;
}
