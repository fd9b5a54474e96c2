/*
 * test_html.c -- unit tests of grader/src/report/html.c.  Every page is parsed
 * back with libxml2's HTML parser and checked by element and class:
 * hidden tests never reach the student page, failing checks and output
 * do, markup in student text comes back as the same text (escaped, not
 * interpreted), SVG bars are as long as their values say, and the
 * dashboard lists every finished student with links and charts.  The
 * config is built by hand, not loaded from YAML.
 */
#include <check.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "report/html.h"
#include "report/report.h"
#include "score/result.h"
#include "suites.h"

/* Strings no student page may contain. */
static const char *const secrets[] = {
    "SECRET_HIDDEN_NAME", "SECRET_HIDDEN_ID", "SECRET_HIDDEN_MESSAGE",
    "SECRET_CHECK_MESSAGE", "SECRET_CHECK_WHERE", "SECRET_HIDDEN_OUTPUT",
    "SECRET_CATEGORY", "SECRET_PERF_NAME", "SECRET_PERF_MESSAGE", "AFTER_DUE_NAME",
    "AFTER_DUE_MESSAGE",
};

#define AWKWARD_NAME "Blocked \"tiled\" <matmul> & 'co'\nline two \xC3\xBC"
#define AWKWARD_NAME_LINE "Blocked \"tiled\" <matmul> & 'co' line two \xC3\xBC"
#define AWKWARD_MESSAGE "expected <19> & \"x\", got 0"
/* Output with markup, a control character, an escape and an invalid byte. */
#define RAW_OUTPUT "row 0: ok <b>&amp;</b>\n\x01\x1b[31mred\xff end\n"
#define CLEAN_OUTPUT "row 0: ok <b>&amp;</b>\n\xEF\xBF\xBD\xEF\xBF\xBD[31mred\xEF\xBF\xBD end\n"
#define UNGRADABLE_REASON "kernels.c:3: error: expected ';' before <script>alert(1)</script>"

/* The chart geometry of html.c. */
#define BAR_AREA 360.0

enum { T_PASS, T_FAIL, T_HIDDEN, T_AFTER_DUE, T_PERF, T_THREADS, T_HIDDEN_PERF, NTESTS };

static struct cfg_test cfg_tests[NTESTS];
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

static void set_perf(struct cfg_test *c, enum cfg_metric metric, const char *reference)
{
    c->kind = CFG_KIND_PERFORMANCE;
    c->perf.measure = "measure";
    c->perf.reference = (char *)reference;
    c->perf.metric = metric;
    c->perf.full_at = 0.02;
    c->perf.zero_at = 0.1;
    c->perf.threads = 4;
    c->perf.balance = 0.5;
}

static void make_cfg(void)
{
    memset(&cfg, 0, sizeof cfg);
    cfg.name = "kernels";
    cfg.title = "TinyTorch <Kernels> & co";
    set_cfg_test(&cfg_tests[T_PASS], "matmul/baseline", "Baseline matmul", 5, CFG_VIS_VISIBLE,
                 "matmul");
    set_cfg_test(&cfg_tests[T_FAIL], "matmul/blocked", AWKWARD_NAME, 6, CFG_VIS_VISIBLE,
                 "matmul");
    set_cfg_test(&cfg_tests[T_HIDDEN], "hidden/SECRET_HIDDEN_ID", "SECRET_HIDDEN_NAME", 10,
                 CFG_VIS_HIDDEN, "SECRET_CATEGORY");
    set_cfg_test(&cfg_tests[T_AFTER_DUE], "simd/relu", "AFTER_DUE_NAME", 5,
                 CFG_VIS_AFTER_DUE_DATE, NULL);
    set_cfg_test(&cfg_tests[T_PERF], "perf/blocked_cache", "Blocked matmul: L1 misses", 4,
                 CFG_VIS_VISIBLE, "performance");
    set_perf(&cfg_tests[T_PERF], CFG_METRIC_D1_MISSES, "naive_matmul");
    set_cfg_test(&cfg_tests[T_THREADS], "perf/threads", "Parallel ReLU threads", 4,
                 CFG_VIS_VISIBLE, "performance");
    set_perf(&cfg_tests[T_THREADS], CFG_METRIC_THREADS, "parallel_relu_1");
    set_cfg_test(&cfg_tests[T_HIDDEN_PERF], "perf/SECRET_HIDDEN_ID2", "SECRET_PERF_NAME", 2,
                 CFG_VIS_HIDDEN, "SECRET_CATEGORY");
    set_perf(&cfg_tests[T_HIDDEN_PERF], CFG_METRIC_INSTRUCTIONS, "naive_quantized");
    cfg.tests = cfg_tests;
    cfg.ntests = NTESTS;
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

/* A ratio measurement: d1 misses of 3,000,000 against 7,237,460. */
static void set_ratio(struct res_test *t, enum cfg_metric m, double value, double reference)
{
    t->perf.present = true;
    t->perf.metric = m;
    t->perf.value = value;
    t->perf.reference = reference;
    t->perf.ratio = value / reference;
    t->perf.fraction = t->perf.ratio <= 0.02 ? 1 : t->perf.ratio >= 0.1 ? 0
                       : (0.1 - t->perf.ratio) / 0.08;
}

static void init_sub(struct res_submission *s, const char *student)
{
    res_submission_init(s);
    s->student = strdup(student);
    s->ntests = NTESTS;
    s->tests = calloc(NTESTS, sizeof *s->tests);
    ck_assert_ptr_nonnull(s->tests);
    for (size_t i = 0; i < NTESTS; i++)
        s->tests[i].cfg = &cfg_tests[i];
}

/* Every test failed or wrong in some way; the hidden ones with secrets. */
static void make_mixed(struct res_submission *s, const char *student)
{
    init_sub(s, student);
    struct res_test *t = &s->tests[T_PASS];
    t->status = RES_PASSED;
    add_check(t, "test_small", true, "Passed", NULL);

    t = &s->tests[T_FAIL];
    t->status = RES_FAILED;
    add_check(t, "test_tile_1", true, "Passed", NULL);
    add_check(t, "test_tile_odd", false, AWKWARD_MESSAGE "\nsecond line", "test_blocked.c:42");
    t->message = strdup("1 of 2 checks failed");
    t->output = strdup(RAW_OUTPUT);

    t = &s->tests[T_HIDDEN];
    t->status = RES_FAILED;
    add_check(t, "test_secret_ok", true, "Passed", NULL);
    add_check(t, "test_secret", false, "SECRET_CHECK_MESSAGE", "SECRET_CHECK_WHERE.c:7");
    t->message = strdup("SECRET_HIDDEN_MESSAGE");
    t->output = strdup("SECRET_HIDDEN_OUTPUT");

    t = &s->tests[T_AFTER_DUE];
    t->status = RES_ERROR;
    t->message = strdup("AFTER_DUE_MESSAGE: timed out after 5.0 s");

    t = &s->tests[T_PERF];
    t->status = RES_FAILED;
    set_ratio(t, CFG_METRIC_D1_MISSES, 3000000, 7237460);
    t->message = strdup("L1 data cache misses: 3000000, reference (naive_matmul) 7237460");

    t = &s->tests[T_THREADS];
    t->status = RES_PASSED;
    t->perf = (struct res_perf){ .present = true, .metric = CFG_METRIC_THREADS, .value = 4,
                                 .reference = 4, .ratio = 1.0, .balance = 0.9, .fraction = 1 };
    t->message = strdup("4 worker threads (4 expected)");

    t = &s->tests[T_HIDDEN_PERF];
    t->status = RES_FAILED;
    set_ratio(t, CFG_METRIC_INSTRUCTIONS, 500, 1000);
    t->message = strdup("SECRET_PERF_MESSAGE");

    s->coverage = (struct res_coverage){ true, 170, 200, 9, 10, 30, 40 };
    res_score(s);
}

/* Every test passed. */
static void make_full(struct res_submission *s, const char *student)
{
    init_sub(s, student);
    for (size_t i = 0; i < NTESTS; i++) {
        s->tests[i].status = RES_PASSED;
        add_check(&s->tests[i], "test", true, "Passed", NULL);
    }
    set_ratio(&s->tests[T_PERF], CFG_METRIC_D1_MISSES, 36320, 7237460);
    set_ratio(&s->tests[T_HIDDEN_PERF], CFG_METRIC_INSTRUCTIONS, 10, 1000);
    s->tests[T_THREADS].perf = (struct res_perf){ .present = true, .metric = CFG_METRIC_THREADS,
                                                  .value = 4, .reference = 4, .ratio = 1,
                                                  .balance = 1, .fraction = 1 };
    s->coverage = (struct res_coverage){ true, 190, 200, 10, 10, 38, 40 };
    res_score(s);
}

static void make_ungradable(struct res_submission *s, const char *student)
{
    init_sub(s, student);
    for (size_t i = 0; i < NTESTS; i++)
        s->tests[i].status = RES_NOT_RUN;
    s->status = RES_UNGRADABLE;
    s->reason = strdup(UNGRADABLE_REASON);
    s->build_log = strdup("kernels.c:3:1: error: expected ';' before '}' token <&>\n");
    res_score(s);
}

static void setup(void)
{
    make_cfg();
    make_mixed(&sub, "stu <dent> & \"co\"");
}

static void teardown(void)
{
    res_submission_release(&sub);
}

/* ---- parsing helpers ------------------------------------------------------ */

static htmlDocPtr parse(const char *text)
{
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strncmp(text, "<!DOCTYPE html>", 15) == 0, "no HTML5 doctype");
    htmlDocPtr doc = htmlReadMemory(text, (int)strlen(text), NULL, "UTF-8",
                                    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
    ck_assert_ptr_nonnull(doc);
    ck_assert_ptr_nonnull(xmlDocGetRootElement(doc));
    return doc;
}

/* Whether n's class attribute has the word cls. */
static bool has_class(xmlNodePtr n, const char *cls)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST "class");
    bool found = false;
    if (v) {
        size_t len = strlen(cls);
        for (const char *p = (const char *)v; *p && !found; p += strcspn(p, " "), p += *p == ' ') {
            found = strncmp(p, cls, len) == 0 && (p[len] == ' ' || p[len] == '\0');
        }
    }
    xmlFree(v);
    return found;
}

/* Collects, in document order, up to max elements named tag (with class cls
 * unless NULL) under n; returns how many there are. */
static size_t find_all(xmlNodePtr n, const char *tag, const char *cls, xmlNodePtr *out,
                       size_t max, size_t count)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, tag) == 0 && (!cls || has_class(c, cls))) {
            if (count < max)
                out[count] = c;
            count++;
        }
        count = find_all(c, tag, cls, out, max, count);
    }
    return count;
}

static xmlNodePtr find_one(xmlNodePtr n, const char *tag, const char *cls)
{
    xmlNodePtr found = NULL;
    size_t count = find_all(n, tag, cls, &found, 1, 0);
    ck_assert_msg(count >= 1, "no <%s class=%s>", tag, cls ? cls : "*");
    return found;
}

/* The element whose id is id, or NULL. */
static xmlNodePtr by_id(xmlNodePtr n, const char *id)
{
    for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *v = xmlGetProp(c, BAD_CAST "id");
        bool match = v && strcmp((const char *)v, id) == 0;
        xmlFree(v);
        if (match)
            return c;
        xmlNodePtr d = by_id(c, id);
        if (d)
            return d;
    }
    return NULL;
}

/* The text content of n (malloc'd by libxml2: xmlFree). */
static char *text_of(xmlNodePtr n)
{
    xmlChar *t = xmlNodeGetContent(n);
    ck_assert_ptr_nonnull(t);
    return (char *)t;
}

static double num_prop(xmlNodePtr n, const char *name)
{
    xmlChar *v = xmlGetProp(n, BAD_CAST name);
    ck_assert_msg(v != NULL, "no %s attribute", name);
    double x = strtod((const char *)v, NULL);
    xmlFree(v);
    return x;
}

static void assert_no_secrets(const char *text)
{
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        ck_assert_msg(strstr(text, secrets[i]) == NULL, "student page leaks %s", secrets[i]);
}

/* ---- report pages ------------------------------------------------------------ */

START_TEST(test_student_page_hides_hidden_tests)
{
    char *html = html_report(&sub, &cfg, REPORT_STUDENT, NULL);
    htmlDocPtr doc = parse(html);
    assert_no_secrets(html);                                 /* markup and attributes */
    char *all = text_of(xmlDocGetRootElement(doc));
    assert_no_secrets(all);                                  /* what a reader sees */
    xmlFree(all);
    /* The hidden tests are one aggregate row: 5 of 10, 0 of 5, 0 of 2 points. */
    xmlNodePtr agg = find_one(xmlDocGetRootElement(doc), "tr", "agg");
    char *row = text_of(agg);
    ck_assert_msg(strstr(row, "Hidden tests") && strstr(row, "5.00 / 17.00"), "%s", row);
    xmlFree(row);
    /* Visible tests: one row each, and no row for the hidden ones. */
    xmlNodePtr table = find_one(xmlDocGetRootElement(doc), "table", "tests");
    xmlNodePtr rows[16];
    ck_assert_uint_eq(find_all(table, "tr", NULL, rows, 16, 0), 1 + 4 + 1);
    xmlFreeDoc(doc);
    free(html);
}
END_TEST

START_TEST(test_instructor_page_shows_everything)
{
    char *html = html_report(&sub, &cfg, REPORT_INSTRUCTOR, NULL);
    htmlDocPtr doc = parse(html);
    char *all = text_of(xmlDocGetRootElement(doc));
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        ck_assert_msg(strstr(all, secrets[i]) != NULL, "instructor page lacks %s", secrets[i]);
    xmlFree(all);
    ck_assert_uint_eq(find_all(xmlDocGetRootElement(doc), "tr", "agg", NULL, 0, 0), 0);
    ck_assert_ptr_nonnull(by_id(xmlDocGetRootElement(doc), "phases"));
    xmlFreeDoc(doc);
    free(html);
}
END_TEST

START_TEST(test_failing_checks_and_output)
{
    char *html = html_report(&sub, &cfg, REPORT_STUDENT, NULL);
    htmlDocPtr doc = parse(html);
    /* The failing test's details: its anchor is linked from its table row. */
    xmlNodePtr art = by_id(xmlDocGetRootElement(doc), "test-2");
    ck_assert_ptr_nonnull(art);
    xmlNodePtr checks[4];
    ck_assert_uint_eq(find_all(art, "li", "check", checks, 4, 0), 1);   /* the failing one */
    char *where = text_of(find_one(checks[0], "code", "where"));
    char *msg = text_of(find_one(checks[0], "span", "cmsg"));
    char *more = text_of(find_one(checks[0], "pre", "cmore"));
    ck_assert_str_eq(where, "test_blocked.c:42");
    ck_assert_str_eq(msg, AWKWARD_MESSAGE);
    ck_assert_str_eq(more, "second line");
    char *out = text_of(find_one(art, "pre", "output"));
    ck_assert_str_eq(out, CLEAN_OUTPUT);
    char *head = text_of(find_one(art, "h3", NULL));
    ck_assert_msg(strstr(head, AWKWARD_NAME_LINE) && strstr(head, "3.00 / 6.00"), "%s", head);
    xmlFree(where);
    xmlFree(msg);
    xmlFree(more);
    xmlFree(out);
    xmlFree(head);
    /* The passing test has no details. */
    ck_assert_ptr_null(by_id(xmlDocGetRootElement(doc), "test-1"));
    xmlFreeDoc(doc);
    free(html);
}
END_TEST

START_TEST(test_special_characters_escaped)
{
    char *html = html_report(&sub, &cfg, REPORT_STUDENT, NULL);
    /* Markup from student text is escaped, never interpreted... */
    ck_assert_ptr_null(strstr(html, "<19>"));
    ck_assert_ptr_null(strstr(html, "<matmul>"));
    ck_assert_ptr_null(strstr(html, "<b>"));
    ck_assert_ptr_null(strstr(html, "<dent>"));
    ck_assert_ptr_nonnull(strstr(html, "expected &lt;19&gt; &amp;"));
    ck_assert_ptr_nonnull(strstr(html, "&lt;b&gt;&amp;amp;&lt;/b&gt;"));
    /* ...and reads back as the same text. */
    htmlDocPtr doc = parse(html);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    ck_assert_uint_eq(find_all(root, "b", NULL, NULL, 0, 0), 0);
    ck_assert_uint_eq(find_all(root, "matmul", NULL, NULL, 0, 0), 0);
    char *student = text_of(find_one(root, "strong", "student"));
    ck_assert_str_eq(student, "stu <dent> & \"co\"");
    char *title = text_of(find_one(root, "h1", NULL));
    ck_assert_str_eq(title, "TinyTorch <Kernels> & co");
    xmlFree(student);
    xmlFree(title);
    xmlFreeDoc(doc);
    free(html);
}
END_TEST

/* The bars of chart (class cls) under n: widths, in order. */
static size_t bar_widths(xmlNodePtr n, const char *cls, double *w, size_t max)
{
    xmlNodePtr svg = find_one(n, "svg", cls), rects[16];
    size_t count = find_all(svg, "rect", "bar", rects, 16, 0);
    ck_assert_uint_le(count, max);
    for (size_t i = 0; i < count; i++)
        w[i] = num_prop(rects[i], "width");
    return count;
}

START_TEST(test_perf_bars_proportional)
{
    char *html = html_report(&sub, &cfg, REPORT_STUDENT, NULL);
    htmlDocPtr doc = parse(html);
    xmlNodePtr perf = by_id(xmlDocGetRootElement(doc), "performance");
    ck_assert_ptr_nonnull(perf);
    /* Student, reference, full points (0.02 x reference), no points (0.1 x). */
    const double values[] = { 3000000, 7237460, 0.02 * 7237460, 0.1 * 7237460 };
    double w[8];
    ck_assert_uint_eq(bar_widths(by_id(perf, "test-5"), "perf-chart", w, 8), 4);
    for (size_t i = 0; i < 4; i++)
        ck_assert_double_eq_tol(w[i], BAR_AREA * values[i] / 7237460, 0.01);
    char *sum = text_of(find_one(by_id(perf, "test-5"), "p", "perf-sum"));
    ck_assert_msg(strstr(sum, "Ratio 0.4145") && strstr(sum, "0.00 / 4.00"), "%s", sum);
    xmlFree(sum);
    /* Threads: 4 of 4 expected; balance 0.9 against 0.5, on a scale of 1. */
    ck_assert_uint_eq(bar_widths(by_id(perf, "test-6"), "threads-chart", w, 8), 2);
    ck_assert_double_eq_tol(w[0], BAR_AREA, 0.01);
    ck_assert_double_eq_tol(w[1], BAR_AREA, 0.01);
    ck_assert_uint_eq(bar_widths(by_id(perf, "test-6"), "balance-chart", w, 8), 2);
    ck_assert_double_eq_tol(w[0], 0.9 * BAR_AREA, 0.01);
    ck_assert_double_eq_tol(w[1], 0.5 * BAR_AREA, 0.01);
    /* The hidden performance test has no chart for the student. */
    xmlNodePtr svgs[8];
    ck_assert_uint_eq(find_all(perf, "svg", "perf-chart", svgs, 8, 0), 3);
    xmlFreeDoc(doc);
    free(html);
}
END_TEST

/* The late penalty sits under the student's name; without a policy, nothing. */
START_TEST(test_late_penalty_in_header)
{
    char *plain = html_report(&sub, &cfg, REPORT_STUDENT, NULL);
    htmlDocPtr doc = parse(plain);
    ck_assert_uint_eq(find_all(xmlDocGetRootElement(doc), "p", "late", NULL, 0, 0), 0);
    xmlFreeDoc(doc);
    free(plain);

    cfg.late = (struct cfg_late){.enabled = true, .due = "2026-12-15T23:59:00Z",
                                 .per_day_pct = 10, .max_penalty_pct = 30};
    ck_assert_int_eq(cfg_parse_time(cfg.late.due, &cfg.late.due_ms), 0);
    ck_assert_int_eq(res_set_submitted_at(&sub, "2026-12-17T12:00:00Z"), 0);
    res_apply_late(&sub, &cfg.late);
    char *html = html_report(&sub, &cfg, REPORT_STUDENT, NULL);
    cfg.late = (struct cfg_late){0};   /* borrowed strings: nothing to free */
    doc = parse(html);
    char *late = text_of(find_one(xmlDocGetRootElement(doc), "p", "late"));
    ck_assert_msg(strstr(late, "2 days late") && strstr(late, "20% penalty")
                  && strstr(late, "before the late penalty"), "%s", late);
    xmlFree(late);
    xmlFreeDoc(doc);
    free(html);
}
END_TEST

START_TEST(test_ungradable_reason_and_log)
{
    struct res_submission u;
    make_ungradable(&u, "broken");
    char *html = html_report(&u, &cfg, REPORT_STUDENT, NULL);
    ck_assert_ptr_null(strstr(html, "<script>"));
    htmlDocPtr doc = parse(html);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    ck_assert_uint_eq(find_all(root, "script", NULL, NULL, 0, 0), 0);
    char *reason = text_of(find_one(root, "p", "reason"));
    ck_assert_str_eq(reason, "Reason: " UNGRADABLE_REASON);
    char *log = text_of(find_one(root, "pre", "log"));
    ck_assert_ptr_nonnull(strstr(log, "before '}' token <&>"));
    char *badge = text_of(find_one(root, "span", "ungradable"));
    ck_assert_str_eq(badge, "ungradable");
    /* The build log comes right after the reason; tests that never ran
     * have nothing to detail. */
    xmlNodePtr sections[16];
    size_t n = find_all(root, "section", NULL, sections, 16, 0);
    ck_assert_uint_ge(n, 3);
    xmlChar *id1 = xmlGetProp(sections[0], BAD_CAST "id");
    xmlChar *id2 = xmlGetProp(sections[1], BAD_CAST "id");
    ck_assert_str_eq((const char *)id1, "ungradable");
    ck_assert_str_eq((const char *)id2, "build-log");
    xmlFree(id1);
    xmlFree(id2);
    ck_assert_ptr_null(by_id(root, "details"));
    ck_assert_uint_eq(find_all(find_one(root, "table", "tests"), "a", NULL, NULL, 0, 0), 0);
    xmlFree(reason);
    xmlFree(log);
    xmlFree(badge);
    xmlFreeDoc(doc);
    free(html);
    res_submission_release(&u);
}
END_TEST

START_TEST(test_coverage_link)
{
    char *with = html_report(&sub, &cfg, REPORT_STUDENT, "coverage/html/index.html");
    char *without = html_report(&sub, &cfg, REPORT_STUDENT, NULL);
    htmlDocPtr d1 = parse(with), d2 = parse(without);
    xmlNodePtr cov = by_id(xmlDocGetRootElement(d1), "coverage");
    ck_assert_ptr_nonnull(cov);
    xmlChar *href = xmlGetProp(find_one(cov, "a", NULL), BAD_CAST "href");
    ck_assert_str_eq((const char *)href, "coverage/html/index.html");
    xmlFree(href);
    char *text = text_of(cov);
    ck_assert_msg(strstr(text, "85.0%") && strstr(text, "170 / 200") && strstr(text, "75.0%"),
                  "%s", text);
    xmlFree(text);
    ck_assert_uint_eq(find_all(by_id(xmlDocGetRootElement(d2), "coverage"), "a", NULL, NULL, 0,
                               0), 0);
    xmlFreeDoc(d1);
    xmlFreeDoc(d2);
    free(with);
    free(without);
}
END_TEST

/* ---- the dashboard ----------------------------------------------------------- */

static char dash_dir[64];

/* Writes OUT/students/NAME/results.json for s. */
static void write_results(const char *name, const struct res_submission *s, double exec_s)
{
    char path[512];
    snprintf(path, sizeof path, "%s/students/%s", dash_dir, name);
    ck_assert_int_eq(fs_mkdir_p(path, 0755), 0);
    char *json = s ? report_json(s, &cfg, exec_s) : strdup("{ not json");
    ck_assert_ptr_nonnull(json);
    strncat(path, "/results.json", sizeof path - strlen(path) - 1);
    ck_assert_int_eq(fs_write_atomic(path, json, strlen(json)), 0);
    free(json);
}

#define ODD_NAME "o'brien <&> \"x\" #1"

static void dash_setup(void)
{
    make_cfg();
    snprintf(dash_dir, sizeof dash_dir, "/tmp/test_html_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dash_dir));
    struct res_submission full, mixed, bad;
    make_full(&full, "alice");
    make_mixed(&mixed, "bob");
    make_ungradable(&bad, ODD_NAME);
    write_results("alice", &full, 3.5);
    write_results("bob", &mixed, 12.25);
    write_results(ODD_NAME, &bad, 0.5);
    write_results("dave", NULL, 0);                  /* unreadable */
    write_results(".erin.partial", &full, 1);        /* a batch's work in progress */
    char path[512];
    snprintf(path, sizeof path, "%s/students/carol", dash_dir);   /* not finished */
    ck_assert_int_eq(fs_mkdir_p(path, 0755), 0);
    res_submission_release(&full);
    res_submission_release(&mixed);
    res_submission_release(&bad);
}

static void dash_teardown(void)
{
    fs_remove_tree(dash_dir);
}

static htmlDocPtr load_dashboard(char **text)
{
    char err[512] = "", path[512];
    ck_assert_msg(html_write_dashboard(&cfg, dash_dir, err, sizeof err) == 0, "%s", err);
    snprintf(path, sizeof path, "%s/index.html", dash_dir);
    size_t len;
    ck_assert_int_eq(fs_read_file(path, 1u << 24, text, &len), 0);
    return parse(*text);
}

/* The unescaped href of a, a relative path: no query, no fragment. */
static char *href_of(xmlNodePtr a)
{
    xmlChar *v = xmlGetProp(a, BAD_CAST "href");
    ck_assert_ptr_nonnull(v);
    ck_assert_msg(strpbrk((const char *)v, "#?") == NULL, "href %s is not one path", v);
    char *u = xmlURIUnescapeString((const char *)v, 0, NULL);
    xmlFree(v);
    return u;
}

START_TEST(test_dashboard_lists_students)
{
    char *text;
    htmlDocPtr doc = load_dashboard(&text);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    xmlNodePtr table = find_one(root, "table", "students"), rows[8];
    ck_assert_uint_eq(find_all(find_one(table, "tbody", NULL), "tr", NULL, rows, 8, 0), 3);
    static const char *const names[] = { "alice", "bob", ODD_NAME };   /* name order */
    for (size_t i = 0; i < 3; i++) {
        xmlNodePtr a = find_one(rows[i], "a", NULL);
        char *name = text_of(a), *href = href_of(a), want[256];
        snprintf(want, sizeof want, "students/%s/report-instructor.html", names[i]);
        ck_assert_str_eq(name, names[i]);
        ck_assert_str_eq(href, want);
        xmlFree(name);
        xmlFree(href);
    }
    char *all = text_of(root);
    ck_assert_ptr_nonnull(strstr(all, "could not be read"));   /* dave */
    ck_assert_ptr_null(strstr(all, "carol"));
    ck_assert_ptr_null(strstr(all, "erin"));
    xmlFree(all);
    ck_assert_ptr_null(strstr(text, "<&>"));
    /* Failures grouped by reason: the ungradable one's reason, and one row
     * per test bob did not pass; alice passed everything. */
    xmlNodePtr att = by_id(root, "attention"), arows[8];
    size_t ngroups = find_all(find_one(att, "tbody", NULL), "tr", NULL, arows, 8, 0);
    ck_assert_uint_ge(ngroups, 2);
    bool saw_reason = false, saw_blocked = false;
    for (size_t i = 0; i < ngroups; i++) {
        char *row = text_of(arows[i]);
        ck_assert_msg(!strstr(row, "alice") && !strstr(row, "matmul/baseline"), "%s", row);
        if (strstr(row, UNGRADABLE_REASON)) {      /* extra_data.reason, with its student */
            saw_reason = true;
            char *who = text_of(find_one(arows[i], "a", NULL));
            ck_assert_str_eq(who, ODD_NAME);
            xmlFree(who);
        }
        if (strstr(row, "matmul/blocked: failed")) {
            saw_blocked = true;
            ck_assert_msg(strstr(row, "bob") != NULL, "%s", row);
        }
        xmlFree(row);
    }
    ck_assert(saw_reason && saw_blocked);
    /* The downloads: gradebook.csv and every export, which exist. */
    xmlNodePtr dl = by_id(root, "downloads"), links[8];
    ck_assert_uint_eq(find_all(dl, "a", NULL, links, 8, 0), 4);
    for (size_t i = 0; i < 4; i++) {
        char *href = href_of(links[i]), path[600];
        snprintf(path, sizeof path, "%s/%s", dash_dir, href);
        if (i > 0)                                   /* gradebook.csv is the batch's */
            ck_assert_msg(access(path, F_OK) == 0, "%s", path);
        xmlFree(href);
    }
    xmlFreeDoc(doc);
    free(text);
}
END_TEST

START_TEST(test_dashboard_charts)
{
    char *text;
    htmlDocPtr doc = load_dashboard(&text);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    /* Pass rates in config order: baseline passed by alice and bob, not
     * by the ungradable one (2 of 3); blocked by alice only (1 of 3). */
    double w[NTESTS + 1];
    ck_assert_uint_eq(bar_widths(root, "pass-rate-chart", w, NTESTS + 1), NTESTS);
    ck_assert_double_eq_tol(w[T_PASS], BAR_AREA * 2 / 3, 0.01);
    ck_assert_double_eq_tol(w[T_FAIL], BAR_AREA / 3, 0.01);
    ck_assert_double_eq_tol(w[T_THREADS], BAR_AREA * 2 / 3, 0.01);
    /* Score histogram: 0% (ungradable), bob's bin, 100%: heights in proportion. */
    xmlNodePtr hist = find_one(root, "svg", "score-histogram"), bars[16];
    ck_assert_uint_eq(find_all(hist, "rect", "bar", bars, 16, 0), 10);
    double h0 = num_prop(bars[0], "height"), h9 = num_prop(bars[9], "height");
    ck_assert_double_gt(h0, 0);
    ck_assert_double_eq_tol(h0, h9, 0.01);
    ck_assert_double_eq_tol(num_prop(bars[5], "height"), 0, 1e-9);
    /* Coverage: alice 95%, bob 85%; the ungradable one has none. */
    hist = find_one(root, "svg", "coverage-histogram");
    ck_assert_uint_eq(find_all(hist, "rect", "bar", bars, 16, 0), 10);
    ck_assert_double_gt(num_prop(bars[8], "height"), 0);
    ck_assert_double_gt(num_prop(bars[9], "height"), 0);
    ck_assert_double_eq_tol(num_prop(bars[0], "height"), 0, 1e-9);
    /* Slowest first, bar lengths in proportion to the time. */
    ck_assert_uint_eq(bar_widths(root, "slowest-chart", w, 8), 3);
    ck_assert_double_eq_tol(w[0], BAR_AREA, 0.01);
    ck_assert_double_eq_tol(w[1], BAR_AREA * 3.5 / 12.25, 0.01);
    xmlFreeDoc(doc);
    free(text);
}
END_TEST

START_TEST(test_dashboard_missing_folder)
{
    char err[512] = "";
    ck_assert_int_eq(html_write_dashboard(&cfg, "/nonexistent/grader-out", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/nonexistent/grader-out/students"));
}
END_TEST

Suite *html_suite(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("report");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_student_page_hides_hidden_tests);
    tcase_add_test(tc, test_instructor_page_shows_everything);
    tcase_add_test(tc, test_failing_checks_and_output);
    tcase_add_test(tc, test_late_penalty_in_header);
    tcase_add_test(tc, test_special_characters_escaped);
    tcase_add_test(tc, test_perf_bars_proportional);
    tcase_add_test(tc, test_ungradable_reason_and_log);
    tcase_add_test(tc, test_coverage_link);
    suite_add_tcase(s, tc);
    tc = tcase_create("dashboard");
    tcase_add_checked_fixture(tc, dash_setup, dash_teardown);
    tcase_add_test(tc, test_dashboard_lists_students);
    tcase_add_test(tc, test_dashboard_charts);
    tcase_add_test(tc, test_dashboard_missing_folder);
    suite_add_tcase(s, tc);
    return s;
}
