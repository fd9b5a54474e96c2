/*
 * test_report.c -- unit tests of grader/src/report/report.c.  Every format is
 * parsed back with the library that reads it (jansson, libxml2, libcsv)
 * and checked field by field: hidden tests never leak into student
 * reports, awkward strings survive the round trip, and rendering is
 * deterministic.  The config is built by hand, not loaded from YAML.
 */
#include <check.h>
#include <csv.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "score/result.h"
#include "suites.h"

/* Strings no student report may contain. */
static const char *const secrets[] = {
    "SECRET_HIDDEN_NAME", "SECRET_HIDDEN_ID", "SECRET_HIDDEN_MESSAGE",
    "SECRET_CHECK_MESSAGE", "SECRET_CHECK_WHERE", "SECRET_HIDDEN_OUTPUT",
    "SECRET_TAG", "SECRET_CATEGORY", "AFTER_DUE_NAME", "AFTER_DUE_MESSAGE",
};

/* Quotes, markup, a newline and non-ASCII: must survive every format. */
#define AWKWARD_NAME \
    "Blocked \"tiled\" <matmul> & 'co'\nline two \xC3\xBC\xE8\xA1\x8C\xE5\x88\x97 \xE2\x80\x94 ok"
#define AWKWARD_STUDENT "stu \"dent\", <&>\nn\xC3\xB1"
#define AWKWARD_MESSAGE "expected <19> & \"x\", got 0"
/* Output with a control character, an escape and an invalid byte. */
#define RAW_OUTPUT "row 0: ok <b>&amp;</b>\n\x01\x1b[31mred\xff end\n"
#define CLEAN_OUTPUT "row 0: ok <b>&amp;</b>\n\xEF\xBF\xBD\xEF\xBF\xBD[31mred\xEF\xBF\xBD end\n"

static char *tags_core[] = { "matmul", "core" };
static char *tags_secret[] = { "SECRET_TAG" };

static struct cfg_test cfg_tests[4];
static struct grader_cfg cfg;
static struct res_submission sub;

static void set_cfg_test(struct cfg_test *c, const char *id, const char *name, double points,
                         enum cfg_visibility vis, const char *category)
{
    memset(c, 0, sizeof *c);
    c->id = (char *)id;
    c->name = (char *)name;
    c->points = points;
    c->partial = true;
    c->visibility = vis;
    c->category = (char *)category;
}

static void make_cfg(void)
{
    memset(&cfg, 0, sizeof cfg);
    cfg.name = "kernels";
    cfg.title = "TinyTorch Kernels";
    set_cfg_test(&cfg_tests[0], "matmul/baseline", "Baseline matmul", 5, CFG_VIS_VISIBLE,
                 "matmul");
    cfg_tests[0].tags.v = tags_core;
    cfg_tests[0].tags.n = 2;
    set_cfg_test(&cfg_tests[1], "matmul/blocked", AWKWARD_NAME, 5, CFG_VIS_VISIBLE, "matmul");
    set_cfg_test(&cfg_tests[2], "hidden/SECRET_HIDDEN_ID", "SECRET_HIDDEN_NAME", 10,
                 CFG_VIS_HIDDEN, "SECRET_CATEGORY");
    cfg_tests[2].tags.v = tags_secret;
    cfg_tests[2].tags.n = 1;
    set_cfg_test(&cfg_tests[3], "simd/relu", "AFTER_DUE_NAME", 5, CFG_VIS_AFTER_DUE_DATE, NULL);
    cfg.tests = cfg_tests;
    cfg.ntests = 4;
}

static void add_check(struct res_test *t, const char *name, bool passed, const char *msg,
                      const char *where)
{
    t->checks = realloc(t->checks, (t->nchecks + 1) * sizeof *t->checks);
    ck_assert_ptr_nonnull(t->checks);
    struct res_check *c = &t->checks[t->nchecks++];
    c->name = strdup(name);
    c->passed = passed;
    c->message = strdup(msg);
    c->where = where ? strdup(where) : NULL;
    t->total++;
    t->passed += passed;
}

/* A graded submission: pass, partial fail, hidden fail, hidden error. */
static void setup(void)
{
    make_cfg();
    res_submission_init(&sub);
    sub.student = strdup(AWKWARD_STUDENT);
    sub.ntests = 4;
    sub.tests = calloc(4, sizeof *sub.tests);
    for (size_t i = 0; i < 4; i++) {
        sub.tests[i].cfg = &cfg_tests[i];
        sub.tests[i].wall_ms = 100 * (i + 1);
    }
    struct res_test *t = &sub.tests[0];
    t->status = RES_PASSED;
    add_check(t, "test_small", true, "Passed", NULL);
    add_check(t, "test_large", true, "Passed", NULL);

    t = &sub.tests[1];
    t->status = RES_FAILED;
    add_check(t, "test_tile_1", true, "Passed", NULL);
    add_check(t, "test_tile_2", true, "Passed", NULL);
    add_check(t, "test_tile_odd", false, AWKWARD_MESSAGE "\nsecond line", "test_blocked.c:42");
    t->message = strdup("1 of 3 checks failed");
    t->output = strdup(RAW_OUTPUT);

    t = &sub.tests[2];
    t->status = RES_FAILED;
    add_check(t, "test_secret_ok", true, "Passed", NULL);
    add_check(t, "test_secret", false, "SECRET_CHECK_MESSAGE", "SECRET_CHECK_WHERE.c:7");
    t->message = strdup("SECRET_HIDDEN_MESSAGE");
    t->output = strdup("SECRET_HIDDEN_OUTPUT");

    t = &sub.tests[3];
    t->status = RES_ERROR;
    t->message = strdup("AFTER_DUE_MESSAGE: timed out after 5.0 s");

    sub.coverage = (struct res_coverage){ true, 170, 200, 9, 10, 0, 0 };
    sub.phases = (struct res_phases){ .prepare_ms = 1, .compile_ms = 2, .policy_ms = 3,
                                      .run_ms = 4, .coverage_ms = 5, .report_ms = 6,
                                      .total_ms = 21, .test_runs = 19 };
    res_score(&sub);
}

static void teardown(void)
{
    res_submission_release(&sub);
}

static void assert_no_secrets(const char *text)
{
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        ck_assert_msg(strstr(text, secrets[i]) == NULL, "student output leaks %s:\n%s",
                      secrets[i], text);
}

/* Asserts that text contains every string of the NULL-terminated list. */
static void assert_contains(const char *text, const char *const want[])
{
    for (size_t i = 0; want[i]; i++)
        ck_assert_msg(strstr(text, want[i]) != NULL, "instructor output lacks %s", want[i]);
}

/* ---- results.json --------------------------------------------------------- */

static json_t *load_json(const char *text)
{
    json_error_t err;
    json_t *doc = json_loads(text, 0, &err);
    ck_assert_msg(doc != NULL, "bad JSON at %d:%d: %s", err.line, err.column, err.text);
    return doc;
}

static void assert_keys(json_t *obj, const char *const keys[], size_t n)
{
    ck_assert(json_is_object(obj));
    ck_assert_uint_eq(json_object_size(obj), n);
    size_t i = 0;
    for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it), i++)
        ck_assert_str_eq(json_object_iter_key(it), keys[i]);   /* fixed order */
}

static const char *jstr(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    ck_assert_msg(json_is_string(v), "%s is not a string", key);
    return json_string_value(v);
}

static double jnum(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    ck_assert_msg(json_is_number(v), "%s is not a number", key);
    return json_number_value(v);
}

START_TEST(test_json_top_level)
{
    static const char *const top[] = {
        "score", "execution_time", "output", "output_format", "test_output_format",
        "visibility", "stdout_visibility", "extra_data", "tests",
    };
    static const char *const extra[] = {
        "coverage", "phases_ms", "test_runs", "student", "email", "grader_status", "reason",
        "sandbox", "late", "degraded",
    };
    char *text = report_json(&sub, &cfg, 12.3456);
    ck_assert_ptr_nonnull(text);
    json_t *doc = load_json(text);
    assert_keys(doc, top, sizeof top / sizeof top[0]);
    ck_assert_double_eq_tol(jnum(doc, "score"), 5 + 5 * 2.0 / 3 + 10 * 0.5, 1e-6);
    ck_assert_double_eq_tol(jnum(doc, "execution_time"), 12.346, 1e-9);
    ck_assert_str_eq(jstr(doc, "output_format"), "md");
    ck_assert_str_eq(jstr(doc, "test_output_format"), "text");
    ck_assert_str_eq(jstr(doc, "visibility"), "visible");
    ck_assert_str_eq(jstr(doc, "stdout_visibility"), "hidden");
    /* Gradescope shows the output at once: one row per visibility, points
     * for the visible tests only, no total, no details (each test's box
     * has them). */
    const char *output = jstr(doc, "output");
    ck_assert_ptr_nonnull(strstr(output, "| Visible tests (2) | 8.33 / 10.00 (1 of 2 passed) |"));
    ck_assert_ptr_nonnull(strstr(output, "| Tests shown after the due date (1) | "
                                         "shown after the due date |"));
    ck_assert_ptr_nonnull(strstr(output, "| Hidden tests (1) | not shown |"));
    ck_assert_ptr_null(strstr(output, "13.33"));
    ck_assert_ptr_null(strstr(output, "25.00"));
    ck_assert_ptr_null(strstr(output, "Score"));
    ck_assert_ptr_null(strstr(output, "test_blocked.c"));
    ck_assert_ptr_null(strstr(output, "1 of 3 checks failed"));
    assert_no_secrets(output);

    json_t *ex = json_object_get(doc, "extra_data");
    assert_keys(ex, extra, sizeof extra / sizeof extra[0]);
    ck_assert(json_is_null(json_object_get(ex, "late")));   /* no late policy */
    ck_assert(json_is_null(json_object_get(ex, "reason"))); /* graded */
    ck_assert_str_eq(jstr(ex, "student"), AWKWARD_STUDENT);
    ck_assert(json_is_null(json_object_get(ex, "email")));   /* no metadata */
    ck_assert_str_eq(jstr(ex, "grader_status"), "graded");
    json_t *cov = json_object_get(ex, "coverage");
    ck_assert_int_eq(json_integer_value(json_object_get(cov, "lines_hit")), 170);
    ck_assert_int_eq(json_integer_value(json_object_get(cov, "lines_total")), 200);
    ck_assert(json_is_integer(json_object_get(cov, "branches_total")));
    json_t *ph = json_object_get(ex, "phases_ms");
    ck_assert_int_eq(json_integer_value(json_object_get(ph, "total")), 21);
    ck_assert_int_eq(json_integer_value(json_object_get(ph, "compile")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(ex, "test_runs")), 19);
    json_decref(doc);
    free(text);
}
END_TEST

START_TEST(test_json_tests)
{
    static const char *const keys[] = {
        "score", "max_score", "status", "name", "number", "output", "tags", "visibility",
        "extra_data",
    };
    static const char *const status[] = { "passed", "failed", "failed", "failed" };
    static const char *const vis[] = { "visible", "visible", "hidden", "after_due_date" };
    static const char *const xstatus[] = { "passed", "failed", "failed", "error" };
    char *text = report_json(&sub, &cfg, 1.0);
    json_t *doc = load_json(text);
    json_t *tests = json_object_get(doc, "tests");
    ck_assert_uint_eq(json_array_size(tests), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *t = json_array_get(tests, i);
        char number[8];
        snprintf(number, sizeof number, "%zu", i + 1);
        assert_keys(t, keys, sizeof keys / sizeof keys[0]);
        ck_assert_str_eq(jstr(t, "status"), status[i]);
        ck_assert_str_eq(jstr(t, "number"), number);
        ck_assert_str_eq(jstr(t, "visibility"), vis[i]);
        ck_assert_str_eq(jstr(t, "name"), cfg_tests[i].name);
        ck_assert(json_is_array(json_object_get(t, "tags")));
        ck_assert_double_eq_tol(jnum(t, "score"), sub.tests[i].score, 1e-9);
        ck_assert(jnum(t, "max_score") == cfg_tests[i].points);
        json_t *ex = json_object_get(t, "extra_data");
        ck_assert_str_eq(jstr(ex, "id"), cfg_tests[i].id);
        ck_assert_str_eq(jstr(ex, "status"), xstatus[i]);
        ck_assert_int_eq(json_integer_value(json_object_get(ex, "checks_passed")),
                         sub.tests[i].passed);
        ck_assert_int_eq(json_integer_value(json_object_get(ex, "checks_total")),
                         sub.tests[i].total);
    }
    /* The awkward test: its failing check, then its (cleaned) output. */
    const char *out = jstr(json_array_get(tests, 1), "output");
    ck_assert_ptr_nonnull(strstr(out, "1 of 3 checks failed\n"));
    ck_assert_ptr_nonnull(strstr(out, "test_blocked.c:42: " AWKWARD_MESSAGE "\n"));
    ck_assert_ptr_nonnull(strstr(out, CLEAN_OUTPUT));
    ck_assert(strstr(out, "test_blocked.c") < strstr(out, "row 0"));
    /* Hidden tests are all there for Gradescope to hide. */
    json_t *secret = json_array_get(tests, 2);
    json_t *stags = json_object_get(secret, "tags");
    ck_assert_str_eq(json_string_value(json_array_get(stags, 0)), "SECRET_TAG");
    ck_assert_ptr_nonnull(strstr(jstr(secret, "output"), "SECRET_CHECK_MESSAGE"));
    ck_assert_ptr_nonnull(strstr(jstr(secret, "output"), "SECRET_HIDDEN_OUTPUT"));
    json_t *tags = json_object_get(json_array_get(tests, 0), "tags");
    ck_assert_uint_eq(json_array_size(tags), 2);
    ck_assert_str_eq(json_string_value(json_array_get(tags, 1)), "core");
    json_decref(doc);
    free(text);
}
END_TEST

START_TEST(test_json_numbers_and_determinism)
{
    char *a = report_json(&sub, &cfg, 2.0);
    char *b = report_json(&sub, &cfg, 2.0);
    ck_assert_str_eq(a, b);
    /* Integral reals print one way, with a ".0". */
    ck_assert_ptr_nonnull(strstr(a, "\"max_score\": 5.0,"));
    ck_assert_ptr_nonnull(strstr(a, "\"score\": 5.0,"));
    ck_assert_ptr_nonnull(strstr(a, "\"execution_time\": 2.0,"));
    ck_assert_ptr_nonnull(strstr(a, "\"score\": 3.333333333,"));
    ck_assert_int_eq(a[strlen(a) - 1], '\n');
    free(a);
    free(b);
}
END_TEST

START_TEST(test_json_ungradable)
{
    for (size_t i = 0; i < sub.ntests; i++)
        sub.tests[i].status = RES_NOT_RUN;
    sub.status = RES_UNGRADABLE;
    sub.reason = strdup("kernels.c does not compile");
    sub.build_log = strdup("kernels.c:3:1: error: expected ';'");
    sub.coverage.present = false;
    res_score(&sub);
    char *text = report_json(&sub, &cfg, 0.5);
    json_t *doc = load_json(text);
    ck_assert(jnum(doc, "score") == 0.0);
    /* The reason and the build log first, then the table. */
    const char *out = jstr(doc, "output");
    const char *why = strstr(out, "kernels.c does not compile");
    const char *log = strstr(out, "expected ';'");
    const char *table = strstr(out, "| Tests |");
    ck_assert(why && log && table && why < log && log < table);
    assert_no_secrets(out);
    ck_assert_str_eq(jstr(json_array_get(json_object_get(doc, "tests"), 0), "output"),
                     "not run: the build failed\n");
    json_t *ex = json_object_get(doc, "extra_data");
    ck_assert_str_eq(jstr(ex, "grader_status"), "ungradable");
    ck_assert_str_eq(jstr(ex, "reason"), "kernels.c does not compile");
    ck_assert(json_is_null(json_object_get(ex, "coverage")));
    ck_assert_str_eq(jstr(json_object_get(json_array_get(json_object_get(doc, "tests"), 0),
                                          "extra_data"), "status"), "not run");
    json_decref(doc);
    free(text);
}
END_TEST

/* Every test visible: the total may show. */
START_TEST(test_json_all_visible_total)
{
    for (size_t i = 0; i < 4; i++)
        cfg_tests[i].visibility = CFG_VIS_VISIBLE;
    char *text = report_json(&sub, &cfg, 1.0);
    json_t *doc = load_json(text);
    const char *output = jstr(doc, "output");
    ck_assert_ptr_nonnull(strstr(output, "**Score:** 13.33 / 25.00"));
    ck_assert_ptr_nonnull(strstr(output, "| Visible tests (4) | 13.33 / 25.00 (1 of 4 passed) |"));
    ck_assert_ptr_null(strstr(output, "Hidden"));
    json_decref(doc);
    free(text);
}
END_TEST

/* The leaderboard: the visible measured performance tests only. */
START_TEST(test_json_leaderboard)
{
    cfg.performance.leaderboard = true;
    sub.tests[0].perf.present = true;
    sub.tests[0].perf.value = 1234;
    sub.tests[2].perf.present = true;     /* hidden: never on the class's board */
    sub.tests[2].perf.value = 99;
    char *text = report_json(&sub, &cfg, 1.0);
    json_t *doc = load_json(text);
    json_t *lb = json_object_get(doc, "leaderboard");
    ck_assert_uint_eq(json_array_size(lb), 1);
    json_t *col = json_array_get(lb, 0);
    ck_assert_str_eq(jstr(col, "name"), "Baseline matmul");
    ck_assert(jnum(col, "value") == 1234.0);
    ck_assert_str_eq(jstr(col, "order"), "asc");
    char *lbtext = json_dumps(lb, 0);
    assert_no_secrets(lbtext);
    free(lbtext);
    json_decref(doc);
    free(text);
    cfg.performance.leaderboard = false;
}
END_TEST

/* ---- JUnit ------------------------------------------------------------------ */

static xmlDocPtr load_xml(const char *text)
{
    xmlDocPtr doc = xmlReadMemory(text, (int)strlen(text), "junit.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    ck_assert_msg(doc != NULL, "JUnit is not well-formed:\n%s", text);
    return doc;
}

/* The attribute's value as a malloc'd C string, or NULL. */
static char *xattr(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    if (!v)
        return NULL;
    char *s = strdup((const char *)v);
    xmlFree(v);
    return s;
}

static void assert_xattr(xmlNodePtr n, const char *name, const char *want)
{
    char *v = xattr(n, name);
    ck_assert_msg(v != NULL, "no attribute %s", name);
    ck_assert_str_eq(v, want);
    free(v);
}

/* The first element child named name after `after` (or from the start). */
static xmlNodePtr xchild(xmlNodePtr parent, const char *name, xmlNodePtr after)
{
    for (xmlNodePtr c = after ? after->next : parent->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

static xmlNodePtr testcase_named(xmlNodePtr suite, const char *name)
{
    for (xmlNodePtr c = xchild(suite, "testcase", NULL); c; c = xchild(suite, "testcase", c)) {
        char *v = xattr(c, "name");
        bool match = v && strcmp(v, name) == 0;
        free(v);
        if (match)
            return c;
    }
    return NULL;
}

static unsigned count_children(xmlNodePtr parent, const char *name)
{
    unsigned n = 0;
    for (xmlNodePtr c = xchild(parent, name, NULL); c; c = xchild(parent, name, c))
        n++;
    return n;
}

/* The value of <property name=name> under n's <properties>, malloc'd. */
static char *xproperty(xmlNodePtr n, const char *name)
{
    xmlNodePtr props = xchild(n, "properties", NULL);
    ck_assert_ptr_nonnull(props);
    for (xmlNodePtr p = xchild(props, "property", NULL); p; p = xchild(props, "property", p)) {
        char *k = xattr(p, "name");
        bool match = k && strcmp(k, name) == 0;
        free(k);
        if (match)
            return xattr(p, "value");
    }
    return NULL;
}

static char *xcontent(xmlNodePtr n)
{
    xmlChar *v = xmlNodeGetContent(n);
    char *s = strdup((const char *)v);
    xmlFree(v);
    return s;
}

START_TEST(test_junit_student)
{
    char *text = report_junit(&sub, &cfg, REPORT_STUDENT);
    ck_assert_ptr_nonnull(text);
    assert_no_secrets(text);
    xmlDocPtr doc = load_xml(text);
    xmlNodePtr suite = xmlDocGetRootElement(doc);
    ck_assert_str_eq((const char *)suite->name, "testsuite");
    assert_xattr(suite, "name", "kernels");
    /* baseline, blocked, and the hidden aggregate (secret + after_due). */
    assert_xattr(suite, "tests", "3");
    assert_xattr(suite, "failures", "2");
    assert_xattr(suite, "errors", "0");
    assert_xattr(suite, "time", "0.300");   /* the visible tests only */
    ck_assert_uint_eq(count_children(suite, "testcase"), 3);

    xmlNodePtr hidden = testcase_named(suite, "Hidden tests");
    ck_assert_ptr_nonnull(hidden);
    assert_xattr(hidden, "classname", "kernels");
    char *time = xattr(hidden, "time");
    ck_assert_ptr_null(time);
    xmlNodePtr fail = xchild(hidden, "failure", NULL);
    ck_assert_ptr_nonnull(fail);
    /* GitLab shows the text only: the points are in both. */
    assert_xattr(fail, "message", "Hidden tests: 5.00/15.00 points");
    char *hbody = xcontent(fail);
    ck_assert_str_eq(hbody, "Hidden tests: 5.00/15.00 points");
    free(hbody);
    ck_assert_ptr_null(xchild(hidden, "system-out", NULL));

    /* classname the suite, name the title; no <properties> in a testcase
     * (junit-10.xsd has none there). */
    xmlNodePtr base = testcase_named(suite, "Baseline matmul");
    ck_assert_ptr_nonnull(base);
    assert_xattr(base, "classname", "matmul");
    assert_xattr(base, "time", "0.100");
    ck_assert_ptr_null(xchild(base, "failure", NULL));
    ck_assert_ptr_null(xchild(base, "properties", NULL));
    char *bout = xcontent(xchild(base, "system-out", NULL));
    ck_assert_str_eq(bout, "Points: 5.00 / 5.00\n");
    free(bout);
    xmlFreeDoc(doc);
    free(text);
}
END_TEST

START_TEST(test_junit_instructor)
{
    char *text = report_junit(&sub, &cfg, REPORT_INSTRUCTOR);
    static const char *const want[] = {
        "SECRET_HIDDEN_NAME", "SECRET_HIDDEN_ID", "SECRET_HIDDEN_MESSAGE",
        "SECRET_CHECK_MESSAGE", "SECRET_CHECK_WHERE", "SECRET_HIDDEN_OUTPUT",
        "AFTER_DUE_NAME", "AFTER_DUE_MESSAGE", NULL,
    };
    assert_contains(text, want);
    xmlDocPtr doc = load_xml(text);
    xmlNodePtr suite = xmlDocGetRootElement(doc);
    assert_xattr(suite, "tests", "4");
    assert_xattr(suite, "failures", "2");
    assert_xattr(suite, "errors", "1");
    assert_xattr(suite, "time", "1.000");
    ck_assert_ptr_null(testcase_named(suite, "Hidden tests"));

    xmlNodePtr secret = testcase_named(suite, "SECRET_HIDDEN_NAME");
    ck_assert_ptr_nonnull(secret);
    assert_xattr(secret, "classname", "hidden");
    xmlNodePtr fail = xchild(secret, "failure", NULL);
    assert_xattr(fail, "message", "SECRET_HIDDEN_MESSAGE");
    char *body = xcontent(fail);
    ck_assert_str_eq(body, "SECRET_HIDDEN_MESSAGE\nSECRET_CHECK_WHERE.c:7: SECRET_CHECK_MESSAGE\n");
    free(body);
    char *out = xcontent(xchild(secret, "system-out", NULL));
    ck_assert_str_eq(out, "Points: 5.00 / 10.00\nVisibility: hidden\nId: hidden/SECRET_HIDDEN_ID\n"
                          "\nSECRET_HIDDEN_OUTPUT");
    free(out);

    xmlNodePtr relu = testcase_named(suite, "AFTER_DUE_NAME");
    assert_xattr(relu, "classname", "simd");
    xmlNodePtr err = xchild(relu, "error", NULL);
    ck_assert_ptr_nonnull(err);
    assert_xattr(err, "type", "error");
    assert_xattr(err, "message", "AFTER_DUE_MESSAGE: timed out after 5.0 s");
    char *ebody = xcontent(err);
    ck_assert_str_eq(ebody, "AFTER_DUE_MESSAGE: timed out after 5.0 s\n");
    free(ebody);
    xmlFreeDoc(doc);
    free(text);
}
END_TEST

START_TEST(test_junit_round_trip)
{
    char *text = report_junit(&sub, &cfg, REPORT_STUDENT);
    xmlDocPtr doc = load_xml(text);
    xmlNodePtr suite = xmlDocGetRootElement(doc);
    char *student = xproperty(suite, "student");
    ck_assert_str_eq(student, AWKWARD_STUDENT);
    free(student);

    xmlNodePtr blocked = testcase_named(suite, AWKWARD_NAME);   /* the newline too (&#10;) */
    ck_assert_ptr_nonnull(blocked);
    xmlNodePtr fail = xchild(blocked, "failure", NULL);
    assert_xattr(fail, "message", "1 of 3 checks failed");
    char *body = xcontent(fail);
    ck_assert_str_eq(body, "1 of 3 checks failed\ntest_blocked.c:42: " AWKWARD_MESSAGE
                           "\n  second line\n");
    free(body);
    char *out = xcontent(xchild(blocked, "system-out", NULL));
    ck_assert_str_eq(out, "Points: 3.33 / 5.00\n\n" CLEAN_OUTPUT);
    free(out);
    xmlFreeDoc(doc);

    char *again = report_junit(&sub, &cfg, REPORT_STUDENT);
    ck_assert_str_eq(text, again);
    free(again);
    free(text);
}
END_TEST

START_TEST(test_junit_ungradable_empty)
{
    struct res_submission s;
    res_submission_init(&s);
    s.student = strdup("bob");
    s.status = RES_UNGRADABLE;
    s.reason = strdup("missing kernels.c");
    s.build_log = strdup("no such file: <kernels.c> & more");
    char *text = report_junit(&s, &cfg, REPORT_STUDENT);
    xmlDocPtr doc = load_xml(text);
    xmlNodePtr suite = xmlDocGetRootElement(doc);
    assert_xattr(suite, "tests", "0");
    assert_xattr(suite, "failures", "0");
    char *log = xcontent(xchild(suite, "system-out", NULL));
    ck_assert_str_eq(log, "no such file: <kernels.c> & more");
    free(log);
    char *reason = xproperty(suite, "reason");
    ck_assert_str_eq(reason, "missing kernels.c");
    free(reason);
    xmlFreeDoc(doc);
    free(text);
    res_submission_release(&s);
}
END_TEST

/* A build failure: each test an <error> that says why it did not run. */
START_TEST(test_junit_not_run)
{
    for (size_t i = 0; i < sub.ntests; i++) {
        res_test_release(&sub.tests[i]);
        sub.tests[i].cfg = &cfg_tests[i];
        sub.tests[i].status = RES_NOT_RUN;
    }
    sub.status = RES_UNGRADABLE;
    sub.reason = strdup("your code did not compile or link: see the build log");
    sub.build_log = strdup("kernels.c:3:1: error: expected ';'");
    res_score(&sub);
    char *text = report_junit(&sub, &cfg, REPORT_STUDENT);
    xmlDocPtr doc = load_xml(text);
    xmlNodePtr suite = xmlDocGetRootElement(doc);
    assert_xattr(suite, "errors", "2");
    xmlNodePtr err = xchild(testcase_named(suite, "Baseline matmul"), "error", NULL);
    ck_assert_ptr_nonnull(err);
    assert_xattr(err, "message", "not run: the build failed");
    char *body = xcontent(err);
    ck_assert_str_eq(body, "not run: the build failed\n");
    free(body);
    xmlFreeDoc(doc);
    free(text);
}
END_TEST

/* ---- text ------------------------------------------------------------------- */

START_TEST(test_text_student)
{
    char *text = report_text(&sub, &cfg, REPORT_STUDENT);
    ck_assert_ptr_nonnull(text);
    assert_no_secrets(text);
    ck_assert_ptr_null(strchr(text, '\x1b'));
    ck_assert_ptr_null(strstr(text, "Phases"));
    ck_assert_ptr_nonnull(strstr(text, "Assignment: TinyTorch Kernels (kernels)\n"));
    ck_assert_ptr_nonnull(strstr(text, "Score:      13.33 / 25.00\n"));
    ck_assert_ptr_nonnull(strstr(text, "  PASS       5.00 /     5.00  Baseline matmul\n"));
    /* One-line fields lose their newline; details sit under the name. */
    ck_assert_ptr_nonnull(strstr(text, "  FAIL       3.33 /     5.00  Blocked \"tiled\" "
                                       "<matmul> & 'co' line two"));
    ck_assert_ptr_nonnull(strstr(text, "  test_blocked.c:42: " AWKWARD_MESSAGE "\n"));
    ck_assert_ptr_nonnull(strstr(text, "| row 0: ok"));
    ck_assert_ptr_nonnull(strstr(text, "Hidden tests: 5.00/15.00\n"));
    ck_assert_ptr_nonnull(strstr(text, "  matmul                       8.33 /    10.00\n"));
    ck_assert_ptr_nonnull(strstr(text, "  lines       85.0%  (170/200)\n"));
    ck_assert_ptr_nonnull(strstr(text, "  branches      n/a\n"));

    char *again = report_text(&sub, &cfg, REPORT_STUDENT);
    ck_assert_str_eq(text, again);
    free(again);
    free(text);
}
END_TEST

START_TEST(test_text_instructor)
{
    char *text = report_text(&sub, &cfg, REPORT_INSTRUCTOR);
    static const char *const want[] = {
        "SECRET_HIDDEN_NAME", "SECRET_HIDDEN_ID", "SECRET_HIDDEN_MESSAGE",
        "SECRET_CHECK_MESSAGE", "SECRET_CHECK_WHERE", "SECRET_HIDDEN_OUTPUT",
        "SECRET_CATEGORY", "AFTER_DUE_NAME", "AFTER_DUE_MESSAGE", NULL,
    };
    assert_contains(text, want);
    ck_assert_ptr_null(strstr(text, "Hidden tests"));
    ck_assert_ptr_nonnull(strstr(text, "[hidden/SECRET_HIDDEN_ID, hidden]"));
    ck_assert_ptr_nonnull(strstr(text, "Phases (ms): prepare 1, compile 2"));
    ck_assert_ptr_nonnull(strstr(text, "coverage 5, report 6, total 21\n"));
    ck_assert_ptr_nonnull(strstr(text, "  ERROR      0.00 /     5.00  AFTER_DUE_NAME"));
    free(text);
    /* written before the reports are timed (grade.c): no "total 0" */
    struct res_phases keep = sub.phases;
    sub.phases.report_ms = sub.phases.total_ms = 0;
    text = report_text(&sub, &cfg, REPORT_INSTRUCTOR);
    sub.phases = keep;
    ck_assert_ptr_nonnull(strstr(text, "coverage 5 (the total: results.json)\n"));
    ck_assert_ptr_null(strstr(text, "total 0"));
    free(text);
}
END_TEST

START_TEST(test_text_truncates_long_output)
{
    char *big = malloc(100 * 16 + 1);
    big[0] = '\0';
    for (int i = 0; i < 100; i++)
        sprintf(big + strlen(big), "line %03d of out\n", i);
    free(sub.tests[1].output);
    sub.tests[1].output = big;
    char *text = report_text(&sub, &cfg, REPORT_STUDENT);
    ck_assert_ptr_nonnull(strstr(text, "| line 019 of out\n"));
    ck_assert_ptr_null(strstr(text, "line 020"));
    ck_assert_ptr_nonnull(strstr(text, "... (output truncated)"));
    free(text);
}
END_TEST

START_TEST(test_text_ungradable)
{
    sub.status = RES_UNGRADABLE;
    sub.reason = strdup("policy: kernels.c calls system()");
    sub.build_log = strdup("line one\nline two");
    char *text = report_text(&sub, &cfg, REPORT_STUDENT);
    ck_assert_ptr_nonnull(strstr(text, "Reason: policy: kernels.c calls system()\n"));
    ck_assert_ptr_nonnull(strstr(text, "Build log\n  line one\n  line two\n"));
    ck_assert_ptr_nonnull(strstr(text, "Status:     ungradable\n"));
    free(text);
}
END_TEST

/* ---- gradebook.csv ------------------------------------------------------------ */

struct csv_rows {
    char *fields[64];
    size_t n;
    unsigned rows;
};

static void on_field(void *data, size_t len, void *ctx)
{
    struct csv_rows *r = ctx;
    ck_assert_uint_lt(r->n, 64);
    r->fields[r->n++] = strndup(data ? data : "", len);
}

static void on_row(int c, void *ctx)
{
    (void)c;
    ((struct csv_rows *)ctx)->rows++;
}

/* Parses one CSV line strictly into r. */
static void parse_csv(const char *line, struct csv_rows *r)
{
    struct csv_parser p;
    memset(r, 0, sizeof *r);
    ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    size_t len = strlen(line);
    ck_assert_uint_eq(csv_parse(&p, line, len, on_field, on_row, r), len);
    ck_assert_int_eq(csv_fini(&p, on_field, on_row, r), 0);
    csv_free(&p);
    ck_assert_uint_eq(r->rows, 1);
}

static void free_rows(struct csv_rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->fields[i]);
}

START_TEST(test_gradebook_header)
{
    static const char *const want[] = {
        "student", "status", "score", "max_score",
        "matmul/baseline points", "matmul/blocked points", "hidden/SECRET_HIDDEN_ID points",
        "simd/relu points",
        "matmul/baseline status", "matmul/blocked status", "hidden/SECRET_HIDDEN_ID status",
        "simd/relu status",
        "line_coverage", "branch_coverage", "late_days", "late_penalty",
    };
    char *h = report_gradebook_header(&cfg);
    ck_assert_ptr_nonnull(h);
    ck_assert_int_eq(h[strlen(h) - 1], '\n');
    ck_assert(strchr(h, '\n') == h + strlen(h) - 1);
    struct csv_rows r;
    parse_csv(h, &r);
    ck_assert_uint_eq(r.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < r.n; i++)
        ck_assert_str_eq(r.fields[i], want[i]);
    free_rows(&r);
    free(h);
}
END_TEST

START_TEST(test_gradebook_row)
{
    static const char *const want[] = {
        AWKWARD_STUDENT, "graded", "13.33", "25.00",
        "5.00", "3.33", "5.00", "0.00",
        "passed", "failed", "failed", "error",
        "85.0", "", "", "",
    };
    char *row = report_gradebook_row(&sub, &cfg);
    ck_assert_ptr_nonnull(row);
    ck_assert_int_eq(row[strlen(row) - 1], '\n');
    struct csv_rows r;
    parse_csv(row, &r);
    ck_assert_uint_eq(r.n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < r.n; i++)
        ck_assert_str_eq(r.fields[i], want[i]);
    free_rows(&r);
    char *again = report_gradebook_row(&sub, &cfg);
    ck_assert_str_eq(row, again);
    free(again);
    free(row);
}
END_TEST

START_TEST(test_gradebook_row_ungradable_no_coverage)
{
    struct res_submission s;
    res_submission_init(&s);
    s.student = strdup("carol");
    s.status = RES_UNGRADABLE;
    s.ntests = 4;
    s.tests = calloc(4, sizeof *s.tests);
    for (size_t i = 0; i < 4; i++) {
        s.tests[i].cfg = &cfg_tests[i];
        s.tests[i].status = RES_NOT_RUN;
    }
    res_score(&s);
    char *row = report_gradebook_row(&s, &cfg);
    ck_assert_str_eq(row, "\"carol\",\"ungradable\",0.00,25.00,0.00,0.00,0.00,0.00,"
                          "\"not run\",\"not run\",\"not run\",\"not run\",,,,\n");
    free(row);
    res_submission_release(&s);
}
END_TEST

/* ---- performance tests ------------------------------------------------------ */

/* Test 0 becomes a measured performance test: its measurement shows even
 * though it passed, its numbers go to extra_data, and its wall-clock
 * timing (different on every run) only to the text reports. */
static void make_perf_test(struct res_test *t, double fraction)
{
    t->status = fraction >= 1.0 ? RES_PASSED : RES_FAILED;
    t->message = strdup("L1 data cache misses: 36320, reference (naive) 7237460, ratio 0.005");
    t->perf = (struct res_perf){.present = true, .metric = CFG_METRIC_D1_MISSES,
                                .value = 36320, .reference = 7237460, .ratio = 0.005,
                                .fraction = fraction};
    snprintf(t->perf.timing, sizeof t->perf.timing, "wall clock, not graded: 1.5 ms");
}

START_TEST(test_perf_reports)
{
    struct res_test *t = &sub.tests[0];
    make_perf_test(t, 1.0);
    res_score(&sub);
    ck_assert_double_eq(t->score, 5.0);
    char *text = report_json(&sub, &cfg, 1.0);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_null(strstr(text, "wall clock"));
    json_t *doc = load_json(text);
    json_t *jt = json_array_get(json_object_get(doc, "tests"), 0);
    ck_assert_str_eq(jstr(jt, "status"), "passed");
    ck_assert_ptr_nonnull(strstr(jstr(jt, "output"), "ratio 0.005"));
    json_t *ex = json_object_get(jt, "extra_data");
    ck_assert_str_eq(jstr(ex, "metric"), "d1_misses");
    ck_assert_double_eq(jnum(ex, "value"), 36320);
    ck_assert_double_eq(jnum(ex, "reference"), 7237460);
    ck_assert_double_eq(jnum(ex, "ratio"), 0.005);
    ck_assert_ptr_null(json_object_get(ex, "balance"));
    json_decref(doc);
    free(text);

    text = report_text(&sub, &cfg, REPORT_STUDENT);
    ck_assert_ptr_nonnull(strstr(text, "  PASS       5.00 /     5.00  Baseline matmul\n"
                                       "                            L1 data cache misses: "));
    ck_assert_ptr_nonnull(strstr(text, "\n                            wall clock, not graded"));
    free(text);
}
END_TEST

START_TEST(test_perf_partial_score)
{
    struct res_test *t = &sub.tests[0];
    make_perf_test(t, 0.25);
    t->perf.metric = CFG_METRIC_THREADS;
    t->perf.balance = 0.5;
    res_score(&sub);
    ck_assert_double_eq(t->score, 1.25);
    char *text = report_json(&sub, &cfg, 1.0);
    json_t *doc = load_json(text);
    json_t *ex = json_object_get(json_array_get(json_object_get(doc, "tests"), 0), "extra_data");
    ck_assert_str_eq(jstr(ex, "metric"), "threads");
    ck_assert_double_eq(jnum(ex, "balance"), 0.5);
    json_decref(doc);
    free(text);
    t->status = RES_ERROR;                 /* an error scores nothing, whatever the fraction */
    res_score(&sub);
    ck_assert_double_eq(t->score, 0.0);
}
END_TEST

/* Notes (leaked tensors) show on a passed test, in the text report and in
 * results.json, and never on a hidden one for the student. */
START_TEST(test_notes_on_passed_tests)
{
    sub.tests[0].notes = strdup("memory: test_small: 1 tensor(s) created during the test were never freed\n");
    sub.tests[2].notes = strdup("memory: SECRET_NOTE\n");
    res_score(&sub);
    char *text = report_text(&sub, &cfg, REPORT_STUDENT);
    char *full = report_text(&sub, &cfg, REPORT_INSTRUCTOR);
    char *json = report_json(&sub, &cfg, 1.0);
    ck_assert_ptr_nonnull(strstr(text, "memory: test_small: 1 tensor(s)"));
    ck_assert_ptr_null(strstr(text, "SECRET_NOTE"));
    ck_assert_ptr_nonnull(strstr(full, "SECRET_NOTE"));
    ck_assert_ptr_nonnull(strstr(json, "memory: test_small: 1 tensor(s)"));
    free(text);
    free(full);
    free(json);
}
END_TEST

/* ---- Markdown ----------------------------------------------------------------- */

START_TEST(test_markdown_student)
{
    char *md = report_markdown(&sub, &cfg);
    ck_assert_ptr_nonnull(md);
    assert_no_secrets(md);
    ck_assert_ptr_null(strchr(md, '\x1b'));
    ck_assert_ptr_nonnull(strstr(md, "## TinyTorch Kernels \xE2\x80\x94 Score: 13.33 / 25.00\n"));
    ck_assert_ptr_nonnull(strstr(md, "| Result | Test | Points |\n|---|---|---:|\n"));
    ck_assert_ptr_nonnull(strstr(md, "| \xE2\x9C\x85 PASS | Baseline matmul | 5.00 / 5.00 |\n"));
    /* One line, with the markup characters of the awkward name escaped. */
    ck_assert_ptr_nonnull(strstr(md, "| \xE2\x9D\x8C FAIL | Blocked \"tiled\" \\<matmul\\> "
                                     "\\& 'co' line two"));
    /* The hidden and after-due tests: one row of points, nothing else. */
    ck_assert_ptr_nonnull(strstr(md, "| | Hidden tests | 5.00 / 15.00 |\n"));
    /* The failing check and the output in fenced blocks, cleaned. */
    ck_assert_ptr_nonnull(strstr(md, "Result: 1 of 3 checks failed\n\n"));
    ck_assert_ptr_nonnull(strstr(md, "Failing checks:\n\n```\ntest_blocked.c:42: "
                                     AWKWARD_MESSAGE "\n  second line\n```\n"));
    ck_assert_ptr_nonnull(strstr(md, "Output:\n\n```\n" CLEAN_OUTPUT "```\n"));
    ck_assert_ptr_nonnull(strstr(md, "| Lines | 85.0% | 170 / 200 |\n"));
    ck_assert_ptr_nonnull(strstr(md, "| Branches | n/a | |\n"));
    ck_assert_ptr_null(strstr(md, "Late"));            /* no late policy */
    char *again = report_markdown(&sub, &cfg);
    ck_assert_str_eq(md, again);                       /* deterministic */
    free(again);
    free(md);
}
END_TEST

/* Backticks in the content: the fence is longer than any run of them, so
 * no line of the content can close it. */
START_TEST(test_markdown_fences)
{
    free(sub.tests[1].output);
    sub.tests[1].output = strdup("a ``` b\n````\n``` not a fence\n");
    char *md = report_markdown(&sub, &cfg);
    ck_assert_ptr_nonnull(strstr(md, "Output:\n\n`````\na ``` b\n````\n``` not a fence\n`````\n"));
    free(md);
    free(sub.tests[1].output);
    sub.tests[1].output = strdup("no newline at the end");
    md = report_markdown(&sub, &cfg);
    ck_assert_ptr_nonnull(strstr(md, "```\nno newline at the end\n```\n"));
    free(md);
}
END_TEST

/* Names and messages cannot add links, HTML, images or formatting. */
START_TEST(test_markdown_escapes)
{
    cfg_tests[0].name = "<img src=x> [link](http://e.x) *bold* `code` | pipe _u_ ~s~ $m$ !#&amp;";
    sub.tests[0].status = RES_FAILED;
    sub.tests[0].message = strdup("see [here](http://e.x)");
    char *md = report_markdown(&sub, &cfg);
    ck_assert_ptr_nonnull(strstr(md, "\\<img src=x\\> \\[link\\](http://e.x) \\*bold\\* "
                                     "\\`code\\` \\| pipe \\_u\\_ \\~s\\~ \\$m\\$ \\!\\#\\&amp;"));
    ck_assert_ptr_nonnull(strstr(md, "Result: see \\[here\\](http://e.x)\n"));
    unsigned seen = 0;                     /* the table and the failure: escaped both */
    for (const char *img = strstr(md, "<img"); img; img = strstr(img + 1, "<img"), seen++)
        ck_assert(img > md && img[-1] == '\\');
    ck_assert_uint_eq(seen, 2);
    free(md);
}
END_TEST

START_TEST(test_markdown_ungradable)
{
    for (size_t i = 0; i < sub.ntests; i++)
        sub.tests[i].status = RES_NOT_RUN;
    sub.status = RES_UNGRADABLE;
    sub.reason = strdup("your code did not compile or link: see the build log");
    sub.build_log = strdup("kernels.c:3:1: error: expected ';' before `}`");
    sub.coverage.present = false;
    res_score(&sub);
    char *md = report_markdown(&sub, &cfg);
    assert_no_secrets(md);
    ck_assert_ptr_nonnull(strstr(md, "**Status:** ungradable"));
    ck_assert_ptr_nonnull(strstr(md, "**Your submission could not be graded:**\n\n```\nyour "
                                     "code did not compile or link: see the build log\n```\n"));
    ck_assert_ptr_nonnull(strstr(md, "### Build log\n\n```\nkernels.c:3:1: error: expected ';' "
                                     "before `}`\n```\n"));
    ck_assert_ptr_null(strstr(md, "### Coverage"));
    free(md);
}
END_TEST

/* A measured test: its measurement, never its timing (results.json's
 * output must be the same on every grading). */
START_TEST(test_markdown_performance)
{
    struct res_test *t = &sub.tests[0];
    t->status = RES_PASSED;
    t->message = strdup("L1 data cache misses: 36320, reference (naive) 7237460, ratio 0.005");
    t->perf = (struct res_perf){.present = true, .metric = CFG_METRIC_D1_MISSES,
                                .value = 36320, .reference = 7237460, .ratio = 0.005,
                                .fraction = 1.0};
    snprintf(t->perf.timing, sizeof t->perf.timing, "wall clock, not graded: 1.5 ms");
    sub.tests[2].notes = strdup("memory: SECRET_NOTE\n");
    sub.tests[1].notes = strdup("memory: test_tile_odd: 1 tensor(s) never freed\n");
    res_score(&sub);
    char *md = report_markdown(&sub, &cfg);
    ck_assert_ptr_nonnull(strstr(md, "### Performance\n\n- **Baseline matmul** (5.00 / 5.00): "
                                     "L1 data cache misses: 36320, reference (naive) 7237460, "
                                     "ratio 0.005\n"));
    ck_assert_ptr_null(strstr(md, "wall clock"));
    ck_assert_ptr_nonnull(strstr(md, "```\nmemory: test_tile_odd: 1 tensor(s) never freed\n```"));
    ck_assert_ptr_null(strstr(md, "SECRET_NOTE"));
    free(md);
}
END_TEST

/* ---- colour ---------------------------------------------------------------------- */

/* A copy of text without its ANSI SGR sequences. */
static char *strip_sgr(const char *text)
{
    char *out = malloc(strlen(text) + 1), *o = out;
    ck_assert_ptr_nonnull(out);
    for (const char *p = text; *p; p++) {
        if (*p == '\x1b' && p[1] == '[') {
            p += 2;
            while (*p && *p != 'm')
                p++;
            continue;
        }
        *o++ = *p;
    }
    *o = '\0';
    return out;
}

START_TEST(test_text_color)
{
    char *plain = report_text_styled(&sub, &cfg, REPORT_STUDENT, REPORT_PLAIN);
    char *color = report_text_styled(&sub, &cfg, REPORT_STUDENT, REPORT_COLOR);
    char *dflt = report_text(&sub, &cfg, REPORT_STUDENT);
    ck_assert_ptr_null(strchr(plain, '\x1b'));
    ck_assert_str_eq(plain, dflt);         /* report_text() is plain */
    ck_assert_ptr_nonnull(strstr(color, "  \x1b[32mPASS\x1b[0m       5.00 /     5.00  Baseline"));
    ck_assert_ptr_nonnull(strstr(color, "  \x1b[31mFAIL\x1b[0m       3.33 /     5.00  Blocked"));
    ck_assert_ptr_nonnull(strstr(color, "\n\x1b[1mTests\x1b[0m\n"));
    ck_assert_ptr_nonnull(strstr(color, "\n\x1b[1mCoverage\x1b[0m\n"));
    assert_no_secrets(color);
    char *stripped = strip_sgr(color);
    ck_assert_str_eq(stripped, plain);     /* colour adds codes, never moves text */
    free(stripped);
    free(plain);
    free(color);
    free(dflt);
}
END_TEST

START_TEST(test_class_table_color)
{
    struct res_row rows[] = {
        {.student = (char *)"alice", .graded = true, .score = 10, .max_score = 20},
        {.student = (char *)"bob", .graded = false, .score = 0, .max_score = 20},
    };
    char *plain = report_class_table(rows, 2);
    char *color = report_class_table_styled(rows, 2, REPORT_COLOR);
    ck_assert_ptr_null(strchr(plain, '\x1b'));
    ck_assert_ptr_nonnull(strstr(color, "\x1b[31mungradable\x1b[0m"));
    ck_assert_ptr_nonnull(strstr(plain, "bob                      ungradable    0.00 /   20.00"));
    char *stripped = strip_sgr(color);
    ck_assert_str_eq(stripped, plain);
    free(stripped);
    free(plain);
    free(color);
}
END_TEST

/* ---- the late penalty ------------------------------------------------------------- */

/* A config with a late policy; the submission 2 days late (20%). */
static void make_late(struct res_submission *s, const char *submitted_at)
{
    cfg.late = (struct cfg_late){.enabled = true, .due_ms = 1797397140000,
                                 .due = (char *)"2026-12-15T23:59:00-05:00",
                                 .per_day_pct = 10, .max_penalty_pct = 30};
    if (submitted_at)
        ck_assert_int_eq(res_set_submitted_at(s, submitted_at), 0);
    res_apply_late(s, &cfg.late);
}

START_TEST(test_late_reports)
{
    make_late(&sub, "2026-12-17T12:00:00-05:00");
    double earned = 5 + 5 * 2.0 / 3 + 10 * 0.5;
    ck_assert_uint_eq(sub.late.days, 2);
    ck_assert_double_eq_tol(sub.score, earned * 0.8, 1e-9);

    char *text = report_text(&sub, &cfg, REPORT_STUDENT);
    ck_assert_ptr_nonnull(strstr(text, "Score:      10.67 / 25.00\nLate:       2 days late "
                                       "(submitted 2026-12-17T12:00:00-05:00, due "
                                       "2026-12-15T23:59:00-05:00): 20% penalty, 2.67 points lost\n"));
    ck_assert_ptr_nonnull(strstr(text, "Total: 10.67 / 25.00 (13.33 before the late penalty)\n"));
    free(text);

    char *md = report_markdown(&sub, &cfg);
    ck_assert_ptr_nonnull(strstr(md, "## TinyTorch Kernels \xE2\x80\x94 Score: 10.67 / 25.00\n"));
    ck_assert_ptr_nonnull(strstr(md, "**Late:** 2 days late (submitted 2026-12-17T12:00:00-05:00, "
                                     "due 2026-12-15T23:59:00-05:00): 20% penalty, 2.67 points lost "
                                     "(13.33 before the late penalty)\n"));
    free(md);

    char *json = report_json(&sub, &cfg, 1.0);
    json_t *doc = load_json(json);
    ck_assert_double_eq_tol(jnum(doc, "score"), earned * 0.8, 1e-7);   /* 10 digits */
    json_t *late = json_object_get(json_object_get(doc, "extra_data"), "late");
    static const char *const keys[] = {
        "submitted_at", "due", "status", "days_late", "penalty", "points_lost",
    };
    assert_keys(late, keys, sizeof keys / sizeof keys[0]);
    ck_assert_str_eq(jstr(late, "submitted_at"), "2026-12-17T12:00:00-05:00");
    ck_assert_str_eq(jstr(late, "status"), "late");
    ck_assert_int_eq(json_integer_value(json_object_get(late, "days_late")), 2);
    ck_assert_double_eq_tol(jnum(late, "penalty"), 0.2, 1e-12);
    ck_assert_double_eq_tol(jnum(late, "points_lost"), earned * 0.2, 1e-7);
    json_decref(doc);
    free(json);

    char *row = report_gradebook_row(&sub, &cfg);
    struct csv_rows r;
    parse_csv(row, &r);
    ck_assert_str_eq(r.fields[2], "10.67");
    ck_assert_str_eq(r.fields[r.n - 2], "2");
    ck_assert_str_eq(r.fields[r.n - 1], "20.00");
    free_rows(&r);
    free(row);
}
END_TEST

START_TEST(test_late_unknown_time)
{
    make_late(&sub, NULL);
    char *text = report_text(&sub, &cfg, REPORT_STUDENT);
    ck_assert_ptr_nonnull(strstr(text, "Late:       submission time unknown: no late penalty "
                                       "applied (due 2026-12-15T23:59:00-05:00)\n"));
    ck_assert_ptr_nonnull(strstr(text, "Total: 13.33 / 25.00\n"));
    free(text);
    char *json = report_json(&sub, &cfg, 1.0);
    json_t *doc = load_json(json);
    json_t *late = json_object_get(json_object_get(doc, "extra_data"), "late");
    ck_assert(json_is_null(json_object_get(late, "submitted_at")));
    ck_assert(json_is_null(json_object_get(late, "days_late")));
    ck_assert_str_eq(jstr(late, "status"), "unknown");
    ck_assert(jnum(late, "points_lost") == 0.0);
    json_decref(doc);
    free(json);
    char *row = report_gradebook_row(&sub, &cfg);
    ck_assert_ptr_nonnull(strstr(row, ",,\n"));   /* unknown is not "on time" */
    free(row);
}
END_TEST

START_TEST(test_late_after_late_due)
{
    make_late(&sub, NULL);
    cfg.late.late_due = (char *)"2026-12-18T23:59:00-05:00";
    cfg.late.late_due_ms = 1797397140000 + 3 * 86400000ll;
    ck_assert_int_eq(res_set_submitted_at(&sub, "2026-12-20T00:00:00Z"), 0);
    res_apply_late(&sub, &cfg.late);
    char *text = report_text_styled(&sub, &cfg, REPORT_STUDENT, REPORT_COLOR);
    ck_assert_ptr_nonnull(strstr(text, "Late:       \x1b[33msubmitted after the late due date "
                                       "(submitted 2026-12-20T00:00:00Z, late due "
                                       "2026-12-18T23:59:00-05:00): score 0, 13.33 points lost"));
    ck_assert_ptr_nonnull(strstr(text, "0.00 / 25.00"));
    free(text);
}
END_TEST

Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("json");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_json_top_level);
    tcase_add_test(tc, test_json_tests);
    tcase_add_test(tc, test_json_numbers_and_determinism);
    tcase_add_test(tc, test_json_ungradable);
    tcase_add_test(tc, test_json_all_visible_total);
    tcase_add_test(tc, test_json_leaderboard);
    suite_add_tcase(s, tc);

    tc = tcase_create("junit");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_junit_student);
    tcase_add_test(tc, test_junit_instructor);
    tcase_add_test(tc, test_junit_round_trip);
    tcase_add_test(tc, test_junit_ungradable_empty);
    tcase_add_test(tc, test_junit_not_run);
    suite_add_tcase(s, tc);

    tc = tcase_create("text");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_text_student);
    tcase_add_test(tc, test_text_instructor);
    tcase_add_test(tc, test_text_truncates_long_output);
    tcase_add_test(tc, test_text_ungradable);
    tcase_add_test(tc, test_perf_reports);
    tcase_add_test(tc, test_perf_partial_score);
    tcase_add_test(tc, test_notes_on_passed_tests);
    suite_add_tcase(s, tc);

    tc = tcase_create("gradebook");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_gradebook_header);
    tcase_add_test(tc, test_gradebook_row);
    tcase_add_test(tc, test_gradebook_row_ungradable_no_coverage);
    suite_add_tcase(s, tc);

    tc = tcase_create("markdown");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_markdown_student);
    tcase_add_test(tc, test_markdown_fences);
    tcase_add_test(tc, test_markdown_escapes);
    tcase_add_test(tc, test_markdown_ungradable);
    tcase_add_test(tc, test_markdown_performance);
    suite_add_tcase(s, tc);

    tc = tcase_create("color_and_late");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_text_color);
    tcase_add_test(tc, test_class_table_color);
    tcase_add_test(tc, test_late_reports);
    tcase_add_test(tc, test_late_unknown_time);
    tcase_add_test(tc, test_late_after_late_due);
    suite_add_tcase(s, tc);
    return s;
}
