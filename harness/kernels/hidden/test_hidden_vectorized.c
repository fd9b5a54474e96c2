/*
 * test_hidden_vectorized.c -- hidden suite "hidden_vectorized":
 * vectorized_relu and vectorized_operations on special values, shapes and
 * sizes the seed never used, and every error path.
 *
 *   relu_special       NaN, +-inf, -0.0, denormals, 0-d to 4-d shapes, one
 *                      element, 100003 elements (not a multiple of any
 *                      SIMD width), inputs left unmodified
 *   operations_shapes  2-D and 0-d inputs, 1001 random elements against a
 *                      float64 reference
 *   errors             NULL arguments and shape mismatches: -1, a reason,
 *                      and every field of *out NULL
 *   operations_special NaN and infinities in random places of 1000-element
 *                      inputs: IEEE arithmetic element-wise and in the sums
 */
#include <float.h>
#include <math.h>
#include <stdio.h>

#include "kernels.h"
#include "hidden_suites.h"

/* vectorized_relu(x) must equal max(0, x) exactly and leave x unchanged. */
static void check_relu_exact(const Tensor *x, const char *what)
{
    Tensor *x0 = tensor_clone(x);
    tc_assert_not_null(x0, "tensor_clone");
    Tensor *ref = tc_ref_relu(x);
    Tensor *y = vectorized_relu(x);
    tc_assert_not_null(y, what);
    tc_assert_exact(y, ref, what);
    tc_assert_exact(x, x0, "vectorized_relu modified its input");
    tensor_free(y);
    tensor_free(ref);
    tensor_free(x0);
}

/* NaN stays NaN (np.maximum propagates it), +inf stays, -inf becomes 0 */
TC_TEST(test_relu_nan_inf)
{
    const float in[] = {NAN, -NAN, INFINITY, -INFINITY, -0.0f, 0.0f,
                        FLT_MIN / 4, -FLT_MIN / 4, FLT_MAX, -FLT_MAX, 1.0f, -1.0f};
    const float e[] = {NAN, NAN, INFINITY, 0.0f, 0.0f, 0.0f,
                       FLT_MIN / 4, 0.0f, FLT_MAX, 0.0f, 1.0f, 0.0f};
    const size_t n = sizeof in / sizeof in[0];
    Tensor *x = tc_vector(n, in);
    Tensor *E = tc_vector(n, e);
    Tensor *y = vectorized_relu(x);
    tc_assert_not_null(y, "vectorized_relu(NaN, inf, -0, denormals...)");
    tc_assert_exact(y, E, "vectorized_relu(NaN, -NaN, inf, -inf, -0, 0, "
                    "denormal, -denormal, FLT_MAX, -FLT_MAX, 1, -1)");
    tensor_free(y);
    tensor_free(E);
    tensor_free(x);
}

/* every rank keeps its shape: 0-d, one element, and 4-D [2,3,4,5] */
TC_TEST(test_relu_shapes)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 201);
    const size_t one[1] = {1}, s4[4] = {2, 3, 4, 5}, s3[3] = {3, 1, 7};
    const float neg = -4.0f, pos = 4.0f;

    Tensor *t = tc_tensor(0, NULL, &neg);
    check_relu_exact(t, "vectorized_relu(0-d -4)");
    tensor_free(t);
    t = tc_tensor(1, one, &neg);
    check_relu_exact(t, "vectorized_relu([-4])");
    tensor_free(t);
    t = tc_tensor(1, one, &pos);
    check_relu_exact(t, "vectorized_relu([4])");
    tensor_free(t);
    t = tc_randn(&rng, 3, s3);
    check_relu_exact(t, "vectorized_relu(3-D [3,1,7])");
    tensor_free(t);
    t = tc_randn(&rng, 4, s4);
    check_relu_exact(t, "vectorized_relu(4-D [2,3,4,5])");
    tensor_free(t);
}

/*
 * 100003 random values with NaNs at SIMD lane and chunk boundaries and in
 * the scalar tail, and every length from 1 to 40 so that each possible
 * tail of a 4-, 8- or 16-wide loop is exercised.
 */
TC_TEST(test_relu_large)
{
    static const size_t nan_at[] = {0, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64,
                                    50001, 99999, 100000, 100002};
    struct tc_rng rng;
    tc_rng_seed(&rng, 202);
    const size_t big[1] = {100003};
    Tensor *x = tc_randn(&rng, 1, big);
    for (size_t i = 0; i < sizeof nan_at / sizeof nan_at[0]; i++)
        x->data[nan_at[i]] = NAN;
    check_relu_exact(x, "vectorized_relu(random 100003 with NaNs)");
    tensor_free(x);

    for (size_t n = 1; n <= 40; n++) {
        char what[48];
        const size_t shape[1] = {n};
        snprintf(what, sizeof what, "vectorized_relu(random %zu)", n);
        x = tc_randn(&rng, 1, shape);
        x->data[n - 1] = -fabsf(x->data[n - 1]);  /* a negative in the tail */
        check_relu_exact(x, what);
        tensor_free(x);
    }
}

/* ---- vectorized_operations ---------------------------------------------- */

/* The five results computed in float64 from x and y. */
struct ops_ref {
    Tensor *mul, *add, *sqd;  /* element-wise, x's shape */
    double dist, dot;         /* the two reductions */
    double abs_dot, sum_sqd;  /* sum|x*y| and sum (x-y)^2: error scales */
};

static struct ops_ref ops_ref_new(const Tensor *x, const Tensor *y)
{
    struct ops_ref r = {0};
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
        r.sum_sqd += d * d;
    }
    r.dist = sqrt(r.sum_sqd);
    return r;
}

static void ops_ref_free(struct ops_ref *r)
{
    tensor_free(r->mul);
    tensor_free(r->add);
    tensor_free(r->sqd);
}

/*
 * Runs vectorized_operations(x, y) and checks all five results.  The
 * element-wise ones are one or two float32 roundings from the float64
 * values: rtol 1e-6.  The reductions may sum in any order; a float32 sum
 * of n terms is within (n + 1) * 2^-24 * sum|term| of the exact one,
 * which bounds dot_product; euclidean_distance = sqrt(S) has at most half
 * S's relative error plus its own rounding.
 */
static void check_operations(const Tensor *x, const Tensor *y, const char *what)
{
    const double u = 0x1p-24, n = (double)x->size;
    const size_t none[1] = {0};
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
    tc_assert_not_null(ops.euclidean_distance, msg);
    tc_assert_shape(ops.euclidean_distance, 0, none, msg);
    tc_assert_float_close(ops.euclidean_distance->data[0], r.dist,
                          (n + 4) * u, 1e-30, msg);
    snprintf(msg, sizeof msg, "%s: dot_product", what);
    tc_assert_not_null(ops.dot_product, msg);
    tc_assert_shape(ops.dot_product, 0, none, msg);
    tc_assert_float_close(ops.dot_product->data[0], r.dot, 0,
                          (n + 2) * u * r.abs_dot + 1e-30, msg);

    vector_ops_release(&ops);
    ops_ref_free(&r);
}

/* 2-D inputs keep their shape in the element-wise results */
TC_TEST(test_operations_2d)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 203);
    Tensor *x = tc_randn_2d(&rng, 3, 5);
    Tensor *y = tc_randn_2d(&rng, 3, 5);
    check_operations(x, y, "vectorized_operations(3x5, 3x5)");
    tensor_free(y);
    tensor_free(x);
}

/* 0-d inputs: every result is 0-d; |3 - (-1)| = 4, 3 * -1 = -3 */
TC_TEST(test_operations_0d)
{
    const float a = 3.0f, b = -1.0f;
    Tensor *x = tc_tensor(0, NULL, &a);
    Tensor *y = tc_tensor(0, NULL, &b);
    check_operations(x, y, "vectorized_operations(0-d 3, 0-d -1)");
    tensor_free(y);
    tensor_free(x);
}

/* 1001 random elements (an odd tail for every SIMD width) */
TC_TEST(test_operations_random)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 204);
    const size_t shape[1] = {1001};
    Tensor *x = tc_randn(&rng, 1, shape);
    Tensor *y = tc_randn(&rng, 1, shape);
    Tensor *x0 = tensor_clone(x), *y0 = tensor_clone(y);
    tc_assert_not_null(x0, "tensor_clone");
    tc_assert_not_null(y0, "tensor_clone");
    check_operations(x, y, "vectorized_operations(random 1001)");
    tc_assert_exact(x, x0, "vectorized_operations modified x");
    tc_assert_exact(y, y0, "vectorized_operations modified y");
    /* x with itself: distance exactly 0, dot = sum x^2 */
    check_operations(x, x, "vectorized_operations(x, x)");
    tensor_free(y0);
    tensor_free(x0);
    tensor_free(y);
    tensor_free(x);
}

/*
 * 1000 elements, mostly finite, with a few infinities (inf * 0 = NaN in
 * element_wise_multiply; the sums become inf or NaN) and, in a second
 * pair, infinities of one sign only: dot and distance are +-inf, not NaN.
 */
TC_TEST(test_operations_special)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 205);
    const size_t shape[1] = {1000};
    Tensor *x = tc_randn(&rng, 1, shape), *y = tc_randn(&rng, 1, shape);
    x->data[10] = INFINITY;  y->data[10] = 0.0f;
    x->data[500] = 0.0f;     y->data[500] = -INFINITY;
    x->data[999] = NAN;
    check_operations(x, y, "vectorized_operations(random 1000 with inf * 0 and NaN)");
    tensor_free(y);
    tensor_free(x);
    x = tc_randn(&rng, 1, shape);
    y = tc_randn(&rng, 1, shape);
    x->data[3] = INFINITY;   y->data[3] = 2.0f;
    x->data[777] = 1.0f;     y->data[777] = -INFINITY;
    check_operations(x, y, "vectorized_operations(random 1000 with +inf and -inf)");
    tensor_free(y);
    tensor_free(x);
}

/* ---- errors --------------------------------------------------------------- */

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

/* a valid call, so that a stub fails every error test */
static void check_valid_call(void)
{
    static const float xv[] = {1, 2, 3, 4}, yv[] = {2, 3, 4, 5};
    Tensor *x = tc_vector(4, xv), *y = tc_vector(4, yv);
    check_operations(x, y, "vectorized_operations([1,2,3,4], [2,3,4,5])");
    tensor_free(y);
    tensor_free(x);
}

/* vectorized_relu(NULL); NULL x, y or out for vectorized_operations */
TC_TEST(test_errors_null)
{
    check_valid_call();
    Tensor *x = tensor_new_1d(4);
    tc_assert_not_null(x, "tensor_new_1d");

    tensor_clear_error();
    Tensor *r = vectorized_relu(NULL);
    tc_assert_error(r == NULL, "vectorized_relu(NULL)");
    expect_ops_error(NULL, x, "vectorized_operations(NULL, y, out)");
    expect_ops_error(x, NULL, "vectorized_operations(x, NULL, out)");
    tensor_clear_error();
    int rc = vectorized_operations(x, x, NULL);
    tc_assert_error(rc == -1, "vectorized_operations(x, y, NULL)");
    tensor_free(x);
}

/* shapes that differ: [4] vs [5], [2,3] vs [3,2], [4] vs [2,2], 0-d vs [1] */
TC_TEST(test_errors_shapes)
{
    check_valid_call();
    const size_t s22[2] = {2, 2}, s1[1] = {1};
    Tensor *a4 = tensor_new_1d(4), *a5 = tensor_new_1d(5);
    Tensor *m23 = tensor_new_2d(2, 3), *m32 = tensor_new_2d(3, 2);
    Tensor *m22 = tensor_new(2, s22), *v1 = tensor_new(1, s1);
    Tensor *s = tensor_scalar(1.0f);
    Tensor *all[] = {a4, a5, m23, m32, m22, v1, s};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tc_assert_not_null(all[i], "tensor_new");

    expect_ops_error(a4, a5, "vectorized_operations([4], [5])");
    expect_ops_error(a5, a4, "vectorized_operations([5], [4])");
    expect_ops_error(m23, m32, "vectorized_operations([2,3], [3,2])");
    expect_ops_error(a4, m22, "vectorized_operations([4], [2,2]) (same size)");
    expect_ops_error(s, v1, "vectorized_operations(0-d, [1]) (same size)");

    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tensor_free(all[i]);
}

static const TTest *const relu_special_tests[] = {
    TC_REF(test_relu_nan_inf), TC_REF(test_relu_shapes),
    TC_REF(test_relu_large), NULL,
};
static const TTest *const operations_shapes_tests[] = {
    TC_REF(test_operations_2d), TC_REF(test_operations_0d),
    TC_REF(test_operations_random), NULL,
};
static const TTest *const errors_tests[] = {
    TC_REF(test_errors_null), TC_REF(test_errors_shapes), NULL,
};

static const TTest *const operations_special_tests[] = {
    TC_REF(test_operations_special), NULL,
};

static const struct tc_case hidden_vectorized_cases[] = {
    {"relu_special", relu_special_tests, 0},
    {"operations_shapes", operations_shapes_tests, 0},
    {"errors", errors_tests, 0},
    {"operations_special", operations_special_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite hidden_vectorized_suite = {"hidden_vectorized",
                                                 hidden_vectorized_cases};
