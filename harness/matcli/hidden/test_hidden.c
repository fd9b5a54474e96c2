/*
 * test_hidden.c -- matcli's hidden suite: a random product against the
 * naive one, halves rounded to even, an all-zero matrix.
 */
#include <stdlib.h>

#include "hidden/hidden_suites.h"
#include "suites.h"

TC_TEST(test_random_product)
{
    enum { M = 13, K = 29, N = 7 };
    static double a[M * K], b[K * N], want[M * N];
    unsigned s = 12345;
    for (size_t i = 0; i < M * K; i++)
        a[i] = (double)((s = s * 1103515245u + 12345u) >> 16 & 1023) / 64.0 - 8.0;
    for (size_t i = 0; i < K * N; i++)
        b[i] = (double)((s = s * 1103515245u + 12345u) >> 16 & 1023) / 64.0 - 8.0;
    for (size_t i = 0; i < M; i++)
        for (size_t j = 0; j < N; j++) {
            double acc = 0;
            for (size_t k = 0; k < K; k++)
                acc += a[i * K + k] * b[k * N + j];
            want[i * N + j] = acc;
        }
    Matrix A = {M, K, a}, B = {K, N, b}, C;
    char err[160] = "";
    ck_assert_msg(mat_multiply(&A, &B, &C, err, sizeof err) == 0, "mat_multiply: %s", err);
    mc_assert_matrix(&C, M, N, want, 1e-9, "13x29 @ 29x7");
    mat_free(&C);
}

TC_TEST(test_quantize_ties_and_zeros)
{
    Matrix m = mc_read("1 4\n127 0.5 1.5 -2.5\n");
    int8_t q[4];
    ck_assert_msg(mat_quantize(&m, q) == 1.0, "scale of max 127 is 1");
    const int want[] = {127, 0, 2, -2};
    for (int i = 0; i < 4; i++)
        ck_assert_msg(q[i] == want[i], "q[%d] = %d, expected %d (halves to even)", i, q[i],
                      want[i]);
    mat_free(&m);
    Matrix z = mc_read("2 2\n0 0 0 0\n");
    ck_assert_msg(mat_quantize(&z, q) == 1.0, "an all-zero matrix has scale 1");
    for (int i = 0; i < 4; i++)
        ck_assert_msg(q[i] == 0, "q[%d] = %d, expected 0", i, q[i]);
    mat_free(&z);
}

static const TTest *const random_tests[] = {TC_REF(test_random_product), NULL};
static const TTest *const quant_tests[] = {TC_REF(test_quantize_ties_and_zeros), NULL};
static const struct tc_case hidden_cases[] = {
    {"random_product", random_tests, 0}, {"quantize_edges", quant_tests, 0}, {NULL, NULL, 0},
};
const struct tc_suite hidden_matcli_suite = {"hidden_matcli", hidden_cases};
