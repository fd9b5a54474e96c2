/*
 * test_hidden_cache_friendly.c -- hidden suite "hidden_cache_friendly":
 * the blocked matmul on sizes its block size does not divide.
 *
 *   remainders  33x17 @ 17x65, 100x37 @ 37x29 and 5x70 @ 70x1100 with
 *               blocks 1, 3, 7, 16, 32 and 1000 (larger than every
 *               dimension of the first two), and SIZE_MAX
 *   vectors     1xN @ NxM and Nx1 @ 1xN with blocks that leave remainders
 *   errors      block_size 0, NULL operands, wrong ranks, inner dimensions
 *               that differ (plus one valid call, so a stub cannot pass)
 *   special     NaN and infinities propagate as in IEEE arithmetic through
 *               every tile (0 * inf is NaN: no skipping of zero entries)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "kernels.h"
#include "hidden_suites.h"

/*
 * rtol 1e-4, atol 1e-4 against the float64 reference: blocking changes
 * only the float32 summation order, which moves a k <= 100 sum of
 * standard-normal products by about 1e-5 at most.  A tile edge handled
 * wrongly drops or repeats whole terms, an O(1) error.
 */
#define HCF_RTOL 1e-4
#define HCF_ATOL 1e-4

static const size_t blocks[] = {1, 3, 7, 16, 32, 1000};

/* One random product with every block size, against the reference. */
static void check_all_blocks(struct tc_rng *rng, size_t m, size_t k, size_t n)
{
    Tensor *A = tc_randn_2d(rng, m, k);
    Tensor *B = tc_randn_2d(rng, k, n);
    Tensor *A0 = tensor_clone(A), *B0 = tensor_clone(B);
    tc_assert_not_null(A0, "tensor_clone");
    tc_assert_not_null(B0, "tensor_clone");
    Tensor *ref = tc_ref_matmul(A, B);
    const size_t shape[2] = {m, n};

    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        char what[80];
        snprintf(what, sizeof what, "cache_friendly_matmul(%zux%zu, %zux%zu, block %zu)",
                 m, k, k, n, blocks[i]);
        Tensor *C = cache_friendly_matmul(A, B, blocks[i]);
        tc_assert_not_null(C, what);
        tc_assert_shape(C, 2, shape, what);
        tc_assert_close(C, ref, HCF_RTOL, HCF_ATOL, what);
        tensor_free(C);
    }
    tc_assert_exact(A, A0, "cache_friendly_matmul modified A");
    tc_assert_exact(B, B0, "cache_friendly_matmul modified B");

    tensor_free(ref);
    tensor_free(B0);
    tensor_free(A0);
    tensor_free(B);
    tensor_free(A);
}

/* 33x17 @ 17x65: every dimension leaves a partial tile for blocks > 1 */
TC_TEST(test_remainders_33x17x65)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 301);
    check_all_blocks(&rng, 33, 17, 65);
}

/* 100x37 @ 37x29 */
TC_TEST(test_remainders_100x37x29)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 302);
    check_all_blocks(&rng, 100, 37, 29);
}

/*
 * 5x70 @ 70x1100: a wide product.  Code that blocks at a second level,
 * packing B in panels of some 1024 columns or k in blocks of some 64
 * steps (as the reference does for L2), needs more than one panel and
 * more than one k block here; a panel loop that stops after the first,
 * or a last panel sized as a full one, leaves columns out or writes past
 * the rows of C.
 */
TC_TEST(test_remainders_wide)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 307);
    check_all_blocks(&rng, 5, 70, 1100);
}

/*
 * "Any block_size >= 1 works": SIZE_MAX too.  A kernel that sizes a tile
 * buffer from block_size (block_size^2 floats overflows size_t) or walks
 * tile ends past the matrix must clamp the tile to the matrix first.
 */
TC_TEST(test_remainders_huge_block)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 305);
    Tensor *A = tc_randn_2d(&rng, 9, 5);
    Tensor *B = tc_randn_2d(&rng, 5, 11);
    Tensor *ref = tc_ref_matmul(A, B);
    Tensor *C = cache_friendly_matmul(A, B, SIZE_MAX);
    tc_assert_not_null(C, "cache_friendly_matmul(9x5, 5x11, block SIZE_MAX)");
    tc_assert_close(C, ref, HCF_RTOL, HCF_ATOL,
                    "cache_friendly_matmul(9x5, 5x11, block SIZE_MAX)");
    tensor_free(C);
    tensor_free(ref);
    tensor_free(B);
    tensor_free(A);
}

/* row and column vectors: 1xN @ NxM, Nx1 @ 1xN, 1xN @ Nx1 */
TC_TEST(test_vectors)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 303);
    check_all_blocks(&rng, 1, 70, 9);
    check_all_blocks(&rng, 45, 1, 45);
    check_all_blocks(&rng, 1, 129, 1);
    check_all_blocks(&rng, 1, 1, 1);
}

/* A valid call first, so that a kernel returning NULL always fails. */
static void check_valid_call(void)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 304);
    Tensor *A = tc_randn_2d(&rng, 5, 3);
    Tensor *B = tc_randn_2d(&rng, 3, 4);
    Tensor *ref = tc_ref_matmul(A, B);
    Tensor *C = cache_friendly_matmul(A, B, 2);
    tc_assert_not_null(C, "cache_friendly_matmul(5x3, 3x4, block 2)");
    tc_assert_close(C, ref, HCF_RTOL, HCF_ATOL, "cache_friendly_matmul(5x3, 3x4, block 2)");
    tensor_free(C);
    tensor_free(ref);
    tensor_free(B);
    tensor_free(A);
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

/* block_size 0 (the seed looped forever or crashed), on valid matrices */
TC_TEST(test_errors_block_zero)
{
    check_valid_call();
    Tensor *A = tensor_new_2d(4, 4), *B = tensor_new_2d(4, 4);
    tc_assert_not_null(A, "tensor_new_2d");
    tc_assert_not_null(B, "tensor_new_2d");
    expect_error(A, B, 0, "cache_friendly_matmul(4x4, 4x4, block 0)");
    tensor_free(B);
    tensor_free(A);
}

/* NULL operands, 1-D and 3-D operands, inner dimensions that differ */
TC_TEST(test_errors_operands)
{
    check_valid_call();
    const size_t s1[1] = {3}, s3[3] = {3, 3, 1};
    Tensor *M = tensor_new_2d(3, 3), *N = tensor_new_2d(2, 3);
    Tensor *v = tensor_new(1, s1), *t3 = tensor_new(3, s3);
    Tensor *all[] = {M, N, v, t3};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tc_assert_not_null(all[i], "tensor_new");

    expect_error(NULL, M, 32, "cache_friendly_matmul(NULL, B, 32)");
    expect_error(M, NULL, 32, "cache_friendly_matmul(A, NULL, 32)");
    expect_error(v, M, 32, "cache_friendly_matmul(1-D [3], 3x3, 32)");
    expect_error(M, v, 32, "cache_friendly_matmul(3x3, 1-D [3], 32)");
    expect_error(t3, M, 32, "cache_friendly_matmul(3-D [3,3,1], 3x3, 32)");
    expect_error(M, N, 32, "cache_friendly_matmul(3x3, 2x3, 32)");
    expect_error(N, N, 1, "cache_friendly_matmul(2x3, 2x3, 1)");

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tensor_free(all[i]);
}

/*
 * 13x9 @ 9x11 where A has zeros, B has infinities in the same k, and a
 * NaN, with every block size: exactly the float64 reference (whose
 * special values are IEEE's; the finite values are small integers, so
 * every finite sum is exact in any order).
 */
TC_TEST(test_special_values)
{
    static const float pick[] = {0.0f, 0.0f, 1.0f, -2.0f, 3.0f, 0.5f};
    struct tc_rng rng;
    tc_rng_seed(&rng, 306);
    Tensor *A = tc_randn_2d(&rng, 13, 9), *B = tc_randn_2d(&rng, 9, 11);
    for (size_t i = 0; i < A->size; i++)
        A->data[i] = pick[tc_rng_next(&rng) % 6];
    for (size_t i = 0; i < B->size; i++)
        B->data[i] = pick[tc_rng_next(&rng) % 6];
    A->data[0 * 9 + 4] = 0.0f;          /* row 0 meets B's inf row 4: NaN */
    B->data[4 * 11 + 2] = INFINITY;
    A->data[5 * 9 + 7] = -INFINITY;     /* row 5: -inf, or NaN where B is 0 */
    A->data[12 * 9 + 8] = NAN;          /* row 12: all NaN */
    B->data[3 * 11 + 10] = -INFINITY;   /* column 10: -inf or NaN */
    Tensor *ref = tc_ref_matmul(A, B);
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
        char what[96];
        snprintf(what, sizeof what, "cache_friendly_matmul(13x9 with 0, inf, NaN, 9x11, "
                 "block %zu)", blocks[i]);
        Tensor *C = cache_friendly_matmul(A, B, blocks[i]);
        tc_assert_not_null(C, what);
        tc_assert_exact(C, ref, what);
        tensor_free(C);
    }
    tensor_free(ref);
    tensor_free(B);
    tensor_free(A);
}

static const TTest *const remainders_tests[] = {
    TC_REF(test_remainders_33x17x65), TC_REF(test_remainders_100x37x29),
    TC_REF(test_remainders_huge_block), TC_REF(test_remainders_wide), NULL,
};
static const TTest *const vectors_tests[] = {
    TC_REF(test_vectors), NULL,
};
static const TTest *const errors_tests[] = {
    TC_REF(test_errors_block_zero), TC_REF(test_errors_operands), NULL,
};

static const TTest *const special_tests[] = {
    TC_REF(test_special_values), NULL,
};

static const struct tc_case hidden_cache_friendly_cases[] = {
    {"remainders", remainders_tests, 0},
    {"vectors", vectors_tests, 0},
    {"errors", errors_tests, 0},
    {"special", special_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite hidden_cache_friendly_suite = {"hidden_cache_friendly",
                                                     hidden_cache_friendly_cases};
