/*
 * perf_ref.h -- what the performance program measures a student's
 * kernels against: seeded inputs, the naive kernels the metrics are
 * ratios to, and exact references that decide whether a measured result
 * is correct.  Prefix pref_.  Trusted harness code, compiled with the
 * same flags as the student's file in the performance build.
 */
#ifndef PERF_REF_H
#define PERF_REF_H

#include <stddef.h>
#include <stdint.h>

#include "kernels.h"
#include "tensor.h"

/** A small deterministic generator (splitmix64). */
struct pref_rng {
    uint64_t state;
};

void pref_rng_seed(struct pref_rng *rng, uint64_t seed);

/** Uniform in [lo, hi), from the top 24 bits of the next value. */
float pref_rng_uniform(struct pref_rng *rng, float lo, float hi);

/**
 * A new rows x cols matrix (rows 0: a vector of cols elements) of
 * uniform values in [lo, hi), or NULL (out of memory: the reason is in
 * tensor_last_error()).
 */
Tensor *pref_random(struct pref_rng *rng, size_t rows, size_t cols, float lo, float hi);

/**
 * The naive product: for every (i, j), a float dot product of row i of A
 * and column j of B (the textbook i-j-k loop, which walks B down its
 * columns).  A and B are valid, compatible matrices.  NULL on OOM.
 */
Tensor *pref_naive_matmul(const Tensor *A, const Tensor *B);

/**
 * The naive int8 product with kernels.h's quantization rule: quantize
 * both operands, then the i-j-k loop with int32 sums.  Bit-exact, so it
 * is also the reference quantized_matmul() must equal.  NULL on OOM.
 */
Tensor *pref_naive_quantized_matmul(const Tensor *A, const Tensor *B,
                                    float scale_A, float scale_B);

/** The naive ReLU: one element at a time, no vectorization. */
Tensor *pref_naive_relu(const Tensor *x);

/**
 * The naive quantized ReLU with kernels.h's rule, one element at a time:
 * (float)max(0, quantize(x, scale)) * scale.  Bit-exact.  NULL on OOM.
 */
Tensor *pref_naive_quantized_relu(const Tensor *x, float scale);

/**
 * The five results of vectorized_operations(), naively: one scalar pass
 * per result, the sums in double (the contract's precision).  Returns 0,
 * or -1 on OOM (*out all NULL).  Release with vector_ops_release().
 */
int pref_naive_operations(const Tensor *x, const Tensor *y, VectorOps *out);

/** A @ B accumulated in double, rounded once: the check for float products. */
Tensor *pref_exact_matmul(const Tensor *A, const Tensor *B);

/**
 * 0 if `got` has `want`'s shape and every element satisfies
 * |got - want| <= atol + rtol * |want| (NaN matches NaN only; rtol = atol
 * = 0 asks for bit-equal values).  Else -1 with the first difference in
 * why[n], e.g. "element 1234: expected 5.5, got 0".
 */
int pref_compare(const Tensor *got, const Tensor *want, double rtol, double atol,
                 char *why, size_t n);

#endif /* PERF_REF_H */
