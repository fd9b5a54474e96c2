/*
 * perf_priv.h -- private to run/: what the files of the perf module
 * (perf.h) share.  Never included from another folder.
 *
 *   perf.c           the stage: build, run under callgrind, check-config
 *   perf_callgrind.c reading callgrind's dumps
 *   perf_score.c     scoring measurements
 */
#ifndef PERF_PRIV_H
#define PERF_PRIV_H

#include <stddef.h>

/* Formats the message into err (n bytes; nothing when n is 0). */
void perf_errf(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
