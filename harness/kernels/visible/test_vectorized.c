/*
 * test_vectorized.c -- visible suite "vectorized": the seed's
 * test_unit_vectorized_operations, plus what the seed left out.
 *
 *   relu        relu([-2,-1,0,1,2]), and the output keeps a 2-D and a 0-d
 *               input's shape
 *   operations  the five results of vectorized_operations on x=[1,2,3,4],
 *               y=[2,3,4,5], including euclidean_distance (never asserted
 *               by the seed)
 *   special     NaN and infinities: relu(NaN) is NaN (np.maximum), and
 *               the operations follow IEEE arithmetic (inf * 0 is NaN)
 *   remainders  lengths that no SIMD width divides: 1 to 40 elements,
 *               100003 elements, 1001-element operations
 *   errors      NULL arguments and shapes that differ
 *
 * In a grading run (TC_SEED, tcheck.h) every literal input becomes random
 * values of the same shape, checked against float64 references.
 */
#include <math.h>
#include <stdio.h>

#include "kernels.h"
#include "suites.h"

/* vectorized_relu(x) must equal max(0, x) (NaN kept) and keep x's shape. */
static void check_relu_ref(const Tensor *x, const char *what)
{
    Tensor *ref = tc_ref_relu(x);
    Tensor *y = vectorized_relu(x);
    tc_assert_not_null(y, what);
    tc_assert_shape(y, x->ndim, x->shape, what);
    tc_assert_exact(y, ref, what);
    tensor_free(y);
    tensor_free(ref);
}

/*
 * Runs vectorized_relu on a literal tensor (in a grading run: random
 * values in [-3, 3]) and compares with `expected` and the reference.
 */
static void check_relu(uint64_t seed, int ndim, const size_t shape[], const float *in,
                       const float *expected, const char *what)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, seed);
    Tensor *x = tc_case_input(&rng, ndim, shape, in, -3, 3, 0.25f);
    check_relu_ref(x, what);
    if (!tc_seeded()) {
        Tensor *e = tc_tensor(ndim, shape, expected);
        Tensor *y = vectorized_relu(x);
        tc_assert_not_null(y, what);
        tc_assert_close(y, e, 1e-5, 1e-8, what);
        tensor_free(y);
        tensor_free(e);
    }
    tensor_free(x);
}

/* seed test 2, case 1: relu([-2,-1,0,1,2]) = [0,0,0,1,2] */
TC_TEST(test_relu_vector)
{
    static const float in[] = {-2, -1, 0, 1, 2};
    static const float e[] = {0, 0, 0, 1, 2};
    const size_t shape[1] = {5};
    check_relu(21, 1, shape, in, e, "vectorized_relu([-2,-1,0,1,2])");
}

/* not in the seed: "any shape" -- a 2-D input keeps its (2, 3) shape */
TC_TEST(test_relu_matrix)
{
    static const float in[] = {-1, 2, -3, 4, -5, 6};
    static const float e[] = {0, 2, 0, 4, 0, 6};
    const size_t shape[2] = {2, 3};
    check_relu(22, 2, shape, in, e, "vectorized_relu(2x3 matrix)");
}

/* not in the seed: a 0-d scalar stays 0-d, negative and positive */
TC_TEST(test_relu_scalar)
{
    static const float neg = -3.5f, zero = 0.0f, pos = 2.5f;
    const size_t none[1] = {0};
    check_relu(23, 0, none, &neg, &zero, "vectorized_relu(scalar -3.5)");
    check_relu(24, 0, none, &pos, &pos, "vectorized_relu(scalar 2.5)");
}

/* ---- vectorized_operations ---------------------------------------------- */

/* The five results computed in float64 from x and y. */
struct ops_ref {
    Tensor *mul, *add, *sqd;  /* element-wise, x's shape */
    double dist, dot;         /* the two reductions */
    double abs_dot;           /* sum |x*y|: the scale of the dot's rounding */
};

static struct ops_ref ops_ref_new(const Tensor *x, const Tensor *y)
{
    struct ops_ref r = {0};
    double sum_sqd = 0.0;
    r.mul = tensor_clone(x);
    r.add = tensor_clone(x);
    r.sqd = tensor_clone(x);
    tc_assert_not_null(r.mul, "tensor_clone");
    tc_assert_not_null(r.add, "tensor_clone");
    tc_assert_not_null(r.sqd, "tensor_clone");
    for (size_t i = 0; i < x->size; i++) {
        double a = x->data[i], b = y->data[i], d = a - b;
        r.mul->data[i] = (float)(a * b);
        r.add->data[i] = (float)(a + b);
        r.sqd->data[i] = (float)(d * d);
        r.dot += a * b;
        r.abs_dot += fabs(a * b);
        sum_sqd += d * d;
    }
    r.dist = sqrt(sum_sqd);
    return r;
}

static void ops_ref_free(struct ops_ref *r)
{
    tensor_free(r->mul);
    tensor_free(r->add);
    tensor_free(r->sqd);
}

/* Asserts that a result of vectorized_operations is a 0-d scalar near `expected`. */
static void check_scalar(const Tensor *t, double expected, double rtol, double atol,
                         const char *what)
{
    const size_t none[1] = {0};
    tc_assert_not_null(t, what);
    tc_assert_shape(t, 0, none, what);
    tc_assert_float_close(t->data[0], expected, rtol, atol, what);
}

/*
 * Runs vectorized_operations(x, y) and checks all five results against
 * float64.  The element-wise ones are one or two float32 roundings away:
 * rtol 1e-6.  The sums may add in any order; a float32 sum of n terms is
 * within (n + 1) * 2^-24 * sum|term| of the exact one, which bounds
 * dot_product, and sqrt halves the relative error of the distance.
 */
static void check_operations(const Tensor *x, const Tensor *y, const char *what)
{
    const double u = 0x1p-24, n = (double)x->size;
    char msg[160];
    struct ops_ref r = ops_ref_new(x, y);
    VectorOps ops = {0};

    int rc = vectorized_operations(x, y, &ops);
    ck_assert_msg(rc == 0, "%s returned %d, expected 0 (reason: \"%s\")", what,
                  rc, kernels_last_error());
    snprintf(msg, sizeof msg, "%s: element_wise_multiply", what);
    tc_assert_close(ops.element_wise_multiply, r.mul, 1e-6, 0, msg);
    snprintf(msg, sizeof msg, "%s: element_wise_add", what);
    tc_assert_close(ops.element_wise_add, r.add, 1e-6, 1e-30, msg);
    snprintf(msg, sizeof msg, "%s: squared_difference", what);
    tc_assert_close(ops.squared_difference, r.sqd, 1e-6, 0, msg);
    snprintf(msg, sizeof msg, "%s: euclidean_distance", what);
    check_scalar(ops.euclidean_distance, r.dist, (n + 4) * u, 1e-30, msg);
    snprintf(msg, sizeof msg, "%s: dot_product", what);
    check_scalar(ops.dot_product, r.dot, 0, (n + 2) * u * r.abs_dot + 1e-30, msg);

    vector_ops_release(&ops);
    ops_ref_free(&r);
}

/* Asserts one element-wise result: x's shape (4) and the seed's values. */
static void check_elementwise(const Tensor *t, const float *expected,
                              const char *what)
{
    Tensor *e = tc_vector(4, expected);
    tc_assert_not_null(t, what);
    tc_assert_close(t, e, 1e-5, 1e-8, what);
    tensor_free(e);
}

/* seed test 2, case 2: x=[1,2,3,4], y=[2,3,4,5] (grading: random integers) */
TC_TEST(test_operations_seed)
{
    static const float xv[] = {1, 2, 3, 4};
    static const float yv[] = {2, 3, 4, 5};
    static const float mul[] = {2, 6, 12, 20};
    static const float add[] = {3, 5, 7, 9};
    static const float sqd[] = {1, 1, 1, 1};
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 25);
    const size_t shape[1] = {4};
    Tensor *x = tc_case_input(&rng, 1, shape, xv, -9, 9, 1);
    Tensor *y = tc_case_input(&rng, 1, shape, yv, -9, 9, 1);

    check_operations(x, y, "vectorized_operations([1,2,3,4], [2,3,4,5])");
    if (!tc_seeded()) {
        VectorOps ops = {0};
        int rc = vectorized_operations(x, y, &ops);
        ck_assert_msg(rc == 0, "vectorized_operations([1,2,3,4], [2,3,4,5]) "
                      "returned %d, expected 0 (reason: \"%s\")", rc,
                      kernels_last_error());
        check_elementwise(ops.element_wise_multiply, mul, "element_wise_multiply");
        check_elementwise(ops.element_wise_add, add, "element_wise_add");
        check_elementwise(ops.squared_difference, sqd, "squared_difference");
        /* sqrt(1+1+1+1): the seed computed it but never checked it */
        check_scalar(ops.euclidean_distance, 2.0, 1e-5, 1e-6, "euclidean_distance");
        check_scalar(ops.dot_product, 40.0, 1e-5, 1e-6, "dot_product (1*2+2*3+3*4+4*5)");
        vector_ops_release(&ops);
    }
    tensor_free(y);
    tensor_free(x);
}

/* ---- special values ------------------------------------------------------ */

/* What a grading run draws special inputs from. */
static const float special_values[] = {0.0f, -0.0f, 1.0f, -1.5f, 2.0f,
                                       INFINITY, -INFINITY, NAN, -NAN};
#define NSPECIAL (sizeof special_values / sizeof special_values[0])

/* relu of NaN, -NaN, +-inf, -0: NaN stays NaN (np.maximum), -inf becomes 0 */
TC_TEST(test_special_relu)
{
    static const float in[] = {NAN, -NAN, INFINITY, -INFINITY, -0.0f, 0.0f,
                               1.0f, -1.0f, NAN, 3.0f, -2.0f};
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 26);
    const size_t shape[1] = {sizeof in / sizeof in[0]};
    Tensor *x = tc_case_choice(&rng, 1, shape, in, special_values, NSPECIAL);
    check_relu_ref(x, "vectorized_relu([NaN, -NaN, inf, -inf, -0, 0, 1, -1, NaN, 3, -2]): "
                   "NaN must stay NaN");
    tensor_free(x);
}

/*
 * The operations in IEEE arithmetic: inf * 0 and inf - inf are NaN, a NaN
 * makes both sums NaN; with infinities but no NaN the sums are infinite.
 */
TC_TEST(test_special_operations)
{
    static const float xv[] = {INFINITY, 0.0f, NAN, 1.0f, -2.0f, INFINITY};
    static const float yv[] = {0.0f, INFINITY, 1.0f, 1.0f, -INFINITY, INFINITY};
    static const float xi[] = {INFINITY, 1.0f, 2.0f, -1.0f, 0.5f};
    static const float yi[] = {1.0f, 1.0f, -INFINITY, -1.0f, 2.0f};
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 27);
    const size_t s6[1] = {6}, s5[1] = {5};
    Tensor *x = tc_case_choice(&rng, 1, s6, xv, special_values, NSPECIAL);
    Tensor *y = tc_case_choice(&rng, 1, s6, yv, special_values, NSPECIAL);
    check_operations(x, y, "vectorized_operations([inf,0,NaN,1,-2,inf], [0,inf,1,1,-inf,inf])");
    tensor_free(y);
    tensor_free(x);
    /* finite and infinite only: a grading run leaves the NaNs out */
    x = tc_case_choice(&rng, 1, s5, xi, special_values, NSPECIAL - 2);
    y = tc_case_choice(&rng, 1, s5, yi, special_values, NSPECIAL - 2);
    check_operations(x, y, "vectorized_operations([inf,1,2,-1,0.5], [1,1,-inf,-1,2])");
    tensor_free(y);
    tensor_free(x);
}

/* ---- remainders ------------------------------------------------------------- */

/*
 * Every length from 1 to 40, so that each tail of a 4-, 8- or 16-wide
 * loop runs, with a negative value last (a tail left alone fails), and
 * 100003 values with NaNs at lane boundaries and in the tail.
 */
TC_TEST(test_remainders_relu)
{
    static const size_t nan_at[] = {0, 7, 8, 15, 16, 31, 32, 99999, 100002};
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 28);
    for (size_t n = 1; n <= 40; n++) {
        char what[48];
        const size_t shape[1] = {n};
        snprintf(what, sizeof what, "vectorized_relu(random %zu)", n);
        Tensor *x = tc_randn(&rng, 1, shape);
        x->data[n - 1] = -fabsf(x->data[n - 1]) - 0.5f;
        check_relu_ref(x, what);
        tensor_free(x);
    }
    const size_t big[1] = {100003};
    Tensor *x = tc_randn(&rng, 1, big);
    for (size_t i = 0; i < sizeof nan_at / sizeof nan_at[0]; i++)
        x->data[nan_at[i]] = NAN;
    check_relu_ref(x, "vectorized_relu(random 100003 with NaNs)");
    tensor_free(x);
}

/* 1001 and 13 random elements: every SIMD width leaves a tail */
TC_TEST(test_remainders_operations)
{
    static const size_t sizes[] = {1001, 13, 1};
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 29);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char what[64];
        const size_t shape[1] = {sizes[i]};
        snprintf(what, sizeof what, "vectorized_operations(random %zu)", sizes[i]);
        Tensor *x = tc_randn(&rng, 1, shape);
        Tensor *y = tc_randn(&rng, 1, shape);
        check_operations(x, y, what);
        tensor_free(y);
        tensor_free(x);
    }
}

/* ---- errors ------------------------------------------------------------------- */

/* Any non-NULL pointer the kernel must overwrite with NULL on failure. */
static Tensor not_a_result;

/* Expects vectorized_operations(x, y, &ops) to fail with every field NULL. */
static void expect_ops_error(const Tensor *x, const Tensor *y, const char *what)
{
    VectorOps ops = {&not_a_result, &not_a_result, &not_a_result,
                     &not_a_result, &not_a_result};
    tensor_clear_error();
    int rc = vectorized_operations(x, y, &ops);
    tc_assert_error(rc == -1, what);
    ck_assert_msg(ops.element_wise_multiply == NULL && ops.element_wise_add == NULL &&
                  ops.squared_difference == NULL && ops.euclidean_distance == NULL &&
                  ops.dot_product == NULL,
                  "%s failed but left a field of *out non-NULL "
                  "(on failure every field must be NULL)", what);
}

/*
 * not in the seed: NULL and shapes that differ give an error (kernels.h).
 * Valid calls first, so that kernels that always fail cannot pass.
 */
TC_TEST(test_errors)
{
    struct tc_rng rng;
    tc_rng_seed_case(&rng, 30);
    const size_t s4[1] = {4}, s5[1] = {5}, s22[2] = {2, 2};
    Tensor *x = tc_randn(&rng, 1, s4), *y = tc_randn(&rng, 1, s4);
    check_relu_ref(x, "vectorized_relu(random 4)");
    check_operations(x, y, "vectorized_operations(random 4, random 4)");
    Tensor *x5 = tc_randn(&rng, 1, s5), *m22 = tc_randn(&rng, 2, s22);

    tensor_clear_error();
    Tensor *r = vectorized_relu(NULL);
    tc_assert_error(r == NULL, "vectorized_relu(NULL)");
    expect_ops_error(NULL, y, "vectorized_operations(NULL, y, out)");
    expect_ops_error(x, NULL, "vectorized_operations(x, NULL, out)");
    expect_ops_error(x, x5, "vectorized_operations([4], [5]): shapes differ");
    expect_ops_error(x, m22, "vectorized_operations([4], [2,2]): shapes differ");
    tensor_clear_error();
    int rc = vectorized_operations(x, y, NULL);
    tc_assert_error(rc == -1, "vectorized_operations(x, y, NULL)");

    tensor_free(m22);
    tensor_free(x5);
    tensor_free(y);
    tensor_free(x);
}

static const TTest *const relu_tests[] = {
    TC_REF(test_relu_vector), TC_REF(test_relu_matrix),
    TC_REF(test_relu_scalar), NULL,
};
static const TTest *const operations_tests[] = {
    TC_REF(test_operations_seed), NULL,
};
static const TTest *const special_tests[] = {
    TC_REF(test_special_relu), TC_REF(test_special_operations), NULL,
};
static const TTest *const remainders_tests[] = {
    TC_REF(test_remainders_relu), TC_REF(test_remainders_operations), NULL,
};
static const TTest *const errors_tests[] = {
    TC_REF(test_errors), NULL,
};

static const struct tc_case vectorized_cases[] = {
    {"relu", relu_tests, 0},
    {"operations", operations_tests, 0},
    {"special", special_tests, 0},
    {"remainders", remainders_tests, 0},
    {"errors", errors_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite vectorized_suite = {"vectorized", vectorized_cases};
