/*
 * tc_track.h -- counts the student's heap blocks, for leak notes.
 *
 * The grader (and the students' Makefile) compile kernels.c with
 * `-include tc_track.h`: every malloc/calloc/realloc/aligned_alloc/
 * posix_memalign/free call in it then goes through the tc_user_*
 * functions of tcheck.c, which keep a count of live blocks.  At the end of
 * a passing test, blocks the test's kernel calls left behind are reported
 * (tcheck.h: "tc-leak: ...", naming the file and line of the oldest block
 * left: the macros pass __FILE__ and __LINE__).  Each function calls the C library's, with
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

/* The same, remembering where the call is: a leak note names the line. */
void *tc_user_malloc_at(size_t n, const char *file, int line);
void *tc_user_calloc_at(size_t count, size_t n, const char *file, int line);
void *tc_user_realloc_at(void *p, size_t n, const char *file, int line);
void *tc_user_aligned_alloc_at(size_t align, size_t n, const char *file, int line);
int tc_user_posix_memalign_at(void **p, size_t align, size_t n, const char *file, int line);

#define malloc(n) tc_user_malloc_at((n), __FILE__, __LINE__)
#define calloc(c, n) tc_user_calloc_at((c), (n), __FILE__, __LINE__)
#define realloc(p, n) tc_user_realloc_at((p), (n), __FILE__, __LINE__)
#define aligned_alloc(a, n) tc_user_aligned_alloc_at((a), (n), __FILE__, __LINE__)
#define posix_memalign(p, a, n) tc_user_posix_memalign_at((p), (a), (n), __FILE__, __LINE__)
#define free(p) tc_user_free(p)

#endif /* TC_TRACK_H */
