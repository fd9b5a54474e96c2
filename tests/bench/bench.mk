# tests/bench/bench.mk -- the kernels benchmark of `make bench`, included
# from the Makefile.  kernels_bench (tests/bench/kernels_bench.c) times the
# reference solution against OpenBLAS and memcpy; figures only.
#
# Flags: the reference is built as a student would tune it on this machine:
# -O3 and the widest instruction set of the CPU among -march=x86-64-v4
# (AVX-512: what OpenBLAS's default kernel uses on such a CPU, so the
# comparison is like for like) and -march=x86-64-v3 (AVX2, FMA, BMI2:
# Intel since Haswell, AMD since Excavator).  On other machines, or an
# x86-64 CPU without AVX2 and FMA, the -march flag is left out and the
# figures are those of plain -O3.  The tensor library, kernels_support.c
# and the bench itself get the same flags.  (Grading compiles with
# performance.cflags, -march=x86-64-v3: valgrind does not run AVX-512.)

KB_DIR    = $(BUILD)/bench/kernels
KBENCH    = $(KB_DIR)/kernels_bench
KB_X86    = $(filter x86_64-%,$(shell $(CC) -dumpmachine))
KB_V3_CPU = $(shell grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo && \
              grep -qw bmi2 /proc/cpuinfo && echo yes)
KB_V4_CPU = $(shell for f in avx512f avx512bw avx512cd avx512dq avx512vl; do \
              grep -qw $$f /proc/cpuinfo || exit 0; done; echo yes)
KB_MARCH  = $(if $(KB_X86),$(if $(KB_V3_CPU),$(if $(KB_V4_CPU),-march=x86-64-v4,-march=x86-64-v3)))
KB_OPT    = -O3 $(KB_MARCH)
KB_CFLAGS = $(STD) $(WARN) $(KB_OPT) -g -pthread -MMD -MP $(KERNELS_INC)
KB_BLAS_CFLAGS = $(shell pkg-config --cflags openblas 2>/dev/null)
KB_BLAS_LIBS   = $(or $(shell pkg-config --libs openblas 2>/dev/null),-lopenblas)
KB_OBJ    = $(KB_DIR)/kernels.o $(KB_DIR)/tensor.o $(KB_DIR)/kernels_support.o \
            $(KB_DIR)/kernels_bench.o

# The run: OpenBLAS as Debian's package picks its kernel by default (the
# variables that override the choice unset, for this command only), on one
# thread; the program runs itself a second time with OPENBLAS_CORETYPE=Haswell.
# BENCH_RUNS repeats per case (default 7), as for grader_bench.sh.
KBENCH_RUN = env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 \
             $(KBENCH) --repeats $${BENCH_RUNS:-7} --svg $(BUILD)/bench/kernels.svg

.PHONY: bench-kernels
bench-kernels: $(KBENCH)
	@$(KBENCH_RUN)

$(KB_DIR)/kernels.o: solutions/kernels/kernels.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(KB_CFLAGS) -c $< -o $@

$(KB_DIR)/tensor.o: harness/tensor/tensor.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(KB_CFLAGS) -c $< -o $@

$(KB_DIR)/kernels_support.o: harness/kernels/kernels_support.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(KB_CFLAGS) -c $< -o $@

$(KB_DIR)/kernels_bench.o: tests/bench/kernels_bench.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(KB_CFLAGS) $(KB_BLAS_CFLAGS) -DKB_CFLAGS='"$(strip $(KB_OPT))"' -c $< -o $@

$(KBENCH): $(KB_OBJ)
	$(CC) $(LDFLAGS) -pthread $^ $(KB_BLAS_LIBS) -lm -o $@
