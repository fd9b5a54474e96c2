/* strv.c -- growable NULL-terminated string vectors. */
#include "util/strv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void strv_append_owned(struct strv *sv, char *s)
{
    if (!s) {
        sv->oom = true;
        return;
    }
    if (sv->n + 2 > sv->cap) {
        size_t cap = sv->cap ? sv->cap * 2 : 8;
        char **v = realloc(sv->v, cap * sizeof *v);
        if (!v) {
            free(s);
            sv->oom = true;
            return;
        }
        sv->v = v;
        sv->cap = cap;
    }
    sv->v[sv->n++] = s;
    sv->v[sv->n] = NULL;
}

void strv_push(struct strv *sv, const char *s)
{
    if (!sv->oom)
        strv_append_owned(sv, strdup(s));
}

void strv_pushf(struct strv *sv, const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    if (sv->oom)
        return;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    strv_append_owned(sv, s);
}

void strv_push_all(struct strv *sv, char *const *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        strv_push(sv, s[i]);
}

void strv_clear(struct strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    memset(sv, 0, sizeof *sv);
}

char **strv_take(struct strv *sv)
{
    char **v = sv->v;
    memset(sv, 0, sizeof *sv);
    return v;
}
