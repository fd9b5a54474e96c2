/*
 * tensor.c -- float32 tensors: construction, shape queries, printing and
 * the per-thread error message (see tensor.h).
 *
 * Data blocks come from posix_memalign() with the byte count rounded up to
 * a multiple of TENSOR_ALIGN, so a kernel may also read whole vectors up
 * to the end of the last cache line without leaving the allocation, and
 * TENSOR_ALIGN bytes more: the space after the last element is a guard of
 * NaNs that tensor_free() checks, so that a write past the end is told.
 *
 * Large blocks are cached for reuse, as PyTorch's caching allocator does:
 * a fresh 64 MiB block costs 16384 page faults, each zeroing a page, which
 * is more than a ReLU over it costs; a block freed and taken again by the
 * next tensor of the same size is already mapped.  The cache is the one
 * process-wide state here (allocators are process-wide by nature), under
 * a mutex, bounded, and off under AddressSanitizer so that a use after
 * free of tensor data is still caught.
 *
 * Under ThreadSanitizer the cache is off too, and the counters (live
 * tensors, faults, overruns) are kept out of TSan's sight
 * (TENSOR_UNWATCHED): a mutex or an atomic that every thread creating a
 * tensor touches would order those threads (happens-before), and TSan
 * would miss the races of a kernel whose workers allocate between their
 * accesses.  The harness's bookkeeping must never synchronize the code
 * under test.
 */
#include "tensor.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <stdatomic.h>

/* Functions TSan does not instrument: gcc then leaves their atomics
 * uninstrumented too, so they create no happens-before. */
#if defined(__SANITIZE_THREAD__)
#define TENSOR_UNWATCHED __attribute__((no_sanitize_thread, noinline))
#else
#define TENSOR_UNWATCHED
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TENSOR_CACHE_SLOTS 0
#else
#define TENSOR_CACHE_SLOTS 4
#endif
#define TENSOR_CACHE_MIN_BYTES ((size_t)1 << 20)    /* smaller blocks: plain malloc */
#define TENSOR_CACHE_MAX_BYTES ((size_t)256 << 20)  /* kept at most, in all */

struct tensor_block {
    void *data;
    size_t bytes;
    unsigned long stamp;     /* when it was cached: the oldest goes first */
};

static struct {
    pthread_mutex_t lock;
    struct tensor_block slot[TENSOR_CACHE_SLOTS + 1];   /* +1: never a zero-size array */
    size_t bytes;
    unsigned long clock;
} tensor_cache = {PTHREAD_MUTEX_INITIALIZER, {{NULL, 0, 0}}, 0, 0};

/* A cached block of exactly `bytes`, or NULL. */
static void *tensor_cache_take(size_t bytes)
{
    void *data = NULL;
    if (TENSOR_CACHE_SLOTS == 0 || bytes < TENSOR_CACHE_MIN_BYTES)
        return NULL;
    pthread_mutex_lock(&tensor_cache.lock);
    for (int i = 0; i < TENSOR_CACHE_SLOTS && !data; i++) {
        if (tensor_cache.slot[i].data && tensor_cache.slot[i].bytes == bytes) {
            data = tensor_cache.slot[i].data;
            tensor_cache.slot[i].data = NULL;
            tensor_cache.bytes -= bytes;
        }
    }
    pthread_mutex_unlock(&tensor_cache.lock);
    return data;
}

/* The occupied slot cached longest ago, or -1 if all are empty. */
static int tensor_cache_oldest(void)
{
    int oldest = -1;
    for (int i = 0; i < TENSOR_CACHE_SLOTS; i++)
        if (tensor_cache.slot[i].data &&
            (oldest < 0 || tensor_cache.slot[i].stamp < tensor_cache.slot[oldest].stamp))
            oldest = i;
    return oldest;
}

/* An empty slot, or -1. */
static int tensor_cache_empty_slot(void)
{
    for (int i = 0; i < TENSOR_CACHE_SLOTS; i++)
        if (!tensor_cache.slot[i].data)
            return i;
    return -1;
}

static void tensor_cache_evict(int i)
{
    free(tensor_cache.slot[i].data);
    tensor_cache.bytes -= tensor_cache.slot[i].bytes;
    tensor_cache.slot[i].data = NULL;
}

/*
 * Keeps a large block for reuse, evicting the oldest cached blocks to make
 * room (sizes change as a program moves on, and a full cache of stale
 * sizes would help nobody); frees blocks that are small or too large.
 */
static void tensor_cache_give(void *data, size_t bytes)
{
    if (TENSOR_CACHE_SLOTS == 0 || bytes < TENSOR_CACHE_MIN_BYTES ||
        bytes > TENSOR_CACHE_MAX_BYTES) {
        free(data);
        return;
    }
    pthread_mutex_lock(&tensor_cache.lock);
    /* Oldest first, until there is a free slot and room for the bytes. */
    while (tensor_cache_empty_slot() < 0 || tensor_cache.bytes + bytes > TENSOR_CACHE_MAX_BYTES)
        tensor_cache_evict(tensor_cache_oldest());
    int i = tensor_cache_empty_slot();
    tensor_cache.slot[i] = (struct tensor_block){data, bytes, ++tensor_cache.clock};
    tensor_cache.bytes += bytes;
    pthread_mutex_unlock(&tensor_cache.lock);
}

/* tensor_set_poison(): the test programs' switch (see tensor.h). */
static atomic_int tensor_poison_on;

void tensor_set_poison(int on)
{
    atomic_store(&tensor_poison_on, on != 0);
}

TENSOR_UNWATCHED
static bool tensor_poison_wanted(void)
{
    return atomic_load(&tensor_poison_on) != 0;
}

/* The sign and the quiet bit are what arithmetic on a NaN may change. */
#define TENSOR_POISON_MASK 0x7FBFFFFFu

int tensor_is_poison(float v)
{
    uint32_t bits;

    memcpy(&bits, &v, sizeof bits);
    return (bits & TENSOR_POISON_MASK) == (TENSOR_POISON_BITS & TENSOR_POISON_MASK);
}

/*
 * Fills `words` 32-bit words at p with `word`: the first by hand, then
 * copies of what is filled, doubling.  A few memcpy() calls, not one per
 * word: ThreadSanitizer checks each call, and a word at a time made
 * allocating a tensor most of a TSan run's time.
 */
static void tensor_fill_words(void *p, size_t words, uint32_t word)
{
    unsigned char *d = p;
    const size_t bytes = words * sizeof word;

    if (words == 0)
        return;
    memcpy(d, &word, sizeof word);
    for (size_t done = sizeof word; done < bytes;) {
        const size_t n = done < bytes - done ? done : bytes - done;

        memcpy(d + done, d, n);
        done += n;
    }
}

/* Fills a block of `bytes` (a multiple of 4) with the poison NaN. */
static void tensor_poison_fill(void *data, size_t bytes)
{
    tensor_fill_words(data, bytes / sizeof(uint32_t), TENSOR_POISON_BITS);
}

/* Tensors created and not yet freed, for the tests' leak notes. */
static atomic_size_t tensor_live;

TENSOR_UNWATCHED
size_t tensor_live_count(void)
{
    return atomic_load(&tensor_live);
}

/* Adds d (+1 or -1) to the live tensors, unseen by TSan. */
TENSOR_UNWATCHED
static void tensor_live_add(int d)
{
    if (d > 0)
        atomic_fetch_add(&tensor_live, 1);
    else
        atomic_fetch_sub(&tensor_live, 1);
}

/*
 * Bytes of the data block of a tensor of `size` elements: rounded up to
 * TENSOR_ALIGN, plus TENSOR_ALIGN bytes of guard (tensor.h).
 */
static size_t tensor_block_bytes(size_t size)
{
    return (size * sizeof(float) + TENSOR_ALIGN - 1) / TENSOR_ALIGN * TENSOR_ALIGN +
           TENSOR_ALIGN;
}

/*
 * The guard word of the block at `data`: a signalling NaN whose payload
 * depends on the block's address.
 *   - A read past the end spoils a result (arithmetic on it gives a NaN).
 *   - Copying one block's guard into another's (y[n] = x[n]) breaks it.
 *   - Adding anything to it breaks it, +0 included: x86 (and IEEE 754)
 *     arithmetic returns a signalling NaN quieted, which sets bit 22.  A
 *     quiet NaN would survive `c[i] += 0.0f`, the store of a zero-padding
 *     row past C's last row.
 * Bit 20 set keeps the payload nonzero (an all-zero payload is infinity);
 * bit 21 clear makes it never the poison (0x7FA5A5A5 has bit 21 set),
 * which means "unwritten", with any quiet bit.
 */
static uint32_t tensor_guard_word(const void *data)
{
    uint32_t h = (uint32_t)(((uintptr_t)data >> 6) * 2654435761u);
    return 0x7F800000u | 0x00100000u | (h & 0x000FFFFFu);
}

/*
 * The guard is the harness's own memory: ThreadSanitizer need not watch
 * it.  Whoever writes into it, the write is an overrun that tensor_free()
 * tells, in the TSan run as in the tests build, and watching the guard's
 * fill and check was about a tenth of a TSan run of many small tensors.
 * So they are plain loops (memcpy() and memcmp() are intercepted whatever
 * the function's attributes), left uninstrumented.
 */
/* The guard's floats as the words they hold (may_alias: floats read as words). */
typedef uint32_t tensor_word __attribute__((may_alias));

/* Fills the guard: every float after the last element up to the block's end. */
TENSOR_UNWATCHED
static void tensor_guard_fill(float *data, size_t size, size_t bytes)
{
    const uint32_t word = tensor_guard_word(data);
    tensor_word *guard = (tensor_word *)(void *)&data[size];
    const size_t words = bytes / sizeof(float) - size;

    for (size_t i = 0; i < words; i++)
        guard[i] = word;
}

/* Blocks found with a broken guard (tensor_guard_intact, tensor_free). */
static atomic_size_t tensor_overruns;

TENSOR_UNWATCHED
int tensor_guard_intact(const Tensor *t)
{
    if (t == NULL)
        return 1;
    const uint32_t word = tensor_guard_word(t->data);
    const tensor_word *guard = (const tensor_word *)(const void *)&t->data[t->size];
    const size_t words = tensor_block_bytes(t->size) / sizeof(float) - t->size;
    uint32_t differ = 0;

    for (size_t i = 0; i < words; i++)
        differ |= guard[i] ^ word;
    return differ == 0;
}

TENSOR_UNWATCHED
size_t tensor_overrun_count(void)
{
    return atomic_load(&tensor_overruns);
}

TENSOR_UNWATCHED
static void tensor_overrun_add(void)
{
    atomic_fetch_add(&tensor_overruns, 1);
}

/* ---- allocation fault injection (tensor.h) ------------------------------ */

static atomic_size_t tensor_fault_at;    /* 0: off */
static atomic_size_t tensor_fault_seen;  /* allocations counted since armed */

TENSOR_UNWATCHED
void tensor_fail_alloc_at(size_t k)
{
    atomic_store(&tensor_fault_at, 0);
    atomic_store(&tensor_fault_seen, 0);
    atomic_store(&tensor_fault_at, k);
}

TENSOR_UNWATCHED
int tensor_alloc_fault(void)
{
    const size_t at = atomic_load(&tensor_fault_at);

    return at != 0 && atomic_fetch_add(&tensor_fault_seen, 1) + 1 == at;
}

TENSOR_UNWATCHED
size_t tensor_alloc_faults_counted(void)
{
    return atomic_load(&tensor_fault_seen);
}

/* The one piece of state: per thread, like errno (see tensor.h). */
static _Thread_local char tensor_error[256];

/* Elements shown at each end of an axis when tensor_fprint() elides. */
enum { TENSOR_EDGE_ITEMS = 3 };

void tensor_set_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(tensor_error, sizeof tensor_error, fmt, ap);
    va_end(ap);
}

void tensor_clear_error(void)
{
    tensor_error[0] = '\0';
}

const char *tensor_last_error(void)
{
    return tensor_error;
}

/*
 * Checks ndim and shape and computes the element count.  Returns 0, or -1
 * with the error set; `who` names the public function for the message.
 */
static int tensor_check_shape(const char *who, int ndim, const size_t shape[],
                              size_t *size_out)
{
    /* Largest count whose byte size, rounded up to TENSOR_ALIGN, fits. */
    const size_t max_elems = (SIZE_MAX - (TENSOR_ALIGN - 1)) / sizeof(float);
    size_t size = 1;

    if (ndim < 0 || ndim > TENSOR_MAX_DIMS) {
        tensor_set_error("%s: ndim %d is out of range 0..%d", who, ndim,
                         TENSOR_MAX_DIMS);
        return -1;
    }
    if (ndim > 0 && shape == NULL) {
        tensor_set_error("%s: shape is NULL for ndim %d", who, ndim);
        return -1;
    }
    for (int i = 0; i < ndim; i++) {
        if (shape[i] == 0) {
            tensor_set_error("%s: dimension %d is 0", who, i);
            return -1;
        }
        if (size > max_elems / shape[i]) {
            tensor_set_error("%s: shape too large (element count overflows)",
                             who);
            return -1;
        }
        size *= shape[i];
    }
    *size_out = size;
    return 0;
}

/*
 * The shared constructor: a tensor whose data is zero-filled when `zero`,
 * else poisoned (tests) or left as malloc gave it; NULL with the error set.
 */
static Tensor *tensor_alloc_as(const char *who, int ndim, const size_t shape[], bool zero)
{
    size_t size, bytes;
    void *data = NULL;
    Tensor *t;

    if (tensor_check_shape(who, ndim, shape, &size) < 0)
        return NULL;
    /* Cannot overflow: tensor_check_shape() bounded size for this. */
    bytes = tensor_block_bytes(size);
    t = tensor_alloc_fault() ? NULL : calloc(1, sizeof *t);
    if (t != NULL)
        data = tensor_cache_take(bytes);
    if (t == NULL || (data == NULL && posix_memalign(&data, TENSOR_ALIGN, bytes) != 0)) {
        free(t);
        tensor_set_error("%s: out of memory (%zu elements)", who, size);
        return NULL;
    }
    if (zero)
        memset(data, 0, bytes);
    else if (tensor_poison_wanted())
        tensor_poison_fill(data, bytes);
    tensor_guard_fill(data, size, bytes);
    tensor_live_add(+1);
    t->data = data;
    t->size = size;
    t->ndim = ndim;
    for (int i = 0; i < ndim; i++)
        t->shape[i] = shape[i];
    return t;
}

static Tensor *tensor_alloc(const char *who, int ndim, const size_t shape[])
{
    return tensor_alloc_as(who, ndim, shape, true);
}

Tensor *tensor_new(int ndim, const size_t shape[])
{
    return tensor_alloc("tensor_new", ndim, shape);
}

Tensor *tensor_empty(int ndim, const size_t shape[])
{
    return tensor_alloc_as("tensor_empty", ndim, shape, false);
}

Tensor *tensor_scalar(float value)
{
    Tensor *t = tensor_alloc("tensor_scalar", 0, NULL);

    if (t != NULL)
        t->data[0] = value;
    return t;
}

Tensor *tensor_new_1d(size_t n)
{
    const size_t shape[1] = {n};

    return tensor_alloc("tensor_new_1d", 1, shape);
}

Tensor *tensor_new_2d(size_t rows, size_t cols)
{
    const size_t shape[2] = {rows, cols};

    return tensor_alloc("tensor_new_2d", 2, shape);
}

Tensor *tensor_from(int ndim, const size_t shape[], const float *values)
{
    Tensor *t;

    if (values == NULL) {
        tensor_set_error("tensor_from: values is NULL");
        return NULL;
    }
    t = tensor_alloc("tensor_from", ndim, shape);
    if (t != NULL)
        memcpy(t->data, values, t->size * sizeof(float));
    return t;
}

Tensor *tensor_clone(const Tensor *t)
{
    Tensor *c;

    if (t == NULL) {
        tensor_set_error("tensor_clone: tensor is NULL");
        return NULL;
    }
    c = tensor_alloc("tensor_clone", t->ndim, t->shape);
    if (c != NULL)
        memcpy(c->data, t->data, c->size * sizeof(float));
    return c;
}

void tensor_free(Tensor *t)
{
    if (t == NULL)
        return;
    if (!tensor_guard_intact(t))
        tensor_overrun_add();
    tensor_cache_give(t->data, tensor_block_bytes(t->size));
    tensor_live_add(-1);
    free(t);
}

size_t tensor_size(const Tensor *t)
{
    return t != NULL ? t->size : 0;
}

int tensor_ndim(const Tensor *t)
{
    return t != NULL ? t->ndim : -1;
}

size_t tensor_dim(const Tensor *t, int axis)
{
    if (t == NULL || axis < 0 || axis >= t->ndim)
        return 0;
    return t->shape[axis];
}

int tensor_same_shape(const Tensor *a, const Tensor *b)
{
    if (a == NULL || b == NULL || a->ndim != b->ndim)
        return 0;
    for (int i = 0; i < a->ndim; i++) {
        if (a->shape[i] != b->shape[i])
            return 0;
    }
    return 1;
}

/* Appends to buf (capacity n, used *len) and keeps it NUL-terminated. */
static void tensor_buf_append(char *buf, size_t n, size_t *len, const char *s)
{
    size_t add = strlen(s);

    if (*len + 1 >= n)
        return;
    if (add > n - 1 - *len)
        add = n - 1 - *len;
    memcpy(buf + *len, s, add);
    *len += add;
    buf[*len] = '\0';
}

char *tensor_shape_str(const Tensor *t, char *buf, size_t n)
{
    size_t len = 0;
    char num[32];

    if (buf == NULL || n == 0)
        return buf;
    buf[0] = '\0';
    if (t == NULL) {
        tensor_buf_append(buf, n, &len, "NULL");
        return buf;
    }
    tensor_buf_append(buf, n, &len, "(");
    for (int i = 0; i < t->ndim && i < TENSOR_MAX_DIMS; i++) {
        snprintf(num, sizeof num, "%s%zu", i > 0 ? ", " : "", t->shape[i]);
        tensor_buf_append(buf, n, &len, num);
    }
    /* A 1-d shape prints as a Python tuple, "(5,)", as NumPy shows it. */
    tensor_buf_append(buf, n, &len, t->ndim == 1 ? ",)" : ")");
    return buf;
}

/* ---- printing ---------------------------------------------------------- */

/* Where tensor_fprint() writes, and whether any write failed. */
struct tensor_printer {
    FILE *out;
    const Tensor *t;
    int summarize;   /* elide the middle of long axes */
    int failed;      /* a write returned an error */
};

static void tensor_put(struct tensor_printer *p, const char *s)
{
    if (fputs(s, p->out) < 0)
        p->failed = 1;
}

static void tensor_put_value(struct tensor_printer *p, float v)
{
    if (fprintf(p->out, "%g", (double)v) < 0)
        p->failed = 1;
}

/* Writes count copies of c. */
static void tensor_put_repeat(struct tensor_printer *p, char c, int count)
{
    for (int i = 0; i < count; i++) {
        if (fputc(c, p->out) == EOF)
            p->failed = 1;
    }
}

/*
 * The separator between two entries of `axis`: ", " between numbers, and
 * between sub-arrays a newline, one blank line per further level, and an
 * indent that lines the brackets up, as NumPy does.
 */
static void tensor_put_separator(struct tensor_printer *p, int axis)
{
    int below = p->t->ndim - 1 - axis;   /* dimensions under each entry */

    if (below == 0) {
        tensor_put(p, ", ");
        return;
    }
    tensor_put(p, ",");
    tensor_put_repeat(p, '\n', below);
    tensor_put_repeat(p, ' ', axis + 1);
}

/* Elements between consecutive entries of `axis` (row-major stride). */
static size_t tensor_stride(const Tensor *t, int axis)
{
    size_t stride = 1;

    for (int i = axis + 1; i < t->ndim; i++)
        stride *= t->shape[i];
    return stride;
}

/* Prints the sub-array at `offset` that spans axes axis..ndim-1. */
static void tensor_put_axis(struct tensor_printer *p, int axis, size_t offset)
{
    const Tensor *t = p->t;
    size_t len = t->shape[axis], stride = tensor_stride(t, axis);
    int elide = p->summarize && len > 2 * TENSOR_EDGE_ITEMS;

    tensor_put(p, "[");
    for (size_t i = 0; i < len; i++) {
        if (elide && i == TENSOR_EDGE_ITEMS) {
            tensor_put(p, "...");
            tensor_put_separator(p, axis);
            i = len - TENSOR_EDGE_ITEMS;
        }
        if (axis + 1 == t->ndim)
            tensor_put_value(p, t->data[offset + i * stride]);
        else
            tensor_put_axis(p, axis + 1, offset + i * stride);
        if (i + 1 < len)
            tensor_put_separator(p, axis);
    }
    tensor_put(p, "]");
}

int tensor_fprint(FILE *out, const Tensor *t, size_t max_items)
{
    struct tensor_printer p = {out, t, 0, 0};

    if (out == NULL)
        return -1;
    if (t == NULL)
        tensor_put(&p, "NULL");
    else if (t->ndim == 0)
        tensor_put_value(&p, t->data[0]);
    else {
        p.summarize = max_items > 0 && t->size > max_items;
        tensor_put_axis(&p, 0, 0);
    }
    return p.failed ? -1 : 0;
}
