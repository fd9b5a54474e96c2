/*
 * kernels.c -- the Kernels assignment: hardware-optimized ML operations.
 *
 * You write every function declared in kernels.h except
 * vector_ops_release() and time_kernel(), which are given.  The steps go
 * from the plain triple loop to kernels that use the cache hierarchy,
 * SIMD units, several cores and int8 arithmetic, the tricks behind the
 * speed of PyTorch, TensorFlow and every BLAS library.
 *
 * Each function below has a TODO comment: what to do, step by step, and
 * the hardware facts that matter.  Work in order; every step is tested
 * separately (`make test`, or `make test ONLY=vectorized` for one suite),
 * and `make test SAN=1` runs the same tests under AddressSanitizer, which
 * catches out-of-bounds accesses and leaks that plain runs miss.
 *
 * THE RULES (kernels.h has the full contract):
 *   - Never modify an input.  Return a new tensor (tensor_new() and
 *     friends); the caller frees it.
 *   - On bad input call tensor_set_error("...") with a reason that says
 *     what was wrong, free everything you allocated, and return NULL (or
 *     -1).  Never end the process (exit, abort) or assert on user input.
 *   - Tensors are row-major and contiguous: element (r, c) of an R x C
 *     matrix M is M->data[r * C + c], and any tensor can be walked as a
 *     flat array of t->size floats.  t->data is 64-byte aligned.
 *
 * NUMBERS WORTH KNOWING (a typical x86-64 core):
 *   - A cache line is 64 bytes = 16 floats.  Memory moves in whole lines,
 *     so reading one float costs as much as reading its 15 neighbours.
 *   - L1 data cache 32-48 KB (~4 cycles), L2 1-2 MB (~14 cycles), L3
 *     shared (~40-70 cycles), DRAM ~200+ cycles.  A kernel is fast when
 *     the data it touches repeatedly fits in the level it is reused from.
 *   - SIMD registers hold 4 floats (SSE), 8 (AVX2) or 16 (AVX-512); with
 *     FMA a core retires two 8-wide multiply-adds per cycle: 32 flops.
 *     There are 16 vector registers (32 with AVX-512).
 *   - gcc -O3 turns simple loops into SIMD code by itself when the loop
 *     reads and writes contiguous arrays, has no branches it cannot turn
 *     into selects (`c ? a : b` is fine), and its pointers cannot overlap
 *     (say so with `restrict`).  -fopt-info-vec shows what it did.
 *   - In ISO C mode (-std=c11) gcc may not fuse a * b + c into one FMA
 *     instruction, since that changes the rounding; fmaf(a, b, c) asks
 *     for the fused operation explicitly.
 */
#include "kernels.h"

#include <math.h>      /* isnan, isfinite, rintf, sqrt, fmaf */
#include <pthread.h>   /* pthread_create, pthread_join */
#include <stdatomic.h> /* atomic_size_t: a counter threads can share */
#include <stdint.h>    /* int8_t, int16_t, int32_t, int64_t */
#include <stdio.h>     /* snprintf */
#include <stdlib.h>    /* malloc, calloc, aligned_alloc, free */
#include <string.h>    /* memset, strerror */

/* TODO: your code here. */

/* ======================================================================
 * Step 1: the baseline
 * ====================================================================== */

/*
 * matmul_baseline(A, B): C = A @ B with the plain triple loop.
 *
 * TODO: compute C = A @ B for a 2-D A (m x k) and a 2-D B (k x n).  This
 * is the reference every optimized kernel is compared with, so make it
 * obviously correct.
 *
 * STEP-BY-STEP IMPLEMENTATION:
 *   1. Validate the input: A and B non-NULL, both 2-D (ndim == 2), and
 *      A->shape[1] == B->shape[0].  Otherwise tensor_set_error() with a
 *      reason (show the shapes: tensor_shape_str() formats them) and
 *      return NULL.
 *   2. Allocate C = tensor_new_2d(m, n).  It starts zero-filled.  If it
 *      returns NULL, return NULL (it has already set the reason).
 *   3. Three loops: i over the m rows of C, p over the k columns of A,
 *      j over the n columns of C:
 *          C[i][j] += A[i][p] * B[p][j]
 *   4. Return C.
 *
 * WHY THE LOOP ORDER i-p-j AND NOT THE TEXTBOOK i-j-p:
 *   - i-j-p computes one C[i][j] at a time as a dot product, walking B
 *     down a column: B[0][j], B[1][j], ... are n floats apart, so every
 *     load touches a different cache line and uses 4 of its 64 bytes.
 *   - i-p-j keeps A[i][p] in a register and streams along row p of B and
 *     row i of C, both contiguous.  Every byte of every line is used, the
 *     hardware prefetcher sees a sequential stream, and the inner loop is
 *     one gcc vectorizes (8 floats per instruction with AVX2).  Same
 *     arithmetic, often 5-10x faster.
 *
 * EXAMPLE:
 *     A = [[1, 2], [3, 4]], B = [[5, 6], [7, 8]]  ->  [[19, 22], [43, 50]]
 *
 * LEARNING CONNECTIONS:
 *   - The seed's baseline wrapped np.dot, which calls a BLAS library.
 *     Here you write the loop those libraries start from.
 */
Tensor *matmul_baseline(const Tensor *A, const Tensor *B)
{
    /* TODO: your code here. */
    (void)A; (void)B; tensor_set_error("still a TODO"); return NULL;
}

/* ======================================================================
 * Step 2: vectorized operations (SIMD)
 * ====================================================================== */

/* TODO: your code here. */

/*
 * vectorized_relu(x): max(0, x) for every element, written so that the
 * compiler turns it into SIMD instructions.
 *
 * TODO: return a new tensor of x's shape (0-d to 4-d) holding max(0, x).
 *
 * STEP-BY-STEP IMPLEMENTATION:
 *   1. x NULL: tensor_set_error() and return NULL.
 *   2. Allocate y = tensor_empty(x->ndim, x->shape): like tensor_new()
 *      but not zero-filled, since the loop writes every element anyway
 *      (zeroing 64 MiB costs as much as the ReLU itself).
 *   3. One flat loop over the x->size elements (the shape does not matter
 *      for an element-wise operation: the data is contiguous).
 *   4. Return y.
 *
 * VECTORIZATION TECHNIQUES:
 *   - SIMD means one instruction on 4, 8 or 16 floats at once.  gcc does
 *     it for you (-O3) if the loop body has no branch it cannot turn into
 *     a select: write `y[i] = cond ? a : b`, not an if/else with side
 *     effects.
 *   - Contiguous, aligned data (tensors are) loads a full vector per
 *     instruction.  `const float *restrict` tells gcc input and output do
 *     not overlap, so it need not emit a runtime overlap check.
 *   - float32 packs twice as many lanes per register as float64.
 *
 * WATCH OUT: NaN must stay NaN, as np.maximum(0, x) does.  Every
 * comparison with NaN is false: pick the comparison accordingly.
 *
 * EXAMPLE:   [-2, -1, 0, 1, 2]  ->  [0, 0, 0, 1, 2]
 *
 * LEARNING CONNECTIONS:
 *   - PyTorch's CPU ReLU is this loop, vectorized; GPU kernels apply the
 *     same idea with thousands of threads instead of 8 lanes.
 */
Tensor *vectorized_relu(const Tensor *x)
{
    /* TODO: your code here. */
    (void)x; tensor_set_error("still a TODO"); return NULL;
}

/* TODO: your code here. */

/*
 * vectorized_operations(x, y, out): five element-wise results at once.
 *
 * TODO: fill *out with, for x and y of the same shape:
 *     element_wise_multiply  x * y          (x's shape)
 *     element_wise_add       x + y          (x's shape)
 *     squared_difference     (x - y)^2      (x's shape)
 *     euclidean_distance     sqrt(sum((x - y)^2))   (a 0-d tensor)
 *     dot_product            sum(x * y) over the flattened inputs (0-d)
 *
 * STEP-BY-STEP IMPLEMENTATION:
 *   1. out NULL: set a reason and return -1.  Otherwise set all five
 *      fields to NULL first, so every failure path leaves them NULL.
 *   2. x or y NULL, or shapes that differ (tensor_same_shape() compares
 *      ndim and every dimension): set a reason, return -1.
 *   3. Allocate the three same-shape tensors (tensor_new) and the two
 *      scalars (tensor_scalar).  If any allocation fails, free the ones
 *      you made (vector_ops_release(out) does that), return -1.
 *   4. One loop for the three element-wise results (d = x - y, then d * d:
 *      "combine operations" instead of making a temporary x - y tensor).
 *   5. The two sums: accumulate them in double, then store them as float
 *      in the 0-d tensors (sqrt for the distance).
 *   6. Return 0.
 *
 * VECTORIZATION PRINCIPLES:
 *   - Loops without reductions vectorize directly.
 *   - A reduction `sum += ...` does not: the compiler must keep your
 *     order of additions (float addition is not associative), so it
 *     cannot split the sum across SIMD lanes.  Keep several independent
 *     partial sums yourself (e.g. sum[i % 8]) and add them at the end.
 *   - Why double for the sums: a float sum of a million terms can be off
 *     by several percent.  The product of two floats is exact in double.
 *
 * EXAMPLE:   x = [1, 2, 3, 4], y = [2, 3, 4, 5]:
 *     multiply [2, 6, 12, 20], add [3, 5, 7, 9], squared difference
 *     [1, 1, 1, 1], euclidean distance 2, dot product 40.
 */
int vectorized_operations(const Tensor *x, const Tensor *y, VectorOps *out)
{
    /* TODO: your code here. */
    (void)x; (void)y; if (out != NULL) *out = (VectorOps){0}; tensor_set_error("still a TODO"); return -1;
}

/* ======================================================================
 * Step 3: cache-friendly (blocked) matrix multiplication
 * ====================================================================== */

/* TODO: your code here. */

/*
 * cache_friendly_matmul(A, B, block_size): C = A @ B tile by tile.
 *
 * TODO: compute the same product as matmul_baseline(), but in
 * block_size x block_size tiles so that the data a tile works on stays in
 * cache while it is reused.
 *
 * STEP-BY-STEP IMPLEMENTATION:
 *   1. Validate as in matmul_baseline(); block_size 0 is bad input too
 *      (a reason, then NULL).  Any other block_size must work, including
 *      ones larger than the matrix and ones that do not divide its sizes.
 *   2. Allocate the zero-filled C.
 *   3. Three loops over tiles: i0 over rows of C, j0 over columns of C,
 *      p0 over k, each in steps of block_size.  The last tile in each
 *      direction may be smaller: its end is min(i0 + block_size, m), etc.
 *   4. Inside, the three loops of the baseline restricted to the tile
 *      (i in [i0, i_end), p in [p0, p_end), j in [j0, j_end)), in i-p-j
 *      order:  C[i][j] += A[i][p] * B[p][j].
 *   5. Return C.  Check it against matmul_baseline() on sizes that are not
 *      multiples of block_size (33 x 17 @ 17 x 65 with block_size 16).
 *
 * BLOCKING ALGORITHM:
 *   Computing one tile of C needs one row of tiles of A and one column of
 *   tiles of B.  Working tile by tile, three block_size x block_size tiles
 *   (4 KB each at block_size 32) are reused block_size times each while
 *   they sit in L1, instead of streaming whole rows of B from L2 or DRAM
 *   for every row of A.
 *
 * PERFORMANCE HINTS (with these, plain C gets to about half the speed of
 * OpenBLAS):
 *   - Typical L1 is 32-48 KB: block_size 32 keeps three tiles in L1;
 *     try 16, 32, 64, 128 and measure.
 *   - Pack: copy the tile of B into a contiguous, aligned buffer once, so
 *     the inner loops read it sequentially (aligned_alloc(64, bytes),
 *     bytes a multiple of 64).
 *   - Register-block: compute a few rows x 32 columns of C at once in a
 *     local array `float acc[3][32]`, looping over k inside; gcc keeps
 *     such an array in vector registers (16 of them with AVX2, 8 floats
 *     each) when its loops have constant bounds, so each loaded value of
 *     A and B feeds several multiply-adds.  Add acc into C once at the end.
 *   - Under -std=c11 write fmaf(a, b, acc) (guarded by #ifdef __FMA__) to
 *     get fused multiply-adds; plain a * b + acc is two instructions.
 *   - This is O(n^3) like the baseline, with much better constants.
 *
 * LEARNING CONNECTIONS:
 *   - BLAS libraries (OpenBLAS, MKL, BLIS) are built exactly like this:
 *     cache tiles, packed panels and a register-blocked micro-kernel.
 *   - GPUs tile the same way, with shared memory in the role of L1.
 */
Tensor *cache_friendly_matmul(const Tensor *A, const Tensor *B,
                              size_t block_size)
{
    /* TODO: your code here. */
    (void)A; (void)B; (void)block_size; tensor_set_error("still a TODO"); return NULL;
}

/* ======================================================================
 * Step 4: parallel processing (pthreads)
 * ====================================================================== */

/* TODO: your code here. */

/*
 * parallel_relu(x, num_workers): ReLU on num_workers threads.
 *
 * TODO: compute the same result as vectorized_relu(), splitting the
 * elements into num_workers contiguous chunks, one POSIX thread each.
 *
 * STEP-BY-STEP IMPLEMENTATION:
 *   1. x NULL or num_workers < 1: a reason, NULL.
 *   2. Allocate y like vectorized_relu() does.
 *   3. workers = min(num_workers, number of elements): never start a
 *      thread with nothing to do.  Small inputs (below some tens of
 *      thousands of elements) may simply run on the calling thread:
 *      starting a thread costs more than their whole ReLU.
 *   4. Chunk sizes: base = n / workers, and the first n % workers chunks
 *      get one more element, so sizes differ by at most one and cover all
 *      n elements (10 elements on 4 workers: 3, 3, 2, 2).
 *   5. Put each chunk's (x pointer, y pointer, length) in its own struct,
 *      and pthread_create() a worker with a pointer to it; the worker runs
 *      the ReLU loop on its chunk.  Keep the structs alive (an array)
 *      until the threads are joined.
 *   6. pthread_join() every thread you started.  If a pthread_create()
 *      fails: join the ones already started, free y and your arrays, set
 *      a reason and return NULL.
 *   7. Return y.
 *
 * PARALLELIZATION STRATEGY:
 *   - Data parallelism: every worker does the same thing on its own data,
 *     results land directly in place: nothing to combine afterwards.
 *   - Contiguous chunks, not interleaved elements: a thread writing
 *     every 4th float shares every cache line with the others, and the
 *     cores fight over those lines ("false sharing").
 *
 * PERFORMANCE CONSIDERATIONS:
 *   - Creating a thread costs tens of microseconds, ReLU of 10,000 floats
 *     about one: parallelism pays only for large inputs (or heavy work
 *     per element).  Measure with time_kernel().
 *   - ReLU is memory-bound: two cores rarely get twice the speed because
 *     they share the memory bandwidth.
 *
 * LEARNING CONNECTIONS:
 *   - PyTorch's intra-op parallelism (at::parallel_for) splits tensors
 *     into contiguous chunks over a thread pool the same way.
 *   - A GPU runs the same idea with thousands of threads, one per element.
 */
Tensor *parallel_relu(const Tensor *x, int num_workers)
{
    /* TODO: your code here. */
    (void)x; (void)num_workers; tensor_set_error("still a TODO"); return NULL;
}

/* TODO: your code here. */

/*
 * parallel_batch_processing(batch, n, op, ctx, num_workers, out):
 * out[i] = op(batch[i], ctx) for every item, on a pool of threads.
 *
 * TODO: apply op to each of the n tensors of the batch on num_workers
 * threads and store the results in input order.
 *
 * STEP-BY-STEP IMPLEMENTATION:
 *   1. If out is non-NULL, set out[0..n-1] to NULL first: every failure
 *      must leave them NULL.
 *   2. Bad arguments (out or op NULL, batch NULL while n > 0, any
 *      batch[i] NULL, num_workers < 1): a reason, return -1.  n == 0 is
 *      fine: return 0 without starting anything.
 *   3. Put everything the workers share in one struct: batch, n, op, ctx,
 *      out, and a counter `next` (an atomic_size_t from <stdatomic.h>).
 *   4. Start min(num_workers, n) threads.  Each loops: claim an index
 *      with i = atomic_fetch_add(&next, 1); stop when i >= n; otherwise
 *      out[i] = op(batch[i], ctx).  Writing to out[i] puts every result
 *      in input order whichever thread computed it.
 *   5. If op returns NULL, record the item index (and the reason the op
 *      gave: tensor_last_error() is per thread, so copy it in the worker)
 *      and make the others stop claiming items.
 *   6. Join every thread.  On any failure (an op or a pthread_create):
 *      tensor_free() every result, set every out[i] = NULL, set a reason
 *      naming the failed item, return -1.  Otherwise return 0.
 *
 * PARALLELIZATION STRATEGY:
 *   - Each worker processes one tensor at a time; a shared counter hands
 *     out the next item, so a worker that drew cheap items simply takes
 *     more (dynamic scheduling), unlike fixed chunks.
 *   - A mutex around `next` works too; an atomic increment is the same
 *     idea in one instruction.
 *
 * PERFORMANCE CONSIDERATIONS:
 *   - Each item must cost much more than a thread switch for this to pay.
 *   - More workers than cores only adds switching.
 *
 * LEARNING CONNECTIONS:
 *   - PyTorch's DataLoader workers and every thread pool's work queue.
 */
int parallel_batch_processing(const Tensor *const batch[], size_t n,
                              TensorOp op, void *ctx, int num_workers,
                              Tensor *out[])
{
    /* TODO: your code here. */
    (void)batch; (void)op; (void)ctx; (void)num_workers; if (out != NULL) for (size_t i = 0; i < n; i++) out[i] = NULL; tensor_set_error("still a TODO"); return -1;
}

/* ======================================================================
 * Step 6: quantized (int8) kernels
 * (Step 5, time_kernel(), is given.)
 * ====================================================================== */

/* TODO: your code here. */

/*
 * quantized_matmul(A, B, scale_A, scale_B): A @ B computed in int8.
 *
 * TODO: quantize A and B to int8, multiply the integer matrices with
 * int32 accumulators, and scale the result back to float.
 *
 * STEP-BY-STEP IMPLEMENTATION:
 *   1. Validate as in matmul_baseline(); scale_A and scale_B must be
 *      finite and > 0 (isfinite()), else a reason and NULL.
 *   2. Quantize every element with the rule of kernels.h, in this order:
 *          v = x / scale            (a float division, not x * (1/scale))
 *          NaN -> 0
 *          clamp v to [-128, 127]   (before converting: a float outside
 *                                    the int range is undefined behaviour)
 *          q = (int)rintf(v)        (rounds half to even: 2.5 -> 2;
 *                                    roundf() would give 3)
 *      The seed's NumPy code used astype(int8), which wraps: 190 -> -66.
 *      Saturate instead.
 *   3. Store the quantized A (m x k) and B on the heap, B transposed
 *      (n x k), so that C[i][j] = sum over p of qA[i][p] * qBt[j][p]
 *      reads both operands contiguously along p.
 *   4. For every (i, j): an int32 sum of the products (int32: a product of
 *      two int8 values fits in 15 bits, so the sum cannot overflow for any
 *      k you will meet), then
 *          C[i][j] = (float)sum * (scale_A * scale_B)
 *      with the product of the scales computed once, in float.
 *   5. Free the integer buffers, return C.
 *
 * QUANTIZATION PROCESS:
 *   quantize: q = round(x / scale); compute: integer A @ B; rescale:
 *   x_A * x_B ~= (q_A * scale_A) * (q_B * scale_B), so the integer sum
 *   times scale_A * scale_B approximates the float product.
 *
 * PERFORMANCE CONSIDERATIONS:
 *   - int8 is 4x less memory and bandwidth than float32.
 *   - Integer multiply-adds vectorize when both operands are contiguous
 *     along the summed index: write the inner loop over p as
 *     `acc += a[p] * b[p]` and let gcc vectorize it.  Computing a few
 *     (i, j) sums at once (a 2 x 4 block of accumulators) reuses every
 *     load several times, as in Step 3.
 *   - x86 without VNNI has no int8 x int8 multiply-add; its workhorse is
 *     vpmaddwd: 16 int16 x int16 products summed pairwise into int32.
 *     gcc emits it for int16_t operands; for int8_t it widens every value
 *     twice per use and runs ~3x slower.  Holding the int8 values in
 *     int16_t arrays is a fair trade (still half the memory of float).
 *
 * EXAMPLE:   A = [[1, 2], [3, 4]], B = [[0.5, 1.5], [2.5, 3.5]], both
 *   scales 1/20: qA = [[20, 40], [60, 80]], qB = [[10, 30], [50, 70]],
 *   integer product [[2200, 3400], [4600, 7400]], and times 0.05f * 0.05f
 *   the result is [[5.5, 8.5], [11.5, 18.5]] up to float rounding (0.05
 *   has no exact float, so neither has its square).
 *
 * LEARNING CONNECTIONS:
 *   - TensorFlow Lite, ONNX Runtime and PyTorch's quantized backends run
 *     int8 matrix products with int32 accumulators and a float rescale.
 *   - CPUs have instructions just for this (x86 VNNI, ARM SDOT).
 */
Tensor *quantized_matmul(const Tensor *A, const Tensor *B,
                         float scale_A, float scale_B)
{
    /* TODO: your code here. */
    (void)A; (void)B; (void)scale_A; (void)scale_B; tensor_set_error("still a TODO"); return NULL;
}

/* TODO: your code here. */

/*
 * quantized_relu(x, scale): ReLU in the int8 domain.
 *
 * TODO: quantize x, apply ReLU to the integers, and dequantize:
 *     y = (float)max(0, quantize(x, scale)) * scale
 *
 * STEP-BY-STEP IMPLEMENTATION:
 *   1. x NULL, or scale not finite and positive: a reason, NULL.
 *   2. Allocate y of x's shape.
 *   3. For each element: q = quantize(x[i], scale) with the rule above
 *      (write it once as a static helper; quantized_matmul uses it too),
 *      q = max(0, q), y[i] = (float)q * scale.
 *   4. Return y.
 *
 * OPTIMIZATION NOTES:
 *   - In int8, ReLU is max(0, q): no float operation at all, and 64 of
 *     them fit in one AVX-512 register.
 *   - Keep the helper branch-free (?: selects) and this loop vectorizes
 *     too.
 *   - Quantization saturates: values beyond 127 * scale come back as
 *     127 * scale, which is the point of choosing the scale well.
 *
 * EXAMPLE:   x = [-2, -1, 0, 1, 2], scale = 1/50  ->  [0, 0, 0, 1, 2]
 *   (q = [-100, -50, 0, 50, 100]; 50 * 0.02f rounds back to 1.0f).
 *
 * LEARNING CONNECTIONS:
 *   - Quantized networks keep activations in int8 between layers; ReLU
 *     (often fused into the matmul's rescale) costs almost nothing.
 */
Tensor *quantized_relu(const Tensor *x, float scale)
{
    /* TODO: your code here. */
    (void)x; (void)scale; tensor_set_error("still a TODO"); return NULL;
}
