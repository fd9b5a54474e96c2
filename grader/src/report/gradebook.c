/*
 * gradebook.c -- the class-level rows: gradebook.csv through libcsv
 * (report_gradebook_header(), report_gradebook_row()) and the class
 * summary a batch prints (report_class_table(), report.h).
 */
#include "report/report_priv.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- gradebook.csv ---------------------------------------------------- */

/* A quoted text field, after a comma unless first; libcsv doubles quotes.
 * A failed write sets the stream's error flag, seen by report_buf_take(). */
static void report_csv_text(struct report_buf *b, bool first, const char *text)
{
    if (!first)
        fputc(',', b->f);
    (void)csv_fwrite2(b->f, text, strlen(text), CSV_QUOTE);
}

/* A quoted "<prefix> <suffix>" field. */
static void report_csv_text2(struct report_buf *b, const char *prefix, const char *suffix)
{
    size_t n = strlen(prefix) + 1 + strlen(suffix) + 1;
    char *h = malloc(n);
    if (!h) {
        b->failed = true;
        return;
    }
    snprintf(h, n, "%s %s", prefix, suffix);
    report_csv_text(b, false, h);
    free(h);
}

/* An unquoted number after a comma, or an empty field. */
static void report_csv_number(struct report_buf *b, int decimals, bool present, double x)
{
    fputc(',', b->f);
    if (present)
        fprintf(b->f, "%.*f", decimals, report_finite(x));
}

char *report_gradebook_header(const struct grader_cfg *cfg)
{
    struct report_buf b;
    if (report_buf_open(&b) < 0)
        return NULL;
    report_csv_text(&b, true, "student");
    report_csv_text(&b, false, "status");
    report_csv_text(&b, false, "score");
    report_csv_text(&b, false, "max_score");
    for (size_t i = 0; i < cfg->ntests; i++)
        report_csv_text2(&b, cfg->tests[i].id ? cfg->tests[i].id : "", "points");
    for (size_t i = 0; i < cfg->ntests; i++)
        report_csv_text2(&b, cfg->tests[i].id ? cfg->tests[i].id : "", "status");
    report_csv_text(&b, false, "line_coverage");
    report_csv_text(&b, false, "branch_coverage");
    report_csv_text(&b, false, "late_days");
    report_csv_text(&b, false, "late_penalty");
    fputc('\n', b.f);
    return report_buf_take(&b);
}

/* The submission's result for config test c: the same slot if it matches,
 * else by pointer or id; NULL if the submission lacks it. */
static const struct res_test *report_find_test(const struct res_submission *s,
                                               const struct cfg_test *c, size_t index)
{
    if (index < s->ntests && s->tests[index].cfg == c)
        return &s->tests[index];
    for (size_t i = 0; i < s->ntests; i++) {
        const struct cfg_test *d = s->tests[i].cfg;
        if (d == c || (d && d->id && c->id && strcmp(d->id, c->id) == 0))
            return &s->tests[i];
    }
    return NULL;
}

static double report_percent(unsigned hit, unsigned total)
{
    return total ? 100.0 * hit / total : 0.0;
}

char *report_gradebook_row(const struct res_submission *s, const struct grader_cfg *cfg)
{
    struct report_buf b;
    if (report_buf_open(&b) < 0)
        return NULL;
    report_csv_text(&b, true, s->student ? s->student : "");
    report_csv_text(&b, false, report_status_name(s->status));
    report_csv_number(&b, 2, true, s->score);
    report_csv_number(&b, 2, true, s->max_score);
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct res_test *t = report_find_test(s, &cfg->tests[i], i);
        report_csv_number(&b, 2, t != NULL, t ? t->score : 0);
    }
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct res_test *t = report_find_test(s, &cfg->tests[i], i);
        if (t)
            report_csv_text(&b, false, res_test_status_name(t->status));
        else
            fputc(',', b.f);
    }
    const struct res_coverage *c = &s->coverage;
    report_csv_number(&b, 1, c->present && c->lines_total > 0,
                      report_percent(c->lines_hit, c->lines_total));
    report_csv_number(&b, 1, c->present && c->branches_total > 0,
                      report_percent(c->branches_hit, c->branches_total));
    /* Empty without a policy or a known time: "unknown" is not "on time". */
    bool known = s->late.status != RES_LATE_NONE && s->late.status != RES_LATE_UNKNOWN;
    report_csv_number(&b, 0, known, (double)s->late.days);
    report_csv_number(&b, 2, known, 100.0 * s->late.penalty);
    fputc('\n', b.f);
    return report_buf_take(&b);
}

/* ---- class summary ------------------------------------------------------ */

static int report_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

char *report_class_table(const struct res_row *rows, size_t n)
{
    return report_class_table_styled(rows, n, REPORT_PLAIN);
}

char *report_class_table_styled(const struct res_row *rows, size_t n, unsigned style)
{
    struct report_buf b;
    double *scores = calloc(n ? n : 1, sizeof *scores), sum = 0;
    if (!scores || report_buf_open(&b) < 0) {
        free(scores);
        return NULL;
    }
    b.color = (style & REPORT_COLOR) != 0;
    report_sgr(&b, REPORT_SGR_BOLD);
    fprintf(b.f, "%-24s %-10s %17s  %s", "student", "status", "score", "coverage (lines, branches)");
    report_sgr(&b, REPORT_SGR_RESET);
    fputc('\n', b.f);
    for (size_t i = 0; i < n; i++) {
        const struct res_row *r = &rows[i];
        char *name = report_clean(r->student, CLEAN_LINE);
        const char *status = r->graded ? "graded" : "ungradable";
        fprintf(b.f, "%-24s ", name ? name : "?");
        report_sgr(&b, r->graded ? NULL : REPORT_SGR_RED);   /* padded outside the colour */
        fputs(status, b.f);
        report_sgr(&b, r->graded ? NULL : REPORT_SGR_RESET);
        fprintf(b.f, "%*s %7.2f / %7.2f", 10 - (int)strlen(status), "",
                report_finite(r->score), report_finite(r->max_score));
        if (r->has_coverage)
            fprintf(b.f, "  %5.1f%%, %5.1f%%\n", report_finite(r->line_pct), report_finite(r->branch_pct));
        else
            fprintf(b.f, "  -\n");
        free(name);
        scores[i] = r->max_score > 0 ? 100.0 * r->score / r->max_score : 0;
        sum += scores[i];
    }
    if (n > 0) {
        qsort(scores, n, sizeof *scores, report_cmp_double);
        double median = n % 2 ? scores[n / 2] : (scores[n / 2 - 1] + scores[n / 2]) / 2;
        fprintf(b.f, "%zu student%s: mean %.1f%%, median %.1f%%\n", n, n == 1 ? "" : "s",
                sum / (double)n, median);
    }
    free(scores);
    return report_buf_take(&b);
}
