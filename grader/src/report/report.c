/*
 * report.c -- what every format of report.h shares (report_priv.h): text
 * hygiene, the growing buffer and its colours, test naming, the
 * visibility rule, the late sentence, failing checks as lines and where
 * a test's output is cut.  The formats live one per file: results_json.c
 * (results.json), junit.c, text.c, markdown.c and gradebook.c (gradebook
 * rows and the class table).
 *
 * Escaping is always the library's job.  What the libraries cannot do is
 * represent bytes the formats forbid: student output may hold invalid
 * UTF-8 (jansson refuses it) or control characters (XML 1.0 forbids most
 * of them, and they would drive a terminal).  report_clean() replaces
 * those with U+FFFD before any text reaches a writer.
 *
 * Visibility is decided in one place, report_shows(): a REPORT_STUDENT
 * report names a test only if res_student_visible() allows it.
 */
#include "report/report_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text hygiene ----------------------------------------------------- */

/* Length of the valid UTF-8 sequence at p (1..4) and its code point, or 0. */
static size_t report_utf8_seq(const unsigned char *p, uint32_t *cp)
{
    static const uint32_t min_cp[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    size_t n;
    uint32_t c = p[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, c &= 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, c &= 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, c &= 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)   /* also stops at the NUL */
            return 0;
        c = (c << 6) | (p[i] & 0x3F);
    }
    if (c < min_cp[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return n;
}

/* Whether the code point may appear in a report. */
static bool report_cp_allowed(uint32_t c)
{
    if (c == '\t' || c == '\n' || c == '\r')
        return true;
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F))
        return false;   /* C0, DEL, C1: terminal escapes, or not XML */
    return c != 0xFFFE && c != 0xFFFF;
}

/* A malloc'd copy of s (NULL = "") that is safe for the mode, or NULL on OOM. */
char *report_clean(const char *s, enum report_clean_mode mode)
{
    static const char repl[] = "\xEF\xBF\xBD";   /* U+FFFD */
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    char *out = malloc(strlen((const char *)p) * 3 + 1);   /* worst case */
    if (!out)
        return NULL;
    size_t o = 0;
    while (*p) {
        uint32_t c;
        size_t n = report_utf8_seq(p, &c);
        if (n == 0) {
            memcpy(out + o, repl, 3);
            o += 3;
            p++;
            continue;
        }
        if (mode == CLEAN_LINE && (c == '\t' || c == '\n' || c == '\r')) {
            out[o++] = ' ';
        } else if (report_cp_allowed(c)) {
            memcpy(out + o, p, n);
            o += n;
        } else {
            memcpy(out + o, repl, 3);
            o += 3;
        }
        p += n;
    }
    out[o] = '\0';
    return out;
}

/* ---- shared helpers --------------------------------------------------- */

int report_buf_open(struct report_buf *b)
{
    b->text = NULL;
    b->len = 0;
    b->failed = false;
    b->color = false;
    b->f = open_memstream(&b->text, &b->len);
    return b->f ? 0 : -1;
}

char *report_buf_take(struct report_buf *b)
{
    bool bad = b->failed || ferror(b->f) != 0;
    if (fclose(b->f) != 0)
        bad = true;
    if (bad) {
        free(b->text);
        return NULL;
    }
    return b->text;
}

void report_sgr(struct report_buf *b, const char *sgr)
{
    if (b->color && sgr)
        fputs(sgr, b->f);
}

/* "1 day", "3 days". */
static const char *report_days_unit(unsigned days)
{
    return days == 1 ? "day" : "days";
}

/* The times are validated ISO 8601 (digits, "T:.,+-Z"), safe in every format. */
bool report_late_sentence(const struct res_submission *s, const struct grader_cfg *cfg,
                          char *buf, size_t n)
{
    const struct res_late *l = &s->late;
    const char *due = l->due ? l->due : cfg && cfg->late.due ? cfg->late.due : "?";
    const char *at = l->submitted_at ? l->submitted_at : "?";
    switch (l->status) {
    case RES_LATE_NONE:
        return false;
    case RES_LATE_UNKNOWN:
        snprintf(buf, n, "submission time unknown: no late penalty applied (due %s)", due);
        break;
    case RES_LATE_ON_TIME:
        snprintf(buf, n, "on time (submitted %s, due %s)", at, due);
        break;
    case RES_LATE_LATE:
        snprintf(buf, n, "%u %s late (submitted %s, due %s): %g%% penalty, %.2f points lost",
                 l->days, report_days_unit(l->days), at, due, 100.0 * l->penalty,
                 l->points_lost);
        break;
    case RES_LATE_CLOSED:
        snprintf(buf, n, "submitted after the late due date (submitted %s, late due %s): "
                 "score 0, %.2f points lost", at,
                 cfg && cfg->late.late_due ? cfg->late.late_due : "?",
                 l->points_lost);
        break;
    }
    return true;
}

const char *report_test_id(const struct res_test *t)
{
    return t->cfg && t->cfg->id ? t->cfg->id : "(unknown)";
}

const char *report_test_name(const struct res_test *t)
{
    return t->cfg && t->cfg->name ? t->cfg->name : report_test_id(t);
}

const char *report_test_visibility(const struct res_test *t)
{
    return cfg_visibility_name(t->cfg ? t->cfg->visibility : CFG_VIS_HIDDEN);
}

bool report_shows(const struct res_test *t, enum report_audience aud)
{
    return aud == REPORT_INSTRUCTOR || res_student_visible(t->cfg);
}

const char *report_status_name(enum res_status st)
{
    return st == RES_GRADED ? "graded" : "ungradable";
}

/* A finite number for the writers; NaN and infinities become 0. */
double report_finite(double x)
{
    return isfinite(x) ? x : 0.0;
}

/* Writes text with every line prefixed by indent and mark; ends with a newline. */
void report_put_indented(struct report_buf *b, const char *indent, const char *mark,
                         const char *text)
{
    while (*text) {
        size_t n = strcspn(text, "\n");
        fprintf(b->f, "%s%s%.*s\n", indent, mark, (int)n, text);
        text += n;
        if (*text == '\n')
            text++;
    }
}

/* Each failing check as "where: message" (the check's name if no where);
 * the lines of a multi-line message follow, indented. */
void report_put_failures(struct report_buf *b, const struct res_test *t,
                         const char *indent)
{
    for (size_t i = 0; i < t->nchecks; i++) {
        const struct res_check *c = &t->checks[i];
        if (c->passed)
            continue;
        const char *where = c->where ? c->where : c->name ? c->name : "check";
        const char *msg = c->message ? c->message : "failed";
        size_t n = strcspn(msg, "\n");
        fprintf(b->f, "%s%s: %.*s\n", indent, where, (int)n, msg);
        if (msg[n] == '\n')
            report_put_indented(b, indent, "  ", msg + n + 1);
    }
}

/* Where to cut c to keep its first lines: a line end, or a character
 * boundary inside an overlong first line. */
static size_t report_output_cut(const char *c)
{
    size_t cut = 0, lines = 0, len = strlen(c);
    while (cut < len && lines < REPORT_TEXT_OUTPUT_LINES && cut < REPORT_TEXT_OUTPUT_BYTES) {
        const char *nl = strchr(c + cut, '\n');
        cut = nl ? (size_t)(nl - c) + 1 : len;
        lines++;
    }
    if (cut > REPORT_TEXT_OUTPUT_BYTES) {
        cut = REPORT_TEXT_OUTPUT_BYTES;
        while (cut > 0 && ((unsigned char)c[cut] & 0xC0) == 0x80)
            cut--;
    }
    return cut;
}

bool report_output_head(char *c)
{
    size_t cut = report_output_cut(c);
    bool truncated = c[cut] != '\0';
    c[cut] = '\0';
    return truncated;
}

char *report_failures_text(const struct res_test *t)
{
    struct report_buf b;
    if (report_buf_open(&b) < 0)
        return NULL;
    report_put_failures(&b, t, "");
    return report_buf_take(&b);
}

/* Whether t counts in category cat (any category if NULL) for this audience. */
static bool report_in_category(const struct res_test *t, const char *cat,
                               enum report_audience aud)
{
    return report_shows(t, aud) && t->cfg && t->cfg->category
           && (!cat || strcmp(t->cfg->category, cat) == 0);
}

/* Quadratic, but tests number in the dozens. */
bool report_category_first(const struct res_submission *s, size_t i,
                           enum report_audience aud, double *score, double *max)
{
    if (!report_in_category(&s->tests[i], NULL, aud))
        return false;
    const char *cat = s->tests[i].cfg->category;
    for (size_t j = 0; j < i; j++)
        if (report_in_category(&s->tests[j], cat, aud))
            return false;
    *score = *max = 0;
    for (size_t j = i; j < s->ntests; j++) {
        if (report_in_category(&s->tests[j], cat, aud)) {
            *score += s->tests[j].score;
            *max += s->tests[j].max_score;
        }
    }
    return true;
}

/* ---- manual adjustments ------------------------------------------------------ */

size_t report_adjust_count(const struct res_submission *s)
{
    return s->nadjustments + (s->extension_reason != NULL);
}

/* The reason on one line: newlines and tabs become spaces. */
static void report_one_line(char *buf)
{
    for (char *c = buf; *c; c++)
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
}

void report_adjust_sentence(const struct res_submission *s, size_t i,
                            enum report_audience aud, char *buf, size_t n)
{
    if (s->extension_reason && i-- == 0) {
        snprintf(buf, n, "Extension: due %s: %s", s->late.due ? s->late.due : "?",
                 s->extension_reason);
    } else if (i < s->nadjustments && s->adjustments[i].test == NULL) {
        const struct res_adjustment *r = &s->adjustments[i];
        snprintf(buf, n, "Points: %+.2f: %s", report_finite(r->points), r->reason);
    } else if (i < s->nadjustments) {
        const struct res_adjustment *r = &s->adjustments[i];
        bool shown = aud == REPORT_INSTRUCTOR || res_student_visible(r->test);
        snprintf(buf, n, "Test %s set by hand to %.2f (was %.2f): %s",
                 shown ? r->test->id : "(a hidden test)", report_finite(r->points),
                 report_finite(r->before), r->reason);
    } else {
        snprintf(buf, n, "?");
    }
    report_one_line(buf);
}
