/*
 * report.c -- results.json (jansson), JUnit XML (libxml2), the text
 * report (open_memstream) and gradebook rows (libcsv).
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
#include "report/report.h"

#include <csv.h>
#include <jansson.h>
#include <libxml/xmlwriter.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How much of a failing test's output the text report shows. */
#define REPORT_TEXT_OUTPUT_LINES 20
#define REPORT_TEXT_OUTPUT_BYTES 2000

/* ---- text hygiene ----------------------------------------------------- */

enum report_clean_mode {
    CLEAN_BLOCK,  /* valid UTF-8, no control characters except \t \n \r */
    CLEAN_LINE,   /* also \t \n \r become spaces (one-line text fields) */
};

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
static char *report_clean(const char *s, enum report_clean_mode mode)
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

/*
 * A growing string: open_memstream plus a flag for failures stdio cannot
 * see (a failed report_clean()).  report_buf_take() gives the text, or
 * NULL if anything failed.
 */
struct report_buf {
    FILE *f;
    char *text;
    size_t len;
    bool failed;
    bool color;   /* REPORT_COLOR: write ANSI SGR sequences (report_sgr()) */
};

static int report_buf_open(struct report_buf *b)
{
    b->text = NULL;
    b->len = 0;
    b->failed = false;
    b->color = false;
    b->f = open_memstream(&b->text, &b->len);
    return b->f ? 0 : -1;
}

static char *report_buf_take(struct report_buf *b)
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

/* ANSI SGR sequences, written only when the buffer is in colour. */
#define REPORT_SGR_BOLD   "\033[1m"
#define REPORT_SGR_RED    "\033[31m"
#define REPORT_SGR_GREEN  "\033[32m"
#define REPORT_SGR_YELLOW "\033[33m"
#define REPORT_SGR_RESET  "\033[0m"

static void report_sgr(struct report_buf *b, const char *sgr)
{
    if (b->color && sgr)
        fputs(sgr, b->f);
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
    const char *due = cfg && cfg->late.due ? cfg->late.due : "?";
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

static const char *report_test_id(const struct res_test *t)
{
    return t->cfg && t->cfg->id ? t->cfg->id : "(unknown)";
}

static const char *report_test_name(const struct res_test *t)
{
    return t->cfg && t->cfg->name ? t->cfg->name : report_test_id(t);
}

static const char *report_test_visibility(const struct res_test *t)
{
    return cfg_visibility_name(t->cfg ? t->cfg->visibility : CFG_VIS_HIDDEN);
}

static bool report_shows(const struct res_test *t, enum report_audience aud)
{
    return aud == REPORT_INSTRUCTOR || res_student_visible(t->cfg);
}

static const char *report_status_name(enum res_status st)
{
    return st == RES_GRADED ? "graded" : "ungradable";
}

/* A finite number for the writers; NaN and infinities become 0. */
static double report_finite(double x)
{
    return isfinite(x) ? x : 0.0;
}

/* Writes text with every line prefixed by indent and mark; ends with a newline. */
static void report_put_indented(struct report_buf *b, const char *indent, const char *mark,
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
static void report_put_failures(struct report_buf *b, const struct res_test *t,
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

/* The per-test details: summary line, failing checks, and the captured
 * output of a test that did not pass (a passing test's output, such as a
 * timing table, changes from run to run and would make results.json
 * differ between two gradings).  Raw (uncleaned) text, malloc'd; NULL on
 * OOM. */
static char *report_test_details(const struct res_test *t)
{
    struct report_buf b;
    if (report_buf_open(&b) < 0)
        return NULL;
    if ((t->status != RES_PASSED || t->perf.present) && t->message)
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
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *report_json_test(const struct res_test *t, size_t index)
{
    char number[32];
    snprintf(number, sizeof number, "%zu", index + 1);
    char *details = report_test_details(t);
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
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
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
        && report_jset(o, "due", cfg && cfg->late.due ? report_jstr(cfg->late.due) : json_null())
        && report_jset(o, "status", json_string(res_late_status_name(l->status)))
        && report_jset(o, "days_late", known ? json_integer(l->days) : json_null())
        && report_jset(o, "penalty", report_jreal(l->penalty))
        && report_jset(o, "points_lost", report_jreal(l->points_lost));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
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
        && report_jset(o, "student", report_jstr(s->student))
        && report_jset(o, "grader_status", json_string(report_status_name(s->status)))
        && report_jset(o, "reason", s->reason ? report_jstr(s->reason) : json_null())
        && report_jset(o, "sandbox", s->sandbox ? report_jstr(s->sandbox) : json_null())
        && report_jset(o, "late", report_json_late(s, cfg))
        && report_jset(o, "degraded", report_json_degraded(s));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *report_json_tests(const struct res_submission *s)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < s->ntests; i++) {
        if (json_array_append_new(a, report_json_test(&s->tests[i], i)) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

/* The document, keys in Gradescope's order; NULL on OOM. */
static json_t *report_json_doc(const struct res_submission *s, const struct grader_cfg *cfg,
                               double execution_time_s)
{
    /* Milliseconds are plenty, and keep the number short. */
    double exec = round(report_finite(execution_time_s) * 1000.0) / 1000.0;
    char *summary = report_markdown(s, cfg);
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
        && report_jset(o, "tests", report_json_tests(s));
    free(summary);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
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

/* ---- JUnit XML -------------------------------------------------------- */

/* Counts for the <testsuite> attributes. */
struct report_junit_counts {
    unsigned tests, failures, errors;
    uint64_t wall_ms;
    bool hidden;              /* a hidden aggregate is needed */
    bool hidden_failed;
    double hidden_score, hidden_max;
};

static int report_xattr(xmlTextWriterPtr w, const char *name, const char *value)
{
    char *c = report_clean(value, CLEAN_BLOCK);
    if (!c)
        return -1;
    int rc = xmlTextWriterWriteAttribute(w, BAD_CAST name, BAD_CAST c);
    free(c);
    return rc < 0 ? -1 : 0;
}

static int report_xtext(xmlTextWriterPtr w, const char *text)
{
    char *c = report_clean(text, CLEAN_BLOCK);
    if (!c)
        return -1;
    int rc = xmlTextWriterWriteString(w, BAD_CAST c);
    free(c);
    return rc < 0 ? -1 : 0;
}

static int report_xstart(xmlTextWriterPtr w, const char *name)
{
    return xmlTextWriterStartElement(w, BAD_CAST name) < 0 ? -1 : 0;
}

static int report_xend(xmlTextWriterPtr w)
{
    return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}

/* <name>text</name>, skipped when text is NULL or empty. */
static int report_xelem_text(xmlTextWriterPtr w, const char *name, const char *text)
{
    if (!text || !text[0])
        return 0;
    if (report_xstart(w, name) < 0 || report_xtext(w, text) < 0)
        return -1;
    return report_xend(w);
}

static int report_xattr_seconds(xmlTextWriterPtr w, uint64_t ms)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%.3f", (double)ms / 1000.0);
    return report_xattr(w, "time", buf);
}

static int report_xproperty(xmlTextWriterPtr w, const char *name, const char *value)
{
    if (report_xstart(w, "property") < 0 || report_xattr(w, "name", name) < 0
        || report_xattr(w, "value", value) < 0)
        return -1;
    return report_xend(w);
}

static int report_xproperty_num(xmlTextWriterPtr w, const char *name, double x)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.2f", report_finite(x));
    return report_xproperty(w, name, buf);
}

static void report_junit_count(const struct res_submission *s, enum report_audience aud,
                               struct report_junit_counts *n)
{
    memset(n, 0, sizeof *n);
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (!report_shows(t, aud)) {
            n->hidden = true;
            n->hidden_failed |= t->status != RES_PASSED;
            n->hidden_score += t->score;
            n->hidden_max += t->max_score;
            continue;
        }
        n->tests++;
        n->wall_ms += t->wall_ms;
        if (t->status == RES_FAILED)
            n->failures++;
        else if (t->status == RES_ERROR || t->status == RES_NOT_RUN)
            n->errors++;
    }
    if (n->hidden) {
        n->tests++;
        n->failures += n->hidden_failed;
    }
}

/* classname and name from "suite/case"; an id without '/' is its own name. */
static int report_junit_names(xmlTextWriterPtr w, const struct res_test *t,
                              const char *assignment)
{
    const char *id = report_test_id(t);
    const char *slash = strchr(id, '/');
    if (!slash)
        return report_xattr(w, "classname", assignment) < 0 ? -1 : report_xattr(w, "name", id);
    char *suite = strndup(id, (size_t)(slash - id));
    if (!suite)
        return -1;
    int rc = report_xattr(w, "classname", suite);
    free(suite);
    return rc < 0 ? -1 : report_xattr(w, "name", slash + 1);
}

static int report_junit_test_props(xmlTextWriterPtr w, const struct res_test *t)
{
    if (report_xstart(w, "properties") < 0
        || report_xproperty(w, "display_name", report_test_name(t)) < 0
        || report_xproperty_num(w, "score", t->score) < 0
        || report_xproperty_num(w, "max_score", t->max_score) < 0
        || report_xproperty(w, "visibility", report_test_visibility(t)) < 0)
        return -1;
    return report_xend(w);
}

/* <failure> or <error> with the failing checks, for a test that did not pass. */
static int report_junit_verdict(xmlTextWriterPtr w, const struct res_test *t)
{
    if (t->status == RES_PASSED)
        return 0;
    const char *msg = t->message ? t->message : res_test_status_name(t->status);
    struct report_buf b;
    if (report_buf_open(&b) < 0)
        return -1;
    report_put_failures(&b, t, "");
    char *body = report_buf_take(&b);
    if (!body)
        return -1;
    int rc = -1;
    if (report_xstart(w, t->status == RES_FAILED ? "failure" : "error") == 0
        && report_xattr(w, "message", msg) == 0
        && report_xattr(w, "type", res_test_status_name(t->status)) == 0
        && (body[0] == '\0' || report_xtext(w, body) == 0))
        rc = report_xend(w);
    free(body);
    return rc;
}

static int report_junit_test(xmlTextWriterPtr w, const struct res_test *t,
                             const char *assignment)
{
    if (report_xstart(w, "testcase") < 0 || report_junit_names(w, t, assignment) < 0
        || report_xattr_seconds(w, t->wall_ms) < 0
        || report_junit_test_props(w, t) < 0
        || report_junit_verdict(w, t) < 0
        || report_xelem_text(w, "system-out", t->output) < 0)
        return -1;
    return report_xend(w);
}

/* The one testcase standing for every test the student may not see. */
static int report_junit_hidden(xmlTextWriterPtr w, const struct report_junit_counts *n,
                               const char *assignment)
{
    if (report_xstart(w, "testcase") < 0 || report_xattr(w, "classname", assignment) < 0
        || report_xattr(w, "name", "hidden_tests") < 0)
        return -1;
    if (n->hidden_failed) {
        char msg[128];
        snprintf(msg, sizeof msg, "Hidden tests: %.2f/%.2f",
                 report_finite(n->hidden_score), report_finite(n->hidden_max));
        if (report_xstart(w, "failure") < 0 || report_xattr(w, "message", msg) < 0
            || report_xattr(w, "type", "failed") < 0 || report_xend(w) < 0)
            return -1;
    }
    return report_xend(w);
}

static int report_junit_suite_props(xmlTextWriterPtr w, const struct res_submission *s)
{
    if (report_xstart(w, "properties") < 0
        || report_xproperty(w, "student", s->student) < 0
        || report_xproperty(w, "status", report_status_name(s->status)) < 0
        || report_xproperty_num(w, "score", s->score) < 0
        || report_xproperty_num(w, "max_score", s->max_score) < 0
        || (s->reason && report_xproperty(w, "reason", s->reason) < 0))
        return -1;
    return report_xend(w);
}

static int report_junit_suite_attrs(xmlTextWriterPtr w, const char *assignment,
                                    const struct report_junit_counts *n)
{
    char num[3][16];
    snprintf(num[0], sizeof num[0], "%u", n->tests);
    snprintf(num[1], sizeof num[1], "%u", n->failures);
    snprintf(num[2], sizeof num[2], "%u", n->errors);
    if (report_xattr(w, "name", assignment) < 0 || report_xattr(w, "tests", num[0]) < 0
        || report_xattr(w, "failures", num[1]) < 0 || report_xattr(w, "errors", num[2]) < 0)
        return -1;
    /* Only the tests shown: a student could subtract to time hidden ones. */
    return report_xattr_seconds(w, n->wall_ms);
}

static int report_junit_write(xmlTextWriterPtr w, const struct res_submission *s,
                              const struct grader_cfg *cfg, enum report_audience aud)
{
    const char *assignment = cfg && cfg->name ? cfg->name : "assignment";
    struct report_junit_counts n;
    report_junit_count(s, aud, &n);
    if (xmlTextWriterSetIndent(w, 1) < 0
        || xmlTextWriterSetIndentString(w, BAD_CAST "  ") < 0
        || xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0
        || report_xstart(w, "testsuite") < 0
        || report_junit_suite_attrs(w, assignment, &n) < 0
        || report_junit_suite_props(w, s) < 0)
        return -1;
    for (size_t i = 0; i < s->ntests; i++)
        if (report_shows(&s->tests[i], aud)
            && report_junit_test(w, &s->tests[i], assignment) < 0)
            return -1;
    if (n.hidden && report_junit_hidden(w, &n, assignment) < 0)
        return -1;
    if (report_xelem_text(w, "system-out", s->build_log) < 0 || report_xend(w) < 0)
        return -1;
    return xmlTextWriterEndDocument(w) < 0 ? -1 : 0;
}

char *report_junit(const struct res_submission *s, const struct grader_cfg *cfg,
                   enum report_audience aud)
{
    xmlBufferPtr buf = xmlBufferCreate();
    if (!buf)
        return NULL;
    xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
    if (!w) {
        xmlBufferFree(buf);
        return NULL;
    }
    int rc = report_junit_write(w, s, cfg, aud);
    xmlFreeTextWriter(w);   /* flushes into buf */
    char *out = rc == 0 ? strdup((const char *)xmlBufferContent(buf)) : NULL;
    xmlBufferFree(buf);
    return out;
}

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

/* The start of a test's output, each line marked "| ". */
static void report_put_output_head(struct report_buf *b, const char *output)
{
    char *c = report_clean(output, CLEAN_BLOCK);
    if (!c) {
        b->failed = true;
        return;
    }
    size_t cut = report_output_cut(c);
    bool truncated = c[cut] != '\0';
    c[cut] = '\0';
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
    struct report_buf fb;
    if (report_buf_open(&fb) < 0) {
        b->failed = true;
        return;
    }
    report_put_failures(&fb, t, "");
    char *fails = report_buf_take(&fb);
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

/* Whether t counts in category cat for this audience. */
static bool report_in_category(const struct res_test *t, const char *cat,
                               enum report_audience aud)
{
    return report_shows(t, aud) && t->cfg && t->cfg->category
           && (!cat || strcmp(t->cfg->category, cat) == 0);
}

/* Per-category sums of the tests this audience sees, in first-seen order
 * (quadratic, but tests number in the dozens). */
static void report_text_categories(struct report_buf *b, const struct res_submission *s,
                                   enum report_audience aud)
{
    bool header = false;
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (!report_in_category(t, NULL, aud))
            continue;
        const char *cat = t->cfg->category;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = report_in_category(&s->tests[j], cat, aud);
        if (seen)
            continue;
        double score = 0, max = 0;
        for (size_t j = i; j < s->ntests; j++) {
            if (report_in_category(&s->tests[j], cat, aud)) {
                score += s->tests[j].score;
                max += s->tests[j].max_score;
            }
        }
        if (!header)
            report_heading(b, "Categories");
        header = true;
        char *c = report_clean(cat, CLEAN_LINE);
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

static void report_text_phases(struct report_buf *b, const struct res_phases *p)
{
    fprintf(b->f, "\nPhases (ms): prepare %llu, compile %llu, policy %llu, run %llu, "
                  "performance %llu, coverage %llu, report %llu, total %llu\n",
            (unsigned long long)p->prepare_ms, (unsigned long long)p->compile_ms,
            (unsigned long long)p->policy_ms, (unsigned long long)p->run_ms,
            (unsigned long long)p->perf_ms,
            (unsigned long long)p->coverage_ms, (unsigned long long)p->report_ms,
            (unsigned long long)p->total_ms);
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
    size_t cut = report_output_cut(c);
    bool truncated = c[cut] != '\0';
    c[cut] = '\0';
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
    struct report_buf fb;
    if (report_buf_open(&fb) < 0) {
        b->failed = true;
        return;
    }
    report_put_failures(&fb, t, "");
    char *fails = report_buf_take(&fb);
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
