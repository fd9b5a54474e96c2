/*
 * results_json.c -- results.json for Gradescope (report_json(), report.h),
 * written with jansson in a fixed key order.
 *
 * Gradescope shows the top-level "output" to the student at once, and
 * each test in its own box, which it hides or shows by the test's
 * "visibility" (hidden, after_due_date, after_published, visible).  So
 * the top-level output is written here, not report_markdown(): no total
 * that counts a test the student may not see yet, one row per
 * visibility (its points only when visible), no test details (they are
 * in the boxes, once), and for an ungradable submission the reason and
 * the build log first.
 */
#include "report/report_priv.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Why a test did not pass, on one line: its message, or for a test that
 * never ran because the submission was ungradable, why not. */
static const char *report_json_reason(const struct res_submission *s, const struct res_test *t)
{
    if (t->message && t->message[0])
        return t->message;
    if (t->status == RES_NOT_RUN && s->status == RES_UNGRADABLE)
        return s->build_log && s->build_log[0] ? "not run: the build failed"
                                               : "not run: the submission was not graded";
    return res_test_status_name(t->status);
}

/* The per-test details: the reason it did not pass (or a performance
 * test's measurement), failing checks, and the captured output of a test
 * that did not pass (a passing test's output, such as a timing table,
 * changes from run to run and would make results.json differ between two
 * gradings).  Raw (uncleaned) text, malloc'd; NULL on OOM. */
static char *report_test_details(const struct res_submission *s, const struct res_test *t)
{
    struct report_buf b;
    if (report_buf_open(&b) < 0)
        return NULL;
    if (t->status != RES_PASSED)
        fprintf(b.f, "%s\n", report_json_reason(s, t));
    else if (t->perf.present && t->message)
        fprintf(b.f, "%s\n", t->message);      /* a measurement says what it measured */
    report_put_failures(&b, t, "");
    if (t->notes)
        fprintf(b.f, "%s", t->notes);
    if (t->status != RES_PASSED && t->output && t->output[0])
        fprintf(b.f, "%sOutput:\n%s", ftell(b.f) > 0 ? "\n" : "", t->output);
    return report_buf_take(&b);
}

/* ---- results.json ----------------------------------------------------- */

/* json_string of the cleaned s (NULL = ""); NULL on OOM.  Cleaning is
 * needed anyway (jansson refuses invalid UTF-8); control characters go
 * too, as Gradescope shows them raw. */
static json_t *report_jstr(const char *s)
{
    char *c = report_clean(s, CLEAN_BLOCK);
    if (!c)
        return NULL;
    json_t *j = json_string(c);
    free(c);
    return j;
}

static json_t *report_jreal(double x)
{
    return json_real(report_finite(x));
}

/* Sets key to v (stolen); false if v is NULL or the set fails. */
static bool report_jset(json_t *obj, const char *key, json_t *v)
{
    return json_object_set_new(obj, key, v) == 0;
}

/* o when every key was set, else NULL (o is freed). */
static json_t *report_jdone(json_t *o, bool ok)
{
    if (ok)
        return o;
    json_decref(o);
    return NULL;
}

static json_t *report_json_tags(const struct cfg_test *c)
{
    json_t *a = json_array();
    if (!a || !c)
        return a;
    for (size_t i = 0; i < c->tags.n; i++) {
        if (json_array_append_new(a, report_jstr(c->tags.v[i])) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* A measured performance test's numbers (deterministic; not the timing). */
static bool report_json_perf(json_t *o, const struct res_perf *p)
{
    if (!p->present)
        return true;
    bool ok = report_jset(o, "metric", json_string(cfg_metric_name(p->metric)))
           && report_jset(o, "value", report_jreal(p->value))
           && report_jset(o, "reference", report_jreal(p->reference))
           && report_jset(o, "ratio", report_jreal(p->ratio));
    if (ok && p->metric == CFG_METRIC_THREADS)
        ok = report_jset(o, "balance", report_jreal(p->balance));
    return ok;
}

static json_t *report_json_test_extra(const struct res_test *t)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    bool ok = report_jset(o, "id", report_jstr(report_test_id(t)))
           && report_jset(o, "checks_passed", json_integer(t->passed))
           && report_jset(o, "checks_total", json_integer(t->total))
           && report_jset(o, "status", json_string(res_test_status_name(t->status)))
           && report_json_perf(o, &t->perf);
    return report_jdone(o, ok);
}

static json_t *report_json_test(const struct res_submission *s, const struct res_test *t,
                                size_t index)
{
    char number[32];
    snprintf(number, sizeof number, "%zu", index + 1);
    char *details = report_test_details(s, t);
    json_t *o = json_object();
    bool ok = o && details
        && report_jset(o, "score", report_jreal(t->score))
        && report_jset(o, "max_score", report_jreal(t->max_score))
        && report_jset(o, "status", json_string(t->status == RES_PASSED ? "passed" : "failed"))
        && report_jset(o, "name", report_jstr(report_test_name(t)))
        && report_jset(o, "number", json_string(number))
        && report_jset(o, "output", report_jstr(details))
        && report_jset(o, "tags", report_json_tags(t->cfg))
        && report_jset(o, "visibility", json_string(report_test_visibility(t)))
        && report_jset(o, "extra_data", report_json_test_extra(t));
    free(details);
    return report_jdone(o, ok);
}

static json_t *report_json_coverage(const struct res_coverage *c)
{
    if (!c->present)
        return json_null();
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
                     "lines_hit", (json_int_t)c->lines_hit,
                     "lines_total", (json_int_t)c->lines_total,
                     "functions_hit", (json_int_t)c->functions_hit,
                     "functions_total", (json_int_t)c->functions_total,
                     "branches_hit", (json_int_t)c->branches_hit,
                     "branches_total", (json_int_t)c->branches_total);
}

static json_t *report_json_phases(const struct res_phases *p)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                     "prepare", (json_int_t)p->prepare_ms,
                     "compile", (json_int_t)p->compile_ms,
                     "policy", (json_int_t)p->policy_ms,
                     "run", (json_int_t)p->run_ms,
                     "performance", (json_int_t)p->perf_ms,
                     "coverage", (json_int_t)p->coverage_ms,
                     "report", (json_int_t)p->report_ms,
                     "total", (json_int_t)p->total_ms);
}

/* extra_data.late: null without a late policy. */
static json_t *report_json_late(const struct res_submission *s, const struct grader_cfg *cfg)
{
    const struct res_late *l = &s->late;
    if (l->status == RES_LATE_NONE)
        return json_null();
    bool known = l->status != RES_LATE_UNKNOWN && l->submitted_at;
    json_t *o = json_object();
    bool ok = o
        && report_jset(o, "submitted_at", known ? report_jstr(l->submitted_at) : json_null())
        && report_jset(o, "due", l->due ? report_jstr(l->due)
                                 : cfg && cfg->late.due ? report_jstr(cfg->late.due) : json_null())
        && report_jset(o, "status", json_string(res_late_status_name(l->status)))
        && report_jset(o, "days_late", known ? json_integer(l->days) : json_null())
        && report_jset(o, "penalty", report_jreal(l->penalty))
        && report_jset(o, "points_lost", report_jreal(l->points_lost));
    return report_jdone(o, ok);
}

/* extra_data.adjustments, only with some: {extension: {due, reason} or
 * null, points: [{delta, reason}], tests: [{test, score, before, reason}]};
 * a hidden test's "test" is null, as results.json is the student's. */
static json_t *report_json_adjust_items(const struct res_submission *s, bool tests)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->nadjustments; i++) {
        const struct res_adjustment *r = &s->adjustments[i];
        if ((r->test != NULL) != tests)
            continue;
        json_t *o = json_object();
        bool ok = o && (tests
            ? report_jset(o, "test", res_student_visible(r->test) ? report_jstr(r->test->id)
                                                                 : json_null())
              && report_jset(o, "score", report_jreal(r->points))
              && report_jset(o, "before", report_jreal(r->before))
            : report_jset(o, "delta", report_jreal(r->points)))
            && report_jset(o, "reason", report_jstr(r->reason));
        if (!ok)
            json_decref(o);
        if (!ok || json_array_append_new(a, o) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *report_json_adjustments(const struct res_submission *s)
{
    json_t *o = json_object(), *ext = json_null();
    if (s->extension_reason) {
        ext = json_object();
        bool eok = ext && report_jset(ext, "due", report_jstr(s->late.due ? s->late.due : ""))
                   && report_jset(ext, "reason", report_jstr(s->extension_reason));
        ext = report_jdone(ext, eok);
    }
    bool ok = o
        && report_jset(o, "extension", ext)
        && report_jset(o, "points", report_json_adjust_items(s, false))
        && report_jset(o, "tests", report_json_adjust_items(s, true));
    return report_jdone(o, ok);
}

/* extra_data.degraded: [{stage, message, detail}], [] when nothing was skipped. */
static json_t *report_json_degraded(const struct res_submission *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->ndegraded; i++) {
        const struct res_degraded *d = &s->degraded[i];
        json_t *o = json_object();
        bool ok = o
            && report_jset(o, "stage", report_jstr(d->stage ? d->stage : ""))
            && report_jset(o, "message", report_jstr(d->message ? d->message : ""))
            && report_jset(o, "detail", d->detail ? report_jstr(d->detail) : json_null());
        if (!ok)
            json_decref(o);
        if (!ok || json_array_append_new(a, o) < 0) {   /* append_new takes o either way */
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *report_json_extra(const struct res_submission *s, const struct grader_cfg *cfg)
{
    json_t *o = json_object();
    bool ok = o
        && report_jset(o, "coverage", report_json_coverage(&s->coverage))
        && report_jset(o, "phases_ms", report_json_phases(&s->phases))
        && report_jset(o, "test_runs", json_integer((json_int_t)s->phases.test_runs))
        && report_jset(o, "student", report_jstr(s->student))
        && report_jset(o, "email", s->email ? report_jstr(s->email) : json_null())
        && report_jset(o, "grader_status", json_string(report_status_name(s->status)))
        && report_jset(o, "reason", s->reason ? report_jstr(s->reason) : json_null())
        && report_jset(o, "sandbox", s->sandbox ? report_jstr(s->sandbox) : json_null())
        && report_jset(o, "late", report_json_late(s, cfg))
        && report_jset(o, "degraded", report_json_degraded(s))
        && (report_adjust_count(s) == 0
            || report_jset(o, "adjustments", report_json_adjustments(s)))
        && (!s->rate_limited || report_jset(o, "rate_limited", json_true()));
    return report_jdone(o, ok);
}

static json_t *report_json_tests(const struct res_submission *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->ntests; i++) {
        if (json_array_append_new(a, report_json_test(s, &s->tests[i], i)) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/*
 * Gradescope's leaderboard: one column per measured performance test the
 * student may see (a hidden test's value would tell its result to the
 * whole class), named by its title, its measured value (instructions,
 * cache misses...: deterministic), lower first.  Tests that were not
 * measured (not run, the build failed) have no column.
 */
static json_t *report_json_leaderboard(const struct res_submission *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (!t->perf.present || !res_student_visible(t->cfg))
            continue;
        json_t *o = json_object();
        bool ok = o
            && report_jset(o, "name", report_jstr(report_test_name(t)))
            && report_jset(o, "value", report_jreal(t->perf.value))
            && report_jset(o, "order", json_string("asc"));
        if (!ok)
            json_decref(o);
        if (!ok || json_array_append_new(a, o) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* ---- the top-level output ----------------------------------------------- */

/* Inline Markdown: s on one line, ASCII punctuation that means something
 * to CommonMark or GitHub backslash-escaped (as markdown.c does). */
static void report_json_md_text(struct report_buf *b, const char *s)
{
    char *c = report_clean(s, CLEAN_LINE);
    if (!c) {
        b->failed = true;
        return;
    }
    for (const char *p = c; *p; p++) {
        if (strchr("\\`*_[]<>|~&$#!", *p))
            fputc('\\', b->f);
        fputc(*p, b->f);
    }
    free(c);
}

/* text as a fenced code block, the fence longer than any run of
 * backticks inside (so the content cannot close it). */
static void report_json_md_code(struct report_buf *b, const char *text)
{
    char *c = report_clean(text, CLEAN_BLOCK);
    if (!c) {
        b->failed = true;
        return;
    }
    size_t run = 0, longest = 0, n = strlen(c);
    for (const char *p = c; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    int fence = (int)(longest < 3 ? 3 : longest + 1);
    fprintf(b->f, "%.*s\n%s%s%.*s\n\n", fence, "````````````````````````````````", c,
            n > 0 && c[n - 1] != '\n' ? "\n" : "", fence, "````````````````````````````````");
    free(c);
}

/* The rows of the output's table, one per visibility, in this order. */
static const struct {
    enum cfg_visibility vis;
    const char *label;
    const char *shown;        /* what the points column says instead; NULL: the points */
} report_json_rows[] = {
    {CFG_VIS_VISIBLE, "Visible tests", NULL},
    {CFG_VIS_AFTER_DUE_DATE, "Tests shown after the due date", "shown after the due date"},
    {CFG_VIS_AFTER_PUBLISHED, "Tests shown when grades are published",
     "shown when grades are published"},
    {CFG_VIS_HIDDEN, "Hidden tests", "not shown"},
};

/* A test without a config counts as hidden, as everywhere. */
static enum cfg_visibility report_json_vis(const struct res_test *t)
{
    return t->cfg ? t->cfg->visibility : CFG_VIS_HIDDEN;
}

/* The table; whether every test is visible (then a total may be shown). */
static bool report_json_md_rows(struct report_buf *b, const struct res_submission *s)
{
    bool all_visible = true;
    fprintf(b->f, "| Tests | Points |\n|---|---:|\n");
    for (size_t r = 0; r < sizeof report_json_rows / sizeof *report_json_rows; r++) {
        unsigned n = 0, passed = 0;
        double score = 0, max = 0;
        for (size_t i = 0; i < s->ntests; i++) {
            const struct res_test *t = &s->tests[i];
            if (report_json_vis(t) != report_json_rows[r].vis)
                continue;
            n++;
            passed += t->status == RES_PASSED;
            score += t->score;
            max += t->max_score;
        }
        if (n == 0)
            continue;
        fprintf(b->f, "| %s (%u) | ", report_json_rows[r].label, n);
        if (report_json_rows[r].shown) {
            all_visible = false;
            fprintf(b->f, "%s |\n", report_json_rows[r].shown);
        } else {
            fprintf(b->f, "%.2f / %.2f (%u of %u passed) |\n", report_finite(score),
                    report_finite(max), passed, n);
        }
    }
    fputc('\n', b->f);
    return all_visible;
}

/* The late outcome; its points only when they cannot tell a hidden score. */
static void report_json_md_late(struct report_buf *b, const struct res_submission *s,
                                const struct grader_cfg *cfg, bool all_visible)
{
    char line[512];
    const struct res_late *l = &s->late;
    if (all_visible && report_late_sentence(s, cfg, line, sizeof line)) {
        fprintf(b->f, "**Late:** ");
        report_json_md_text(b, line);
        fprintf(b->f, "\n\n");
    } else if (l->status == RES_LATE_LATE || l->status == RES_LATE_CLOSED) {
        fprintf(b->f, "**Late:** %u day%s late: %.0f%% of the score is taken.\n\n", l->days,
                l->days == 1 ? "" : "s", report_finite(l->penalty) * 100.0);
    }
}

static void report_json_md_coverage(struct report_buf *b, const struct res_coverage *c)
{
    if (!c->present)
        return;
    fprintf(b->f, "**Coverage of your code by the visible and hidden tests:** lines %u/%u, "
            "functions %u/%u", c->lines_hit, c->lines_total, c->functions_hit,
            c->functions_total);
    if (c->branches_total > 0)
        fprintf(b->f, ", branches %u/%u", c->branches_hit, c->branches_total);
    fprintf(b->f, ".\n\n");
}

/*
 * Gradescope's top-level output (Markdown): the title, for an ungradable
 * submission the reason and the build log first, the late outcome, the
 * table by visibility, where the details are, coverage and the grading
 * notes.  The total only when every test is visible.  Raw text (each
 * piece cleaned); malloc'd, NULL on OOM.
 */
static char *report_json_output(const struct res_submission *s, const struct grader_cfg *cfg)
{
    struct report_buf b;
    if (report_buf_open(&b) < 0)
        return NULL;
    fprintf(b.f, "## ");
    report_json_md_text(&b, cfg && cfg->title ? cfg->title : cfg && cfg->name ? cfg->name
                                                                                : "Results");
    fprintf(b.f, "\n\n");
    if (s->status == RES_UNGRADABLE) {
        fprintf(b.f, "**Your submission could not be graded:** ");
        report_json_md_text(&b, s->reason ? s->reason : "see the build log");
        fprintf(b.f, "\n\n");
        if (s->build_log && s->build_log[0]) {
            fprintf(b.f, "**Build log:**\n\n");
            report_json_md_code(&b, s->build_log);
        }
    }
    /* The rows first (into a second buffer): they tell whether a total may show. */
    struct report_buf rows;
    if (report_buf_open(&rows) < 0) {
        b.failed = true;
        return report_buf_take(&b);
    }
    bool all_visible = report_json_md_rows(&rows, s);
    char *table = report_buf_take(&rows);
    if (all_visible && s->ntests > 0)
        fprintf(b.f, "**Score:** %.2f / %.2f\n\n", report_finite(s->score),
                report_finite(s->max_score));
    report_json_md_late(&b, s, cfg, all_visible);
    if (s->ntests > 0) {
        fprintf(b.f, "%s", table ? table : "");
        b.failed |= table == NULL;
        fprintf(b.f, "Each test's result and details are in its own box below%s.\n\n",
                all_visible ? "" : "; the tests not shown yet appear when their time comes");
    }
    free(table);
    report_json_md_coverage(&b, &s->coverage);
    for (size_t i = 0; i < s->ndegraded; i++) {
        fprintf(b.f, "%s", i == 0 ? "**Grading notes:**\n\n" : "");
        fprintf(b.f, "- ");
        report_json_md_text(&b, s->degraded[i].message ? s->degraded[i].message : "");
        fprintf(b.f, "\n%s", i + 1 == s->ndegraded ? "\n" : "");
    }
    /* A graded submission's log holds warnings: after the results. */
    if (s->status != RES_UNGRADABLE && s->build_log && s->build_log[0]) {
        fprintf(b.f, "**Build log:**\n\n");
        report_json_md_code(&b, s->build_log);
    }
    return report_buf_take(&b);
}

/* The document, keys in Gradescope's order; NULL on OOM. */
static json_t *report_json_doc(const struct res_submission *s, const struct grader_cfg *cfg,
                               double execution_time_s)
{
    /* Milliseconds are plenty, and keep the number short. */
    double exec = round(report_finite(execution_time_s) * 1000.0) / 1000.0;
    char *summary = report_json_output(s, cfg);
    json_t *o = json_object();
    bool ok = o && summary
        && report_jset(o, "score", report_jreal(s->score))
        && report_jset(o, "execution_time", report_jreal(exec))
        && report_jset(o, "output", report_jstr(summary))
        && report_jset(o, "output_format", json_string("md"))
        && report_jset(o, "test_output_format", json_string("text"))
        /* The whole result is visible; tests carry their own level. */
        && report_jset(o, "visibility", json_string("visible"))
        /* The grader's own stdout may mention hidden tests. */
        && report_jset(o, "stdout_visibility", json_string("hidden"))
        && report_jset(o, "extra_data", report_json_extra(s, cfg))
        && report_jset(o, "tests", report_json_tests(s))
        && (!cfg || !cfg->performance.leaderboard
            || report_jset(o, "leaderboard", report_json_leaderboard(s)));
    free(summary);
    return report_jdone(o, ok);
}

char *report_json(const struct res_submission *s, const struct grader_cfg *cfg,
                  double execution_time_s)
{
    json_t *doc = report_json_doc(s, cfg, execution_time_s);
    if (!doc)
        return NULL;
    /* 10 significant digits: 2.5 prints "2.5", 5 prints "5.0", and
     * 10/3 prints "3.333333333" whatever the last bit. */
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER
                                 | JSON_REAL_PRECISION(10));
    json_decref(doc);
    if (!text)
        return NULL;
    size_t n = strlen(text);
    char *out = malloc(n + 2);
    if (out) {
        memcpy(out, text, n);
        memcpy(out + n, "\n", 2);
    }
    free(text);
    return out;
}
