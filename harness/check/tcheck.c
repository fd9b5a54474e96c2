/*
 * tcheck.c -- Check support for tensor tests (see tcheck.h): assertions
 * whose messages say what differs, a deterministic RNG, and references
 * written independently of the student's kernels.
 *
 * Assertions fail through Check's _ck_assert_failed(), which under CK_FORK
 * (forced by the runner) ends the test process, so they never return on
 * failure.  Values print with %.9g: enough digits to tell any two floats
 * apart, so a one-ulp mismatch in an exact test is visible.
 */
#include "tcheck.h"
#include "tc_heap.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * The harness's own work that ThreadSanitizer need not watch, and its
 * bookkeeping that TSan must not see: gcc leaves a no_sanitize_thread
 * function's atomics uninstrumented too, so they create no happens-before
 * between the threads of the code under test.
 */
#if defined(__SANITIZE_THREAD__)
#define TC_UNWATCHED __attribute__((no_sanitize_thread, noinline))
#else
#define TC_UNWATCHED
#endif

/* ---- threads the code under test starts ---------------------------------- */

/*
 * The test programs link with -Wl,--wrap=pthread_create: every call of
 * pthread_create() in any object, the student's included, comes here.
 * __real_pthread_create is weak so that a program linked without the flag
 * still links (nothing calls the wrapper then); tc_threads_counted()
 * tells a thread test that it cannot count.
 */
int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg) __attribute__((weak));
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg);
int __real_pthread_join(pthread_t thread, void **ret) __attribute__((weak));
int __wrap_pthread_join(pthread_t thread, void **ret);

static atomic_size_t tc_threads;
static atomic_size_t tc_thread_fault_at, tc_thread_fault_seen;   /* tc_fail_thread_at() */

/* Per test process (each test runs in its own fork): set by tc_begin(). */
static const char *tc_test_name = "test";
static atomic_int tc_threads_noted;   /* this test's "tc-threads" note is written */
static int tc_notes_on;               /* tc_set_notes() */

void tc_set_notes(int on)
{
    tc_notes_on = on;
}

/*
 * The note the grader gives a ThreadSanitizer run for (tcheck.h), at the
 * test's first thread: before the code under test can do anything else,
 * and whether the test then passes, fails or crashes, so that a racy test
 * gets the same TSan run whichever way the race went.  One write(2), a
 * line of its own even after an unfinished one.
 */
TC_UNWATCHED
static void tc_note_threads(void)
{
    char line[160];
    int n = snprintf(line, sizeof line, "\ntc-threads: %s\n", tc_test_name);
    if (n > 0 && (size_t)n < sizeof line && write(STDERR_FILENO, line, (size_t)n) < 0)
        return;    /* nothing to do: the grader then sees no note */
}

TC_UNWATCHED
void tc_fail_thread_at(size_t k)
{
    atomic_store(&tc_thread_fault_at, 0);
    atomic_store(&tc_thread_fault_seen, 0);
    atomic_store(&tc_thread_fault_at, k);
}

TC_UNWATCHED
size_t tc_thread_faults_counted(void)
{
    return atomic_load(&tc_thread_fault_seen);
}

static void tc_join_fault_wait(void);

/* Unwatched: the counts are the harness's (pthread_create() itself still
 * orders the new thread after its creator, as TSan knows). */
TC_UNWATCHED
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*fn)(void *), void *arg)
{
    if (__real_pthread_create == NULL)
        return ENOSYS;
    const size_t at = atomic_load(&tc_thread_fault_at);
    if (at != 0 && atomic_fetch_add(&tc_thread_fault_seen, 1) + 1 == at) {
        tc_join_fault_wait();
        return EAGAIN;   /* what glibc returns when a thread cannot be had */
    }
    int rc = __real_pthread_create(thread, attr, fn, arg);
    if (rc == 0)
        atomic_fetch_add(&tc_threads, 1);
    if (rc == 0 && tc_notes_on && atomic_exchange(&tc_threads_noted, 1) == 0)
        tc_note_threads();
    return rc;
}

/*
 * tc_join_watch(): the kernel's caller, whether it has joined yet, the
 * threads started before the call, and whether an op began on a worker.
 */
static pthread_t tc_join_caller;
static atomic_int tc_join_watching, tc_join_seen, tc_join_worker_op, tc_join_waited;
static atomic_size_t tc_join_threads0;
/* Set when a wait timed out: this kernel waits for its workers some other
 * way; no more holds in this test process, so it costs TC_HOLD_MS once. */
static atomic_int tc_join_off;

TC_UNWATCHED
void tc_join_watch(int on)
{
    if (on) {
        tc_join_caller = pthread_self();
        atomic_store(&tc_join_threads0, atomic_load(&tc_threads));
        atomic_store(&tc_join_worker_op, 0);
        atomic_store(&tc_join_waited, 0);
        atomic_store(&tc_join_seen, 0);
    } else {
        atomic_store(&tc_join_seen, 1);   /* the call returned: hold no one */
    }
    atomic_store(&tc_join_watching, on);
}

/* This thread is the watched call's caller. */
TC_UNWATCHED
static int tc_join_is_caller(void)
{
    return atomic_load(&tc_join_watching) && pthread_equal(pthread_self(), tc_join_caller);
}

/* The watched call has started threads. */
TC_UNWATCHED
static int tc_join_started(void)
{
    return atomic_load(&tc_threads) != atomic_load(&tc_join_threads0);
}

/* Sleeps 0.1 ms at a time until *flag is set or TC_HOLD_MS have passed. */
TC_UNWATCHED
static void tc_wait_for(atomic_int *flag)
{
    for (int t = 0; !atomic_load(flag); t++) {
        if (t == TC_HOLD_MS * 10 || atomic_load(&tc_join_off)) {
            atomic_store(&tc_join_off, 1);
            return;
        }
        nanosleep(&(struct timespec){0, 100000}, NULL);
    }
}

/*
 * A thread start about to fail in a watched call that has started
 * threads already: first let one of them begin an op (tcheck.h), so that
 * a worker is busy when the kernel learns of the failure.
 */
TC_UNWATCHED
static void tc_join_fault_wait(void)
{
    if (tc_join_is_caller() && tc_join_started())
        tc_wait_for(&tc_join_worker_op);
}

TC_UNWATCHED
void tc_op_enter(void)
{
    if (!atomic_load(&tc_join_watching))
        return;
    if (!pthread_equal(pthread_self(), tc_join_caller)) {
        atomic_store(&tc_join_worker_op, 1);
        return;
    }
    /* The caller's first op, once the call has started threads. */
    if (tc_join_started() && atomic_exchange(&tc_join_waited, 1) == 0)
        tc_wait_for(&tc_join_worker_op);
}

/* Unwatched: the hold must not order the kernel's threads (tcheck.h). */
TC_UNWATCHED
int __wrap_pthread_join(pthread_t thread, void **ret)
{
    if (tc_join_is_caller())
        atomic_store(&tc_join_seen, 1);
    return __real_pthread_join != NULL ? __real_pthread_join(thread, ret) : ENOSYS;
}

TC_UNWATCHED
void tc_hold_until_join(void)
{
    if (!atomic_load(&tc_join_watching) || pthread_equal(pthread_self(), tc_join_caller))
        return;    /* the caller itself: it cannot join while it runs an op */
    tc_wait_for(&tc_join_seen);
}

TC_UNWATCHED
void tc_count(atomic_int *counter)
{
    atomic_fetch_add(counter, 1);
}

TC_UNWATCHED
int tc_count_get(atomic_int *counter)
{
    return atomic_load(counter);
}

int tc_threads_counted(void)
{
    return __real_pthread_create != NULL;
}

TC_UNWATCHED
size_t tc_threads_started(void)
{
    return atomic_load(&tc_threads);
}

/* ---- the grading seed ------------------------------------------------------ */

/* Set once by the runner (from TC_SEED) before any test forks. */
static struct {
    int on;
    uint64_t seed;
} tc_grading;

void tc_set_grading_seed(int on, uint64_t seed)
{
    tc_grading.on = on != 0;
    tc_grading.seed = seed;
}

int tc_seeded(void)
{
    return tc_grading.on;
}

/* What a failure message adds in a grading run, so that a student who
 * passes `make test` sees why the grader's run differs.  The seed itself
 * is not shown: the submission must not be tuned to it. */
static const char *tc_seed_note(void)
{
    return tc_grading.on ? " [grading run: the test's inputs were replaced by random "
                           "values of the same shapes; `TC_SEED=1 make test` does the "
                           "same with a seed of your own]" : "";
}

/* _ck_assert_failed() with the grading note appended; does not return. */
static void tc_fail(const char *file, int line, const char *expr,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5), noreturn));

static void tc_fail(const char *file, int line, const char *expr,
                    const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    _ck_assert_failed(file, line, expr, "%s%s", msg, tc_seed_note());
    abort();   /* not reached: Check ends the test process */
}

/* Per test process (each test runs in its own fork): what tc_begin() saw. */
/* The runner's --quiet; inherited by each forked test. */
static int tc_info_on = 1;

void tc_set_info(int on)
{
    tc_info_on = on;
}

void tc_info(const char *fmt, ...)
{
    va_list ap;
    if (!tc_info_on)
        return;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

static size_t tc_live_at_start, tc_blocks_at_start;
static unsigned long tc_seq_at_start;

void tc_begin(const char *name)
{
    tc_test_name = name;
    tc_live_at_start = tensor_live_count();
    tc_blocks_at_start = tc_heap_live();
    tc_seq_at_start = tc_heap_seq();
    atomic_store(&tc_threads_noted, 0);
}

/*
 * Fails the test if any block's guard was found broken: the code under
 * test wrote past the end of a tensor or of a block it allocated.
 */
static void tc_assert_no_overrun(const char *file, int line)
{
    if (tensor_overrun_count() > 0)
        tc_fail(file, line, "overrun", "something wrote past the end of a tensor's data "
                "(the bytes after its last element were changed; seen when it was freed)");
    size_t first_size = 0;
    if (tc_heap_overruns(&first_size) > 0)
        tc_fail(file, line, "overrun", "your code wrote past the end of a %zu-byte block "
                "it allocated (malloc and friends; seen when it was freed)", first_size);
}

/* "kernels.c" for "/tmp/grade-1/kernels.c": the student knows the file by its name. */
static const char *tc_base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

void tc_exit_passed(void)
{
    tc_assert_no_overrun(__FILE__, __LINE__);
    size_t live = tensor_live_count(), blocks = tc_heap_live();
    /* Each note starts a line of its own, even after a line the code under
     * test left unfinished: the grader reads only whole lines. */
    if (live > tc_live_at_start)
        fprintf(stderr, "\ntc-leak: %s: %zu tensor(s) created during the test were never "
                "freed\n", tc_test_name, live - tc_live_at_start);
    struct tc_block first = {0, 0, 0, NULL, 0};
    if (blocks > tc_blocks_at_start && tc_heap_oldest_since(tc_seq_at_start, &first) &&
        first.file != NULL)
        fprintf(stderr, "\ntc-leak: %s: %zu block(s) your code allocated (malloc and friends) "
                "were never freed; the first, %zu bytes, at %s:%d\n", tc_test_name,
                blocks - tc_blocks_at_start, first.n, tc_base_name(first.file), first.line);
    else if (blocks > tc_blocks_at_start)
        fprintf(stderr, "\ntc-leak: %s: %zu block(s) your code allocated (malloc and friends) "
                "were never freed\n", tc_test_name, blocks - tc_blocks_at_start);
    fflush(NULL);
    exit(TC_EXIT_PASSED);
}

/* ---- assertions -------------------------------------------------------- */

static const char *tc_what(const char *what)
{
    return what != NULL ? what : "result";
}

/* The kernels' reason for the last failure, for messages. */
static const char *tc_reason(void)
{
    const char *e = tensor_last_error();

    return e[0] != '\0' ? e : "no reason given";
}

/* Formats flat index `flat` of t as "[i, j]" into buf. */
static char *tc_index_str(const Tensor *t, size_t flat, char *buf, size_t n)
{
    size_t idx[TENSOR_MAX_DIMS] = {0};
    size_t len = 0;

    for (int axis = t->ndim - 1; axis >= 0; axis--) {
        idx[axis] = flat % t->shape[axis];
        flat /= t->shape[axis];
    }
    buf[0] = '\0';
    for (int axis = 0; axis < t->ndim && len < n; axis++) {
        int w = snprintf(buf + len, n - len, "%s%zu", axis ? ", " : "[",
                         idx[axis]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
    if (len + 1 < n)
        strcat(buf, "]");
    return buf;
}

/* " at [i, j]" for t's element `flat`, or "" for a 0-d tensor. */
static char *tc_where(const Tensor *t, size_t flat, char *buf, size_t n)
{
    char idx[96];

    if (t->ndim == 0)
        buf[0] = '\0';
    else
        snprintf(buf, n, " at %s", tc_index_str(t, flat, idx, sizeof idx));
    return buf;
}

void tc_assert_not_null_at(const char *file, int line, const Tensor *t,
                           const char *what)
{
    if (t == NULL)
        tc_fail(file, line, "NULL", "%s returned NULL (kernels said: %s)",
                tc_what(what), tc_reason());
}

/* Fails unless actual and expected are non-NULL tensors of the same shape. */
static void tc_assert_same_shape(const char *file, int line,
                                 const Tensor *actual, const Tensor *expected,
                                 const char *what)
{
    char got[96], want[96];

    tc_assert_not_null_at(file, line, actual, what);
    if (expected == NULL)
        tc_fail(file, line, "NULL", "%s: the expected tensor is NULL "
                "(a bug in the test)", tc_what(what));
    if (!tensor_same_shape(actual, expected))
        tc_fail(file, line, "shape", "%s: shape %s, expected %s", tc_what(what),
                tensor_shape_str(actual, got, sizeof got),
                tensor_shape_str(expected, want, sizeof want));
}

void tc_assert_shape_at(const char *file, int line, const Tensor *t,
                        int ndim, const size_t dims[], const char *what)
{
    Tensor want = {0};

    if (ndim < 0 || ndim > TENSOR_MAX_DIMS || (ndim > 0 && dims == NULL))
        tc_fail(file, line, "shape", "%s: bad expected shape "
                "(ndim %d; a bug in the test)", tc_what(what), ndim);
    want.ndim = ndim;
    for (int i = 0; i < ndim; i++)
        want.shape[i] = dims[i];
    tc_assert_same_shape(file, line, t, &want, what);
}

/*
 * Fails for an element its kernel never wrote: `count` elements of t, the
 * first at flat index `first`, still hold the poison tensor_empty() fills
 * blocks with in the tests (tensor.h).  Told before any value, because the
 * poison is a NaN and would match an expected NaN.  `whose` says which
 * tensor: "" for the result under test, else e.g. " (in the result
 * compared with)".  (A write past the last element is told when the
 * tensor is freed: tensors a test builds on its own arrays have no guard.)
 */
static void tc_assert_written(const char *file, int line, const Tensor *t,
                              size_t first, size_t count, const char *what,
                              const char *whose)
{
    char where[128];

    if (count > 0)
        tc_fail(file, line, "unwritten", "%s:%s the element%s was never written "
                "(it still holds the NaN that tensor_empty() fills new tensors with "
                "in the tests, or a sum started from it); %zu of %zu elements unwritten",
                tc_what(what), tc_where(t, first, where, sizeof where), whose, count,
                t->size);
}

/*
 * numpy.allclose's rule for one pair; NaN matches only NaN, and an
 * infinity only the same infinity (|inf - 5| <= rtol * inf would hold).
 */
static int tc_close(double a, double e, double rtol, double atol)
{
    if (isnan(a) || isnan(e))
        return isnan(a) && isnan(e);
    if (isinf(a) || isinf(e))
        return a == e;
    return a == e || fabs(a - e) <= atol + rtol * fabs(e);
}

/* tc_assert_exact()'s rule for one pair: equal, or both NaN (-0 equals 0). */
static int tc_same(float a, float e)
{
    return a == e || (isnan(a) && isnan(e));
}

/*
 * One pass over two tensors of the same shape: the unwritten elements of
 * each and the pairs that differ (tc_exact() and the assertions share it,
 * so they agree).  One pass, not three: under
 * ThreadSanitizer every element read is checked, and reading a result
 * once is enough to see a kernel's thread still writing it.
 */
struct tc_scan {
    size_t unwritten[2], first_unwritten[2];   /* [0] actual, [1] expected */
    size_t ndiff, first;                        /* pairs that differ */
};

/* exact: tc_same()'s rule, else tc_close()'s with rtol and atol. */
static void tc_scan(const Tensor *actual, const Tensor *expected, int exact,
                    double rtol, double atol, struct tc_scan *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < actual->size; i++) {
        float a = actual->data[i], e = expected->data[i];

        if (tensor_is_poison(a) && s->unwritten[0]++ == 0)
            s->first_unwritten[0] = i;
        if (tensor_is_poison(e) && s->unwritten[1]++ == 0)
            s->first_unwritten[1] = i;
        if (!(exact ? tc_same(a, e) : tc_close(a, e, rtol, atol)) && s->ndiff++ == 0)
            s->first = i;
    }
}

/* Fails if either tensor has an unwritten element (tc_scan() found them). */
static void tc_assert_scan_written(const char *file, int line, const Tensor *actual,
                                   const Tensor *expected, const struct tc_scan *s,
                                   const char *what)
{
    tc_assert_written(file, line, actual, s->first_unwritten[0], s->unwritten[0],
                      what, "");
    tc_assert_written(file, line, expected, s->first_unwritten[1], s->unwritten[1],
                      what, " (in the result compared with)");
}

void tc_assert_close_at(const char *file, int line, const Tensor *actual,
                        const Tensor *expected, double rtol, double atol,
                        const char *what)
{
    struct tc_scan s;
    char where[128];

    tc_assert_same_shape(file, line, actual, expected, what);
    tc_scan(actual, expected, 0, rtol, atol, &s);
    tc_assert_scan_written(file, line, actual, expected, &s, what);
    const size_t first = s.first, ndiff = s.ndiff;
    if (ndiff == 0)
        return;
    double a = actual->data[first], e = expected->data[first];
    if (isnan(a) || isnan(e) || isinf(a) || isinf(e))
        tc_fail(file, line, "close", "%s:%s expected %.9g, got %.9g "
                "(NaN matches only NaN, an infinity only itself); %zu of %zu elements differ",
                tc_what(what), tc_where(actual, first, where, sizeof where),
                e, a, ndiff, actual->size);
    tc_fail(file, line, "close", "%s:%s expected %.9g, got %.9g "
            "(|diff| %.3g > tol %.3g); %zu of %zu elements differ",
            tc_what(what), tc_where(actual, first, where, sizeof where),
            e, a, fabs(a - e), atol + rtol * fabs(e), ndiff, actual->size);
}

int tc_exact(const Tensor *actual, const Tensor *expected)
{
    struct tc_scan s;

    if (actual == NULL || expected == NULL || !tensor_same_shape(actual, expected))
        return 0;
    tc_scan(actual, expected, 1, 0.0, 0.0, &s);
    return s.unwritten[0] == 0 && s.unwritten[1] == 0 && s.ndiff == 0;
}

void tc_assert_exact_at(const char *file, int line, const Tensor *actual,
                        const Tensor *expected, const char *what)
{
    struct tc_scan s;
    char where[128];

    tc_assert_same_shape(file, line, actual, expected, what);
    tc_scan(actual, expected, 1, 0.0, 0.0, &s);
    tc_assert_scan_written(file, line, actual, expected, &s, what);
    const size_t first = s.first, ndiff = s.ndiff;
    if (ndiff == 0)
        return;
    tc_fail(file, line, "exact", "%s:%s expected %.9g, got %.9g "
            "(must be exact); %zu of %zu elements differ",
            tc_what(what), tc_where(actual, first, where, sizeof where),
            (double)expected->data[first], (double)actual->data[first],
            ndiff, actual->size);
}

void tc_assert_float_close_at(const char *file, int line, double actual,
                              double expected, double rtol, double atol,
                              const char *what)
{
    if (tensor_is_poison((float)actual))
        tc_fail(file, line, "unwritten", "%s: never written (it still holds the NaN "
                "that tensor_empty() fills new tensors with in the tests)", tc_what(what));
    if (tc_close(actual, expected, rtol, atol))
        return;
    if (isnan(actual) || isnan(expected) || isinf(actual) || isinf(expected))
        tc_fail(file, line, "close", "%s: expected %.9g, got %.9g "
                "(NaN matches only NaN, an infinity only itself)", tc_what(what),
                expected, actual);
    tc_fail(file, line, "close", "%s: expected %.9g, got %.9g "
            "(|diff| %.3g > tol %.3g)", tc_what(what), expected,
            actual, fabs(actual - expected), atol + rtol * fabs(expected));
}

void tc_assert_error_at(const char *file, int line, int failed,
                        const char *what)
{
    if (!failed)
        tc_fail(file, line, "error", "%s: expected an error, but the "
                "call succeeded", tc_what(what));
    if (tensor_last_error()[0] == '\0')
        tc_fail(file, line, "error", "%s: failed without a reason: "
                "call tensor_set_error()", tc_what(what));
}

void tc_assert_workers_at(const char *file, int line, size_t started,
                          size_t workers, const char *what)
{
    if (!tc_threads_counted())
        tc_fail(file, line, "threads", "%s: this test program cannot count threads: "
                "it was not linked with -Wl,--wrap=pthread_create (a build problem, "
                "not your code)", tc_what(what));
    if (started == workers || started + 1 == workers)
        return;
    tc_fail(file, line, "threads", "%s started %zu thread%s; kernels.h asks for %zu "
            "workers here: %zu threads started, or %zu besides the calling thread",
            tc_what(what), started, started == 1 ? "" : "s", workers, workers,
            workers - 1);
}

/* ---- RNG ---------------------------------------------------------------- */

/* splitmix64: spreads a seed over the xoshiro state (never all zero). */
static uint64_t tc_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t tc_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void tc_rng_seed(struct tc_rng *rng, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng->s[i] = tc_splitmix64(&seed);
}

/* xoshiro256** by Blackman and Vigna. */
uint64_t tc_rng_next(struct tc_rng *rng)
{
    uint64_t *s = rng->s;
    const uint64_t result = tc_rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = tc_rotl(s[3], 45);
    return result;
}

float tc_rng_uniform(struct tc_rng *rng, float lo, float hi)
{
    /* The top 24 bits fill a float's significand exactly: u in [0, 1). */
    float u = (float)(tc_rng_next(rng) >> 40) * 0x1p-24f;
    float r = lo + (hi - lo) * u;

    /* Rounding in lo + (hi - lo) * u can reach hi; keep the range open. */
    return r < hi ? r : nextafterf(hi, lo);
}

float tc_rng_normal(struct tc_rng *rng)
{
    /* 53-bit uniforms; u1 in (0, 1] so log() stays finite. */
    double u1 = (double)((tc_rng_next(rng) >> 11) + 1) * 0x1p-53;
    double u2 = (double)(tc_rng_next(rng) >> 11) * 0x1p-53;

    return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

void tc_rng_seed_case(struct tc_rng *rng, uint64_t seed)
{
    uint64_t mix = tc_grading.seed;

    /* A different stream per (case, grading seed); without a grading seed,
     * exactly tc_rng_seed(seed), so the literal runs keep their data. */
    tc_rng_seed(rng, tc_grading.on ? seed ^ tc_splitmix64(&mix) : seed);
}

/* ---- tensors for inputs -------------------------------------------------- */

/* Fails the test if a helper could not allocate. */
static Tensor *tc_check_alloc(Tensor *t, const char *who)
{
    if (t == NULL)
        ck_abort_msg("%s: cannot create the tensor: %s", who, tc_reason());
    return t;
}

Tensor *tc_randn(struct tc_rng *rng, int ndim, const size_t shape[])
{
    Tensor *t = tc_check_alloc(tensor_new(ndim, shape), "tc_randn");

    for (size_t i = 0; i < t->size; i++)
        t->data[i] = tc_rng_normal(rng);
    return t;
}

Tensor *tc_randn_2d(struct tc_rng *rng, size_t rows, size_t cols)
{
    const size_t shape[2] = {rows, cols};

    return tc_randn(rng, 2, shape);
}

Tensor *tc_tensor(int ndim, const size_t shape[], const float *values)
{
    return tc_check_alloc(tensor_from(ndim, shape, values), "tc_tensor");
}

Tensor *tc_case_input(struct tc_rng *rng, int ndim, const size_t shape[],
                      const float *literal, float lo, float hi, float step)
{
    if (!tc_grading.on)
        return tc_tensor(ndim, shape, literal);
    Tensor *t = tc_check_alloc(tensor_new(ndim, shape), "tc_case_input");
    for (size_t i = 0; i < t->size; i++) {
        if (step <= 0.0f) {
            t->data[i] = tc_rng_uniform(rng, lo, hi);
            continue;
        }
        /* One of the grid points lo, lo + step, ..., hi, all equally likely. */
        uint64_t points = (uint64_t)((hi - lo) / step + 0.5f) + 1;
        t->data[i] = lo + step * (float)(tc_rng_next(rng) % points);
    }
    return t;
}

Tensor *tc_case_choice(struct tc_rng *rng, int ndim, const size_t shape[],
                       const float *literal, const float *choices, size_t nchoices)
{
    if (!tc_grading.on || nchoices == 0)
        return tc_tensor(ndim, shape, literal);
    Tensor *t = tc_check_alloc(tensor_new(ndim, shape), "tc_case_choice");
    for (size_t i = 0; i < t->size; i++)
        t->data[i] = choices[tc_rng_next(rng) % nchoices];
    return t;
}

Tensor *tc_matrix(size_t rows, size_t cols, const float *values)
{
    const size_t shape[2] = {rows, cols};

    return tc_tensor(2, shape, values);
}

Tensor *tc_vector(size_t n, const float *values)
{
    const size_t shape[1] = {n};

    return tc_tensor(1, shape, values);
}

/* ---- references ------------------------------------------------------------ */

/* Fails the test unless A (m x k) and B (k x n) can be multiplied. */
static void tc_check_matmul_args(const char *who, const Tensor *A,
                                 const Tensor *B)
{
    char sa[96], sb[96];

    if (A == NULL || B == NULL || A->ndim != 2 || B->ndim != 2 ||
        A->shape[1] != B->shape[0])
        ck_abort_msg("%s: cannot multiply %s by %s (a bug in the test)", who,
                     tensor_shape_str(A, sa, sizeof sa),
                     tensor_shape_str(B, sb, sizeof sb));
}

/*
 * A reference's loop reads the harness's own inputs and writes its own new
 * tensor: ThreadSanitizer need not watch it.  A kernel's thread that still
 * writes a result is seen where an assertion reads that result (tc_scan(),
 * tc_exact()), which stays watched; watching the reference too was a fifth
 * of a TSan run of the ReLU tests, and most of one of a 256 x 256 product.
 * (Plain loops: memset() and memcpy() are intercepted whatever the
 * function's attributes.)
 */
TC_UNWATCHED
static void tc_matmul_into(float *C, const float *A, const float *B, size_t m, size_t k,
                           size_t n, double *acc)
{
    /* i-k-j order: contiguous rows, and each acc[j] still sums k in order. */
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++)
            acc[j] = 0.0;
        for (size_t p = 0; p < k; p++) {
            double a = A[i * k + p];
            const float *brow = B + p * n;
            for (size_t j = 0; j < n; j++)
                acc[j] += a * brow[j];
        }
        for (size_t j = 0; j < n; j++)
            C[i * n + j] = (float)acc[j];
    }
}

Tensor *tc_ref_matmul(const Tensor *A, const Tensor *B)
{
    tc_check_matmul_args("tc_ref_matmul", A, B);
    size_t m = A->shape[0], k = A->shape[1], n = B->shape[1];
    Tensor *C = tc_check_alloc(tensor_new_2d(m, n), "tc_ref_matmul");
    double *acc = calloc(n, sizeof *acc);

    if (acc == NULL) {
        tensor_free(C);
        ck_abort_msg("tc_ref_matmul: out of memory");
    }
    tc_matmul_into(C->data, A->data, B->data, m, k, n, acc);
    free(acc);
    return C;
}

TC_UNWATCHED
static void tc_relu_into(float *y, const float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float v = x[i];
        y[i] = (v > 0.0f || isnan(v)) ? v : 0.0f;
    }
}

Tensor *tc_ref_relu(const Tensor *x)
{
    if (x == NULL)
        ck_abort_msg("tc_ref_relu: x is NULL (a bug in the test)");
    Tensor *y = tc_check_alloc(tensor_empty(x->ndim, x->shape), "tc_ref_relu");

    tc_relu_into(y->data, x->data, y->size);
    return y;
}

int8_t tc_ref_quantize(float x, float scale)
{
    float v = x / scale;   /* float32 division, as kernels.h specifies */

    if (isnan(v))
        return 0;
    /* Saturate before converting: inf and huge values have no int8. */
    if (v >= 127.0f)
        return 127;
    if (v <= -128.0f)
        return -128;
    return (int8_t)rintf(v);   /* half to even; stays within -128..127 */
}

TC_UNWATCHED
static void tc_quantize_into(int8_t *q, const float *x, size_t n, float scale)
{
    for (size_t i = 0; i < n; i++)
        q[i] = tc_ref_quantize(x[i], scale);
}

/* Quantizes every element of t into a new array; fails the test on OOM. */
static int8_t *tc_ref_quantize_all(const Tensor *t, float scale)
{
    int8_t *q = malloc(t->size);

    if (q == NULL)
        ck_abort_msg("tc_ref_quantized_matmul: out of memory");
    tc_quantize_into(q, t->data, t->size, scale);
    return q;
}

/* C = (qa @ qb) * scale, m x k by k x n, int32 sums (unwatched: see tc_matmul_into()). */
TC_UNWATCHED
static void tc_qmatmul_into(float *C, const int8_t *qa, const int8_t *qb, size_t m,
                            size_t k, size_t n, float scale)
{
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            int32_t acc = 0;
            for (size_t p = 0; p < k; p++)
                acc += (int32_t)qa[i * k + p] * (int32_t)qb[p * n + j];
            C[i * n + j] = (float)acc * scale;
        }
    }
}

Tensor *tc_ref_quantized_matmul(const Tensor *A, const Tensor *B,
                                float scale_A, float scale_B)
{
    tc_check_matmul_args("tc_ref_quantized_matmul", A, B);
    size_t m = A->shape[0], k = A->shape[1], n = B->shape[1];
    /* |q| <= 128, so each product is at most 2^14 and k of them fit in int32. */
    if (k > (size_t)INT32_MAX / (128 * 128))
        ck_abort_msg("tc_ref_quantized_matmul: k = %zu overflows int32", k);
    Tensor *C = tc_check_alloc(tensor_new_2d(m, n), "tc_ref_quantized_matmul");
    int8_t *qa = tc_ref_quantize_all(A, scale_A);
    int8_t *qb = tc_ref_quantize_all(B, scale_B);
    const float scale = scale_A * scale_B;   /* in float32, as specified */

    tc_qmatmul_into(C->data, qa, qb, m, k, n, scale);
    free(qa);
    free(qb);
    return C;
}

Tensor *tc_ref_quantized_relu(const Tensor *x, float scale)
{
    if (x == NULL)
        ck_abort_msg("tc_ref_quantized_relu: x is NULL (a bug in the test)");
    Tensor *y = tc_check_alloc(tensor_clone(x), "tc_ref_quantized_relu");

    for (size_t i = 0; i < y->size; i++) {
        int8_t q = tc_ref_quantize(y->data[i], scale);
        y->data[i] = (float)(q > 0 ? q : 0) * scale;
    }
    return y;
}

/* ---- fault injection ------------------------------------------------------- */

/* Arms fault k of `kind` (0: off); the count of calls seen since. */
static void tc_fault_arm(enum tc_fault kind, size_t k)
{
    if (kind == TC_FAULT_ALLOC)
        tensor_fail_alloc_at(k);
    else
        tc_fail_thread_at(k);
}

static size_t tc_fault_counted(enum tc_fault kind)
{
    return kind == TC_FAULT_ALLOC ? tensor_alloc_faults_counted() : tc_thread_faults_counted();
}

void tc_assert_survives_faults_at(const char *file, int line, enum tc_fault kind,
                                  const struct tc_fault_case *c)
{
    const char *which = kind == TC_FAULT_ALLOC ? "allocation" : "pthread_create() call";

    for (size_t k = 1; k <= TC_FAULT_MAX; k++) {
        const size_t live = tensor_live_count(), blocks = tc_heap_live();
        tensor_clear_error();
        tc_fault_arm(kind, k);
        const int rc = c->call(c->arg);
        const int injected = tc_fault_counted(kind) >= k;
        tc_fault_arm(kind, 0);
        if (rc == 0) {
            c->check(c->arg, 1);   /* a kernel may also recover: then it must be right */
            if (!injected)
                return;            /* the call made fewer than k: every one was tried */
            continue;
        }
        if (!injected)
            tc_fail(file, line, "fault", "%s failed although no fault was injected "
                    "(kernels said: %s)", c->what, tc_reason());
        if (tensor_last_error()[0] == '\0')
            tc_fail(file, line, "fault", "%s, with its %s number %zu failing: it "
                    "returned failure but set no reason (tensor_set_error)",
                    c->what, which, k);
        if (tensor_live_count() != live)
            tc_fail(file, line, "fault", "%s, with its %s number %zu failing: it "
                    "failed (%s) but left %zu tensor(s) alive", c->what, which, k,
                    tc_reason(), tensor_live_count() - live);
        if (tc_heap_live() != blocks)
            tc_fail(file, line, "fault", "%s, with its %s number %zu failing: it "
                    "failed (%s) but leaked %zu block(s) it allocated", c->what, which,
                    k, tc_reason(), tc_heap_live() - blocks);
        tc_assert_no_overrun(file, line);
        c->check(c->arg, 0);
    }
    tc_fail(file, line, "fault", "%s: still failing after %d injected faults",
            c->what, TC_FAULT_MAX);
}
