/*
 * test_proc.c -- unit tests of grader/src/util/proc.c: stdout captured, a
 * missing tool and a failing one reported with the telling stderr line.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util/proc.h"
#include "suites.h"

START_TEST(test_capture_stdout)
{
    char *out = (char *)"sentinel", err[256];
    char *echo[] = { "printf", "a b", NULL };
    ck_assert_int_eq(proc_capture(echo, &out, err, sizeof err), 0);
    ck_assert_str_eq(out, "a b");
    free(out);
}
END_TEST

START_TEST(test_missing_tool)
{
    char *out = (char *)"sentinel", err[256];
    char *missing[] = { "no-such-tool-xyz", NULL };
    ck_assert_int_eq(proc_capture(missing, &out, err, sizeof err), -1);
    ck_assert_ptr_null(out);
    ck_assert_str_eq(err, "no-such-tool-xyz: not found in PATH");
}
END_TEST

START_TEST(test_failure_names_the_error_line)
{
    char *out = (char *)"sentinel", err[256];
    char *fails[] = { "sh", "-c", "echo warning >&2; echo 'x: ERROR: bad' >&2; exit 3", NULL };
    ck_assert_int_eq(proc_capture(fails, &out, err, sizeof err), -1);
    ck_assert_ptr_null(out);
    ck_assert_str_eq(err, "sh: exit status 3: x: ERROR: bad");

    char *quiet[] = { "sh", "-c", "echo out; echo; echo 'first line' >&2; echo second >&2; exit 1", NULL };
    ck_assert_int_eq(proc_capture(quiet, &out, err, sizeof err), -1);
    ck_assert_str_eq(err, "sh: exit status 1: first line");

    char *killed[] = { "sh", "-c", "kill -9 $$", NULL };
    ck_assert_int_eq(proc_capture(killed, &out, err, sizeof err), -1);
    ck_assert_str_eq(err, "sh: killed by signal 9");
}
END_TEST

/* More output than a pipe buffer on both streams at once must not deadlock. */
START_TEST(test_large_output_on_both_streams)
{
    char *out, err[256];
    char *big[] = { "sh", "-c", "i=0; while [ $i -lt 20000 ]; do echo 0123456789; echo abcdefghij >&2; "
                                "i=$((i+1)); done", NULL };
    ck_assert_int_eq(proc_capture(big, &out, err, sizeof err), 0);
    ck_assert_uint_eq(strlen(out), 20000 * 11);
    free(out);
}
END_TEST

/* stdin is /dev/null: a tool that reads it ends at once. */
START_TEST(test_stdin_is_empty)
{
    char *out, err[256];
    char *cat[] = { "/bin/cat", NULL };
    ck_assert_int_eq(proc_capture(cat, &out, err, sizeof err), 0);
    ck_assert_str_eq(out, "");
    free(out);
    ck_assert_int_eq(proc_capture(cat, NULL, err, sizeof err), 0);
}
END_TEST

Suite *proc_suite(void)
{
    Suite *s = suite_create("proc");
    TCase *tc = tcase_create("proc");
    tcase_add_test(tc, test_capture_stdout);
    tcase_add_test(tc, test_missing_tool);
    tcase_add_test(tc, test_failure_names_the_error_line);
    tcase_add_test(tc, test_large_output_on_both_streams);
    tcase_add_test(tc, test_stdin_is_empty);
    suite_add_tcase(s, tc);
    return s;
}
