// sim_ehr: a SIMULATED EHR for demos and for trying the FHIR adapter by
// hand. Thin glue: it seeds the embedded schedule store
// (libs/scheduling/sqlite_schedule_store.h) from a schedule file and serves
// it with SimEhrServer (libs/scheduling/sim_ehr_server.h) as FHIR R4 with
// the Argonaut Scheduling operations. Nothing it returns is a clinic's
// record: every response carries X-Simulated-EHR and every resource the
// simulated tag.
//
//   build/bin/sim_ehr --schedule=examples/clinic/schedule.yaml --port=8089
// then POST Parameters to http://127.0.0.1:8089/fhir/Appointment/$find
// (docs/SCHEDULING.md has a curl example).
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "libs/common/clock.h"
#include "libs/scheduling/schedule_config.h"
#include "libs/scheduling/sim_ehr_server.h"
#include "libs/scheduling/sqlite_schedule_store.h"

ABSL_FLAG(std::string, schedule, "examples/clinic/schedule.yaml",
          "The schedule file (clinicians, weekly templates, visit types, "
          "closures, seed bookings)");
ABSL_FLAG(std::string, db, "",
          "SQLite file for holds and bookings; empty: a fresh file in the "
          "temporary directory, removed on exit");
ABSL_FLAG(int, port, 8089, "Port to listen on (0: any free port)");
ABSL_FLAG(std::string, bind, "127.0.0.1",
          "Address to listen on; loopback unless you mean to share a "
          "simulated EHR");
ABSL_FLAG(int, hold_minutes, 0,
          "How long a $hold lasts; 0: the schedule file's hold_minutes");
ABSL_FLAG(std::string, base_path, "/fhir",
          "Path the FHIR endpoints live under");

namespace {

constexpr char kBanner[] =
    "*** SIMULATED EHR *** sim_ehr is not a clinic's record: every "
    "appointment it returns is simulated (X-Simulated-EHR header, "
    "ehr-provenance#simulated tag).";

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "sim_ehr: a SIMULATED EHR serving the Argonaut Scheduling operations "
      "over FHIR R4 (demos and tests only)");
  absl::ParseCommandLine(argc, argv);
  std::cerr << kBanner << "\n";

  // SIGINT and SIGTERM are taken by sigwait below, on this thread only.
  sigset_t shutdown_signals;
  sigemptyset(&shutdown_signals);
  sigaddset(&shutdown_signals, SIGINT);
  sigaddset(&shutdown_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &shutdown_signals, nullptr);

  auto schedule =
      frontdesk::scheduling::LoadScheduleFile(absl::GetFlag(FLAGS_schedule));
  if (!schedule.ok()) {
    std::cerr << "sim_ehr: " << schedule.status() << "\n";
    return 2;
  }
  const int hold_minutes = absl::GetFlag(FLAGS_hold_minutes);
  if (hold_minutes < 0) {
    std::cerr << "sim_ehr: --hold_minutes must be 0 or more\n";
    return 2;
  }
  if (hold_minutes > 0) schedule->hold_duration = absl::Minutes(hold_minutes);

  std::string db = absl::GetFlag(FLAGS_db);
  const bool temporary = db.empty();
  if (temporary) {
    db = (std::filesystem::temp_directory_path() /
          absl::StrCat("sim-ehr-", getpid(), ".db"))
             .string();
  }
  auto remove_db = [&] {
    if (!temporary) return;
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ignored;
      std::filesystem::remove(db + suffix, ignored);
    }
  };
  const absl::Duration hold = schedule->hold_duration;
  auto store = frontdesk::scheduling::SqliteScheduleStore::Open(
      db, *std::move(schedule), frontdesk::RealClock::Get());
  if (!store.ok()) {
    std::cerr << "sim_ehr: " << store.status() << "\n";
    remove_db();
    return 1;
  }

  frontdesk::scheduling::SimEhrServerOptions options;
  options.bind = absl::GetFlag(FLAGS_bind);
  options.port = absl::GetFlag(FLAGS_port);
  options.base_path = absl::GetFlag(FLAGS_base_path);
  frontdesk::scheduling::SimEhrServer server(store->get(), options);
  auto port = server.Start();
  if (!port.ok()) {
    std::cerr << "sim_ehr: " << port.status() << "\n";
    remove_db();
    return 1;
  }
  std::cout << "sim_ehr: serving SIMULATED appointments at http://"
            << options.bind << ":" << *port << options.base_path
            << " (holds last " << absl::FormatDuration(hold) << "; database "
            << db << (temporary ? ", removed on exit" : "") << ")" << std::endl;
  if (options.bind != "127.0.0.1" && options.bind != "::1" &&
      options.bind != "localhost") {
    std::cerr << "sim_ehr: listening beyond loopback on " << options.bind
              << ": anyone who can reach it gets SIMULATED appointments\n";
  }

  int signal_number = 0;
  sigwait(&shutdown_signals, &signal_number);
  std::cerr << "sim_ehr: stopping (signal " << signal_number << ")\n";
  server.Stop();
  store->reset();
  remove_db();
  return 0;
}
