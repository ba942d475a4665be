# frontdesk: `make run` to try it, `make test` to check it.
# Every target installs what it needs first (deploy/local/install-deps.sh).

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= 2
KAFKA := deploy/local/kafka/kafka.sh
SERVICES := deploy/local/services.sh
FRONTDESK := $(BUILD_DIR)/bin/frontdesk
SAMPLE_CALLS := $(sort $(wildcard examples/clinic/calls/*.txt))

.PHONY: deps build run stop test unit-test integration-test bench fuzz fmt clean reset

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
	  $(FRONTDESK) call --script $$script | tee $(BUILD_DIR)/last-call.txt || exit 1; \
	  id=$$(sed -n 's/^(call \([0-9a-f-]*\) ended.*/\1/p' $(BUILD_DIR)/last-call.txt); \
	  echo "--- timeline of $$id, read back from Kafka"; \
	  $(FRONTDESK) replay --call $$id || exit 1; \
	done
	@echo
	@echo "The front desk is running. Talk to it:  $(FRONTDESK) call"
	@echo "Replay a call:                          $(FRONTDESK) replay --call <id>"
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
	$(BUILD_DIR)/bin/call_memory --calls=20000
	$(BUILD_DIR)/bin/handoff_latency --answer=127.0.0.1:$${ANSWER_PORT:-7101} --calls=200

FUZZ_SECONDS ?= 60
fuzz: deps
	@command -v clang++ >/dev/null || { sudo=; [ "$$(id -u)" -ne 0 ] && sudo=sudo; $$sudo apt-get install -y -q clang libclang-rt-14-dev; }
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DFRONTDESK_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build build-fuzz -j $(JOBS) --target policy_loader_fuzzer trigger_matcher_fuzzer intake_fields_fuzzer
	mkdir -p build-fuzz/corpus/policy build-fuzz/corpus/utterances
	cp examples/clinic/policy.yaml build-fuzz/corpus/policy/
	grep -v '^#' tests/rules/utterance_corpus.tsv | cut -f3 | split -l 1 - build-fuzz/corpus/utterances/u-
	build-fuzz/bin/policy_loader_fuzzer -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus/policy
	build-fuzz/bin/trigger_matcher_fuzzer -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus/utterances
	mkdir -p build-fuzz/corpus/intake
	printf 'March 3rd 1980' > build-fuzz/corpus/intake/dob; printf '(555) 867-5309' > build-fuzz/corpus/intake/phone
	build-fuzz/bin/intake_fields_fuzzer -max_total_time=$(FUZZ_SECONDS) build-fuzz/corpus/intake

fmt:
	@command -v clang-format >/dev/null || { sudo=; [ "$$(id -u)" -ne 0 ] && sudo=sudo; $$sudo apt-get install -y -q clang-format; }
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-fuzz

# Stops everything and deletes the broker's data and the run folder.
reset: stop
	@$(KAFKA) reset
	rm -rf run
