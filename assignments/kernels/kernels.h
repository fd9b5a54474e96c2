/*
 * kernels.h -- the Kernels assignment: hardware-optimized ML operations.
 *
 * A C port of TinyTorch's Kernels module.  You implement these functions
 * in kernels.c; everything else (this header, the tensor library, the
 * tests) is given.  See README.md for the tasks.
 *
 * Conventions, shared by every kernel:
 *   - Inputs are never modified.  A returned Tensor is new and owned by
 *     the caller, who frees it with tensor_free().
 *   - On bad input a kernel returns NULL (or a negative int), sets a
 *     reason with tensor_set_error() that kernels_last_error() returns,
 *     and leaks nothing.  It never crashes or aborts.  Bad input is: a
 *     NULL pointer, a tensor of the wrong rank, inner dimensions that
 *     differ, block_size 0, num_workers < 1, a scale that is not finite
 *     and positive, or shapes that differ where they must match.
 *   - Running out of resources is treated like bad input: when an
 *     allocation (malloc and friends, or a tensor) fails or a thread
 *     cannot be started, the kernel frees what it allocated, joins the
 *     threads it started, sets a reason, and returns NULL (or -1).  The
 *     hidden tests make each allocation and thread start fail in turn.
 *   - ReLU propagates NaN, as NumPy's np.maximum(0, x) does, and every
 *     float kernel follows IEEE arithmetic on NaN and infinities: a
 *     product with 0 * inf in a sum is NaN, so skipping zero entries is
 *     not allowed.
 *   - Quantization to int8 is exact and saturating:
 *         q = clamp(round_half_even(x / scale), -128, 127)
 *     computed in float32 (x / scale, not x * (1 / scale)); NaN
 *     quantizes to 0 and +-infinity saturates.  rintf() rounds half to
 *     even under the default rounding mode; roundf() does not.
 */
/*
 * Performance rules (graded: README.md, "Performance tests").  Each kernel
 * has one performance test: the grader runs it once on fixed inputs under
 * valgrind's callgrind (simulated machine, so the counts are the same on
 * every run and machine) and compares a count with the same count of a
 * naive kernel of the harness.  Instructions are counted outside the C
 * library (memcpy and memset cost nothing there); cache misses everywhere,
 * with an 8 KiB 8-way L1 data cache and a 256 KiB last level.
 *   matmul_baseline 96x96:         instructions / i-j-k loop's: full <= 1.2, none >= 3
 *   cache_friendly_matmul(., 16):  L1 data misses / i-j-k loop's: full <= 0.025, none >= 0.1
 *   vectorized_relu 2^16:          instructions / scalar loop's: full <= 0.3, none >= 0.8
 *   vectorized_operations 2^16:    instructions / five scalar passes': full <= 0.5, none >= 1.5
 *   quantized_matmul 96x96:        instructions / int8 i-j-k loop's: full <= 0.2, none >= 0.6
 *   quantized_relu 2^16:           instructions / scalar loop's: full <= 0.4, none >= 1.0
 *   parallel_relu(x, 4) 2^16 and parallel_batch_processing(32 items, 4):
 *       all or nothing: 4 threads started, or 3 helpers while the calling
 *       thread computes a share; for parallel_relu the least busy of the 4
 *       does at least half the instructions of the busiest; all threads
 *       together at most 1.5 times the sequential kernel's instructions.
 * Between full and none, points are linear.  Only correct results count.
 * Measure locally:
 *   valgrind --tool=callgrind --cache-sim=yes --D1=8192,8,64 --LL=262144,16,64 ./prog
 *   callgrind_annotate callgrind.out.*    (Ir: instructions, D1mr + D1mw: L1 misses)
 */
#ifndef KERNELS_H
#define KERNELS_H

#include <stddef.h>

#include "tensor.h"

/** The reason the last kernel call on this thread failed ("" if none). */
static inline const char *kernels_last_error(void)
{
    return tensor_last_error();
}

/* ---- Step 1: the baseline ------------------------------------------- */

/**
 * C = A @ B for 2-D A (m x k) and B (k x n): the plain triple loop, the
 * reference every optimized kernel is compared against.  Returns a new
 * m x n tensor, or NULL on bad input.
 */
Tensor *matmul_baseline(const Tensor *A, const Tensor *B);

/* ---- Step 2: vectorized operations (SIMD) --------------------------- */

/**
 * max(0, x) for every element, any shape (0-d to 4-d); NaN stays NaN.
 * Returns a new tensor of x's shape, or NULL if x is NULL.
 */
Tensor *vectorized_relu(const Tensor *x);

/** The five results of vectorized_operations(); each owned by the struct. */
typedef struct VectorOps {
    Tensor *element_wise_multiply; /* x * y, x's shape */
    Tensor *element_wise_add;      /* x + y, x's shape */
    Tensor *squared_difference;    /* (x - y)^2, x's shape */
    Tensor *euclidean_distance;    /* sqrt(sum((x - y)^2)), 0-d */
    Tensor *dot_product;           /* sum(x * y) over the flattened inputs, 0-d */
} VectorOps;

/**
 * Fills *out with the five element-wise results of x and y, which must
 * have the same shape.  Returns 0, or -1 on bad input or out of memory;
 * on failure every field of *out is NULL.  Release the results with
 * vector_ops_release().
 */
int vectorized_operations(const Tensor *x, const Tensor *y, VectorOps *out);

/** Frees the five tensors of *ops and sets them to NULL; NULL is a no-op. */
void vector_ops_release(VectorOps *ops);

/* ---- Step 3: cache-friendly (blocked) matrix multiplication ---------- */

/**
 * C = A @ B computed tile by tile: block_size x block_size tiles of C, A
 * and B, so that each tile is reused while it is still in cache.  Any
 * block_size >= 1 works, including ones that do not divide the matrix
 * sizes and ones larger than them.  32 is a good default.
 */
Tensor *cache_friendly_matmul(const Tensor *A, const Tensor *B,
                              size_t block_size);

/* ---- Step 4: parallel processing (pthreads) ------------------------- */

/**
 * The input size from which parallel_relu() must really use its workers.
 * Below it a kernel may compute inline (starting a thread costs more
 * than a small ReLU); from it on, a call with W = min(num_workers, size)
 * workers starts W threads with pthread_create(), or W - 1 threads while
 * the calling thread computes one chunk itself.  The tests count the
 * threads each call starts (by linking with -Wl,--wrap=pthread_create).
 */
#define PARALLEL_THREADS_FROM 65536

/**
 * vectorized_relu() computed by num_workers POSIX threads, each on one
 * contiguous chunk; chunk sizes differ by at most one element, and every
 * element is written (the tests fill new tensors with a NaN pattern, so
 * an element left alone fails).  From PARALLEL_THREADS_FROM elements on,
 * the workers are threads as said above.  Inputs smaller than one chunk
 * per worker, or num_workers larger than the element count, still work.
 * Returns NULL on bad input (num_workers < 1) or if a thread cannot be
 * started (nothing leaks).
 */
Tensor *parallel_relu(const Tensor *x, int num_workers);

/** An operation applied to one tensor of a batch; returns a new tensor or NULL. */
typedef Tensor *(*TensorOp)(const Tensor *x, void *ctx);

/**
 * out[i] = op(batch[i], ctx) for i in 0..n-1, on num_workers threads,
 * results in input order (out[i] is op(batch[i]) whichever item finishes
 * first), op called exactly once per item.  With n >= num_workers, the
 * call starts num_workers threads, or num_workers - 1 while the calling
 * thread works too (the tests count them).  n may be 0.  Returns 0, or -1
 * if an argument is bad or any op call returns NULL; on failure every
 * out[i] is NULL and results already computed are freed.
 */
int parallel_batch_processing(const Tensor *const batch[], size_t n,
                              TensorOp op, void *ctx, int num_workers,
                              Tensor *out[]);

/* ---- Step 5: timing (given) ----------------------------------------- */

/**
 * Runs fn(ctx) once and returns the wall-clock time it took, in
 * microseconds (CLOCK_MONOTONIC).  Given, not a TODO.
 */
double time_kernel(void (*fn)(void *ctx), void *ctx);

/* ---- Step 6: quantized (int8) kernels ------------------------------- */

/**
 * A @ B through int8: quantize A with scale_A and B with scale_B (see the
 * rule at the top), multiply the int8 matrices with int32 accumulators,
 * and return C[i][j] = (float)acc * (scale_A * scale_B), the product of
 * the scales taken in float32.  Bit-exact.
 */
Tensor *quantized_matmul(const Tensor *A, const Tensor *B,
                         float scale_A, float scale_B);

/**
 * ReLU in the int8 domain: q = quantize(x, scale), max(0, q), and back:
 * y = (float)max(0, q) * scale.  Any shape.  Bit-exact.
 */
Tensor *quantized_relu(const Tensor *x, float scale);

#endif /* KERNELS_H */
