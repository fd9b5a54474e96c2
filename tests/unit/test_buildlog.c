/* test_buildlog.c -- buildlog.c: link errors never show the hidden suites. */
#include <stdlib.h>
#include <string.h>

#include "compile/buildlog.h"
#include "suites.h"

#define SCRATCH "/tmp/grade-42-abcdef"

static const char link_log[] =
    "/usr/bin/ld: " SCRATCH "/trusted/12-test_hidden_cache_friendly.o: in function "
    "`test_remainders_huge_block_body':\n"
    "/repo/harness/kernels/hidden/test_hidden_cache_friendly.c:87: undefined reference to "
    "`cache_friendly_matmul'\n"
    "/repo/harness/kernels/hidden/test_hidden_cache_friendly.c:99: undefined reference to "
    "`cache_friendly_matmul'\n"
    "/usr/bin/ld: " SCRATCH "/obj/kernels.o: in function `main':\n"
    SCRATCH "/kernels.c:3: multiple definition of `main'; " SCRATCH
    "/trusted/17-main_all.o:/repo/harness/kernels/main_all.c:5: first defined here\n"
    "collect2: error: ld returned 1 exit status\n";

START_TEST(test_hidden_names_and_paths_are_gone)
{
    char *v = blog_student_view(link_log, SCRATCH);
    ck_assert_ptr_nonnull(v);
    ck_assert_ptr_null(strstr(v, "hidden"));
    ck_assert_ptr_null(strstr(v, "test_remainders"));
    ck_assert_ptr_null(strstr(v, "/repo"));
    ck_assert_ptr_null(strstr(v, SCRATCH));
    ck_assert_ptr_null(strstr(v, "trusted/"));
    free(v);
}
END_TEST

START_TEST(test_symbols_are_kept_once)
{
    char *v = blog_student_view(link_log, SCRATCH);
    const char *first = strstr(v, "undefined reference to `cache_friendly_matmul'");
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_null(strstr(first + 1, "undefined reference to `cache_friendly_matmul'"));
    ck_assert_ptr_nonnull(strstr(v, "multiple definition of `main'"));
    ck_assert_ptr_nonnull(strstr(v, "collect2: error: ld returned 1 exit status\n"));
    free(v);
}
END_TEST

START_TEST(test_compiler_diagnostics_read_relative)
{
    const char *log = SCRATCH "/kernels.c: In function 'f':\n"
                      SCRATCH "/kernels.c:5:5: error: expected ';' before 'return'\n"
                      "    5 |     return x\n";
    char *v = blog_student_view(log, SCRATCH);
    ck_assert_str_eq(v, "kernels.c: In function 'f':\n"
                        "kernels.c:5:5: error: expected ';' before 'return'\n"
                        "    5 |     return x\n");
    free(v);
}
END_TEST

START_TEST(test_empty_and_null)
{
    char *v = blog_student_view(NULL, SCRATCH);
    ck_assert_str_eq(v, "");
    free(v);
    v = blog_student_view("no newline at the end", NULL);
    ck_assert_str_eq(v, "no newline at the end\n");
    free(v);
}
END_TEST

Suite *buildlog_suite(void)
{
    Suite *s = suite_create("buildlog");
    TCase *tc = tcase_create("student_view");
    tcase_add_test(tc, test_hidden_names_and_paths_are_gone);
    tcase_add_test(tc, test_symbols_are_kept_once);
    tcase_add_test(tc, test_compiler_diagnostics_read_relative);
    tcase_add_test(tc, test_empty_and_null);
    suite_add_tcase(s, tc);
    return s;
}
