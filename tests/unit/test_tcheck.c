/*
 * test_tcheck.c -- unit tests of harness/check/tcheck.c: the RNG, the
 * references, and that failing assertions really fail a test with a
 * message that says what differs (run in an inner CK_FORK SRunner).
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suites.h"
#include "tcheck.h"

/* ---- RNG --------------------------------------------------------------- */

START_TEST(test_rng_same_seed_same_sequence)
{
    struct tc_rng a, b;

    tc_rng_seed(&a, 42);
    tc_rng_seed(&b, 42);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(tc_rng_next(&a), tc_rng_next(&b));
    for (int i = 0; i < 1000; i++)
        ck_assert_float_eq(tc_rng_normal(&a), tc_rng_normal(&b));
}
END_TEST

START_TEST(test_rng_seeds_differ)
{
    struct tc_rng a, b;
    int same = 0;

    tc_rng_seed(&a, 1);
    tc_rng_seed(&b, 2);
    for (int i = 0; i < 100; i++)
        same += tc_rng_next(&a) == tc_rng_next(&b);
    ck_assert_int_lt(same, 5);
}
END_TEST

START_TEST(test_rng_seed_zero_is_usable)
{
    struct tc_rng r;
    uint64_t x = 0;

    tc_rng_seed(&r, 0);
    for (int i = 0; i < 10; i++)
        x |= tc_rng_next(&r);
    ck_assert_uint_ne(x, 0);
}
END_TEST

START_TEST(test_rng_uniform_range)
{
    struct tc_rng r;
    double sum = 0;

    tc_rng_seed(&r, 7);
    for (int i = 0; i < 100000; i++) {
        float u = tc_rng_uniform(&r, -2.0f, 3.0f);
        ck_assert(u >= -2.0f && u < 3.0f);
        sum += u;
    }
    ck_assert_double_eq_tol(sum / 100000, 0.5, 0.05);
}
END_TEST

START_TEST(test_rng_normal_moments)
{
    struct tc_rng r;
    double sum = 0, sumsq = 0, mean, var;
    const int n = 100000;

    tc_rng_seed(&r, 12345);
    for (int i = 0; i < n; i++) {
        double z = tc_rng_normal(&r);
        ck_assert(isfinite(z));
        sum += z;
        sumsq += z * z;
    }
    mean = sum / n;
    var = sumsq / n - mean * mean;
    ck_assert_double_eq_tol(mean, 0.0, 0.02);
    ck_assert_double_eq_tol(var, 1.0, 0.03);
}
END_TEST

START_TEST(test_randn_shape)
{
    struct tc_rng r;
    Tensor *t;

    tc_rng_seed(&r, 3);
    t = tc_randn_2d(&r, 4, 5);
    ck_assert_int_eq(t->ndim, 2);
    ck_assert_uint_eq(t->shape[0], 4);
    ck_assert_uint_eq(t->shape[1], 5);
    tensor_free(t);
}
END_TEST

/* ---- references -------------------------------------------------------- */

START_TEST(test_ref_quantize_rule)
{
    ck_assert_int_eq(tc_ref_quantize(0.5f, 1.0f), 0);
    ck_assert_int_eq(tc_ref_quantize(1.5f, 1.0f), 2);
    ck_assert_int_eq(tc_ref_quantize(2.5f, 1.0f), 2);
    ck_assert_int_eq(tc_ref_quantize(-0.5f, 1.0f), 0);
    ck_assert_int_eq(tc_ref_quantize(-1.5f, 1.0f), -2);
    ck_assert_int_eq(tc_ref_quantize(300.0f, 1.0f), 127);
    ck_assert_int_eq(tc_ref_quantize(-300.0f, 1.0f), -128);
    ck_assert_int_eq(tc_ref_quantize(127.4f, 1.0f), 127);
    ck_assert_int_eq(tc_ref_quantize(-128.4f, 1.0f), -128);
    ck_assert_int_eq(tc_ref_quantize(NAN, 1.0f), 0);
    ck_assert_int_eq(tc_ref_quantize(INFINITY, 1.0f), 127);
    ck_assert_int_eq(tc_ref_quantize(-INFINITY, 1.0f), -128);
    ck_assert_int_eq(tc_ref_quantize(1e30f, 1e-30f), 127);   /* x / scale = inf */
    ck_assert_int_eq(tc_ref_quantize(1.0f, 0.5f), 2);
}
END_TEST

START_TEST(test_ref_matmul_2x2)
{
    const float a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[4] = {19, 22, 43, 50};
    Tensor *A = tc_matrix(2, 2, a), *B = tc_matrix(2, 2, b);
    Tensor *want = tc_matrix(2, 2, c), *got = tc_ref_matmul(A, B);

    tc_assert_exact(got, want, "tc_ref_matmul");
    tensor_free(A);
    tensor_free(B);
    tensor_free(want);
    tensor_free(got);
}
END_TEST

START_TEST(test_ref_matmul_rectangular)
{
    const float a[6] = {1, 2, 3, 4, 5, 6}, b[3] = {1, 0, -1}, c[2] = {-2, -2};
    Tensor *A = tc_matrix(2, 3, a), *B = tc_matrix(3, 1, b);
    Tensor *want = tc_matrix(2, 1, c), *got = tc_ref_matmul(A, B);

    tc_assert_exact(got, want, "tc_ref_matmul");
    tensor_free(A);
    tensor_free(B);
    tensor_free(want);
    tensor_free(got);
}
END_TEST

START_TEST(test_ref_relu_keeps_nan)
{
    const float x[4] = {-1, 2, NAN, -0.0f}, y[4] = {0, 2, NAN, 0};
    Tensor *X = tc_vector(4, x), *want = tc_vector(4, y);
    Tensor *got = tc_ref_relu(X);

    tc_assert_exact(got, want, "tc_ref_relu");
    tensor_free(X);
    tensor_free(want);
    tensor_free(got);
}
END_TEST

START_TEST(test_ref_quantized_matmul)
{
    /* scale 0.5: A -> [[2, 4], [6, 8]], B -> [[2, 0], [0, 2]]. */
    const float a[4] = {1, 2, 3, 4}, b[4] = {1, 0, 0, 1};
    const float c[4] = {4 * 0.25f, 8 * 0.25f, 12 * 0.25f, 16 * 0.25f};
    Tensor *A = tc_matrix(2, 2, a), *B = tc_matrix(2, 2, b);
    Tensor *want = tc_matrix(2, 2, c);
    Tensor *got = tc_ref_quantized_matmul(A, B, 0.5f, 0.5f);

    tc_assert_exact(got, want, "tc_ref_quantized_matmul");
    tensor_free(A);
    tensor_free(B);
    tensor_free(want);
    tensor_free(got);
}
END_TEST

START_TEST(test_ref_quantized_relu)
{
    const float x[5] = {-3, 0.3f, 2.6f, 1000, NAN};
    const float y[5] = {0, 0, 3 * 1.0f, 127, 0};
    Tensor *X = tc_vector(5, x), *want = tc_vector(5, y);
    Tensor *got = tc_ref_quantized_relu(X, 1.0f);

    tc_assert_exact(got, want, "tc_ref_quantized_relu");
    tensor_free(X);
    tensor_free(want);
    tensor_free(got);
}
END_TEST

/* ---- passing assertions ------------------------------------------------ */

START_TEST(test_passing_assertions_return)
{
    const float a[3] = {1.0f, NAN, 0.0f}, b[3] = {1.000001f, NAN, -0.0f};
    const size_t dims[1] = {3};
    Tensor *A = tc_vector(3, a), *B = tc_vector(3, b);

    tc_assert_not_null(A, "A");
    tc_assert_shape(A, 1, dims, "A");
    tc_assert_close(A, B, 1e-5, 1e-8, "A vs B");
    tc_assert_float_close(1.0, 1.0 + 1e-9, 1e-6, 0, "x");
    tensor_set_error("a reason");
    tc_assert_error(1, "call");
    B->data[0] = 1.0f;
    tc_assert_exact(A, B, "A vs B");   /* NaN == NaN, -0 == 0 */
    tensor_free(A);
    tensor_free(B);
}
END_TEST

/* tc_exact() says true exactly where tc_assert_exact() passes. */
START_TEST(test_exact_predicate_agrees)
{
    float a[3] = {1.0f, NAN, 0.0f}, b[3] = {1.0f, NAN, -0.0f};
    Tensor A = {a, 3, 1, {3, 0, 0, 0}}, B = {b, 3, 1, {3, 0, 0, 0}};
    Tensor row = {b, 3, 2, {1, 3, 0, 0}};
    const uint32_t poison = TENSOR_POISON_BITS;

    ck_assert_int_eq(tc_exact(&A, &B), 1);          /* NaN == NaN, -0 == 0 */
    tc_assert_exact(&A, &B, "A vs B");
    ck_assert_int_eq(tc_exact(NULL, &B), 0);
    ck_assert_int_eq(tc_exact(&A, NULL), 0);
    ck_assert_int_eq(tc_exact(&A, &row), 0);        /* [3] against [1, 3] */
    b[0] = nextafterf(1.0f, 2.0f);
    ck_assert_int_eq(tc_exact(&A, &B), 0);          /* one ulp */
    b[0] = 1.0f;
    memcpy(&a[1], &poison, sizeof poison);          /* unwritten, a NaN too */
    ck_assert_int_eq(tc_exact(&A, &B), 0);
    ck_assert_int_eq(tc_exact(&B, &A), 0);
}
END_TEST

/* ---- failing assertions, run in an inner SRunner ----------------------- */

/*
 * Inner tests: each ends in a failing assertion (or, last, passes).  Their
 * tensors live on the stack: a failing assertion ends the process before
 * anything could be freed, and LeakSanitizer would complain.
 */
TC_TEST(inner_close_differs)
{
    float a[8] = {0}, b[8] = {0};
    const Tensor A = {a, 8, 2, {4, 2, 0, 0}}, B = {b, 8, 2, {4, 2, 0, 0}};

    a[7] = 4.5f;
    b[7] = 4.25f;
    a[2] = 1.0f;
    tc_assert_close(&A, &B, 1e-5, 1e-8, "A @ B");
}

TC_TEST(inner_exact_one_ulp)
{
    float a[2] = {1.0f, 0.1f}, b[2] = {1.0f, 0.1f};
    const Tensor A = {a, 2, 1, {2, 0, 0, 0}}, B = {b, 2, 1, {2, 0, 0, 0}};

    b[1] = nextafterf(0.1f, 1.0f);
    tc_assert_exact(&A, &B, "quantized");
}

TC_TEST(inner_shape_differs)
{
    float a[6] = {0}, b[6] = {0};
    const Tensor A = {a, 6, 2, {2, 3, 0, 0}}, B = {b, 6, 2, {3, 2, 0, 0}};

    tc_assert_close(&A, &B, 0, 0, "A @ B");
}

TC_TEST(inner_not_null)
{
    tensor_set_error("matmul_baseline: inner dimensions differ");
    tc_assert_not_null(NULL, "matmul_baseline(A, B)");
}

TC_TEST(inner_not_null_no_reason)
{
    tensor_clear_error();
    tc_assert_not_null(NULL, "matmul_baseline(A, B)");
}

TC_TEST(inner_error_succeeded)
{
    tc_assert_error(0, "matmul_baseline(NULL, B)");
}

TC_TEST(inner_error_no_reason)
{
    tensor_clear_error();
    tc_assert_error(1, "matmul_baseline(NULL, B)");
}

TC_TEST(inner_nan_vs_number)
{
    float a[1] = {NAN}, b[1] = {1};
    const Tensor A = {a, 1, 1, {1, 0, 0, 0}}, B = {b, 1, 1, {1, 0, 0, 0}};

    tc_assert_close(&A, &B, 1e-5, 1e-8, "relu");
}

TC_TEST(inner_float_close)
{
    tc_assert_float_close(2.0, 1.0, 1e-5, 1e-8, "dot_product");
}

TC_TEST(inner_passes) {}

TC_TEST(inner_exits_early)
{
    exit(0);
}

/* An element of a tensor_empty() result that nobody wrote, in a 2x3. */
TC_TEST(inner_unwritten)
{
    const size_t shape[2] = {2, 3};
    Tensor *y = tensor_empty(2, shape);
    Tensor *e = tensor_new(2, shape);
    for (size_t i = 0; i < 4; i++)
        y->data[i] = 0.0f;
    y->data[5] = 0.0f;   /* [1, 1] is left as tensor_empty() gave it */
    e->data[4] = NAN;    /* an expected NaN must not excuse it */
    tc_assert_exact(y, e, "relu");
}

/* The poison after arithmetic (sign flipped, quiet bit set) is still told. */
TC_TEST(inner_unwritten_sum)
{
    Tensor *y = tensor_empty(1, (const size_t[]){2});
    Tensor *e = tensor_new_1d(2);
    y->data[0] = 0.0f;
    y->data[1] = -(y->data[1] + 1.0f);
    tc_assert_close(y, e, 1e-5, 1e-8, "A @ B");
}

/*
 * Unwritten elements are told before any difference, the result's before
 * the compared one's: [0] differs, [2] is unwritten in e, and [1] in y
 * unless `y_written`.
 */
static void unwritten_order(int y_written)
{
    Tensor *y = tensor_empty(1, (const size_t[]){4});
    Tensor *e = tensor_empty(1, (const size_t[]){4});
    y->data[0] = 5.0f;
    y->data[2] = y->data[3] = 0.0f;
    if (y_written)
        y->data[1] = 0.0f;
    e->data[0] = e->data[1] = e->data[3] = 0.0f;
    tc_assert_exact(y, e, "op");
}

TC_TEST(inner_unwritten_result_first)
{
    unwritten_order(0);
}

TC_TEST(inner_unwritten_expected)
{
    unwritten_order(1);
}

/* An infinity is not close to a finite value, whatever rtol says. */
TC_TEST(inner_inf_vs_number)
{
    Tensor *y = tensor_scalar(5.0f), *e = tensor_scalar(INFINITY);
    tc_assert_close(y, e, 1e-5, 1e-8, "dot");
}

/* A thread count that is neither W nor W - 1. */
TC_TEST(inner_workers)
{
    tc_assert_workers(tc_threads_started(), 4, "parallel_relu(x, 4)");
}

/* Runs one inner test as the runner does; returns its result type. */
static int run_inner(const TTest *t, char *msg, size_t n)
{
    SRunner *sr;
    Suite *s = suite_create("inner");
    TCase *tc = tcase_create("inner");
    TestResult **tr;
    int rtype;

    _tcase_add_test(tc, t, 0, TC_EXIT_PASSED, 0, 1);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_FORK);
    /* Explicit names, so CK_RUN_SUITE=tcheck cannot filter the inner run. */
    srunner_run(sr, "inner", "inner", CK_SILENT);
    ck_assert_int_eq(srunner_ntests_run(sr), 1);
    tr = srunner_results(sr);
    rtype = tr_rtype(tr[0]);
    snprintf(msg, n, "%s", tr_msg(tr[0]) ? tr_msg(tr[0]) : "");
    free(tr);
    srunner_free(sr);
    return rtype;
}

/* The inner test must fail with exactly this message. */
static void assert_inner_fails(const TTest *t, const char *want)
{
    char msg[512];

    ck_assert_int_eq(run_inner(t, msg, sizeof msg), CK_FAILURE);
    ck_assert_str_eq(msg, want);
}

START_TEST(test_close_failure_names_element)
{
    assert_inner_fails(TC_REF(inner_close_differs),
                       "A @ B: at [1, 0] expected 0, got 1 (|diff| 1 > tol 1e-08); "
                       "2 of 8 elements differ");
}
END_TEST

START_TEST(test_exact_failure_shows_ulp)
{
    assert_inner_fails(TC_REF(inner_exact_one_ulp),
                       "quantized: at [1] expected 0.100000009, got 0.100000001 "
                       "(must be exact); 1 of 2 elements differ");
}
END_TEST

START_TEST(test_shape_failure)
{
    assert_inner_fails(TC_REF(inner_shape_differs),
                       "A @ B: shape (2, 3), expected (3, 2)");
}
END_TEST

START_TEST(test_not_null_failure_has_reason)
{
    assert_inner_fails(TC_REF(inner_not_null),
                       "matmul_baseline(A, B) returned NULL (kernels said: "
                       "matmul_baseline: inner dimensions differ)");
    assert_inner_fails(TC_REF(inner_not_null_no_reason),
                       "matmul_baseline(A, B) returned NULL (kernels said: "
                       "no reason given)");
}
END_TEST

START_TEST(test_error_assertion_failures)
{
    assert_inner_fails(TC_REF(inner_error_succeeded),
                       "matmul_baseline(NULL, B): expected an error, but the "
                       "call succeeded");
    assert_inner_fails(TC_REF(inner_error_no_reason),
                       "matmul_baseline(NULL, B): failed without a reason: "
                       "call tensor_set_error()");
}
END_TEST

START_TEST(test_nan_and_float_failures)
{
    assert_inner_fails(TC_REF(inner_nan_vs_number),
                       "relu: at [0] expected 1, got nan (NaN matches only "
                       "NaN, an infinity only itself); 1 of 1 elements differ");
    assert_inner_fails(TC_REF(inner_float_close),
                       "dot_product: expected 1, got 2 (|diff| 1 > tol 1e-05)");
}
END_TEST

START_TEST(test_unwritten_elements_fail)
{
    tensor_set_poison(1);
    assert_inner_fails(TC_REF(inner_unwritten),
                       "relu: at [1, 1] the element was never written (it still holds "
                       "the NaN that tensor_empty() fills new tensors with in the tests, "
                       "or a sum started from it); 1 of 6 elements unwritten");
    assert_inner_fails(TC_REF(inner_unwritten_sum),
                       "A @ B: at [1] the element was never written (it still holds "
                       "the NaN that tensor_empty() fills new tensors with in the tests, "
                       "or a sum started from it); 1 of 2 elements unwritten");
    assert_inner_fails(TC_REF(inner_unwritten_result_first),
                       "op: at [1] the element was never written (it still holds "
                       "the NaN that tensor_empty() fills new tensors with in the tests, "
                       "or a sum started from it); 1 of 4 elements unwritten");
    assert_inner_fails(TC_REF(inner_unwritten_expected),
                       "op: at [2] the element (in the result compared with) was never "
                       "written (it still holds the NaN that tensor_empty() fills new "
                       "tensors with in the tests, or a sum started from it); 1 of 4 "
                       "elements unwritten");
    tensor_set_poison(0);
}
END_TEST

START_TEST(test_inf_matches_only_itself)
{
    assert_inner_fails(TC_REF(inner_inf_vs_number),
                       "dot: expected inf, got 5 (NaN matches only NaN, an infinity "
                       "only itself); 1 of 1 elements differ");
}
END_TEST

/* The unit tests are linked without --wrap: the thread test says so. */
START_TEST(test_workers_need_the_wrap)
{
    ck_assert_int_eq(tc_threads_counted(), 0);
    assert_inner_fails(TC_REF(inner_workers),
                       "parallel_relu(x, 4): this test program cannot count threads: "
                       "it was not linked with -Wl,--wrap=pthread_create (a build "
                       "problem, not your code)");
}
END_TEST

/* ---- holding a kernel's worker until its caller joins it ---------------- */

/* What the test programs' pthread_join() is (--wrap); here it only notes
 * the join, since the unit tests link without the flag. */
int __wrap_pthread_join(pthread_t thread, void **ret);

static atomic_int hold_joining;    /* set by the caller just before it joins */

static void *hold_worker(void *arg)
{
    tc_hold_until_join();
    *(int *)arg = atomic_load(&hold_joining);   /* 1: held until the join */
    return NULL;
}

/* Runs hold_worker on a thread, the caller watching (or not); returns what
 * the worker saw when its hold ended. */
static int hold_run(int watch)
{
    pthread_t t;
    int seen = -1;
    atomic_store(&hold_joining, 0);
    tc_join_watch(watch);
    ck_assert_int_eq(pthread_create(&t, NULL, hold_worker, &seen), 0);
    nanosleep(&(struct timespec){0, 5000000}, NULL);   /* 5 ms: the worker is waiting */
    atomic_store(&hold_joining, 1);
    __wrap_pthread_join(t, NULL);                      /* ENOSYS here: no --wrap */
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    tc_join_watch(0);
    return seen;
}

/* A watched worker waits for its caller's join (TC_HOLD_MS at most, far
 * more than the 5 ms here); unwatched, or on the caller, nobody waits. */
START_TEST(test_hold_until_join)
{
    ck_assert_int_eq(hold_run(1), 1);
    ck_assert_int_eq(hold_run(0), 0);
    tc_join_watch(1);
    tc_hold_until_join();          /* the caller itself: returns at once */
    tc_join_watch(0);
}
END_TEST

/* Without a grading seed the literal case runs; with one, random values
 * on the grid, the same for the same seed, and failures say why. */
START_TEST(test_grading_seed)
{
    static const float lit[] = {1, 2, 3, 4, 5, 6};
    const size_t shape[2] = {2, 3};
    struct tc_rng r1, r2, plain;

    tc_set_grading_seed(0, 0);
    ck_assert_int_eq(tc_seeded(), 0);
    tc_rng_seed_case(&r1, 5);
    tc_rng_seed(&plain, 5);
    ck_assert_uint_eq(tc_rng_next(&r1), tc_rng_next(&plain));
    Tensor *t = tc_case_input(&r1, 2, shape, lit, -9, 9, 1);
    for (size_t i = 0; i < 6; i++)
        ck_assert_float_eq(t->data[i], lit[i]);
    tensor_free(t);

    tc_set_grading_seed(1, 77);
    ck_assert_int_eq(tc_seeded(), 1);
    tc_rng_seed_case(&r1, 5);
    tc_rng_seed_case(&r2, 5);
    Tensor *a = tc_case_input(&r1, 2, shape, lit, -9, 9, 1);
    Tensor *b = tc_case_input(&r2, 2, shape, lit, -9, 9, 1);
    int same_as_literal = 1;
    for (size_t i = 0; i < 6; i++) {
        ck_assert_float_eq(a->data[i], b->data[i]);
        ck_assert(a->data[i] >= -9 && a->data[i] <= 9 && a->data[i] == floorf(a->data[i]));
        same_as_literal &= a->data[i] == lit[i];
    }
    ck_assert_int_eq(same_as_literal, 0);
    ck_assert_int_eq(a->ndim, 2);
    tensor_free(b);
    tensor_free(a);
    char msg[512];
    ck_assert_int_eq(run_inner(TC_REF(inner_float_close), msg, sizeof msg), CK_FAILURE);
    ck_assert_ptr_nonnull(strstr(msg, "[grading run: the test's inputs were replaced"));
    tc_set_grading_seed(0, 0);
}
END_TEST

START_TEST(test_exit_test_semantics)
{
    char msg[512];

    ck_assert_int_eq(run_inner(TC_REF(inner_passes), msg, sizeof msg), CK_PASS);
    ck_assert_int_eq(run_inner(TC_REF(inner_exits_early), msg, sizeof msg),
                     CK_ERROR);
    ck_assert_str_eq(msg, "Early exit with return value 0");
}
END_TEST

Suite *tcheck_suite(void)
{
    Suite *s = suite_create("tcheck");
    TCase *tc = tcase_create("rng");

    tcase_add_test(tc, test_rng_same_seed_same_sequence);
    tcase_add_test(tc, test_rng_seeds_differ);
    tcase_add_test(tc, test_rng_seed_zero_is_usable);
    tcase_add_test(tc, test_rng_uniform_range);
    tcase_add_test(tc, test_rng_normal_moments);
    tcase_add_test(tc, test_randn_shape);
    suite_add_tcase(s, tc);

    tc = tcase_create("reference");
    tcase_add_test(tc, test_ref_quantize_rule);
    tcase_add_test(tc, test_ref_matmul_2x2);
    tcase_add_test(tc, test_ref_matmul_rectangular);
    tcase_add_test(tc, test_ref_relu_keeps_nan);
    tcase_add_test(tc, test_ref_quantized_matmul);
    tcase_add_test(tc, test_ref_quantized_relu);
    suite_add_tcase(s, tc);

    tc = tcase_create("assert");
    tcase_add_test(tc, test_passing_assertions_return);
    tcase_add_test(tc, test_exact_predicate_agrees);
    tcase_add_test(tc, test_close_failure_names_element);
    tcase_add_test(tc, test_exact_failure_shows_ulp);
    tcase_add_test(tc, test_shape_failure);
    tcase_add_test(tc, test_not_null_failure_has_reason);
    tcase_add_test(tc, test_error_assertion_failures);
    tcase_add_test(tc, test_nan_and_float_failures);
    tcase_add_test(tc, test_exit_test_semantics);
    tcase_add_test(tc, test_unwritten_elements_fail);
    tcase_add_test(tc, test_inf_matches_only_itself);
    tcase_add_test(tc, test_workers_need_the_wrap);
    tcase_add_test(tc, test_grading_seed);
    tcase_add_test(tc, test_hold_until_join);
    suite_add_tcase(s, tc);
    return s;
}
