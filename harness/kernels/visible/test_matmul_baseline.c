/*
 * test_matmul_baseline.c -- visible suite "matmul_baseline": the seed's
 * test_unit_matmul_baseline, case by case.
 *
 *   small   the hand-computed 2x2 and 2x3 @ 3x2 products
 *   random  32x32 and 100x100 seeded random products against a float64
 *           reference
 */
#include <stdio.h>

#include "kernels.h"
#include "suites.h"

/*
 * Tolerances against tc_ref_matmul.  The seed compared with rtol 1e-10
 * because NumPy computed both sides in float64.  Here the kernel
 * accumulates in float32: each of the k additions may round by half an
 * ulp (about 6e-8 relative), so an element of a k = 32..100 product of
 * standard normals typically differs from the once-rounded float64
 * result by 1e-6..1e-5 and never by more than about k * 6e-8 * sum|a*b|.
 * rtol 1e-5 covers the large elements, atol 1e-4 the ones near zero where
 * cancellation makes relative error meaningless; a wrong index or a
 * missing term is off by O(1) and still fails.
 */
#define MM_RTOL 1e-5
#define MM_ATOL 1e-4

/* Multiplies two small literal matrices and compares with the hand result. */
static void check_literal(size_t m, size_t k, size_t n, const float *a,
                          const float *b, const float *expected,
                          const char *what)
{
    Tensor *A = tc_matrix(m, k, a);
    Tensor *B = tc_matrix(k, n, b);
    Tensor *E = tc_matrix(m, n, expected);
    Tensor *C = matmul_baseline(A, B);
    tc_assert_not_null(C, what);
    tc_assert_close(C, E, 1e-5, 1e-8, what);
    tensor_free(C);
    tensor_free(E);
    tensor_free(B);
    tensor_free(A);
}

/* seed test 1, case 1: [[1,2],[3,4]] @ [[5,6],[7,8]] */
TC_TEST(test_small_2x2)
{
    static const float a[] = {1, 2, 3, 4};
    static const float b[] = {5, 6, 7, 8};
    static const float e[] = {19, 22, 43, 50};
    check_literal(2, 2, 2, a, b, e, "matmul_baseline([[1,2],[3,4]], [[5,6],[7,8]])");
}

/* seed test 1, case 2: a rectangular 2x3 @ 3x2 */
TC_TEST(test_small_rectangular)
{
    static const float a[] = {1, 2, 3, 4, 5, 6};
    static const float b[] = {7, 8, 9, 10, 11, 12};
    static const float e[] = {58, 64, 139, 154};
    check_literal(2, 3, 2, a, b, e, "matmul_baseline(2x3, 3x2)");
}

/* A seeded random m x k @ k x n product: shape, then values vs the reference. */
static void check_random(struct tc_rng *rng, size_t m, size_t k, size_t n)
{
    char what[64];
    snprintf(what, sizeof what, "matmul_baseline(%zux%zu, %zux%zu)", m, k, k, n);
    Tensor *A = tc_randn_2d(rng, m, k);
    Tensor *B = tc_randn_2d(rng, k, n);
    Tensor *ref = tc_ref_matmul(A, B);
    Tensor *C = matmul_baseline(A, B);
    tc_assert_not_null(C, what);
    const size_t shape[2] = {m, n};
    tc_assert_shape(C, 2, shape, what);
    tc_assert_close(C, ref, MM_RTOL, MM_ATOL, what);
    tensor_free(C);
    tensor_free(ref);
    tensor_free(B);
    tensor_free(A);
}

/* seed test 1, case 3: 32x32 random vs the reference (seed: np.random.seed(42)) */
TC_TEST(test_random_32)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 42);
    check_random(&rng, 32, 32, 32);
}

/* seed test 1, case 4: 100x100 has shape (100, 100), and its values match too */
TC_TEST(test_random_100)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 43);
    check_random(&rng, 100, 100, 100);
}

static const TTest *const small_tests[] = {
    TC_REF(test_small_2x2), TC_REF(test_small_rectangular), NULL,
};
static const TTest *const random_tests[] = {
    TC_REF(test_random_32), TC_REF(test_random_100), NULL,
};

static const struct tc_case matmul_baseline_cases[] = {
    {"small", small_tests, 0},
    {"random", random_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite matmul_baseline_suite = {"matmul_baseline",
                                               matmul_baseline_cases};
