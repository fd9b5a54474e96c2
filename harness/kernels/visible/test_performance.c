/*
 * test_performance.c -- visible suite "performance": the seed's
 * final_performance_test.
 *
 *   final  times every matmul variant on seeded 256x256 matrices and every
 *          ReLU variant on 10000 random values, prints a table, and asserts
 *          correctness only (times depend on the machine; never asserted).
 *          Unlike the seed, the quantized results are checked too: they are
 *          bit-exact by the header's rule.
 */
#include <stdio.h>

#include "kernels.h"
#include "suites.h"

#define PERF_N 256           /* matrix size, as in the seed */
#define PERF_RELU_N 10000    /* ReLU input length, as in the seed */
#define PERF_BLOCK 32        /* the seed's cache-friendly block size */
#define PERF_WORKERS 4       /* the seed's parallel_relu workers */
#define PERF_SCALE (1.0f / 127.0f) /* the seed's quantization scale */

/* One timed kernel call: its inputs and its result. */
struct perf_job {
    const Tensor *A, *B;   /* matmul operands, or A = the ReLU input */
    Tensor *result;        /* set by the job; the test frees it */
};

static void run_baseline(void *ctx)
{
    struct perf_job *job = ctx;
    job->result = matmul_baseline(job->A, job->B);
}

static void run_cache_friendly(void *ctx)
{
    struct perf_job *job = ctx;
    job->result = cache_friendly_matmul(job->A, job->B, PERF_BLOCK);
}

static void run_quantized_matmul(void *ctx)
{
    struct perf_job *job = ctx;
    job->result = quantized_matmul(job->A, job->B, PERF_SCALE, PERF_SCALE);
}

static void run_vectorized_relu(void *ctx)
{
    struct perf_job *job = ctx;
    job->result = vectorized_relu(job->A);
}

static void run_parallel_relu(void *ctx)
{
    struct perf_job *job = ctx;
    job->result = parallel_relu(job->A, PERF_WORKERS);
}

static void run_quantized_relu(void *ctx)
{
    struct perf_job *job = ctx;
    job->result = quantized_relu(job->A, PERF_SCALE);
}

/* Times one job, prints a table row and checks that it produced a result. */
static void time_row(void (*fn)(void *), struct perf_job *job,
                     const char *label)
{
    job->result = NULL;
    double us = time_kernel(fn, job);
    tc_info("  %-28s %12.1f\n", label, us);
    tc_assert_not_null(job->result, label);
}

/* seed test 7: the timing table over all six variants, then correctness */
TC_TEST(test_final_performance)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 42);
    Tensor *A = tc_randn_2d(&rng, PERF_N, PERF_N);
    Tensor *B = tc_randn_2d(&rng, PERF_N, PERF_N);
    const size_t xshape[1] = {PERF_RELU_N};
    Tensor *x = tc_randn(&rng, 1, xshape);
    struct perf_job base = {A, B, NULL}, cache = {A, B, NULL}, qmm = {A, B, NULL};
    struct perf_job vrelu = {x, NULL, NULL}, prelu = {x, NULL, NULL},
                    qrelu = {x, NULL, NULL};

    tc_info("performance: %dx%d matmul          time (us)\n", PERF_N, PERF_N);
    time_row(run_baseline, &base, "matmul_baseline");
    time_row(run_cache_friendly, &cache, "cache_friendly_matmul(32)");
    time_row(run_quantized_matmul, &qmm, "quantized_matmul(1/127)");
    tc_info("performance: ReLU on %d values      time (us)\n", PERF_RELU_N);
    time_row(run_vectorized_relu, &vrelu, "vectorized_relu");
    time_row(run_parallel_relu, &prelu, "parallel_relu(4)");
    time_row(run_quantized_relu, &qrelu, "quantized_relu(1/127)");

    /* the seed's rtol 1e-2 against the product; atol for elements near 0 */
    Tensor *ref = tc_ref_matmul(A, B);
    tc_assert_close(base.result, ref, 1e-2, 1e-3, "matmul_baseline(256x256)");
    tc_assert_close(cache.result, ref, 1e-2, 1e-3,
                    "cache_friendly_matmul(256x256, block 32)");
    tc_assert_exact(prelu.result, vrelu.result,
                    "parallel_relu(random 10000, 4) vs vectorized_relu");
    /* the seed skipped these; with saturation they are exact */
    Tensor *qref = tc_ref_quantized_matmul(A, B, PERF_SCALE, PERF_SCALE);
    tc_assert_exact(qmm.result, qref, "quantized_matmul(256x256, 1/127, 1/127)");
    Tensor *qrref = tc_ref_quantized_relu(x, PERF_SCALE);
    tc_assert_exact(qrelu.result, qrref, "quantized_relu(random 10000, 1/127)");

    tensor_free(qrref);
    tensor_free(qref);
    tensor_free(ref);
    struct perf_job *jobs[] = {&base, &cache, &qmm, &vrelu, &prelu, &qrelu};
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
        tensor_free(jobs[i]->result);
    tensor_free(x);
    tensor_free(B);
    tensor_free(A);
}

static const TTest *const final_tests[] = {
    TC_REF(test_final_performance), NULL,
};

/* 256^3 multiply-adds in a naive loop, under sanitizers: give it time */
static const struct tc_case performance_cases[] = {
    {"final", final_tests, 60},
    {NULL, NULL, 0},
};

const struct tc_suite performance_suite = {"performance", performance_cases};
