/*
 * test_tsan_heap.c -- the Check suite of harness/tsan/tsan_heap.c, the
 * heap limit of the ThreadSanitizer build.  A program of its own: it is
 * linked with the same --wrap flags as config.yaml's thread_sanitizer
 * section (so its own malloc() and free() calls go through the wrapper),
 * and `make test-unit` runs it with TSAN_HEAP_LIMIT=TEST_LIMIT, which the
 * wrapper reads before main().  Every test runs in its own forked process
 * and starts from the parent's count, a few KiB of Check's.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEST_LIMIT (1024 * 1024)   /* the Makefile's TSAN_HEAP_LIMIT */

START_TEST(test_limit_refuses)
{
    errno = 0;
    ck_assert_ptr_null(malloc(TEST_LIMIT + 1));
    ck_assert_int_eq(errno, ENOMEM);
    void *p = malloc(TEST_LIMIT / 2);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(malloc(TEST_LIMIT / 2 + 64 * 1024));
    free(p);                                     /* gives its bytes back */
    p = malloc(TEST_LIMIT / 2 + 64 * 1024);
    ck_assert_ptr_nonnull(p);
    free(p);
}
END_TEST

START_TEST(test_calloc_realloc_aligned)
{
    volatile size_t huge = SIZE_MAX / 2;         /* volatile: gcc sees the overflow */
    ck_assert_ptr_null(calloc(huge, 4));
    ck_assert_ptr_null(calloc(TEST_LIMIT, 2));
    char *p = calloc(1, 1024);
    ck_assert_ptr_nonnull(p);
    char *q = realloc(p, TEST_LIMIT / 2);
    ck_assert_ptr_nonnull(q);
    ck_assert_ptr_null(realloc(q, TEST_LIMIT + 1));  /* q is kept */
    q = realloc(q, 512);                             /* shrinking gives bytes back */
    ck_assert_ptr_nonnull(q);
    void *a = aligned_alloc(64, TEST_LIMIT / 2);
    ck_assert_ptr_nonnull(a);
    void *b = NULL;
    ck_assert_int_eq(posix_memalign(&b, 64, TEST_LIMIT / 2), ENOMEM);
    free(a);
    ck_assert_int_eq(posix_memalign(&b, 64, TEST_LIMIT / 2), 0);
    free(b);
    free(q);
}
END_TEST

/* Check's parent strdup()s every message a test sends: strdup counts. */
START_TEST(test_strdup_counts)
{
    size_t n = TEST_LIMIT / 2;
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memset(s, 'x', n);
    s[n] = '\0';
    ck_assert_ptr_null(strdup(s));               /* two halves and Check's bytes */
    ck_assert_ptr_null(strndup(s, n));
    char *t = strndup(s, 10);
    ck_assert_ptr_nonnull(t);
    ck_assert_str_eq(t, "xxxxxxxxxx");
    free(t);
    free(s);
    t = strdup("abc");
    ck_assert_str_eq(t, "abc");
    free(t);
}
END_TEST

/*
 * A block the C library allocated for itself (getline() here) and the
 * program frees was never counted.  The count once wrapped around below
 * zero there, and every later allocation was refused: Check's parent
 * failed, and the TSan runs of three Kernels units ended early.
 */
START_TEST(test_uncounted_free_keeps_working)
{
    for (int round = 0; round < 100; round++) {
        char *line = NULL;
        size_t cap = 0;
        FILE *f = fmemopen((char[]){"a line of text\n"}, 15, "r");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(getline(&line, &cap, f), 15);
        fclose(f);
        free(line);                              /* libc's block, uncounted */
    }
    void *p = malloc(TEST_LIMIT / 2);
    ck_assert_msg(p != NULL, "malloc refused after freeing blocks it never counted");
    free(p);
}
END_TEST

static Suite *tsan_heap_suite(void)
{
    Suite *s = suite_create("tsan_heap");
    TCase *tc = tcase_create("limit");
    tcase_add_test(tc, test_limit_refuses);
    tcase_add_test(tc, test_calloc_realloc_aligned);
    tcase_add_test(tc, test_strdup_counts);
    tcase_add_test(tc, test_uncounted_free_keeps_working);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *limit = getenv("TSAN_HEAP_LIMIT");
    if (!limit || atol(limit) != TEST_LIMIT) {
        fprintf(stderr, "test_tsan_heap: run with TSAN_HEAP_LIMIT=%d\n", TEST_LIMIT);
        return 2;
    }
    SRunner *sr = srunner_create(tsan_heap_suite());
    srunner_set_fork_status(sr, CK_FORK);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
