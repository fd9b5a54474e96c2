/*
 * tc_track.h -- counts the student's heap blocks, for leak notes.
 *
 * The grader (and the students' Makefile) compile kernels.c with
 * `-include tc_track.h`: every malloc/calloc/realloc/aligned_alloc/
 * posix_memalign/free call in it then goes through the tc_user_*
 * functions of tcheck.c, which keep a count of live blocks.  At the end of
 * a passing test, blocks the test's kernel calls left behind are reported
 * (tcheck.h: "tc-leak: ...").  Each function calls the C library's, with
 * two test-only additions: every block gets 64 guard bytes after its end,
 * checked when it is freed (a write past the end fails the test), and a
 * test can make the k-th allocation fail (tcheck.h, fault injection).
 * The standard headers come first, so their own declarations are
 * untouched by the macros below.
 */
#ifndef TC_TRACK_H
#define TC_TRACK_H

#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *tc_user_malloc(size_t n);
void *tc_user_calloc(size_t count, size_t n);
void *tc_user_realloc(void *p, size_t n);
void *tc_user_aligned_alloc(size_t align, size_t n);
int tc_user_posix_memalign(void **p, size_t align, size_t n);
void tc_user_free(void *p);

#define malloc(n) tc_user_malloc(n)
#define calloc(c, n) tc_user_calloc((c), (n))
#define realloc(p, n) tc_user_realloc((p), (n))
#define aligned_alloc(a, n) tc_user_aligned_alloc((a), (n))
#define posix_memalign(p, a, n) tc_user_posix_memalign((p), (a), (n))
#define free(p) tc_user_free(p)

#endif /* TC_TRACK_H */
