/*
 * tensor.h -- float32 tensors for the Kernels assignment.
 *
 * A Tensor is row-major and contiguous, with 0 to TENSOR_MAX_DIMS
 * dimensions; a 0-d tensor holds one scalar.  Its data is aligned to
 * TENSOR_ALIGN bytes (one cache line, and the widest SIMD load) so kernels
 * may use aligned vector loads on the first element of any tensor.
 *
 * Every dimension is at least 1.  Constructors return NULL on a bad shape
 * or a failed allocation and leave a reason for tensor_last_error(); they
 * never abort.  A Tensor is owned by whoever created it and released with
 * tensor_free(), which accepts NULL.
 *
 * Error reporting: a per-thread message, like errno.  Library code (and
 * the kernels) call tensor_set_error() on failure; callers read
 * tensor_last_error() right after a failing call.  It is thread-local
 * rather than passed around because the kernel API is fixed by the
 * assignment and mirrors the seed's Python functions.
 */
#ifndef TENSOR_H
#define TENSOR_H

#include <stddef.h>
#include <stdio.h>

#define TENSOR_MAX_DIMS 4
#define TENSOR_ALIGN 64

typedef struct Tensor {
    float *data;                   /* size floats, TENSOR_ALIGN-aligned */
    size_t size;                   /* number of elements (1 for 0-d) */
    int ndim;                      /* 0 .. TENSOR_MAX_DIMS */
    size_t shape[TENSOR_MAX_DIMS]; /* shape[0..ndim-1]; unused entries 0 */
} Tensor;

/**
 * A zero-filled tensor of `ndim` dimensions with the given shape (`shape`
 * may be NULL when ndim is 0).  NULL if ndim is out of range, a dimension
 * is 0, the element count overflows, or memory runs out.
 */
Tensor *tensor_new(int ndim, const size_t shape[]);

/**
 * Like tensor_new() but the data is not initialised: for a kernel that
 * writes every element anyway, it saves a pass over memory (zeroing a
 * large result costs as much as a ReLU over it).  Never read an element
 * before writing it.  In the test programs its elements start as the
 * poison NaN (below), so an element left unwritten fails the tests.
 */
Tensor *tensor_empty(int ndim, const size_t shape[]);

/*
 * Poison, for the test programs: with it on, tensor_empty() fills every
 * block it hands out, fresh or recycled (a freed block may come back with
 * the previous tensor's values, which can be the right ones), with the
 * NaN whose bits are TENSOR_POISON_BITS.  No arithmetic on the tests'
 * inputs makes that NaN, and arithmetic on it keeps its payload (it may
 * flip the sign and set the quiet bit), so tensor_is_poison() tells an
 * element a kernel never wrote, or only added to, from every value a
 * kernel computes.  Off by default: the performance program measures
 * without the extra pass.  Process-wide, like the block cache; the test
 * runner turns it on before any test starts.
 */
#define TENSOR_POISON_BITS 0x7FA5A5A5u

/** Turns poisoning of tensor_empty() blocks on (nonzero) or off. */
void tensor_set_poison(int on);

/** 1 if v is the poison NaN, with any sign and quiet bit; else 0. */
int tensor_is_poison(float v);

/*
 * Guard, always on (it costs 64 bytes a block): after the last element,
 * up to the end of the block and TENSOR_ALIGN bytes beyond, every float
 * is a signalling NaN whose payload depends on the block (never the
 * poison).  A kernel that reads one element past the end gets a NaN and
 * a wrong result; one that writes past the end, even `+= 0.0f` (which
 * quiets the NaN), breaks the guard, which
 * tensor_free() checks and counts.  The test programs fail a test whose
 * kernel broke a guard (tcheck.h).  Reading whole vectors up to the end
 * of the last cache line stays allowed; writing there does not.
 */

/** 1 if t's guard is intact (or t is NULL); 0 if something wrote past its end. */
int tensor_guard_intact(const Tensor *t);

/** Blocks tensor_free() found with a broken guard, in the whole process. */
size_t tensor_overrun_count(void);

/*
 * Allocation fault injection, for the test programs: after
 * tensor_fail_alloc_at(k), the k-th allocation counted from then on fails
 * (k = 1: the next one); 0 turns it off.  Counted are the tensor
 * constructors and every call of tensor_alloc_fault(), which the tests'
 * wrappers of the student's malloc-family calls make (tcheck.h), from
 * any thread.  tensor_alloc_fault() counts one allocation and returns 1
 * if it is the one to fail.  tensor_alloc_faults_counted() is how many
 * were counted since the last tensor_fail_alloc_at(): at least k means
 * the fault was injected.  Off unless a test arms it.
 */
void tensor_fail_alloc_at(size_t k);
int tensor_alloc_fault(void);
size_t tensor_alloc_faults_counted(void);

/** Shorthands for tensor_new(): a 0-d scalar, a 1-d vector, a 2-d matrix. */
Tensor *tensor_scalar(float value);
Tensor *tensor_new_1d(size_t n);
Tensor *tensor_new_2d(size_t rows, size_t cols);

/**
 * A tensor of the given shape holding a copy of `values` (size elements,
 * row-major).  NULL on the same errors as tensor_new(), or if values is
 * NULL.
 */
Tensor *tensor_from(int ndim, const size_t shape[], const float *values);

/** A deep copy of `t`, or NULL (t NULL, or out of memory). */
Tensor *tensor_clone(const Tensor *t);

/** Frees the tensor and its data.  tensor_free(NULL) is a no-op. */
void tensor_free(Tensor *t);

/**
 * Tensors created and not yet freed, in the whole process.  The tests
 * compare it before and after a kernel call to tell a leak.
 */
size_t tensor_live_count(void);

/** Number of elements; 0 for NULL. */
size_t tensor_size(const Tensor *t);

/** Number of dimensions; -1 for NULL. */
int tensor_ndim(const Tensor *t);

/** Length of dimension `axis`; 0 if t is NULL or axis is out of range. */
size_t tensor_dim(const Tensor *t, int axis);

/** 1 if both are non-NULL with the same ndim and shape, else 0. */
int tensor_same_shape(const Tensor *a, const Tensor *b);

/**
 * Writes the shape as "(2, 3)" ("()" for 0-d, "NULL" for NULL) into buf,
 * always NUL-terminated when n > 0.  Returns buf, for use in messages.
 */
char *tensor_shape_str(const Tensor *t, char *buf, size_t n);

/**
 * Prints `t` NumPy-style to `out`, eliding the middle when it has more
 * than `max_items` elements (0 means print everything).  For messages
 * and debugging; returns 0, or -1 on a write error.
 */
int tensor_fprint(FILE *out, const Tensor *t, size_t max_items);

/** The calling thread's last error message; "" if none was set. */
const char *tensor_last_error(void);

/** Sets the calling thread's error message (printf-style, truncated). */
void tensor_set_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/** Clears the calling thread's error message. */
void tensor_clear_error(void);

#endif /* TENSOR_H */
