/*
 * test_cache_friendly.c -- visible suite "cache_friendly": the seed's
 * test_unit_cache_friendly_matmul, plus the default block size on a size
 * it does not divide.
 *
 *   seed           2x2 with block 2; 64x64 with block 16; 48x32 @ 32x48
 *                  with block 8
 *   default_block  block 32 on 100x100 (100 % 32 != 0: the last tiles are
 *                  partial)
 *   remainders     no dimension a multiple of the block: 33x17 @ 17x65
 *                  with blocks 16 and 7, 70x37 @ 37x29 with block 32, a
 *                  block larger than the matrices
 *   errors         block_size 0, NULL operands, inner dimensions that differ
 *
 * In a grading run (TC_SEED, tcheck.h) every literal input becomes random
 * values of the same shape, checked against the float64 reference.
 */
#include <stdio.h>

#include "kernels.h"
#include "suites.h"

/*
 * The seed's rtol 1e-4, plus an atol: NumPy compared float64 results,
 * where elements near zero still matched relatively.  In float32 the
 * accumulation error of a k <= 100 product of standard normals is about
 * 1e-6..1e-5 in absolute terms, which is a large relative error for an
 * element that happens to be near 0; atol 1e-4 absorbs that and nothing
 * more.
 */
#define CF_RTOL 1e-4
#define CF_ATOL 1e-4

/* seed test 3, case 1: [[1,2],[3,4]] @ [[5,6],[7,8]] with block 2 */
TC_TEST(test_seed_2x2)
{
    static const float a[] = {1, 2, 3, 4};
    static const float b[] = {5, 6, 7, 8};
    static const float e[] = {19, 22, 43, 50};
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 31);
    const size_t s22[2] = {2, 2};
    Tensor *A = tc_case_input(&rng, 2, s22, a, -9, 9, 1);
    Tensor *B = tc_case_input(&rng, 2, s22, b, -9, 9, 1);
    Tensor *E = tc_seeded() ? tc_ref_matmul(A, B) : tc_matrix(2, 2, e);
    Tensor *C = cache_friendly_matmul(A, B, 2);
    tc_assert_not_null(C, "cache_friendly_matmul(2x2, 2x2, block 2)");
    tc_assert_close(C, E, 1e-5, 1e-8, "cache_friendly_matmul(2x2, 2x2, block 2)");
    tensor_free(C);
    tensor_free(E);
    tensor_free(B);
    tensor_free(A);
}

/* A random m x k @ k x n blocked product against the float64 reference. */
static void check_blocked(struct tc_rng *rng, size_t m, size_t k, size_t n,
                          size_t block)
{
    char what[80];
    snprintf(what, sizeof what, "cache_friendly_matmul(%zux%zu, %zux%zu, block %zu)",
             m, k, k, n, block);
    Tensor *A = tc_randn_2d(rng, m, k);
    Tensor *B = tc_randn_2d(rng, k, n);
    Tensor *ref = tc_ref_matmul(A, B);
    Tensor *C = cache_friendly_matmul(A, B, block);
    tc_assert_not_null(C, what);
    const size_t shape[2] = {m, n};
    tc_assert_shape(C, 2, shape, what);
    tc_assert_close(C, ref, CF_RTOL, CF_ATOL, what);
    tensor_free(C);
    tensor_free(ref);
    tensor_free(B);
    tensor_free(A);
}

/* seed test 3, case 2: 64x64 with block 16 (seed: np.random.seed(42)) */
TC_TEST(test_seed_64_block16)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 42);
    check_blocked(&rng, 64, 64, 64, 16);
}

/* seed test 3, case 3: non-square 48x32 @ 32x48 with block 8 */
TC_TEST(test_seed_nonsquare_block8)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 44);
    check_blocked(&rng, 48, 32, 48, 8);
}

/* not in the seed: the default block 32 on 100x100, where tiles are partial */
TC_TEST(test_default_block_100)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 45);
    check_blocked(&rng, 100, 100, 100, 32);
}

/* partial tiles in every dimension, and a block larger than the matrices */
TC_TEST(test_remainders)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 46);
    check_blocked(&rng, 33, 17, 65, 16);
    check_blocked(&rng, 33, 17, 65, 7);
    check_blocked(&rng, 70, 37, 29, 32);
    check_blocked(&rng, 9, 5, 11, 64);
    check_blocked(&rng, 1, 40, 3, 3);
}

/* Calls cache_friendly_matmul(A, B, block), expecting NULL and a reason. */
static void expect_error(const Tensor *A, const Tensor *B, size_t block,
                         const char *what)
{
    tensor_clear_error();
    Tensor *C = cache_friendly_matmul(A, B, block);
    tc_assert_error(C == NULL, what);
    tensor_free(C);
}

/*
 * not in the seed: block_size 0 (the seed looped forever), NULL operands
 * and inner dimensions that differ give NULL and a reason.  A valid call
 * first, so that a kernel that always fails cannot pass.
 */
TC_TEST(test_errors)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 47);
    check_blocked(&rng, 5, 3, 4, 2);
    Tensor *A = tensor_new_2d(4, 4), *B = tensor_new_2d(4, 4), *N = tensor_new_2d(2, 3);
    tc_assert_not_null(A, "tensor_new_2d");
    tc_assert_not_null(B, "tensor_new_2d");
    tc_assert_not_null(N, "tensor_new_2d");
    expect_error(A, B, 0, "cache_friendly_matmul(4x4, 4x4, block 0)");
    expect_error(NULL, B, 32, "cache_friendly_matmul(NULL, B, 32)");
    expect_error(A, NULL, 32, "cache_friendly_matmul(A, NULL, 32)");
    expect_error(A, N, 32, "cache_friendly_matmul(4x4, 2x3, 32): inner dimensions differ");
    tensor_free(N);
    tensor_free(B);
    tensor_free(A);
}

static const TTest *const seed_tests[] = {
    TC_REF(test_seed_2x2), TC_REF(test_seed_64_block16),
    TC_REF(test_seed_nonsquare_block8), NULL,
};
static const TTest *const default_block_tests[] = {
    TC_REF(test_default_block_100), NULL,
};
static const TTest *const remainders_tests[] = {
    TC_REF(test_remainders), NULL,
};
static const TTest *const errors_tests[] = {
    TC_REF(test_errors), NULL,
};

static const struct tc_case cache_friendly_cases[] = {
    {"seed", seed_tests, 0},
    {"default_block", default_block_tests, 0},
    {"remainders", remainders_tests, 0},
    {"errors", errors_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite cache_friendly_suite = {"cache_friendly",
                                              cache_friendly_cases};
