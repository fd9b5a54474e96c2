/*
 * tcheck.h -- Check support for tensor tests: test definition, suite
 * tables, assertions that say what differs, a seeded RNG and float64
 * reference kernels.  Prefix tc_.
 *
 * Writing a test:
 *
 *     TC_TEST(test_small_2x2)
 *     {
 *         Tensor *C = matmul_baseline(A, B);
 *         tc_assert_not_null(C, "matmul_baseline(A, B)");
 *         tc_assert_close(C, expected, 1e-5, 1e-8, "A @ B");
 *         tensor_free(C);
 *     }
 *
 * A TC_TEST passes only if its body returns: the test process then exits
 * with TC_EXIT_PASSED, and the runner registers every test as a Check
 * exit test expecting that status.  A kernel that calls exit(0), or
 * crashes, or hangs, therefore fails the test instead of passing it.
 *
 * The assertion functions fail the running test through Check (they do
 * not return on failure).  Messages name the first differing element,
 * the expected and actual values and the tolerance, and a NULL result
 * fails with kernels' last error, never a segfault.
 */
#ifndef TCHECK_H
#define TCHECK_H

#include <check.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

#include "tensor.h"

/** Exit status of a test process whose body ran to the end. */
#define TC_EXIT_PASSED 97

/*
 * The student's allocator calls, redirected here by tc_track.h: each calls
 * the C library's function and keeps the count of live blocks.
 */
void *tc_user_malloc(size_t n);
void *tc_user_calloc(size_t count, size_t n);
void *tc_user_realloc(void *p, size_t n);
void *tc_user_aligned_alloc(size_t align, size_t n);
int tc_user_posix_memalign(void **p, size_t align, size_t n);
void tc_user_free(void *p);
void *tc_user_malloc_at(size_t n, const char *file, int line);
void *tc_user_calloc_at(size_t count, size_t n, const char *file, int line);
void *tc_user_realloc_at(void *p, size_t n, const char *file, int line);
void *tc_user_aligned_alloc_at(size_t align, size_t n, const char *file, int line);
int tc_user_posix_memalign_at(void **p, size_t align, size_t n, const char *file, int line);

/**
 * Informational output (timings): printed like printf() unless the runner
 * was started with --quiet, as the grader does.  Timings differ on every
 * run; graded output must not, so a test's own prose goes through here.
 */
void tc_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Shows (the default) or drops tc_info() output in this process and its forks. */
void tc_set_info(int on);

/* ---- threads ------------------------------------------------------------ */

/**
 * Threads started with pthread_create() in this process so far, by any
 * code.  Counted by a wrapper the test programs link with
 * -Wl,--wrap=pthread_create; a test reads it before and after a kernel
 * call.  tc_threads_counted() is 0 in a program linked without the flag.
 * With tc_set_notes(1) (the runner's --notes, which the grader passes),
 * the first thread a test starts also writes the line
 *     tc-threads: TEST
 * to stderr (after a newline), for the grader: a test that ran code on
 * threads gets a ThreadSanitizer run, since its verdict may have been luck.
 */
size_t tc_threads_started(void);
int tc_threads_counted(void);

/** Writes the "tc-threads" notes (1) or not (0, the default), in this
 * process and its forks. */
void tc_set_notes(int on);

/**
 * A count the tests keep while the code under test runs, e.g. an op's
 * calls from the kernel's workers: tc_count() adds one, tc_count_get()
 * reads.  Hidden from ThreadSanitizer (as tc_threads_started() and the
 * harness's heap bookkeeping are): an atomic that every worker updates
 * would order the workers (happens-before), and TSan would miss their
 * races.  The harness must never synchronize the code under test.
 */
void tc_count(atomic_int *counter);
int tc_count_get(atomic_int *counter);

/**
 * Fails unless a kernel call that kernels.h asks to use `workers` workers
 * started `workers` threads, or `workers - 1` (the calling thread being
 * one of the workers); `started` is the count during the call.
 */
#define tc_assert_workers(started, workers, what) \
    tc_assert_workers_at(__FILE__, __LINE__, (started), (workers), (what))
void tc_assert_workers_at(const char *file, int line, size_t started,
                          size_t workers, const char *what);

/*
 * A kernel that acts on a failure before joining its threads (frees the
 * results, or decides that it succeeded, while a worker still runs an op)
 * is wrong only when a worker is late: a grade that would depend on
 * timing.  So a test holds its op's workers back until the kernel's
 * caller joins them:
 *   tc_join_watch(1) before the kernel call, tc_join_watch(0) after;
 *   tc_hold_until_join() at the end of the op (once the call has failed,
 *   or always): on any thread but the caller's it returns when the caller
 *   enters pthread_join() (the test programs link with
 *   -Wl,--wrap=pthread_join), when the call returns, or after TC_HOLD_MS;
 *   tc_op_enter() at the start of the op, with the hold always: the
 *   caller's first op, if the call has started threads, waits (at most
 *   TC_HOLD_MS) until an op has begun on one of them, so that a worker
 *   is busy whenever a failure strikes, even with items that take a
 *   microsecond (likewise a thread start that a fault walk makes fail,
 *   in a call that has started threads).
 * A wait that times out turns the holds off for the rest of the test
 * (process): a kernel that waits for its workers some other way (a
 * barrier, a condition variable) pays TC_HOLD_MS once, not per op.
 * A kernel that joins first waits for nothing; one that cleans up first
 * then fails every time, in plain runs and under ThreadSanitizer (the
 * hold itself is hidden from it and orders nothing).  Only a watched
 * call holds anyone or waits.
 */
#define TC_HOLD_MS 100
void tc_join_watch(int on);
void tc_op_enter(void);
void tc_hold_until_join(void);

/* ---- fault injection ------------------------------------------------------ */

/*
 * Out-of-memory and thread-start failures, made to happen on purpose.
 * The tensor constructors and the student's malloc-family calls (through
 * tc_track.h) count as allocations (tensor.h, tensor_fail_alloc_at());
 * pthread_create() calls are counted by the wrapper above, and
 * tc_fail_thread_at(k) makes the k-th one from now fail with EAGAIN (0:
 * off).  tc_thread_faults_counted() is the number counted since.
 */
void tc_fail_thread_at(size_t k);
size_t tc_thread_faults_counted(void);

/** Blocks the student's code allocated and has not freed (tc_track.h). */
size_t tc_user_blocks_live(void);

enum tc_fault { TC_FAULT_ALLOC, TC_FAULT_THREAD };

/* The most faults one walk injects (a kernel call's allocations or threads). */
#define TC_FAULT_MAX 512

/** One kernel call under fault injection (tc_assert_survives_faults). */
struct tc_fault_case {
    const char *what;                  /* e.g. "parallel_relu(x, 4)" */
    int (*call)(void *arg);            /* calls the kernel once: 0 ok, -1 failed */
    void (*check)(void *arg, int ok);  /* after the call, faults off: ok -> check the
                                          results and free them; else check the
                                          kernel's own failure state (e.g. out[i] NULL) */
    void *arg;
};

/*
 * Walks k = 1, 2, ...: calls c with the k-th allocation (TC_FAULT_ALLOC)
 * or thread start (TC_FAULT_THREAD) of the call failing, until a call
 * makes fewer than k, which must succeed.  Each call that fails must
 * fail cleanly, as kernels.h says: a reason set, no tensor or block
 * leaked, nothing written past an end.  One that succeeds anyway (a
 * kernel may recover, e.g. compute inline when a thread cannot start)
 * must be right (c->check).  Deterministic for a sequential kernel; with
 * threads, which call fails may vary, and every outcome is checked alike.
 */
#define tc_assert_survives_faults(kind, c) \
    tc_assert_survives_faults_at(__FILE__, __LINE__, (kind), (c))
void tc_assert_survives_faults_at(const char *file, int line, enum tc_fault kind,
                                  const struct tc_fault_case *c);

/* ---- the grading seed ------------------------------------------------------ */

/*
 * At grading time the visible tests run on fresh random inputs of the
 * same shapes, so that a kernel that recognises the literal cases and
 * returns stored answers earns nothing.  The runner reads the environment
 * variable TC_SEED (a decimal number) and calls tc_set_grading_seed();
 * without it (a student's `make test`) the literal cases run.  The
 * visible tests draw their inputs through tc_rng_seed_case() and
 * tc_case_input() and check against the references, so every seed gives
 * a valid test, and one seed always gives the same inputs.  Failure
 * messages of a seeded run say so.
 */
void tc_set_grading_seed(int on, uint64_t seed);
/** 1 if this run has a grading seed. */
int tc_seeded(void);

/** Starts a test: records its name (for the notes) and the live tensors
 * and blocks (for leak notes). */
void tc_begin(const char *name);

/**
 * Ends a passing test process (flushes stdio, runs atexit handlers).  It
 * fails the test instead if something wrote past the end of a tensor or
 * of a block the student's code allocated (the guards of tensor.h and of
 * tc_track.h's blocks, checked when each is freed).  If
 * the test left tensors, or blocks the student's code allocated, alive --
 * the kernel leaked them -- it first prints a note to stderr:
 *     tc-leak: TEST: N tensor(s) created during the test were never freed
 * which the grader shows as feedback (the test still passes).  Each note
 * starts a line of its own (a newline first), whatever the test printed
 * before.  (The other note, "tc-threads: TEST", is written at the test's
 * first thread: see tc_threads_started().)
 */
void tc_exit_passed(void) __attribute__((noreturn));

/** Defines a test `name`, to be listed with TC_REF(name) in a tc_case. */
#define TC_TEST(name)                                                     \
    static void name##_body(void);                                        \
    static void name##_fn(int tc_iter_)                                   \
    {                                                                     \
        (void)tc_iter_;                                                   \
        tcase_fn_start(#name, __FILE__, __LINE__);                        \
        tc_begin(#name);                                                  \
        name##_body();                                                    \
        tc_exit_passed();                                                 \
    }                                                                     \
    static const TTest name##_ttest = {#name, name##_fn, __FILE__,        \
                                       __LINE__};                         \
    static void name##_body(void)

/** The TTest of a TC_TEST, for a tc_case's NULL-terminated tests[]. */
#define TC_REF(name) (&name##_ttest)

/** One graded unit (a Check TCase): its tests and a time limit. */
struct tc_case {
    const char *name;            /* stable id part: [a-z0-9_]+ */
    const TTest *const *tests;   /* NULL-terminated */
    double timeout_s;            /* Check timeout per test; 0 = runner default */
};

/** A Check Suite: a name and its NULL-name-terminated cases. */
struct tc_suite {
    const char *name;            /* stable id part: [a-z0-9_]+ */
    const struct tc_case *cases; /* ends with {NULL, NULL, 0} */
};

/* ---- assertions (fail the test; return only on success) --------------- */

/**
 * ck_assert_msg(expr, fmt, ...) without its success: Check's assertion
 * records a checkpoint each time it holds, a message the test process
 * writes and the runner reads back; in a loop over thousands of items
 * that is most of the test's time (and far more under ThreadSanitizer,
 * which checks every byte Check copies).  The same failure.
 */
#define tc_assert_msg(expr, ...) \
    ((expr) ? (void)0 : _ck_assert_failed(__FILE__, __LINE__, "Assertion '" #expr "' failed", \
                                          __VA_ARGS__))

/** Fails unless t is non-NULL; the message has `what` and the kernel's error. */
#define tc_assert_not_null(t, what) \
    tc_assert_not_null_at(__FILE__, __LINE__, (t), (what))

/** Fails unless t has exactly this shape (ndim entries of dims). */
#define tc_assert_shape(t, ndim, dims, what) \
    tc_assert_shape_at(__FILE__, __LINE__, (t), (ndim), (dims), (what))

/**
 * numpy.allclose(actual, expected, rtol, atol): same shape and, for every
 * element, |a - e| <= atol + rtol * |e|; NaN matches only NaN and an
 * infinity only itself.  An element still holding tensor_empty()'s poison
 * (tensor.h), in either tensor, fails first: "at [7] the element was
 * never written ...".  The message
 * names the first failing index, e.g. "A @ B: at [3, 1] expected 4.25, got
 * 4.5 (|diff| 0.25 > tol 1.0e-05); 7 of 64 elements differ".
 */
#define tc_assert_close(actual, expected, rtol, atol, what)              \
    tc_assert_close_at(__FILE__, __LINE__, (actual), (expected), (rtol),  \
                       (atol), (what))

/**
 * Equal values (NaN equals NaN; -0.0 equals 0.0), same shape; unwritten
 * (poisoned) elements fail as in tc_assert_close().
 */
#define tc_assert_exact(actual, expected, what) \
    tc_assert_exact_at(__FILE__, __LINE__, (actual), (expected), (what))

/**
 * Whether tc_assert_exact(actual, expected, ...) would pass: both
 * non-NULL, the same shape, no element of either unwritten, every element
 * equal (NaN to NaN).  For loops over many results: format the
 * assertion's message only for a result that fails (a snprintf per item
 * was a tenth of a ThreadSanitizer run of the batch tests).
 */
int tc_exact(const Tensor *actual, const Tensor *expected);

/** One float against an expected value, with allclose's rule. */
#define tc_assert_float_close(actual, expected, rtol, atol, what)        \
    tc_assert_float_close_at(__FILE__, __LINE__, (actual), (expected),    \
                             (rtol), (atol), (what))

/**
 * Asserts that a call failed cleanly: `failed` is true (the caller passes
 * e.g. `C == NULL` or `rc < 0`) and kernels left a non-empty reason.
 */
#define tc_assert_error(failed, what) \
    tc_assert_error_at(__FILE__, __LINE__, (failed), (what))

void tc_assert_not_null_at(const char *file, int line, const Tensor *t,
                           const char *what);
void tc_assert_shape_at(const char *file, int line, const Tensor *t,
                        int ndim, const size_t dims[], const char *what);
void tc_assert_close_at(const char *file, int line, const Tensor *actual,
                        const Tensor *expected, double rtol, double atol,
                        const char *what);
void tc_assert_exact_at(const char *file, int line, const Tensor *actual,
                        const Tensor *expected, const char *what);
void tc_assert_float_close_at(const char *file, int line, double actual,
                              double expected, double rtol, double atol,
                              const char *what);
void tc_assert_error_at(const char *file, int line, int failed,
                        const char *what);

/* ---- inputs ------------------------------------------------------------ */

/** A small deterministic generator (splitmix64 seeded xoshiro256**). */
struct tc_rng {
    uint64_t s[4];
};

void tc_rng_seed(struct tc_rng *rng, uint64_t seed);
uint64_t tc_rng_next(struct tc_rng *rng);
/** Uniform in [lo, hi). */
float tc_rng_uniform(struct tc_rng *rng, float lo, float hi);
/** Standard normal (Box-Muller). */
float tc_rng_normal(struct tc_rng *rng);

/**
 * Seeds rng for one visible test case: exactly tc_rng_seed(rng, seed)
 * without a grading seed, else a stream that depends on both.
 */
void tc_rng_seed_case(struct tc_rng *rng, uint64_t seed);

/**
 * A visible test's literal input: a copy of `literal` (size values), or
 * in a seeded run the same shape filled from rng with values in
 * [lo, hi]: multiples of `step` from lo (step > 0: e.g. small integers,
 * so that products are exact), or uniform in [lo, hi) (step 0).  Fails
 * the test if it cannot be allocated.
 */
Tensor *tc_case_input(struct tc_rng *rng, int ndim, const size_t shape[],
                      const float *literal, float lo, float hi, float step);

/**
 * Like tc_case_input(), but a seeded run draws every value from the
 * nchoices `choices` (e.g. 0, 1, -2, infinity, NaN: special values in
 * random places).
 */
Tensor *tc_case_choice(struct tc_rng *rng, int ndim, const size_t shape[],
                       const float *literal, const float *choices, size_t nchoices);

/**
 * A new tensor of the given shape filled with standard normal values;
 * fails the test (never returns NULL) if it cannot be allocated.
 */
Tensor *tc_randn(struct tc_rng *rng, int ndim, const size_t shape[]);
/** tc_randn() for a rows x cols matrix. */
Tensor *tc_randn_2d(struct tc_rng *rng, size_t rows, size_t cols);
/** A tensor with copied values; fails the test if allocation fails. */
Tensor *tc_tensor(int ndim, const size_t shape[], const float *values);
/** tc_tensor() for a rows x cols matrix from row-major values. */
Tensor *tc_matrix(size_t rows, size_t cols, const float *values);
/** tc_tensor() for a vector. */
Tensor *tc_vector(size_t n, const float *values);

/* ---- float64 references (independent of the student's code) ----------- */

/** A @ B accumulated in double, rounded to float once.  Fails the test on error. */
Tensor *tc_ref_matmul(const Tensor *A, const Tensor *B);
/**
 * max(0, x) with NaN kept.  Under ThreadSanitizer it reads x unwatched
 * (a fifth of a TSan run of the ReLU tests): races on a kernel's result
 * are seen where an assertion reads it, so pass the test's inputs here.
 */
Tensor *tc_ref_relu(const Tensor *x);
/** The header's quantization rule for one value. */
int8_t tc_ref_quantize(float x, float scale);
/** The header's quantized_matmul, exactly. */
Tensor *tc_ref_quantized_matmul(const Tensor *A, const Tensor *B,
                                float scale_A, float scale_B);
/** The header's quantized_relu, exactly. */
Tensor *tc_ref_quantized_relu(const Tensor *x, float scale);

#endif /* TCHECK_H */
