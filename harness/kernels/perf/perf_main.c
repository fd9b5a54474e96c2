/*
 * perf_main.c -- the performance program: runs kernel calls of the
 * student's code, and of the harness's naive references, so that the
 * grader can count what they cost under valgrind (callgrind), and checks
 * each result.
 *
 *   perf --list                 every measurement: "NAME<TAB>what it runs"
 *   perf --measure NAME...      each in turn: build the inputs (seeded), run
 *                               the measured call, check its result, dump
 *   perf --time NAME...         run each measurement natively a few times;
 *                               print "NAME<TAB>nanoseconds" (the fastest
 *                               run) per NAME
 *
 * Each measured call is the only code between CALLGRIND_START_INSTRUMENTATION
 * and CALLGRIND_STOP_INSTRUMENTATION, followed by a dump of the calling
 * thread's counters named "perf measure NAME ok" (or "wrong"); each
 * thread the call starts dumps its own, "perf worker NAME", when it ends.
 * So one `valgrind --tool=callgrind --instr-atstart=no` run of
 * `perf --measure` counts every measurement of a submission apart --
 * only the calls, not the inputs, the references or the checks.  Outside
 * valgrind the requests are no-ops.
 *
 * Exit status: 0 every result is correct, 1 one is wrong (the reason on
 * stderr, "perf: ..."; the others are still measured), 2 usage error,
 * 3 the harness failed (out of memory).
 */
#include <alloca.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <valgrind/callgrind.h>

#include "kernels.h"
#include "perf_ref.h"

/*
 * The problem sizes and the simulated caches (performance.cache in
 * config.yaml) are scaled together, small enough that callgrind runs
 * every measurement of a submission in one short run: matrices of
 * PERF_N x PERF_N floats are 36 KiB, against an 8 KiB L1 data cache and
 * a 256 KiB last-level cache -- the proportions of 192 x 192 (144 KiB)
 * against a typical core's 32 KiB and 1 MiB.  PERF_N is not a power of
 * two: with rows 2^k bytes apart, every row of a column maps to the same
 * few sets, and conflict misses (an accident of the size) would swamp
 * the capacity misses that blocking is about.  The blocked product gets
 * PERF_BLOCK = 16: three 16 x 16 tiles (3 KiB) fit the scaled L1 as
 * three 32 x 32 tiles fit a real one.
 */
#ifndef PERF_N
#define PERF_N 96
#endif
#ifndef PERF_BLOCK
#define PERF_BLOCK 16            /* cache_friendly_matmul's block_size */
#endif
#define PERF_RELU_N (1u << 16)   /* element-wise inputs: 256 KiB of floats, 2x the
                                    parallel threshold of kernels.h */
#define PERF_WORKERS 4           /* num_workers of the parallel kernels */
#define PERF_BATCH_N 32          /* parallel_batch_processing: items ... */
#define PERF_BATCH_ITEM 1024     /* ... of this many floats */
#define PERF_SCALE (1.0f / 32.0f)/* quantization scale of inputs in [-2, 2) */
#define PERF_SEED 20240611u
#define PERF_TIME_RUNS 7         /* --time: the fastest of these runs counts */
#define PERF_STACK_ALIGN (256u << 10) /* see main() */
#define PERF_MAX_NAMES 32        /* measurements per command */

enum { PERF_OK, PERF_WRONG, PERF_USAGE, PERF_FAILED };

/* The data of one measurement. */
struct perf_case {
    Tensor *a, *b;         /* inputs (b NULL for the unary kernels) */
    Tensor *want;          /* the correct result */
    Tensor *got;           /* what the measured call returned */
    VectorOps ops_want, ops_got;          /* vectorized_operations */
    Tensor *batch[PERF_BATCH_N];          /* parallel_batch_processing's inputs, */
    Tensor *batch_want[PERF_BATCH_N];     /* their correct results, */
    Tensor *batch_got[PERF_BATCH_N];      /* and what the call stored */
    int rc;                /* the measured call's return value, where it has one */
};

struct perf_measure {
    const char *name;
    const char *what;                      /* for --list */
    int (*prepare)(struct perf_case *c);   /* inputs and want; 0 or -1 (OOM) */
    void (*run)(struct perf_case *c);      /* the measured call: sets c->got & co */
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
static Tensor *perf_nonzero(struct pref_rng *rng, size_t n, float lo, float hi)
{
    Tensor *t = pref_random(rng, 0, n, lo, hi);
    for (size_t i = 0; t && i < t->size; i++)
        if (t->data[i] == 0.0f)
            t->data[i] = 0.5f;
    return t;
}

static int prepare_relu(struct perf_case *c)
{
    struct pref_rng rng;
    pref_rng_seed(&rng, PERF_SEED + 2);
    c->a = perf_nonzero(&rng, PERF_RELU_N, -1.0f, 1.0f);
    c->want = c->a ? pref_naive_relu(c->a) : NULL;
    return c->want ? 0 : -1;
}

static int prepare_quantized_relu(struct perf_case *c)
{
    struct pref_rng rng;
    pref_rng_seed(&rng, PERF_SEED + 3);
    c->a = perf_nonzero(&rng, PERF_RELU_N, -2.0f, 2.0f);
    c->want = c->a ? pref_naive_quantized_relu(c->a, PERF_SCALE) : NULL;
    return c->want ? 0 : -1;
}

static int prepare_operations(struct perf_case *c)
{
    struct pref_rng rng;
    pref_rng_seed(&rng, PERF_SEED + 4);
    c->a = perf_nonzero(&rng, PERF_RELU_N, -1.0f, 1.0f);
    c->b = perf_nonzero(&rng, PERF_RELU_N, -1.0f, 1.0f);
    if (c->a == NULL || c->b == NULL)
        return -1;
    return pref_naive_operations(c->a, c->b, &c->ops_want);
}

static int prepare_batch(struct perf_case *c)
{
    struct pref_rng rng;
    pref_rng_seed(&rng, PERF_SEED + 5);
    for (size_t i = 0; i < PERF_BATCH_N; i++) {
        c->batch[i] = perf_nonzero(&rng, PERF_BATCH_ITEM, -1.0f, 1.0f);
        c->batch_want[i] = c->batch[i] ? pref_naive_relu(c->batch[i]) : NULL;
        if (c->batch_want[i] == NULL)
            return -1;
    }
    return 0;
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

static void run_parallel_relu_n(struct perf_case *c)
{
    c->got = parallel_relu(c->a, PERF_WORKERS);
}

static void run_naive_quantized_relu(struct perf_case *c)
{
    c->got = pref_naive_quantized_relu(c->a, PERF_SCALE);
}

static void run_quantized_relu(struct perf_case *c)
{
    c->got = quantized_relu(c->a, PERF_SCALE);
}

static void run_naive_operations(struct perf_case *c)
{
    c->rc = pref_naive_operations(c->a, c->b, &c->ops_got);
}

static void run_vectorized_operations(struct perf_case *c)
{
    c->rc = vectorized_operations(c->a, c->b, &c->ops_got);
}

/*
 * The operation of the batch: a yield, then the naive ReLU.  Under
 * valgrind, which runs one thread at a time, the yield hands the CPU to
 * the next thread in line (--fair-sched=yes), so a shared work queue is
 * drained round-robin, the same way in every run.
 */
static Tensor *perf_batch_op(const Tensor *x, void *ctx)
{
    (void)ctx;
    sched_yield();
    return pref_naive_relu(x);
}

static void run_naive_batch(struct perf_case *c)
{
    for (size_t i = 0; i < PERF_BATCH_N; i++)
        c->batch_got[i] = perf_batch_op(c->batch[i], NULL);
}

static void run_parallel_batch(struct perf_case *c)
{
    c->rc = parallel_batch_processing((const Tensor *const *)c->batch, PERF_BATCH_N,
                                      perf_batch_op, NULL, PERF_WORKERS, c->batch_got);
}

#define MATMUL_SIZE "96 x 96 @ 96 x 96"

/* Float products: float sums of 96 terms in any order are well within
 * 1e-4 of the double result; a wrong product is off by far more. */
static const struct perf_measure perf_measures[] = {
    {"naive_matmul", "the harness's i-j-k product, " MATMUL_SIZE,
     prepare_matmul, run_naive_matmul, 1e-4, 1e-4},
    {"baseline_matmul", "matmul_baseline(A, B), " MATMUL_SIZE,
     prepare_matmul, run_baseline_matmul, 1e-4, 1e-4},
    {"blocked_matmul", "cache_friendly_matmul(A, B, 16), " MATMUL_SIZE,
     prepare_matmul, run_blocked_matmul, 1e-4, 1e-4},
    {"naive_quantized", "the harness's int8 i-j-k product, " MATMUL_SIZE,
     prepare_quantized, run_naive_quantized, 0, 0},
    {"quantized_matmul", "quantized_matmul(A, B, 1/32, 1/32), " MATMUL_SIZE,
     prepare_quantized, run_quantized_matmul, 0, 0},
    {"naive_relu", "the harness's scalar ReLU, 2^16 elements",
     prepare_relu, run_naive_relu, 0, 0},
    {"vectorized_relu", "vectorized_relu(x), 2^16 elements",
     prepare_relu, run_vectorized_relu, 0, 0},
    {"parallel_relu_4", "parallel_relu(x, 4), 2^16 elements",
     prepare_relu, run_parallel_relu_n, 0, 0},
    {"naive_quantized_relu", "the harness's scalar int8 ReLU, 2^16 elements",
     prepare_quantized_relu, run_naive_quantized_relu, 0, 0},
    {"quantized_relu", "quantized_relu(x, 1/32), 2^16 elements",
     prepare_quantized_relu, run_quantized_relu, 0, 0},
    {"naive_operations", "the harness's five scalar passes, 2^16 elements",
     prepare_operations, run_naive_operations, 1e-5, 1e-6},
    {"vectorized_operations", "vectorized_operations(x, y, &out), 2^16 elements",
     prepare_operations, run_vectorized_operations, 1e-5, 1e-6},
    {"naive_batch", "the harness's loop: op on 32 items of 1024 floats, one after another",
     prepare_batch, run_naive_batch, 0, 0},
    {"parallel_batch_4", "parallel_batch_processing(32 items of 1024 floats, 4 workers)",
     prepare_batch, run_parallel_batch, 0, 0},
};

#define PERF_NMEASURES (sizeof perf_measures / sizeof perf_measures[0])

static const struct perf_measure *perf_find(const char *name)
{
    for (size_t i = 0; i < PERF_NMEASURES; i++)
        if (strcmp(perf_measures[i].name, name) == 0)
            return &perf_measures[i];
    return NULL;
}

/* Frees what the measured call returned. */
static void perf_case_results_free(struct perf_case *c)
{
    tensor_free(c->got);
    c->got = NULL;
    vector_ops_release(&c->ops_got);
    for (size_t i = 0; i < PERF_BATCH_N; i++) {
        tensor_free(c->batch_got[i]);
        c->batch_got[i] = NULL;
    }
}

static void perf_case_release(struct perf_case *c)
{
    perf_case_results_free(c);
    tensor_free(c->a);
    tensor_free(c->b);
    tensor_free(c->want);
    vector_ops_release(&c->ops_want);
    for (size_t i = 0; i < PERF_BATCH_N; i++) {
        tensor_free(c->batch[i]);
        tensor_free(c->batch_want[i]);
    }
    memset(c, 0, sizeof *c);
}

/* ---- inputs shared between measurements ------------------------------------ */

/*
 * Measurements that share a prepare function (the naive, baseline and
 * blocked products; the three ReLUs; ...) share its inputs and expected
 * results: they are built once per run, not once per measurement.  Under
 * valgrind every instruction of the harness costs time even when it is
 * not counted, and building inputs and exact references was three
 * quarters of the instructions the run executed.  A kernel gets its inputs as const, but C cannot stop it
 * from writing to them anyway, so each measurement first restores them
 * from a pristine copy (a plain copy: cheap under valgrind).
 */
struct perf_shared {
    int (*prepare)(struct perf_case *c);   /* the key */
    struct perf_case c;                    /* inputs and expected results */
    Tensor *pristine[2 + PERF_BATCH_N];    /* a copy of each input */
};

/* The shared inputs of one --measure run, one entry per prepare function. */
struct perf_inputs_set {
    struct perf_shared v[PERF_NMEASURES];
    size_t n;
};

/* The case's input tensors (a, b, the batch items) into in[]; their count. */
static size_t perf_inputs(struct perf_case *c, Tensor *in[2 + PERF_BATCH_N])
{
    size_t n = 0;
    if (c->a)
        in[n++] = c->a;
    if (c->b)
        in[n++] = c->b;
    for (size_t i = 0; i < PERF_BATCH_N && c->batch[i]; i++)
        in[n++] = c->batch[i];
    return n;
}

/* The shared inputs of m's prepare function, built on first use; NULL on OOM. */
static struct perf_shared *perf_shared_get(struct perf_inputs_set *set,
                                           const struct perf_measure *m)
{
    Tensor *in[2 + PERF_BATCH_N];
    for (size_t i = 0; i < set->n; i++)
        if (set->v[i].prepare == m->prepare)
            return &set->v[i];
    struct perf_shared *s = &set->v[set->n++];   /* released even if incomplete */
    s->prepare = m->prepare;
    if (m->prepare(&s->c) < 0)
        return NULL;
    size_t n = perf_inputs(&s->c, in);
    for (size_t i = 0; i < n; i++)
        if ((s->pristine[i] = tensor_clone(in[i])) == NULL)
            return NULL;
    return s;
}

/* Puts the pristine inputs back (a kernel may have written to them). */
static void perf_shared_restore(struct perf_shared *s)
{
    Tensor *in[2 + PERF_BATCH_N];
    size_t n = perf_inputs(&s->c, in);
    for (size_t i = 0; i < n; i++)
        memcpy(in[i]->data, s->pristine[i]->data, in[i]->size * sizeof *in[i]->data);
}

/* Whether the measured call's results are right: 0, or -1 with why[n]. */
static int perf_check(const struct perf_measure *m, const struct perf_case *c, char *why,
                      size_t n)
{
    static const char *const field[5] = {"element_wise_multiply", "element_wise_add",
                                         "squared_difference", "euclidean_distance",
                                         "dot_product"};
    char sub[200];
    if (c->want != NULL)
        return pref_compare(c->got, c->want, m->rtol, m->atol, why, n);
    if (c->ops_want.dot_product != NULL) {
        const Tensor *const want[5] = {c->ops_want.element_wise_multiply,
            c->ops_want.element_wise_add, c->ops_want.squared_difference,
            c->ops_want.euclidean_distance, c->ops_want.dot_product};
        const Tensor *const got[5] = {c->ops_got.element_wise_multiply,
            c->ops_got.element_wise_add, c->ops_got.squared_difference,
            c->ops_got.euclidean_distance, c->ops_got.dot_product};
        if (c->rc != 0) {
            snprintf(why, n, "returned %d: %s", c->rc, tensor_last_error());
            return -1;
        }
        for (size_t i = 0; i < 5; i++) {
            if (pref_compare(got[i], want[i], i < 3 ? m->rtol : 1e-4, m->atol, sub,
                             sizeof sub) < 0) {
                snprintf(why, n, "%s: %s", field[i], sub);
                return -1;
            }
        }
        return 0;
    }
    if (c->rc != 0) {
        snprintf(why, n, "returned %d: %s", c->rc, tensor_last_error());
        return -1;
    }
    for (size_t i = 0; i < PERF_BATCH_N; i++) {
        if (pref_compare(c->batch_got[i], c->batch_want[i], 0, 0, sub, sizeof sub) < 0) {
            snprintf(why, n, "out[%zu]: %s", i, sub);
            return -1;
        }
    }
    return 0;
}

/* ---- worker threads -------------------------------------------------------- */

/*
 * The performance build links with -Wl,--wrap=pthread_create: every
 * thread the student's code starts runs through perf_thread_main(), which
 * zeroes the thread's callgrind counters when it starts and dumps them
 * when it ends, with the trigger "perf worker NAME" (NAME: the
 * measurement running when it was created; no-ops outside valgrind).
 * valgrind reuses the ids of finished threads, so --separate-threads
 * alone cannot tell two workers apart; the dumps can: one per worker,
 * exactly its own instructions.  (Without the zeroing, a worker would
 * also carry the exit path of the thread that had its id before, which
 * depends on scheduling.)
 */
int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);

/* The measurement whose call is running, for the workers' dumps; written
 * by the main thread before the call starts any thread. */
static const char *volatile perf_current;

struct perf_thread {
    void *(*fn)(void *);
    void *arg;
    const char *measure;    /* perf_current when it was created, or NULL */
};

/* The trigger's prefix is the grader's PERF_WORKER_DUMP (grader/src/run/perf.h). */
static void perf_thread_done(void *p)
{
    const struct perf_thread *t = p;
    char trigger[128];
    if (t->measure == NULL)
        return;
    snprintf(trigger, sizeof trigger, "perf worker %s", t->measure);
    CALLGRIND_DUMP_STATS_AT(trigger);
}

static void *perf_thread_main(void *p)
{
    struct perf_thread t = *(struct perf_thread *)p;
    void *ret;
    free(p);
    CALLGRIND_ZERO_STATS;
    /* A cleanup handler, so that pthread_exit() dumps too. */
    pthread_cleanup_push(perf_thread_done, &t);
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
    *t = (struct perf_thread){fn, arg, perf_current};
    int rc = __real_pthread_create(thread, attr, perf_thread_main, t);
    if (rc != 0)
        free(t);
    return rc;
}

/* ---- the commands ----------------------------------------------------------- */

/* The measured region: this call, in every thread it starts.  START
 * empties the simulated caches, so every measurement starts cold,
 * whatever ran before it.  noinline keeps the region one call that a
 * profile can name. */
__attribute__((noinline))
static void perf_measured(const struct perf_measure *m, struct perf_case *c)
{
    perf_current = m->name;
    CALLGRIND_START_INSTRUMENTATION;
    m->run(c);
    CALLGRIND_STOP_INSTRUMENTATION;
    perf_current = NULL;
}

/*
 * One measurement: inputs, the measured call, the check, and the dump of
 * the calling thread's counters with the verdict in its trigger,
 * "perf measure NAME ok" or "... wrong" (the grader reads the verdict
 * there: the student's code cannot issue a client request, so it cannot
 * forge one).  PERF_OK, PERF_WRONG, or PERF_FAILED.
 */
static int perf_measure_one(struct perf_inputs_set *set, const struct perf_measure *m)
{
    struct perf_shared *s = perf_shared_get(set, m);
    char why[256], trigger[128];
    if (s == NULL) {
        fprintf(stderr, "perf: %s: cannot prepare the inputs: %s\n", m->name,
                tensor_last_error());
        return PERF_FAILED;
    }
    perf_shared_restore(s);
    perf_measured(m, &s->c);
    int rc = perf_check(m, &s->c, why, sizeof why);
    if (rc < 0)
        fprintf(stderr, "perf: %s: wrong result: %s\n", m->what, why);
    snprintf(trigger, sizeof trigger, "perf measure %s %s", m->name, rc < 0 ? "wrong" : "ok");
    CALLGRIND_DUMP_STATS_AT(trigger);
    perf_case_results_free(&s->c);
    return rc < 0 ? PERF_WRONG : PERF_OK;
}

/* Frees the shared inputs. */
static void perf_shared_release(struct perf_inputs_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        perf_case_release(&set->v[i].c);
        for (size_t j = 0; j < 2 + PERF_BATCH_N; j++)
            tensor_free(set->v[i].pristine[j]);
    }
    set->n = 0;
}

/* Every measurement in order; a wrong result does not stop the others. */
static int perf_measure(const struct perf_measure *const ms[], size_t n)
{
    static struct perf_inputs_set set;   /* 14 cases of 35 tensors: not on the stack */
    int rc = PERF_OK;
    for (size_t i = 0; i < n && rc != PERF_FAILED; i++) {
        int one = perf_measure_one(&set, ms[i]);
        if (one != PERF_OK)
            rc = one == PERF_FAILED || rc == PERF_OK ? one : rc;
    }
    perf_shared_release(&set);
    return rc;
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
    char why[256];
    int ok = perf_check(m, c, why, sizeof why) == 0;
    perf_case_results_free(c);
    if (!ok)
        return 0;
    return t > 0 ? t : 1;
}

/*
 * The fastest of PERF_TIME_RUNS runs of each measurement, after one to
 * warm the caches.  The measurements take turns, so that a change in the
 * machine's load hits them alike.
 */
static int perf_time(const struct perf_measure *const ms[], size_t n)
{
    static struct perf_case c[PERF_MAX_NAMES];
    unsigned long long best[PERF_MAX_NAMES] = {0};
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
    fputs("usage: perf --list | --measure NAME... | --time NAME...\n", stderr);
    return PERF_USAGE;
}

__attribute__((noinline))
static int perf_main(int argc, char **argv)
{
    const struct perf_measure *ms[PERF_MAX_NAMES];
    size_t n = 0;
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < PERF_NMEASURES; i++)
            printf("%s\t%s\n", perf_measures[i].name, perf_measures[i].what);
        return PERF_OK;
    }
    if (argc < 3 || argc - 2 > PERF_MAX_NAMES ||
        (strcmp(argv[1], "--measure") != 0 && strcmp(argv[1], "--time") != 0))
        return perf_usage();
    for (int i = 2; i < argc; i++) {
        ms[n] = perf_find(argv[i]);
        if (ms[n++] == NULL) {
            fprintf(stderr, "perf: no measurement '%s' (see --list)\n", argv[i]);
            return PERF_USAGE;
        }
    }
    return strcmp(argv[1], "--measure") == 0 ? perf_measure(ms, n) : perf_time(ms, n);
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
