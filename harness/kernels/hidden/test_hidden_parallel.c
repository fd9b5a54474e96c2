/*
 * test_hidden_parallel.c -- hidden suite "hidden_parallel": the pthread
 * kernels with worker counts that do not divide the work.
 *
 *   relu_workers  parallel_relu on 1, 5, 1000, 4097 and 100003 elements
 *                 with 1, 2, 3, 7 and 16 workers, more workers than
 *                 elements, and NaNs on chunk boundaries: exactly max(0, x)
 *   batch_edges   parallel_batch_processing with n = 0, 1, 13 and 14, and
 *                 more workers than items: every op called exactly once,
 *                 results in input order (item 0 is held back until the
 *                 last item is done, so completion order never matches)
 *   errors        bad worker counts, NULL op or out, and an op that fails
 *                 midway: -1 (or NULL), a reason, every out[i] NULL
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "kernels.h"
#include "hidden_suites.h"

/* parallel_relu(x, workers) must equal max(0, x) bit for bit. */
static void check_parallel_relu(const Tensor *x, int workers, const char *label)
{
    char what[96];
    snprintf(what, sizeof what, "parallel_relu(%s, %d workers)", label, workers);
    Tensor *ref = tc_ref_relu(x);
    Tensor *y = parallel_relu(x, workers);
    tc_assert_not_null(y, what);
    tc_assert_exact(y, ref, what);
    tensor_free(y);
    tensor_free(ref);
}

/* sizes 1..100003 times workers 1..16, including workers > elements */
TC_TEST(test_relu_sizes_workers)
{
    static const size_t sizes[] = {1, 5, 1000, 4097, 100003};
    static const int workers[] = {1, 2, 3, 7, 16};
    struct tc_rng rng;
    tc_rng_seed(&rng, 401);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const size_t shape[1] = {sizes[i]};
        char label[32];
        snprintf(label, sizeof label, "random %zu", sizes[i]);
        Tensor *x = tc_randn(&rng, 1, shape);
        Tensor *x0 = tensor_clone(x);
        tc_assert_not_null(x0, "tensor_clone");
        for (size_t w = 0; w < sizeof workers / sizeof workers[0]; w++)
            check_parallel_relu(x, workers[w], label);
        tc_assert_exact(x, x0, "parallel_relu modified its input");
        tensor_free(x0);
        tensor_free(x);
    }
}

/* far more workers than elements: 3 elements on 64 workers, 2-D and 0-d */
TC_TEST(test_relu_more_workers)
{
    static const float v3[] = {-1.0f, 0.5f, -0.0f};
    static const float s = -2.0f;
    struct tc_rng rng;
    tc_rng_seed(&rng, 402);
    Tensor *x = tc_vector(3, v3);
    check_parallel_relu(x, 64, "[-1, 0.5, -0]");
    tensor_free(x);
    x = tc_tensor(0, NULL, &s);
    check_parallel_relu(x, 8, "0-d -2");
    tensor_free(x);
    x = tc_randn_2d(&rng, 7, 3);
    check_parallel_relu(x, 4, "7x3 matrix");
    check_parallel_relu(x, 32, "7x3 matrix");
    tensor_free(x);
}

/* NaN and infinities propagate, wherever the chunk boundaries fall */
TC_TEST(test_relu_nan)
{
    static const size_t nan_at[] = {0, 1, 585, 586, 1365, 1366, 2048, 4095, 4096};
    struct tc_rng rng;
    tc_rng_seed(&rng, 403);
    const size_t shape[1] = {4097};
    Tensor *x = tc_randn(&rng, 1, shape);
    for (size_t i = 0; i < sizeof nan_at / sizeof nan_at[0]; i++)
        x->data[nan_at[i]] = (i % 2) ? -NAN : NAN;
    x->data[100] = INFINITY;
    x->data[101] = -INFINITY;
    check_parallel_relu(x, 3, "4097 with NaNs");
    check_parallel_relu(x, 7, "4097 with NaNs");
    check_parallel_relu(x, 2, "4097 with NaNs");
    tensor_free(x);
}

/* ---- batch processing ------------------------------------------------------ */

/* The ctx of tag_op: counts calls from any thread. */
struct op_count {
    atomic_int calls;
    int fail_on;        /* tag of the item to fail on, or -1 */
    int gate_last;      /* > 0: item 0 finishes only after item gate_last */
    pthread_mutex_t lock;
    pthread_cond_t done;
    int last_done;
};

/* Longest item 0 waits for the last item: a kernel that runs items one
 * after the other is slower, never stuck. */
#define GATE_WAIT_S 2

/*
 * Item 0 waits (bounded) until the last item has finished, so it never
 * finishes first: results stored in completion order fail every time
 * rather than by chance.  Only where the last item goes to another
 * worker than item 0 whether items are claimed one by one, dealt in
 * contiguous chunks or round-robin: (n - 1) % workers != 0.
 */
static void op_count_init(struct op_count *c, int fail_on, size_t n, int workers)
{
    c->calls = 0;
    c->fail_on = fail_on;
    c->gate_last = (workers >= 2 && n >= 2 && (n - 1) % (size_t)workers != 0) ?
                   (int)n - 1 : 0;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->done, NULL);
    c->last_done = 0;
}

static void op_count_release(struct op_count *c)
{
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->done);
}

/* Only item 0 and the gate's item take the lock: a lock every op call
 * took would order the kernel's workers, and ThreadSanitizer would miss
 * their races (the same for the call count: tc_count()). */
static void op_gate(struct op_count *c, int tag, int before)
{
    if (c->gate_last <= 0 || (tag != 0 && tag != c->gate_last))
        return;
    pthread_mutex_lock(&c->lock);
    if (before && tag == 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += GATE_WAIT_S;
        while (!c->last_done && pthread_cond_timedwait(&c->done, &c->lock, &until) == 0)
            ;
    } else if (!before && tag == c->gate_last) {
        c->last_done = 1;
        pthread_cond_broadcast(&c->done);
    }
    pthread_mutex_unlock(&c->lock);
}

/*
 * A TensorOp returning a 0-d tensor holding its input's first value (the
 * item's tag), so that out[] order can be checked.  Items with small tags
 * sleep longest, so finishing order is the reverse of input order when
 * workers run concurrently.  In a watched call (expect_batch_error) its
 * workers are busy when an item fails, until the kernel joins them
 * (tcheck.h): a kernel that cleans up or decides before joining fails
 * every time, not when a worker happens to be late.
 */
static Tensor *tag_op(const Tensor *x, void *ctx)
{
    struct op_count *count = ctx;
    if (x == NULL)
        return NULL;
    tc_op_enter();
    int tag = (int)x->data[0];
    tc_count(&count->calls);
    if (tag == count->fail_on) {
        op_gate(count, tag, 0);
        tc_hold_until_join();
        return NULL;  /* fails without a reason: the kernel must give one */
    }
    op_gate(count, tag, 1);
    struct timespec pause = {0, (long)(20 - tag % 20) * 50000L};
    nanosleep(&pause, NULL);
    Tensor *t = tensor_scalar((float)tag);
    op_gate(count, tag, 0);
    tc_hold_until_join();
    return t;
}

/* A batch of n tensors of varying shapes whose first value is their index. */
static Tensor **tagged_batch_new(struct tc_rng *rng, size_t n)
{
    Tensor **batch = calloc(n ? n : 1, sizeof *batch);
    ck_assert_msg(batch != NULL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        batch[i] = tc_randn_2d(rng, 1 + i % 3, 1 + i % 5);
        batch[i]->data[0] = (float)i;
    }
    return batch;
}

static void tagged_batch_free(Tensor **batch, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tensor_free(batch[i]);
    free(batch);
}

/* Runs tag_op over a tagged batch of n and checks calls, order and tags. */
static void check_tagged_batch(struct tc_rng *rng, size_t n, int workers)
{
    char what[80];
    snprintf(what, sizeof what, "parallel_batch_processing(n = %zu, %d workers)",
             n, workers);
    Tensor **batch = tagged_batch_new(rng, n);
    Tensor **out = calloc(n ? n : 1, sizeof *out);
    ck_assert_msg(out != NULL, "out of memory");
    struct op_count count;
    op_count_init(&count, -1, n, workers);

    int rc = parallel_batch_processing((const Tensor *const *)batch, n, tag_op,
                                       &count, workers, out);
    ck_assert_msg(rc == 0, "%s returned %d, expected 0 (reason: \"%s\")", what,
                  rc, kernels_last_error());
    int calls = tc_count_get(&count.calls);
    ck_assert_msg(calls == (int)n, "%s called op %d times, expected %zu",
                  what, calls, n);
    for (size_t i = 0; i < n; i++) {
        char item[112];
        snprintf(item, sizeof item, "%s: out[%zu]", what, i);
        tc_assert_not_null(out[i], item);
        tc_assert_float_close(out[i]->data[0], (double)i, 0, 0, item);
    }
    for (size_t i = 0; i < n; i++)
        tensor_free(out[i]);
    free(out);
    op_count_release(&count);
    tagged_batch_free(batch, n);
}

/* n = 0: returns 0 and never calls op */
TC_TEST(test_batch_empty)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 404);
    check_tagged_batch(&rng, 0, 4);
    check_tagged_batch(&rng, 0, 1);
}

/* n = 1 (fewer items than workers), and n = 13 with 4 workers */
TC_TEST(test_batch_sizes)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 405);
    check_tagged_batch(&rng, 1, 4);
    check_tagged_batch(&rng, 1, 1);
    check_tagged_batch(&rng, 14, 4);
    check_tagged_batch(&rng, 14, 3);
    check_tagged_batch(&rng, 13, 1);
}

/* workers 64 > n = 5 and > n = 13 */
TC_TEST(test_batch_more_workers)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 406);
    check_tagged_batch(&rng, 5, 64);
    check_tagged_batch(&rng, 13, 64);
}

/* ---- errors ------------------------------------------------------------------ */

/* Any non-NULL pointer the kernel must overwrite with NULL on failure. */
static Tensor not_a_result;

/* A valid parallel_relu call, so that a stub fails every error test. */
static void check_valid_relu(void)
{
    static const float v[] = {-2, -1, 0, 1, 2, 3, -4};
    Tensor *x = tc_vector(7, v);
    check_parallel_relu(x, 3, "[-2,-1,0,1,2,3,-4]");
    tensor_free(x);
}

/* parallel_relu with 0 and -1 workers, and with a NULL input */
TC_TEST(test_errors_relu)
{
    check_valid_relu();
    Tensor *x = tensor_new_1d(2000);
    tc_assert_not_null(x, "tensor_new_1d");
    static const int bad[] = {0, -1, -64};
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
    tensor_free(x);
}

enum { ERR_N = 10 };

/*
 * Expects parallel_batch_processing to return -1 with a reason and to
 * leave every out[i] NULL (out is filled with a sentinel first).
 */
static void expect_batch_error(const Tensor *const batch[], size_t n, TensorOp op,
                               void *ctx, int workers, Tensor *out[],
                               const char *what)
{
    for (size_t i = 0; out != NULL && i < n; i++)
        out[i] = &not_a_result;
    tensor_clear_error();
    tc_join_watch(1);
    int rc = parallel_batch_processing(batch, n, op, ctx, workers, out);
    tc_join_watch(0);
    tc_assert_error(rc == -1, what);
    for (size_t i = 0; out != NULL && i < n; i++)
        tc_assert_msg(out[i] == NULL, "%s failed but left out[%zu] non-NULL "
                      "(on failure every out[i] must be NULL)", what, i);
}

/* bad arguments: op NULL, out NULL, batch NULL, workers 0 and -1, a NULL item */
TC_TEST(test_errors_batch_args)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 407);
    check_tagged_batch(&rng, 4, 2);
    Tensor **batch = tagged_batch_new(&rng, ERR_N);
    const Tensor *const *cbatch = (const Tensor *const *)batch;
    Tensor *out[ERR_N];
    struct op_count count;
    op_count_init(&count, -1, 0, 1);

    expect_batch_error(cbatch, ERR_N, NULL, &count, 4, out,
                       "parallel_batch_processing(op NULL)");
    expect_batch_error(cbatch, ERR_N, tag_op, &count, 4, NULL,
                       "parallel_batch_processing(out NULL)");
    expect_batch_error(NULL, ERR_N, tag_op, &count, 4, out,
                       "parallel_batch_processing(batch NULL, n 10)");
    expect_batch_error(cbatch, ERR_N, tag_op, &count, 0, out,
                       "parallel_batch_processing(0 workers)");
    expect_batch_error(cbatch, ERR_N, tag_op, &count, -1, out,
                       "parallel_batch_processing(-1 workers)");
    int calls = tc_count_get(&count.calls);
    ck_assert_msg(calls == 0, "parallel_batch_processing called op %d times "
                  "despite a bad argument", calls);

    /* a NULL item: tag_op (like any kernel) fails on it */
    Tensor *saved = batch[6];
    batch[6] = NULL;
    expect_batch_error(cbatch, ERR_N, tag_op, &count, 4, out,
                       "parallel_batch_processing(batch[6] NULL)");
    batch[6] = saved;
    op_count_release(&count);
    tagged_batch_free(batch, ERR_N);
}

/*
 * The op fails (returns NULL, setting no reason of its own) on item 5 of
 * 10: -1, a reason from the kernel, every out[i] NULL, and the results
 * already computed freed (LeakSanitizer checks that under SAN=1).
 */
TC_TEST(test_errors_batch_op_fails)
{
    static const int workers[] = {1, 3, 4, 16};
    struct tc_rng rng;
    tc_rng_seed(&rng, 408);
    check_tagged_batch(&rng, 10, 4);
    Tensor **batch = tagged_batch_new(&rng, ERR_N);
    Tensor *out[ERR_N];
    for (size_t w = 0; w < sizeof workers / sizeof workers[0]; w++) {
        char what[80];
        snprintf(what, sizeof what, "parallel_batch_processing(op fails on "
                 "item 5 of 10, %d workers)", workers[w]);
        struct op_count count;
        op_count_init(&count, 5, ERR_N, 1);   /* no gate: the order is not the point */
        expect_batch_error((const Tensor *const *)batch, ERR_N, tag_op, &count,
                           workers[w], out, what);
        op_count_release(&count);
    }
    tagged_batch_free(batch, ERR_N);
}

static const TTest *const relu_workers_tests[] = {
    TC_REF(test_relu_sizes_workers), TC_REF(test_relu_more_workers),
    TC_REF(test_relu_nan), NULL,
};
static const TTest *const batch_edges_tests[] = {
    TC_REF(test_batch_empty), TC_REF(test_batch_sizes),
    TC_REF(test_batch_more_workers), NULL,
};
static const TTest *const errors_tests[] = {
    TC_REF(test_errors_relu), TC_REF(test_errors_batch_args),
    TC_REF(test_errors_batch_op_fails), NULL,
};

static const struct tc_case hidden_parallel_cases[] = {
    {"relu_workers", relu_workers_tests, 0},
    {"batch_edges", batch_edges_tests, 0},
    {"errors", errors_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite hidden_parallel_suite = {"hidden_parallel",
                                               hidden_parallel_cases};
