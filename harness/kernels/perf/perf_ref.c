/*
 * perf_ref.c -- seeded inputs, naive kernels and exact references for
 * the performance program.
 *
 * The naive kernels define "1.0" of every performance metric, so they
 * must not change with the compiler's mood: the i-j-k products sum in a
 * scalar float (gcc may not reassociate it without -ffast-math, so it
 * stays scalar), and the naive ReLU is compiled without the vectorizer.
 *
 * This file ships in the student release with the performance program
 * (docs/shipping.md): the naive kernels are the textbook loops whose
 * semantics tcheck.h's tc_ref_* already give students, and they share no
 * line with the reference solution (`grader release` scans for that).
 */
#include "perf_ref.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

void pref_rng_seed(struct pref_rng *rng, uint64_t seed)
{
    rng->state = seed;
}

/* splitmix64 by Sebastiano Vigna. */
static uint64_t pref_rng_next(struct pref_rng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

float pref_rng_uniform(struct pref_rng *rng, float lo, float hi)
{
    float u = (float)(pref_rng_next(rng) >> 40) * 0x1p-24f;   /* [0, 1), exact */
    float r = lo + (hi - lo) * u;
    return r < hi ? r : lo;
}

Tensor *pref_random(struct pref_rng *rng, size_t rows, size_t cols, float lo, float hi)
{
    Tensor *t = rows > 0 ? tensor_new_2d(rows, cols) : tensor_new_1d(cols);
    for (size_t i = 0; t != NULL && i < t->size; i++)
        t->data[i] = pref_rng_uniform(rng, lo, hi);
    return t;
}

Tensor *pref_naive_matmul(const Tensor *A, const Tensor *B)
{
    const size_t m = A->shape[0];   /* A is m x k, B is k x n */
    const size_t k = A->shape[1];
    const size_t n = B->shape[1];
    Tensor *C = tensor_new_2d(m, n);
    for (size_t i = 0; C != NULL && i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            float sum = 0.0f;
            for (size_t p = 0; p < k; p++)
                sum += A->data[i * k + p] * B->data[p * n + j];
            C->data[i * n + j] = sum;
        }
    }
    return C;
}

/* kernels.h's rule: clamp(round_half_even(x / scale), -128, 127), NaN -> 0. */
static int8_t pref_quantize(float x, float scale)
{
    float v = x / scale;
    if (isnan(v))
        return 0;
    v = v < -128.0f ? -128.0f : v > 127.0f ? 127.0f : v;
    return (int8_t)rintf(v);
}

static int8_t *pref_quantize_all(const Tensor *t, float scale)
{
    int8_t *q = malloc(t->size);
    for (size_t i = 0; q != NULL && i < t->size; i++)
        q[i] = pref_quantize(t->data[i], scale);
    return q;
}

Tensor *pref_naive_quantized_matmul(const Tensor *A, const Tensor *B,
                                    float scale_A, float scale_B)
{
    const size_t m = A->shape[0];   /* A is m x k, B is k x n */
    const size_t k = A->shape[1];
    const size_t n = B->shape[1];
    int8_t *qa = pref_quantize_all(A, scale_A), *qb = pref_quantize_all(B, scale_B);
    Tensor *C = qa && qb ? tensor_new_2d(m, n) : NULL;
    const float scale = scale_A * scale_B;
    for (size_t i = 0; C != NULL && i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            int32_t acc = 0;
            for (size_t p = 0; p < k; p++)
                acc += qa[i * k + p] * qb[p * n + j];
            C->data[i * n + j] = (float)acc * scale;
        }
    }
    free(qa);
    free(qb);
    return C;
}

/* One element at a time: the vectorizer would make this the fast kernel. */
__attribute__((optimize("no-tree-vectorize")))
Tensor *pref_naive_relu(const Tensor *x)
{
    Tensor *y = tensor_new(x->ndim, x->shape);
    for (size_t i = 0; y != NULL && i < x->size; i++)
        y->data[i] = x->data[i] < 0.0f ? 0.0f : x->data[i];
    return y;
}

__attribute__((optimize("no-tree-vectorize")))
Tensor *pref_naive_quantized_relu(const Tensor *x, float scale)
{
    Tensor *y = tensor_new(x->ndim, x->shape);
    for (size_t i = 0; y != NULL && i < x->size; i++) {
        int q = pref_quantize(x->data[i], scale);
        y->data[i] = (float)(q < 0 ? 0 : q) * scale;
    }
    return y;
}

/* A new tensor of x's shape, or of none (0-d) when scalar. */
static Tensor *pref_like(const Tensor *x, int scalar)
{
    return scalar ? tensor_scalar(0.0f) : tensor_new(x->ndim, x->shape);
}

__attribute__((optimize("no-tree-vectorize")))
int pref_naive_operations(const Tensor *x, const Tensor *y, VectorOps *out)
{
    double dot = 0.0, sq = 0.0;
    *out = (VectorOps){pref_like(x, 0), pref_like(x, 0), pref_like(x, 0), pref_like(x, 1),
                       pref_like(x, 1)};
    if (!out->element_wise_multiply || !out->element_wise_add || !out->squared_difference ||
        !out->euclidean_distance || !out->dot_product) {
        vector_ops_release(out);
        return -1;
    }
    for (size_t i = 0; i < x->size; i++)
        out->element_wise_multiply->data[i] = x->data[i] * y->data[i];
    for (size_t i = 0; i < x->size; i++)
        out->element_wise_add->data[i] = x->data[i] + y->data[i];
    for (size_t i = 0; i < x->size; i++) {
        const float d = x->data[i] - y->data[i];
        out->squared_difference->data[i] = d * d;
    }
    for (size_t i = 0; i < x->size; i++) {
        const double d = (double)(x->data[i] - y->data[i]);
        sq += d * d;
        dot += (double)x->data[i] * (double)y->data[i];
    }
    out->euclidean_distance->data[0] = (float)sqrt(sq);
    out->dot_product->data[0] = (float)dot;
    return 0;
}

Tensor *pref_exact_matmul(const Tensor *A, const Tensor *B)
{
    const size_t m = A->shape[0];   /* A is m x k, B is k x n */
    const size_t k = A->shape[1];
    const size_t n = B->shape[1];
    Tensor *C = tensor_new_2d(m, n);
    double *row = C ? calloc(n, sizeof *row) : NULL;
    for (size_t i = 0; row != NULL && i < m; i++) {
        for (size_t j = 0; j < n; j++)
            row[j] = 0.0;
        for (size_t p = 0; p < k; p++) {
            const double a = A->data[i * k + p];
            for (size_t j = 0; j < n; j++)
                row[j] += a * B->data[p * n + j];
        }
        for (size_t j = 0; j < n; j++)
            C->data[i * n + j] = (float)row[j];
    }
    if (C != NULL && row == NULL) {
        tensor_free(C);
        C = NULL;
    }
    free(row);
    return C;
}

/* Whether one element is within tolerance (allclose's rule; NaN == NaN). */
static int pref_close(float got, float want, double rtol, double atol)
{
    if (isnan(want) || isnan(got))
        return isnan(want) && isnan(got);
    if (rtol == 0.0 && atol == 0.0)
        return got == want;
    return fabs((double)got - (double)want) <= atol + rtol * fabs((double)want);
}

int pref_compare(const Tensor *got, const Tensor *want, double rtol, double atol,
                 char *why, size_t n)
{
    char gs[64], ws[64];
    if (got == NULL) {
        snprintf(why, n, "the kernel returned NULL: %s", tensor_last_error());
        return -1;
    }
    if (!tensor_same_shape(got, want)) {
        snprintf(why, n, "shape %s, expected %s", tensor_shape_str(got, gs, sizeof gs),
                 tensor_shape_str(want, ws, sizeof ws));
        return -1;
    }
    for (size_t i = 0; i < want->size; i++) {
        if (!pref_close(got->data[i], want->data[i], rtol, atol)) {
            snprintf(why, n, "element %zu: expected %.9g, got %.9g", i,
                     (double)want->data[i], (double)got->data[i]);
            return -1;
        }
    }
    return 0;
}
