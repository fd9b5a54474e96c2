/*
 * test_quantized.c -- visible suite "quantized": the seed's
 * test_unit_compressed_kernels, plus the saturation the seed got wrong.
 *
 *   matmul      the seed's 2x2 product at scales 1/20: bit-exact against
 *               the header's rule, and within rtol 0.1 of the float product
 *   relu        relu([-2..2]) at scale 1/50: bit-exact, and within rtol 0.1
 *   saturation  values beyond the int8 range clamp to 127 / -128 (the seed
 *               wrapped them: 190 -> -66, 300 -> 44), halves round to even
 *   errors      scales that are 0, negative, NaN or infinite, NULL inputs,
 *               inner dimensions that differ
 *
 * In a grading run (TC_SEED, tcheck.h) every literal input becomes random
 * values of the same shape (multiples of half the scale; halves and values
 * beyond the int8 range), checked bit for bit against the int8 rule.
 */
#include <math.h>
#include <stdio.h>

#include "kernels.h"
#include "suites.h"

/*
 * seed test 6, case 1: A = [[1,2],[3,4]], B = [[.5,1.5],[2.5,3.5]] at
 * scales 1/20 quantize to [[20,40],[60,80]] and [[10,30],[50,70]] with no
 * rounding, so the result is exactly [[2200,3400],[4600,7400]] * 0.0025:
 * [[5.5,8.5],[11.5,18.5]] up to the float32 rounding of the scale product.
 */
TC_TEST(test_matmul_seed)
{
    static const float a[] = {1.0f, 2.0f, 3.0f, 4.0f};
    static const float b[] = {0.5f, 1.5f, 2.5f, 3.5f};
    static const float e[] = {5.5f, 8.5f, 11.5f, 18.5f};
    const float scale = 1.0f / 20.0f;
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 61);
    const size_t s22[2] = {2, 2};
    Tensor *A = tc_case_input(&rng, 2, s22, a, -6.0f, 6.0f, 0.025f);
    Tensor *B = tc_case_input(&rng, 2, s22, b, -6.0f, 6.0f, 0.025f);
    Tensor *E = tc_matrix(2, 2, e);
    Tensor *ref = tc_ref_quantized_matmul(A, B, scale, scale);
    Tensor *fp = tc_ref_matmul(A, B);

    Tensor *C = quantized_matmul(A, B, scale, scale);
    tc_assert_not_null(C, "quantized_matmul(A, B, 1/20, 1/20)");
    tc_assert_exact(C, ref, "quantized_matmul(A, B, 1/20, 1/20) vs the int8 rule");
    if (!tc_seeded()) {
        tc_assert_close(C, E, 1e-6, 0, "quantized_matmul(A, B, 1/20, 1/20)");
        /* the seed's own check: close to the float product */
        tc_assert_close(C, fp, 0.1, 1e-8, "quantized_matmul vs float A @ B (seed rtol 0.1)");
    }

    tensor_free(C);
    tensor_free(fp);
    tensor_free(ref);
    tensor_free(E);
    tensor_free(B);
    tensor_free(A);
}

/* seed test 6, case 2: relu([-2,-1,0,1,2]) at scale 1/50 */
TC_TEST(test_relu_seed)
{
    static const float in[] = {-2.0f, -1.0f, 0.0f, 1.0f, 2.0f};
    const float scale = 1.0f / 50.0f;
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 62);
    const size_t shape[1] = {5};
    Tensor *x = tc_case_input(&rng, 1, shape, in, -2.0f, 2.0f, 0.01f);
    Tensor *ref = tc_ref_quantized_relu(x, scale);
    Tensor *fp = tc_ref_relu(x);

    Tensor *y = quantized_relu(x, scale);
    tc_assert_not_null(y, "quantized_relu([-2..2], 1/50)");
    tc_assert_exact(y, ref, "quantized_relu([-2..2], 1/50) vs the int8 rule");
    if (!tc_seeded())
        tc_assert_close(y, fp, 0.1, 1e-8, "quantized_relu vs relu (seed rtol 0.1)");

    tensor_free(y);
    tensor_free(fp);
    tensor_free(ref);
    tensor_free(x);
}

/*
 * What a grading run draws the saturation cases from: values beyond the
 * int8 range, the clamp edges, and halves, most of them with an even
 * integer part (2.5 -> 2 tells rintf() from roundf()).
 */
static const float saturating[] = {190.0f, 300.0f, -300.0f, 127.5f, -128.5f, 0.5f,
                                   2.5f, 4.5f, 126.5f, -2.5f, 1.5f, 6.5f};
#define NSATURATING (sizeof saturating / sizeof saturating[0])

/*
 * The seed's wrap bug, seen through quantized_matmul: an n x 1 column
 * times [[1]] at scales 1 returns the quantized column itself, so
 * 190 and 300 must come back as 127 and -300 as -128.
 */
TC_TEST(test_saturation_matmul)
{
    static const float col[] = {190.0f, 300.0f, -300.0f, 127.0f, -128.0f};
    static const float e[] = {127.0f, 127.0f, -128.0f, 127.0f, -128.0f};
    static const float one = 1.0f;
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 63);
    const size_t s51[2] = {5, 1};
    Tensor *A = tc_case_choice(&rng, 2, s51, col, saturating, NSATURATING);
    Tensor *B = tc_matrix(1, 1, &one);
    Tensor *E = tc_matrix(5, 1, e);
    Tensor *ref = tc_ref_quantized_matmul(A, B, 1.0f, 1.0f);

    Tensor *C = quantized_matmul(A, B, 1.0f, 1.0f);
    tc_assert_not_null(C, "quantized_matmul([190,300,-300,127,-128]^T, [[1]], 1, 1)");
    if (!tc_seeded())
        tc_assert_exact(C, E, "quantize([190,300,-300,127,-128]) must saturate");
    tc_assert_exact(C, ref, "quantized_matmul vs the int8 rule");

    tensor_free(C);
    tensor_free(ref);
    tensor_free(E);
    tensor_free(B);
    tensor_free(A);
}

/*
 * quantized_relu at scale 1: 190 and 300 saturate to 127 (the seed gave
 * 0 and 44), -300 clamps to -128 and ReLU makes it 0, and halves round to
 * even like np.round: 2.5 -> 2, 0.5 -> 0, 1.5 -> 2.
 */
TC_TEST(test_saturation_relu)
{
    static const float in[] = {190.0f, 300.0f, -300.0f, 2.5f, 0.5f, 1.5f};
    static const float e[] = {127.0f, 127.0f, 0.0f, 2.0f, 0.0f, 2.0f};
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 64);
    const size_t shape[1] = {6};
    Tensor *x = tc_case_choice(&rng, 1, shape, in, saturating, NSATURATING);
    Tensor *E = tc_vector(6, e);
    Tensor *ref = tc_ref_quantized_relu(x, 1.0f);

    Tensor *y = quantized_relu(x, 1.0f);
    tc_assert_not_null(y, "quantized_relu([190,300,-300,2.5,0.5,1.5], 1)");
    if (!tc_seeded())
        tc_assert_exact(y, E, "quantized_relu([190,300,-300,2.5,0.5,1.5], 1)");
    tc_assert_exact(y, ref, "quantized_relu vs the int8 rule");

    tensor_free(y);
    tensor_free(ref);
    tensor_free(E);
    tensor_free(x);
}

/* A valid call of each kernel on random data, then the error cases. */
TC_TEST(test_errors)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 65);
    Tensor *A = tc_randn_2d(&rng, 3, 4), *B = tc_randn_2d(&rng, 4, 2);
    const float scale = 1.0f / 64.0f;
    Tensor *ref = tc_ref_quantized_matmul(A, B, scale, scale);
    Tensor *C = quantized_matmul(A, B, scale, scale);
    tc_assert_not_null(C, "quantized_matmul(random 3x4, 4x2, 1/64, 1/64)");
    tc_assert_exact(C, ref, "quantized_matmul(random 3x4, 4x2, 1/64, 1/64)");
    tensor_free(C);
    tensor_free(ref);
    ref = tc_ref_quantized_relu(A, scale);
    Tensor *y = quantized_relu(A, scale);
    tc_assert_not_null(y, "quantized_relu(random 3x4, 1/64)");
    tc_assert_exact(y, ref, "quantized_relu(random 3x4, 1/64)");
    tensor_free(y);
    tensor_free(ref);

    static const float bad[] = {0.0f, -1.0f, NAN, INFINITY};
    static const char *const names[] = {"0", "-1", "NaN", "inf"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char what[80];
        snprintf(what, sizeof what, "quantized_matmul(A, B, %s, 1)", names[i]);
        tensor_clear_error();
        C = quantized_matmul(A, B, bad[i], 1.0f);
        tc_assert_error(C == NULL, what);
        snprintf(what, sizeof what, "quantized_matmul(A, B, 1, %s)", names[i]);
        tensor_clear_error();
        C = quantized_matmul(A, B, 1.0f, bad[i]);
        tc_assert_error(C == NULL, what);
        snprintf(what, sizeof what, "quantized_relu(x, %s)", names[i]);
        tensor_clear_error();
        y = quantized_relu(A, bad[i]);
        tc_assert_error(y == NULL, what);
    }
    tensor_clear_error();
    C = quantized_matmul(NULL, B, 1.0f, 1.0f);
    tc_assert_error(C == NULL, "quantized_matmul(NULL, B, 1, 1)");
    tensor_clear_error();
    C = quantized_matmul(A, A, 1.0f, 1.0f);
    tc_assert_error(C == NULL, "quantized_matmul(3x4, 3x4, 1, 1): inner dimensions differ");
    tensor_clear_error();
    y = quantized_relu(NULL, 1.0f);
    tc_assert_error(y == NULL, "quantized_relu(NULL, 1)");
    tensor_free(B);
    tensor_free(A);
}

static const TTest *const matmul_tests[] = {
    TC_REF(test_matmul_seed), NULL,
};
static const TTest *const relu_tests[] = {
    TC_REF(test_relu_seed), NULL,
};
static const TTest *const saturation_tests[] = {
    TC_REF(test_saturation_matmul), TC_REF(test_saturation_relu), NULL,
};

static const TTest *const errors_tests[] = {
    TC_REF(test_errors), NULL,
};

static const struct tc_case quantized_cases[] = {
    {"matmul", matmul_tests, 0},
    {"relu", relu_tests, 0},
    {"saturation", saturation_tests, 0},
    {"errors", errors_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite quantized_suite = {"quantized", quantized_cases};
