/*
 * dashboard.c -- the class dashboard OUT/index.html (html_write_dashboard(),
 * html.h): reads every finished student's results.json and draws the
 * class's figures with the page toolkit (html_priv.h).
 */
#include "report/html_priv.h"

#include <stdarg.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/exports.h"
#include "report/simreport.h"
#include "util/fsutil.h"

/* The dashboard's list of slowest gradings. */
#define HTML_SLOWEST 10
/* The most similar pairs it shows (simreport.h). */
#define HTML_SIMILAR 10

/* ---- the dashboard: reading the results ------------------------------------------- */

/* One finished student, from students/NAME/results.json. */
struct html_student {
    struct res_row row;        /* student, graded, score, max, coverage */
    char *dir;                 /* the folder's name (links) */
    json_t *tests;             /* the results' tests[] (a reference) */
    char *reason;              /* extra_data.reason of an ungradable one, or NULL */
    double exec_s;             /* execution_time */
    size_t failed;             /* tests not passed */
};

struct html_class {
    struct html_student *v;
    size_t n;
    size_t unreadable;         /* folders with a results.json that did not load */
};

static void html_class_release(struct html_class *c)
{
    for (size_t i = 0; i < c->n; i++) {
        res_row_release(&c->v[i].row);
        free(c->v[i].dir);
        free(c->v[i].reason);
        json_decref(c->v[i].tests);
    }
    free(c->v);
    memset(c, 0, sizeof *c);
}

/* The extra_data.status ("passed", ...) of a results test, or NULL. */
static const char *html_jtest_status(json_t *t)
{
    return json_string_value(json_object_get(json_object_get(t, "extra_data"), "status"));
}

static const char *html_jtest_id(json_t *t)
{
    return json_string_value(json_object_get(json_object_get(t, "extra_data"), "id"));
}

/* Loads dir/results.json into *st; 1 if there is none (not finished),
 * -1 if it does not load, 0 on success. */
static int html_student_load(const char *students_dir, const char *name, struct html_student *st)
{
    char *dir = fs_join(students_dir, name), *path = dir ? fs_join(dir, "results.json") : NULL;
    json_t *doc = NULL;
    int rc = -1;
    memset(st, 0, sizeof *st);
    if (path && access(path, F_OK) < 0) {
        rc = 1;
    } else if (path && (doc = res_json_load(path)) != NULL &&
               res_row_from_json(doc, &st->row) == 0) {
        json_t *tests = json_object_get(doc, "tests");
        st->dir = strdup(name);
        if (st->dir && json_is_array(tests)) {
            size_t i;
            json_t *t;
            st->tests = json_incref(tests);
            st->exec_s = json_number_value(json_object_get(doc, "execution_time"));
            const char *why = json_string_value(
                json_object_get(json_object_get(doc, "extra_data"), "reason"));
            st->reason = why ? strdup(why) : NULL;
            json_array_foreach(tests, i, t) {
                const char *status = html_jtest_status(t);
                st->failed += !status || strcmp(status, "passed") != 0;
            }
            rc = 0;
        }
        if (rc < 0) {
            res_row_release(&st->row);
            free(st->dir);
            st->dir = NULL;
        }
    }
    json_decref(doc);   /* one parse for the row and the tests */
    free(path);
    free(dir);
    return rc;
}

static int html_cmp_name(const void *a, const void *b)
{
    return strcmp(((const struct html_student *)a)->dir, ((const struct html_student *)b)->dir);
}

/* Every finished student of students_dir, in name order. */
static int html_class_load(const char *students_dir, struct html_class *c)
{
    DIR *d = opendir(students_dir);
    struct dirent *e;
    memset(c, 0, sizeof *c);
    if (!d)
        return -1;
    while ((e = readdir(d))) {
        struct stat sb;
        if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
            !S_ISDIR(sb.st_mode))
            continue;
        struct html_student st;
        int rc = html_student_load(students_dir, e->d_name, &st);
        if (rc < 0)
            c->unreadable++;
        if (rc != 0)
            continue;
        struct html_student *v = realloc(c->v, (c->n + 1) * sizeof *v);
        if (!v) {
            res_row_release(&st.row);
            free(st.dir);
            json_decref(st.tests);
            closedir(d);
            errno = ENOMEM;
            return -1;
        }
        c->v = v;
        c->v[c->n++] = st;
    }
    closedir(d);
    if (c->n > 1)
        qsort(c->v, c->n, sizeof *c->v, html_cmp_name);
    return 0;
}

static double html_student_pct(const struct html_student *st)
{
    return html_pct(st->row.score, st->row.max_score);
}

/* The results test of config test i: the same slot if its id matches, else by id. */
static json_t *html_find_jtest(json_t *tests, const struct cfg_test *c, size_t i)
{
    json_t *t = json_array_get(tests, i);
    const char *id = html_jtest_id(t);
    if (id && c->id && strcmp(id, c->id) == 0)
        return t;
    size_t j;
    json_array_foreach(tests, j, t) {
        id = html_jtest_id(t);
        if (id && c->id && strcmp(id, c->id) == 0)
            return t;
    }
    return NULL;
}

/* ---- the dashboard: sections ----------------------------------------------------- */

static int html_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void html_card(struct html_page *p, xmlNodePtr cards, const char *what, const char *value)
{
    xmlNodePtr c = html_el(p, cards, "div", "card");
    html_tel(p, c, "b", NULL, value);
    html_tel(p, c, "span", NULL, what);
}

static void html_dash_summary(struct html_page *p, xmlNodePtr sec, const struct html_class *c)
{
    double *pcts = calloc(c->n ? c->n : 1, sizeof *pcts), sum = 0, cov = 0;
    size_t ungradable = 0, ncov = 0;
    char buf[64];
    if (!pcts) {
        p->failed = true;
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        pcts[i] = html_student_pct(&c->v[i]);
        sum += pcts[i];
        ungradable += !c->v[i].row.graded;
        if (c->v[i].row.has_coverage) {
            cov += c->v[i].row.line_pct;
            ncov++;
        }
    }
    qsort(pcts, c->n, sizeof *pcts, html_cmp_double);
    xmlNodePtr cards = html_el(p, sec, "div", "cards");
    snprintf(buf, sizeof buf, "%zu", c->n);
    html_card(p, cards, "students", buf);
    snprintf(buf, sizeof buf, "%zu", c->n - ungradable);
    html_card(p, cards, "graded", buf);
    snprintf(buf, sizeof buf, "%zu", ungradable);
    html_card(p, cards, "ungradable", buf);
    snprintf(buf, sizeof buf, "%.1f%%", c->n ? sum / (double)c->n : 0.0);
    html_card(p, cards, "mean score", buf);
    snprintf(buf, sizeof buf, "%.1f%%", c->n == 0 ? 0.0 : c->n % 2 ? pcts[c->n / 2]
                                         : (pcts[c->n / 2 - 1] + pcts[c->n / 2]) / 2);
    html_card(p, cards, "median score", buf);
    snprintf(buf, sizeof buf, "%.1f%%", ncov ? cov / (double)ncov : 0.0);
    html_card(p, cards, "mean line coverage", buf);
    free(pcts);
    if (c->unreadable)
        html_telf(p, sec, "p", "note",
                  "%zu student folder(s) have a results.json that could not be read.",
                  c->unreadable);
}

static void html_dash_histograms(struct html_page *p, xmlNodePtr parent, const struct html_class *c)
{
    size_t scores[HTML_HIST_BINS] = { 0 }, cov[HTML_HIST_BINS] = { 0 }, nocov = 0;
    for (size_t i = 0; i < c->n; i++) {
        scores[html_bin(html_student_pct(&c->v[i]))]++;
        if (c->v[i].row.has_coverage)
            cov[html_bin(c->v[i].row.line_pct)]++;
        else
            nocov++;
    }
    xmlNodePtr grid = html_el(p, parent, "div", "grid");
    xmlNodePtr s = html_section(p, grid, "scores", NULL, "Scores");
    html_histogram(p, s, "chart histogram score-histogram", "students per score range", scores);
    html_tel(p, s, "p", "note", "Students per range of the score, in percent of the maximum "
             "(the last range includes 100).");
    s = html_section(p, grid, "coverage", NULL, "Line coverage");
    html_histogram(p, s, "chart histogram coverage-histogram", "students per line coverage range",
                   cov);
    html_telf(p, s, "p", "note", "Students per range of line coverage of their code; %zu "
              "without coverage data (ungradable).", nocov);
}

/* The pass rate of every config test, in config order. */
static void html_dash_pass_rates(struct html_page *p, xmlNodePtr parent,
                                 const struct grader_cfg *cfg, const struct html_class *c)
{
    if (cfg->ntests == 0)
        return;
    struct html_bar *bars = calloc(cfg->ntests, sizeof *bars);
    char (*texts)[48] = calloc(cfg->ntests, sizeof *texts);
    if (!bars || !texts) {
        free(bars);
        free(texts);
        p->failed = true;
        return;
    }
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_test *ct = &cfg->tests[i];
        size_t passed = 0, seen = 0;
        for (size_t k = 0; k < c->n; k++) {
            json_t *t = html_find_jtest(c->v[k].tests, ct, i);
            const char *status = t ? html_jtest_status(t) : NULL;
            seen += t != NULL;
            passed += status && strcmp(status, "passed") == 0;
        }
        double rate = seen ? (double)passed / (double)seen : 0;
        snprintf(texts[i], sizeof texts[i], "%.0f%% (%zu of %zu)", 100 * rate, passed, seen);
        bars[i] = (struct html_bar){ ct->id ? ct->id : "?", rate,
                                     rate >= 0.8 ? "high" : rate >= 0.4 ? "mid" : "low",
                                     texts[i], ct->name };
    }
    xmlNodePtr sec = html_section(p, parent, "pass-rates", NULL, "Pass rate per test");
    html_tel(p, sec, "p", "note", "The share of students who passed each test, in config "
             "order; an ungradable submission passes none.  Hover a bar for the test's name.");
    html_hbars(p, sec, "chart pass-rate-chart", "pass rate per test", bars, cfg->ntests, 1.0,
               290);
    free(bars);
    free(texts);
}

static int html_cmp_slow(const void *a, const void *b)
{
    const struct html_student *x = *(const struct html_student *const *)a;
    const struct html_student *y = *(const struct html_student *const *)b;
    if (x->exec_s != y->exec_s)
        return x->exec_s < y->exec_s ? 1 : -1;
    return strcmp(x->dir, y->dir);
}

static void html_dash_slowest(struct html_page *p, xmlNodePtr parent, const struct html_class *c)
{
    size_t n = c->n < HTML_SLOWEST ? c->n : HTML_SLOWEST;
    const struct html_student **order = calloc(c->n ? c->n : 1, sizeof *order);
    struct html_bar *bars = calloc(n ? n : 1, sizeof *bars);
    char (*texts)[32] = calloc(n ? n : 1, sizeof *texts);
    if (!order || !bars || !texts) {
        p->failed = true;
        goto done;
    }
    for (size_t i = 0; i < c->n; i++)
        order[i] = &c->v[i];
    qsort(order, c->n, sizeof *order, html_cmp_slow);
    double max = 0;
    for (size_t i = 0; i < n; i++) {
        snprintf(texts[i], sizeof texts[i], "%.1f s", html_finite(order[i]->exec_s));
        bars[i] = (struct html_bar){ order[i]->dir, order[i]->exec_s, "student", texts[i], NULL };
        max = fmax(max, html_finite(order[i]->exec_s));
    }
    xmlNodePtr sec = html_section(p, parent, "slowest", NULL, "Slowest gradings");
    if (n == 0)
        html_tel(p, sec, "p", "note", "No results yet.");
    else
        html_hbars(p, sec, "chart slowest-chart", "grading time of the slowest submissions",
                   bars, n, max, 200);
done:
    free(order);
    free(bars);
    free(texts);
}

/* ---- failures grouped by reason ----------------------------------------------------- */

/* Reasons listed at most (the rest are counted in one line). */
#define HTML_GROUPS_MAX 200
/* Characters of an ungradable submission's reason used as its group. */
#define HTML_REASON_MAX 160

/* One reason for not passing, and the students it applies to. */
struct html_group {
    char *key;                 /* "not graded: <reason's first line>" or "<test id>: <status>" */
    const char *test_name;     /* the config test's name, or NULL for "not graded" */
    const struct html_student **who;
    size_t n, cap;
};

struct html_groups {
    struct html_group *v;
    size_t n, cap;
    bool failed;
};

static void html_groups_release(struct html_groups *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->v[i].key);
        free(g->v[i].who);
    }
    free(g->v);
}

/* Adds st to the group `key` (made if new). */
static void html_groups_add(struct html_groups *g, const char *key, const char *test_name,
                            const struct html_student *st)
{
    struct html_group *grp = NULL;
    for (size_t i = 0; i < g->n && !grp; i++)
        if (strcmp(g->v[i].key, key) == 0)
            grp = &g->v[i];
    if (!grp) {
        if (g->n == g->cap) {
            size_t cap = g->cap ? 2 * g->cap : 16;
            struct html_group *v = realloc(g->v, cap * sizeof *v);
            if (!v) {
                g->failed = true;
                return;
            }
            g->v = v;
            g->cap = cap;
        }
        grp = &g->v[g->n];
        *grp = (struct html_group){.key = strdup(key), .test_name = test_name};
        if (!grp->key) {
            g->failed = true;
            return;
        }
        g->n++;
    }
    if (grp->n == grp->cap) {
        size_t cap = grp->cap ? 2 * grp->cap : 8;
        const struct html_student **who = realloc(grp->who, cap * sizeof *who);
        if (!who) {
            g->failed = true;
            return;
        }
        grp->who = who;
        grp->cap = cap;
    }
    grp->who[grp->n++] = st;
}

/* The config name of test id, or NULL. */
static const char *html_test_name(const struct grader_cfg *cfg, const char *id)
{
    for (size_t i = 0; id && i < cfg->ntests; i++)
        if (cfg->tests[i].id && strcmp(cfg->tests[i].id, id) == 0)
            return cfg->tests[i].name ? cfg->tests[i].name : cfg->tests[i].id;
    return NULL;
}

/* An ungradable student's group: the first line of the reason, cut. */
static void html_group_ungradable(struct html_groups *g, const struct html_student *st)
{
    char key[HTML_REASON_MAX + 32];
    const char *why = st->reason ? st->reason : "see the report";
    int len = (int)strcspn(why, "\n");
    snprintf(key, sizeof key, "not graded: %.*s", len > HTML_REASON_MAX ? HTML_REASON_MAX : len,
             why);
    html_groups_add(g, key, NULL, st);
}

/* A graded student's groups: one per test not passed, "<id>: <status>". */
static void html_group_tests(struct html_groups *g, const struct grader_cfg *cfg,
                             const struct html_student *st)
{
    size_t i;
    json_t *t;
    json_array_foreach(st->tests, i, t) {
        const char *status = html_jtest_status(t), *id = html_jtest_id(t);
        if (status && strcmp(status, "passed") == 0)
            continue;
        char key[512];
        snprintf(key, sizeof key, "%s: %s", id ? id : "?", status ? status : "not passed");
        html_groups_add(g, key, html_test_name(cfg, id), st);
    }
}

/* Not graded first (no test passed: the most to look at), then most students, then by key. */
static int html_cmp_group(const void *a, const void *b)
{
    const struct html_group *x = a, *y = b;
    if ((x->test_name == NULL) != (y->test_name == NULL))
        return x->test_name == NULL ? -1 : 1;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return strcmp(x->key, y->key);
}

/* The students of a group: a count, then their links in a <details>. */
static void html_group_who(struct html_page *p, xmlNodePtr td, const struct html_group *grp)
{
    xmlNodePtr d = html_el(p, td, "details", NULL);
    html_telf(p, d, "summary", NULL, "%zu student%s", grp->n, grp->n == 1 ? "" : "s");
    xmlNodePtr who = html_el(p, d, "p", "who-list");
    for (size_t k = 0; k < grp->n; k++) {
        if (k)
            html_text(p, who, ", ");
        html_link_under(p, who, "students", grp->who[k]->dir, "report-instructor.html",
                        grp->who[k]->dir);
    }
}

static void html_dash_failures(struct html_page *p, xmlNodePtr parent,
                               const struct grader_cfg *cfg, const struct html_class *c)
{
    struct html_groups g = {0};
    for (size_t i = 0; i < c->n; i++) {
        if (!c->v[i].row.graded)
            html_group_ungradable(&g, &c->v[i]);
        else if (c->v[i].failed)
            html_group_tests(&g, cfg, &c->v[i]);
    }
    if (g.failed)
        p->failed = true;
    if (g.n > 1)
        qsort(g.v, g.n, sizeof *g.v, html_cmp_group);
    xmlNodePtr sec = html_section(p, parent, "attention", NULL, "Failures by reason");
    if (g.n == 0)
        html_tel(p, sec, "p", "note", "Every submission passed every test.");
    else
        html_tel(p, sec, "p", "note", "Each reason a submission lost points: not graded (the "
                 "first line of why) first, then each test not passed (id: status), most "
                 "students first.  A student appears under each reason that applies.  Open "
                 "a count for the students.");
    xmlNodePtr tbody = NULL;
    for (size_t i = 0; i < g.n && i < HTML_GROUPS_MAX; i++) {
        if (!tbody) {
            xmlNodePtr table = html_el(p, sec, "table", "groups sortable filterable");
            html_attr(p, table, "id", "failures-table");
            xmlNodePtr hr = html_el(p, html_el(p, table, "thead", NULL), "tr", NULL);
            html_tel(p, hr, "th", NULL, "Reason");
            html_tel(p, hr, "th", NULL, "Test");
            html_tel(p, hr, "th", "num", "Count");
            html_tel(p, hr, "th", NULL, "Students");
            tbody = html_el(p, table, "tbody", NULL);
        }
        const struct html_group *grp = &g.v[i];
        xmlNodePtr tr = html_el(p, tbody, "tr", NULL);
        html_line(p, html_el(p, tr, "td", "reason"), "code", NULL, grp->key);
        html_line(p, tr, "td", NULL, grp->test_name ? grp->test_name : "-");
        xmlNodePtr n = html_telf(p, tr, "td", "num", "%zu", grp->n);
        html_attrf(p, n, "data-v", "%zu", grp->n);
        html_group_who(p, html_el(p, tr, "td", NULL), grp);
    }
    if (g.n > HTML_GROUPS_MAX)
        html_telf(p, sec, "p", "note", "%zu more reasons, each with fewer students.",
                  g.n - HTML_GROUPS_MAX);
    html_groups_release(&g);
}

/* ---- the students table ------------------------------------------------------------ */

/* The search box and the filters; shown only when the script runs (class js-only). */
static void html_dash_controls(struct html_page *p, xmlNodePtr sec)
{
    xmlNodePtr f = html_el(p, sec, "div", "controls js-only");
    xmlNodePtr lab = html_tel(p, f, "label", NULL, "Search ");
    xmlNodePtr in = html_el(p, lab, "input", NULL);
    html_attr(p, in, "type", "search");
    html_attr(p, in, "id", "search");
    html_attr(p, in, "placeholder", "student, test or reason");
    lab = html_tel(p, f, "label", NULL, "Show ");
    xmlNodePtr sel = html_el(p, lab, "select", NULL);
    html_attr(p, sel, "id", "status-filter");
    static const char *const opts[][2] = {{"all", "every student"}, {"failing", "failing a test"},
                                          {"passing", "passing every test"},
                                          {"ungradable", "ungradable"}};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        html_attr(p, html_tel(p, sel, "option", NULL, opts[i][1]), "value", opts[i][0]);
    html_attr(p, html_tel(p, f, "span", "note", ""), "id", "shown");
    html_tel(p, f, "span", "note", "Click a column's heading to sort by it.");
}

/* A number cell with its sort value. */
static void html_num_cell(struct html_page *p, xmlNodePtr tr, double v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void html_num_cell(struct html_page *p, xmlNodePtr tr, double v, const char *fmt, ...)
{
    char text[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    xmlNodePtr td = html_tel(p, tr, "td", "num", text);
    html_attrf(p, td, "data-v", "%.4f", html_finite(v));
}

static void html_dash_table(struct html_page *p, xmlNodePtr parent, const struct html_class *c)
{
    static const char *const cols[] = { "Student", "Status", "Score", "%", "Lines", "Branches",
                                        "Failed", "Time" };
    xmlNodePtr sec = html_section(p, parent, "students", NULL, "All students");
    html_dash_controls(p, sec);
    xmlNodePtr table = html_el(p, sec, "table", "students sortable filterable");
    html_attr(p, table, "id", "students-table");
    xmlNodePtr hr = html_el(p, html_el(p, table, "thead", NULL), "tr", NULL);
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
        html_tel(p, hr, "th", i >= 2 ? "num" : NULL, cols[i]);
    xmlNodePtr tbody = html_el(p, table, "tbody", NULL);
    for (size_t i = 0; i < c->n; i++) {
        const struct html_student *st = &c->v[i];
        xmlNodePtr tr = html_el(p, tbody, "tr", NULL);
        html_attr(p, tr, "data-status", !st->row.graded ? "ungradable"
                                        : st->failed ? "failing" : "passing");
        html_link_under(p, html_el(p, tr, "td", NULL), "students", st->dir,
                        "report-instructor.html", st->dir);
        html_tel(p, html_el(p, tr, "td", NULL), "span",
                 st->row.graded ? "badge graded" : "badge ungradable",
                 st->row.graded ? "graded" : "ungradable");
        html_num_cell(p, tr, st->row.score, "%.2f / %.2f", html_finite(st->row.score),
                      html_finite(st->row.max_score));
        html_num_cell(p, tr, html_student_pct(st), "%.1f%%", html_student_pct(st));
        if (st->row.has_coverage) {
            html_num_cell(p, tr, st->row.line_pct, "%.1f%%", html_finite(st->row.line_pct));
            html_num_cell(p, tr, st->row.branch_pct, "%.1f%%", html_finite(st->row.branch_pct));
        } else {
            html_num_cell(p, tr, -1, "-");
            html_num_cell(p, tr, -1, "-");
        }
        html_num_cell(p, tr, (double)st->failed, "%zu", st->failed);
        html_num_cell(p, tr, st->exec_s, "%.1f s", html_finite(st->exec_s));
    }
}

/* ---- downloads ---------------------------------------------------------------------- */

/* Links to the class's files: gradebook.csv and every export (exports.h). */
static void html_dash_downloads(struct html_page *p, xmlNodePtr parent)
{
    static const char *const what[] = {"Canvas gradebook import", "Moodle grade import",
                                       "long format: student, test, score, max"};
    xmlNodePtr sec = html_section(p, parent, "downloads", NULL, "Downloads");
    xmlNodePtr ul = html_el(p, sec, "ul", "downloads");
    xmlNodePtr li = html_el(p, ul, "li", NULL);
    html_attr(p, html_tel(p, li, "a", NULL, "gradebook.csv"), "href", "gradebook.csv");
    html_text(p, li, " \xE2\x80\x94 every score, test and coverage figure");
    for (size_t i = 0; exports_files[i]; i++) {
        li = html_el(p, ul, "li", NULL);
        html_attr(p, html_tel(p, li, "a", NULL, exports_files[i]), "href", exports_files[i]);
        html_textf(p, li, " \xE2\x80\x94 %s", i < 3 ? what[i] : "");
    }
}

/* ---- sorting, filtering, search ------------------------------------------------------ */

/* The page is complete without it: it adds the controls' behaviour. */
static const char html_dash_css[] =
    ".js-only{display:none}.js .js-only{display:flex}"
    ".controls{flex-wrap:wrap;gap:8px 20px;align-items:center;margin:0 0 10px}"
    ".controls input,.controls select{font:inherit;padding:3px 6px}"
    ".js table.sortable th{cursor:pointer;user-select:none}"
    "th[aria-sort=ascending]::after{content:' \\25B2'}"
    "th[aria-sort=descending]::after{content:' \\25BC'}"
    "td.reason code{overflow-wrap:anywhere}summary{white-space:nowrap;cursor:pointer}"
    ".who-list{margin:4px 0;overflow-wrap:anywhere}"
    "ul.downloads{margin:0;padding-left:20px}"
    "table{table-layout:auto}td{overflow-wrap:anywhere}";

static const char html_dash_js[] =
    "(function(){'use strict';\n"
    "var E=document.documentElement;E.className+=' js';\n"
    "function each(l,f){Array.prototype.forEach.call(l,f);}\n"
    "function key(td,num){var v=td.getAttribute('data-v');if(v===null)v=td.textContent;\n"
    "  return num?parseFloat(v)||0:v.trim().toLowerCase();}\n"
    "function sortBy(t,i,th){var num=th.classList.contains('num'),\n"
    "  asc=th.getAttribute('aria-sort')!=='ascending',b=t.tBodies[0],\n"
    "  rows=Array.prototype.slice.call(b.rows);\n"
    "  each(t.tHead.rows[0].cells,function(h){h.removeAttribute('aria-sort');});\n"
    "  th.setAttribute('aria-sort',asc?'ascending':'descending');\n"
    "  rows.sort(function(x,y){var a=key(x.cells[i],num),c=key(y.cells[i],num);\n"
    "    var r=a<c?-1:a>c?1:0;return asc?r:-r;});\n"
    "  var f=document.createDocumentFragment();rows.forEach(function(r){f.appendChild(r);});\n"
    "  b.appendChild(f);}\n"
    "each(document.querySelectorAll('table.sortable'),function(t){\n"
    "  each(t.tHead.rows[0].cells,function(th,i){th.tabIndex=0;\n"
    "    th.addEventListener('click',function(){sortBy(t,i,th);});\n"
    "    th.addEventListener('keydown',function(e){if(e.key==='Enter')sortBy(t,i,th);});});});\n"
    "var q=document.getElementById('search'),sel=document.getElementById('status-filter'),\n"
    "  shown=document.getElementById('shown'),st=document.getElementById('students-table');\n"
    "function filter(){var s=q.value.trim().toLowerCase(),k=sel.value,n=0,all=0;\n"
    "  each(document.querySelectorAll('table.filterable'),function(t){\n"
    "    each(t.tBodies[0].rows,function(r){var ok=!s||r.textContent.toLowerCase().indexOf(s)>=0;\n"
    "      if(t===st){ok=ok&&(k==='all'||r.getAttribute('data-status')===k);all++;n+=ok?1:0;}\n"
    "      r.hidden=!ok;});});\n"
    "  shown.textContent=n+' of '+all+' students shown';}\n"
    "if(q&&sel&&shown&&st){q.addEventListener('input',filter);\n"
    "  sel.addEventListener('change',filter);filter();}\n"
    "})();\n";

/* A link to the mutation analysis (docs/mutants.md), when it was written into OUT/mutants/. */
static void html_dash_mutants(struct html_page *p, xmlNodePtr parent, bool present)
{
    if (!present)
        return;
    xmlNodePtr para = html_el(p, parent, "p", NULL);
    html_text(p, para, "How well these tests catch bugs: ");
    xmlNodePtr a = html_tel(p, para, "a", NULL, "mutation analysis of the reference");
    html_attr(p, a, "href", "mutants/index.html");
}

/*
 * The most similar pairs, when `grader similar` wrote OUT/similarity/
 * (simreport.h): rank, students, score, a link to each side-by-side page.
 */
static void html_dash_similar(struct html_page *p, xmlNodePtr parent, const char *out_dir)
{
    struct simrep_row *rows = NULL;
    size_t n = 0, total = 0;
    int got = simrep_read_top(out_dir, HTML_SIMILAR, &rows, &n, &total);
    if (got == 0)
        return;
    xmlNodePtr sec = html_section(p, parent, "similarity", NULL, "Similar submissions");
    xmlNodePtr para = html_el(p, sec, "p", NULL);
    if (got < 0)
        html_text(p, para, "similarity/similarity.csv cannot be read. ");
    else
        html_textf(p, para, "%zu pairs share code%s. ", total,
                   total > n ? "; the most similar below" : "");
    html_attr(p, html_tel(p, para, "a", NULL, "All pairs and the method"), "href",
              SIMREP_DIR "/index.html");
    if (n > 0) {
        xmlNodePtr table = html_el(p, sec, "table", NULL);
        xmlNodePtr tr = html_el(p, html_el(p, table, "thead", NULL), "tr", NULL);
        static const char *const heads[] = {"#", "student A", "student B", "score", ""};
        for (size_t i = 0; i < sizeof heads / sizeof *heads; i++)
            html_tel(p, tr, "th", i == 0 || i == 3 ? "num" : NULL, heads[i]);
        xmlNodePtr tb = html_el(p, table, "tbody", NULL);
        for (size_t i = 0; i < n; i++) {
            tr = html_el(p, tb, "tr", NULL);
            html_telf(p, tr, "td", "num", "%zu", i + 1);
            html_line(p, tr, "td", NULL, rows[i].a);
            html_line(p, tr, "td", NULL, rows[i].b);
            html_telf(p, tr, "td", "num", "%.1f%%", html_finite(rows[i].score));
            xmlNodePtr td = html_el(p, tr, "td", NULL);
            if (rows[i].page)    /* pair-NNNN.html: simrep_read_top() keeps no other */
                html_attrf(p, html_tel(p, td, "a", NULL, "side by side"), "href", "%s/%s",
                           SIMREP_DIR, rows[i].page);
        }
    }
    simrep_rows_free(rows, n);
}

static char *html_dashboard(const struct grader_cfg *cfg, const struct html_class *c,
                            bool mutants, const char *out_dir)
{
    struct html_page p;
    const char *title = cfg->title ? cfg->title : cfg->name ? cfg->name : "";
    char *head = NULL;
    if (asprintf(&head, "Class dashboard: %s", title) < 0)
        return NULL;
    int rc = html_page_open(&p, head);
    free(head);
    if (rc < 0)
        return NULL;
    xmlNodePtr h = html_el(&p, p.body, "header", "top");
    xmlNodePtr left = html_el(&p, h, "div", NULL);
    html_telf(&p, left, "p", "kicker", "%s \xC2\xB7 class dashboard (instructor)",
              cfg->name ? cfg->name : "");
    html_line(&p, left, "h1", NULL, title);
    html_dash_summary(&p, h, c);
    html_dash_downloads(&p, p.body);
    html_dash_histograms(&p, p.body, c);
    html_dash_failures(&p, p.body, cfg, c);
    html_dash_pass_rates(&p, p.body, cfg, c);
    html_dash_slowest(&p, p.body, c);
    html_dash_table(&p, p.body, c);
    html_dash_mutants(&p, p.body, mutants);
    html_dash_similar(&p, p.body, out_dir);
    html_tel(&p, p.body, "footer", NULL, "Each student's folder: students/NAME/ "
             "(report-instructor.html, report.html, results.json, coverage/html/).");
    html_tel(&p, p.head, "style", NULL, html_dash_css);   /* raw text: no student input */
    html_tel(&p, p.body, "script", NULL, html_dash_js);
    return html_page_take(&p);
}

int html_write_dashboard(const struct grader_cfg *cfg, const char *out_dir,
                         char *err, size_t errlen)
{
    char *students = fs_join(out_dir, "students"), *path = fs_join(out_dir, "index.html");
    struct html_class c;
    int rc = -1;
    if (!students || !path) {
        snprintf(err, errlen, "out of memory");
    } else if (html_class_load(students, &c) < 0) {
        snprintf(err, errlen, "cannot read %s: %s", students, strerror(errno));
    } else if (exports_write(cfg, out_dir, err, errlen) < 0) {
        html_class_release(&c);       /* the page links them: none without them */
    } else {
        char *mut = fs_join(out_dir, "mutants/index.html");
        char *page = html_dashboard(cfg, &c, mut && access(mut, F_OK) == 0, out_dir);
        free(mut);
        if (!page)
            snprintf(err, errlen, "cannot build %s: out of memory", path);
        else if (fs_write_atomic(path, page, strlen(page)) < 0)
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
        else
            rc = 0;
        free(page);
        html_class_release(&c);
    }
    free(students);
    free(path);
    return rc;
}
