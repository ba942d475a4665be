// bench_department: the four services on free ports in a folder of their own
// (tests/integration/department_harness.h), for bench/load_memory.sh, so a
// load run never touches the local services of deploy/local/services.sh.
//
// Writes <out_dir>/department.env (ANSWER=<host:port>, TLS_DIR=<dir>) and
// <out_dir>/pids/<service>.pid once every service serves, then waits for
// SIGTERM or SIGINT and stops them. The broker is FRONTDESK_KAFKA_BROKERS or
// the local one on 19092.
//
//   bench_department --out_dir=run/bench-load/department
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "tests/integration/department_harness.h"

ABSL_FLAG(std::string, out_dir, "run/bench-load/department",
          "where department.env and pids/ are written");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  const std::string out = absl::GetFlag(FLAGS_out_dir);
  auto dept = frontdesk::testing::Department::Start();
  if (!dept.ok()) {
    std::fprintf(stderr, "bench_department: %s\n",
                 dept.status().ToString().c_str());
    return 1;
  }
  // Blocked only now: the services are started with a clean mask anyway.
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  mkdir(out.c_str(), 0755);
  mkdir((out + "/pids").c_str(), 0755);
  auto& d = **dept;
  const std::pair<const char*, frontdesk::testing::ServiceProcess*> services[] =
      {{"answer", &d.answer()},
       {"rules-check", &d.rules_check()},
       {"handoff-prep", &d.handoff_prep()},
       {"record-keeper", &d.record_keeper()}};
  for (const auto& [name, p] : services) {
    std::ofstream(absl::StrCat(out, "/pids/", name, ".pid"))
        << p->pid() << "\n";
  }
  {
    std::ofstream env(out + "/department.env.tmp");
    env << "ANSWER=" << d.answer().address() << "\n"
        << "TLS_DIR=" << d.tls_dir() << "\n"
        << "DIR=" << d.dir() << "\n";
  }
  std::rename((out + "/department.env.tmp").c_str(),
              (out + "/department.env").c_str());
  std::fprintf(stderr, "bench_department: serving; answer on %s\n",
               d.answer().address().c_str());
  int sig = 0;
  sigwait(&stop, &sig);
  const absl::Status st = d.Stop();
  std::remove((out + "/department.env").c_str());
  if (!st.ok()) {
    std::fprintf(stderr, "bench_department: %s\n", st.ToString().c_str());
    return 1;
  }
  return 0;
}
