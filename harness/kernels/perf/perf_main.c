/*
 * perf_main.c -- the performance program: runs one kernel call of the
 * student's code, or of the harness's naive references, so that the
 * grader can count what it costs under valgrind (callgrind), and checks
 * the result.
 *
 *   perf --list                 every measurement: "NAME<TAB>what it runs"
 *   perf --measure NAME         build the inputs (seeded), run the measured
 *                               call, check its result
 *   perf --time NAME...         run each measurement (up to 8) natively a few
 *                               times; print "NAME<TAB>nanoseconds" (the
 *                               fastest run) per NAME
 *
 * The measured call is the only code between CALLGRIND_START_INSTRUMENTATION
 * and CALLGRIND_STOP_INSTRUMENTATION.  Run under `valgrind --tool=callgrind
 * --instr-atstart=no`, callgrind counts only that call -- in every thread
 * it starts -- not the inputs, the references or the checks.  Outside
 * valgrind the requests are no-ops.
 *
 * Exit status: 0 the result is correct, 1 it is wrong (the reason on
 * stderr: no points for fast wrong code), 2 usage error, 3 the harness
 * failed (out of memory).
 */
#include <alloca.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <valgrind/callgrind.h>

#include "kernels.h"
#include "perf_ref.h"

/*
 * Matrices are PERF_N x PERF_N.  Not a power of two: with rows 2^k bytes
 * apart, every row of a column maps to the same few sets of a simulated
 * cache, and conflict misses (an accident of the size) would swamp the
 * capacity misses that blocking is about.  192 floats = 12 lines a row:
 * the naive i-j-k product still conflicts in a 32 KiB 8-way D1, i-p-j
 * streams, and tiling wins by a wide margin -- at a size callgrind runs
 * in about a second.
 */
#define PERF_N 192
#define PERF_BLOCK 32            /* cache_friendly_matmul's block_size */
#define PERF_RELU_N (1u << 20)   /* ReLU inputs: 4 MiB of floats */
#define PERF_WORKERS 4           /* parallel_relu's num_workers */
#define PERF_SCALE (1.0f / 32.0f)/* quantization scale of inputs in [-2, 2) */
#define PERF_SEED 20240611u
#define PERF_TIME_RUNS 7         /* --time: the fastest of these runs counts */
#define PERF_STACK_ALIGN (256u << 10) /* see main() */

enum { PERF_OK, PERF_WRONG, PERF_USAGE, PERF_FAILED };

/* The data of one measurement. */
struct perf_case {
    Tensor *a, *b;     /* inputs (b NULL for ReLU) */
    Tensor *want;      /* the correct result */
    Tensor *got;       /* what the measured call returned */
};

struct perf_measure {
    const char *name;
    const char *what;                      /* for --list */
    int (*prepare)(struct perf_case *c);   /* inputs and want; 0 or -1 (OOM) */
    void (*run)(struct perf_case *c);      /* the measured call: sets c->got */
    double rtol, atol;                     /* the check; 0, 0: bit-exact */
};

/* ---- inputs and expected results ---------------------------------------- */

static int prepare_matmul(struct perf_case *c)
{
    struct pref_rng rng;
    pref_rng_seed(&rng, PERF_SEED);
    c->a = pref_random(&rng, PERF_N, PERF_N, -1.0f, 1.0f);
    c->b = pref_random(&rng, PERF_N, PERF_N, -1.0f, 1.0f);
    c->want = c->a && c->b ? pref_exact_matmul(c->a, c->b) : NULL;
    return c->want ? 0 : -1;
}

static int prepare_quantized(struct perf_case *c)
{
    struct pref_rng rng;
    pref_rng_seed(&rng, PERF_SEED + 1);
    c->a = pref_random(&rng, PERF_N, PERF_N, -2.0f, 2.0f);
    c->b = pref_random(&rng, PERF_N, PERF_N, -2.0f, 2.0f);
    c->want = c->a && c->b ? pref_naive_quantized_matmul(c->a, c->b, PERF_SCALE, PERF_SCALE)
                           : NULL;
    return c->want ? 0 : -1;
}

/* No zeros in the input: an element the kernel never wrote (left 0) then
 * differs wherever the input is positive. */
static int prepare_relu(struct perf_case *c)
{
    struct pref_rng rng;
    pref_rng_seed(&rng, PERF_SEED + 2);
    c->a = pref_random(&rng, 0, PERF_RELU_N, -1.0f, 1.0f);
    for (size_t i = 0; c->a && i < c->a->size; i++)
        if (c->a->data[i] == 0.0f)
            c->a->data[i] = 0.5f;
    c->want = c->a ? pref_naive_relu(c->a) : NULL;
    return c->want ? 0 : -1;
}

/* ---- the measured calls --------------------------------------------------- */

static void run_naive_matmul(struct perf_case *c)
{
    c->got = pref_naive_matmul(c->a, c->b);
}

static void run_baseline_matmul(struct perf_case *c)
{
    c->got = matmul_baseline(c->a, c->b);
}

static void run_blocked_matmul(struct perf_case *c)
{
    c->got = cache_friendly_matmul(c->a, c->b, PERF_BLOCK);
}

static void run_naive_quantized(struct perf_case *c)
{
    c->got = pref_naive_quantized_matmul(c->a, c->b, PERF_SCALE, PERF_SCALE);
}

static void run_quantized_matmul(struct perf_case *c)
{
    c->got = quantized_matmul(c->a, c->b, PERF_SCALE, PERF_SCALE);
}

static void run_naive_relu(struct perf_case *c)
{
    c->got = pref_naive_relu(c->a);
}

static void run_vectorized_relu(struct perf_case *c)
{
    c->got = vectorized_relu(c->a);
}

static void run_parallel_relu_1(struct perf_case *c)
{
    c->got = parallel_relu(c->a, 1);
}

static void run_parallel_relu_n(struct perf_case *c)
{
    c->got = parallel_relu(c->a, PERF_WORKERS);
}

/* Float products: float sums of 192 terms in any order are well within
 * 1e-4 of the double result; a wrong product is off by far more. */
static const struct perf_measure perf_measures[] = {
    {"naive_matmul", "the harness's i-j-k product, 192 x 192 @ 192 x 192",
     prepare_matmul, run_naive_matmul, 1e-4, 1e-4},
    {"baseline_matmul", "matmul_baseline(A, B), 192 x 192 @ 192 x 192",
     prepare_matmul, run_baseline_matmul, 1e-4, 1e-4},
    {"blocked_matmul", "cache_friendly_matmul(A, B, 32), 192 x 192 @ 192 x 192",
     prepare_matmul, run_blocked_matmul, 1e-4, 1e-4},
    {"naive_quantized", "the harness's int8 i-j-k product, 192 x 192 @ 192 x 192",
     prepare_quantized, run_naive_quantized, 0, 0},
    {"quantized_matmul", "quantized_matmul(A, B, 1/32, 1/32), 192 x 192 @ 192 x 192",
     prepare_quantized, run_quantized_matmul, 0, 0},
    {"naive_relu", "the harness's scalar ReLU, 2^20 elements",
     prepare_relu, run_naive_relu, 0, 0},
    {"vectorized_relu", "vectorized_relu(x), 2^20 elements",
     prepare_relu, run_vectorized_relu, 0, 0},
    {"parallel_relu_1", "parallel_relu(x, 1), 2^20 elements",
     prepare_relu, run_parallel_relu_1, 0, 0},
    {"parallel_relu_4", "parallel_relu(x, 4), 2^20 elements",
     prepare_relu, run_parallel_relu_n, 0, 0},
};

#define PERF_NMEASURES (sizeof perf_measures / sizeof perf_measures[0])

static const struct perf_measure *perf_find(const char *name)
{
    for (size_t i = 0; i < PERF_NMEASURES; i++)
        if (strcmp(perf_measures[i].name, name) == 0)
            return &perf_measures[i];
    return NULL;
}

static void perf_case_release(struct perf_case *c)
{
    tensor_free(c->a);
    tensor_free(c->b);
    tensor_free(c->want);
    tensor_free(c->got);
    memset(c, 0, sizeof *c);
}

/* ---- worker threads -------------------------------------------------------- */

/*
 * The performance build links with -Wl,--wrap=pthread_create: every
 * thread the student's code starts runs through perf_thread_main(), which
 * zeroes the thread's callgrind counters when it starts and dumps them
 * when it ends (no-ops outside valgrind).  valgrind reuses the ids of
 * finished threads, so --separate-threads alone cannot tell two workers
 * apart; the dumps can: one per worker, exactly its own instructions.
 * (Without the zeroing, a worker would also carry the exit path of the
 * thread that had its id before, which depends on scheduling.)
 */
int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);

struct perf_thread {
    void *(*fn)(void *);
    void *arg;
};

/* The trigger is the grader's PERF_WORKER_DUMP (grader/src/perf.h). */
static void perf_thread_done(void *unused)
{
    (void)unused;
    CALLGRIND_DUMP_STATS_AT("perf worker thread");
}

static void *perf_thread_main(void *p)
{
    struct perf_thread t = *(struct perf_thread *)p;
    void *ret;
    free(p);
    CALLGRIND_ZERO_STATS;
    /* A cleanup handler, so that pthread_exit() dumps too. */
    pthread_cleanup_push(perf_thread_done, NULL);
    ret = t.fn(t.arg);
    pthread_cleanup_pop(1);
    return ret;
}

int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg)
{
    struct perf_thread *t = malloc(sizeof *t);
    if (t == NULL)
        return EAGAIN;
    *t = (struct perf_thread){fn, arg};
    int rc = __real_pthread_create(thread, attr, perf_thread_main, t);
    if (rc != 0)
        free(t);
    return rc;
}

/* ---- the commands ----------------------------------------------------------- */

/* The measured region: this call, in every thread it starts.  noinline
 * keeps the region one call that a profile can name. */
__attribute__((noinline))
static void perf_measured(const struct perf_measure *m, struct perf_case *c)
{
    CALLGRIND_START_INSTRUMENTATION;
    m->run(c);
    CALLGRIND_STOP_INSTRUMENTATION;
}

static int perf_measure(const struct perf_measure *m)
{
    struct perf_case c = {0};
    char why[256];
    if (m->prepare(&c) < 0) {
        fprintf(stderr, "perf: %s: cannot prepare the inputs: %s\n", m->name,
                tensor_last_error());
        perf_case_release(&c);
        return PERF_FAILED;
    }
    perf_measured(m, &c);
    int rc = pref_compare(c.got, c.want, m->rtol, m->atol, why, sizeof why);
    if (rc < 0)
        fprintf(stderr, "perf: %s: wrong result: %s\n", m->what, why);
    perf_case_release(&c);
    return rc < 0 ? PERF_WRONG : PERF_OK;
}

static unsigned long long perf_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (unsigned long long)t.tv_sec * 1000000000ull + (unsigned long long)t.tv_nsec;
}

/* One timed call of m on c (freshly allocated result freed); 0 if it failed. */
static unsigned long long perf_time_once(const struct perf_measure *m, struct perf_case *c)
{
    unsigned long long t0 = perf_now_ns();
    m->run(c);
    unsigned long long t = perf_now_ns() - t0;
    if (c->got == NULL)
        return 0;
    tensor_free(c->got);
    c->got = NULL;
    return t > 0 ? t : 1;
}

/*
 * The fastest of PERF_TIME_RUNS runs of each measurement, after one to
 * warm the caches.  The measurements take turns, so that a change in the
 * machine's load hits them alike.
 */
static int perf_time(const struct perf_measure *const ms[], size_t n)
{
    struct perf_case c[8] = {{0}};
    unsigned long long best[8] = {0};
    int rc = PERF_OK;
    for (size_t j = 0; j < n && rc == PERF_OK; j++)
        if (ms[j]->prepare(&c[j]) < 0)
            rc = PERF_FAILED;
    for (int i = 0; i <= PERF_TIME_RUNS && rc == PERF_OK; i++) {
        for (size_t j = 0; j < n && rc == PERF_OK; j++) {
            unsigned long long t = perf_time_once(ms[j], &c[j]);
            if (t == 0)
                rc = PERF_WRONG;
            else if (i > 0 && (best[j] == 0 || t < best[j]))
                best[j] = t;
        }
    }
    for (size_t j = 0; j < n; j++) {
        if (rc == PERF_OK)
            printf("%s\t%llu\n", ms[j]->name, best[j]);
        perf_case_release(&c[j]);
    }
    return rc;
}

static int perf_usage(void)
{
    fputs("usage: perf --list | --measure NAME | --time NAME...\n", stderr);
    return PERF_USAGE;
}

__attribute__((noinline))
static int perf_main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < PERF_NMEASURES; i++)
            printf("%s\t%s\n", perf_measures[i].name, perf_measures[i].what);
        return PERF_OK;
    }
    if (argc < 3 || argc > 10 ||
        (strcmp(argv[1], "--measure") != 0 && strcmp(argv[1], "--time") != 0) ||
        (strcmp(argv[1], "--measure") == 0 && argc != 3))
        return perf_usage();
    for (int i = 2; i < argc; i++) {
        if (perf_find(argv[i]) == NULL) {
            fprintf(stderr, "perf: no measurement '%s' (see --list)\n", argv[i]);
            return PERF_USAGE;
        }
    }
    if (strcmp(argv[1], "--measure") == 0)
        return perf_measure(perf_find(argv[2]));
    const struct perf_measure *ms[8];
    size_t n = 0;
    for (int i = 2; i < argc; i++)
        ms[n++] = perf_find(argv[i]);
    return perf_time(ms, n);
}

/*
 * A simulated cache maps an address to a set by its low bits, so the
 * same code must see the same addresses for the same miss count.  The
 * heap and thread stacks are laid out deterministically under valgrind,
 * but the main stack starts below the environment and the arguments,
 * whose size differs with the working folder's name (PWD).  Moving the
 * stack pointer to a fixed offset modulo PERF_STACK_ALIGN (a multiple of
 * the way size, size / ways, of any cache configured) makes every stack
 * address map to the same set in every run.
 */
int main(int argc, char **argv)
{
    char here;
    volatile char *pad = alloca((uintptr_t)&here % PERF_STACK_ALIGN + 1);
    pad[0] = 0;
    return perf_main(argc, argv);
}
