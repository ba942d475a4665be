#!/usr/bin/env bash
# Sustained throughput, memory and a profile: `make bench-load`.
#
# Runs bench/loadgen at 100, 500 and 1,000 concurrent calls, each against a
# freshly started department (bench_department: the four services on free
# ports in their own folder, on the local broker), so memory figures start
# from the same place. During the 1,000-call run it samples
# every service's VmRSS and VmHWM from /proc/<pid>/status once a second, and
# profiles the services with `perf record -e cpu-clock`. Results go to $OUT (default run/bench-load):
#
#   loadgen-<N>.json / .svg / .txt   loadgen's result, histogram and table
#   memory-1000.csv                  the samples: t_s,service,vmrss_kb,vmhwm_kb
#   perf-1000.txt                    where the services' time goes
#   summary.txt                      the table of all of it
#
# Environment: DURATION_S (default 30), CALLS_LIST (default "100 500 1000"),
# PROFILE_CALLS (default 1000: the run sampled and profiled), OUT, and
# REPORT_ONLY=1 to redo only the report from an earlier run's files.
#
# Figures from a machine busy with other work are noisy; say so when quoting
# them.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"
bin="${FRONTDESK_BIN_DIR:-$repo/build/bin}"
run="${FRONTDESK_RUN_DIR:-$repo/run}"
out="${OUT:-$run/bench-load}"
duration="${DURATION_S:-30}"
calls_list="${CALLS_LIST:-100 500 1000}"
profile_calls="${PROFILE_CALLS:-1000}"
services=(answer rules-check handoff-prep record-keeper)

log() { echo "load_memory.sh: $*" >&2; }

mkdir -p "$out"
deploy/local/kafka/kafka.sh start

# The department runs on free ports in a folder of its own (bench/
# bench_department.cc), never touching the services of services.sh.
dep="$out/department"
dpid=""
start_department() {
  rm -f "$dep/department.env"
  "$bin/bench_department" --out_dir="$dep" >"$out/department.log" 2>&1 &
  dpid=$!
  for _ in $(seq 1 1200); do
    [[ -f "$dep/department.env" ]] && break
    kill -0 "$dpid" 2>/dev/null || { log "the department did not start; see $out/department.log"; exit 1; }
    sleep 0.1
  done
  # shellcheck disable=SC1091
  source "$dep/department.env"
}
stop_department() {
  [[ -n "$dpid" ]] || return 0
  kill -TERM "$dpid" 2>/dev/null || true
  wait "$dpid" 2>/dev/null || true
  dpid=""
}
trap stop_department EXIT

pid_of() { cat "$dep/pids/$1.pid"; }

# One line per service: t,name,vmrss_kb,vmhwm_kb.
sample() {
  local t="$1"
  for s in "${services[@]}"; do
    local pid; pid="$(pid_of "$s" 2>/dev/null || true)"
    [[ -n "$pid" && -r "/proc/$pid/status" ]] || continue
    awk -v t="$t" -v s="$s" '/^VmRSS:/{r=$2} /^VmHWM:/{h=$2} END{print t "," s "," r "," h}' \
      "/proc/$pid/status"
  done
}

profiler=none
if command -v perf >/dev/null && perf record -q -e cpu-clock -o "$out/.perf-probe" -- true >/dev/null 2>&1; then
  profiler=perf
fi
rm -f "$out/.perf-probe"
log "profiler: $profiler"

# REPORT_ONLY=1: only the report, from the files of an earlier run.
[[ "${REPORT_ONLY:-0}" == 1 ]] && calls_run="" || calls_run="$calls_list"
for n in $calls_run; do
  stop_department
  start_department
  sample 0 >"$out/memory-$n-idle.csv"
  sampler=""
  perf_pid=""
  if [[ "$n" == "$profile_calls" ]]; then
    echo "t_s,service,vmrss_kb,vmhwm_kb" >"$out/memory-$n.csv"
    ( t=0; while true; do sample "$t" >>"$out/memory-$n.csv"; sleep 1; t=$((t + 1)); done ) &
    sampler=$!
    if [[ "$profiler" == perf ]]; then
      pids="$(for s in "${services[@]}"; do pid_of "$s"; done | paste -sd, -)"
      perf record -q -e cpu-clock -F 499 -g -p "$pids" -o "$out/perf-$n.data" \
        -- sleep "$((duration + 5))" >/dev/null 2>&1 &
      perf_pid=$!
    fi
  fi
  log "loadgen with $n concurrent calls for ${duration}s"
  "$bin/loadgen" --answer="$ANSWER" --tls_dir="$TLS_DIR" --calls="$n" \
    --duration_s="$duration" --pid_dir="$dep/pids" \
    --json_out="$out/loadgen-$n.json" --svg_out="$out/loadgen-$n.svg" \
    | tee "$out/loadgen-$n.txt"
  if [[ -n "$sampler" ]]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; fi
  if [[ -n "$perf_pid" ]]; then wait "$perf_pid" || true; fi
done
stop_department

if [[ "$profiler" == perf && -f "$out/perf-$profile_calls.data" ]]; then
  # head closes the pipe early; that is not a failure.
  set +o pipefail
  {
    echo "# perf -e cpu-clock, $profile_calls concurrent calls, all four services"
    echo "# by thread name"
    perf report -i "$out/perf-$profile_calls.data" --stdio --no-children \
      --sort comm -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -15
    echo "# by library"
    perf report -i "$out/perf-$profile_calls.data" --stdio --no-children \
      --sort dso -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -20
    echo "# by function"
    perf report -i "$out/perf-$profile_calls.data" --stdio --no-children \
      --sort dso,sym -g none 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40
    echo "# distinct gRPC sync-server thread ids sampled (thread churn)"
    perf report -i "$out/perf-$profile_calls.data" --stdio --no-children \
      --sort pid -g none 2>/dev/null | grep -c grpcpp_sync
  } >"$out/perf-$profile_calls.txt"
  set -o pipefail
else
  echo "perf cannot sample here; no profile" >"$out/perf-$profile_calls.txt"
fi

python3 - "$out" "$calls_list" "$profile_calls" <<'PY'
import csv, json, sys
out, calls, prof = sys.argv[1], sys.argv[2].split(), sys.argv[3]
lines = ["calls  turns/s   p50 ms   p99 ms  p99.9 ms  errors  handoffs"]
for n in calls:
    r = json.load(open(f"{out}/loadgen-{n}.json"))["load"]
    t = r["turn"]
    errors = sum(r["errors"].values()) if isinstance(r["errors"], dict) else r["errors"]
    handoffs = sum(r["handoffs"].values()) if isinstance(r["handoffs"], dict) else r["handoffs"]
    lines.append(f"{n:>5} {r['turns_per_s']:>8.0f} {t['p50_ms']:>8.2f} {t['p99_ms']:>8.2f}"
                 f" {t['p999_ms']:>9.2f} {errors:>7} {handoffs:>9}")
idle = {}
for row in open(f"{out}/memory-{prof}-idle.csv"):
    _, s, rss, hwm = row.strip().split(",")
    idle[s] = int(rss)
peak, hwm = {}, {}
for row in csv.DictReader(open(f"{out}/memory-{prof}.csv")):
    s = row["service"]
    peak[s] = max(peak.get(s, 0), int(row["vmrss_kb"]))
    hwm[s] = max(hwm.get(s, 0), int(row["vmhwm_kb"]))
n = int(prof)
lines += ["", f"memory at {prof} concurrent calls (kB; per call = (peak VmRSS - idle VmRSS) / {prof})",
          "service         idle   peak VmRSS    VmHWM   per call"]
for s in ["answer", "rules-check", "handoff-prep", "record-keeper"]:
    if s in peak:
        lines.append(f"{s:<13} {idle.get(s, 0):>7} {peak[s]:>11} {hwm[s]:>8} "
                     f"{(peak[s] - idle.get(s, 0)) / n:>9.1f}")
text = "\n".join(lines) + "\n"
open(f"{out}/summary.txt", "w").write(text)
print(text)
PY
log "results in $out (summary.txt, perf-$profile_calls.txt)"
