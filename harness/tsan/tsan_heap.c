/*
 * tsan_heap.c -- the heap limit of the ThreadSanitizer build.
 *
 * ThreadSanitizer reserves about 125 TiB of address space at start-up and
 * serves small blocks from inside that reservation, so RLIMIT_AS cannot
 * bound the memory of a TSan run, and the grader lifts it there (the
 * grader's thread_sanitizer section, README "Configuration").  Instead,
 * this file is linked into the TSan test program with
 *
 *     -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,
 *     --wrap=aligned_alloc,--wrap=posix_memalign,--wrap=strdup,--wrap=strndup
 *
 * so every allocation of the program's objects (the student's, the
 * harness's, Check's: Check's parent strdup()s each message it reads
 * from a test) comes here: it keeps the number of live heap bytes
 * (malloc_usable_size) and refuses, as the C library would (NULL,
 * ENOMEM), any allocation that would take it past TSAN_HEAP_LIMIT bytes,
 * read from the environment at start-up (unset or 0: no limit).  The
 * count is per process: Check's forked tests each start from their
 * parent's.
 *
 * A block the C library allocated for itself (getline(), asprintf()...)
 * and the program frees comes here uncounted: the count saturates at 0
 * rather than wrap around, which would refuse every later allocation.
 *
 * The count is kept out of ThreadSanitizer's sight (TSAN_HEAP_UNWATCHED):
 * an atomic that every allocating thread updates would order the threads
 * (happens-before) at each malloc() and free(), and TSan would miss the
 * races of a kernel whose workers allocate or free between their
 * accesses (corpus fixture racy_relaxed_done).
 */
#include <errno.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t count, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__real_aligned_alloc(size_t align, size_t n);
int __real_posix_memalign(void **p, size_t align, size_t n);

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t count, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
void *__wrap_aligned_alloc(size_t align, size_t n);
int __wrap_posix_memalign(void **p, size_t align, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

/* gcc leaves a no_sanitize_thread function's atomics uninstrumented too. */
#define TSAN_HEAP_UNWATCHED __attribute__((no_sanitize_thread, noinline))

static atomic_size_t tsan_heap_live;
static atomic_size_t tsan_heap_limit = SIZE_MAX;

__attribute__((constructor)) static void tsan_heap_init(void)
{
    const char *s = getenv("TSAN_HEAP_LIMIT");
    char *end = NULL;
    unsigned long long v = s ? strtoull(s, &end, 10) : 0;
    if (s && end != s && *end == '\0' && v > 0 && v < SIZE_MAX)
        atomic_store(&tsan_heap_limit, (size_t)v);
}

/* Whether n more bytes fit beside `releasing` bytes about to be freed. */
TSAN_HEAP_UNWATCHED
static int tsan_heap_fits(size_t n, size_t releasing)
{
    size_t live = atomic_load(&tsan_heap_live), limit = atomic_load(&tsan_heap_limit);
    live = live > releasing ? live - releasing : 0;
    return n <= limit && live <= limit - n;
}

TSAN_HEAP_UNWATCHED
static void *tsan_heap_took(void *p)
{
    if (p)
        atomic_fetch_add(&tsan_heap_live, malloc_usable_size(p));
    return p;
}

/* Subtracts n from the count, down to 0 at most (see above). */
TSAN_HEAP_UNWATCHED
static void tsan_heap_sub(size_t n)
{
    size_t live = atomic_load(&tsan_heap_live);
    while (!atomic_compare_exchange_weak(&tsan_heap_live, &live, live > n ? live - n : 0))
        ;
}

static void tsan_heap_gave(void *p)
{
    if (p)
        tsan_heap_sub(malloc_usable_size(p));
}

static void *tsan_heap_refuse(void)
{
    errno = ENOMEM;
    return NULL;
}

void *__wrap_malloc(size_t n)
{
    return tsan_heap_fits(n, 0) ? tsan_heap_took(__real_malloc(n)) : tsan_heap_refuse();
}

void *__wrap_calloc(size_t count, size_t n)
{
    if (n && count > SIZE_MAX / n)
        return tsan_heap_refuse();
    return tsan_heap_fits(count * n, 0) ? tsan_heap_took(__real_calloc(count, n))
                                        : tsan_heap_refuse();
}

void *__wrap_realloc(void *p, size_t n)
{
    size_t old = p ? malloc_usable_size(p) : 0;
    if (!tsan_heap_fits(n, old))
        return tsan_heap_refuse();
    void *q = __real_realloc(p, n);
    if (q || n == 0) {
        tsan_heap_sub(old);
        tsan_heap_took(q);
    }
    return q;
}

void __wrap_free(void *p)
{
    tsan_heap_gave(p);
    __real_free(p);
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
    return tsan_heap_fits(n, 0) ? tsan_heap_took(__real_aligned_alloc(align, n))
                                : tsan_heap_refuse();
}

int __wrap_posix_memalign(void **p, size_t align, size_t n)
{
    if (!tsan_heap_fits(n, 0))
        return ENOMEM;
    int rc = __real_posix_memalign(p, align, n);
    if (rc == 0)
        tsan_heap_took(*p);
    return rc;
}

char *__wrap_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = __wrap_malloc(n);
    return p ? memcpy(p, s, n) : NULL;
}

char *__wrap_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = __wrap_malloc(len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}
