/*
 * test_vectorized.c -- visible suite "vectorized": the seed's
 * test_unit_vectorized_operations.
 *
 *   relu        relu([-2,-1,0,1,2]), and the output keeps a 2-D and a 0-d
 *               input's shape
 *   operations  the five results of vectorized_operations on x=[1,2,3,4],
 *               y=[2,3,4,5], including euclidean_distance (never asserted
 *               by the seed)
 */
#include "kernels.h"
#include "suites.h"

/* Runs vectorized_relu on a literal tensor and compares with `expected`. */
static void check_relu(int ndim, const size_t shape[], const float *in,
                       const float *expected, const char *what)
{
    Tensor *x = tc_tensor(ndim, shape, in);
    Tensor *e = tc_tensor(ndim, shape, expected);
    Tensor *y = vectorized_relu(x);
    tc_assert_not_null(y, what);
    tc_assert_shape(y, ndim, shape, what);
    tc_assert_close(y, e, 1e-5, 1e-8, what);
    tensor_free(y);
    tensor_free(e);
    tensor_free(x);
}

/* seed test 2, case 1: relu([-2,-1,0,1,2]) = [0,0,0,1,2] */
TC_TEST(test_relu_vector)
{
    static const float in[] = {-2, -1, 0, 1, 2};
    static const float e[] = {0, 0, 0, 1, 2};
    const size_t shape[1] = {5};
    check_relu(1, shape, in, e, "vectorized_relu([-2,-1,0,1,2])");
}

/* not in the seed: "any shape" -- a 2-D input keeps its (2, 3) shape */
TC_TEST(test_relu_matrix)
{
    static const float in[] = {-1, 2, -3, 4, -5, 6};
    static const float e[] = {0, 2, 0, 4, 0, 6};
    const size_t shape[2] = {2, 3};
    check_relu(2, shape, in, e, "vectorized_relu(2x3 matrix)");
}

/* not in the seed: a 0-d scalar stays 0-d, negative and positive */
TC_TEST(test_relu_scalar)
{
    static const float neg = -3.5f, zero = 0.0f, pos = 2.5f;
    const size_t none[1] = {0};
    check_relu(0, none, &neg, &zero, "vectorized_relu(scalar -3.5)");
    check_relu(0, none, &pos, &pos, "vectorized_relu(scalar 2.5)");
}

/* Asserts that a result of vectorized_operations is a 0-d scalar near `expected`. */
static void check_scalar(const Tensor *t, double expected, const char *what)
{
    const size_t none[1] = {0};
    tc_assert_not_null(t, what);
    tc_assert_shape(t, 0, none, what);
    tc_assert_float_close(t->data[0], expected, 1e-5, 1e-6, what);
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

/* seed test 2, case 2: x=[1,2,3,4], y=[2,3,4,5] */
TC_TEST(test_operations_seed)
{
    static const float xv[] = {1, 2, 3, 4};
    static const float yv[] = {2, 3, 4, 5};
    static const float mul[] = {2, 6, 12, 20};
    static const float add[] = {3, 5, 7, 9};
    static const float sqd[] = {1, 1, 1, 1};
    Tensor *x = tc_vector(4, xv);
    Tensor *y = tc_vector(4, yv);
    VectorOps ops = {0};

    int rc = vectorized_operations(x, y, &ops);
    ck_assert_msg(rc == 0, "vectorized_operations([1,2,3,4], [2,3,4,5]) "
                  "returned %d, expected 0 (reason: \"%s\")", rc,
                  kernels_last_error());
    check_elementwise(ops.element_wise_multiply, mul, "element_wise_multiply");
    check_elementwise(ops.element_wise_add, add, "element_wise_add");
    check_elementwise(ops.squared_difference, sqd, "squared_difference");
    /* sqrt(1+1+1+1): the seed computed it but never checked it */
    check_scalar(ops.euclidean_distance, 2.0, "euclidean_distance");
    check_scalar(ops.dot_product, 40.0, "dot_product (1*2+2*3+3*4+4*5)");

    vector_ops_release(&ops);
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

static const struct tc_case vectorized_cases[] = {
    {"relu", relu_tests, 0},
    {"operations", operations_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite vectorized_suite = {"vectorized", vectorized_cases};
