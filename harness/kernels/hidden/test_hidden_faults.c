/*
 * test_hidden_faults.c -- hidden suite "hidden_faults": every kernel when
 * memory runs out, and the parallel ones when a thread cannot start.
 *
 * kernels.h: a kernel never crashes, returns NULL (or -1) with a reason,
 * and leaks nothing.  tc_assert_survives_faults() (tcheck.h) walks the
 * call's allocations (tensor constructors and the student's malloc
 * family) or thread starts one at a time, making the k-th fail, and
 * checks each outcome: a clean failure (reason set, nothing leaked, no
 * write past an end), or a correct result if the kernel recovered.
 *
 *   out_of_memory  each of the seven kernels, every allocation failing in turn
 *   threads        parallel_relu (100003 values, 1 to 7 workers) and
 *                  parallel_batch_processing (12 items, 1 to 5 workers),
 *                  every pthread_create() failing in turn; the workers
 *                  started before the failure are joined (no hang)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "hidden_suites.h"

/* What one walk needs: the inputs, the expected results and the result. */
struct fault_job {
    const Tensor *A, *B;
    const Tensor *expected;
    Tensor *result;
    int workers;
    size_t block;
    float scale_a, scale_b;
};

/* The check shared by the one-tensor kernels: a result equal to expected. */
static void check_result(void *arg, int ok)
{
    struct fault_job *job = arg;
    if (ok) {
        tc_assert_close(job->result, job->expected, 1e-5, 1e-6, "result under faults");
        tensor_free(job->result);
    }
    job->result = NULL;
}

/* Each call returns 0 with job->result set, or -1. */
static int call_matmul_baseline(void *arg)
{
    struct fault_job *job = arg;
    job->result = matmul_baseline(job->A, job->B);
    return job->result != NULL ? 0 : -1;
}

static int call_cache_friendly(void *arg)
{
    struct fault_job *job = arg;
    job->result = cache_friendly_matmul(job->A, job->B, job->block);
    return job->result != NULL ? 0 : -1;
}

static int call_vectorized_relu(void *arg)
{
    struct fault_job *job = arg;
    job->result = vectorized_relu(job->A);
    return job->result != NULL ? 0 : -1;
}

static int call_parallel_relu(void *arg)
{
    struct fault_job *job = arg;
    job->result = parallel_relu(job->A, job->workers);
    return job->result != NULL ? 0 : -1;
}

static int call_quantized_matmul(void *arg)
{
    struct fault_job *job = arg;
    job->result = quantized_matmul(job->A, job->B, job->scale_a, job->scale_b);
    return job->result != NULL ? 0 : -1;
}

static int call_quantized_relu(void *arg)
{
    struct fault_job *job = arg;
    job->result = quantized_relu(job->A, job->scale_a);
    return job->result != NULL ? 0 : -1;
}

/* One walk of `kind` over call(job), with its description. */
static void walk(enum tc_fault kind, int (*call)(void *), struct fault_job *job,
                 const char *what)
{
    const struct tc_fault_case c = {what, call, check_result, job};
    tc_assert_survives_faults(kind, &c);
}

TC_TEST(test_oom_matmul_baseline)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 701);
    Tensor *A = tc_randn_2d(&rng, 7, 5), *B = tc_randn_2d(&rng, 5, 9);
    Tensor *E = tc_ref_matmul(A, B);
    struct fault_job job = {.A = A, .B = B, .expected = E};
    walk(TC_FAULT_ALLOC, call_matmul_baseline, &job, "matmul_baseline(7x5, 5x9)");
    tensor_free(E);
    tensor_free(A);
    tensor_free(B);
}

TC_TEST(test_oom_cache_friendly)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 702);
    Tensor *A = tc_randn_2d(&rng, 37, 29), *B = tc_randn_2d(&rng, 29, 41);
    Tensor *E = tc_ref_matmul(A, B);
    struct fault_job job = {.A = A, .B = B, .expected = E, .block = 16};
    walk(TC_FAULT_ALLOC, call_cache_friendly, &job, "cache_friendly_matmul(37x29, 29x41, 16)");
    tensor_free(E);
    tensor_free(A);
    tensor_free(B);
}

TC_TEST(test_oom_vectorized_relu)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 703);
    const size_t shape[2] = {13, 7};
    Tensor *x = tc_randn(&rng, 2, shape);
    Tensor *E = tc_ref_relu(x);
    struct fault_job job = {.A = x, .expected = E};
    walk(TC_FAULT_ALLOC, call_vectorized_relu, &job, "vectorized_relu(13x7)");
    tensor_free(E);
    tensor_free(x);
}

TC_TEST(test_oom_parallel_relu)
{
    static const int workers[] = {1, 4};
    struct tc_rng rng;
    tc_rng_seed(&rng, 704);
    const size_t shape[1] = {100003};
    Tensor *x = tc_randn(&rng, 1, shape);
    Tensor *E = tc_ref_relu(x);
    for (size_t w = 0; w < sizeof workers / sizeof workers[0]; w++) {
        char what[64];
        snprintf(what, sizeof what, "parallel_relu(100003 values, %d workers)", workers[w]);
        struct fault_job job = {.A = x, .expected = E, .workers = workers[w]};
        walk(TC_FAULT_ALLOC, call_parallel_relu, &job, what);
    }
    tensor_free(E);
    tensor_free(x);
}

TC_TEST(test_oom_quantized)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 705);
    Tensor *A = tc_randn_2d(&rng, 6, 35), *B = tc_randn_2d(&rng, 35, 7);
    Tensor *E = tc_ref_quantized_matmul(A, B, 0.03f, 0.02f);
    struct fault_job job = {.A = A, .B = B, .expected = E, .scale_a = 0.03f,
                            .scale_b = 0.02f};
    walk(TC_FAULT_ALLOC, call_quantized_matmul, &job, "quantized_matmul(6x35, 35x7)");
    tensor_free(E);
    E = tc_ref_quantized_relu(A, 0.03f);
    job = (struct fault_job){.A = A, .expected = E, .scale_a = 0.03f};
    walk(TC_FAULT_ALLOC, call_quantized_relu, &job, "quantized_relu(6x35)");
    tensor_free(E);
    tensor_free(A);
    tensor_free(B);
}

/* ---- vectorized_operations: five results, all NULL on failure ------------- */

struct ops_job {
    const Tensor *x, *y;
    VectorOps out;
    double dot, dist;
    int rc;
};

static int call_operations(void *arg)
{
    struct ops_job *job = arg;
    job->rc = vectorized_operations(job->x, job->y, &job->out);
    return job->rc == 0 ? 0 : -1;
}

static void check_operations(void *arg, int ok)
{
    struct ops_job *job = arg;
    VectorOps *o = &job->out;
    if (!ok) {
        ck_assert_msg(job->rc == -1, "vectorized_operations failed (out of memory) "
                      "but returned %d; kernels.h: 0 or -1", job->rc);
        ck_assert_msg(o->element_wise_multiply == NULL && o->element_wise_add == NULL &&
                      o->squared_difference == NULL && o->euclidean_distance == NULL &&
                      o->dot_product == NULL, "vectorized_operations failed (out of "
                      "memory) but left a field of *out non-NULL");
        return;
    }
    tc_assert_not_null(o->dot_product, "vectorized_operations: dot_product");
    tc_assert_not_null(o->euclidean_distance, "vectorized_operations: euclidean_distance");
    tc_assert_not_null(o->element_wise_multiply, "vectorized_operations: multiply");
    tc_assert_not_null(o->element_wise_add, "vectorized_operations: add");
    tc_assert_not_null(o->squared_difference, "vectorized_operations: squared difference");
    tc_assert_float_close(o->dot_product->data[0], job->dot, 1e-5, 1e-6,
                          "vectorized_operations under faults: dot product");
    tc_assert_float_close(o->euclidean_distance->data[0], job->dist, 1e-5, 1e-6,
                          "vectorized_operations under faults: distance");
    vector_ops_release(o);
}

TC_TEST(test_oom_vectorized_operations)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 706);
    const size_t shape[1] = {19};
    Tensor *x = tc_randn(&rng, 1, shape), *y = tc_randn(&rng, 1, shape);
    struct ops_job job = {.x = x, .y = y};
    double d2 = 0.0;
    for (size_t i = 0; i < 19; i++) {
        job.dot += (double)x->data[i] * y->data[i];
        d2 += ((double)x->data[i] - y->data[i]) * ((double)x->data[i] - y->data[i]);
    }
    job.dist = sqrt(d2);
    const struct tc_fault_case c = {"vectorized_operations(19 values)", call_operations,
                                    check_operations, &job};
    tc_assert_survives_faults(TC_FAULT_ALLOC, &c);
    tensor_free(x);
    tensor_free(y);
}

/* ---- parallel_batch_processing: ops that allocate ---------------------------- */

enum { FAULT_BATCH = 12 };

struct batch_job {
    Tensor *items[FAULT_BATCH];
    Tensor *expected[FAULT_BATCH];
    Tensor *out[FAULT_BATCH];
    int workers;
};

/*
 * The op: a ReLU that allocates its result, as real ops do, and returns
 * NULL when that allocation fails.  The harness's own, not the student's
 * vectorized_relu(): the walk grades parallel_batch_processing alone, and a
 * leak in another kernel must not make its outcome depend on timing.
 * An op on a worker returns only when the kernel joins it, and the
 * calling thread's first op waits until a worker has begun one (tcheck.h),
 * so a worker is busy whenever the fault strikes: a kernel that frees the
 * results, or decides it succeeded, before joining then fails every time,
 * not only when a worker happens to be late.  (A kernel that joins waits
 * for nothing; the calling thread, if it works too, does the other items.)
 */
static Tensor *relu_op(const Tensor *x, void *ctx)
{
    (void)ctx;
    tc_op_enter();
    Tensor *y = tensor_empty(x->ndim, x->shape);
    for (size_t i = 0; y != NULL && i < y->size; i++) {
        float v = x->data[i];
        y->data[i] = (v > 0.0f || isnan(v)) ? v : 0.0f;
    }
    tc_hold_until_join();
    return y;
}

static int call_batch(void *arg)
{
    struct batch_job *job = arg;
    tc_join_watch(1);     /* relu_op's holds (tcheck.h) */
    int rc = parallel_batch_processing((const Tensor *const *)job->items, FAULT_BATCH,
                                       relu_op, NULL, job->workers, job->out);
    tc_join_watch(0);
    return rc;
}

static int same_tensor(const Tensor *a, const Tensor *b)
{
    if (a == NULL || b == NULL || a->ndim != b->ndim || a->size != b->size)
        return 0;
    for (int d = 0; d < a->ndim; d++)
        if (a->shape[d] != b->shape[d])
            return 0;
    return memcmp(a->data, b->data, a->size * sizeof *a->data) == 0;
}

/*
 * Which expected result out[i] is checked against: expected[i], or else
 * another item's result no earlier out[] took.  The walk checks surviving
 * faults, not the order of the results: a kernel that stores results in
 * completion order would fail here only when its threads happened to
 * finish out of order, a score that changes from grading to grading.
 * parallel/batch holds item 0 back and fails that bug every time.
 */
static size_t batch_match(const struct batch_job *job, size_t i, const int taken[])
{
    if (same_tensor(job->out[i], job->expected[i]))
        return i;
    for (size_t j = 0; j < FAULT_BATCH; j++)
        if (!taken[j] && same_tensor(job->out[i], job->expected[j]))
            return j;
    return i;      /* none: the assertion says what differs from expected[i] */
}

static void check_batch(void *arg, int ok)
{
    struct batch_job *job = arg;
    int own[FAULT_BATCH] = {0}, taken[FAULT_BATCH] = {0};
    for (size_t i = 0; ok && i < FAULT_BATCH; i++)      /* out[i]'s own first */
        own[i] = taken[i] = same_tensor(job->out[i], job->expected[i]);
    for (size_t i = 0; i < FAULT_BATCH; i++) {
        char what[96];
        snprintf(what, sizeof what, "parallel_batch_processing under faults "
                 "(%d workers): out[%zu]", job->workers, i);
        if (!ok) {
            tc_assert_msg(job->out[i] == NULL, "%s is not NULL after a failure", what);
            continue;
        }
        /* Not taken[i]: an earlier out[] may have taken expected[i]. */
        size_t j = own[i] ? i : batch_match(job, i, taken);
        taken[j] = 1;
        tc_assert_exact(job->out[i], job->expected[j], what);
        tensor_free(job->out[i]);
        job->out[i] = NULL;
    }
}

static void batch_job_init(struct batch_job *job, struct tc_rng *rng, int workers)
{
    *job = (struct batch_job){.workers = workers};
    for (size_t i = 0; i < FAULT_BATCH; i++) {
        job->items[i] = tc_randn_2d(rng, 3, 1 + i % 5);
        job->expected[i] = tc_ref_relu(job->items[i]);
    }
}

static void batch_job_free(struct batch_job *job)
{
    for (size_t i = 0; i < FAULT_BATCH; i++) {
        tensor_free(job->items[i]);
        tensor_free(job->expected[i]);
    }
}

static void walk_batch(enum tc_fault kind, int workers, struct tc_rng *rng)
{
    char what[80];
    struct batch_job job;
    batch_job_init(&job, rng, workers);
    snprintf(what, sizeof what, "parallel_batch_processing(12 items, %d workers)", workers);
    const struct tc_fault_case c = {what, call_batch, check_batch, &job};
    tc_assert_survives_faults(kind, &c);
    batch_job_free(&job);
}

TC_TEST(test_oom_batch)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 707);
    walk_batch(TC_FAULT_ALLOC, 1, &rng);
    walk_batch(TC_FAULT_ALLOC, 3, &rng);
}

/* ---- threads that cannot start ------------------------------------------ */

TC_TEST(test_threads_parallel_relu)
{
    static const int workers[] = {1, 2, 4, 7};
    struct tc_rng rng;
    tc_rng_seed(&rng, 708);
    const size_t shape[1] = {100003};
    Tensor *x = tc_randn(&rng, 1, shape);
    Tensor *E = tc_ref_relu(x);
    for (size_t w = 0; w < sizeof workers / sizeof workers[0]; w++) {
        char what[64];
        snprintf(what, sizeof what, "parallel_relu(100003 values, %d workers)", workers[w]);
        struct fault_job job = {.A = x, .expected = E, .workers = workers[w]};
        walk(TC_FAULT_THREAD, call_parallel_relu, &job, what);
    }
    tensor_free(E);
    tensor_free(x);
}

TC_TEST(test_threads_batch)
{
    static const int workers[] = {1, 2, 5};
    struct tc_rng rng;
    tc_rng_seed(&rng, 709);
    for (size_t w = 0; w < sizeof workers / sizeof workers[0]; w++)
        walk_batch(TC_FAULT_THREAD, workers[w], &rng);
}

static const TTest *const oom_tests[] = {
    TC_REF(test_oom_matmul_baseline), TC_REF(test_oom_cache_friendly),
    TC_REF(test_oom_vectorized_relu), TC_REF(test_oom_vectorized_operations),
    TC_REF(test_oom_parallel_relu), TC_REF(test_oom_batch),
    TC_REF(test_oom_quantized), NULL,
};
static const TTest *const thread_tests[] = {
    TC_REF(test_threads_parallel_relu), TC_REF(test_threads_batch), NULL,
};

static const struct tc_case hidden_faults_cases[] = {
    {"out_of_memory", oom_tests, 0},
    {"threads", thread_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite hidden_faults_suite = {"hidden_faults", hidden_faults_cases};
