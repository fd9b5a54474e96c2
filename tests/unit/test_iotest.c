/*
 * test_iotest.c -- unit tests of grader/src/run/iotest.c's comparisons and
 * cleaning (the runs themselves: tests/scripts/io_e2e.sh), and of the io
 * keys of the config (cfg_io.c) on tests/fixtures/io/io.yaml.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "config/cfg.h"
#include "run/iotest.h"

/* iot_compare() on NUL-terminated texts. */
static int cmp(enum cfg_io_compare mode, double tol, double rel, const char *want,
               const char *got, char **why)
{
    return iot_compare(mode, tol, rel, want, strlen(want), got, strlen(got), why);
}

START_TEST(test_exact_equal_and_first_difference)
{
    char *why = NULL;
    ck_assert_int_eq(cmp(CFG_IO_EXACT, 0, 0, "a b\nc d\n", "a b\nc d\n", &why), 1);
    ck_assert_ptr_null(why);
    ck_assert_int_eq(cmp(CFG_IO_EXACT, 0, 0, "a b\nc d\n", "a b\nc e\n", &why), 0);
    ck_assert_str_eq(why, "line 2, column 3: expected 'd', got 'e'\n"
                          "  expected: \"c d\"\n  got:      \"c e\"");
    free(why);
}
END_TEST

START_TEST(test_exact_missing_newline_and_extra_output)
{
    char *why = NULL;
    ck_assert_int_eq(cmp(CFG_IO_EXACT, 0, 0, "42\n", "42", &why), 0);
    ck_assert_ptr_nonnull(strstr(why, "expected a line break, got the end of the output"));
    free(why);
    ck_assert_int_eq(cmp(CFG_IO_EXACT, 0, 0, "42\n", "42\n43\n", &why), 0);
    ck_assert_ptr_nonnull(strstr(why, "line 2, column 1: expected the end of the output, got '4'"));
    ck_assert_ptr_nonnull(strstr(why, "expected: (end of the output)"));
    free(why);
}
END_TEST

START_TEST(test_whitespace_ignores_spacing_only)
{
    char *why = NULL;
    ck_assert_int_eq(cmp(CFG_IO_WHITESPACE, 0, 0, "a  b\nc\n", "  a b c", &why), 1);
    ck_assert_int_eq(cmp(CFG_IO_WHITESPACE, 0, 0, "a b c", "a b\r\nC\r\n", &why), 0);
    ck_assert_ptr_nonnull(strstr(why, "word 3 (line 2): expected 'c', got 'C'"));
    free(why);
    ck_assert_int_eq(cmp(CFG_IO_WHITESPACE, 0, 0, "a b", "a", &why), 0);
    ck_assert_ptr_nonnull(strstr(why, "expected 'b', got the end of the output"));
    free(why);
}
END_TEST

START_TEST(test_numeric_tolerance_per_field)
{
    char *why = NULL;
    ck_assert_int_eq(cmp(CFG_IO_NUMERIC, 0.01, 0, "x = 1.000 2.5\n", "x = 1.004 2.495", &why), 1);
    ck_assert_int_eq(cmp(CFG_IO_NUMERIC, 0.01, 0, "x = 1.000 2.5\n", "x = 1.000 2.6", &why), 0);
    ck_assert_ptr_nonnull(strstr(why, "field 4 (line 1): expected '2.5', got '2.6' (off by 0.1; "
                                      "the tolerance is 0.01)"));
    free(why);
    /* a word that is not a number on both sides compares exactly */
    ck_assert_int_eq(cmp(CFG_IO_NUMERIC, 1, 0, "x = 1", "y = 1", &why), 0);
    ck_assert_ptr_nonnull(strstr(why, "field 1"));
    free(why);
    /* relative: 1% of 1000 is 10 */
    ck_assert_int_eq(cmp(CFG_IO_NUMERIC, 0, 0.01, "1000", "1009", &why), 1);
    ck_assert_int_eq(cmp(CFG_IO_NUMERIC, 0, 0.01, "1000", "1011", &why), 0);
    free(why);
    ck_assert_int_eq(cmp(CFG_IO_NUMERIC, 0, 0, "nan inf -inf 1e3", "NaN inf -inf 1000", &why), 1);
    ck_assert_int_eq(cmp(CFG_IO_NUMERIC, 1e9, 0, "inf", "1e300", &why), 0);
    free(why);
}
END_TEST

START_TEST(test_binary_output_is_cleaned)
{
    static const char junk[] = "ok\xff\x00\xc3\x28\x1b\xed\xa0\x80\xf4\x90\x80\x80 \xc3\xa9\n";
    char *why = NULL;
    ck_assert_int_eq(iot_compare(CFG_IO_EXACT, 0, 0, "ok\n", 3, junk, sizeof junk - 1, &why), 0);
    ck_assert_ptr_nonnull(strstr(why, "got '\\xFF'"));
    free(why);
    char *c = iot_clean(junk, sizeof junk - 1, 1000, true);
    ck_assert_str_eq(c, "ok\\xFF\\x00\\xC3(\\x1B\\xED\\xA0\\x80\\xF4\\x90\\x80\\x80 \xc3\xa9\n");
    free(c);
    c = iot_clean("abcdef", 6, 3, false);
    ck_assert_str_eq(c, "abc...");
    free(c);
    c = iot_clean("a\tb\n", 4, 100, false);
    ck_assert_str_eq(c, "a\\x09b\\x0A");
    free(c);
}
END_TEST

START_TEST(test_config_io_keys)
{
    struct grader_cfg cfg;
    struct cfg_error err;
    ck_assert_int_eq(cfg_load("tests/fixtures/io/io.yaml", &cfg, &err), 0);
    ck_assert(cfg.io.enabled);
    ck_assert_str_eq(cfg.io.program, "prog");
    ck_assert_uint_eq(cfg.io.sources.n, 1);
    ck_assert_uint_eq(cfg_count_kind(&cfg, CFG_KIND_IO), 6);
    const struct cfg_test *t = cfg_find_test(&cfg, "io/sum_numeric");
    ck_assert_int_eq(t->io.compare, CFG_IO_NUMERIC);
    ck_assert(t->io.tolerance == 0.01);
    ck_assert_ptr_nonnull(strstr(t->io.stdin_file, "/cases/sum.in"));
    ck_assert(t->io.has_stdout && !t->io.has_stderr && !t->io.has_exit);
    t = cfg_find_test(&cfg, "io/env");
    ck_assert_uint_eq(t->io.env.n, 1);
    ck_assert_str_eq(t->io.env.v[0], "GREETING=hello there");
    ck_assert_str_eq(t->io.stderr_text, "");
    ck_assert(t->io.has_exit && t->io.exit_status == 0);
    t = cfg_find_test(&cfg, "io/fail");
    ck_assert_int_eq(t->io.exit_status, 3);
    ck_assert_int_eq(t->io.compare, CFG_IO_EXACT);
    cfg_release(&cfg);
}
END_TEST

Suite *iotest_suite(void)
{
    Suite *s = suite_create("iotest");
    TCase *tc = tcase_create("iotest");
    tcase_add_test(tc, test_exact_equal_and_first_difference);
    tcase_add_test(tc, test_exact_missing_newline_and_extra_output);
    tcase_add_test(tc, test_whitespace_ignores_spacing_only);
    tcase_add_test(tc, test_numeric_tolerance_per_field);
    tcase_add_test(tc, test_binary_output_is_cleaned);
    tcase_add_test(tc, test_config_io_keys);
    suite_add_tcase(s, tc);
    return s;
}
