/*
 * junit.c -- the JUnit XML report (report_junit(), report.h), written with
 * libxml2's text writer.
 *
 * The layout is what the Jenkins xunit plugin's junit-10.xsd accepts
 * (tests/vendor/junit-10.xsd; `make test-outputs` checks it with
 * xmllint): <properties> only on the <testsuite>, a <testcase> holds
 * nothing but <failure>, <error> and <system-out>.  Viewers show
 * classname and name (GitHub, GitLab, Jenkins), and GitLab shows only the
 * text inside <failure>/<error> or <system-out>, never attributes: so the
 * title is the name, the reason is both the message and the first line
 * of the text, and every test says its points in its <system-out>.
 */
#include "report/report_priv.h"

#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* classname is the suite ("suite" of "suite/case", else the assignment),
 * name the test's title: viewers list "suite > title". */
static int report_junit_names(xmlTextWriterPtr w, const struct res_test *t,
                              const char *assignment)
{
    const char *id = report_test_id(t);
    const char *slash = strchr(id, '/');
    char *suite = slash ? strndup(id, (size_t)(slash - id)) : strdup(assignment);
    if (!suite)
        return -1;
    int rc = report_xattr(w, "classname", suite);
    free(suite);
    return rc < 0 ? -1 : report_xattr(w, "name", report_test_name(t));
}

/* Why a test did not pass, on one line: its message, or for a test that
 * never ran because the submission was ungradable, why not. */
static const char *report_junit_reason(const struct res_submission *s, const struct res_test *t)
{
    if (t->message && t->message[0])
        return t->message;
    if (t->status == RES_NOT_RUN && s->status == RES_UNGRADABLE)
        return s->build_log && s->build_log[0] ? "not run: the build failed"
                                               : "not run: the submission was not graded";
    return res_test_status_name(t->status);
}

/* <failure> or <error>: the reason as the message and as the first line
 * of the text, then the failing checks and the notes. */
static int report_junit_verdict(xmlTextWriterPtr w, const struct res_submission *s,
                                const struct res_test *t)
{
    if (t->status == RES_PASSED)
        return 0;
    const char *reason = report_junit_reason(s, t);
    struct report_buf b;
    if (report_buf_open(&b) < 0)
        return -1;
    fprintf(b.f, "%s\n", reason);
    report_put_failures(&b, t, "");
    if (t->notes)
        fprintf(b.f, "%s", t->notes);
    char *body = report_buf_take(&b);
    if (!body)
        return -1;
    int rc = -1;
    if (report_xstart(w, t->status == RES_FAILED ? "failure" : "error") == 0
        && report_xattr(w, "message", reason) == 0
        && report_xattr(w, "type", res_test_status_name(t->status)) == 0
        && report_xtext(w, body) == 0)
        rc = report_xend(w);
    free(body);
    return rc;
}

/* <system-out>: the points, a measurement (even when it passed), the
 * visibility for the instructor, then the test's own output. */
static int report_junit_out(xmlTextWriterPtr w, const struct res_test *t,
                            enum report_audience aud)
{
    struct report_buf b;
    if (report_buf_open(&b) < 0)
        return -1;
    fprintf(b.f, "Points: %.2f / %.2f\n", report_finite(t->score), report_finite(t->max_score));
    if (t->perf.present && t->status == RES_PASSED && t->message)
        fprintf(b.f, "%s\n", t->message);
    if (aud == REPORT_INSTRUCTOR)
        fprintf(b.f, "Visibility: %s\nId: %s\n", report_test_visibility(t), report_test_id(t));
    if (t->output && t->output[0])
        fprintf(b.f, "\n%s", t->output);
    char *text = report_buf_take(&b);
    int rc = text ? report_xelem_text(w, "system-out", text) : -1;
    free(text);
    return rc;
}

static int report_junit_test(xmlTextWriterPtr w, const struct res_submission *s,
                             const struct res_test *t, const char *assignment,
                             enum report_audience aud)
{
    if (report_xstart(w, "testcase") < 0 || report_junit_names(w, t, assignment) < 0
        || report_xattr_seconds(w, t->wall_ms) < 0
        || report_junit_verdict(w, s, t) < 0
        || report_junit_out(w, t, aud) < 0)
        return -1;
    return report_xend(w);
}

/* The one testcase standing for every test the student may not see. */
static int report_junit_hidden(xmlTextWriterPtr w, const struct report_junit_counts *n,
                               const char *assignment)
{
    char msg[128];
    snprintf(msg, sizeof msg, "Hidden tests: %.2f/%.2f points",
             report_finite(n->hidden_score), report_finite(n->hidden_max));
    if (report_xstart(w, "testcase") < 0 || report_xattr(w, "classname", assignment) < 0
        || report_xattr(w, "name", "Hidden tests") < 0)
        return -1;
    if (n->hidden_failed) {
        if (report_xstart(w, "failure") < 0 || report_xattr(w, "message", msg) < 0
            || report_xattr(w, "type", "failed") < 0 || report_xtext(w, msg) < 0
            || report_xend(w) < 0)
            return -1;
    } else if (report_xelem_text(w, "system-out", msg) < 0) {
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
            && report_junit_test(w, s, &s->tests[i], assignment, aud) < 0)
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
