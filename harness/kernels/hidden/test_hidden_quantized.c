/*
 * test_hidden_quantized.c -- hidden suite "hidden_quantized": the int8
 * kernels, bit-exact against the header's quantization rule
 *     q = clamp(round_half_even(x / scale), -128, 127), in float32.
 *
 *   saturation  random data at scale 1/127, where about 30% of the values
 *               fall outside the int8 range (the seed wrapped them), and
 *               int32 accumulators that int16 would overflow
 *   rounding    halves round to even, values at +-127.5 and -128.5, and
 *               x / scale rather than x * (1 / scale)
 *   special     NaN -> 0, +-inf and huge values saturate, extreme scales
 *   shapes      1xN @ Nx1, Nx1 @ 1xN, 17x33 @ 33x9; relu on 0-d to 4-D
 *   errors      scales that are zero, negative, NaN or infinite; NULL
 *               inputs; wrong ranks; inner dimensions that differ
 *
 * Many cases look at quantization directly: an n x 1 column times [[1]]
 * at scale_B 1 returns q(x_i) * scale_A for every element, negative ones
 * included (quantized_relu would hide those).
 */
#include <float.h>
#include <math.h>
#include <stdio.h>

#include "kernels.h"
#include "hidden_suites.h"

/* quantized_matmul(A, B, sa, sb) must equal the rule exactly. */
static void check_qmatmul(const Tensor *A, const Tensor *B, float sa, float sb,
                          const char *what)
{
    Tensor *A0 = tensor_clone(A), *B0 = tensor_clone(B);
    tc_assert_not_null(A0, "tensor_clone");
    tc_assert_not_null(B0, "tensor_clone");
    Tensor *ref = tc_ref_quantized_matmul(A, B, sa, sb);
    Tensor *C = quantized_matmul(A, B, sa, sb);
    tc_assert_not_null(C, what);
    tc_assert_exact(C, ref, what);
    tc_assert_exact(A, A0, "quantized_matmul modified A");
    tc_assert_exact(B, B0, "quantized_matmul modified B");
    tensor_free(C);
    tensor_free(ref);
    tensor_free(B0);
    tensor_free(A0);
}

/* quantized_relu(x, scale) must equal the rule exactly. */
static void check_qrelu(const Tensor *x, float scale, const char *what)
{
    Tensor *x0 = tensor_clone(x);
    tc_assert_not_null(x0, "tensor_clone");
    Tensor *ref = tc_ref_quantized_relu(x, scale);
    Tensor *y = quantized_relu(x, scale);
    tc_assert_not_null(y, what);
    tc_assert_exact(y, ref, what);
    tc_assert_exact(x, x0, "quantized_relu modified its input");
    tensor_free(y);
    tensor_free(ref);
    tensor_free(x0);
}

/*
 * Quantizes the n values through quantized_matmul (column @ [[1]], scale_B
 * 1) and compares with the hand-derived int8 values q[]: the result must
 * be exactly (float)q[i] * scale, and agree with the reference.
 */
static void check_quantize_values(const float *x, const int *q, size_t n,
                                  float scale, const char *what)
{
    static const float one = 1.0f;
    Tensor *A = tc_matrix(n, 1, x);
    Tensor *B = tc_matrix(1, 1, &one);
    Tensor *E = tensor_new_2d(n, 1);
    tc_assert_not_null(E, "tensor_new_2d");
    for (size_t i = 0; i < n; i++)
        E->data[i] = (float)q[i] * (scale * 1.0f);

    Tensor *C = quantized_matmul(A, B, scale, 1.0f);
    tc_assert_not_null(C, what);
    tc_assert_exact(C, E, what);
    check_qmatmul(A, B, scale, 1.0f, what);

    tensor_free(C);
    tensor_free(E);
    tensor_free(B);
    tensor_free(A);
}

/* quantized_relu of the n values must be exactly max(0, q[i]) * scale. */
static void check_relu_values(const float *x, const int *q, size_t n,
                              float scale, const char *what)
{
    Tensor *X = tc_vector(n, x);
    Tensor *E = tensor_new_1d(n);
    tc_assert_not_null(E, "tensor_new_1d");
    for (size_t i = 0; i < n; i++)
        E->data[i] = (float)(q[i] > 0 ? q[i] : 0) * scale;

    Tensor *y = quantized_relu(X, scale);
    tc_assert_not_null(y, what);
    tc_assert_exact(y, E, what);
    check_qrelu(X, scale, what);

    tensor_free(y);
    tensor_free(E);
    tensor_free(X);
}

/* ---- saturation ------------------------------------------------------------ */

#define S127 (1.0f / 127.0f)

/* Fraction of t's values beyond the int8 range at `scale` (test data check). */
static double saturated_fraction(const Tensor *t, float scale)
{
    size_t n = 0;
    for (size_t i = 0; i < t->size; i++) {
        float v = t->data[i] / scale;
        n += (v > 127.5f || v < -128.5f);
    }
    return (double)n / (double)t->size;
}

/* random normal data at 1/127: |x| > 1 (about 32% of it) saturates */
TC_TEST(test_saturation_random)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 501);
    Tensor *A = tc_randn_2d(&rng, 40, 50);
    Tensor *B = tc_randn_2d(&rng, 50, 30);
    const size_t xs[1] = {10000};
    Tensor *x = tc_randn(&rng, 1, xs);
    double fa = saturated_fraction(A, S127), fx = saturated_fraction(x, S127);
    ck_assert_msg(fa > 0.25 && fx > 0.25, "test data: only %.0f%% / %.0f%% of the "
                  "values saturate", 100 * fa, 100 * fx);

    check_qmatmul(A, B, S127, S127, "quantized_matmul(random 40x50 @ 50x30, 1/127, 1/127)");
    check_qrelu(x, S127, "quantized_relu(random 10000, 1/127)");
    /* three times larger: most values saturate */
    for (size_t i = 0; i < x->size; i++)
        x->data[i] *= 3.0f;
    check_qrelu(x, S127, "quantized_relu(3 * random 10000, 1/127)");

    tensor_free(x);
    tensor_free(B);
    tensor_free(A);
}

/*
 * Long dot products of saturated values: 4096 * 127 * 127 = 66064384
 * needs an int32 accumulator (int16 wraps at 32767).
 */
TC_TEST(test_saturation_accumulator)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 502);
    Tensor *A = tensor_new_2d(1, 4096), *B = tensor_new_2d(4096, 1);
    tc_assert_not_null(A, "tensor_new_2d");
    tc_assert_not_null(B, "tensor_new_2d");
    for (size_t i = 0; i < 4096; i++) {
        A->data[i] = 5.0f;
        B->data[i] = 9.0f;
    }
    Tensor *C = quantized_matmul(A, B, S127, S127);
    tc_assert_not_null(C, "quantized_matmul(1x4096 of 5, 4096x1 of 9, 1/127, 1/127)");
    tc_assert_float_close(C->data[0], 66064384.0f * (S127 * S127), 0, 0,
                          "quantized_matmul: 4096 * 127 * 127 * (1/127)^2");
    tensor_free(C);
    check_qmatmul(A, B, S127, S127, "quantized_matmul(1x4096 saturated, 1/127)");
    tensor_free(B);
    tensor_free(A);

    A = tc_randn_2d(&rng, 3, 4096);
    B = tc_randn_2d(&rng, 4096, 2);
    for (size_t i = 0; i < A->size; i++)
        A->data[i] *= 4.0f;
    check_qmatmul(A, B, S127, 1.0f / 64.0f, "quantized_matmul(random 3x4096 @ 4096x2)");
    tensor_free(B);
    tensor_free(A);
}

/* ---- rounding --------------------------------------------------------------- */

/* round half to even at scale 1, both signs, and the clamp edges */
TC_TEST(test_rounding_halves)
{
    const float x[] = {0.5f, 1.5f, 2.5f, 3.5f, -0.5f, -1.5f, -2.5f, -3.5f,
                       126.5f, 127.5f, -127.5f, -128.5f, 128.5f, -129.5f,
                       nextafterf(0.5f, 0.0f), nextafterf(1.5f, 0.0f),
                       nextafterf(127.5f, 0.0f), nextafterf(127.5f, 200.0f),
                       nextafterf(-128.5f, 0.0f), nextafterf(-128.5f, -200.0f),
                       127.0f, -128.0f, 0.0f, -0.0f};
    const int q[] = {0, 2, 2, 4, 0, -2, -2, -4,
                     126, 127, -128, -128, 127, -128,
                     0, 1,
                     127, 127,
                     -128, -128,
                     127, -128, 0, 0};
    check_quantize_values(x, q, sizeof x / sizeof x[0], 1.0f,
                          "quantize(halves and int8 edges, scale 1)");
    check_relu_values(x, q, sizeof x / sizeof x[0], 1.0f,
                      "quantized_relu(halves and int8 edges, scale 1)");

    /* the same halves at scale 0.5 (x / 0.5 is exact): 1.25 -> 2.5 -> 2 */
    const float xh[] = {0.25f, 0.75f, 1.25f, -0.25f, -0.75f, -1.25f, 63.75f, -64.25f};
    const int qh[] = {0, 2, 2, 0, -2, -2, 127, -128};
    check_quantize_values(xh, qh, sizeof xh / sizeof xh[0], 0.5f,
                          "quantize(halves, scale 0.5)");
    check_relu_values(xh, qh, sizeof xh / sizeof xh[0], 0.5f,
                      "quantized_relu(halves, scale 0.5)");
}

/*
 * The header computes x / scale in float32.  These values sit where
 * x * (1 / scale) rounds to the other side of a half: at scale 1/127,
 * -0x1.e1c386p-1 / s is exactly -119.5 (-> -120) but x * (1/s) is
 * -119.49999 (-> -119); at scale 0.1, -0x1.84ccccp+3 / s is -121.49999
 * (-> -121) but x * (1/s) is -121.5 (-> -122).
 */
TC_TEST(test_rounding_division)
{
    const float x127[] = {-0x1.e1c386p-1f, 0x1.e1c386p-1f};
    const int q127[] = {-120, 120};
    const float x01[] = {-0x1.84ccccp+3f, 0x1.84ccccp+3f};
    const int q01[] = {-121, 121};
    check_quantize_values(x127, q127, 2, S127, "quantize(+-0x1.e1c386p-1, 1/127)");
    check_relu_values(x127, q127, 2, S127, "quantized_relu(+-0x1.e1c386p-1, 1/127)");
    check_quantize_values(x01, q01, 2, 0.1f, "quantize(+-0x1.84ccccp+3, 0.1)");
    check_relu_values(x01, q01, 2, 0.1f, "quantized_relu(+-0x1.84ccccp+3, 0.1)");
}

/* ---- special values ---------------------------------------------------------- */

/* NaN quantizes to 0; infinities and huge finite values saturate */
TC_TEST(test_special_values)
{
    const float x[] = {NAN, -NAN, INFINITY, -INFINITY, 1e30f, -1e30f,
                       FLT_MAX, -FLT_MAX, FLT_MIN / 4, -FLT_MIN / 4, 1.0f};
    const int q[] = {0, 0, 127, -128, 127, -128, 127, -128, 0, 0, 1};
    const size_t n = sizeof x / sizeof x[0];
    check_quantize_values(x, q, n, 1.0f, "quantize(NaN, inf, huge, denormal; scale 1)");
    check_relu_values(x, q, n, 1.0f, "quantized_relu(NaN, inf, huge, denormal; scale 1)");
    Tensor *X = tc_vector(n, x);
    check_qrelu(X, 0.5f, "quantized_relu(NaN, inf, huge, denormal; scale 0.5)");
    tensor_free(X);

    /* NaN in B: [[1, 2]] @ [[NaN], [3]] = 1*0 + 2*3 at scales 1 */
    static const float a[] = {1.0f, 2.0f}, b[] = {NAN, 3.0f}, e = 6.0f;
    Tensor *A = tc_matrix(1, 2, a), *B = tc_matrix(2, 1, b), *E = tc_matrix(1, 1, &e);
    Tensor *C = quantized_matmul(A, B, 1.0f, 1.0f);
    tc_assert_not_null(C, "quantized_matmul([[1,2]], [[NaN],[3]], 1, 1)");
    tc_assert_exact(C, E, "quantized_matmul([[1,2]], [[NaN],[3]], 1, 1)");
    tensor_free(C);
    tensor_free(E);
    tensor_free(B);
    tensor_free(A);
}

/*
 * Extreme but valid scales: a denormal scale makes x / scale overflow to
 * inf (saturates); a huge one rounds everything but huge values to 0; and
 * scale_A * scale_B may underflow to 0 in float32.
 */
TC_TEST(test_special_scales)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 503);
    const float x[] = {1.0f, -1.0f, 0.0f, 1e-38f, 1e30f, -3e30f};
    const int q_tiny[] = {127, -128, 0, 100, 127, -128};
    const int q_huge[] = {0, 0, 0, 0, 1, -3};
    const size_t n = sizeof x / sizeof x[0];
    check_quantize_values(x, q_tiny, n, 1e-40f, "quantize(x, denormal scale 1e-40)");
    check_relu_values(x, q_tiny, n, 1e-40f, "quantized_relu(x, denormal scale 1e-40)");
    check_quantize_values(x, q_huge, n, 1e30f, "quantize(x, scale 1e30)");
    check_relu_values(x, q_huge, n, 1e30f, "quantized_relu(x, scale 1e30)");

    Tensor *A = tc_randn_2d(&rng, 4, 6), *B = tc_randn_2d(&rng, 6, 3);
    check_qmatmul(A, B, 1e-30f, 1e-30f, "quantized_matmul(scales 1e-30: product underflows)");
    check_qmatmul(A, B, 1e20f, 1e-20f, "quantized_matmul(scales 1e20, 1e-20)");
    tensor_free(B);
    tensor_free(A);
}

/* ---- shapes ------------------------------------------------------------------- */

/* The symmetric per-tensor scale max|v| / 127. */
static float absmax_scale(const Tensor *t)
{
    float m = 0.0f;
    for (size_t i = 0; i < t->size; i++)
        m = fmaxf(m, fabsf(t->data[i]));
    return m > 0.0f ? m / 127.0f : 1.0f;
}

/* Random m x k @ k x n at per-tensor scales and at 1/127. */
static void check_random_product(struct tc_rng *rng, size_t m, size_t k, size_t n)
{
    char what[96];
    Tensor *A = tc_randn_2d(rng, m, k), *B = tc_randn_2d(rng, k, n);
    snprintf(what, sizeof what, "quantized_matmul(%zux%zu, %zux%zu, max|x|/127)",
             m, k, k, n);
    check_qmatmul(A, B, absmax_scale(A), absmax_scale(B), what);
    snprintf(what, sizeof what, "quantized_matmul(%zux%zu, %zux%zu, 1/127)", m, k, k, n);
    check_qmatmul(A, B, S127, S127, what);
    tensor_free(B);
    tensor_free(A);
}

/* 1xN @ Nx1, Nx1 @ 1xN, 1x1 and non-square 17x33 @ 33x9 */
TC_TEST(test_shapes_matmul)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 504);
    check_random_product(&rng, 1, 300, 1);
    check_random_product(&rng, 20, 1, 20);
    check_random_product(&rng, 1, 1, 1);
    check_random_product(&rng, 17, 33, 9);
    check_random_product(&rng, 9, 33, 17);
}

/* quantized_relu keeps every shape: 0-d, [1], 3-D, 4-D, and 100003 values */
TC_TEST(test_shapes_relu)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 505);
    const size_t one[1] = {1}, s3[3] = {5, 1, 3}, s4[4] = {2, 3, 4, 5}, big[1] = {100003};
    const float v = 0.7f;
    Tensor *t = tc_tensor(0, NULL, &v);
    check_qrelu(t, 0.1f, "quantized_relu(0-d 0.7, 0.1)");
    tensor_free(t);
    t = tc_tensor(1, one, &v);
    check_qrelu(t, 0.1f, "quantized_relu([0.7], 0.1)");
    tensor_free(t);
    t = tc_randn(&rng, 3, s3);
    check_qrelu(t, absmax_scale(t), "quantized_relu(3-D [5,1,3])");
    tensor_free(t);
    t = tc_randn(&rng, 4, s4);
    check_qrelu(t, absmax_scale(t), "quantized_relu(4-D [2,3,4,5])");
    tensor_free(t);
    t = tc_randn(&rng, 1, big);
    check_qrelu(t, absmax_scale(t), "quantized_relu(random 100003, max|x|/127)");
    tensor_free(t);
}

/* ---- errors ---------------------------------------------------------------------- */

/* A valid call of each kernel, so that a stub fails every error test. */
static void check_valid_calls(void)
{
    static const float a[] = {1, 2, 3, 4}, b[] = {0.5f, 1.5f, 2.5f, 3.5f};
    Tensor *A = tc_matrix(2, 2, a), *B = tc_matrix(2, 2, b);
    check_qmatmul(A, B, 0.05f, 0.05f, "quantized_matmul(2x2, 2x2, 1/20, 1/20)");
    check_qrelu(A, 0.02f, "quantized_relu(2x2, 1/50)");
    tensor_free(B);
    tensor_free(A);
}

static const float bad_scales[] = {0.0f, -0.0f, -1.0f, NAN, INFINITY, -INFINITY};
static const char *const bad_names[] = {"0", "-0", "-1", "NaN", "inf", "-inf"};

/* scales that are not finite and positive, for both kernels */
TC_TEST(test_errors_scales)
{
    check_valid_calls();
    Tensor *A = tensor_new_2d(2, 3), *B = tensor_new_2d(3, 2);
    tc_assert_not_null(A, "tensor_new_2d");
    tc_assert_not_null(B, "tensor_new_2d");
    for (size_t i = 0; i < sizeof bad_scales / sizeof bad_scales[0]; i++) {
        char what[64];
        Tensor *r;
        snprintf(what, sizeof what, "quantized_matmul(A, B, %s, 1)", bad_names[i]);
        tensor_clear_error();
        r = quantized_matmul(A, B, bad_scales[i], 1.0f);
        tc_assert_error(r == NULL, what);
        snprintf(what, sizeof what, "quantized_matmul(A, B, 1, %s)", bad_names[i]);
        tensor_clear_error();
        r = quantized_matmul(A, B, 1.0f, bad_scales[i]);
        tc_assert_error(r == NULL, what);
        snprintf(what, sizeof what, "quantized_relu(x, %s)", bad_names[i]);
        tensor_clear_error();
        r = quantized_relu(A, bad_scales[i]);
        tc_assert_error(r == NULL, what);
    }
    tensor_free(B);
    tensor_free(A);
}

/* Calls quantized_matmul(A, B, 1, 1), expecting NULL and a reason. */
static void expect_matmul_error(const Tensor *A, const Tensor *B, const char *what)
{
    tensor_clear_error();
    Tensor *C = quantized_matmul(A, B, 1.0f, 1.0f);
    tc_assert_error(C == NULL, what);
}

/* NULL inputs, wrong ranks, inner dimensions that differ */
TC_TEST(test_errors_operands)
{
    check_valid_calls();
    const size_t s1[1] = {3}, s3[3] = {3, 3, 1};
    Tensor *M = tensor_new_2d(3, 3), *N = tensor_new_2d(2, 3);
    Tensor *v = tensor_new(1, s1), *t3 = tensor_new(3, s3);
    Tensor *all[] = {M, N, v, t3};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tc_assert_not_null(all[i], "tensor_new");

    expect_matmul_error(NULL, M, "quantized_matmul(NULL, B, 1, 1)");
    expect_matmul_error(M, NULL, "quantized_matmul(A, NULL, 1, 1)");
    expect_matmul_error(v, M, "quantized_matmul(1-D [3], 3x3, 1, 1)");
    expect_matmul_error(M, v, "quantized_matmul(3x3, 1-D [3], 1, 1)");
    expect_matmul_error(t3, M, "quantized_matmul(3-D [3,3,1], 3x3, 1, 1)");
    expect_matmul_error(M, N, "quantized_matmul(3x3, 2x3, 1, 1)");
    expect_matmul_error(N, N, "quantized_matmul(2x3, 2x3, 1, 1)");
    tensor_clear_error();
    Tensor *r = quantized_relu(NULL, 1.0f);
    tc_assert_error(r == NULL, "quantized_relu(NULL, 1)");

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tensor_free(all[i]);
}

static const TTest *const saturation_tests[] = {
    TC_REF(test_saturation_random), TC_REF(test_saturation_accumulator), NULL,
};
static const TTest *const rounding_tests[] = {
    TC_REF(test_rounding_halves), TC_REF(test_rounding_division), NULL,
};
static const TTest *const special_tests[] = {
    TC_REF(test_special_values), TC_REF(test_special_scales), NULL,
};
static const TTest *const shapes_tests[] = {
    TC_REF(test_shapes_matmul), TC_REF(test_shapes_relu), NULL,
};
static const TTest *const errors_tests[] = {
    TC_REF(test_errors_scales), TC_REF(test_errors_operands), NULL,
};

static const struct tc_case hidden_quantized_cases[] = {
    {"saturation", saturation_tests, 0},
    {"rounding", rounding_tests, 0},
    {"special", special_tests, 0},
    {"shapes", shapes_tests, 0},
    {"errors", errors_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite hidden_quantized_suite = {"hidden_quantized",
                                                hidden_quantized_cases};
