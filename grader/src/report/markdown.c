/*
 * markdown.c -- the student's report in Markdown (report_markdown(),
 * report.h): report.md and CI job summaries.
 */
#include "report/report_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Markdown ----------------------------------------------------------- */

/* What CommonMark and GitHub give a meaning inline (code, emphasis,
 * links, HTML, entities, tables, strikethrough, math, headings, images).
 * Any ASCII punctuation may be backslash-escaped, so these are. */
static const char report_md_special[] = "\\`*_[]<>|~&$#!";

/* One line of inline Markdown: s cleaned to one line, punctuation
 * escaped.  Callers never start a line with it, so list, heading and
 * quote markers at a line start need no care. */
static void report_md_text(struct report_buf *b, const char *s)
{
    char *c = report_clean(s, CLEAN_LINE);
    if (!c) {
        b->failed = true;
        return;
    }
    for (const char *p = c; *p; p++) {
        if (strchr(report_md_special, *p))
            fputc('\\', b->f);
        fputc(*p, b->f);
    }
    free(c);
}

static void report_md_fence(struct report_buf *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fputc('`', b->f);
    fputc('\n', b->f);
}

/*
 * Already-cleaned text as a fenced code block.  A fence closes only on a
 * line of at least as many backticks, so one longer than the longest
 * run inside (and at least three) cannot be closed by the content.
 */
static void report_md_code_clean(struct report_buf *b, const char *c)
{
    size_t run = 0, longest = 0, n = strlen(c);
    for (const char *p = c; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    size_t fence = longest < 3 ? 3 : longest + 1;
    report_md_fence(b, fence);
    fputs(c, b->f);
    if (n > 0 && c[n - 1] != '\n')
        fputc('\n', b->f);
    report_md_fence(b, fence);
    fputc('\n', b->f);
}

static void report_md_code(struct report_buf *b, const char *text)
{
    char *c = report_clean(text, CLEAN_BLOCK);
    if (!c) {
        b->failed = true;
        return;
    }
    report_md_code_clean(b, c);
    free(c);
}

static const char *report_md_tag(enum res_test_status st)
{
    switch (st) {
    case RES_PASSED:  return "\xE2\x9C\x85 PASS";      /* U+2705 */
    case RES_FAILED:  return "\xE2\x9D\x8C FAIL";      /* U+274C */
    case RES_ERROR:   return "\xE2\x9D\x8C ERROR";
    case RES_NOT_RUN: return "\xE2\x9E\x96 NOT RUN";   /* U+2796 */
    }
    return "?";
}

/* "## Title — Score: 43.20 / 110.00", who, the late penalty, why it was not
 * graded (verbatim in a code block: it names symbols like '_exit'). */
static void report_md_header(struct report_buf *b, const struct res_submission *s,
                             const struct grader_cfg *cfg)
{
    const char *title = cfg && cfg->title ? cfg->title : cfg && cfg->name ? cfg->name : "Grade";
    char late[512];
    fputs("## ", b->f);
    report_md_text(b, title);
    fprintf(b->f, " \xE2\x80\x94 Score: %.2f / %.2f\n\n", report_finite(s->score),   /* U+2014 */
            report_finite(s->max_score));
    fputs("**Student:** ", b->f);
    report_md_text(b, s->student);
    fprintf(b->f, " \xC2\xB7 **Status:** %s\n\n", report_status_name(s->status));
    if (report_late_sentence(s, cfg, late, sizeof late)) {
        fputs("**Late:** ", b->f);
        report_md_text(b, late);
        if (s->late.status == RES_LATE_LATE || s->late.status == RES_LATE_CLOSED)
            fprintf(b->f, " (%.2f before the late penalty)",
                    report_finite(s->late.score_before));
        fputs("\n\n", b->f);
    }
    for (size_t i = 0; i < report_adjust_count(s); i++) {
        char line[1024];
        report_adjust_sentence(s, i, REPORT_STUDENT, line, sizeof line);
        fputs("**Adjusted:** ", b->f);
        report_md_text(b, line);
        fputs("\n\n", b->f);
    }
    if (s->status == RES_UNGRADABLE) {
        fputs("**Your submission could not be graded:**\n\n", b->f);
        report_md_code(b, s->reason ? s->reason : "unknown reason");
    }
}

/* One row per visible test, one "Hidden tests" row of points for the rest. */
static void report_md_tests(struct report_buf *b, const struct res_submission *s)
{
    double hscore = 0, hmax = 0;
    bool hidden = false;
    if (s->ntests == 0)
        return;
    fputs("### Tests\n\n| Result | Test | Points |\n|---|---|---:|\n", b->f);
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (!report_shows(t, REPORT_STUDENT)) {
            hidden = true;
            hscore += t->score;
            hmax += t->max_score;
            continue;
        }
        fprintf(b->f, "| %s | ", report_md_tag(t->status));
        report_md_text(b, report_test_name(t));
        fprintf(b->f, " | %.2f / %.2f |\n", report_finite(t->score), report_finite(t->max_score));
    }
    if (hidden)
        fprintf(b->f, "| | Hidden tests | %.2f / %.2f |\n", report_finite(hscore),
                report_finite(hmax));
    fputc('\n', b->f);
}

/* The start of a test's output (as the text report cuts it). */
static void report_md_output_head(struct report_buf *b, const char *output)
{
    char *c = report_clean(output, CLEAN_BLOCK);
    if (!c) {
        b->failed = true;
        return;
    }
    bool truncated = report_output_head(c);
    fprintf(b->f, "Output%s:\n\n", truncated ? " (the first lines)" : "");
    report_md_code_clean(b, c);
    free(c);
}

/* A visible test that did not pass: its message, failing checks, output. */
static void report_md_failure(struct report_buf *b, const struct res_test *t)
{
    fputs("#### ", b->f);
    report_md_text(b, report_test_name(t));
    fprintf(b->f, " (%.2f / %.2f)\n\n", report_finite(t->score), report_finite(t->max_score));
    if (t->message) {
        fputs("Result: ", b->f);
        report_md_text(b, t->message);
        fputs("\n\n", b->f);
    }
    char *fails = report_failures_text(t);
    if (!fails)
        b->failed = true;
    else if (fails[0]) {
        fputs("Failing checks:\n\n", b->f);
        report_md_code(b, fails);
    }
    free(fails);
    if (t->output && t->output[0])
        report_md_output_head(b, t->output);
}

static void report_md_failures(struct report_buf *b, const struct res_submission *s)
{
    bool header = false;
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (!report_shows(t, REPORT_STUDENT) || t->status == RES_PASSED || t->perf.present)
            continue;
        if (!header)
            fputs("### Failures\n\n", b->f);
        header = true;
        report_md_failure(b, t);
    }
}

/* Each visible measured test's measurement (never its wall-clock timing). */
static void report_md_performance(struct report_buf *b, const struct res_submission *s)
{
    bool header = false;
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (!report_shows(t, REPORT_STUDENT) || !t->perf.present || !t->message)
            continue;
        if (!header)
            fputs("### Performance\n\n", b->f);
        header = true;
        fputs("- **", b->f);
        report_md_text(b, report_test_name(t));
        fprintf(b->f, "** (%.2f / %.2f): ", report_finite(t->score), report_finite(t->max_score));
        report_md_text(b, t->message);
        fputc('\n', b->f);
    }
    if (header)
        fputc('\n', b->f);
}

/* Feedback that costs no points (leaked tensors), per visible test. */
static void report_md_notes(struct report_buf *b, const struct res_submission *s)
{
    bool header = false;
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (!report_shows(t, REPORT_STUDENT) || !t->notes || !t->notes[0])
            continue;
        if (!header)
            fputs("### Notes\n\nThese cost no points.\n\n", b->f);
        header = true;
        fputs("Notes on ", b->f);
        report_md_text(b, report_test_name(t));
        fputs(":\n\n", b->f);
        report_md_code(b, t->notes);
    }
}

static void report_md_percent(struct report_buf *b, const char *what, unsigned hit,
                              unsigned total)
{
    if (total == 0)
        fprintf(b->f, "| %s | n/a | |\n", what);
    else
        fprintf(b->f, "| %s | %.1f%% | %u / %u |\n", what, 100.0 * hit / total, hit, total);
}

static void report_md_coverage(struct report_buf *b, const struct res_coverage *c)
{
    if (!c->present)
        return;
    fputs("### Coverage\n\n| | Covered | |\n|---|---:|---:|\n", b->f);
    report_md_percent(b, "Lines", c->lines_hit, c->lines_total);
    report_md_percent(b, "Functions", c->functions_hit, c->functions_total);
    report_md_percent(b, "Branches", c->branches_hit, c->branches_total);
    fputc('\n', b->f);
}

/* Optional stages the grader went without: what it means for the student. */
static void report_md_degraded(struct report_buf *b, const struct res_submission *s)
{
    if (s->ndegraded == 0)
        return;
    fputs("### Grading notes\n\n", b->f);
    for (size_t i = 0; i < s->ndegraded; i++) {
        fputs("- ", b->f);
        report_md_text(b, s->degraded[i].message ? s->degraded[i].message : "");
        fputc('\n', b->f);
    }
    fputc('\n', b->f);
}

char *report_markdown(const struct res_submission *s, const struct grader_cfg *cfg)
{
    struct report_buf b;
    if (report_buf_open(&b) < 0)
        return NULL;
    report_md_header(&b, s, cfg);
    report_md_tests(&b, s);
    report_md_failures(&b, s);
    report_md_performance(&b, s);
    report_md_notes(&b, s);
    report_md_coverage(&b, &s->coverage);
    report_md_degraded(&b, s);
    if (s->build_log && s->build_log[0]) {
        fputs("### Build log\n\n", b.f);
        report_md_code(&b, s->build_log);
    }
    return report_buf_take(&b);
}
