/*
 * text.c -- the human text report, plain or in terminal colour
 * (report_text(), report_text_styled(), report.h).
 */
#include "report/report_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text report ------------------------------------------------------ */

/* The column where test names start, under which details are indented. */
static const char report_detail_indent[] = "                            ";

/* Writes prefix and the cleaned one-line field s. */
static void report_put_field(struct report_buf *b, const char *prefix, const char *s)
{
    char *c = report_clean(s, CLEAN_LINE);
    if (!c) {
        b->failed = true;
        return;
    }
    fprintf(b->f, "%s%s", prefix, c);
    free(c);
}

/* Writes the cleaned multi-line block s, each line indented. */
static void report_put_block(struct report_buf *b, const char *indent, const char *s)
{
    char *c = report_clean(s, CLEAN_BLOCK);
    if (!c) {
        b->failed = true;
        return;
    }
    report_put_indented(b, indent, "", c);
    free(c);
}

/* A heading line ("\nTests\n"), bold in colour. */
static void report_heading(struct report_buf *b, const char *title)
{
    fputc('\n', b->f);
    report_sgr(b, REPORT_SGR_BOLD);
    fputs(title, b->f);
    report_sgr(b, REPORT_SGR_RESET);
    fputc('\n', b->f);
}

/* The start of a test's output, each line marked "| ". */
static void report_put_output_head(struct report_buf *b, const char *output)
{
    char *c = report_clean(output, CLEAN_BLOCK);
    if (!c) {
        b->failed = true;
        return;
    }
    bool truncated = report_output_head(c);
    fprintf(b->f, "%soutput:\n", report_detail_indent);
    report_put_indented(b, report_detail_indent, "| ", c);
    if (truncated)
        fprintf(b->f, "%s| ... (output truncated)\n", report_detail_indent);
    free(c);
}

static const char *report_text_tag(enum res_test_status st)
{
    switch (st) {
    case RES_PASSED:  return "PASS";
    case RES_FAILED:  return "FAIL";
    case RES_ERROR:   return "ERROR";
    case RES_NOT_RUN: return "NOTRUN";
    }
    return "?";
}

static const char *report_text_tag_sgr(enum res_test_status st)
{
    return st == RES_PASSED ? REPORT_SGR_GREEN
         : st == RES_FAILED || st == RES_ERROR ? REPORT_SGR_RED : NULL;
}

/* "  FAIL      2.50 /    5.00  Name", then the details of a failure. */
static void report_text_test(struct report_buf *b, const struct res_test *t,
                             enum report_audience aud)
{
    const char *tag = report_text_tag(t->status), *sgr = report_text_tag_sgr(t->status);
    fputs("  ", b->f);
    report_sgr(b, sgr);
    fputs(tag, b->f);
    report_sgr(b, sgr ? REPORT_SGR_RESET : NULL);
    fprintf(b->f, "%*s %8.2f / %8.2f  ", 6 - (int)strlen(tag), "",
            report_finite(t->score), report_finite(t->max_score));
    report_put_field(b, "", report_test_name(t));
    if (aud == REPORT_INSTRUCTOR) {
        report_put_field(b, "  [", report_test_id(t));
        fprintf(b->f, ", %s]", report_test_visibility(t));
    }
    fputc('\n', b->f);
    if (t->perf.present && t->message)       /* what was measured, passed or not */
        report_put_block(b, report_detail_indent, t->message);
    if (t->perf.timing[0])
        report_put_block(b, report_detail_indent, t->perf.timing);
    if (t->notes)                            /* costs no points: shown, passed or not */
        report_put_block(b, report_detail_indent, t->notes);
    if (t->status == RES_PASSED)
        return;
    if (t->message && !t->perf.present)
        report_put_block(b, report_detail_indent, t->message);
    char *fails = report_failures_text(t);
    if (fails)
        report_put_block(b, report_detail_indent, fails);
    else
        b->failed = true;
    free(fails);
    if (t->output && t->output[0])
        report_put_output_head(b, t->output);
}

static void report_text_tests(struct report_buf *b, const struct res_submission *s,
                              enum report_audience aud)
{
    double hscore = 0, hmax = 0;
    bool hidden = false;
    if (s->ntests > 0)
        report_heading(b, "Tests");
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (report_shows(t, aud)) {
            report_text_test(b, t, aud);
            continue;
        }
        hidden = true;
        hscore += t->score;
        hmax += t->max_score;
    }
    if (hidden)
        fprintf(b->f, "  Hidden tests: %.2f/%.2f\n", report_finite(hscore),
                report_finite(hmax));
}

/* Per-category sums of the tests this audience sees, in first-seen order. */
static void report_text_categories(struct report_buf *b, const struct res_submission *s,
                                   enum report_audience aud)
{
    bool header = false;
    for (size_t i = 0; i < s->ntests; i++) {
        double score, max;
        if (!report_category_first(s, i, aud, &score, &max))
            continue;
        if (!header)
            report_heading(b, "Categories");
        header = true;
        char *c = report_clean(s->tests[i].cfg->category, CLEAN_LINE);
        if (!c) {
            b->failed = true;
            return;
        }
        fprintf(b->f, "  %-24s %8.2f / %8.2f\n", c, report_finite(score), report_finite(max));
        free(c);
    }
}

static void report_text_percent(struct report_buf *b, const char *what, unsigned hit,
                                unsigned total)
{
    if (total == 0)
        fprintf(b->f, "  %-10s    n/a\n", what);
    else
        fprintf(b->f, "  %-10s %5.1f%%  (%u/%u)\n", what, 100.0 * hit / total, hit, total);
}

static void report_text_coverage(struct report_buf *b, const struct res_coverage *c)
{
    if (!c->present)
        return;
    report_heading(b, "Coverage");
    report_text_percent(b, "lines", c->lines_hit, c->lines_total);
    report_text_percent(b, "functions", c->functions_hit, c->functions_total);
    report_text_percent(b, "branches", c->branches_hit, c->branches_total);
}

static void report_text_header(struct report_buf *b, const struct res_submission *s,
                               const struct grader_cfg *cfg)
{
    const char *name = cfg && cfg->name ? cfg->name : "";
    const char *title = cfg && cfg->title ? cfg->title : name;
    report_put_field(b, "Assignment: ", title);
    if (strcmp(title, name) != 0) {
        report_put_field(b, " (", name);
        fputc(')', b->f);
    }
    report_put_field(b, "\nStudent:    ", s->student);
    fprintf(b->f, "\nStatus:     %s\n", report_status_name(s->status));
    fputs("Score:      ", b->f);
    report_sgr(b, REPORT_SGR_BOLD);
    fprintf(b->f, "%.2f / %.2f", report_finite(s->score), report_finite(s->max_score));
    report_sgr(b, REPORT_SGR_RESET);
    fputc('\n', b->f);
}

/* "Late:       2 days late (...)" under the score; nothing without a policy. */
static void report_text_late(struct report_buf *b, const struct res_submission *s,
                             const struct grader_cfg *cfg)
{
    char line[512];
    if (!report_late_sentence(s, cfg, line, sizeof line))
        return;
    bool penalised = s->late.status == RES_LATE_LATE || s->late.status == RES_LATE_CLOSED;
    fputs("Late:       ", b->f);
    report_sgr(b, penalised ? REPORT_SGR_YELLOW : NULL);
    fputs(line, b->f);
    report_sgr(b, penalised ? REPORT_SGR_RESET : NULL);
    fputc('\n', b->f);
}

/* "Adjusted:   Points: -3.00: REASON", one line each, under the late line. */
static void report_text_adjustments(struct report_buf *b, const struct res_submission *s,
                                    enum report_audience aud)
{
    char line[1024];
    for (size_t i = 0; i < report_adjust_count(s); i++) {
        report_adjust_sentence(s, i, aud, line, sizeof line);
        char *clean = report_clean(line, CLEAN_LINE);
        fprintf(b->f, "Adjusted:   %s\n", clean ? clean : "?");
        free(clean);
    }
}

/* "Total: 43.20 / 110.00", and what the tests earned before a late penalty. */
static void report_text_total(struct report_buf *b, const struct res_submission *s)
{
    fputc('\n', b->f);
    report_sgr(b, REPORT_SGR_BOLD);
    fprintf(b->f, "Total: %.2f / %.2f", report_finite(s->score), report_finite(s->max_score));
    report_sgr(b, REPORT_SGR_RESET);
    if (s->late.status == RES_LATE_LATE || s->late.status == RES_LATE_CLOSED)
        fprintf(b->f, " (%.2f before the late penalty)", report_finite(s->late.score_before));
    fputc('\n', b->f);
}

/* Why an ungradable submission was not graded: right under the header. */
static void report_text_reason(struct report_buf *b, const struct res_submission *s)
{
    if (s->status != RES_UNGRADABLE)
        return;
    fputs("\nYour submission could not be graded.\n", b->f);
    report_put_block(b, "Reason: ", s->reason ? s->reason : "unknown");
}

/* Optional stages the grader went without (coverage, HTML, performance);
 * the instructor also sees the tools' own errors. */
static void report_text_degraded(struct report_buf *b, const struct res_submission *s,
                                 enum report_audience aud)
{
    if (s->ndegraded == 0)
        return;
    report_heading(b, "Grading notes");
    for (size_t i = 0; i < s->ndegraded; i++) {
        const struct res_degraded *d = &s->degraded[i];
        report_put_block(b, "  ", d->message ? d->message : "");
        if (aud == REPORT_INSTRUCTOR && d->detail)
            report_put_block(b, "    staff: ", d->detail);
    }
}

/* The student's view of the build log, or for the instructor the full one. */
static void report_text_build_log(struct report_buf *b, const struct res_submission *s,
                                  enum report_audience aud)
{
    const char *log = aud == REPORT_INSTRUCTOR && s->build_log_full ? s->build_log_full
                                                                    : s->build_log;
    if (log && log[0]) {
        report_heading(b, "Build log");
        report_put_block(b, "  ", log);
    }
}

/* The reports and the total are measured while the reports are written
 * (grade.c): the text reports, written first, leave them to results.json. */
static void report_text_phases(struct report_buf *b, const struct res_phases *p)
{
    fprintf(b->f, "\nPhases (ms): prepare %llu, compile %llu, policy %llu, run %llu, "
                  "performance %llu, coverage %llu",
            (unsigned long long)p->prepare_ms, (unsigned long long)p->compile_ms,
            (unsigned long long)p->policy_ms, (unsigned long long)p->run_ms,
            (unsigned long long)p->perf_ms, (unsigned long long)p->coverage_ms);
    if (p->total_ms > 0)
        fprintf(b->f, ", report %llu, total %llu\n", (unsigned long long)p->report_ms,
                (unsigned long long)p->total_ms);
    else
        fputs(" (the total: results.json)\n", b->f);
}

char *report_text_styled(const struct res_submission *s, const struct grader_cfg *cfg,
                         enum report_audience aud, unsigned style)
{
    struct report_buf b;
    if (report_buf_open(&b) < 0)
        return NULL;
    b.color = (style & REPORT_COLOR) != 0;
    report_text_header(&b, s, cfg);
    report_text_late(&b, s, cfg);
    report_text_adjustments(&b, s, aud);
    report_text_reason(&b, s);
    report_text_tests(&b, s, aud);
    report_text_categories(&b, s, aud);
    report_text_total(&b, s);
    report_text_coverage(&b, &s->coverage);
    report_text_degraded(&b, s, aud);
    report_text_build_log(&b, s, aud);
    if (aud == REPORT_INSTRUCTOR)
        report_text_phases(&b, &s->phases);
    if (aud == REPORT_INSTRUCTOR && s->sandbox)
        fprintf(b.f, "Sandbox: %s\n", s->sandbox);
    return report_buf_take(&b);
}

char *report_text(const struct res_submission *s, const struct grader_cfg *cfg,
                  enum report_audience aud)
{
    return report_text_styled(s, cfg, aud, REPORT_PLAIN);
}
