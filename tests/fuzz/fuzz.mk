# tests/fuzz/fuzz.mk -- fuzzing and the sanitizer and valgrind runs of the
# grader; included by the top-level Makefile (it uses BUILD, STD, WARN,
# UNIT_TESTS from there).
#
#   make fuzz            libFuzzer on the config loader for FUZZ_SECONDS (60);
#                        corpus in $(BUILD)/fuzz/corpus, crash files in $(BUILD)/fuzz/
#   make fuzz-smoke      the same for FUZZ_SMOKE_SECONDS (20), part of `make test`;
#                        skipped with a notice when clang-14 or its fuzzer runtime
#                        (libclang-rt-14-dev) is missing
#   make test-asan       unit, solution, stub and grader suites under ASan+UBSan
#                        (SAN=1, in $(ASAN_BUILD)); UB is fatal, leaks fail
#   make test-valgrind   the unit suites under valgrind memcheck
#
# The fuzzer fails (non-zero exit) on any crash, sanitizer report, leak,
# broken cfg.h contract (see fuzz_cfg.c), timeout or RSS over 2 GiB; the
# input that did it is saved as $(BUILD)/fuzz/crash-*, leak-*, timeout-*
# or oom-*.  Reproduce with `$(BUILD)/fuzz/fuzz_cfg FILE`.  Once fixed,
# copy it into tests/fuzz/corpus_cfg/ so every run replays it.

FUZZ_CC            ?= clang-14
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_DIR            = $(BUILD)/fuzz
FUZZ_CFG            = $(FUZZ_DIR)/fuzz_cfg
FUZZ_SAN            = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                      -fno-omit-frame-pointer
# The seeds: the real config, the fixtures (one valid, each broken one)
# and tests/fuzz/corpus_cfg/ (extra seeds and fixed crashes).
FUZZ_SEEDS = config.yaml tests/fixtures/configs/good.yaml \
             $(sort $(wildcard tests/fixtures/configs/bad/*.yaml)) \
             $(sort $(wildcard tests/fuzz/corpus_cfg/*))
# -timeout: a valid config takes well under a millisecond; a glob over
# the whole file system is the slowest thing an input can ask for.
FUZZ_OPTS  = -rss_limit_mb=2048 -timeout=20 -max_len=8192 -dict=tests/fuzz/cfg.dict \
             -artifact_prefix=$(FUZZ_DIR)/ -print_final_stats=1

# Can $(FUZZ_CC) link a libFuzzer target?  (clang and libclang-rt-14-dev)
FUZZ_PROBE = printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' | \
             $(FUZZ_CC) -x c - -fsanitize=fuzzer,address,undefined -o /dev/null >/dev/null 2>&1

.PHONY: fuzz fuzz-smoke test-asan test-valgrind

$(FUZZ_CFG): tests/fuzz/fuzz_cfg.c $(wildcard grader/src/config/*.[ch])
	@mkdir -p $(@D)
	$(FUZZ_CC) $(STD) $(WARN) -g -O1 $(FUZZ_SAN) -Igrader/src \
	    $(shell pkg-config --cflags yaml-0.1 2>/dev/null) \
	    tests/fuzz/fuzz_cfg.c $(wildcard grader/src/config/*.c) \
	    $(shell pkg-config --libs yaml-0.1 2>/dev/null || echo -lyaml) -lm -o $@

# $(call fuzz_run,SECONDS,NAME): runs the fuzzer for SECONDS into
# $(FUZZ_DIR)/NAME.log; on failure shows the end of the log and fails.
# The scratch tree of fuzz_cfg.c goes into a folder of this run's own
# (runs may overlap: `make test` elsewhere in the same tree), removed after.
define fuzz_run
	@mkdir -p $(FUZZ_DIR)/corpus && cp $(FUZZ_SEEDS) $(FUZZ_DIR)/corpus/
	@echo "$(2): fuzzing the config loader for $(1) s (log: $(FUZZ_DIR)/$(2).log)"
	@tmp=$$(mktemp -d $(abspath $(FUZZ_DIR))/tmp.XXXXXX) || exit 1; \
	FUZZ_TMPDIR=$$tmp $(FUZZ_CFG) $(FUZZ_OPTS) \
	    -max_total_time=$(1) $(FUZZ_DIR)/corpus > $(FUZZ_DIR)/$(2).log 2>&1; \
	rc=$$?; rm -rf $$tmp; \
	if [ $$rc -ne 0 ]; then \
	    tail -n 50 $(FUZZ_DIR)/$(2).log; \
	    echo "$(2): FAILED (exit $$rc); the input is in $(FUZZ_DIR)/ (crash-*, leak-*, timeout-*, oom-*)"; \
	    exit 1; \
	fi; \
	runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_DIR)/$(2).log); \
	cov=$$(grep -o 'cov: [0-9]*' $(FUZZ_DIR)/$(2).log | tail -n 1); \
	echo "$(2): $$runs inputs, $$cov, corpus $$(ls $(FUZZ_DIR)/corpus | wc -l) files: no crash, leak or UB"
endef

fuzz: $(FUZZ_CFG)
	$(call fuzz_run,$(FUZZ_SECONDS),fuzz)

# Bounded, for `make test`: skipped (exit 0) without clang's fuzzer runtime.
fuzz-smoke:
	@if $(FUZZ_PROBE); then \
	    $(MAKE) --no-print-directory fuzz-smoke-run; \
	else \
	    echo "fuzz-smoke: SKIPPED: '$(FUZZ_CC) -fsanitize=fuzzer' does not link;" \
	         "install clang and libclang-rt-14-dev (make deps)"; \
	fi

.PHONY: fuzz-smoke-run
fuzz-smoke-run: $(FUZZ_CFG)
	$(call fuzz_run,$(FUZZ_SMOKE_SECONDS),fuzz-smoke)

# ---- the grader under ASan+UBSan ------------------------------------------

# Its own build folder and trusted-object cache, whatever BUILD this make
# was given.  -fno-sanitize-recover (SANFLAGS in the Makefile) makes UB
# fatal; LeakSanitizer makes leaks fail the process that leaked.
ASAN_BUILD ?= build/asan
ASAN_ENV    = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=1 \
              UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

test-asan:
	$(ASAN_ENV) $(MAKE) --no-print-directory SAN=1 BUILD=$(ASAN_BUILD) \
	    GRADER_CACHE=$(abspath $(ASAN_BUILD))/grader-cache \
	    test-unit test-solution test-stub test-grader
	@echo "make test-asan: all checks passed ($(ASAN_BUILD))"

# ---- the unit suites under valgrind ------------------------------------------

# run_tests forks one process per test (CK_FORK, set in its code, so
# CK_FORK=no would not apply), and valgrind follows fork: each test runs
# under memcheck, and an invalid access or a leak in it makes that test an
# error, hence a failed run.  Programs the tests exec (bwrap, the sandboxed
# commands, gcc, lcov) run natively (no --trace-children): valgrind cannot
# follow a process into bubblewrap's namespaces, and they are not ours.
# Valgrind 3.19 does not know pidfd_open (syscall 434): it fails with
# ENOSYS, sbx.c falls back to polling, and valgrind's five-line warning
# about it is filtered out below.
VALGRIND = valgrind --quiet --error-exitcode=1 --leak-check=full \
           --errors-for-leak-kinds=definite,possible
VALGRIND_NOISE = -e 'unhandled amd64-linux syscall: 434' -e 'write your own handler' \
                 -e 'README_MISSING_SYSCALL_OR_IOCTL' -e 'we consider this a bug' \
                 -e 'valgrind.org/support/bug_reports'

test-valgrind: $(UNIT_TESTS)
	@if [ "$(SAN)" = 1 ]; then echo "test-valgrind: not with SAN=1 (valgrind cannot run ASan binaries)"; exit 2; fi
	@echo "$(VALGRIND) $(UNIT_TESTS)"
	@{ $(VALGRIND) $(UNIT_TESTS) 2>&1; echo $$? > $(BUILD)/valgrind.rc; } | \
	    grep -v $(VALGRIND_NOISE); \
	rc=$$(cat $(BUILD)/valgrind.rc); rm -f $(BUILD)/valgrind.rc; \
	if [ "$$rc" != 0 ]; then echo "make test-valgrind: FAILED (valgrind exit $$rc)"; exit 1; fi
	@echo "make test-valgrind: all checks passed"
