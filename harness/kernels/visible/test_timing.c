/*
 * test_timing.c -- visible suite "timing": the seed's
 * test_unit_simple_kernel_timing.
 *
 *   seed   times 100x100 baseline and cache-friendly (block 16) matmul and
 *          sequential vs parallel (4) ReLU on 10000 values with
 *          time_kernel(), prints the timings and checks only the results:
 *          wall-clock times depend on the machine and its load, so they
 *          are never asserted.
 */
#include <stdio.h>

#include "kernels.h"
#include "suites.h"

/* What time_kernel() runs: one kernel call, its inputs and its result. */
struct timing_job {
    const Tensor *A, *B;   /* matmul operands, or A = the ReLU input */
    size_t block;          /* cache_friendly_matmul's block size */
    int workers;           /* parallel_relu's worker count */
    Tensor *result;        /* set by the job; the test frees it */
};

static void run_baseline(void *ctx)
{
    struct timing_job *job = ctx;
    job->result = matmul_baseline(job->A, job->B);
}

static void run_cache_friendly(void *ctx)
{
    struct timing_job *job = ctx;
    job->result = cache_friendly_matmul(job->A, job->B, job->block);
}

static void run_vectorized_relu(void *ctx)
{
    struct timing_job *job = ctx;
    job->result = vectorized_relu(job->A);
}

static void run_parallel_relu(void *ctx)
{
    struct timing_job *job = ctx;
    job->result = parallel_relu(job->A, job->workers);
}

/* Times one job, prints "label: N us" (tc_info: not when graded) and checks that it produced a result. */
static void time_job(void (*fn)(void *), struct timing_job *job,
                     const char *label)
{
    job->result = NULL;
    double us = time_kernel(fn, job);
    tc_info("  %-24s %12.1f us\n", label, us);
    tc_assert_not_null(job->result, label);
}

/*
 * seed test 5, matmul half: 100x100 baseline vs the reference (seed rtol
 * 1e-4, plus atol 1e-4 for float32 elements near zero) and cache-friendly
 * with block 16 (seed rtol 1e-2, atol 1e-3).
 */
TC_TEST(test_seed_matmul)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 42);
    Tensor *A = tc_randn_2d(&rng, 100, 100);
    Tensor *B = tc_randn_2d(&rng, 100, 100);
    Tensor *ref = tc_ref_matmul(A, B);
    struct timing_job base = {A, B, 0, 0, NULL};
    struct timing_job cache = {A, B, 16, 0, NULL};

    tc_info("timing: 100x100 matmul\n");
    time_job(run_baseline, &base, "matmul_baseline");
    time_job(run_cache_friendly, &cache, "cache_friendly_matmul(16)");
    tc_assert_close(base.result, ref, 1e-4, 1e-4, "matmul_baseline(100x100)");
    tc_assert_close(cache.result, ref, 1e-2, 1e-3,
                    "cache_friendly_matmul(100x100, block 16)");

    tensor_free(cache.result);
    tensor_free(base.result);
    tensor_free(ref);
    tensor_free(B);
    tensor_free(A);
}

/* seed test 5, ReLU half: random 10000, parallel (4 workers) equals vectorized */
TC_TEST(test_seed_relu)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 47);
    const size_t shape[1] = {10000};
    Tensor *x = tc_randn(&rng, 1, shape);
    struct timing_job seq = {x, NULL, 0, 0, NULL};
    struct timing_job par = {x, NULL, 0, 4, NULL};

    tc_info("timing: ReLU on 10000 values\n");
    time_job(run_vectorized_relu, &seq, "vectorized_relu");
    time_job(run_parallel_relu, &par, "parallel_relu(4)");
    tc_assert_exact(par.result, seq.result,
                    "parallel_relu(random 10000, 4) vs vectorized_relu");
    /* and both against max(0, x): two equally wrong kernels must not agree */
    Tensor *ref = tc_ref_relu(x);
    tc_assert_exact(seq.result, ref, "vectorized_relu(random 10000) vs max(0, x)");
    tensor_free(ref);

    tensor_free(par.result);
    tensor_free(seq.result);
    tensor_free(x);
}

static const TTest *const seed_tests[] = {
    TC_REF(test_seed_matmul), TC_REF(test_seed_relu), NULL,
};

static const struct tc_case timing_cases[] = {
    {"seed", seed_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite timing_suite = {"timing", timing_cases};
