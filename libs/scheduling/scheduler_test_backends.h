// Test support: the two Scheduler implementations the contract tests run
// against, built over one FakeClock. Test-only.
#ifndef FRONTDESK_LIBS_SCHEDULING_SCHEDULER_TEST_BACKENDS_H_
#define FRONTDESK_LIBS_SCHEDULING_SCHEDULER_TEST_BACKENDS_H_

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "libs/common/clock.h"
#include "libs/scheduling/fhir_scheduler.h"
#include "libs/scheduling/schedule_config.h"
#include "libs/scheduling/sim_ehr_server.h"
#include "libs/scheduling/sqlite_schedule_store.h"

namespace frontdesk::scheduling {

enum class BackendKind { kEmbedded, kFhirAdapter };

inline const char* BackendName(BackendKind k) {
  return k == BackendKind::kEmbedded ? "EmbeddedStore" : "FhirAdapter";
}

inline std::string SqliteScheduleStoreProposedId(absl::string_view clinician,
                                                 absl::string_view visit_type,
                                                 absl::Time start) {
  return SqliteScheduleStore::ProposedId(clinician, visit_type, start);
}

struct Backend {
  std::unique_ptr<SqliteScheduleStore> store;
  std::unique_ptr<SimEhrServer> server;
  std::unique_ptr<FhirScheduler> adapter;
  Scheduler* scheduler = nullptr;
};

// A fresh database file under the test's temporary directory.
inline std::string FreshDbPath(absl::string_view name) {
  std::string safe(name);
  for (char& c : safe) {
    if (c == '/') c = '_';
  }
  const std::string path = absl::StrCat(::testing::TempDir(), "/scheduling-",
                                        getpid(), "-", safe, ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
  return path;
}

inline absl::StatusOr<std::unique_ptr<Backend>> MakeBackend(
    BackendKind kind, const std::string& schedule_path, const Clock* clock,
    absl::string_view test_name, SimEhrServerOptions server_options = {},
    FhirSchedulerOptions adapter_options = {}) {
  auto schedule = LoadScheduleFile(schedule_path);
  if (!schedule.ok()) return schedule.status();
  auto b = std::make_unique<Backend>();
  auto store = SqliteScheduleStore::Open(
      FreshDbPath(absl::StrCat(test_name, "-", BackendName(kind))),
      *std::move(schedule), clock);
  if (!store.ok()) return store.status();
  b->store = *std::move(store);
  if (kind == BackendKind::kEmbedded) {
    b->scheduler = b->store.get();
    return b;
  }
  server_options.port = 0;
  b->server = std::make_unique<SimEhrServer>(b->store.get(), server_options);
  auto port = b->server->Start();
  if (!port.ok()) return port.status();
  adapter_options.base_url = absl::StrCat("http://127.0.0.1:", *port, "/fhir");
  auto adapter = FhirScheduler::Create(adapter_options);
  if (!adapter.ok()) return adapter.status();
  b->adapter = *std::move(adapter);
  b->scheduler = b->adapter.get();
  return b;
}

}  // namespace frontdesk::scheduling

#endif  // FRONTDESK_LIBS_SCHEDULING_SCHEDULER_TEST_BACKENDS_H_
