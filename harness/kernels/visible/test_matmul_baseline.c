/*
 * test_matmul_baseline.c -- visible suite "matmul_baseline": the seed's
 * test_unit_matmul_baseline, case by case, plus what the seed left out.
 *
 *   small    the hand-computed 2x2 and 2x3 @ 3x2 products
 *   random   32x32 and 100x100 seeded random products against a float64
 *            reference
 *   special  NaN and infinities propagate as in IEEE arithmetic: 0 * inf
 *            is NaN, so a product may not skip zero entries
 *   errors   NULL operands, a 1-D operand, inner dimensions that differ
 *
 * In a grading run (TC_SEED, tcheck.h) every literal input becomes random
 * values of the same shape and the expected values come from the float64
 * reference.
 */
#include <math.h>
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

/*
 * Multiplies two small literal matrices (in a grading run: random
 * integers in [-9, 9] of the same shapes, whose products are exact) and
 * compares with the hand result and the float64 reference.
 */
static void check_literal(uint64_t seed, size_t m, size_t k, size_t n, const float *a,
                          const float *b, const float *expected, const char *what)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, seed);
    const size_t sa[2] = {m, k}, sb[2] = {k, n};
    Tensor *A = tc_case_input(&rng, 2, sa, a, -9, 9, 1);
    Tensor *B = tc_case_input(&rng, 2, sb, b, -9, 9, 1);
    Tensor *ref = tc_ref_matmul(A, B);
    Tensor *C = matmul_baseline(A, B);
    tc_assert_not_null(C, what);
    tc_assert_close(C, ref, 1e-5, 1e-8, what);
    if (!tc_seeded()) {
        Tensor *E = tc_matrix(m, n, expected);
        tc_assert_close(C, E, 1e-5, 1e-8, what);
        tensor_free(E);
    }
    tensor_free(C);
    tensor_free(ref);
    tensor_free(B);
    tensor_free(A);
}

/* seed test 1, case 1: [[1,2],[3,4]] @ [[5,6],[7,8]] */
TC_TEST(test_small_2x2)
{
    static const float a[] = {1, 2, 3, 4};
    static const float b[] = {5, 6, 7, 8};
    static const float e[] = {19, 22, 43, 50};
    check_literal(11, 2, 2, 2, a, b, e, "matmul_baseline([[1,2],[3,4]], [[5,6],[7,8]])");
}

/* seed test 1, case 2: a rectangular 2x3 @ 3x2 */
TC_TEST(test_small_rectangular)
{
    static const float a[] = {1, 2, 3, 4, 5, 6};
    static const float b[] = {7, 8, 9, 10, 11, 12};
    static const float e[] = {58, 64, 139, 154};
    check_literal(12, 2, 3, 2, a, b, e, "matmul_baseline(2x3, 3x2)");
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
    tc_rng_seed_case(&rng, 42);
    check_random(&rng, 32, 32, 32);
}

/* seed test 1, case 4: 100x100 has shape (100, 100), and its values match too */
TC_TEST(test_random_100)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 43);
    check_random(&rng, 100, 100, 100);
}

/* The special values a grading run draws from (zeros are common on purpose). */
static const float special_values[] = {0.0f, 0.0f, 1.0f, -2.0f, 0.5f, 3.0f,
                                       INFINITY, -INFINITY, NAN};

/*
 * not in the seed: IEEE arithmetic through the product.  A's row 0 has a
 * 0 where B's column 0 has an infinity (0 * inf = NaN), row 1 has +inf
 * and -inf meeting positive entries (inf + -inf = NaN), row 2 a NaN, row
 * 3 only finite values meeting B's infinite row (inf and -inf results).
 */
TC_TEST(test_special_values)
{
    static const float a[] = {
        0, 1, 2,            /* 0 * inf in C[0][0] */
        INFINITY, -INFINITY, 0,
        1, NAN, 1,
        1, 0, 2,
    };
    static const float b[] = {
        INFINITY, 1, -1,
        1, 1, 2,
        3, INFINITY, -INFINITY,
    };
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 14);
    const size_t sa[2] = {4, 3}, sb[2] = {3, 3};
    const size_t na = sizeof special_values / sizeof special_values[0];
    Tensor *A = tc_case_choice(&rng, 2, sa, a, special_values, na);
    Tensor *B = tc_case_choice(&rng, 2, sb, b, special_values, na);
    Tensor *ref = tc_ref_matmul(A, B);
    Tensor *C = matmul_baseline(A, B);
    tc_assert_not_null(C, "matmul_baseline(4x3 with 0, inf, NaN; 3x3 with inf)");
    tc_assert_exact(C, ref, "matmul_baseline(4x3 with 0, inf, NaN; 3x3 with inf): "
                    "IEEE arithmetic (0 * inf is NaN, inf + -inf is NaN)");
    tensor_free(C);
    tensor_free(ref);
    tensor_free(B);
    tensor_free(A);
}

/* Calls matmul_baseline(A, B), expecting NULL and a reason. */
static void expect_error(const Tensor *A, const Tensor *B, const char *what)
{
    tensor_clear_error();
    Tensor *C = matmul_baseline(A, B);
    tc_assert_error(C == NULL, what);
    tensor_free(C);
}

/*
 * not in the seed: bad operands give NULL and a reason (kernels.h).  A
 * valid call first, so that a kernel that always fails cannot pass.
 */
TC_TEST(test_errors)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 15);
    check_random(&rng, 2, 3, 2);
    const size_t s1[1] = {3};
    Tensor *A = tensor_new_2d(2, 3), *B = tensor_new_2d(3, 2), *v = tensor_new(1, s1);
    tc_assert_not_null(A, "tensor_new_2d");
    tc_assert_not_null(B, "tensor_new_2d");
    tc_assert_not_null(v, "tensor_new");
    expect_error(NULL, B, "matmul_baseline(NULL, B)");
    expect_error(A, NULL, "matmul_baseline(A, NULL)");
    expect_error(A, A, "matmul_baseline(2x3, 2x3): inner dimensions differ");
    expect_error(v, B, "matmul_baseline(1-D [3], 3x2)");
    tensor_free(v);
    tensor_free(B);
    tensor_free(A);
}

static const TTest *const small_tests[] = {
    TC_REF(test_small_2x2), TC_REF(test_small_rectangular), NULL,
};
static const TTest *const random_tests[] = {
    TC_REF(test_random_32), TC_REF(test_random_100), NULL,
};

static const TTest *const special_tests[] = {
    TC_REF(test_special_values), NULL,
};
static const TTest *const errors_tests[] = {
    TC_REF(test_errors), NULL,
};

static const struct tc_case matmul_baseline_cases[] = {
    {"small", small_tests, 0},
    {"random", random_tests, 0},
    {"special", special_tests, 0},
    {"errors", errors_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite matmul_baseline_suite = {"matmul_baseline",
                                               matmul_baseline_cases};
