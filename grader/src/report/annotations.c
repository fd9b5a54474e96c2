/*
 * annotations.c -- GitHub Actions workflow commands for a graded
 * submission (report_annotations_github(), report.h): one "::error"
 * line per failing check a student may see, at the test file's line, and
 * one per compiler error of an ungradable submission, at the student
 * file's line, so the job's page marks them in the code.
 */
#include "report/report_priv.h"

#include <stdlib.h>
#include <string.h>

/* Workflow command escaping (the rules of @actions/core's command.ts):
 * the message escapes %, CR and LF; a property also ':' and ','. */
static void report_gh_escape(FILE *f, const char *s, bool property)
{
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '%': fputs("%25", f); break;
        case '\r': fputs("%0D", f); break;
        case '\n': fputs("%0A", f); break;
        case ':': property ? fputs("%3A", f) : fputc(':', f); break;
        case ',': property ? fputs("%2C", f) : fputc(',', f); break;
        default: fputc(*p, f);
        }
    }
}

/* "::error file=F,line=N,col=C,title=T::MESSAGE\n"; file NULL: no place. */
static void report_gh_error(struct report_buf *b, const char *file, unsigned line,
                            unsigned col, const char *title, const char *message)
{
    char *t = report_clean(title, CLEAN_LINE), *m = report_clean(message, CLEAN_BLOCK);
    if (!t || !m) {
        b->failed = true;
    } else {
        fputs("::error ", b->f);
        if (file) {
            fputs("file=", b->f);
            report_gh_escape(b->f, file, true);
            fprintf(b->f, ",line=%u,", line);
            if (col)
                fprintf(b->f, "col=%u,", col);
        }
        fputs("title=", b->f);
        report_gh_escape(b->f, t, true);
        fputs("::", b->f);
        report_gh_escape(b->f, m, false);
        fputc('\n', b->f);
    }
    free(t);
    free(m);
}

/* The trusted source whose file name is `base` ("test_relu.c"), relative
 * to the config's folder (the repository in student CI); NULL if none. */
static const char *report_source_path(const struct grader_cfg *cfg, const char *base,
                                      size_t len)
{
    size_t nb = cfg->base_dir ? strlen(cfg->base_dir) : 0;
    for (size_t i = 0; i < cfg->build.sources.n; i++) {
        const char *src = cfg->build.sources.v[i], *slash = strrchr(src, '/');
        const char *name = slash ? slash + 1 : src;
        if (strlen(name) != len || strncmp(name, base, len) != 0)
            continue;
        if (nb && strncmp(src, cfg->base_dir, nb) == 0 && src[nb] == '/')
            return src + nb + 1;
        return src;
    }
    return NULL;
}

/* A failing check as an annotation at its "file.c:LINE", when the file
 * is one of the config's sources; else without a place. */
static void report_gh_check(struct report_buf *b, const struct grader_cfg *cfg,
                            const struct res_test *t, const struct res_check *c)
{
    char title[512];
    snprintf(title, sizeof title, "%s: %s", report_test_name(t), c->name ? c->name : "check");
    const char *colon = c->where ? strrchr(c->where, ':') : NULL, *path = NULL;
    unsigned long line = 0;
    if (colon) {
        char *end;
        line = strtoul(colon + 1, &end, 10);
        path = *end == '\0' && line > 0 ? report_source_path(cfg, c->where,
                                                             (size_t)(colon - c->where)) : NULL;
    }
    report_gh_error(b, path, (unsigned)line, 0, title, c->message ? c->message : "failed");
}

/* Parses "FILE:LINE:COL: error: TEXT" or "...: fatal error: TEXT" (gcc and clang);
 * false otherwise. */
static bool report_cc_error(const char *line, size_t len, char *file, size_t filelen,
                            unsigned *ln, unsigned *col, const char **text)
{
    const char *p = memchr(line, ':', len), *end = line + len;
    if (!p || p == line || (size_t)(p - line) >= filelen || memchr(line, ' ', (size_t)(p - line)))
        return false;
    char *q;
    unsigned long l = strtoul(p + 1, &q, 10), c = 0;
    if (q == p + 1 || q >= end || *q != ':')
        return false;
    if (q + 1 < end && q[1] >= '0' && q[1] <= '9') {
        c = strtoul(q + 1, &q, 10);
        if (q >= end || *q != ':')
            return false;
    }
    static const char *const tags[] = {" error: ", " fatal error: "};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        size_t n = strlen(tags[i]);
        if ((size_t)(end - q - 1) < n || strncmp(q + 1, tags[i], n) != 0)
            continue;
        memcpy(file, line, (size_t)(p - line));
        file[p - line] = '\0';
        *ln = (unsigned)l;
        *col = (unsigned)c;
        *text = q + 1 + n;
        return true;
    }
    return false;
}

/* Each compiler error of the student's build log, at sub_dir/FILE:LINE. */
static size_t report_gh_build_log(struct report_buf *b, const char *log, const char *sub_dir)
{
    size_t n = 0;
    for (const char *p = log ? log : ""; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char file[256], path[1024], *text = NULL;
        const char *msg;
        unsigned ln, col;
        if (report_cc_error(p, len, file, sizeof file, &ln, &col, &msg) && file[0] != '/' &&
            (text = strndup(msg, len - (size_t)(msg - p)))) {
            snprintf(path, sizeof path, "%s%s%s", sub_dir ? sub_dir : "",
                     sub_dir && *sub_dir ? "/" : "", file);
            report_gh_error(b, path, ln, col, "compile error", text);
            n++;
        }
        free(text);
        p += len + (nl != NULL);
    }
    return n;
}

char *report_annotations_github(const struct res_submission *s, const struct grader_cfg *cfg,
                                const char *sub_dir)
{
    struct report_buf b;
    if (report_buf_open(&b) < 0)
        return NULL;
    if (s->status == RES_UNGRADABLE) {
        if (report_gh_build_log(&b, s->build_log, sub_dir) == 0)
            report_gh_error(&b, NULL, 0, 0, "not graded", s->reason ? s->reason : "ungradable");
        return report_buf_take(&b);
    }
    for (size_t i = 0; i < s->ntests; i++) {
        const struct res_test *t = &s->tests[i];
        if (t->status == RES_PASSED || !report_shows(t, REPORT_STUDENT))
            continue;
        size_t placed = 0;
        for (size_t k = 0; k < t->nchecks; k++)
            if (!t->checks[k].passed) {
                report_gh_check(&b, cfg, t, &t->checks[k]);
                placed++;
            }
        if (placed == 0)   /* a timeout, a crash, a performance test: the unit's message */
            report_gh_error(&b, NULL, 0, 0, report_test_name(t),
                            t->message ? t->message : res_test_status_name(t->status));
    }
    return report_buf_take(&b);
}
