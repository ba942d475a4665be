// Scheduling figures (docs/SCHEDULING.md):
//
//   (a) bookings per second the embedded SQLite schedule store sustains with
//       1, 2, 4 and 8 concurrent callers, each doing find -> hold -> book.
//       "disjoint": each caller searches its own days, so no two ever want
//       the same slot (any ABORTED is reported). "shared": every caller
//       searches the same days and races for the earliest slot; an ABORTED
//       hold or booking is counted and the caller finds again.
//   (b) Find latency (p50, p99) through the FHIR adapter against the
//       simulated EHR over real loopback HTTP: sequential finds of up to 20
//       proposals over a one-week window; the same finds on the store
//       directly, for comparison.
//
//   build/bin/scheduling_benchmark --bookings=2000 --finds=2000
//
// The store is a fresh file per run under --dir (WAL, SQLite's default
// synchronous=FULL, as the store opens it). The clock is fixed at Monday
// 2026-11-30 08:00 America/Chicago so holds never lapse mid-run.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "libs/common/clock.h"
#include "libs/scheduling/fhir_scheduler.h"
#include "libs/scheduling/schedule_config.h"
#include "libs/scheduling/sim_ehr_server.h"
#include "libs/scheduling/sqlite_schedule_store.h"

ABSL_FLAG(std::string, schedule, FRONTDESK_SAMPLE_SCHEDULE,
          "The schedule file");
ABSL_FLAG(std::string, dir, "/tmp", "Where the benchmark's databases go");
ABSL_FLAG(int, bookings, 2000, "Bookings per (mode, callers) run");
ABSL_FLAG(std::string, callers, "1,2,4,8", "Concurrent callers to try");
ABSL_FLAG(int, finds, 2000, "Finds measured for the latency figures");

namespace frontdesk::scheduling {
namespace {

absl::Time Start() {
  absl::TimeZone chicago;
  absl::LoadTimeZone("America/Chicago", &chicago);
  return chicago.At(absl::CivilMinute(2026, 11, 30, 8, 0)).pre;
}

std::string FreshDb(absl::string_view name) {
  const std::string path =
      absl::StrCat(absl::GetFlag(FLAGS_dir), "/scheduling-benchmark-", getpid(),
                   "-", name, ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
  return path;
}

void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::filesystem::remove(path + suffix);
  }
}

struct BookingRun {
  int booked = 0;
  int aborted = 0;
  int other_errors = 0;
  absl::Duration elapsed;
};

// One caller: books `want` follow-ups, each by find -> hold -> book, looking
// at day `first_day`, then every `day_stride` days after it.
void Caller(Scheduler* s, absl::Time origin, int caller, int first_day,
            int day_stride, int want, BookingRun* out,
            std::atomic<int>* aborted, std::atomic<int>* other) {
  int day = first_day;
  int n = 0;
  while (out->booked < want && day < 366 * 3) {
    FindRequest r;
    r.start = origin + absl::Hours(24 * day);
    r.end = r.start + absl::Hours(24);
    r.visit_types = {"follow-up"};
    r.max_results = 1;
    auto found = s->Find(r);
    if (!found.ok()) {
      ++*other;
      return;
    }
    if (found->empty()) {
      day += day_stride;
      continue;
    }
    const std::string key = absl::StrCat("c", caller, "-", n++);
    auto held = s->Hold({.appointment_id = (*found)[0].id,
                         .idempotency_key = absl::StrCat(key, "/hold")});
    if (!held.ok()) {
      if (held.status().code() == absl::StatusCode::kAborted) {
        ++*aborted;
        continue;
      }
      ++*other;
      return;
    }
    BookRequest b;
    b.appointment_id = held->id;
    b.patient = absl::StrCat("Patient/bench-", caller, "-", n);
    b.idempotency_key = absl::StrCat(key, "/book");
    auto booked = s->Book(b);
    if (!booked.ok()) {
      if (booked.status().code() == absl::StatusCode::kAborted) {
        ++*aborted;
        continue;
      }
      ++*other;
      return;
    }
    ++out->booked;
  }
}

BookingRun RunBookings(const ScheduleConfig& schedule, int callers,
                       bool shared) {
  FakeClock clock(Start());
  const std::string db =
      FreshDb(absl::StrCat(shared ? "shared-" : "disjoint-", callers));
  auto store = SqliteScheduleStore::Open(db, schedule, &clock);
  BookingRun total;
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    total.other_errors = 1;
    return total;
  }
  const int want = absl::GetFlag(FLAGS_bookings);
  std::vector<BookingRun> runs(static_cast<size_t>(callers));
  std::atomic<int> aborted{0}, other{0};
  std::vector<std::thread> threads;
  const absl::Time began = absl::Now();
  for (int i = 0; i < callers; ++i) {
    const int share = want / callers + (i < want % callers ? 1 : 0);
    threads.emplace_back([&, i, share] {
      Caller(store->get(), clock.Now(), i, shared ? 0 : i, shared ? 1 : callers,
             share, &runs[static_cast<size_t>(i)], &aborted, &other);
    });
  }
  for (auto& t : threads) t.join();
  total.elapsed = absl::Now() - began;
  for (const BookingRun& r : runs) total.booked += r.booked;
  total.aborted = aborted.load();
  total.other_errors = other.load();
  // Check: no two bookings of one clinician overlap.
  auto booked = (*store)->ListBooked(clock.Now(),
                                     clock.Now() + absl::Hours(24 * 366 * 3));
  if (booked.ok()) {
    std::sort(booked->begin(), booked->end(),
              [](const Appointment& x, const Appointment& y) {
                return std::tie(x.practitioner, x.start) <
                       std::tie(y.practitioner, y.start);
              });
    for (size_t k = 1; k < booked->size(); ++k) {
      const Appointment& a = (*booked)[k - 1];
      const Appointment& b = (*booked)[k];
      if (a.practitioner == b.practitioner && b.start < a.end) {
        std::fprintf(stderr, "DOUBLE BOOKING: %s and %s\n", a.id.c_str(),
                     b.id.c_str());
        ++total.other_errors;
      }
    }
  } else {
    ++total.other_errors;
  }
  store->reset();
  RemoveDb(db);
  return total;
}

struct Latencies {
  double p50_ms = 0, p99_ms = 0, mean_ms = 0, max_ms = 0;
  int errors = 0;
  size_t proposals = 0;
};

Latencies TimeFinds(Scheduler* s, absl::Time origin, int finds) {
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(finds));
  Latencies out;
  for (int i = -50; i < finds; ++i) {  // 50 warm-up finds, not counted.
    FindRequest r;
    // One-week windows starting on successive days.
    r.start = origin + absl::Hours(24 * (i < 0 ? 0 : i % 28));
    r.end = r.start + absl::Hours(24 * 7);
    const absl::Time t0 = absl::Now();
    auto found = s->Find(r);
    const double elapsed = absl::ToDoubleMilliseconds(absl::Now() - t0);
    if (i < 0) continue;
    if (!found.ok()) {
      ++out.errors;
      continue;
    }
    out.proposals += found->size();
    ms.push_back(elapsed);
  }
  if (ms.empty()) return out;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  out.p50_ms = at(0.50);
  out.p99_ms = at(0.99);
  out.max_ms = ms.back();
  double sum = 0;
  for (double v : ms) sum += v;
  out.mean_ms = sum / ms.size();
  return out;
}

int Main() {
  auto schedule = LoadScheduleFile(absl::GetFlag(FLAGS_schedule));
  if (!schedule.ok()) {
    std::fprintf(stderr, "%s\n", schedule.status().ToString().c_str());
    return 2;
  }
  std::vector<int> callers;
  for (absl::string_view c :
       absl::StrSplit(absl::GetFlag(FLAGS_callers), ',')) {
    int n = 0;
    if (!absl::SimpleAtoi(c, &n) || n < 1) {
      std::fprintf(stderr, "--callers: expected numbers like 1,2,4,8\n");
      return 2;
    }
    callers.push_back(n);
  }
  int failed = 0;
  std::printf(
      "(a) embedded SQLite store: find -> hold -> book, %d bookings per run\n"
      "%-9s %7s %9s %10s %8s %7s\n",
      absl::GetFlag(FLAGS_bookings), "mode", "callers", "booked", "bookings/s",
      "aborted", "errors");
  for (bool shared : {false, true}) {
    for (int n : callers) {
      const BookingRun r = RunBookings(*schedule, n, shared);
      std::printf("%-9s %7d %9d %10.0f %8d %7d\n",
                  shared ? "shared" : "disjoint", n, r.booked,
                  r.booked / absl::ToDoubleSeconds(r.elapsed), r.aborted,
                  r.other_errors);
      std::fflush(stdout);
      failed += r.other_errors;
    }
  }

  FakeClock clock(Start());
  const std::string db = FreshDb("find");
  auto store = SqliteScheduleStore::Open(db, *schedule, &clock);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  SimEhrServerOptions options;
  options.port = 0;
  SimEhrServer server(store->get(), options);
  auto port = server.Start();
  if (!port.ok()) {
    std::fprintf(stderr, "%s\n", port.status().ToString().c_str());
    return 1;
  }
  FhirSchedulerOptions adapter_options;
  adapter_options.base_url = absl::StrCat("http://127.0.0.1:", *port, "/fhir");
  auto adapter = FhirScheduler::Create(adapter_options);
  if (!adapter.ok()) {
    std::fprintf(stderr, "%s\n", adapter.status().ToString().c_str());
    return 1;
  }
  const int finds = absl::GetFlag(FLAGS_finds);
  std::printf(
      "\n(b) Find latency, %d sequential finds of up to 20 proposals over a "
      "one-week window\n%-38s %8s %8s %8s %8s %7s\n",
      finds, "path", "p50 ms", "p99 ms", "mean ms", "max ms", "errors");
  const std::pair<const char*, Scheduler*> paths[] = {
      {"FHIR adapter -> sim EHR (loopback)", adapter->get()},
      {"embedded store directly", store->get()}};
  for (const auto& [name, s] : paths) {
    const Latencies l = TimeFinds(s, clock.Now(), finds);
    std::printf("%-38s %8.3f %8.3f %8.3f %8.3f %7d  (%.1f proposals/find)\n",
                name, l.p50_ms, l.p99_ms, l.mean_ms, l.max_ms, l.errors,
                static_cast<double>(l.proposals) / finds);
    failed += l.errors;
  }
  server.Stop();
  store->reset();
  RemoveDb(db);
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace frontdesk::scheduling

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return frontdesk::scheduling::Main();
}
