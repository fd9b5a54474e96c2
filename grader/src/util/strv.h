/*
 * strv.h -- a growable, NULL-terminated vector of owned strings, for
 * building argv arrays and lists of paths.  Prefix strv_.
 *
 * A zeroed struct strv is empty and valid.  v[n] is always NULL once
 * anything was pushed, so v can be passed as an argv.  Allocation failure
 * sets `oom` and later pushes do nothing; check it once at the end.
 */
#ifndef STRV_H
#define STRV_H

#include <stdbool.h>
#include <stddef.h>

struct strv {
    char **v;
    size_t n, cap;
    bool oom;
};

/** Appends a copy of s. */
void strv_push(struct strv *sv, const char *s);

/** Appends a printf-formatted string. */
void strv_pushf(struct strv *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Appends copies of n strings. */
void strv_push_all(struct strv *sv, char *const *s, size_t n);

/** Frees every string and the array; leaves *sv empty. */
void strv_clear(struct strv *sv);

/** Hands over the array (caller frees strings and array); leaves *sv empty. */
char **strv_take(struct strv *sv);

#endif /* STRV_H */
