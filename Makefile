# frontdesk: `make run` to try it, `make test` to check it.
# Every target installs what it needs first (deploy/local/install-deps.sh).

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
KAFKA := deploy/local/kafka/kafka.sh
SERVICES := deploy/local/services.sh
FRONTDESK := $(BUILD_DIR)/bin/frontdesk
SAMPLE_CALLS := $(sort $(wildcard examples/clinic/calls/*.txt))
# The tools talk mTLS to the services with the certificates services.sh
# makes under the run folder.
RUN_DIR := $(or $(FRONTDESK_RUN_DIR),$(CURDIR)/run)
export FRONTDESK_TLS_DIR ?= $(RUN_DIR)/tls
# Who `make run` replays its sample calls as (the sample policy grants the
# auditor role `replay`; the access is recorded), checking the services'
# signatures with the public keys services.sh made.
REPLAY_AS := --actor=make-run --role=auditor --purpose=HOPERAT --producer_keys=$(RUN_DIR)/keys/signing

.PHONY: deps build run stop test unit-test integration-test bench bench-load fuzz-build fuzz fuzz-ci asan tsan fmt clean reset

deps:
	@deploy/local/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@$(KAFKA) start
	@$(SERVICES) start
	@for script in $(SAMPLE_CALLS); do \
	  echo; echo "=== sample call: $$script"; \
	  since=$$(date -u +%Y-%m-%dT%H:%M:%SZ); \
	  $(FRONTDESK) call --script $$script | tee $(BUILD_DIR)/last-call.txt || exit 1; \
	  id=$$(sed -n 's/^(call \([0-9a-f-]*\) ended.*/\1/p' $(BUILD_DIR)/last-call.txt); \
	  echo "--- timeline of $$id, read back from Kafka and verified"; \
	  $(FRONTDESK) replay --call $$id --since $$since $(REPLAY_AS) || exit 1; \
	done
	@echo
	@echo "The front desk is running. Talk to it:  $(FRONTDESK) call"
	@echo "Replay a call:                          $(FRONTDESK) replay --call <id> $(REPLAY_AS)"
	@echo "Staff console (open handoffs):          http://127.0.0.1:$${CONSOLE_PORT:-9180}/"
	@echo "Stop everything:                        make stop"

stop:
	@$(SERVICES) stop
	@$(KAFKA) stop

unit-test: build
	cd $(BUILD_DIR) && ctest -L unit --output-on-failure

integration-test: build
	@$(KAFKA) start
	cd $(BUILD_DIR) && ctest -L integration --output-on-failure

test: build
	@$(KAFKA) start
	cd $(BUILD_DIR) && ctest --output-on-failure

bench: build
	@$(KAFKA) start
	@$(SERVICES) start
	$(BUILD_DIR)/bin/turn_latency --answer=127.0.0.1:$${ANSWER_PORT:-7101} --turns=400
	$(BUILD_DIR)/bin/core_benchmark
	$(BUILD_DIR)/bin/rules_evaluate_benchmark
	$(BUILD_DIR)/bin/scheduling_benchmark --bookings=2000 --finds=2000
	$(BUILD_DIR)/bin/call_memory --calls=20000
	$(BUILD_DIR)/bin/handoff_latency --answer=127.0.0.1:$${ANSWER_PORT:-7101} --calls=200
	$(BUILD_DIR)/bin/loadgen --answer=127.0.0.1:$${ANSWER_PORT:-7101} --calls=100 --duration_s=30 --json_out=run/loadgen.json --svg_out=run/loadgen.svg

# Sustained load at 100, 500 and 1,000 concurrent calls, each service's
# VmRSS/VmHWM during the 1,000-call run (and per call), and a perf profile of
# it: bench/load_memory.sh, results in run/bench-load/. Its department runs
# on free ports (bench_department); DURATION_S (default 30) per run.
bench-load: build
	@bench/load_memory.sh

# The libFuzzer targets in fuzz/, each seeded from its committed corpus in
# fuzz/corpus/<name>/. New inputs go to build-fuzz/corpus/<name>/; a crash is
# written to build-fuzz/artifacts/ and fails the target.
FUZZERS := policy_loader trigger_matcher intake_fields envelope_decoder replay_checker natural_date fhir_json
FUZZ_SECONDS ?= 60
fuzz-build: deps
	@command -v clang++ >/dev/null || { sudo=; [ "$$(id -u)" -ne 0 ] && sudo=sudo; $$sudo apt-get install -y -q clang libclang-rt-14-dev; }
	@dpkg -s libclang-rt-14-dev >/dev/null 2>&1 || { sudo=; [ "$$(id -u)" -ne 0 ] && sudo=sudo; $$sudo apt-get install -y -q libclang-rt-14-dev; }
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DFRONTDESK_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build-fuzz -j $(JOBS) --target $(FUZZERS:%=%_fuzzer)

fuzz: fuzz-build
	@mkdir -p build-fuzz/artifacts
	@for f in $(FUZZERS); do \
	  mkdir -p build-fuzz/corpus/$$f; \
	  echo "=== $${f}_fuzzer for $(FUZZ_SECONDS)s"; \
	  build-fuzz/bin/$${f}_fuzzer -max_total_time=$(FUZZ_SECONDS) -timeout=25 \
	    -artifact_prefix=build-fuzz/artifacts/$$f- \
	    build-fuzz/corpus/$$f fuzz/corpus/$$f 2>build-fuzz/$$f.log \
	    || { tail -n 60 build-fuzz/$$f.log; echo "fuzz: $${f}_fuzzer failed; reproducer in build-fuzz/artifacts/"; exit 1; }; \
	  tail -n 1 build-fuzz/$$f.log; \
	done

# What CI runs: every fuzzer for 30 seconds.
fuzz-ci: FUZZ_SECONDS = 30
fuzz-ci: fuzz

# The unit tests built with AddressSanitizer and UndefinedBehaviorSanitizer
# (build-asan/), and the concurrency-heavy ones with ThreadSanitizer
# (build-tsan/). Only the unit test binaries are built.
TSAN_TESTS := handoff_prep_test answer_test in_memory_event_log_test events_test
empty :=
space := $(empty) $(empty)
asan: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFRONTDESK_SANITIZE=address,undefined
	cmake --build build-asan -j $(JOBS) --target frontdesk_unit_tests
	cd build-asan && ASAN_OPTIONS=detect_stack_use_after_return=1:strict_string_checks=1 \
	  UBSAN_OPTIONS=print_stacktrace=1 ctest -L unit -L sanitized --output-on-failure

tsan: deps
	cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFRONTDESK_SANITIZE=thread
	cmake --build build-tsan -j $(JOBS) --target $(TSAN_TESTS)
	cd build-tsan && TSAN_OPTIONS=second_deadlock_stack=1:suppressions=$(CURDIR)/tests/sanitizers/tsan.supp \
	  ctest -L unit -R '^($(subst $(space),|,$(TSAN_TESTS)))$$' --output-on-failure

fmt:
	@command -v clang-format >/dev/null || { sudo=; [ "$$(id -u)" -ne 0 ] && sudo=sudo; $$sudo apt-get install -y -q clang-format; }
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-fuzz build-asan build-tsan

# Stops everything and deletes the broker's data and the run folder.
reset: stop
	@$(KAFKA) reset
	rm -rf run
