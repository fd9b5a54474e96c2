/*
 * stubgen.c -- solution to stub: replace BEGIN/END SOLUTION blocks.
 *
 * A line-oriented pass: markers are whole lines, so the transformation
 * never has to understand C.  Output goes to an open_memstream buffer.
 */
#include "compile/stubgen.h"

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
