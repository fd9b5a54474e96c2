/*
 * test_hidden_edges.c -- hidden suite "hidden_edges": contract cases the
 * other suites leave out, each aimed at a class of realistic bugs.
 *
 *   sums          vectorized_operations on 1 to 19 small integers (exact
 *                 sums): a dropped remainder, a sum that does not start
 *                 at 0, a read past the end; x == y gives distance 0 and
 *                 orthogonal vectors dot product 0 exactly
 *   blocked       cache_friendly_matmul where a strip or a tile is full
 *                 to the last column (a write past the packed panel) and
 *                 where an infinity in A would spill NaN into the next
 *                 row if a partial strip stored its padding columns;
 *                 quantized_matmul with k a multiple of 32 (no padding)
 *                 and with 70 columns (a partial group to transpose)
 *   page ends     (in sums and blocked) vectorized_operations and the
 *                 blocked and quantized products on inputs whose data
 *                 end exactly where a page with no access begins: a read
 *                 past the last element (beyond its cache line, which ends
 *                 there too) crashes instead of reading a neighbour's
 *                 memory, such as a partial strip packed to its full width
 *   long_rows     quantized_matmul with k = 70000 (more than one 65536-long
 *                 accumulation chunk) and with 37 rows of 8192 (more than
 *                 one row block)
 *   batch         parallel_batch_processing: batch NULL with n = 1; a NULL
 *                 item 0 with an op that accepts NULL (the kernel must
 *                 refuse it); an op failing on item 0 after the last item
 *                 is done (every result freed and NULL)
 */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kernels.h"
#include "hidden_suites.h"

/* ---- inputs that end at a page with no access ----------------------------- */

/*
 * A copy of src whose last element ends exactly where a PROT_NONE page
 * begins.  src's size in bytes is a multiple of TENSOR_ALIGN, so its last
 * cache line ends there too (kernels may read whole vectors up to it,
 * tensor.h).  Not from tensor_new(): released with page_end_free().
 */
struct page_end {
    Tensor t;
    void *map;
    size_t len;
};

static const Tensor *page_end_copy(struct page_end *pe, const Tensor *src)
{
    const size_t bytes = src->size * sizeof(float);
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    const size_t data_pages = (bytes + page - 1) / page;

    ck_assert_msg(bytes % TENSOR_ALIGN == 0, "page_end_copy: %zu bytes", bytes);
    pe->len = (data_pages + 1) * page;
    pe->map = mmap(NULL, pe->len, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_msg(pe->map != MAP_FAILED, "page_end_copy: mmap failed");
    char *end = (char *)pe->map + data_pages * page;
    ck_assert_msg(mprotect(end, page, PROT_NONE) == 0, "page_end_copy: mprotect failed");
    pe->t = *src;
    pe->t.data = (float *)(void *)(end - bytes);
    memcpy(pe->t.data, src->data, bytes);
    return &pe->t;
}

static void page_end_free(struct page_end *pe)
{
    munmap(pe->map, pe->len);
}

/* ---- sums ------------------------------------------------------------------ */

/* vectorized_operations(x, y): the two sums, exactly (small integers). */
static void check_sums(const Tensor *x, const Tensor *y, const char *label)
{
    double dot = 0.0, d2 = 0.0;
    for (size_t i = 0; i < x->size; i++) {
        dot += (double)x->data[i] * y->data[i];
        d2 += ((double)x->data[i] - y->data[i]) * ((double)x->data[i] - y->data[i]);
    }
    VectorOps out;
    char what[96];
    snprintf(what, sizeof what, "vectorized_operations(%s)", label);
    int rc = vectorized_operations(x, y, &out);
    ck_assert_msg(rc == 0, "%s returned %d (kernels said: %s)", what, rc,
                  kernels_last_error());
    snprintf(what, sizeof what, "vectorized_operations(%s): dot product", label);
    tc_assert_float_close(out.dot_product->data[0], dot, 0, 0, what);
    snprintf(what, sizeof what, "vectorized_operations(%s): euclidean distance", label);
    tc_assert_float_close(out.euclidean_distance->data[0], sqrt(d2), 1e-6, 0, what);
    vector_ops_release(&out);
}

/* Fills the stack below the caller with garbage, so that a sum that is
 * never set to 0 starts from something else than a lucky 0. */
static void __attribute__((noinline)) dirty_stack(void)
{
    volatile double junk[512];
    for (size_t i = 0; i < 512; i++)
        junk[i] = 1e6 + (double)i;
    (void)junk[0];
}

TC_TEST(test_sums_lengths)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 801);
    for (size_t n = 1; n <= 19; n++) {
        const size_t shape[1] = {n};
        Tensor *x = tc_randn(&rng, 1, shape), *y = tc_randn(&rng, 1, shape);
        for (size_t i = 0; i < n; i++) {   /* small integers: exact sums */
            x->data[i] = (float)(tc_rng_next(&rng) % 9) - 4.0f;
            y->data[i] = (float)(tc_rng_next(&rng) % 9) - 4.0f;
        }
        char label[48];
        snprintf(label, sizeof label, "%zu small integers", n);
        dirty_stack();
        check_sums(x, y, label);
        tensor_free(x);
        tensor_free(y);
    }
}

TC_TEST(test_sums_zero)
{
    static const float a[] = {1, 2, 3, -4, 5, 6, -7, 8, 9, 10, 11};
    static const float b[] = {2, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0};   /* a . b = 0 */
    Tensor *x = tc_vector(11, a), *y = tc_vector(11, b), *z = tc_vector(11, a);
    dirty_stack();
    check_sums(x, z, "x, x: distance 0");
    dirty_stack();
    check_sums(x, y, "orthogonal: dot 0");
    tensor_free(x);
    tensor_free(y);
    tensor_free(z);
}

/* 16 and 48 floats (whole cache lines) ending at a page with no access:
 * the sums read nothing past the last element */
TC_TEST(test_sums_page_end)
{
    static const size_t lens[] = {16, 48};
    struct tc_rng rng;
    tc_rng_seed(&rng, 810);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        const size_t shape[1] = {lens[i]};
        Tensor *x = tc_randn(&rng, 1, shape), *y = tc_randn(&rng, 1, shape);
        for (size_t j = 0; j < lens[i]; j++) {   /* small integers: exact sums */
            x->data[j] = (float)(tc_rng_next(&rng) % 9) - 4.0f;
            y->data[j] = (float)(tc_rng_next(&rng) % 9) - 4.0f;
        }
        struct page_end px, py;
        const Tensor *ex = page_end_copy(&px, x), *ey = page_end_copy(&py, y);
        char label[64];
        snprintf(label, sizeof label, "%zu floats ending at a page with no access", lens[i]);
        check_sums(ex, ey, label);
        page_end_free(&px);
        page_end_free(&py);
        tensor_free(x);
        tensor_free(y);
    }
}

/* ---- blocked and quantized products ------------------------------------------ */

static void check_blocked(const Tensor *A, const Tensor *B, size_t block, const char *label)
{
    char what[96];
    snprintf(what, sizeof what, "cache_friendly_matmul(%s, block %zu)", label, block);
    Tensor *E = tc_ref_matmul(A, B);
    Tensor *C = cache_friendly_matmul(A, B, block);
    tc_assert_not_null(C, what);
    tc_assert_close(C, E, 1e-4, 1e-5, what);
    tensor_free(C);
    tensor_free(E);
}

/* full strips (32 and 64 columns) with blocks of their width: the packed
 * panel is written to its last float */
TC_TEST(test_blocked_full_strips)
{
    static const size_t cols[] = {32, 64, 96};
    struct tc_rng rng;
    tc_rng_seed(&rng, 802);
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        Tensor *A = tc_randn_2d(&rng, 5, 7), *B = tc_randn_2d(&rng, 7, cols[c]);
        char label[48];
        snprintf(label, sizeof label, "5x7 @ 7x%zu", cols[c]);
        check_blocked(A, B, cols[c], label);
        check_blocked(A, B, 64, label);
        check_blocked(A, B, 1000, label);
        tensor_free(A);
        tensor_free(B);
    }
}

/* an infinity in row 0 of A: row 0 is inf/NaN, rows 1.. stay finite even
 * where a partial strip's padding columns would land */
TC_TEST(test_blocked_inf_rows)
{
    static const size_t cols[] = {37, 5, 70};
    struct tc_rng rng;
    tc_rng_seed(&rng, 803);
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        Tensor *A = tc_randn_2d(&rng, 7, 3), *B = tc_randn_2d(&rng, 3, cols[c]);
        A->data[1] = INFINITY;
        A->data[3 * 3 + 2] = -INFINITY;
        B->data[0] = 0.0f;   /* inf * 0: NaN in column 0 */
        char label[48];
        snprintf(label, sizeof label, "7x3 with infinities @ 3x%zu", cols[c]);
        check_blocked(A, B, 64, label);
        check_blocked(A, B, 16, label);
        tensor_free(A);
        tensor_free(B);
    }
}

static void check_quantized(const Tensor *A, const Tensor *B, float sa, float sb,
                            const char *label)
{
    char what[96];
    snprintf(what, sizeof what, "quantized_matmul(%s)", label);
    Tensor *E = tc_ref_quantized_matmul(A, B, sa, sb);
    Tensor *C = quantized_matmul(A, B, sa, sb);
    tc_assert_not_null(C, what);
    tc_assert_exact(C, E, what);
    tensor_free(C);
    tensor_free(E);
}

/* k = 32 and 64: rows with no zero padding, quantized to the last value;
 * and B with 70 columns (a last group of 6 columns to transpose) */
TC_TEST(test_quantized_unpadded)
{
    struct tc_rng wide;
    tc_rng_seed(&wide, 809);
    Tensor *WA = tc_randn_2d(&wide, 2, 3), *WB = tc_randn_2d(&wide, 3, 70);
    check_quantized(WA, WB, 0.02f, 0.03f, "2x3 @ 3x70");
    tensor_free(WA);
    tensor_free(WB);

    static const size_t ks[] = {32, 64};
    struct tc_rng rng;
    tc_rng_seed(&rng, 804);
    for (size_t i = 0; i < sizeof ks / sizeof ks[0]; i++) {
        Tensor *A = tc_randn_2d(&rng, 3, ks[i]), *B = tc_randn_2d(&rng, ks[i], 5);
        char label[48];
        snprintf(label, sizeof label, "3x%zu @ %zux5", ks[i], ks[i]);
        check_quantized(A, B, 0.02f, 0.03f, label);
        Tensor *x = tc_randn_2d(&rng, 1, ks[i]);
        Tensor *E = tc_ref_quantized_relu(x, 0.02f), *y = quantized_relu(x, 0.02f);
        tc_assert_not_null(y, "quantized_relu(1 x k)");
        tc_assert_exact(y, E, "quantized_relu(1 x k)");
        tensor_free(y);
        tensor_free(E);
        tensor_free(x);
        tensor_free(A);
        tensor_free(B);
    }
}

/*
 * Products whose inputs end at a page with no access: 5 rows (a partial
 * strip of A for every MR) and 48 columns (a partial strip of B of 16),
 * so packing a partial strip to its full height or width reads past the
 * end of A or B.
 */
TC_TEST(test_blocked_page_end)
{
    static const size_t blocks[] = {16, 32, 1000};
    struct tc_rng rng;
    tc_rng_seed(&rng, 811);
    Tensor *A = tc_randn_2d(&rng, 5, 48), *B = tc_randn_2d(&rng, 48, 48);
    struct page_end pa, pb;
    const Tensor *ea = page_end_copy(&pa, A), *eb = page_end_copy(&pb, B);
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        check_blocked(ea, eb, blocks[i], "5x48 @ 48x48 ending at pages with no access");
    check_quantized(ea, eb, 0.02f, 0.03f, "5x48 @ 48x48 ending at pages with no access");
    page_end_free(&pa);
    page_end_free(&pb);
    tensor_free(A);
    tensor_free(B);
}

/* k = 70000: more than one accumulation chunk of 65536 products */
TC_TEST(test_quantized_long_k)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 805);
    Tensor *A = tc_randn_2d(&rng, 3, 70000), *B = tc_randn_2d(&rng, 70000, 5);
    check_quantized(A, B, 0.05f, 0.04f, "3x70000 @ 70000x5");
    tensor_free(A);
    tensor_free(B);
}

/* 37 rows of 8192: more rows than one row block of a 1 MB cache holds */
TC_TEST(test_quantized_many_rows)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 806);
    Tensor *A = tc_randn_2d(&rng, 37, 8192), *B = tc_randn_2d(&rng, 8192, 3);
    check_quantized(A, B, 0.05f, 0.04f, "37x8192 @ 8192x3");
    tensor_free(A);
    tensor_free(B);
}

/* ---- batch ------------------------------------------------------------------ */

enum { EDGE_BATCH = 9 };

/* An op that does not look at its item: it returns a new scalar 1. */
static Tensor *ignore_op(const Tensor *x, void *ctx)
{
    (void)x;
    tc_count((atomic_int *)ctx);
    return tensor_scalar(1.0f);
}

/* Any non-NULL pointer the kernel must overwrite with NULL on failure. */
static Tensor sentinel;

/*
 * The same batch with an op that succeeds works: a kernel that always
 * fails must not pass the failure tests below.
 */
static void expect_success(const Tensor *const batch[], size_t n, int workers, Tensor *out[],
                           const char *what)
{
    atomic_int calls;
    atomic_init(&calls, 0);
    tensor_clear_error();
    int rc = parallel_batch_processing(batch, n, ignore_op, &calls, workers, out);
    ck_assert_msg(rc == 0, "%s: with good arguments it returned %d (%s)", what, rc,
                  tensor_last_error());
    ck_assert_msg(tc_count_get(&calls) == (int)n, "%s: the op ran %d times for %zu items",
                  what, tc_count_get(&calls), n);
    for (size_t i = 0; i < n; i++) {
        tc_assert_msg(out[i] != NULL, "%s: out[%zu] is NULL", what, i);
        tensor_free(out[i]);
    }
}

static void expect_failure(const Tensor *const batch[], size_t n, TensorOp op, void *ctx,
                           int workers, Tensor *out[], const char *what)
{
    const size_t live = tensor_live_count();
    for (size_t i = 0; i < n; i++)
        out[i] = &sentinel;
    tensor_clear_error();
    tc_join_watch(1);     /* an op may hold its worker until the kernel joins it */
    int rc = parallel_batch_processing(batch, n, op, ctx, workers, out);
    tc_join_watch(0);
    tc_assert_error(rc == -1, what);
    for (size_t i = 0; i < n; i++)
        tc_assert_msg(out[i] == NULL, "%s failed but left out[%zu] non-NULL", what, i);
    ck_assert_msg(tensor_live_count() == live, "%s failed but left %zu result(s) "
                  "alive (they must be freed)", what, tensor_live_count() - live);
}

TC_TEST(test_batch_null_args)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 807);
    Tensor *items[EDGE_BATCH], *out[EDGE_BATCH];
    for (size_t i = 0; i < EDGE_BATCH; i++)
        items[i] = tc_randn_2d(&rng, 2, 2);
    expect_success((const Tensor *const *)items, EDGE_BATCH, 3, out,
                   "parallel_batch_processing(9 items, 3 workers)");
    atomic_int calls;
    atomic_init(&calls, 0);
    expect_failure(NULL, 1, ignore_op, &calls, 2, out,
                   "parallel_batch_processing(batch NULL, n 1)");
    Tensor *saved = items[0];
    items[0] = NULL;
    expect_failure((const Tensor *const *)items, EDGE_BATCH, ignore_op, &calls, 3, out,
                   "parallel_batch_processing(batch[0] NULL, an op that accepts NULL)");
    items[0] = saved;
    saved = items[EDGE_BATCH - 1];
    items[EDGE_BATCH - 1] = NULL;
    expect_failure((const Tensor *const *)items, EDGE_BATCH, ignore_op, &calls, 1, out,
                   "parallel_batch_processing(last item NULL, an op that accepts NULL)");
    items[EDGE_BATCH - 1] = saved;
    for (size_t i = 0; i < EDGE_BATCH; i++)
        tensor_free(items[i]);
}

/*
 * Item 0 fails, but only once the last item's result exists.  An op on a
 * worker returns only when the kernel joins it (tcheck.h) if it is the
 * last item's or comes after the failure, so some worker is still busy
 * when the kernel learns of the failure, whichever thread ran item 0: a
 * kernel that decides, or cleans up, before it joins then fails every
 * time, not only when a worker happens to be late.
 */
struct late_fail {
    const Tensor *first, *last;
    atomic_int last_done, failed;
};

static Tensor *late_fail_op(const Tensor *x, void *ctx)
{
    struct late_fail *lf = ctx;
    if (x == lf->first) {
        /* at most 5 s: a kernel that runs the items on one thread in order
         * never does the last first, and fails the check below anyway */
        for (int i = 0; i < 5000 && !atomic_load(&lf->last_done); i++)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
        tc_count(&lf->failed);
        tc_hold_until_join();
        return NULL;
    }
    Tensor *y = tensor_clone(x);
    if (x == lf->last)
        atomic_store(&lf->last_done, 1);
    if (x == lf->last || tc_count_get(&lf->failed))
        tc_hold_until_join();
    return y;
}

TC_TEST(test_batch_fail_after_last)
{
    struct tc_rng rng;
    tc_rng_seed(&rng, 808);
    Tensor *items[EDGE_BATCH], *out[EDGE_BATCH];
    for (size_t i = 0; i < EDGE_BATCH; i++)
        items[i] = tc_randn_2d(&rng, 2, 3);
    expect_success((const Tensor *const *)items, EDGE_BATCH, 3, out,
                   "parallel_batch_processing(9 items, 3 workers)");
    struct late_fail lf = {items[0], items[EDGE_BATCH - 1], 0, 0};
    expect_failure((const Tensor *const *)items, EDGE_BATCH, late_fail_op, &lf, 3, out,
                   "parallel_batch_processing(op fails on item 0 after item 8 is done, "
                   "3 workers)");
    for (size_t i = 0; i < EDGE_BATCH; i++)
        tensor_free(items[i]);
}

static const TTest *const sums_tests[] = {
    TC_REF(test_sums_lengths), TC_REF(test_sums_zero), TC_REF(test_sums_page_end), NULL,
};
static const TTest *const blocked_tests[] = {
    TC_REF(test_blocked_full_strips), TC_REF(test_blocked_inf_rows),
    TC_REF(test_quantized_unpadded), TC_REF(test_blocked_page_end), NULL,
};
static const TTest *const long_tests[] = {
    TC_REF(test_quantized_long_k), TC_REF(test_quantized_many_rows), NULL,
};
static const TTest *const batch_tests[] = {
    TC_REF(test_batch_null_args), TC_REF(test_batch_fail_after_last), NULL,
};

static const struct tc_case hidden_edges_cases[] = {
    {"sums", sums_tests, 0},
    {"blocked", blocked_tests, 0},
    {"long_rows", long_tests, 0},
    {"batch", batch_tests, 0},
    {NULL, NULL, 0},
};

const struct tc_suite hidden_edges_suite = {"hidden_edges", hidden_edges_cases};
