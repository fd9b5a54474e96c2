/*
 * test_mutreport.c -- the mutation analysis' figures (mutants.h: counts,
 * score) and its reports (mutreport.h) on a hand-made result: the text
 * and Markdown list every survivor with its diff, the JSON parses back
 * to the same figures, the HTML is well formed, and text that looks like
 * markup stays text.
 */
#include <check.h>
#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <stdlib.h>
#include <string.h>

#include "grade/mutants.h"
#include "report/mutreport.h"
#include "suites.h"

static struct cfg_test unit_tests[2] = {
    {.id = "calc/add"},
    {.id = "calc/edge"},
};

/* Five mutants, one per verdict, in two functions. */
static void make_result(struct mut_result *r)
{
    static const struct {
        const char *id, *fn, *op, *desc;
        enum mut_verdict v;
        const char *killer, *detail;
    } spec[] = {
        {"add:aor:1", "add", "aor", "'+' replaced by '-'", MUT_KILLED, "calc/add", "test_add: 5 != -1"},
        {"add:aor:2", "add", "aor", "'<b>' markup stays text", MUT_SURVIVED, NULL, NULL},
        {"loop:del:1", "loop", "del", "statement 'n /= 2;' deleted", MUT_TIMEOUT, "calc/edge", "timeout"},
        {"loop:ror:1", "loop", "ror", "'>' replaced by '>='", MUT_EQUIVALENT, NULL, "same at 0"},
        {"loop:ror:2", "loop", "ror", "'>' replaced by '<='", MUT_UNCOVERED, NULL, NULL},
    };
    memset(r, 0, sizeof *r);
    r->nmutants = sizeof spec / sizeof *spec;
    r->mutants = calloc(r->nmutants, sizeof *r->mutants);
    ck_assert_ptr_nonnull(r->mutants);
    for (size_t i = 0; i < r->nmutants; i++) {
        struct mut_mutant *m = &r->mutants[i];
        m->index = (unsigned)i + 1;
        m->file = strdup("calc.c");
        m->id = strdup(spec[i].id);
        m->function = strdup(spec[i].fn);
        m->op = strdup(spec[i].op);
        m->description = strdup(spec[i].desc);
        m->diff = strdup("--- a/calc.c\n+++ b/calc.c\n@@ -3,1 +3,1 @@\n-    x > 0\n+    x >= 0\n");
        m->line = m->end_line = 3 + (unsigned)i;
        m->verdict = spec[i].v;
        m->killer = spec[i].killer ? strdup(spec[i].killer) : NULL;
        m->detail = spec[i].detail ? strdup(spec[i].detail) : NULL;
    }
    r->nunits = 2;
    r->units = calloc(2, sizeof *r->units);
    r->units[0] = (struct mut_unit){&unit_tests[0], true, 12, 3, 1};
    r->units[1] = (struct mut_unit){&unit_tests[1], true, 30, 2, 1};
    r->stale = calloc(1, sizeof *r->stale);
    r->stale[0] = strdup("gone:ror:1");
    r->nstale = 1;
    r->jobs = 2;
}

START_TEST(test_counts_and_score)
{
    struct mut_result r;
    make_result(&r);
    for (int v = 0; v < MUT_NVERDICTS; v++)
        ck_assert_uint_eq(mut_count(&r, (enum mut_verdict)v), 1);
    /* killed + timeout over the four non-equivalent mutants */
    ck_assert_double_eq_tol(mut_score(&r, NULL), 0.5, 1e-12);
    ck_assert_double_eq_tol(mut_score(&r, "add"), 0.5, 1e-12);
    ck_assert_double_eq_tol(mut_score(&r, "loop"), 0.5, 1e-12);   /* timeout of 2 scored */
    ck_assert_double_eq(mut_score(&r, "nothing"), 1.0);
    ck_assert_str_eq(mut_verdict_name(MUT_UNCOVERED), "not covered");
    mut_result_release(&r);
    ck_assert_ptr_null(r.mutants);
    mut_result_release(&r);                      /* safe twice */
}
END_TEST

START_TEST(test_text_lists_survivors_with_diffs)
{
    struct mut_result r;
    make_result(&r);
    char *t = mutrep_text(&r, "calc");
    ck_assert_ptr_nonnull(t);
    ck_assert_ptr_nonnull(strstr(t, "mutation score: 50.0% (2 of 4"));
    ck_assert_ptr_nonnull(strstr(t, "survivors: holes in the tests (2):"));
    ck_assert_ptr_nonnull(strstr(t, "add:aor:2  calc.c:4"));
    ck_assert_ptr_nonnull(strstr(t, "loop:ror:2  calc.c:7  '>' replaced by '<='  (no graded "
                                    "test runs this line)"));
    ck_assert_ptr_nonnull(strstr(t, "    +    x >= 0\n"));
    ck_assert_ptr_nonnull(strstr(t, "same at 0"));
    ck_assert_ptr_nonnull(strstr(t, "gone:ror:1"));
    ck_assert_ptr_nonnull(strstr(t, "calc/edge"));
    free(t);
    mut_result_release(&r);
}
END_TEST

START_TEST(test_markdown_fences_diffs)
{
    struct mut_result r;
    make_result(&r);
    char *md = mutrep_markdown(&r, "calc `x`");
    ck_assert_ptr_nonnull(md);
    ck_assert_ptr_nonnull(strstr(md, "# Mutation analysis: `` calc `x` ``"));
    ck_assert_ptr_nonnull(strstr(md, "```diff\n--- a/calc.c\n"));
    ck_assert_ptr_nonnull(strstr(md, "## Survivors (2)"));
    free(md);
    mut_result_release(&r);
}
END_TEST

START_TEST(test_json_round_trip)
{
    struct mut_result r;
    make_result(&r);
    char *s = mutrep_json(&r, "calc");
    json_error_t e;
    json_t *doc = json_loads(s, 0, &e);
    ck_assert_ptr_nonnull(doc);
    ck_assert_double_eq_tol(json_real_value(json_object_get(doc, "score")), 0.5, 1e-12);
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(doc, "counts"),
                                                        "not covered")), 1);
    json_t *m0 = json_array_get(json_object_get(doc, "mutants"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(m0, "killed_by")), "calc/add");
    ck_assert_str_eq(json_string_value(json_object_get(m0, "verdict")), "killed");
    json_t *m3 = json_array_get(json_object_get(doc, "mutants"), 3);
    ck_assert_str_eq(json_string_value(json_object_get(m3, "reason")), "same at 0");
    ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(
                         json_object_get(doc, "units"), 1), "first_kills")), 1);
    json_decref(doc);
    free(s);
    mut_result_release(&r);
}
END_TEST

START_TEST(test_html_is_text_safe)
{
    struct mut_result r;
    make_result(&r);
    char *h = mutrep_html(&r, "calc <script>");
    ck_assert_ptr_nonnull(h);
    ck_assert_ptr_null(strstr(h, "<script>"));
    ck_assert_ptr_null(strstr(h, "<b>"));
    ck_assert_ptr_nonnull(strstr(h, "&lt;b&gt;"));
    htmlDocPtr doc = htmlReadMemory(h, (int)strlen(h), NULL, "utf-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    xmlFreeDoc(doc);
    free(h);
    mut_result_release(&r);
}
END_TEST

Suite *mutreport_suite(void)
{
    Suite *s = suite_create("mutreport");
    TCase *tc = tcase_create("reports");
    tcase_add_test(tc, test_counts_and_score);
    tcase_add_test(tc, test_text_lists_survivors_with_diffs);
    tcase_add_test(tc, test_markdown_fences_diffs);
    tcase_add_test(tc, test_json_round_trip);
    tcase_add_test(tc, test_html_is_text_safe);
    suite_add_tcase(s, tc);
    return s;
}
