# Makefile -- builds the harness, the Kernels assignment, the grader and
# the framework's own tests, out of tree under $(BUILD).
#
#   make grade     build everything and grade the bundled example submissions
#   make test      the whole test suite (unit tests, solutions, stubs, grader)
#   make stubs     regenerate assignments/ from solutions/
#   make test SAN=1    the same under ASan+UBSan (in build/asan)
#   make deps      install missing Debian packages (or print the command)

SAN     ?=
ifeq ($(SAN),1)
BUILD   ?= build/asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
BUILD   ?= build
SANFLAGS =
endif

CC      ?= cc
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
WARN     = -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
           -Wformat=2 -Wundef -Wpointer-arith -Wvla
STD      = -std=c11 -D_GNU_SOURCE
ALL_CFLAGS = $(STD) $(WARN) $(CFLAGS) $(SANFLAGS) $(CFLAGS_EXTRA) -pthread -MMD -MP
LDFLAGS_ALL = $(SANFLAGS) $(LDFLAGS) -pthread

# The grader caches the trusted objects here (see README).
export GRADER_CACHE ?= $(abspath $(BUILD))/grader-cache

PKGS       = check yaml-0.1 jansson libxml-2.0
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CHECK_LIBS = $(shell pkg-config --libs check 2>/dev/null) -lm

# Debian packages the build, the tests and the grader need.
DEB_PKGS = gcc make pkg-config check libsubunit-dev libyaml-dev libjansson-dev \
           libxml2-dev libxml2-utils libcsv-dev lcov gcovr bubblewrap valgrind binutils jq \
           clang libclang-rt-14-dev libopenblas-dev procps libzip-dev unzip \
           parallel libseccomp-dev libclang-dev nettle-dev libdw-dev

KERNELS_INC = -Iharness/tensor -Iharness/check -Iharness/kernels -Iassignments/kernels
HARNESS_SRC = harness/tensor/tensor.c harness/check/tcheck.c harness/check/tc_track.c \
              harness/check/runner.c \
              harness/kernels/kernels_support.c
VISIBLE_SRC = $(sort $(wildcard harness/kernels/visible/*.c))
HIDDEN_SRC  = $(sort $(wildcard harness/kernels/hidden/*.c))

HARNESS_OBJ = $(HARNESS_SRC:%.c=$(BUILD)/%.o)
VISIBLE_OBJ = $(VISIBLE_SRC:%.c=$(BUILD)/%.o)
HIDDEN_OBJ  = $(HIDDEN_SRC:%.c=$(BUILD)/%.o)

# The grader's own build (also shipped alone in releases): grader/grader.mk.
GRADER_CFLAGS  = $(ALL_CFLAGS)
GRADER_LDFLAGS = $(LDFLAGS_ALL)
GRADER_ORDER   = $(BUILD)/.deps-ok
include grader/grader.mk
.DEFAULT_GOAL := all

UNIT_SRC = $(sort $(wildcard tests/unit/*.c))
UNIT_OBJ = $(UNIT_SRC:%.c=$(BUILD)/%.o)

SOLUTION_TESTS = $(BUILD)/solution/kernels_tests
STUB_TESTS     = $(BUILD)/stub/kernels_tests
UNIT_TESTS     = $(BUILD)/tests/run_tests
TSAN_HEAP_TESTS = $(BUILD)/tests/tsan_heap_tests
TSAN_PROBE      = $(BUILD)/tests/harness_tsan_probe
RUNNER_PROBE    = $(BUILD)/tests/runner_probe

.PHONY: all test grade bench stubs check-stubs deps clean test-unit test-solution \
        test-stub test-student test-grader test-policy test-corpus test-perf test-mutants mutants \
        test-corpus-fallback test-sandbox test-mutagen test-docs test-layering
.DELETE_ON_ERROR:
# Objects built through pattern rules are not intermediates: keep them.
.SECONDARY:

all: deps-ok $(SOLUTION_TESTS) $(STUB_TESTS) $(GRADER) $(MKSTUB) $(MUTAGEN) $(UNIT_TESTS) \
     $(TSAN_HEAP_TESTS) $(TSAN_PROBE) $(RUNNER_PROBE)

# ---- dependencies -----------------------------------------------------

# A stamp so the package check runs once per build dir, not every make.
deps-ok: $(BUILD)/.deps-ok
$(BUILD)/.deps-ok:
	@sh tests/scripts/deps.sh $(DEB_PKGS)
	@mkdir -p $(@D) && touch $@
deps:
	@sh tests/scripts/deps.sh $(DEB_PKGS)
.PHONY: deps-ok

# ---- compilation rules --------------------------------------------------

$(BUILD)/harness/%.o: harness/%.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(KERNELS_INC) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/solution/kernels.o: solutions/kernels/kernels.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(KERNELS_INC) -c $< -o $@

$(BUILD)/stub/kernels.o: assignments/kernels/kernels.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(KERNELS_INC) -c $< -o $@

# --wrap: the tests count the threads a kernel starts (tcheck.h), as in config.yaml.
$(BUILD)/%/kernels_tests: $(BUILD)/%/kernels.o $(HARNESS_OBJ) $(VISIBLE_OBJ) \
                          $(HIDDEN_OBJ) $(BUILD)/harness/kernels/main_all.o
	$(CC) $(LDFLAGS_ALL) -Wl,--wrap=pthread_create,--wrap=pthread_join $^ $(CHECK_LIBS) -o $@

$(BUILD)/tests/%.o: tests/%.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(GRADER_INC) $(KERNELS_INC) $(PKG_CFLAGS) -c $< -o $@

# --wrap=flock: a test can play a file system without locks (seam_flock.h).
$(UNIT_TESTS): $(UNIT_OBJ) $(BUILD)/grader/libgrader.a \
               $(BUILD)/harness/tensor/tensor.o $(BUILD)/harness/check/tcheck.o \
               $(BUILD)/harness/check/tc_track.o
	$(CC) $(LDFLAGS_ALL) -Wl,--wrap=flock $^ $(GRADER_LIBS) $(CHECK_LIBS) -o $@

# tsan_heap.c's suite: a program of its own, linked with the --wrap flags of
# config.yaml's thread_sanitizer section (its malloc and free go through it).
TSAN_WRAP = -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free \
            -Wl,--wrap=aligned_alloc,--wrap=posix_memalign,--wrap=strdup,--wrap=strndup
$(TSAN_HEAP_TESTS): $(BUILD)/tests/unit/tsan_heap/test_tsan_heap.o \
                    $(BUILD)/harness/tsan/tsan_heap.o
	$(CC) $(LDFLAGS_ALL) $(TSAN_WRAP) $^ $(CHECK_LIBS) -o $@

# The harness built as the TSan test program is (-fsanitize=thread, the
# --wrap flags), with a probe: its bookkeeping must not order the threads
# of the code under test (tests/unit/tsan_probe/check.sh).  Its own flags,
# not SANFLAGS: ThreadSanitizer does not mix with AddressSanitizer.
TSAN_PROBE_SRC = tests/unit/tsan_probe/harness_tsan_probe.c harness/tensor/tensor.c \
                 harness/check/tcheck.c harness/check/tc_track.c harness/tsan/tsan_heap.c
$(TSAN_PROBE): $(TSAN_PROBE_SRC) $(wildcard harness/tensor/*.h harness/check/*.h) \
               | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(STD) $(WARN) -O1 -g -pthread -fsanitize=thread -Iharness/tensor -Iharness/check \
	    $(PKG_CFLAGS) $(TSAN_PROBE_SRC) $(TSAN_WRAP) $(CHECK_LIBS) -o $@

# The runner with a suite whose tests all outlive their timeout: does it tell
# a test that waits on itself from a held one (tests/unit/runner_probe/check.sh)?
RUNNER_PROBE_OBJ = $(BUILD)/tests/unit/runner_probe/runner_probe.o $(BUILD)/harness/check/runner.o \
                   $(BUILD)/harness/check/tcheck.o $(BUILD)/harness/check/tc_track.o \
                   $(BUILD)/harness/tensor/tensor.o
$(RUNNER_PROBE): $(RUNNER_PROBE_OBJ)
	$(CC) $(LDFLAGS_ALL) $^ $(CHECK_LIBS) -o $@

# ---- stubs --------------------------------------------------------------

# The stub from the solution, and the student README's grading section
# from config.yaml (its points, categories, performance tests, flags).
STUB_README = --config config.yaml --readme assignments/kernels/README.md
MATCLI_STUB = solutions/matcli/matcli.c -o assignments/matcli/matcli.c \
              --config matcli.yaml --readme assignments/matcli/README.md
stubs: $(MKSTUB)
	$(MKSTUB) solutions/kernels/kernels.c -o assignments/kernels/kernels.c $(STUB_README)
	$(MKSTUB) $(MATCLI_STUB)

check-stubs: $(MKSTUB)
	@$(MKSTUB) --check solutions/kernels/kernels.c -o assignments/kernels/kernels.c $(STUB_README)
	@$(MKSTUB) --check $(MATCLI_STUB)

# ---- tests --------------------------------------------------------------

test: all check-stubs test-layering test-unit test-solution test-stub test-student test-grader \
      test-policy \
      fuzz-smoke \
      test-corpus test-corpus-fallback test-sandbox test-perf test-mutagen test-mutants test-shards \
      test-cache test-rescore test-similar \
      test-slurm test-adjust test-ratelimit test-outputs test-io test-matcli \
      test-browser test-release test-docs
	@echo "make test: all checks passed ($(BUILD))"

test-unit: $(UNIT_TESTS) $(TSAN_HEAP_TESTS) $(TSAN_PROBE) $(RUNNER_PROBE)
	$(UNIT_TESTS)
	TSAN_HEAP_LIMIT=1048576 $(TSAN_HEAP_TESTS)
	sh tests/unit/runner_probe/check.sh $(RUNNER_PROBE)
	sh tests/unit/tsan_probe/check.sh $(TSAN_PROBE)

# The grader's includes run one way, down its folders (tests/scripts/layering.sh
# holds the table; it first proves itself on planted bad includes).
test-layering:
	@sh tests/scripts/layering.sh

test-solution: $(SOLUTION_TESTS)
	$(SOLUTION_TESTS) --quiet

test-stub: $(STUB_TESTS)
	@sh tests/scripts/stub_fails_cleanly.sh $(STUB_TESTS) $(BUILD)/stub

test-student: $(GRADER)
	@sh tests/scripts/student_workflow.sh $(BUILD)/student $(GRADER)

# docs/configuration.md and docs/cli.md against the config key tables and
# the commands' option tables, both ways (a text check: nothing to build).
test-docs:
	@sh tests/scripts/docs_check.sh $(BUILD)/docs-check

test-grader: $(GRADER) $(SOLUTION_TESTS)
	@sh tests/scripts/bad_configs.sh $(GRADER)
	@sh tests/scripts/grader_e2e.sh $(GRADER) $(BUILD)/e2e

# The symbol policy as students run it (grader policy, make check) on
# planted calls, and every libc/libm call the stub, kernels.h and the
# student README mention is one the policy allows.
test-policy: $(GRADER)
	@sh tests/scripts/policy_names.sh $(GRADER)
	@sh tests/scripts/policy_planted.sh $(GRADER) $(BUILD)/policy

# The outputs read by their consumers: junit.xml against the Jenkins xunit
# plugin's junit-10.xsd (tests/vendor/), lcov.info rendered again by genhtml
# after the grading, cobertura.xml, results.json's Gradescope semantics.
test-outputs: $(GRADER)
	@sh tests/scripts/outputs_check.sh $(GRADER) $(BUILD)/outputs

# The fixture corpus: one batch of broken and hostile submissions, each
# with its expected outcome (tests/fixtures/corpus/README.md).
test-corpus: $(GRADER)
	@sh tests/scripts/corpus.sh $(GRADER) $(BUILD)/corpus

# The corpus again in the fallback sandbox (Landlock + seccomp: where
# bubblewrap cannot start), and the sandbox's own guarantees with the
# symbol policy off, in both sandboxes (tests/fixtures/sandbox/).
test-corpus-fallback: $(GRADER)
	@CORPUS_SANDBOX=fallback sh tests/scripts/corpus.sh $(GRADER) $(BUILD)/corpus-fallback
test-sandbox: $(GRADER)
	@sh tests/scripts/sandbox_escape.sh $(GRADER) $(BUILD)/sandbox-escape auto fallback

# The project on a fresh Debian root (debootstrap, cached in $(BUILD)/fresh):
# the README's two commands from a clone in a 0700 home, and the Gradescope
# zip in a chroot without user namespaces (tests/fresh/fresh.sh,
# docs/developing.md).  Not part of `make test`: up to 15 minutes, root.
.PHONY: test-fresh
FRESH_NOUSERNS = $(BUILD)/tests/fresh/nouserns
$(FRESH_NOUSERNS): $(BUILD)/tests/fresh/nouserns.o
	$(CC) $(LDFLAGS_ALL) $^ $(GRADER_LIBS) -o $@
test-fresh: $(FRESH_NOUSERNS)
	@sh tests/fresh/fresh.sh $(BUILD) $(FRESH_NOUSERNS)

# Performance grading: the reference gets the performance points, the
# slow fixtures (tests/fixtures/perf/) lose theirs, metrics are repeatable.
test-perf: $(GRADER)
	@sh tests/scripts/perf_e2e.sh $(GRADER) $(BUILD)/perf-e2e

# The mutant generator (grader/mutagen/) on its fixture and on the
# Kernels reference: exact mutants per operator, none in macros or
# constant expressions, every mutant and both schemas compile, and the
# schema run with GRADER_MUTANT=k behaves like mutant k built alone.
test-mutagen: $(MUTAGEN)
	@sh tests/mutagen/mutagen_test.sh $(MUTAGEN) $(BUILD)/mutagen-test

# Mutation analysis (docs/mutants.md): `grader mutants` on the planted
# cases of tests/fixtures/mutants/ in `make test`; on the Kernels reference
# with `make mutants` (into build/grade/mutants, linked from the dashboard
# of `make grade`).
test-mutants: $(GRADER) $(MUTAGEN)
	@sh tests/scripts/mutants_test.sh $(GRADER) $(MUTAGEN) $(BUILD)/mutants-test

mutants: all $(MUTAGEN)
	$(GRADER) -c config.yaml mutants --mutagen $(MUTAGEN) -o $(BUILD)/grade/mutants

# ---- benchmarks (figures only; nothing is asserted about time) ----------

# The kernels against OpenBLAS and memcpy (tests/bench/bench.mk), then the grader.
include tests/bench/bench.mk
bench: all $(KBENCH)
	@$(KBENCH_RUN)
	@sh tests/bench/grader_bench.sh $(GRADER) $(BUILD)/bench
	@sh tests/bench/mutants_bench.sh $(GRADER) $(MUTAGEN) $(BUILD)/bench
	@sh tests/bench/rescore_bench.sh $(GRADER) $(BUILD)/bench
	@sh tests/bench/similar_bench.sh $(GRADER) $(BUILD)/bench

# ---- the main job ---------------------------------------------------------

# The bundled examples of both assignments (config.yaml: Kernels,
# matcli.yaml: matcli): the reference (full marks), the stub (zero), a
# partial and a broken submission; into $(BUILD)/grade and grade-matcli.
EXAMPLES = $(BUILD)/examples
grade: all
	@rm -rf $(EXAMPLES) && mkdir -p $(EXAMPLES)/correct $(EXAMPLES)/stub
	@cp solutions/kernels/kernels.c $(EXAMPLES)/correct/
	@cp assignments/kernels/kernels.c $(EXAMPLES)/stub/
	@cp -R tests/fixtures/examples/partial tests/fixtures/examples/broken $(EXAMPLES)/
	$(GRADER) -c config.yaml batch $(EXAMPLES) -o $(BUILD)/grade --force
	@rm -rf $(EXAMPLES)-matcli && mkdir -p $(EXAMPLES)-matcli/correct $(EXAMPLES)-matcli/stub
	@cp solutions/matcli/matcli.c $(EXAMPLES)-matcli/correct/
	@cp assignments/matcli/matcli.c $(EXAMPLES)-matcli/stub/
	@cp -R tests/fixtures/matcli/partial tests/fixtures/matcli/broken $(EXAMPLES)-matcli/
	$(GRADER) -c matcli.yaml batch $(EXAMPLES)-matcli -o $(BUILD)/grade-matcli --force


clean:
	rm -rf build

include tests/fuzz/fuzz.mk
include tests/release/release.mk
include tests/browser/browser.mk
include tests/scale/scale.mk
include tests/scripts/io.mk

# Only this Makefile's own object folders: the tests build copies of the
# student tree (with their own .d files) elsewhere under $(BUILD).
-include $(shell find $(addprefix $(BUILD)/,harness solution stub tests fuzz bench/kernels) \
                 -name '*.d' 2>/dev/null)
