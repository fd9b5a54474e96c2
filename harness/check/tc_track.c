/*
 * tc_track.c -- the student's heap blocks: the functions tc_track.h
 * redirects malloc and friends to (tcheck.h declares them).  Each calls the
 * C library's, keeps the block in a set for leak notes (with the caller's
 * file and line), adds a guard after its end checked at free(), and obeys
 * the tests' allocation fault injection (tensor_alloc_fault()).
 */
#include "tc_heap.h"
#include "tcheck.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- the student's heap blocks (tc_track.h) ------------------------------ */

/*
 * A set of live blocks, address -> requested size: open addressing, grown
 * at half load, under a lock (kernels allocate from several threads).
 * The size locates the block's guard (below).
 *
 * Under ThreadSanitizer the lock is a spin lock TSan does not see, and
 * every function that touches the set or a guard is unwatched
 * (TC_TRACK_UNWATCHED): a mutex taken at each of the student's malloc()
 * and free() would order the student's threads (happens-before), and TSan
 * would miss the races of workers that allocate or free between their
 * accesses (corpus fixture racy_relaxed_done).
 */


/* The site of the allocation being made on this thread (tc_user_*_at). */
static _Thread_local const char *tc_site_file;
static _Thread_local int tc_site_line;

static struct {
    pthread_mutex_t lock;
    struct tc_block *slot;
    size_t cap, used, live;
    unsigned long seq;
} tc_heap = {PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0, 0};

#if defined(__SANITIZE_THREAD__)
/* gcc leaves a no_sanitize_thread function's atomics uninstrumented too. */
#define TC_TRACK_UNWATCHED __attribute__((no_sanitize_thread, noinline))

static atomic_flag tc_heap_busy = ATOMIC_FLAG_INIT;

TC_TRACK_UNWATCHED
static void tc_heap_lock(void)
{
    while (atomic_flag_test_and_set_explicit(&tc_heap_busy, memory_order_acquire))
        sched_yield();
}

TC_TRACK_UNWATCHED
static void tc_heap_unlock(void)
{
    atomic_flag_clear_explicit(&tc_heap_busy, memory_order_release);
}
#else
#define TC_TRACK_UNWATCHED

static void tc_heap_lock(void)
{
    pthread_mutex_lock(&tc_heap.lock);
}

static void tc_heap_unlock(void)
{
    pthread_mutex_unlock(&tc_heap.lock);
}
#endif

static size_t tc_heap_hash(uintptr_t p, size_t cap)
{
    return (size_t)((p >> 4) * 0x9E3779B97F4A7C15ull) & (cap - 1);
}

static void tc_heap_put_locked(struct tc_block b);

TC_TRACK_UNWATCHED
static void tc_heap_grow_locked(void)
{
    size_t cap = tc_heap.cap ? tc_heap.cap * 2 : 1024;
    struct tc_block *old = tc_heap.slot, *slot = calloc(cap, sizeof *slot);
    size_t old_cap = tc_heap.cap;
    if (slot == NULL)
        return;             /* keep counting in the old table; a note may be lost */
    tc_heap.slot = slot;
    tc_heap.cap = cap;
    tc_heap.used = tc_heap.live = 0;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].p > 1)
            tc_heap_put_locked(old[i]);
#if defined(__SANITIZE_THREAD__)
    /* Kept: TSan sees calloc() as a write by the thread that grew the
     * table, and a free() by another thread, under a lock TSan does not
     * see, as a race in the student's malloc() call.  The old tables
     * together are smaller than the new one. */
    (void)old;
#else
    free(old);
#endif
}

TC_TRACK_UNWATCHED
static void tc_heap_put_locked(struct tc_block b)
{
    if ((tc_heap.used + 1) * 2 > tc_heap.cap)
        tc_heap_grow_locked();
    if (tc_heap.cap == 0)
        return;
    size_t i = tc_heap_hash(b.p, tc_heap.cap);
    while (tc_heap.slot[i].p > 1)
        i = (i + 1) & (tc_heap.cap - 1);
    if (tc_heap.slot[i].p == 0)
        tc_heap.used++;
    tc_heap.slot[i] = b;
    tc_heap.live++;
}

/*
 * The guard after each of the student's blocks: TC_GUARD_BYTES bytes of
 * a pattern that depends on the block's address (a copy of another
 * block's guard breaks it), filled at allocation and checked at free().
 * The bytes are 0xA0-0xAF: read as int8, int16, int32 or float they are
 * large or negative values, so a read past the end spoils a result too.
 */
#define TC_GUARD_BYTES 64

static unsigned char tc_guard_byte(uintptr_t p, size_t i)
{
    return (unsigned char)(0xA0u | (((p >> 4) + i * 7u) & 0x0Fu));
}

TC_TRACK_UNWATCHED
static void tc_guard_fill(void *p, size_t n)
{
    unsigned char *g = (unsigned char *)p + n;
    for (size_t i = 0; i < TC_GUARD_BYTES; i++)
        g[i] = tc_guard_byte((uintptr_t)p, i);
}

TC_TRACK_UNWATCHED
static int tc_guard_intact(const void *p, size_t n)
{
    const unsigned char *g = (const unsigned char *)p + n;
    for (size_t i = 0; i < TC_GUARD_BYTES; i++)
        if (g[i] != tc_guard_byte((uintptr_t)p, i))
            return 0;
    return 1;
}

/* Writes past the end of the student's blocks, seen at free(); the first one's size. */
static atomic_size_t tc_block_overruns;
static atomic_size_t tc_block_overrun_size;

TC_TRACK_UNWATCHED
size_t tc_heap_overruns(size_t *first_size)
{
    *first_size = atomic_load(&tc_block_overrun_size);
    return atomic_load(&tc_block_overruns);
}

TC_TRACK_UNWATCHED
static void tc_heap_add(void *p, size_t n)
{
    if (p == NULL)
        return;
    tc_guard_fill(p, n);
    tc_heap_lock();
    tc_heap_put_locked((struct tc_block){(uintptr_t)p, n, ++tc_heap.seq, tc_site_file,
                                         tc_site_line});
    tc_heap_unlock();
    tc_site_file = NULL;
    tc_site_line = 0;
}

/*
 * The oldest block still live that was allocated after `seq`: where the
 * first leak of a test comes from.  Returns 0 if there is none.
 */
TC_TRACK_UNWATCHED
int tc_heap_oldest_since(unsigned long seq, struct tc_block *out)
{
    int found = 0;
    tc_heap_lock();
    for (size_t i = 0; i < tc_heap.cap; i++) {
        const struct tc_block *b = &tc_heap.slot[i];
        if (b->p > 1 && b->seq > seq && (!found || b->seq < out->seq)) {
            *out = *b;
            found = 1;
        }
    }
    tc_heap_unlock();
    return found;
}

TC_TRACK_UNWATCHED
unsigned long tc_heap_seq(void)
{
    tc_heap_lock();
    unsigned long seq = tc_heap.seq;
    tc_heap_unlock();
    return seq;
}

/*
 * Forgets the block at address p and checks its guard (the block must
 * still be allocated).  Returns 1 and its size in *n_out if p was a
 * tracked block.
 */
TC_TRACK_UNWATCHED
static int tc_heap_remove(uintptr_t p, size_t *n_out)
{
    int found = 0;
    if (p == 0)
        return 0;
    tc_heap_lock();
    for (size_t i = tc_heap.cap ? tc_heap_hash(p, tc_heap.cap) : 0;
         tc_heap.cap && tc_heap.slot[i].p != 0; i = (i + 1) & (tc_heap.cap - 1)) {
        if (tc_heap.slot[i].p == p) {
            if (!tc_guard_intact((const void *)p, tc_heap.slot[i].n) &&
                atomic_fetch_add(&tc_block_overruns, 1) == 0)
                atomic_store(&tc_block_overrun_size, tc_heap.slot[i].n);
            if (n_out != NULL)
                *n_out = tc_heap.slot[i].n;
            tc_heap.slot[i].p = 1;
            tc_heap.live--;
            found = 1;
            break;
        }
    }
    tc_heap_unlock();
    return found;
}

TC_TRACK_UNWATCHED
size_t tc_heap_live(void)
{
    tc_heap_lock();
    size_t n = tc_heap.live;
    tc_heap_unlock();
    return n;
}

size_t tc_user_blocks_live(void)
{
    return tc_heap_live();
}

/* n plus the guard, or 0 if that overflows (the allocation then fails). */
static size_t tc_guarded(size_t n)
{
    return n <= SIZE_MAX - TC_GUARD_BYTES ? n + TC_GUARD_BYTES : 0;
}

void *tc_user_malloc(size_t n)
{
    if (tensor_alloc_fault() || tc_guarded(n) == 0)
        return NULL;
    void *p = malloc(tc_guarded(n));
    tc_heap_add(p, n);
    return p;
}

void *tc_user_calloc(size_t count, size_t n)
{
    if (tensor_alloc_fault() || (n != 0 && count > SIZE_MAX / n) ||
        tc_guarded(count * n) == 0)
        return NULL;
    void *p = calloc(1, tc_guarded(count * n));
    tc_heap_add(p, count * n);
    return p;
}

void *tc_user_realloc(void *p, size_t n)
{
    /* Only the address is kept, never dereferenced; volatile, as gcc's
     * -Wuse-after-free cannot tell an address key from a pointer use. */
    volatile uintptr_t old = (uintptr_t)p;
    if (p == NULL)
        return tc_user_malloc(n);
    if (n == 0) {
        tc_user_free(p);
        return NULL;
    }
    if (tensor_alloc_fault() || tc_guarded(n) == 0)
        return NULL;
    /* The guard is checked before realloc() moves the block. */
    size_t old_n = 0;
    int tracked = tc_heap_remove(old, &old_n);
    void *q = realloc(p, tc_guarded(n));
    if (q == NULL) {
        if (tracked)   /* p is still the caller's */
            tc_heap_add(p, old_n);
        return NULL;
    }
    tc_heap_add(q, n);
    return q;
}

/* The guard rounded up to a multiple of `align` (aligned_alloc's rule). */
static size_t tc_guarded_aligned(size_t n, size_t align)
{
    size_t extra = align > TC_GUARD_BYTES ? align : TC_GUARD_BYTES;
    return n <= SIZE_MAX - extra ? n + extra : 0;
}

void *tc_user_aligned_alloc(size_t align, size_t n)
{
    if (tensor_alloc_fault() || tc_guarded_aligned(n, align) == 0)
        return NULL;
    void *p = aligned_alloc(align, tc_guarded_aligned(n, align));
    tc_heap_add(p, n);
    return p;
}

int tc_user_posix_memalign(void **p, size_t align, size_t n)
{
    if (tensor_alloc_fault() || tc_guarded_aligned(n, align) == 0)
        return ENOMEM;
    int rc = posix_memalign(p, align, tc_guarded_aligned(n, align));
    if (rc == 0)
        tc_heap_add(*p, n);
    return rc;
}

void tc_user_free(void *p)
{
    tc_heap_remove((uintptr_t)p, NULL);
    free(p);
}

/* tc_track.h's macros: the same, remembering the caller's file and line. */
static void tc_site(const char *file, int line)
{
    tc_site_file = file;
    tc_site_line = line;
}

void *tc_user_malloc_at(size_t n, const char *file, int line)
{
    tc_site(file, line);
    return tc_user_malloc(n);
}

void *tc_user_calloc_at(size_t count, size_t n, const char *file, int line)
{
    tc_site(file, line);
    return tc_user_calloc(count, n);
}

void *tc_user_realloc_at(void *p, size_t n, const char *file, int line)
{
    tc_site(file, line);
    return tc_user_realloc(p, n);
}

void *tc_user_aligned_alloc_at(size_t align, size_t n, const char *file, int line)
{
    tc_site(file, line);
    return tc_user_aligned_alloc(align, n);
}

int tc_user_posix_memalign_at(void **p, size_t align, size_t n, const char *file, int line)
{
    tc_site(file, line);
    return tc_user_posix_memalign(p, align, n);
}
