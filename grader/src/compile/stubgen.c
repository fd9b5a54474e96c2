/*
 * stubgen.c -- solution to stub: replace BEGIN/END SOLUTION blocks.
 *
 * A line-oriented pass: markers are whole lines, so the transformation
 * never has to understand C.  Output goes to an open_memstream buffer.
 */
#include "compile/stubgen.h"

#include "config/cfg.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEGIN_TAG "/* BEGIN SOLUTION"
#define END_LINE "/* END SOLUTION */"
#define STUB_TAG "(stub:"

static int stub_fail(struct stub_error *err, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int stub_fail(struct stub_error *err, unsigned line, const char *fmt, ...)
{
    va_list ap;
    err->line = line;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* The line without leading blanks and trailing blanks/CR, as [*b, *e). */
static void stub_trim(const char *line, size_t len, const char **b, const char **e)
{
    const char *s = line, *t = line + len;
    while (s < t && (*s == ' ' || *s == '\t'))
        s++;
    while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
        t--;
    *b = s;
    *e = t;
}

static bool stub_is(const char *b, const char *e, const char *text)
{
    size_t n = strlen(text);
    return (size_t)(e - b) == n && memcmp(b, text, n) == 0;
}

static bool stub_starts(const char *b, const char *e, const char *text)
{
    size_t n = strlen(text);
    return (size_t)(e - b) >= n && memcmp(b, text, n) == 0;
}

/*
 * Parses a BEGIN marker [b, e).  Sets *code and *code_len to the stub code
 * (empty if none).  Returns 0, or -1 if the marker is malformed.
 */
static int stub_parse_begin(const char *b, const char *e, const char **code,
                            size_t *code_len)
{
    const char *p = b + strlen(BEGIN_TAG);
    *code = p;
    *code_len = 0;
    if (e - b < 2 || memcmp(e - 2, "*/", 2) != 0)
        return -1;
    e -= 2;                                   /* drop the closing comment */
    while (p < e && *p == ' ')
        p++;
    if (p == e)
        return 0;                             /* plain BEGIN SOLUTION */
    if (!stub_starts(p, e, STUB_TAG))
        return -1;
    p += strlen(STUB_TAG);
    while (e > p && e[-1] == ' ')
        e--;
    if (e == p || e[-1] != ')')
        return -1;
    e--;                                      /* the ')' closing "(stub:" */
    while (p < e && *p == ' ')
        p++;
    while (e > p && e[-1] == ' ')
        e--;
    *code = p;
    *code_len = (size_t)(e - p);
    return 0;
}

static void stub_emit_block(FILE *out, const char *indent, size_t indent_len,
                            const char *code, size_t code_len)
{
    fprintf(out, "%.*s/* TODO: your code here. */\n", (int)indent_len, indent);
    if (code_len > 0)
        fprintf(out, "%.*s%.*s\n", (int)indent_len, indent, (int)code_len, code);
}

int stub_generate(const char *src, size_t len, char **out, struct stub_error *err)
{
    char *buf = NULL;
    size_t buf_len = 0;
    FILE *mem = open_memstream(&buf, &buf_len);
    if (!mem)
        return stub_fail(err, 0, "out of memory");

    unsigned lineno = 0, open_line = 0;
    int blocks = 0;
    bool inside = false;
    const char *p = src, *end = src + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        const char *b, *e;
        lineno++;
        stub_trim(p, n, &b, &e);
        if (stub_starts(b, e, BEGIN_TAG)) {
            const char *code;
            size_t code_len;
            if (inside) {
                fclose(mem);
                free(buf);
                return stub_fail(err, lineno, "BEGIN SOLUTION inside the block opened at line %u", open_line);
            }
            if (stub_parse_begin(b, e, &code, &code_len) < 0) {
                fclose(mem);
                free(buf);
                return stub_fail(err, lineno, "malformed marker: expected /* BEGIN SOLUTION */ or /* BEGIN SOLUTION (stub: CODE) */");
            }
            stub_emit_block(mem, p, (size_t)(b - p), code, code_len);
            inside = true;
            open_line = lineno;
            blocks++;
        } else if (stub_is(b, e, END_LINE)) {
            if (!inside) {
                fclose(mem);
                free(buf);
                return stub_fail(err, lineno, "END SOLUTION without BEGIN SOLUTION");
            }
            inside = false;
        } else if (!inside) {
            fwrite(p, 1, n, mem);
            if (nl)
                fputc('\n', mem);
        }
        p = nl ? nl + 1 : end;
    }
    if (fclose(mem) != 0) {
        free(buf);
        return stub_fail(err, 0, "out of memory");
    }
    if (inside) {
        free(buf);
        return stub_fail(err, open_line, "BEGIN SOLUTION is never closed by END SOLUTION");
    }
    *out = buf;
    return blocks;
}

/* ---- the README's grading section ------------------------------------------- */

/* Points as the README writes them: 4, 2.5. */
static void stub_points(FILE *f, double points)
{
    fprintf(f, "%.15g", points);
}

/* The flags of strv, space-separated. */
static void stub_flags(FILE *f, const struct cfg_strv *v)
{
    for (size_t i = 0; i < v->n; i++)
        fprintf(f, "%s%s", i ? " " : "", v->v[i]);
}

static void stub_cache(FILE *f, const char *name, const struct cfg_cache *c)
{
    fprintf(f, "%s %llu KiB, %llu-way, %llu-byte lines", name,
            (unsigned long long)(c->size / 1024), (unsigned long long)c->ways,
            (unsigned long long)c->line);
}

/* The visible check units' table. */
static void stub_visible_table(FILE *f, const struct grader_cfg *cfg)
{
    fputs("| visible unit (`make test ONLY=...`) | what it checks | points | category |\n"
          "|---|---|---|---|\n", f);
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_test *t = &cfg->tests[i];
        if (t->visibility != CFG_VIS_VISIBLE || t->kind != CFG_KIND_CHECK)
            continue;
        fprintf(f, "| `%s` | %s | ", t->id, t->name);
        stub_points(f, t->points);
        fprintf(f, " | %s |\n", t->category ? t->category : "");
    }
}

/* An io test's command line, as a shell would read it: "./prog a b < in". */
static void stub_io_command(FILE *f, const struct grader_cfg *cfg, const struct cfg_test *t)
{
    fprintf(f, "`./%s", cfg->io.program);
    for (size_t i = 0; i < t->io.args.n; i++)
        fprintf(f, " %s", t->io.args.v[i]);
    if (t->io.stdin_file)
        fprintf(f, " < %s", strrchr(t->io.stdin_file, '/') + 1);
    else if (t->io.stdin_text)
        fputs(" < (given text)", f);
    fputs("`", f);
}

/* The visible io tests' table: what runs, what is compared, the points. */
static void stub_io_table(FILE *f, const struct grader_cfg *cfg)
{
    static const char *const compare[] = {"exactly", "ignoring whitespace", "numbers within a tolerance"};
    fputs("\n| io test | command | checks (outputs compared) | points |\n|---|---|---|---|\n", f);
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_test *t = &cfg->tests[i];
        if (t->visibility != CFG_VIS_VISIBLE || t->kind != CFG_KIND_IO)
            continue;
        fprintf(f, "| `%s`: %s | ", t->id, t->name);
        stub_io_command(f, cfg, t);
        const char *sep = " | ";
        if (t->io.has_stdout)
            fprintf(f, "%sstdout", sep), sep = ", ";
        if (t->io.has_stderr)
            fprintf(f, "%sstderr", sep), sep = ", ";
        if (t->io.has_exit)
            fprintf(f, "%sexit status", sep);
        fprintf(f, " (%s) | ", compare[t->io.compare]);
        stub_points(f, t->points);
        fputs(" |\n", f);
    }
}

/* How a performance test scores (perf_score.c's rules). */
static void stub_perf_rule(FILE *f, const struct cfg_perf_test *pt)
{
    if (pt->metric == CFG_METRIC_THREADS) {
        fprintf(f, "%u worker threads", pt->threads);
        if (pt->balance > 0)
            fprintf(f, ", the least busy doing at least %.15g of the busiest's work",
                    pt->balance);
        fputs(": all points, else none", f);
    } else if (pt->nsteps > 0) {
        fprintf(f, "%s of `%s` / the same of `%s`:", cfg_metric_name(pt->metric),
                pt->measure, pt->reference);
        for (size_t i = 0; i < pt->nsteps; i++)
            fprintf(f, "%s %.15g%% at or below %.15g", i ? "," : "",
                    100.0 * pt->steps[i].score, pt->steps[i].at_most);
    } else {
        fprintf(f, "%s of `%s` / the same of `%s`: all points at or below %.15g, none "
                   "at or above %.15g, linear between", cfg_metric_name(pt->metric),
                pt->measure, pt->reference, pt->full_at, pt->zero_at);
    }
}

/* The performance tests' table (the visible ones; the others count in the total). */
static void stub_perf_table(FILE *f, const struct grader_cfg *cfg)
{
    fputs("| performance test | how it scores | points |\n"
          "|---|---|---|\n", f);
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_test *t = &cfg->tests[i];
        if (t->visibility != CFG_VIS_VISIBLE || t->kind != CFG_KIND_PERFORMANCE)
            continue;
        fprintf(f, "| `%s`: %s | ", t->id, t->name);
        stub_perf_rule(f, &t->perf);
        fputs(" | ", f);
        stub_points(f, t->points);
        fputs(" |\n", f);
    }
}

int stub_readme_section(const struct grader_cfg *cfg, char **out)
{
    double visible = 0, perf = 0, other = 0;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    *out = NULL;
    if (f == NULL)
        return -1;
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_test *t = &cfg->tests[i];
        if (t->kind == CFG_KIND_PERFORMANCE)
            perf += t->points;
        else if (t->visibility == CFG_VIS_VISIBLE)
            visible += t->points;
        else
            other += t->points;
    }
    fprintf(f, "Of the %.15g points, the visible tests below are worth %.15g (`make "
               "grade` shows\neach one's points and their total), the performance "
               "tests %.15g, and tests\nyou do not see %.15g (your report shows "
               "those only as a total).\n\n",
            visible + perf + other, visible, perf, other);
    stub_visible_table(f, cfg);
    if (cfg_count_kind(cfg, CFG_KIND_IO) > 0)
        stub_io_table(f, cfg);
    fputs("\nThe correctness build compiles your file with these flags (when one is "
          "given\ntwice, the later wins):\n\n```\n", f);
    stub_flags(f, &cfg->build.cflags);
    fputs("\n", f);
    stub_flags(f, &cfg->build.student_cflags);
    fputs("\n```\n", f);
    if (cfg->performance.enabled) {
        fputs("\nThe performance build compiles it again, with\n\n```\n", f);
        stub_flags(f, &cfg->performance.cflags);
        fputs("\n```\n\nand callgrind simulates ", f);
        stub_cache(f, "an L1 data cache of", &cfg->performance.d1);
        fputs("\nand ", f);
        stub_cache(f, "a last level of", &cfg->performance.ll);
        fputs(".\nEach count is divided by the same count of a reference kernel "
              "the grader\nruns the same way:\n\n", f);
        stub_perf_table(f, cfg);
    }
    if (fclose(f) != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}

/* The start of the line of text that equals marker, or NULL. */
static const char *stub_find_line(const char *text, const char *marker)
{
    size_t n = strlen(marker);
    for (const char *p = text; p != NULL && *p != '\0';) {
        if (strncmp(p, marker, n) == 0 && (p[n] == '\n' || p[n] == '\0'))
            return p;
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    return NULL;
}

int stub_readme_splice(const char *readme, const char *section, char **out,
                       struct stub_error *err)
{
    const char *begin = stub_find_line(readme, STUB_README_BEGIN);
    const char *end = begin ? stub_find_line(begin, STUB_README_END) : NULL;

    *out = NULL;
    if (begin == NULL || end == NULL)
        return stub_fail(err, 0, "no '" STUB_README_BEGIN "' line followed by a '"
                         STUB_README_END "' line");
    const char *body = strchr(begin, '\n') + 1;   /* end follows, so a newline does */
    if (asprintf(out, "%.*s%s%s", (int)(body - readme), readme, section, end) < 0) {
        *out = NULL;
        return stub_fail(err, 0, "out of memory");
    }
    return 0;
}
