/*
 * html_report.c -- one submission's report page, report.html for the
 * student and report-instructor.html (html_report(), html.h), built with
 * the page toolkit (html_priv.h).  Visibility, test names and where
 * output is cut follow the other formats (report_priv.h).
 */
#include "report/html_priv.h"
#include "report/report_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void html_count(double x, char *buf, size_t n)
{
    char digits[64];
    x = html_finite(x);
    snprintf(digits, sizeof digits, "%.0f", fabs(x) < 1e18 ? x : 0.0);
    const char *d = digits[0] == '-' ? digits + 1 : digits;
    size_t nd = strlen(d), o = 0;
    if (digits[0] == '-' && o + 1 < n)
        buf[o++] = '-';
    for (size_t i = 0; i < nd && o + 2 < n; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = d[i];
    }
    buf[o] = '\0';
}

/* ---- report pages: shared pieces ---------------------------------------------- */

/* The badge class and text of a test status. */
static const char *html_status_class(enum res_test_status st)
{
    switch (st) {
    case RES_PASSED:  return "badge passed";
    case RES_FAILED:  return "badge failed";
    case RES_ERROR:   return "badge error";
    case RES_NOT_RUN: return "badge notrun";
    }
    return "badge";
}

static const char *html_status_tag(enum res_test_status st)
{
    switch (st) {
    case RES_PASSED:  return "PASS";
    case RES_FAILED:  return "FAIL";
    case RES_ERROR:   return "ERROR";
    case RES_NOT_RUN: return "NOT RUN";
    }
    return "?";
}

/* The anchor of test i's details. */
static void html_test_anchor(char *buf, size_t n, size_t i)
{
    snprintf(buf, n, "test-%zu", i + 1);
}

/* Whether a shown test has a details article (and its table row a link):
 * a measurement, notes, or for a test that did not pass something to say
 * (an ungradable submission's tests have nothing: the reason says it all). */
static bool html_has_details(const struct res_test *t)
{
    if (t->perf.present || t->notes)
        return true;
    if (t->status == RES_PASSED)
        return false;
    if (t->message || (t->output && t->output[0]))
        return true;
    for (size_t i = 0; i < t->nchecks; i++)
        if (!t->checks[i].passed)
            return true;
    return false;
}

/* ---- report pages: header, tests, categories ------------------------------------ */

static void html_report_header(struct html_page *p, const struct res_submission *s,
                               const struct grader_cfg *cfg, enum report_audience aud)
{
    const char *name = cfg && cfg->name ? cfg->name : "";
    const char *title = cfg && cfg->title ? cfg->title : name;
    xmlNodePtr h = html_el(p, p->body, "header", "top");
    xmlNodePtr left = html_el(p, h, "div", NULL);
    html_telf(p, left, "p", "kicker", "%s%s", name,
              aud == REPORT_INSTRUCTOR ? " \xC2\xB7 instructor report" : " \xC2\xB7 your report");
    html_line(p, left, "h1", NULL, title);
    xmlNodePtr who = html_el(p, left, "p", "who");
    html_text(p, who, "Student: ");
    html_line(p, who, "strong", "student", s->student ? s->student : "");
    html_text(p, who, " ");
    html_tel(p, who, "span", s->status == RES_GRADED ? "badge graded" : "badge ungradable",
             s->status == RES_GRADED ? "graded" : "ungradable");

    xmlNodePtr card = html_el(p, h, "div", "score-card");
    xmlNodePtr sc = html_el(p, card, "div", NULL);
    xmlNodePtr big = html_telf(p, sc, "span", "score", "%.2f", html_finite(s->score));
    html_telf(p, big, "small", NULL, " / %.2f", html_finite(s->max_score));
    html_telf(p, sc, "span", "pct", "%.1f%%", html_pct(s->score, s->max_score));
    html_meter(p, card, html_pct(s->score, s->max_score));

    char late[512];
    if (report_late_sentence(s, cfg, late, sizeof late)) {
        bool penalised = s->late.status == RES_LATE_LATE || s->late.status == RES_LATE_CLOSED;
        xmlNodePtr l = html_el(p, left, "p", penalised ? "late penalised" : "late");
        html_tel(p, l, "strong", NULL, "Late: ");
        html_text(p, l, late);
        if (penalised)
            html_textf(p, l, " (%.2f before the late penalty)",
                       html_finite(s->late.score_before));
    }
    for (size_t i = 0; i < report_adjust_count(s); i++) {
        char line[1024];
        report_adjust_sentence(s, i, aud, line, sizeof line);
        xmlNodePtr l = html_el(p, left, "p", "late adjusted");
        html_tel(p, l, "strong", NULL, "Adjusted: ");
        html_text(p, l, line);
    }

    if (s->status == RES_UNGRADABLE) {
        xmlNodePtr a = html_section(p, p->body, "ungradable", "alert",
                                    "Your submission could not be graded");
        xmlNodePtr r = html_el(p, a, "p", "reason");
        html_tel(p, r, "strong", NULL, "Reason: ");
        html_text(p, r, s->reason ? s->reason : "unknown");
    }
}

static void html_report_test_row(struct html_page *p, xmlNodePtr tbody, const struct res_test *t,
                                 size_t i, enum report_audience aud)
{
    xmlNodePtr tr = html_el(p, tbody, "tr", NULL);
    html_tel(p, html_el(p, tr, "td", NULL), "span", html_status_class(t->status),
             html_status_tag(t->status));
    html_telf(p, tr, "td", "num", "%.2f / %.2f", html_finite(t->score), html_finite(t->max_score));
    xmlNodePtr name = html_el(p, tr, "td", NULL);
    if (html_has_details(t)) {
        char anchor[40];
        html_test_anchor(anchor, sizeof anchor, i);
        xmlNodePtr a = html_line(p, name, "a", NULL, report_test_name(t));
        html_attrf(p, a, "href", "#%s", anchor);
    } else {
        html_text_mode(p, name, report_test_name(t), true);
    }
    html_line(p, tr, "td", NULL, t->cfg && t->cfg->category ? t->cfg->category : "");
    if (aud == REPORT_INSTRUCTOR) {
        html_line(p, html_el(p, tr, "td", NULL), "code", NULL, report_test_id(t));
        html_tel(p, tr, "td", NULL, report_test_visibility(t));
    }
}

static void html_report_tests(struct html_page *p, const struct res_submission *s,
                              enum report_audience aud)
{
    static const char *const cols[] = { "Status", "Points", "Test", "Category", "Id",
                                        "Visibility" };
    size_t ncols = aud == REPORT_INSTRUCTOR ? 6 : 4, shown = 0, passed = 0;
    double hscore = 0, hmax = 0;
    bool hidden = false;
    if (s->ntests == 0)
        return;
    xmlNodePtr sec = html_section(p, p->body, "tests", NULL, "Tests");
    xmlNodePtr summary = html_el(p, sec, "p", "note");
    xmlNodePtr table = html_el(p, sec, "table", "tests");
    xmlNodePtr hr = html_el(p, html_el(p, table, "thead", NULL), "tr", NULL);
    for (size_t c = 0; c < ncols; c++)
        html_tel(p, hr, "th", c == 1 ? "num" : NULL, cols[c]);
    xmlNodePtr tbody = html_el(p, table, "tbody", NULL);
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (report_shows(t, aud)) {
            html_report_test_row(p, tbody, t, i, aud);
            shown++;
            passed += t->status == RES_PASSED;
            continue;
        }
        hidden = true;
        hscore += t->score;
        hmax += t->max_score;
    }
    if (hidden) {
        xmlNodePtr tr = html_el(p, tbody, "tr", "agg");
        html_tel(p, html_el(p, tr, "td", NULL), "span", "badge hidden", "HIDDEN");
        html_telf(p, tr, "td", "num", "%.2f / %.2f", html_finite(hscore), html_finite(hmax));
        html_tel(p, tr, "td", NULL, "Hidden tests");
        html_tel(p, tr, "td", NULL, "");
    }
    html_textf(p, summary, "%zu of %zu tests passed%s.", passed, shown,
               hidden ? "; the hidden tests count as one line of points" : "");
}

/* Points per category, in first-seen order (as report.txt). */
static void html_report_categories(struct html_page *p, const struct res_submission *s,
                                   enum report_audience aud)
{
    xmlNodePtr tbody = NULL;
    for (size_t i = 0; i < s->ntests; i++) {
        double score, max;
        if (!report_category_first(s, i, aud, &score, &max))
            continue;
        if (!tbody) {
            xmlNodePtr sec = html_section(p, p->body, "categories", NULL, "Categories");
            tbody = html_el(p, html_el(p, sec, "table", "categories"), "tbody", NULL);
        }
        xmlNodePtr tr = html_el(p, tbody, "tr", NULL);
        html_line(p, tr, "td", NULL, s->tests[i].cfg->category);
        html_telf(p, tr, "td", "num", "%.2f / %.2f", html_finite(score), html_finite(max));
        html_meter(p, html_el(p, tr, "td", NULL), html_pct(score, max));
    }
}

/* ---- report pages: details of what failed ------------------------------------- */

static void html_output_head(struct html_page *p, xmlNodePtr parent, const char *output)
{
    char *c = html_clean(output, false);
    if (!c) {
        p->failed = true;
        return;
    }
    bool truncated = report_output_head(c);
    html_tel(p, parent, "div", "label", truncated ? "Output (the start)" : "Output");
    xmlNodePtr pre = html_tel(p, parent, "pre", "output", c);
    if (truncated)
        html_text(p, pre, "\n... (output truncated)");
    free(c);
}

/* Each failing check: where (or its name), then the message's first line,
 * and the rest of a multi-line message as a block. */
static void html_failures(struct html_page *p, xmlNodePtr parent, const struct res_test *t)
{
    xmlNodePtr ul = NULL;
    for (size_t i = 0; i < t->nchecks; i++) {
        const struct res_check *c = &t->checks[i];
        if (c->passed)
            continue;
        if (!ul)
            ul = html_el(p, parent, "ul", "checks");
        xmlNodePtr li = html_el(p, ul, "li", "check");
        html_line(p, li, "code", "where", c->where ? c->where : c->name ? c->name : "check");
        html_text(p, li, " ");
        const char *msg = c->message ? c->message : "failed";
        size_t n = strcspn(msg, "\n");
        char *first = strndup(msg, n);
        if (!first)
            p->failed = true;
        html_tel(p, li, "span", "cmsg", first ? first : "");
        free(first);
        if (msg[n] == '\n')
            html_tel(p, li, "pre", "cmore", msg + n + 1);
    }
}

static void html_detail_heading(struct html_page *p, xmlNodePtr art, const struct res_test *t)
{
    xmlNodePtr h = html_el(p, art, "h3", NULL);
    html_telf(p, h, "span", "pts", "%.2f / %.2f", html_finite(t->score),
              html_finite(t->max_score));
    html_tel(p, h, "span", html_status_class(t->status), html_status_tag(t->status));
    html_text(p, h, " ");
    html_text_mode(p, h, report_test_name(t), true);
}

static xmlNodePtr html_detail_article(struct html_page *p, xmlNodePtr parent,
                                      const struct res_test *t, size_t i, const char *cls)
{
    char anchor[40];
    html_test_anchor(anchor, sizeof anchor, i);
    xmlNodePtr art = html_el(p, parent, "article", cls);
    html_attr(p, art, "id", anchor);
    html_detail_heading(p, art, t);
    return art;
}

/* Tests that did not pass (and passing ones with notes), measured
 * performance tests excepted: they have their own section. */
static void html_report_details(struct html_page *p, const struct res_submission *s,
                                enum report_audience aud)
{
    xmlNodePtr sec = NULL;
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (!report_shows(t, aud) || t->perf.present || !html_has_details(t))
            continue;
        if (!sec)
            sec = html_section(p, p->body, "details", NULL, "What to look at");
        xmlNodePtr art = html_detail_article(p, sec, t, i, "detail");
        if (t->status != RES_PASSED && t->message)
            html_tel(p, art, "p", "msg", t->message);
        if (t->status != RES_PASSED)
            html_failures(p, art, t);
        if (t->notes) {
            html_tel(p, art, "div", "label", "Notes (no points lost)");
            html_tel(p, art, "pre", "notes", t->notes);
        }
        if (t->status != RES_PASSED && t->output && t->output[0])
            html_output_head(p, art, t->output);
    }
}

/* ---- report pages: performance ---------------------------------------------------- */

/* The ratio at which a test earns all its points, or NAN if no ratio does. */
static double html_full_ratio(const struct cfg_perf_test *pt)
{
    if (pt->nsteps == 0)
        return pt->full_at;
    for (size_t i = 0; i < pt->nsteps; i++)
        if (pt->steps[i].score >= 1.0)
            return pt->steps[i].at_most;
    return NAN;
}

/* The ratio from which a test earns nothing. */
static double html_zero_ratio(const struct cfg_perf_test *pt)
{
    return pt->nsteps ? pt->steps[pt->nsteps - 1].at_most : pt->zero_at;
}

static void html_perf_ratio(struct html_page *p, xmlNodePtr art, const struct res_test *t)
{
    const struct cfg_perf_test *pt = &t->cfg->perf;
    const struct res_perf *r = &t->perf;
    double full = html_full_ratio(pt), zero = html_zero_ratio(pt);
    char v[4][48], lref[160], lfull[64], lzero[64], ts[4][96];
    html_count(r->value, v[0], sizeof v[0]);
    html_count(r->reference, v[1], sizeof v[1]);
    html_count(r->reference * (isnan(full) ? 0 : full), v[2], sizeof v[2]);
    html_count(r->reference * zero, v[3], sizeof v[3]);
    snprintf(lref, sizeof lref, "Reference (%s)", pt->reference ? pt->reference : "?");
    snprintf(lfull, sizeof lfull, "Full points (ratio %g)", isnan(full) ? 0 : full);
    snprintf(lzero, sizeof lzero, "No points (ratio %g)", zero);
    snprintf(ts[0], sizeof ts[0], "%s (ratio %.4g)", v[0], html_finite(r->ratio));
    snprintf(ts[1], sizeof ts[1], "%s", v[1]);
    snprintf(ts[2], sizeof ts[2], "%s or fewer", v[2]);
    snprintf(ts[3], sizeof ts[3], "%s or more", v[3]);
    struct html_bar bars[4] = {
        { "Your code", r->value, "student", ts[0], NULL },
        { lref, r->reference, "reference", ts[1], NULL },
        { lfull, r->reference * full, "full", ts[2], NULL },
        { lzero, r->reference * zero, "zero", ts[3], NULL },
    };
    size_t n = 4;
    if (isnan(full)) {          /* no step gives all the points */
        bars[2] = bars[3];
        n = 3;
    }
    double max = 0;
    for (size_t i = 0; i < n; i++)
        max = html_finite(bars[i].value) > max ? html_finite(bars[i].value) : max;
    char label[96];
    snprintf(label, sizeof label, "%s: your count against the reference",
             cfg_metric_name(r->metric));
    html_telf(p, art, "p", "note", "Metric: %s (fewer is better).", cfg_metric_name(r->metric));
    html_hbars(p, art, "chart perf-chart", label, bars, n, max, 230);
    html_telf(p, art, "p", "perf-sum", "Ratio %.4g: %.0f%% of the points (%.2f / %.2f).",
              html_finite(r->ratio), 100.0 * html_finite(r->fraction), html_finite(t->score),
              html_finite(t->max_score));
}

static void html_perf_threads(struct html_page *p, xmlNodePtr art, const struct res_test *t)
{
    const struct cfg_perf_test *pt = &t->cfg->perf;
    const struct res_perf *r = &t->perf;
    char tv[2][64], tb[2][64];
    snprintf(tv[0], sizeof tv[0], "%.0f", html_finite(r->value));
    snprintf(tv[1], sizeof tv[1], "%.0f", html_finite(r->reference));
    snprintf(tb[0], sizeof tb[0], "%.2f", html_finite(r->balance));
    snprintf(tb[1], sizeof tb[1], "at least %.2f", pt->balance);
    const struct html_bar threads[2] = {
        { "Worker threads", r->value, "student", tv[0], NULL },
        { "Expected", r->reference, "reference", tv[1], NULL },
    };
    const struct html_bar balance[2] = {
        { "Balance (least / most work)", r->balance, "student", tb[0], NULL },
        { "Required", pt->balance, "required", tb[1], NULL },
    };
    double tmax = fmax(html_finite(r->value), html_finite(r->reference));
    html_hbars(p, art, "chart perf-chart threads-chart", "worker threads against the expected",
               threads, 2, tmax, 230);
    html_hbars(p, art, "chart perf-chart balance-chart", "balance against the required balance",
               balance, 2, 1.0, 230);
    html_telf(p, art, "p", "perf-sum",
              "Work ratio %.2f (at most %.1f): %.0f%% of the points (%.2f / %.2f).",
              html_finite(r->ratio), RES_PERF_WORK_MAX, 100.0 * html_finite(r->fraction),
              html_finite(t->score), html_finite(t->max_score));
}

static void html_report_perf(struct html_page *p, const struct res_submission *s,
                             enum report_audience aud)
{
    xmlNodePtr sec = NULL;
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (!report_shows(t, aud) || !t->perf.present || !t->cfg)
            continue;
        if (!sec)
            sec = html_section(p, p->body, "performance", NULL, "Performance");
        xmlNodePtr art = html_detail_article(p, sec, t, i, "perf");
        if (t->perf.metric == CFG_METRIC_THREADS)
            html_perf_threads(p, art, t);
        else
            html_perf_ratio(p, art, t);
        if (t->message)                      /* the measurement in words */
            html_tel(p, art, "p", "msg note", t->message);
        if (t->perf.timing[0])               /* wall-clock information, never graded */
            html_tel(p, art, "p", "note timing", t->perf.timing);
        if (t->notes)
            html_tel(p, art, "pre", "notes", t->notes);
    }
}

/* ---- report pages: coverage, build log, phases ------------------------------------ */

static void html_coverage_row(struct html_page *p, xmlNodePtr tbody, const char *what,
                              unsigned hit, unsigned total)
{
    xmlNodePtr tr = html_el(p, tbody, "tr", NULL);
    html_tel(p, tr, "td", NULL, what);
    if (total == 0) {
        html_tel(p, tr, "td", "num", "n/a");
        html_tel(p, tr, "td", NULL, "");
        html_tel(p, tr, "td", NULL, "");
        return;
    }
    html_telf(p, tr, "td", "num", "%.1f%%", html_pct(hit, total));
    html_telf(p, tr, "td", "num", "%u / %u", hit, total);
    html_meter(p, html_el(p, tr, "td", "wide"), html_pct(hit, total));
}

static void html_report_coverage(struct html_page *p, const struct res_coverage *c,
                                 const char *href)
{
    if (!c->present && !href)
        return;
    xmlNodePtr sec = html_section(p, p->body, "coverage", NULL, "Coverage of your code");
    if (c->present) {
        xmlNodePtr tbody = html_el(p, html_el(p, sec, "table", "coverage"), "tbody", NULL);
        html_coverage_row(p, tbody, "Lines", c->lines_hit, c->lines_total);
        html_coverage_row(p, tbody, "Functions", c->functions_hit, c->functions_total);
        html_coverage_row(p, tbody, "Branches", c->branches_hit, c->branches_total);
    }
    if (href) {
        xmlNodePtr para = html_el(p, sec, "p", NULL);
        xmlNodePtr a = html_tel(p, para, "a", NULL, "Line-by-line coverage");
        html_attr(p, a, "href", href);
        html_text(p, para, " (which lines and branches the tests ran)");
    }
}

static void html_report_build_log(struct html_page *p, const struct res_submission *s,
                                  enum report_audience aud)
{
    const char *log = aud == REPORT_INSTRUCTOR && s->build_log_full ? s->build_log_full
                                                                    : s->build_log;
    if (!log || !log[0])
        return;
    xmlNodePtr sec = html_section(p, p->body, "build-log", NULL, "Build log");
    html_tel(p, sec, "pre", "log", log);
}

/* The reports and the total are measured while the reports are written
 * (grade.c): a page written before them leaves them to results.json. */
static void html_report_phases(struct html_page *p, const struct res_phases *ph)
{
    static const char *const names[] = { "prepare", "compile", "policy", "run", "performance",
                                         "coverage", "report", "total" };
    const uint64_t ms[] = { ph->prepare_ms, ph->compile_ms, ph->policy_ms, ph->run_ms,
                            ph->perf_ms, ph->coverage_ms, ph->report_ms, ph->total_ms };
    size_t n = sizeof names / sizeof names[0] - (ph->total_ms > 0 ? 0 : 2);
    xmlNodePtr sec = html_section(p, p->body, "phases", NULL, "Phases (wall-clock ms)");
    xmlNodePtr table = html_el(p, sec, "table", "phases");
    xmlNodePtr hr = html_el(p, html_el(p, table, "thead", NULL), "tr", NULL);
    xmlNodePtr tr = html_el(p, html_el(p, table, "tbody", NULL), "tr", NULL);
    if (n < sizeof names / sizeof names[0])
        html_tel(p, sec, "p", NULL, "The reports' time and the total are in results.json.");
    for (size_t i = 0; i < n; i++) {
        html_tel(p, hr, "th", "num", names[i]);
        html_telf(p, tr, "td", "num", "%llu", (unsigned long long)ms[i]);
    }
}

char *html_report(const struct res_submission *s, const struct grader_cfg *cfg,
                  enum report_audience aud, const char *coverage_href)
{
    struct html_page p;
    char *title = NULL;
    if (asprintf(&title, "%s: %s", s->student ? s->student : "",
                 cfg && cfg->title ? cfg->title : cfg && cfg->name ? cfg->name : "report") < 0)
        return NULL;
    int rc = html_page_open(&p, title);
    free(title);
    if (rc < 0)
        return NULL;
    html_report_header(&p, s, cfg, aud);
    if (s->status == RES_UNGRADABLE)     /* what went wrong, first */
        html_report_build_log(&p, s, aud);
    html_report_tests(&p, s, aud);
    html_report_categories(&p, s, aud);
    html_report_details(&p, s, aud);
    html_report_perf(&p, s, aud);
    html_report_coverage(&p, &s->coverage, coverage_href);
    if (s->status != RES_UNGRADABLE)
        html_report_build_log(&p, s, aud);
    if (aud == REPORT_INSTRUCTOR)
        html_report_phases(&p, &s->phases);
    return html_page_take(&p);
}
