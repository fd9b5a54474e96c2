/*
 * test_hidden_matmul.c -- hidden suite "hidden_matmul": matmul_baseline
 * beyond the seed's square cases.
 *
 *   shapes  degenerate and odd shapes: 1xN @ Nx1, Nx1 @ 1xN, 1x1, 7x13 @
 *           13x5, 3x1 @ 1x4
 *   random  seeded random products of sizes up to 130, none of them round
 *   errors  NULL operands, wrong ranks, inner dimensions that differ: NULL
 *           with a reason (plus one valid call, so a stub cannot pass)
 */
#include <stdio.h>

#include "kernels.h"
#include "hidden_suites.h"

/*
 * Float32 accumulation over k <= 130 standard-normal products is off the
 * once-rounded float64 reference by about 1e-5 at most in practice (the
 * worst case is k * 6e-8 * sum|a*b|); rtol 1e-5 plus atol 1e-4 for
 * elements near zero.  A wrong index or a dropped term is off by O(1).
 */
#define HM_RTOL 1e-5
#define HM_ATOL 1e-4

/* matmul_baseline on a random m x k @ k x n against the reference. */
static void check_product(struct tc_rng *rng, size_t m, size_t k, size_t n)
{
    char what[64];
    snprintf(what, sizeof what, "matmul_baseline(%zux%zu, %zux%zu)", m, k, k, n);
    Tensor *A = tc_randn_2d(rng, m, k);
    Tensor *B = tc_randn_2d(rng, k, n);
    Tensor *A0 = tensor_clone(A), *B0 = tensor_clone(B);
    tc_assert_not_null(A0, "tensor_clone");
    tc_assert_not_null(B0, "tensor_clone");
    Tensor *ref = tc_ref_matmul(A, B);

    Tensor *C = matmul_baseline(A, B);
    tc_assert_not_null(C, what);
    const size_t shape[2] = {m, n};
    tc_assert_shape(C, 2, shape, what);
    tc_assert_close(C, ref, HM_RTOL, HM_ATOL, what);
    /* "Inputs are never modified" */
    tc_assert_exact(A, A0, "matmul_baseline modified A");
    tc_assert_exact(B, B0, "matmul_baseline modified B");

    tensor_free(C);
    tensor_free(ref);
    tensor_free(B0);
    tensor_free(A0);
    tensor_free(B);
    tensor_free(A);
}

/* a row times a column: a 1x1 dot product */
TC_TEST(test_shapes_row_col)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 101);
    check_product(&rng, 1, 37, 1);
}

/* a column times a row: an outer product (k = 1) */
TC_TEST(test_shapes_outer)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 102);
    check_product(&rng, 23, 1, 23);
    check_product(&rng, 3, 1, 4);
}

/* 1x1 @ 1x1, and one hand-checked value */
TC_TEST(test_shapes_1x1)
{
    static const float a = 3.0f, b = -2.5f, e = -7.5f;
    Tensor *A = tc_matrix(1, 1, &a);
    Tensor *B = tc_matrix(1, 1, &b);
    Tensor *E = tc_matrix(1, 1, &e);
    Tensor *C = matmul_baseline(A, B);
    tc_assert_not_null(C, "matmul_baseline([[3]], [[-2.5]])");
    tc_assert_exact(C, E, "matmul_baseline([[3]], [[-2.5]])");
    tensor_free(C);
    tensor_free(E);
    tensor_free(B);
    tensor_free(A);
}

/* odd, non-square sizes: 7x13 @ 13x5 and 1xN @ NxM */
TC_TEST(test_shapes_odd)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 103);
    check_product(&rng, 7, 13, 5);
    check_product(&rng, 1, 29, 17);
    check_product(&rng, 19, 3, 1);
}

/* several seeded random sizes up to ~130, none a power of two */
TC_TEST(test_random_sizes)
{
    static const size_t sizes[][3] = {
        {2, 3, 4}, {17, 31, 9}, {64, 65, 63}, {100, 37, 129},
        {130, 130, 130}, {127, 1, 131}, {5, 128, 7},
    };
    struct tc_rng rng;
    tc_rng_seed(&rng, 104);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        check_product(&rng, sizes[i][0], sizes[i][1], sizes[i][2]);
}

/* A valid call first, so that a kernel returning NULL always fails. */
static void check_valid_call(void)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 105);
    check_product(&rng, 2, 3, 2);
}

/* Calls matmul_baseline(A, B), expecting NULL and a reason. */
static void expect_error(const Tensor *A, const Tensor *B, const char *what)
{
    tensor_clear_error();
    Tensor *C = matmul_baseline(A, B);
    tc_assert_error(C == NULL, what);
    tensor_free(C);
}

/* NULL operands */
TC_TEST(test_errors_null)
{
    check_valid_call();
    Tensor *A = tensor_new_2d(2, 3), *B = tensor_new_2d(3, 2);
    tc_assert_not_null(A, "tensor_new_2d");
    tc_assert_not_null(B, "tensor_new_2d");
    expect_error(NULL, B, "matmul_baseline(NULL, B)");
    expect_error(A, NULL, "matmul_baseline(A, NULL)");
    expect_error(NULL, NULL, "matmul_baseline(NULL, NULL)");
    tensor_free(B);
    tensor_free(A);
}

/* operands that are not matrices: 0-d, 1-d and 3-d */
TC_TEST(test_errors_rank)
{
    check_valid_call();
    const size_t s1[1] = {3}, s3[3] = {2, 3, 2};
    Tensor *M = tensor_new_2d(3, 3);
    Tensor *v = tensor_new(1, s1);
    Tensor *t3 = tensor_new(3, s3);
    Tensor *s = tensor_scalar(1.0f);
    tc_assert_not_null(M, "tensor_new_2d");
    tc_assert_not_null(v, "tensor_new");
    tc_assert_not_null(t3, "tensor_new");
    tc_assert_not_null(s, "tensor_scalar");
    expect_error(v, M, "matmul_baseline(1-D [3], 3x3)");
    expect_error(M, v, "matmul_baseline(3x3, 1-D [3])");
    expect_error(t3, M, "matmul_baseline(3-D [2,3,2], 3x3)");
    expect_error(M, t3, "matmul_baseline(3x3, 3-D [2,3,2])");
    expect_error(s, s, "matmul_baseline(0-d, 0-d)");
    tensor_free(s);
    tensor_free(t3);
    tensor_free(v);
    tensor_free(M);
}

/* inner dimensions that differ, including transposed operands */
TC_TEST(test_errors_inner)
{
    check_valid_call();
    Tensor *A = tensor_new_2d(2, 3), *B = tensor_new_2d(2, 3);
    Tensor *C = tensor_new_2d(4, 1);
    tc_assert_not_null(A, "tensor_new_2d");
    tc_assert_not_null(B, "tensor_new_2d");
    tc_assert_not_null(C, "tensor_new_2d");
    expect_error(A, B, "matmul_baseline(2x3, 2x3)");
    expect_error(A, C, "matmul_baseline(2x3, 4x1)");
    expect_error(C, A, "matmul_baseline(4x1, 2x3)");
    tensor_free(C);
    tensor_free(B);
    tensor_free(A);
}

static const TTest *const shapes_tests[] = {
    TC_REF(test_shapes_row_col), TC_REF(test_shapes_outer),
    TC_REF(test_shapes_1x1), TC_REF(test_shapes_odd), NULL,
};
static const TTest *const random_tests[] = {
    TC_REF(test_random_sizes), NULL,
};
static const TTest *const errors_tests[] = {
    TC_REF(test_errors_null), TC_REF(test_errors_rank),
    TC_REF(test_errors_inner), NULL,
};

static const struct tc_case hidden_matmul_cases[] = {
    {"shapes", shapes_tests, 0},
    {"random", random_tests, 0},
    {"errors", errors_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite hidden_matmul_suite = {"hidden_matmul", hidden_matmul_cases};
