/*
 * test_tsan.c -- unit tests of grader/src/run/tsan.c: which ThreadSanitizer
 * reports count (data races reaching a student file), how the places are
 * named, and that the same race is listed once.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "run/tsan.h"

static const char *const files[] = {"kernels.c"};

/* A race between two accesses in kernels.c, as gcc 12's TSan prints it. */
static const char race_log[] =
    "==================\n"
    "WARNING: ThreadSanitizer: data race (pid=2)\n"
    "  Read of size 8 at 0x7ffd5b2c1a28 by thread T2:\n"
    "    #0 racy_worker /tmp/grade-77-AbCdEf/kernels.c:1377 (tests+0x1d8a7)\n"
    "    #1 <null> <null> (libtsan.so.2+0x3b8cb)\n"
    "\n"
    "  Previous write of size 8 at 0x7ffd5b2c1a28 by thread T1:\n"
    "    #0 racy_worker /tmp/grade-77-AbCdEf/kernels.c:1377 (tests+0x1d8b9)\n"
    "    #1 <null> <null> (libtsan.so.2+0x3b8cb)\n"
    "\n"
    "  Location is stack of main thread.\n"
    "\n"
    "  Thread T2 (tid=9, running) created by main thread at:\n"
    "    #0 pthread_create ../../../../src/libsanitizer/tsan/tsan_interceptors_posix.cpp:1001 (libtsan.so.2+0x5e686)\n"
    "    #1 parallel_batch_processing /tmp/grade-77-AbCdEf/kernels.c:1399 (tests+0x1d9ad)\n"
    "\n"
    "SUMMARY: ThreadSanitizer: data race /tmp/grade-77-AbCdEf/kernels.c:1377 in racy_worker\n"
    "==================\n";

START_TEST(test_race_names_both_places)
{
    unsigned n = 99;
    char *text = tsan_races(race_log, files, 1, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "kernels.c:1377 in racy_worker (read) races with "
                           "kernels.c:1377 in racy_worker (write)\n");
    free(text);
}
END_TEST

START_TEST(test_same_race_twice_is_one)
{
    char *log = malloc(3 * sizeof race_log);
    ck_assert_ptr_nonnull(log);
    strcpy(log, race_log);
    strcat(log, "output of the student's code\n");
    strcat(log, race_log);
    unsigned n = 0;
    char *text = tsan_races(log, files, 1, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_ptr_nonnull(strstr(text, "kernels.c:1377"));
    ck_assert_ptr_null(strchr(strchr(text, '\n') + 1, '\n'));
    free(text);
    free(log);
}
END_TEST

/* A frame that only mentions a student file's name is not in it. */
START_TEST(test_harness_race_is_not_the_students)
{
    static const char log[] =
        "WARNING: ThreadSanitizer: data race (pid=2)\n"
        "  Write of size 4 at 0x1 by thread T1:\n"
        "    #0 tc_count /build/harness/check/tcheck.c:40 (tests+0x1)\n"
        "    #1 worker /tmp/x/my_kernels.c:12 (tests+0x2)\n"
        "  Previous read of size 4 at 0x1 by main thread:\n"
        "    #0 tc_count /build/harness/check/tcheck.c:44 (tests+0x3)\n"
        "==================\n";
    unsigned n = 7;
    ck_assert_ptr_null(tsan_races(log, files, 1, &n));
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* The first frame in the student's file names the place, even deeper in the stack. */
START_TEST(test_one_side_in_student_code)
{
    static const char log[] =
        "WARNING: ThreadSanitizer: data race (pid=2)\n"
        "  Atomic write of size 8 at 0x1 by thread T1:\n"
        "    #0 __tsan_atomic64_fetch_add <null> (libtsan.so.2+0x1)\n"
        "    #1 helper kernels.c:30:5 (tests+0x2)\n"
        "    #2 worker kernels.c:50 (tests+0x3)\n"
        "  Previous read of size 8 at 0x1 by main thread:\n"
        "    #0 tc_check /h/harness/check/tcheck.c:44 (tests+0x3)\n"
        "SUMMARY: ThreadSanitizer: data race kernels.c:30 in helper\n";
    unsigned n = 0;
    char *text = tsan_races(log, files, 1, &n);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(text, "kernels.c:30 in helper (atomic write) races with code outside "
                           "your files\n");
    free(text);
}
END_TEST

/* Only data races fail a unit; other TSan warnings are not read. */
START_TEST(test_other_warnings_ignored)
{
    static const char log[] =
        "WARNING: ThreadSanitizer: thread leak (pid=2)\n"
        "  Thread T1 (tid=3, finished) created by main thread at:\n"
        "    #0 pthread_create x.cpp:1 (libtsan.so.2+0x1)\n"
        "    #1 worker kernels.c:50 (tests+0x3)\n"
        "==================\n"
        "WARNING: ThreadSanitizer: lock-order-inversion (potential deadlock) (pid=2)\n"
        "  Write of size 4 at 0x1 by thread T1:\n"
        "    #0 worker kernels.c:51 (tests+0x3)\n"
        "==================\n";
    unsigned n = 3;
    ck_assert_ptr_null(tsan_races(log, files, 1, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_null(tsan_races(NULL, files, 1, &n));
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* Many distinct races: TSAN_MAX_RACES lines, then how many more. */
START_TEST(test_many_races_capped)
{
    char log[8192] = "";
    for (int i = 0; i < TSAN_MAX_RACES + 3; i++) {
        char one[512];
        snprintf(one, sizeof one,
                 "WARNING: ThreadSanitizer: data race (pid=2)\n"
                 "  Write of size 4 at 0x1 by thread T1:\n"
                 "    #0 f%d kernels.c:%d (tests+0x3)\n"
                 "  Previous write of size 4 at 0x1 by thread T2:\n"
                 "    #0 f%d kernels.c:%d (tests+0x3)\n"
                 "==================\n", i, 100 + i, i, 100 + i);
        strcat(log, one);
    }
    unsigned n = 0;
    char *text = tsan_races(log, files, 1, &n);
    ck_assert_uint_eq(n, TSAN_MAX_RACES + 3);
    ck_assert_ptr_nonnull(strstr(text, "kernels.c:100 in f0 (write)"));
    ck_assert_ptr_null(strstr(text, "kernels.c:105"));
    ck_assert_ptr_nonnull(strstr(text, "and 3 more\n"));
    free(text);
}
END_TEST

Suite *tsan_suite(void)
{
    Suite *s = suite_create("tsan");
    TCase *tc = tcase_create("races");
    tcase_add_test(tc, test_race_names_both_places);
    tcase_add_test(tc, test_same_race_twice_is_one);
    tcase_add_test(tc, test_harness_race_is_not_the_students);
    tcase_add_test(tc, test_one_side_in_student_code);
    tcase_add_test(tc, test_other_warnings_ignored);
    tcase_add_test(tc, test_many_races_capped);
    suite_add_tcase(s, tc);
    return s;
}
