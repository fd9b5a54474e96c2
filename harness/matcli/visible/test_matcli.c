/*
 * test_matcli.c -- the visible suites of matcli: read, multiply, quantize.
 */
#include <stdlib.h>

#include "suites.h"

TC_TEST(test_read_small)
{
    Matrix m = mc_read("2 3\n1 2 3\n4 5 6\n");
    const double want[] = {1, 2, 3, 4, 5, 6};
    mc_assert_matrix(&m, 2, 3, want, 0, "mat_read(2x3)");
    mat_free(&m);
    ck_assert_msg(m.v == NULL && m.rows == 0, "mat_free() empties the matrix");
}

TC_TEST(test_read_any_whitespace)
{
    Matrix m = mc_read("2\t2   1.5\n-2\t3e2 \n 0.25");
    const double want[] = {1.5, -2, 300, 0.25};
    mc_assert_matrix(&m, 2, 2, want, 0, "mat_read(tabs, one line, 3e2)");
    mat_free(&m);
}

/* mat_read() of text fails with a reason and an empty matrix. */
static void read_fails(const char *text)
{
    Matrix m = {7, 7, NULL};
    char err[160] = "";
    FILE *f = mc_text(text);
    int rc = mat_read(f, &m, err, sizeof err);
    fclose(f);
    ck_assert_msg(rc == -1, "mat_read(\"%s\") returned %d, expected -1", text, rc);
    ck_assert_msg(err[0] != '\0', "mat_read(\"%s\") gave no reason", text);
    ck_assert_msg(m.v == NULL, "mat_read(\"%s\") failed but left values", text);
}

TC_TEST(test_read_errors)
{
    read_fails("");
    read_fails("2 2\n1 2 3\n");
    read_fails("2 2\n1 2 x 4\n");
    read_fails("0 3\n");
    read_fails("-1 2\n1 2\n");
}

TC_TEST(test_multiply_small)
{
    Matrix a = mc_read("2 3\n1 2 3\n4 5 6\n"), b = mc_read("3 2\n7 8\n9 10\n11 12\n"), c;
    char err[160] = "";
    ck_assert_msg(mat_multiply(&a, &b, &c, err, sizeof err) == 0, "mat_multiply: %s", err);
    const double want[] = {58, 64, 139, 154};
    mc_assert_matrix(&c, 2, 2, want, 1e-12, "2x3 @ 3x2");
    mat_free(&a);
    mat_free(&b);
    mat_free(&c);
}

TC_TEST(test_multiply_shapes)
{
    Matrix a = mc_read("2 3\n1 2 3\n4 5 6\n"), c = {0, 0, NULL};
    char err[160] = "";
    ck_assert_msg(mat_multiply(&a, &a, &c, err, sizeof err) == -1,
                  "2x3 @ 2x3 must fail (3 columns, 2 rows)");
    ck_assert_msg(err[0] != '\0', "no reason given for 2x3 @ 2x3");
    mat_free(&a);
}

TC_TEST(test_quantize_basic)
{
    Matrix m = mc_read("1 4\n-2 1 0.5 2\n");
    int8_t q[4];
    double s = mat_quantize(&m, q);
    ck_assert_msg(s > 2.0 / 127 - 1e-12 && s < 2.0 / 127 + 1e-12, "scale %g, expected 2/127", s);
    const int want[] = {-127, 64, 32, 127};   /* 63.5 -> 64 and 31.75 -> 32 */
    for (int i = 0; i < 4; i++)
        ck_assert_msg(q[i] == want[i], "q[%d] = %d, expected %d", i, q[i], want[i]);
    mat_free(&m);
}

static const TTest *const read_small[] = {TC_REF(test_read_small), TC_REF(test_read_any_whitespace), NULL};
static const TTest *const read_errors[] = {TC_REF(test_read_errors), NULL};
static const struct tc_case read_cases[] = {
    {"small", read_small, 0}, {"errors", read_errors, 0}, {NULL, NULL, 0},
};
const struct tc_suite read_suite = {"read", read_cases};

static const TTest *const mul_small[] = {TC_REF(test_multiply_small), NULL};
static const TTest *const mul_shapes[] = {TC_REF(test_multiply_shapes), NULL};
static const struct tc_case multiply_cases[] = {
    {"small", mul_small, 0}, {"shapes", mul_shapes, 0}, {NULL, NULL, 0},
};
const struct tc_suite multiply_suite = {"multiply", multiply_cases};

static const TTest *const quant_basic[] = {TC_REF(test_quantize_basic), NULL};
static const struct tc_case quantize_cases[] = {
    {"basic", quant_basic, 0}, {NULL, NULL, 0},
};
const struct tc_suite quantize_suite = {"quantize", quantize_cases};
