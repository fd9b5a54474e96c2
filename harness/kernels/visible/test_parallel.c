/*
 * test_parallel.c -- visible suite "parallel": the seed's
 * test_unit_parallel_processing, plus the threads themselves.
 *
 *   relu            parallel_relu on [-2..2] with 2 workers, and on 2000
 *                   random values with 4 workers (equal to vectorized_relu)
 *   relu_remainders 100003 values (no worker count divides it) on 2, 3, 4
 *                   and 7 workers, NaNs on chunk boundaries: every element
 *                   written, exactly max(0, x)
 *   relu_threads    from PARALLEL_THREADS_FROM elements on (kernels.h) a
 *                   call starts W threads, or W - 1 besides the caller
 *   batch           parallel_batch_processing of 8 random vectors with 4
 *                   workers, each result equal to the sequential one and
 *                   at its input's index; item 0 finishes last, so results
 *                   stored in completion order fail every time
 *   batch_workers   many small items, repeated calls and item counts that
 *                   no worker count divides: every op called exactly once;
 *                   W threads (or W - 1 besides the caller) are started
 *   errors          0 or -1 workers, NULL input, NULL op or out: NULL or -1
 *                   with a reason, every out[i] NULL
 *
 * In a grading run (TC_SEED, tcheck.h) every input is random, drawn from
 * the grading seed.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernels.h"
#include "suites.h"

/* parallel_relu(x, workers) must equal max(0, x) exactly; returns the
 * number of threads the call started. */
static size_t check_parallel_relu(const Tensor *x, int workers, const char *what)
{
    Tensor *ref = tc_ref_relu(x);
    size_t before = tc_threads_started();
    Tensor *y = parallel_relu(x, workers);
    size_t started = tc_threads_started() - before;
    tc_assert_not_null(y, what);
    tc_assert_exact(y, ref, what);
    tensor_free(y);
    tensor_free(ref);
    return started;
}

/* seed test 4, case 1: parallel_relu([-2,-1,0,1,2], 2 workers) */
TC_TEST(test_relu_small)
{
    static const float in[] = {-2, -1, 0, 1, 2};
    static const float e[] = {0, 0, 0, 1, 2};
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 41);
    const size_t shape[1] = {5};
    Tensor *x = tc_case_input(&rng, 1, shape, in, -3, 3, 0.25f);
    check_parallel_relu(x, 2, "parallel_relu([-2,-1,0,1,2], 2)");
    if (!tc_seeded()) {
        Tensor *E = tc_vector(5, e);
        Tensor *y = parallel_relu(x, 2);
        tc_assert_not_null(y, "parallel_relu([-2,-1,0,1,2], 2)");
        tc_assert_close(y, E, 1e-5, 1e-8, "parallel_relu([-2,-1,0,1,2], 2)");
        tensor_free(y);
        tensor_free(E);
    }
    tensor_free(x);
}

/*
 * seed test 4, case 2: 2000 random values with 4 workers equal the
 * sequential vectorized_relu.  ReLU involves no arithmetic, so "equal" is
 * exact here, and both must also equal the independent reference.
 */
TC_TEST(test_relu_random_2000)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 42);
    const size_t shape[1] = {2000};
    Tensor *x = tc_randn(&rng, 1, shape);
    Tensor *ref = tc_ref_relu(x);
    Tensor *seq = vectorized_relu(x);
    tc_assert_not_null(seq, "vectorized_relu(random 2000)");
    Tensor *par = parallel_relu(x, 4);
    tc_assert_not_null(par, "parallel_relu(random 2000, 4)");
    tc_assert_exact(par, seq, "parallel_relu(random 2000, 4) vs vectorized_relu");
    tc_assert_exact(par, ref, "parallel_relu(random 2000, 4) vs max(0, x)");
    tensor_free(par);
    tensor_free(seq);
    tensor_free(ref);
    tensor_free(x);
}

/* ---- large inputs: remainders and threads ------------------------------------ */

/* Large enough that kernels.h requires the workers (PARALLEL_THREADS_FROM),
 * and a prime: every worker count leaves a remainder. */
enum { LARGE_N = 100003 };
_Static_assert(LARGE_N >= PARALLEL_THREADS_FROM, "the threads must be required at LARGE_N");

static const int large_workers[] = {2, 3, 4, 7};

/*
 * Random values whose signs alternate in runs, with NaNs and positive
 * values around each chunk boundary any split of LARGE_N into 2..7
 * chunks can have: a chunk left unwritten, written twice or shifted by
 * one fails.
 */
static Tensor *large_input(struct tc_rng *rng)
{
    const size_t shape[1] = {LARGE_N};
    Tensor *x = tc_randn(rng, 1, shape);
    for (size_t w = 2; w <= 7; w++) {
        for (size_t c = 1; c <= w; c++) {
            size_t edge = LARGE_N * c / w;   /* where chunk c starts, +-1 */
            for (size_t i = edge > 2 ? edge - 2 : 0; i < edge + 2 && i < LARGE_N; i++)
                x->data[i] = fabsf(x->data[i]) + 0.25f;
        }
    }
    x->data[LARGE_N / 2] = NAN;
    x->data[LARGE_N - 1] = NAN;
    x->data[LARGE_N - 2] = 1.5f;
    return x;
}

/* 100003 values on 2, 3, 4 and 7 workers; twice, on recycled blocks */
TC_TEST(test_relu_remainders)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 43);
    Tensor *x = large_input(&rng);
    Tensor *x0 = tensor_clone(x);
    tc_assert_not_null(x0, "tensor_clone");
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < sizeof large_workers / sizeof large_workers[0]; i++) {
            char what[64];
            snprintf(what, sizeof what, "parallel_relu(random %d, %d workers)", LARGE_N,
                     large_workers[i]);
            check_parallel_relu(x, large_workers[i], what);
        }
    }
    tc_assert_exact(x, x0, "parallel_relu modified its input");
    tensor_free(x0);
    tensor_free(x);
}

/* above the threshold every call starts W threads, or W - 1 besides the caller */
TC_TEST(test_relu_threads)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 44);
    Tensor *x = large_input(&rng);
    for (size_t i = 0; i < sizeof large_workers / sizeof large_workers[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "parallel_relu(random %d, %d workers)", LARGE_N,
                 large_workers[i]);
        size_t started = check_parallel_relu(x, large_workers[i], what);
        tc_assert_workers(started, (size_t)large_workers[i], what);
    }
    tensor_free(x);
}

/* ---- batch processing ------------------------------------------------------------ */

/*
 * The ctx of the batch ops: the batch (to find an item's index), a call
 * count per item, and a gate that holds item 0 back until the last item
 * has finished.  So item 0 never finishes first: a kernel that stores
 * results in completion order fails every time, not by chance.  The gate
 * waits at most GATE_WAIT_S, so a kernel that runs the items one after
 * the other (item 0 first) is only slower.
 */
#define GATE_WAIT_S 2

struct batch_ctx {
    const Tensor *const *batch;
    size_t n;
    atomic_int *calls;        /* n counters */
    int gated;                /* hold item 0 back */
    pthread_mutex_t lock;
    pthread_cond_t last_done;
    int last_finished;
};

static void batch_ctx_init(struct batch_ctx *c, const Tensor *const *batch, size_t n,
                           int gated)
{
    c->batch = batch;
    c->n = n;
    c->calls = calloc(n ? n : 1, sizeof *c->calls);
    ck_assert_msg(c->calls != NULL, "out of memory");
    c->gated = gated && n > 1;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->last_done, NULL);
    c->last_finished = 0;
}

static void batch_ctx_release(struct batch_ctx *c)
{
    free(c->calls);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->last_done);
}

/* The index of x in the batch (its first value's integer part, see
 * batch_new()), or n if x is not an item. */
static size_t batch_index(const struct batch_ctx *c, const Tensor *x)
{
    if (x == NULL || !(x->data[0] >= 0.0f && x->data[0] < (float)c->n))
        return c->n;
    size_t i = (size_t)x->data[0];
    return c->batch[i] == x ? i : c->n;
}

/* Item 0 waits (bounded) for the last item; the last item opens the gate.
 * Only those two take the lock: a lock every op call took would order the
 * kernel's workers (happens-before), and ThreadSanitizer would miss their
 * races (the same for the call counts: tc_count()). */
static void batch_gate(struct batch_ctx *c, size_t i, int before)
{
    if (!c->gated || (i != 0 && i != c->n - 1))
        return;
    pthread_mutex_lock(&c->lock);
    if (before && i == 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += GATE_WAIT_S;
        while (!c->last_finished &&
               pthread_cond_timedwait(&c->last_done, &c->lock, &until) != ETIMEDOUT)
            ;
    } else if (!before && i == c->n - 1) {
        c->last_finished = 1;
        pthread_cond_broadcast(&c->last_done);
    }
    pthread_mutex_unlock(&c->lock);
}

/* The seed's `relu_op = lambda x: vectorized_relu(x)`, counted and gated. */
static Tensor *relu_op(const Tensor *x, void *ctx)
{
    struct batch_ctx *c = ctx;
    size_t i = batch_index(c, x);
    if (i < c->n)
        tc_count(&c->calls[i]);
    batch_gate(c, i, 1);
    Tensor *y = vectorized_relu(x);
    batch_gate(c, i, 0);
    return y;
}

/* A cheap op that does not depend on the student's other kernels: a 0-d
 * tensor holding 2 * x[0] + 1 (items differ in x[0]). */
static Tensor *tag_op(const Tensor *x, void *ctx)
{
    struct batch_ctx *c = ctx;
    size_t i = batch_index(c, x);
    if (i < c->n)
        tc_count(&c->calls[i]);
    batch_gate(c, i, 1);
    Tensor *y = x != NULL ? tensor_scalar(2.0f * x->data[0] + 1.0f) : NULL;
    batch_gate(c, i, 0);
    return y;
}

/* Every item's op was called exactly once. */
static void check_calls(const struct batch_ctx *c, const char *what)
{
    for (size_t i = 0; i < c->n; i++) {
        int calls = tc_count_get(&c->calls[i]);
        tc_assert_msg(calls == 1, "%s called op on batch[%zu] %d times, expected once "
                      "(a work index shared without an atomic or a lock?)", what, i, calls);
    }
}

/* n random vectors of length len; item i's first value is i + a random fraction. */
static Tensor **batch_new(struct tc_rng *rng, size_t n, size_t len)
{
    const size_t shape[1] = {len};
    Tensor **batch = calloc(n ? n : 1, sizeof *batch);
    ck_assert_msg(batch != NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        batch[i] = tc_randn(rng, 1, shape);
        batch[i]->data[0] = (float)i + tc_rng_uniform(rng, 0.0f, 0.5f);
    }
    return batch;
}

static void batch_free(Tensor **batch, size_t n)
{
    for (size_t i = 0; batch != NULL && i < n; i++)
        tensor_free(batch[i]);
    free(batch);
}

/*
 * Runs op over the batch and checks: return 0, op once per item, out[i]
 * equal to op(batch[i]) computed here (`expect`).  Returns the number of
 * threads the call started.
 */
static size_t run_batch(Tensor **batch, size_t n, TensorOp op, int gated, int workers,
                        Tensor *(*expect)(const Tensor *), const char *what)
{
    Tensor **out = calloc(n ? n : 1, sizeof *out);
    ck_assert_msg(out != NULL, "out of memory");
    struct batch_ctx ctx;
    /* Gated only where item 0 and the last item go to different workers
     * however the items are dealt (one by one, in chunks, round-robin). */
    batch_ctx_init(&ctx, (const Tensor *const *)batch, n,
                   gated && workers >= 2 && n >= 2 && (n - 1) % (size_t)workers != 0);

    size_t before = tc_threads_started();
    int rc = parallel_batch_processing((const Tensor *const *)batch, n, op, &ctx,
                                       workers, out);
    size_t started = tc_threads_started() - before;
    ck_assert_msg(rc == 0, "%s returned %d, expected 0 (reason: \"%s\")", what, rc,
                  kernels_last_error());
    check_calls(&ctx, what);
    for (size_t i = 0; i < n; i++) {
        Tensor *want = expect(batch[i]);
        if (!tc_exact(out[i], want)) {     /* the message only for a failure */
            char item[160];
            snprintf(item, sizeof item, "%s: out[%zu] (must be op(batch[%zu]), in input "
                     "order)", what, i, i);
            tc_assert_not_null(out[i], item);
            tc_assert_exact(out[i], want, item);
        }
        tensor_free(want);
    }
    for (size_t i = 0; i < n; i++)
        tensor_free(out[i]);
    free(out);
    batch_ctx_release(&ctx);
    return started;
}

/* What tag_op returns, computed here. */
static Tensor *tag_expect(const Tensor *x)
{
    Tensor *t = tensor_scalar(2.0f * x->data[0] + 1.0f);
    tc_assert_not_null(t, "tensor_scalar");
    return t;
}

enum { BATCH_N = 8 };

/* seed test 4, case 3: a batch of 8 random(100) vectors, 4 workers */
TC_TEST(test_batch_relu)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 46);
    Tensor **batch = batch_new(&rng, BATCH_N, 100);
    run_batch(batch, BATCH_N, relu_op, 1, 4, tc_ref_relu,
              "parallel_batch_processing(8 vectors, relu, 4 workers)");
    batch_free(batch, BATCH_N);
}

/* results in input order whatever order the items finish in: n = workers, odd n */
TC_TEST(test_batch_order)
{
    /* (n - 1) % workers != 0: item 0 and the last item are never both the
     * first of a worker's share when items are dealt round-robin */
    static const size_t sizes[][2] = {{4, 4}, {3, 3}, {8, 3}, {13, 5}};
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 48);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char what[96];
        size_t n = sizes[i][0];
        int workers = (int)sizes[i][1];
        snprintf(what, sizeof what, "parallel_batch_processing(%zu items, %d workers, "
                 "item 0 finishing last)", n, workers);
        Tensor **batch = batch_new(&rng, n, 1 + i);
        run_batch(batch, n, tag_op, 1, workers, tag_expect, what);
        batch_free(batch, n);
    }
}

/*
 * Many tiny items on several workers, 20 times: workers claim items as
 * fast as they can, so a work index shared without an atomic or a lock
 * (two workers taking the same item) is likely to show as an op called
 * twice.  Plus counts that no worker count divides.
 */
TC_TEST(test_batch_many_items)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 49);
    enum { MANY = 2003 };
    Tensor **batch = batch_new(&rng, MANY, 1);
    for (int round = 0; round < 20; round++) {
        char what[80];
        int workers = 2 + round % 3;
        snprintf(what, sizeof what, "parallel_batch_processing(%d items, %d workers), "
                 "call %d", MANY, workers, round + 1);
        run_batch(batch, MANY, tag_op, 1, workers, tag_expect, what);
    }
    batch_free(batch, MANY);
}

/* with at least as many items as workers, the call starts W threads, or W - 1 */
TC_TEST(test_batch_threads)
{
    static const int workers[] = {2, 3, 4};
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 50);
    enum { ITEMS = 64 };
    Tensor **batch = batch_new(&rng, ITEMS, 3);
    for (size_t i = 0; i < sizeof workers / sizeof workers[0]; i++) {
        char what[80];
        snprintf(what, sizeof what, "parallel_batch_processing(%d items, %d workers)",
                 ITEMS, workers[i]);
        size_t started = run_batch(batch, ITEMS, tag_op, 1, workers[i], tag_expect, what);
        tc_assert_workers(started, (size_t)workers[i], what);
    }
    batch_free(batch, ITEMS);
}

/* ---- errors ------------------------------------------------------------------------ */

/* Any non-NULL pointer the kernel must overwrite with NULL on failure. */
static Tensor not_a_result;

/*
 * not in the seed: bad worker counts and NULL arguments give NULL or -1
 * with a reason, and every out[i] NULL.  Valid calls first, so that
 * kernels that always fail cannot pass.
 */
TC_TEST(test_errors)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 51);
    const size_t shape[1] = {7};
    Tensor *x = tc_randn(&rng, 1, shape);
    check_parallel_relu(x, 3, "parallel_relu(random 7, 3 workers)");
    static const int bad[] = {0, -1};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[48];
        snprintf(what, sizeof what, "parallel_relu(x, %d workers)", bad[i]);
        tensor_clear_error();
        Tensor *y = parallel_relu(x, bad[i]);
        tc_assert_error(y == NULL, what);
    }
    tensor_clear_error();
    Tensor *y = parallel_relu(NULL, 2);
    tc_assert_error(y == NULL, "parallel_relu(NULL, 2 workers)");

    enum { N = 5 };
    Tensor **batch = batch_new(&rng, N, 2);
    run_batch(batch, N, tag_op, 1, 3, tag_expect, "parallel_batch_processing(5 items, 3 workers)");
    struct batch_ctx ctx;
    batch_ctx_init(&ctx, (const Tensor *const *)batch, N, 0);
    Tensor *out[N];
    const struct {
        TensorOp op;
        int workers;
        const char *what;
    } cases[] = {
        {tag_op, 0, "parallel_batch_processing(0 workers)"},
        {tag_op, -1, "parallel_batch_processing(-1 workers)"},
        {NULL, 2, "parallel_batch_processing(op NULL)"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (size_t i = 0; i < N; i++)
            out[i] = &not_a_result;
        tensor_clear_error();
        int rc = parallel_batch_processing((const Tensor *const *)batch, N, cases[c].op,
                                           &ctx, cases[c].workers, out);
        tc_assert_error(rc == -1, cases[c].what);
        for (size_t i = 0; i < N; i++)
            tc_assert_msg(out[i] == NULL, "%s failed but left out[%zu] non-NULL "
                          "(on failure every out[i] must be NULL)", cases[c].what, i);
    }
    tensor_clear_error();
    int rc = parallel_batch_processing((const Tensor *const *)batch, N, tag_op, &ctx, 2, NULL);
    tc_assert_error(rc == -1, "parallel_batch_processing(out NULL)");
    int calls = 0;
    for (size_t i = 0; i < N; i++)
        calls += tc_count_get(&ctx.calls[i]);
    ck_assert_msg(calls == 0, "parallel_batch_processing called op %d times despite a "
                  "bad argument", calls);
    batch_ctx_release(&ctx);
    batch_free(batch, N);
    tensor_free(x);
}

static const TTest *const relu_tests[] = {
    TC_REF(test_relu_small), TC_REF(test_relu_random_2000), NULL,
};
static const TTest *const relu_remainders_tests[] = {
    TC_REF(test_relu_remainders), NULL,
};
static const TTest *const relu_threads_tests[] = {
    TC_REF(test_relu_threads), NULL,
};
static const TTest *const batch_tests[] = {
    TC_REF(test_batch_relu), TC_REF(test_batch_order), NULL,
};
static const TTest *const batch_workers_tests[] = {
    TC_REF(test_batch_many_items), TC_REF(test_batch_threads), NULL,
};
static const TTest *const errors_tests[] = {
    TC_REF(test_errors), NULL,
};

static const struct tc_case parallel_cases[] = {
    {"relu", relu_tests, 0},
    {"relu_remainders", relu_remainders_tests, 0},
    {"relu_threads", relu_threads_tests, 0},
    {"batch", batch_tests, 0},
    {"batch_workers", batch_workers_tests, 0},
    {"errors", errors_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite parallel_suite = {"parallel", parallel_cases};
