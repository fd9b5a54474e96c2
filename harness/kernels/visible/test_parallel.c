/*
 * test_parallel.c -- visible suite "parallel": the seed's
 * test_unit_parallel_processing.
 *
 *   relu   parallel_relu on [-2..2] with 2 workers, and on 2000 random
 *          values with 4 workers (equal to vectorized_relu)
 *   batch  parallel_batch_processing of 8 random vectors with 4 workers,
 *          each result equal to the sequential one, in order
 */
#include <stdio.h>

#include "kernels.h"
#include "suites.h"

/* seed test 4, case 1: parallel_relu([-2,-1,0,1,2], 2 workers) */
TC_TEST(test_relu_small)
{
    static const float in[] = {-2, -1, 0, 1, 2};
    static const float e[] = {0, 0, 0, 1, 2};
    Tensor *x = tc_vector(5, in);
    Tensor *E = tc_vector(5, e);
    Tensor *y = parallel_relu(x, 2);
    tc_assert_not_null(y, "parallel_relu([-2,-1,0,1,2], 2)");
    tc_assert_close(y, E, 1e-5, 1e-8, "parallel_relu([-2,-1,0,1,2], 2)");
    tensor_free(y);
    tensor_free(E);
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
    tc_rng_seed(&rng, 42);
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

/* The seed's `relu_op = lambda x: vectorized_relu(x)` as a TensorOp. */
static Tensor *relu_op(const Tensor *x, void *ctx)
{
    (void)ctx;
    return vectorized_relu(x);
}

enum { BATCH_N = 8 };

/* seed test 4, case 3: a batch of 8 random(100) vectors, 4 workers */
TC_TEST(test_batch_relu)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 46);
    const size_t shape[1] = {100};
    Tensor *batch[BATCH_N];
    Tensor *out[BATCH_N] = {NULL};
    for (size_t i = 0; i < BATCH_N; i++)
        batch[i] = tc_randn(&rng, 1, shape);

    int rc = parallel_batch_processing((const Tensor *const *)batch, BATCH_N,
                                       relu_op, NULL, 4, out);
    ck_assert_msg(rc == 0, "parallel_batch_processing(8 vectors, relu, 4 workers) "
                  "returned %d, expected 0 (reason: \"%s\")", rc,
                  kernels_last_error());
    for (size_t i = 0; i < BATCH_N; i++) {
        char what[64];
        snprintf(what, sizeof what, "batch result %zu vs vectorized_relu(batch[%zu])",
                 i, i);
        Tensor *seq = relu_op(batch[i], NULL);
        tc_assert_not_null(seq, "vectorized_relu(batch item)");
        tc_assert_not_null(out[i], what);
        tc_assert_exact(out[i], seq, what);
        tensor_free(seq);
    }
    for (size_t i = 0; i < BATCH_N; i++) {
        tensor_free(out[i]);
        tensor_free(batch[i]);
    }
}

static const TTest *const relu_tests[] = {
    TC_REF(test_relu_small), TC_REF(test_relu_random_2000), NULL,
};
static const TTest *const batch_tests[] = {
    TC_REF(test_batch_relu), NULL,
};

static const struct tc_case parallel_cases[] = {
    {"relu", relu_tests, 0},
    {"batch", batch_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite parallel_suite = {"parallel", parallel_cases};
