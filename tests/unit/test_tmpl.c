/* test_tmpl.c -- tmpl.c: the embedded templates and @NAME@ substitution. */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "ship/tmpl.h"

static const struct tmpl_var ci_vars[] = {
    {"FAIL_UNDER", "42.5"}, {"PACKAGES", "gcc make"}, {"SUBMISSION", "assignments/x"},
};

START_TEST(test_templates_are_embedded)
{
    const char *names[] = {"grade.yml", "gitlab-ci.yml", "setup.sh", "run_autograder"};
    size_t len = 0;
    for (size_t i = 0; i < 4; i++) {
        const char *t = tmpl_get(names[i], &len);
        ck_assert_ptr_nonnull(t);
        ck_assert_uint_gt(len, 100);
        ck_assert_int_eq(t[len - 1], '\n');   /* the whole file, up to its last byte */
    }
    ck_assert_ptr_null(tmpl_get("no-such-template", &len));
}
END_TEST

START_TEST(test_render_substitutes)
{
    char *out = NULL, err[256] = "";
    ck_assert_msg(tmpl_render("grade.yml", ci_vars, 3, &out, err, sizeof err) == 0, "%s", err);
    ck_assert_ptr_null(strstr(out, "@FAIL_UNDER@"));
    ck_assert_ptr_null(strstr(out, "@PACKAGES@"));
    ck_assert_ptr_nonnull(strstr(out, "THRESHOLD: \"42.5\""));
    ck_assert_ptr_nonnull(strstr(out, "install -y --no-install-recommends gcc make\n"));
    ck_assert_ptr_nonnull(strstr(out, "grade assignments/x --no-sandbox"));
    ck_assert_ptr_nonnull(strstr(out, "actions/checkout@v4"));   /* not a placeholder */
    free(out);
}
END_TEST

START_TEST(test_render_script_keeps_shebang)
{
    const struct tmpl_var vars[] = {
        {"PACKAGES", "gcc"}, {"STUB_DIR", "a"}, {"FIRST_FILE", "k.c"},
    };
    char *out = NULL, err[256] = "";
    ck_assert_msg(tmpl_render("run_autograder", vars, 3, &out, err, sizeof err) == 0, "%s",
                  err);
    ck_assert_int_eq(strncmp(out, "#!/usr/bin/env bash\n", 20), 0);
    ck_assert_ptr_nonnull(strstr(out, "\"$sub/k.c\""));
    free(out);
}
END_TEST

START_TEST(test_render_missing_value)
{
    char *out = (char *)"untouched", err[256] = "";
    ck_assert_int_eq(tmpl_render("grade.yml", ci_vars + 1, 2, &out, err, sizeof err), -1);
    ck_assert_ptr_null(out);
    ck_assert_msg(strstr(err, "no value for @FAIL_UNDER@") != NULL &&
                  strncmp(err, "grade.yml:", 10) == 0, "%s", err);
    ck_assert_int_eq(tmpl_render("nope", ci_vars, 3, &out, err, sizeof err), -1);
    ck_assert_str_eq(err, "no template 'nope'");
}
END_TEST

Suite *tmpl_suite(void)
{
    Suite *s = suite_create("tmpl");
    TCase *tc = tcase_create("render");
    tcase_add_test(tc, test_templates_are_embedded);
    tcase_add_test(tc, test_render_substitutes);
    tcase_add_test(tc, test_render_script_keeps_shebang);
    tcase_add_test(tc, test_render_missing_value);
    suite_add_tcase(s, tc);
    return s;
}
