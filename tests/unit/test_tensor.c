/*
 * test_tensor.c -- unit tests of harness/tensor/tensor.c: constructors,
 * shape queries, printing and the per-thread error message.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"
#include "tensor.h"

/* What tensor_fprint() writes for t, in a buffer the caller frees. */
static char *print_to_string(const Tensor *t, size_t max_items)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(tensor_fprint(f, t, max_items), 0);
    ck_assert_int_eq(fclose(f), 0);
    return buf;
}

/* Checks that tensor_fprint(t, max_items) writes exactly `want`. */
static void assert_prints(const Tensor *t, size_t max_items, const char *want)
{
    char *got = print_to_string(t, max_items);

    ck_assert_str_eq(got, want);
    free(got);
}

/* A tensor 0, 1, 2, ... of the given shape. */
static Tensor *arange(int ndim, const size_t shape[])
{
    Tensor *t = tensor_new(ndim, shape);

    ck_assert_ptr_nonnull(t);
    for (size_t i = 0; i < t->size; i++)
        t->data[i] = (float)i;
    return t;
}

/* ---- construction ------------------------------------------------------ */

START_TEST(test_new_shape_and_zero_fill)
{
    const size_t shape[3] = {2, 3, 4};
    Tensor *t = tensor_new(3, shape);

    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->ndim, 3);
    ck_assert_uint_eq(t->size, 24);
    ck_assert_uint_eq(t->shape[0], 2);
    ck_assert_uint_eq(t->shape[1], 3);
    ck_assert_uint_eq(t->shape[2], 4);
    ck_assert_uint_eq(t->shape[3], 0);
    for (size_t i = 0; i < t->size; i++)
        ck_assert_float_eq(t->data[i], 0.0f);
    tensor_free(t);
}
END_TEST

START_TEST(test_data_is_aligned)
{
    /* Odd sizes too: alignment must not depend on the element count. */
    for (size_t n = 1; n <= 70; n++) {
        Tensor *t = tensor_new_1d(n);
        ck_assert_ptr_nonnull(t);
        ck_assert_uint_eq((uintptr_t)t->data % TENSOR_ALIGN, 0);
        tensor_free(t);
    }
}
END_TEST

START_TEST(test_scalar_is_0d)
{
    Tensor *t = tensor_scalar(2.5f);

    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(tensor_ndim(t), 0);
    ck_assert_uint_eq(tensor_size(t), 1);
    ck_assert_float_eq(t->data[0], 2.5f);
    ck_assert_uint_eq(tensor_dim(t, 0), 0);
    tensor_free(t);

    t = tensor_new(0, NULL);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(t->size, 1);
    ck_assert_float_eq(t->data[0], 0.0f);
    tensor_free(t);
}
END_TEST

START_TEST(test_shorthands)
{
    Tensor *v = tensor_new_1d(5), *m = tensor_new_2d(2, 7);

    ck_assert_ptr_nonnull(v);
    ck_assert_ptr_nonnull(m);
    ck_assert_int_eq(tensor_ndim(v), 1);
    ck_assert_uint_eq(tensor_dim(v, 0), 5);
    ck_assert_int_eq(tensor_ndim(m), 2);
    ck_assert_uint_eq(tensor_dim(m, 0), 2);
    ck_assert_uint_eq(tensor_dim(m, 1), 7);
    ck_assert_uint_eq(tensor_dim(m, 2), 0);
    ck_assert_uint_eq(tensor_dim(m, -1), 0);
    ck_assert_uint_eq(tensor_size(m), 14);
    tensor_free(v);
    tensor_free(m);
}
END_TEST

START_TEST(test_from_copies_values)
{
    const size_t shape[2] = {2, 2};
    float values[4] = {1, 2, 3, 4};
    Tensor *t = tensor_from(2, shape, values);

    ck_assert_ptr_nonnull(t);
    values[0] = 99;   /* the tensor holds a copy */
    ck_assert_float_eq(t->data[0], 1.0f);
    ck_assert_float_eq(t->data[3], 4.0f);
    tensor_free(t);

    tensor_clear_error();
    ck_assert_ptr_null(tensor_from(2, shape, NULL));
    ck_assert_str_ne(tensor_last_error(), "");
}
END_TEST

START_TEST(test_clone_is_deep)
{
    const size_t shape[2] = {3, 2};
    Tensor *t = arange(2, shape), *c = tensor_clone(t);

    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_ne(c->data, t->data);
    ck_assert(tensor_same_shape(c, t));
    ck_assert_int_eq(memcmp(c->data, t->data, t->size * sizeof(float)), 0);
    ck_assert_uint_eq((uintptr_t)c->data % TENSOR_ALIGN, 0);
    t->data[0] = 42;
    ck_assert_float_eq(c->data[0], 0.0f);
    tensor_free(t);
    tensor_free(c);

    tensor_clear_error();
    ck_assert_ptr_null(tensor_clone(NULL));
    ck_assert_str_ne(tensor_last_error(), "");
}
END_TEST

/* A bad shape gives NULL and a message containing `needle`. */
static void assert_bad_shape(int ndim, const size_t shape[], const char *needle)
{
    tensor_clear_error();
    ck_assert_ptr_null(tensor_new(ndim, shape));
    ck_assert_msg(strstr(tensor_last_error(), needle) != NULL,
                  "error '%s' lacks '%s'", tensor_last_error(), needle);
}

START_TEST(test_bad_shapes_return_null)
{
    const size_t shape[5] = {2, 2, 2, 2, 2};
    const size_t zero[2] = {3, 0};
    const size_t huge[2] = {SIZE_MAX / 2, 3};
    const size_t bytes_overflow[1] = {SIZE_MAX / 4 + 1};

    assert_bad_shape(-1, shape, "ndim -1");
    assert_bad_shape(5, shape, "ndim 5");
    assert_bad_shape(2, zero, "dimension 1 is 0");
    assert_bad_shape(2, huge, "overflow");
    assert_bad_shape(1, bytes_overflow, "overflow");
    assert_bad_shape(2, NULL, "NULL");
    tensor_clear_error();
    ck_assert_ptr_null(tensor_new_2d(0, 4));
    ck_assert_str_ne(tensor_last_error(), "");
}
END_TEST

START_TEST(test_free_null_and_null_queries)
{
    tensor_free(NULL);
    ck_assert_uint_eq(tensor_size(NULL), 0);
    ck_assert_int_eq(tensor_ndim(NULL), -1);
    ck_assert_uint_eq(tensor_dim(NULL, 0), 0);
    ck_assert_int_eq(tensor_same_shape(NULL, NULL), 0);
}
END_TEST

START_TEST(test_same_shape)
{
    Tensor *a = tensor_new_2d(2, 3), *b = tensor_new_2d(2, 3);
    Tensor *c = tensor_new_2d(3, 2), *d = tensor_new_1d(6);

    ck_assert_int_eq(tensor_same_shape(a, b), 1);
    ck_assert_int_eq(tensor_same_shape(a, c), 0);
    ck_assert_int_eq(tensor_same_shape(a, d), 0);
    ck_assert_int_eq(tensor_same_shape(a, NULL), 0);
    tensor_free(a);
    tensor_free(b);
    tensor_free(c);
    tensor_free(d);
}
END_TEST

/* ---- shape_str and fprint ------------------------------------------------ */

START_TEST(test_shape_str)
{
    char buf[64];
    Tensor *m = tensor_new_2d(2, 3), *v = tensor_new_1d(5), *s = tensor_scalar(1);

    ck_assert_str_eq(tensor_shape_str(m, buf, sizeof buf), "(2, 3)");
    ck_assert_str_eq(tensor_shape_str(v, buf, sizeof buf), "(5,)");
    ck_assert_str_eq(tensor_shape_str(s, buf, sizeof buf), "()");
    ck_assert_str_eq(tensor_shape_str(NULL, buf, sizeof buf), "NULL");
    /* Truncated, but still terminated. */
    ck_assert_str_eq(tensor_shape_str(m, buf, 4), "(2,");
    ck_assert_ptr_eq(tensor_shape_str(m, buf, 0), buf);
    tensor_free(m);
    tensor_free(v);
    tensor_free(s);
}
END_TEST

START_TEST(test_fprint_small)
{
    const size_t s1[1] = {3}, s2[2] = {2, 2}, s3[3] = {2, 2, 2};
    Tensor *v = arange(1, s1), *m = arange(2, s2), *c = arange(3, s3);
    Tensor *s = tensor_scalar(0.5f);

    m->data[3] = 4.25f;
    assert_prints(s, 0, "0.5");
    assert_prints(v, 0, "[0, 1, 2]");
    assert_prints(m, 0, "[[0, 1],\n [2, 4.25]]");
    assert_prints(c, 0, "[[[0, 1],\n  [2, 3]],\n\n [[4, 5],\n  [6, 7]]]");
    assert_prints(NULL, 0, "NULL");
    tensor_free(v);
    tensor_free(m);
    tensor_free(c);
    tensor_free(s);
}
END_TEST

START_TEST(test_fprint_special_values)
{
    const float vals[3] = {NAN, INFINITY, -INFINITY};
    const size_t shape[1] = {3};
    Tensor *t = tensor_from(1, shape, vals);

    ck_assert_ptr_nonnull(t);
    assert_prints(t, 0, "[nan, inf, -inf]");
    tensor_free(t);
}
END_TEST

START_TEST(test_fprint_elides_middle)
{
    const size_t s1[1] = {10}, s2[2] = {8, 8};
    Tensor *v = arange(1, s1), *m = arange(2, s2);
    char *out;

    assert_prints(v, 5, "[0, 1, 2, ..., 7, 8, 9]");
    assert_prints(v, 10, "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]");   /* not over */
    out = print_to_string(m, 20);
    ck_assert_str_eq(out, "[[0, 1, 2, ..., 5, 6, 7],\n"
                          " [8, 9, 10, ..., 13, 14, 15],\n"
                          " [16, 17, 18, ..., 21, 22, 23],\n"
                          " ...,\n"
                          " [40, 41, 42, ..., 45, 46, 47],\n"
                          " [48, 49, 50, ..., 53, 54, 55],\n"
                          " [56, 57, 58, ..., 61, 62, 63]]");
    free(out);
    out = print_to_string(m, 0);   /* 0: everything */
    ck_assert_ptr_null(strstr(out, "..."));
    free(out);
    tensor_free(v);
    tensor_free(m);
}
END_TEST

START_TEST(test_fprint_write_error)
{
    /* A read-only stream fails every write. */
    FILE *f = tmpfile();
    FILE *ro;
    Tensor *t = tensor_new_2d(2, 2);

    ck_assert_ptr_nonnull(f);
    ro = fdopen(dup(fileno(f)), "r");
    ck_assert_ptr_nonnull(ro);
    ck_assert_int_eq(tensor_fprint(ro, t, 0), -1);
    fclose(ro);
    fclose(f);
    tensor_free(t);
}
END_TEST

/* ---- errors ------------------------------------------------------------ */

START_TEST(test_error_set_and_clear)
{
    char longmsg[600];

    tensor_clear_error();
    ck_assert_str_eq(tensor_last_error(), "");
    tensor_set_error("bad %s %d", "block_size", 0);
    ck_assert_str_eq(tensor_last_error(), "bad block_size 0");
    tensor_clear_error();
    ck_assert_str_eq(tensor_last_error(), "");

    memset(longmsg, 'x', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    tensor_set_error("%s", longmsg);   /* truncated, not overflowed */
    ck_assert_uint_lt(strlen(tensor_last_error()), 600);
    ck_assert_uint_gt(strlen(tensor_last_error()), 100);
}
END_TEST

/* Thread body: reports what it sees, then sets its own error. */
static void *error_thread(void *arg)
{
    char *seen = arg;

    snprintf(seen, 64, "%s", tensor_last_error());
    tensor_set_error("thread error");
    return NULL;
}

START_TEST(test_error_is_per_thread)
{
    char seen[64] = "unset";
    pthread_t th;

    tensor_set_error("main error");
    ck_assert_int_eq(pthread_create(&th, NULL, error_thread, seen), 0);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    ck_assert_str_eq(seen, "");
    ck_assert_str_eq(tensor_last_error(), "main error");
}
END_TEST

/* tensor_empty: the shape of tensor_new, aligned, writable. */
START_TEST(test_empty_shape)
{
    const size_t shape[3] = {2, 3, 5};
    Tensor *t = tensor_empty(3, shape);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->ndim, 3);
    ck_assert_uint_eq(t->size, 30);
    ck_assert_uint_eq((uintptr_t)t->data % TENSOR_ALIGN, 0);
    for (size_t i = 0; i < t->size; i++)
        t->data[i] = (float)i;
    ck_assert_float_eq(t->data[29], 29.0f);
    tensor_free(t);
    const size_t bad[1] = {0};
    ck_assert_ptr_null(tensor_empty(1, bad));
    ck_assert_str_ne(tensor_last_error(), "");
}
END_TEST

/*
 * A large block freed and reused by the cache: tensor_new() still gives
 * zeros, and two live tensors never share a block.
 */
START_TEST(test_cached_block_is_zeroed_and_not_shared)
{
    const size_t n = (4u << 20) / sizeof(float);   /* 4 MiB: cached */
    Tensor *a = tensor_new_1d(n);
    ck_assert_ptr_nonnull(a);
    for (size_t i = 0; i < n; i++)
        a->data[i] = 1.0f;

    tensor_free(a);
    Tensor *b = tensor_new_1d(n), *c = tensor_new_1d(n);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_ne(b->data, c->data);
    size_t nonzero = 0;   /* one assertion, not one per element (valgrind) */
    for (size_t i = 0; i < n; i++)
        nonzero += b->data[i] != 0.0f || c->data[i] != 0.0f;
    ck_assert_uint_eq(nonzero, 0);
    tensor_free(b);
    tensor_free(c);
}
END_TEST

/*
 * Poison on: tensor_empty() blocks hold the poison NaN, fresh or
 * recycled from the cache with the right values still in them;
 * tensor_new() still zero-fills; tensor_is_poison() ignores the sign
 * and quiet bit arithmetic may change, and nothing else.
 */
START_TEST(test_poisoned_empty_blocks)
{
    const size_t small[1] = {37}, big[1] = {(4u << 20) / sizeof(float)};
    tensor_set_poison(1);
    Tensor *s = tensor_empty(1, small);
    ck_assert_ptr_nonnull(s);
    size_t clean = 0;
    for (size_t i = 0; i < s->size; i++)
        clean += !tensor_is_poison(s->data[i]);
    ck_assert_uint_eq(clean, 0);
    ck_assert(isnan(s->data[0]));
    ck_assert(tensor_is_poison(-s->data[0]));
    ck_assert(tensor_is_poison(s->data[0] + 1.0f));
    tensor_free(s);

    Tensor *a = tensor_empty(1, big);
    ck_assert_ptr_nonnull(a);
    for (size_t i = 0; i < a->size; i++)
        a->data[i] = 2.0f;
    tensor_free(a);                   /* cached, holding 2.0f everywhere */
    Tensor *b = tensor_empty(1, big);
    clean = 0;
    for (size_t i = 0; i < b->size; i++)
        clean += !tensor_is_poison(b->data[i]);
    ck_assert_uint_eq(clean, 0);
    tensor_free(b);
    Tensor *z = tensor_new(1, small);
    ck_assert_float_eq(z->data[36], 0.0f);
    tensor_free(z);

    ck_assert(!tensor_is_poison(NAN));
    ck_assert(!tensor_is_poison(-NAN));
    ck_assert(!tensor_is_poison(INFINITY));
    ck_assert(!tensor_is_poison(0.0f));
    tensor_set_poison(0);
}
END_TEST

/*
 * The guard after the last element: intact after in-bounds writes; broken
 * by a store past the end, and by `+= 0.0f` past the end (a zero-padding
 * row stored one row too far), which leaves a quiet NaN's bits alone;
 * a read past the end is a NaN; tensor_free() counts the overrun.
 */
START_TEST(test_guard_catches_writes_past_the_end)
{
    const size_t shape[1] = {37};
    Tensor *t = tensor_new(1, shape);
    ck_assert_ptr_nonnull(t);
    for (size_t i = 0; i < t->size; i++)
        t->data[i] = (float)i;
    ck_assert_int_eq(tensor_guard_intact(t), 1);
    volatile float past = t->data[t->size];          /* a read spoils */
    ck_assert(isnan(past + 1.0f));
    ck_assert_int_eq(tensor_guard_intact(t), 1);

    const size_t before = tensor_overrun_count();
    volatile float zero = 0.0f;                      /* not folded away */
    t->data[t->size + 3] += zero;
    ck_assert_int_eq(tensor_guard_intact(t), 0);
    tensor_free(t);
    ck_assert_uint_eq(tensor_overrun_count(), before + 1);

    Tensor *u = tensor_new(1, shape);
    ck_assert_ptr_nonnull(u);
    memcpy(&u->data[u->size], &u->data[0], sizeof(float));   /* a plain store */
    ck_assert_int_eq(tensor_guard_intact(u), 0);
    tensor_free(u);
    ck_assert(!tensor_is_poison(past));
}
END_TEST

Suite *tensor_suite(void)
{
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("construct");

    tcase_add_test(tc, test_new_shape_and_zero_fill);
    tcase_add_test(tc, test_data_is_aligned);
    tcase_add_test(tc, test_scalar_is_0d);
    tcase_add_test(tc, test_shorthands);
    tcase_add_test(tc, test_from_copies_values);
    tcase_add_test(tc, test_clone_is_deep);
    tcase_add_test(tc, test_bad_shapes_return_null);
    tcase_add_test(tc, test_free_null_and_null_queries);
    tcase_add_test(tc, test_same_shape);
    suite_add_tcase(s, tc);

    tc = tcase_create("print");
    tcase_add_test(tc, test_shape_str);
    tcase_add_test(tc, test_fprint_small);
    tcase_add_test(tc, test_fprint_special_values);
    tcase_add_test(tc, test_fprint_elides_middle);
    tcase_add_test(tc, test_fprint_write_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("error");
    tcase_add_test(tc, test_error_set_and_clear);
    tcase_add_test(tc, test_error_is_per_thread);
    tcase_add_test(tc, test_empty_shape);
    tcase_add_test(tc, test_cached_block_is_zeroed_and_not_shared);
    tcase_add_test(tc, test_poisoned_empty_blocks);
    tcase_add_test(tc, test_guard_catches_writes_past_the_end);
    suite_add_tcase(s, tc);
    return s;
}
