/* src.c -- a source file in memory with its line index (src.h). */
#include "src.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int src_read(struct src *s, FILE *f)
{
    size_t cap = 1 << 16;

    s->text = malloc(cap);
    if (s->text == NULL)
        return -1;
    for (;;) {
        s->len += fread(s->text + s->len, 1, cap - 1 - s->len, f);
        if (ferror(f))
            return -1;
        if (feof(f))
            break;
        if (s->len == cap - 1) {
            char *more = realloc(s->text, cap * 2);
            if (more == NULL)
                return -1;
            s->text = more;
            cap *= 2;
        }
    }
    s->text[s->len] = '\0';
    return 0;
}

static int src_index_lines(struct src *s)
{
    size_t n = 1;

    for (size_t i = 0; i < s->len; i++)
        n += s->text[i] == '\n';
    s->line_start = malloc(n * sizeof *s->line_start);
    if (s->line_start == NULL)
        return -1;
    s->line_start[0] = 0;
    s->nlines = 1;
    for (size_t i = 0; i < s->len; i++)
        if (s->text[i] == '\n')
            s->line_start[s->nlines++] = i + 1;
    return 0;
}

int src_load(struct src *s, const char *path, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int rc = src_read(s, f);
    const int saved = errno;
    fclose(f);
    if (rc == 0)
        rc = src_index_lines(s);
    if (rc < 0)
        snprintf(err, errlen, "%s: %s", path, strerror(saved ? saved : ENOMEM));
    return rc;
}

void src_release(struct src *s)
{
    free(s->text);
    free(s->line_start);
    s->text = NULL;
    s->line_start = NULL;
    s->len = s->nlines = 0;
}

unsigned src_line(const struct src *s, size_t off)
{
    size_t lo = 0, hi = s->nlines;   /* the answer is in [lo, hi) */

    while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        if (s->line_start[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    return (unsigned)lo + 1;
}

unsigned src_column(const struct src *s, size_t off)
{
    return (unsigned)(off - s->line_start[src_line(s, off) - 1]) + 1;
}

size_t src_line_begin(const struct src *s, unsigned line)
{
    return line - 1 < s->nlines ? s->line_start[line - 1] : s->len;
}

size_t src_line_end(const struct src *s, unsigned line)
{
    return line < s->nlines ? s->line_start[line] : s->len;
}

char *src_copy(const struct src *s, size_t b, size_t e)
{
    char *t = malloc(e - b + 1);

    if (t != NULL) {
        memcpy(t, s->text + b, e - b);
        t[e - b] = '\0';
    }
    return t;
}
