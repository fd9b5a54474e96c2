/* test_stubgen.c -- stubgen.c: BEGIN/END SOLUTION blocks become TODOs. */
#include <stdlib.h>
#include <string.h>

#include "compile/stubgen.h"
#include "suites.h"

static char *gen(const char *src, int *blocks, struct stub_error *err)
{
    char *out = NULL;
    *blocks = stub_generate(src, strlen(src), &out, err);
    return out;
}

START_TEST(test_block_with_stub_code)
{
    const char *src = "int f(int a)\n"
                      "{\n"
                      "    /* BEGIN SOLUTION (stub: (void)a; return -1;) */\n"
                      "    return a * 2;\n"
                      "    /* END SOLUTION */\n"
                      "}\n";
    struct stub_error err = {0};
    int n;
    char *out = gen(src, &n, &err);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(out, "int f(int a)\n"
                          "{\n"
                          "    /* TODO: your code here. */\n"
                          "    (void)a; return -1;\n"
                          "}\n");
    free(out);
}
END_TEST

START_TEST(test_block_without_stub_code)
{
    const char *src = "/* BEGIN SOLUTION */\n"
                      "static int helper(void) { return 1; }\n"
                      "/* END SOLUTION */\n"
                      "int g(void);\n";
    struct stub_error err = {0};
    int n;
    char *out = gen(src, &n, &err);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(out, "/* TODO: your code here. */\nint g(void);\n");
    free(out);
}
END_TEST

START_TEST(test_text_outside_blocks_is_kept)
{
    const char *src = "a\n\tb  \n/* comment */\nlast line without newline";
    struct stub_error err = {0};
    int n;
    char *out = gen(src, &n, &err);
    ck_assert_int_eq(n, 0);
    ck_assert_str_eq(out, src);
    free(out);
}
END_TEST

START_TEST(test_crlf_markers)
{
    const char *src = "x\r\n  /* BEGIN SOLUTION (stub: return 0;) */\r\n  y\r\n  /* END SOLUTION */\r\nz\r\n";
    struct stub_error err = {0};
    int n;
    char *out = gen(src, &n, &err);
    ck_assert_int_eq(n, 1);
    ck_assert_str_eq(out, "x\r\n  /* TODO: your code here. */\n  return 0;\nz\r\n");
    free(out);
}
END_TEST

static void expect_error(const char *src, unsigned line, const char *needle)
{
    struct stub_error err = {0};
    int n;
    char *out = gen(src, &n, &err);
    ck_assert_int_eq(n, -1);
    ck_assert_ptr_null(out);
    ck_assert_uint_eq(err.line, line);
    ck_assert_msg(strstr(err.message, needle), "message '%s' lacks '%s'", err.message, needle);
}

START_TEST(test_malformed_files)
{
    expect_error("a\n/* BEGIN SOLUTION */\nb\n", 2, "never closed");
    expect_error("/* END SOLUTION */\n", 1, "without BEGIN");
    expect_error("/* BEGIN SOLUTION */\n/* BEGIN SOLUTION */\n/* END SOLUTION */\n", 2,
                 "inside the block opened at line 1");
    expect_error("/* BEGIN SOLUTION (stub: return 0; */\n/* END SOLUTION */\n", 1, "malformed");
    expect_error("/* BEGIN SOLUTION oops */\n/* END SOLUTION */\n", 1, "malformed");
}
END_TEST

/* The README's grading section replaces what lies between its markers. */
START_TEST(test_readme_splice)
{
    const char *readme = "# Title\n" STUB_README_BEGIN "\nold text\nmore\n"
                         STUB_README_END "\nafter\n";
    struct stub_error err = {0};
    char *out = NULL;

    ck_assert_int_eq(stub_readme_splice(readme, "new\n", &out, &err), 0);
    ck_assert_str_eq(out, "# Title\n" STUB_README_BEGIN "\nnew\n" STUB_README_END
                          "\nafter\n");
    free(out);
    ck_assert_int_eq(stub_readme_splice("no markers\n", "new\n", &out, &err), -1);
    ck_assert_ptr_null(out);
    ck_assert_ptr_nonnull(strstr(err.message, "BEGIN GENERATED"));
    /* END before BEGIN is no section */
    ck_assert_int_eq(stub_readme_splice(STUB_README_END "\n" STUB_README_BEGIN "\n", "x\n",
                                        &out, &err), -1);
}
END_TEST

Suite *stubgen_suite(void)
{
    Suite *s = suite_create("stubgen");
    TCase *tc = tcase_create("generate");
    tcase_add_test(tc, test_block_with_stub_code);
    tcase_add_test(tc, test_block_without_stub_code);
    tcase_add_test(tc, test_text_outside_blocks_is_kept);
    tcase_add_test(tc, test_crlf_markers);
    tcase_add_test(tc, test_malformed_files);
    tcase_add_test(tc, test_readme_splice);
    suite_add_tcase(s, tc);
    return s;
}
