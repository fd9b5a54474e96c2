/*
 * buildlog.c -- the student's view of a build log: a line filter.
 */
#include "compile/buildlog.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strv.h"

/* The symbol quoted after `what` ("undefined reference to `X'"), or NULL. */
static char *blog_symbol_after(const char *line, const char *what)
{
    const char *p = strstr(line, what);
    if (!p)
        return NULL;
    p += strlen(what);
    const char *open = strpbrk(p, "`'\xe2");   /* ` or ' or the UTF-8 quote */
    if (!open)
        return NULL;
    open += (unsigned char)*open == 0xe2 ? 3 : 1;
    size_t n = strcspn(open, "'`\xe2");
    return strndup(open, n);
}

/*
 * True if the line is about the trusted part: it names a staged trusted
 * object, or (as ld's "file:line: undefined reference" lines do) starts
 * with a source path outside the scratch folder and the system.
 */
static bool blog_is_trusted(const char *line)
{
    const char *p = line;
    if (strstr(line, "trusted/"))
        return true;
    if (strncmp(p, "/usr/bin/ld: ", 13) == 0)
        p += 13;
    return p[0] == '/' && strncmp(p, "/usr/", 5) != 0;
}

static bool blog_seen(const struct strv *seen, const char *s)
{
    for (size_t i = 0; i < seen->n; i++)
        if (strcmp(seen->v[i], s) == 0)
            return true;
    return false;
}

/* Writes the reduced form of a trusted line, once per symbol and kind. */
static void blog_reduce(FILE *out, const char *line, struct strv *seen)
{
    static const struct {
        const char *what, *why;
    } kinds[] = {
        {"undefined reference to ", "the tests call it, define it in your file"},
        {"multiple definition of ", "the given code defines it already, remove yours"},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char *sym = blog_symbol_after(line, kinds[k].what);
        if (!sym)
            continue;
        char key[512];
        snprintf(key, sizeof key, "%zu:%s", k, sym);
        if (!blog_seen(seen, key)) {
            strv_push(seen, key);
            fprintf(out, "ld: %s`%s': %s\n", kinds[k].what, sym, kinds[k].why);
        }
        free(sym);
        return;
    }
}

/* The line with every "scratch/" removed, malloc'd. */
static char *blog_strip(const char *line, size_t len, const char *scratch)
{
    size_t sl = strlen(scratch);
    char *out = malloc(len + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        if (sl && len - i > sl && memcmp(line + i, scratch, sl) == 0 && line[i + sl] == '/') {
            i += sl + 1;
            continue;
        }
        *o++ = line[i++];
    }
    *o = '\0';
    return out;
}

char *blog_student_view(const char *log, const char *scratch)
{
    char *buf = NULL;
    size_t len = 0;
    struct strv seen = {0};
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        return NULL;
    for (const char *p = log ? log : ""; *p;) {
        size_t n = strcspn(p, "\n");
        char *line = blog_strip(p, n, scratch ? scratch : "");
        if (line) {
            if (blog_is_trusted(line))
                blog_reduce(out, line, &seen);
            else
                fprintf(out, "%s\n", line);
        }
        free(line);
        p += n + (p[n] == '\n');
    }
    strv_clear(&seen);
    if (fclose(out) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
