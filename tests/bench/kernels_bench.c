/*
 * kernels_bench.c -- how fast the reference kernels are on this machine,
 * side by side with the yardsticks they are taught against.
 *
 *   kernels_bench [--repeats N] [--svg FILE]
 *
 * Built by `make bench` (tests/bench/bench.mk) from the reference solution
 * compiled with -O3 and the widest of -march=x86-64-v4 (AVX-512) and
 * x86-64-v3 (AVX2, FMA) this CPU runs (-O3 alone off x86-64), the tensor
 * library, kernels_support.c and Debian's OpenBLAS.  One run measures:
 *   - the matrix product at n = 256, 512, 1024: the textbook i-j-k loop
 *     (up to n = 512: at 1024 it takes seconds per call), matmul_baseline(),
 *     cache_friendly_matmul(A, B, 32), and OpenBLAS cblas_sgemm on one
 *     thread, in GFLOP/s and as a fraction of OpenBLAS;
 *   - ReLU of 16M floats in GB/s against memcpy of the same bytes, and
 *     parallel_relu() on 1 and 2 threads against memcpy on 1 and 2 threads
 *     (a memory-bound kernel can scale only as far as the machine's memory
 *     bandwidth does);
 *   - quantized_matmul() against cache_friendly_matmul() at n = 512;
 * and prints the seed's own Python figures, cited from
 * ../shared/seed/NOTES.md (another machine: not measured here).
 *
 * How.  Every kernel is timed through its API, allocation of the result
 * included (that is what a caller pays); OpenBLAS is wrapped the same way
 * (tensor_new_2d(), then sgemm with beta = 0).  Each case is called once to
 * warm up (its result is checked then), then N times; a figure is the
 * median of the N times, taken with CLOCK_MONOTONIC.  The cases of one
 * group run interleaved (repeat r of every case, then repeat r + 1), and a
 * ratio is the median of the N per-repeat ratios, so a burst of load from
 * another process hits both sides of a ratio alike.
 *
 * OpenBLAS twice.  Debian's OpenBLAS 0.3.21 picks its kernel when it is
 * loaded, from the CPU (DYNAMIC_ARCH): what its users get.  This process
 * uses the library as it loads by default, and the targets are checked
 * against that kernel (first column).  A helper process -- this program
 * again, with OPENBLAS_CORETYPE=Haswell, the AVX2+FMA kernel -- times
 * sgemm on request, in lockstep with the other cases (one computes at a
 * time), on its own clock, so that kernel is one more case of the same
 * interleaved rounds (second column, for comparison only).  Both core
 * names are printed as openblas_get_corename() reports them.
 *
 * Prints figures; asserts nothing about time.  Exit status 0, or 1 when a
 * case could not run (out of memory, a kernel returned NULL, the helper
 * died), 2 on usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>

#include "kernels.h"

#ifndef KB_CFLAGS
#define KB_CFLAGS "(unknown flags)"
#endif

#define KB_MAX_REPEATS 99
#define KB_MAX_CASES 7
#define KB_NSIZES 3
#define KB_IJK_MAX_N 512            /* the i-j-k loop only up to this n */
#define KB_BLOCK 32                 /* cache_friendly_matmul's block_size */
#define KB_MM_TOL 1e-4              /* float products: error / max |C| */
#define KB_RELU_N ((size_t)1 << 24) /* 16M floats: 64 MiB */
#define KB_INT8_N 512
#define KB_SCALE (1.0f / 127.0f)    /* inputs are in [-1, 1) */
#define KB_HELPER_CORE "Haswell"
#define KB_MM_TARGET 0.6            /* of the default OpenBLAS kernel's speed */
#define KB_PAR_TARGET 0.9           /* of memcpy's 2-thread speedup */

static const size_t kb_sizes[KB_NSIZES] = {256, 512, 1024};

/* How one OpenBLAS chose its kernel, and which it runs. */
struct kb_blas {
    int ok;                 /* 0: not running (see note) */
    char how[96];           /* what chose the kernel */
    char core[64];          /* openblas_get_corename() */
    char config[160];       /* openblas_get_config() */
    char note[160];         /* why it is not running */
};

/* The helper process: the second OpenBLAS, timing sgemm on request. */
struct kb_helper {
    FILE *to, *from;        /* requests to it, answers from it */
    pid_t pid;
    struct kb_blas blas;
    double secs;            /* its last sgemm, on its own clock */
    int wrong;              /* its check of this size's inputs failed */
};

/* ---- cases -------------------------------------------------------------- */

/* The inputs every case of a group shares. */
struct kb_in {
    const Tensor *a, *b;        /* b NULL for the ReLU cases */
    float *dst;                 /* a->size floats, for the cases without a result */
    struct kb_helper *helper;   /* NULL: no second OpenBLAS */
};

/* One measured call: 0 and *out a new tensor (or NULL), or -1 with a reason. */
typedef int (*kb_run_fn)(const struct kb_in *in, Tensor **out);

struct kb_case {
    const char *name;
    kb_run_fn run;
    double tol;             /* warm-up check against the group's `want`; < 0: none */
    int remote;             /* 1: the helper timed and checked it */
};

/* The result of a kernel, or -1 with its reason already set. */
static int kb_result(Tensor *t, Tensor **out)
{
    *out = t;
    return t != NULL ? 0 : -1;
}

/*
 * The textbook loop: one dot product per C[i][j], walking B down a
 * column.  The scalar sum may not be reordered (no -ffast-math), so gcc
 * leaves it scalar: this is what "naive" costs before any loop-order
 * thinking, for contrast with matmul_baseline()'s i-p-j order.
 */
static int kb_run_ijk(const struct kb_in *in, Tensor **out)
{
    const size_t m = in->a->shape[0], k = in->a->shape[1], n = in->b->shape[1];
    Tensor *c = tensor_new_2d(m, n);

    for (size_t i = 0; c != NULL && i < m; i++) {
        for (size_t j = 0; j < n; j++) {
            float s = 0.0f;
            for (size_t p = 0; p < k; p++)
                s += in->a->data[i * k + p] * in->b->data[p * n + j];
            c->data[i * n + j] = s;
        }
    }
    return kb_result(c, out);
}

static int kb_run_baseline(const struct kb_in *in, Tensor **out)
{
    return kb_result(matmul_baseline(in->a, in->b), out);
}

static int kb_run_blocked(const struct kb_in *in, Tensor **out)
{
    return kb_result(cache_friendly_matmul(in->a, in->b, KB_BLOCK), out);
}

/* sgemm under the kernels' contract: a new zero-filled C, then C = A @ B. */
static int kb_run_sgemm(const struct kb_in *in, Tensor **out)
{
    const size_t m = in->a->shape[0], k = in->a->shape[1], n = in->b->shape[1];
    Tensor *c = tensor_new_2d(m, n);

    if (c != NULL)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (blasint)m,
                    (blasint)n, (blasint)k, 1.0f, in->a->data, (blasint)k,
                    in->b->data, (blasint)n, 0.0f, c->data, (blasint)n);
    return kb_result(c, out);
}

/*
 * The same in the helper process: sends "n", reads back "seconds wrong".
 * The helper builds the same inputs from the same seeds (kb_mm_inputs()).
 */
static int kb_run_helper(const struct kb_in *in, Tensor **out)
{
    struct kb_helper *h = in->helper;
    char line[96];

    *out = NULL;
    if (fprintf(h->to, "%zu\n", in->a->shape[0]) < 0 || fflush(h->to) != 0 ||
        fgets(line, sizeof line, h->from) == NULL ||
        sscanf(line, "%lf %d", &h->secs, &h->wrong) != 2) {
        tensor_set_error("the OpenBLAS helper process stopped answering");
        return -1;
    }
    return 0;
}

static int kb_run_int8(const struct kb_in *in, Tensor **out)
{
    return kb_result(quantized_matmul(in->a, in->b, KB_SCALE, KB_SCALE), out);
}

/* The bandwidth yardstick: the same bytes, into a buffer already mapped. */
static int kb_run_memcpy(const struct kb_in *in, Tensor **out)
{
    memcpy(in->dst, in->a->data, in->a->size * sizeof(float));
    *out = NULL;
    return 0;
}

/* One half of a two-thread memcpy. */
struct kb_copy_half {
    float *dst;
    const float *src;
    size_t n;
};

static void *kb_copy_half(void *arg)
{
    const struct kb_copy_half *h = arg;
    memcpy(h->dst, h->src, h->n * sizeof(float));
    return NULL;
}

/*
 * How memory bandwidth scales with a second thread here: memcpy of the
 * same bytes split in two halves, one thread each (the caller waits, like
 * parallel_relu()'s caller).  glibc's memcpy of 64 MiB already streams
 * with non-temporal stores, so one thread gets closer to the limit than
 * the ReLU loop does.
 */
static int kb_run_memcpy2(const struct kb_in *in, Tensor **out)
{
    const size_t n = in->a->size, half = n / 2;
    struct kb_copy_half h[2] = {{in->dst, in->a->data, half},
                                {in->dst + half, in->a->data + half, n - half}};
    pthread_t t[2];
    int started = 0, rc = 0;

    *out = NULL;
    for (int i = 0; i < 2 && rc == 0; i++)
        if ((rc = pthread_create(&t[i], NULL, kb_copy_half, &h[i])) == 0)
            started++;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    if (rc != 0) {
        tensor_set_error("memcpy on 2 threads: %s", strerror(rc));
        return -1;
    }
    return 0;
}

/*
 * The reference's ReLU loop (relu_span() in kernels.c, static there)
 * written again here, into a buffer already mapped: the loop without the
 * allocation of its result.  Not the API: it shows where the time goes.
 */
static void kb_relu_loop(const float *restrict x, float *restrict y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

static int kb_run_relu_loop(const struct kb_in *in, Tensor **out)
{
    kb_relu_loop(in->a->data, in->dst, in->a->size);
    *out = NULL;
    return 0;
}

/* A copy under the kernels' contract: allocate, zero-fill, copy. */
static int kb_run_clone(const struct kb_in *in, Tensor **out)
{
    return kb_result(tensor_clone(in->a), out);
}

static int kb_run_relu(const struct kb_in *in, Tensor **out)
{
    return kb_result(vectorized_relu(in->a), out);
}

static int kb_run_relu1(const struct kb_in *in, Tensor **out)
{
    return kb_result(parallel_relu(in->a, 1), out);
}

static int kb_run_relu2(const struct kb_in *in, Tensor **out)
{
    return kb_result(parallel_relu(in->a, 2), out);
}

/* The groups: cases measured interleaved.  The indices name columns below. */
enum { MM_IJK, MM_BASE, MM_BLOCKED, MM_SGEMM, MM_HELPER, MM_NCASES };
static const struct kb_case kb_mm_cases[MM_NCASES] = {
    {"naive i-j-k (textbook)", kb_run_ijk, KB_MM_TOL, 0},
    {"matmul_baseline (i-p-j)", kb_run_baseline, KB_MM_TOL, 0},
    {"cache_friendly_matmul (32)", kb_run_blocked, KB_MM_TOL, 0},
    {"OpenBLAS sgemm", kb_run_sgemm, KB_MM_TOL, 0},
    {"OpenBLAS sgemm (helper)", kb_run_helper, -1, 1},
};

enum { RL_MEMCPY, RL_LOOP, RL_CLONE, RL_RELU, RL_PAR1, RL_PAR2, RL_MEMCPY2, RL_NCASES };
static const struct kb_case kb_relu_cases[RL_NCASES] = {
    {"memcpy (into a mapped buffer)", kb_run_memcpy, -1, 0},
    {"ReLU loop alone (into a mapped buffer)", kb_run_relu_loop, -1, 0},
    {"tensor_clone (alloc+zero+copy)", kb_run_clone, -1, 0},
    {"vectorized_relu", kb_run_relu, 0, 0},
    {"parallel_relu, 1 worker", kb_run_relu1, 0, 0},
    {"parallel_relu, 2 workers", kb_run_relu2, 0, 0},
    {"memcpy, 2 threads", kb_run_memcpy2, -1, 0},
};

/*
 * The speedups on 2 threads are timed in pairs of their own, back to
 * back: on this kind of VM the second thread of a call that follows a
 * long single-threaded one (a 64 MiB copy, or a busy core) may start
 * milliseconds late, which the big group above would charge to it.
 */
enum { PP_ONE, PP_TWO, PP_NCASES };
static const struct kb_case kb_par_pair[PP_NCASES] = {
    {"parallel_relu, 1 worker", kb_run_relu1, 0, 0},
    {"parallel_relu, 2 workers", kb_run_relu2, 0, 0},
};
static const struct kb_case kb_memcpy_pair[PP_NCASES] = {
    {"memcpy (into a mapped buffer)", kb_run_memcpy, -1, 0},
    {"memcpy, 2 threads", kb_run_memcpy2, -1, 0},
};
#define KB_PAIR_REPEATS 31

enum { Q_FLOAT, Q_INT8, Q_NCASES };
static const struct kb_case kb_int8_cases[Q_NCASES] = {
    {"cache_friendly_matmul (32)", kb_run_blocked, KB_MM_TOL, 0},
    {"quantized_matmul (int8)", kb_run_int8, 0.02, 0},
};

/* ---- measuring ---------------------------------------------------------- */

struct kb_group {
    const struct kb_case *cases;
    size_t ncases;
    int skip[KB_MAX_CASES];                 /* 1: not measured in this group */
    struct kb_in in;
    const Tensor *want;                     /* the correct result, for checks */
    int wrong[KB_MAX_CASES];                /* 1: the warm-up result was wrong */
    int repeats;
    double t[KB_MAX_CASES][KB_MAX_REPEATS]; /* seconds */
    double med[KB_MAX_CASES];               /* median seconds; NAN if skipped */
};

static double kb_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int kb_cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n), 1 <= n <= KB_MAX_REPEATS; v is left as it was. */
static double kb_median(const double *v, int n)
{
    double tmp[KB_MAX_REPEATS];

    memcpy(tmp, v, (size_t)n * sizeof *v);
    qsort(tmp, (size_t)n, sizeof *tmp, kb_cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/*
 * How much faster case a ran than case b: the median over the repeats of
 * t_b / t_a, each pair measured in the same round.  NAN if either was
 * skipped.
 */
static double kb_speedup(const struct kb_group *g, size_t a, size_t b)
{
    double r[KB_MAX_REPEATS];

    if (g->skip[a] || g->skip[b])
        return NAN;
    for (int i = 0; i < g->repeats; i++)
        r[i] = g->t[b][i] / g->t[a][i];
    return kb_median(r, g->repeats);
}

/*
 * 1 unless every |got - want| <= tol * max(1, max |want|).  Relative to
 * the largest element, not to each: a product's rounding (or int8's
 * quantization) error scales with the whole row, and an element that
 * happens to be near 0 keeps that absolute error.
 */
static int kb_differs(const Tensor *got, const Tensor *want, double tol)
{
    double scale = 1.0;

    if (got == NULL || want == NULL || got->size != want->size)
        return got != want;
    for (size_t i = 0; i < want->size; i++)
        scale = fmax(scale, fabs((double)want->data[i]));
    for (size_t i = 0; i < got->size; i++) {
        const double d = fabs((double)got->data[i] - (double)want->data[i]);
        if (!(d <= tol * scale))   /* NaN counts as different */
            return 1;
    }
    return 0;
}

/* Times one call of case c; checks its result if `check`.  -1: it failed. */
static int kb_time_case(struct kb_group *g, size_t c, int check, double *secs)
{
    const struct kb_case *kc = &g->cases[c];
    Tensor *out = NULL;
    const double t0 = kb_now();
    const int rc = kc->run(&g->in, &out);

    *secs = kb_now() - t0;
    if (rc < 0) {
        fprintf(stderr, "kernels_bench: %s failed: %s\n", kc->name, tensor_last_error());
        return -1;
    }
    if (kc->remote)
        *secs = g->in.helper->secs;   /* its own clock: no pipe latency */
    if (check && kc->remote)
        g->wrong[c] = g->in.helper->wrong;
    else if (check && kc->tol >= 0 && g->want != NULL)
        g->wrong[c] = kb_differs(out, g->want, kc->tol);
    tensor_free(out);
    return 0;
}

/* Warm-up and check, then `repeats` interleaved rounds; fills t and med. */
static int kb_measure(struct kb_group *g, int repeats)
{
    double unused;

    g->repeats = repeats;
    for (size_t c = 0; c < g->ncases; c++)
        if (!g->skip[c] && kb_time_case(g, c, 1, &unused) < 0)
            return -1;
    for (int r = 0; r < repeats; r++)
        for (size_t c = 0; c < g->ncases; c++)
            if (!g->skip[c] && kb_time_case(g, c, 0, &g->t[c][r]) < 0)
                return -1;
    for (size_t c = 0; c < g->ncases; c++)
        g->med[c] = g->skip[c] ? NAN : kb_median(g->t[c], repeats);
    return 0;
}

/* ---- inputs ------------------------------------------------------------- */

/* A uniform float in [-1, 1) from a splitmix64 state. */
static float kb_uniform(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (float)(z >> 40) * 0x1p-23f - 1.0f;   /* 24 bits: exact */
}

static Tensor *kb_random(size_t rows, size_t cols, uint64_t seed)
{
    Tensor *t = rows > 1 ? tensor_new_2d(rows, cols) : tensor_new_1d(cols);

    for (size_t i = 0; t != NULL && i < t->size; i++)
        t->data[i] = kb_uniform(&seed);
    return t;
}

/*
 * The n x n inputs of the products and their correct product, the same in
 * this process and in the helper (same seeds).  -1 if out of memory (the
 * three are then freed and NULL).
 */
static int kb_mm_inputs(size_t n, Tensor **a, Tensor **b, Tensor **want)
{
    *a = kb_random(n, n, 1 + n);
    *b = kb_random(n, n, 2 + n);
    *want = *a && *b ? matmul_baseline(*a, *b) : NULL;
    if (*want != NULL)
        return 0;
    tensor_free(*a);
    tensor_free(*b);
    *a = *b = NULL;
    return -1;
}

/* max(0, x) by the obvious loop: what vectorized_relu() must return. */
static Tensor *kb_relu_want(const Tensor *x)
{
    Tensor *y = tensor_clone(x);

    for (size_t i = 0; y != NULL && i < y->size; i++)
        if (y->data[i] < 0.0f)
            y->data[i] = 0.0f;
    return y;
}

/* ---- the helper process ------------------------------------------------- */

/* What this process's OpenBLAS runs, and what chose it. */
static void kb_blas_self(struct kb_blas *blas)
{
    const char *env = getenv("OPENBLAS_CORETYPE");

    memset(blas, 0, sizeof *blas);
    blas->ok = 1;
    snprintf(blas->how, sizeof blas->how, "%s%.60s",
             env ? "OPENBLAS_CORETYPE=" : "default (OPENBLAS_CORETYPE unset)",
             env ? env : "");
    snprintf(blas->core, sizeof blas->core, "%.63s", openblas_get_corename());
    snprintf(blas->config, sizeof blas->config, "%.159s", openblas_get_config());
}

/*
 * The helper's whole job (--openblas-helper): print its core and config,
 * then for each line "n" on stdin time one sgemm of the n x n inputs and
 * answer "seconds wrong" (wrong: the first call for this n, checked
 * against matmul_baseline(), was off).  Returns at EOF; -1 if out of memory.
 */
static int kb_helper_main(void)
{
    struct kb_blas self;
    Tensor *a = NULL, *b = NULL, *want = NULL;
    size_t cur = 0, n;
    int wrong = 0, rc = 0;
    char line[64];

    kb_blas_self(&self);
    printf("core\t%s\nconfig\t%s\n", self.core, self.config);
    fflush(stdout);
    while (rc == 0 && fgets(line, sizeof line, stdin) != NULL &&
           sscanf(line, "%zu", &n) == 1) {
        Tensor *c = NULL;
        if (n != cur) {
            tensor_free(a);
            tensor_free(b);
            tensor_free(want);
            rc = kb_mm_inputs(n, &a, &b, &want);
            cur = rc == 0 ? n : 0;
            wrong = -1;                       /* check this first call */
        }
        const struct kb_in in = {a, b, NULL, NULL};
        const double t0 = kb_now();
        if (rc == 0)
            rc = kb_run_sgemm(&in, &c);
        const double secs = kb_now() - t0;
        if (rc == 0 && wrong < 0)
            wrong = kb_differs(c, want, KB_MM_TOL);
        tensor_free(c);
        if (rc == 0)
            printf("%.9g %d\n", secs, wrong);
        fflush(stdout);
    }
    tensor_free(a);
    tensor_free(b);
    tensor_free(want);
    return rc;
}

/* Is `entry` ("NAME=value") the variable `name`? */
static int kb_env_is(const char *entry, const char *name)
{
    const size_t len = strlen(name);
    return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

/*
 * The helper's environment: ours without the variables that choose the
 * OpenBLAS kernel and its threads, plus those set for the helper.  The
 * array holds pointers into `environ`; free() only the array.
 */
static char **kb_helper_env(void)
{
    static char core[] = "OPENBLAS_CORETYPE=" KB_HELPER_CORE;
    static char threads[] = "OPENBLAS_NUM_THREADS=1";
    size_t n = 0, k = 0;

    while (environ[n] != NULL)
        n++;
    char **env = malloc((n + 3) * sizeof *env);
    for (size_t i = 0; env != NULL && i < n; i++)
        if (!kb_env_is(environ[i], "OPENBLAS_CORETYPE") &&
            !kb_env_is(environ[i], "OPENBLAS_L2_SIZE") &&
            !kb_env_is(environ[i], "OPENBLAS_NUM_THREADS"))
            env[k++] = environ[i];
    if (env != NULL) {
        env[k++] = core;
        env[k++] = threads;
        env[k] = NULL;
    }
    return env;
}

/*
 * Starts /proc/self/exe --openblas-helper with its stdin and stdout on two
 * pipes (close-on-exec on our side, so the helper holds no end of its own
 * pipes and sees EOF when we close).  -1 with h->blas.note set.
 */
static int kb_helper_spawn(struct kb_helper *h)
{
    char *argv[] = {"kernels_bench", "--openblas-helper", NULL};
    char **env = kb_helper_env();
    int req[2] = {-1, -1}, ans[2] = {-1, -1}, rc = -1;
    posix_spawn_file_actions_t fa;

    if (env != NULL && pipe2(req, O_CLOEXEC) == 0 && pipe2(ans, O_CLOEXEC) == 0) {
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, req[0], STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&fa, ans[1], STDOUT_FILENO);
        fflush(NULL);
        rc = posix_spawn(&h->pid, "/proc/self/exe", &fa, NULL, argv, env);
        posix_spawn_file_actions_destroy(&fa);
        errno = rc;
        rc = rc == 0 ? 0 : -1;
    }
    if (rc == 0) {
        h->to = fdopen(req[1], "w");
        if (h->to != NULL)
            req[1] = -1;
        h->from = fdopen(ans[0], "r");
        if (h->from != NULL)
            ans[0] = -1;
        rc = h->to != NULL && h->from != NULL ? 0 : -1;   /* errno from fdopen */
    }
    if (rc < 0)
        snprintf(h->blas.note, sizeof h->blas.note, "cannot start it: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
        if (req[i] >= 0)
            close(req[i]);
        if (ans[i] >= 0)
            close(ans[i]);
    }
    free(env);
    return rc;
}

/* Reads the helper's "core" and "config" lines.  -1 if it said nothing. */
static int kb_helper_hello(struct kb_helper *h)
{
    char line[512];

    for (int i = 0; i < 2; i++) {
        if (h->from == NULL || fgets(line, sizeof line, h->from) == NULL) {
            snprintf(h->blas.note, sizeof h->blas.note, "it did not start");
            return -1;
        }
        line[strcspn(line, "\n")] = '\0';
        if (strncmp(line, "core\t", 5) == 0)
            snprintf(h->blas.core, sizeof h->blas.core, "%.63s", line + 5);
        else if (strncmp(line, "config\t", 7) == 0)
            snprintf(h->blas.config, sizeof h->blas.config, "%.159s", line + 7);
    }
    return 0;
}

/* Closes its stdin (it exits at EOF) and waits for it; NULL-safe. */
static void kb_helper_stop(struct kb_helper *h)
{
    if (h->to != NULL)
        fclose(h->to);
    if (h->from != NULL)
        fclose(h->from);
    if (h->pid > 0)
        waitpid(h->pid, NULL, 0);
    h->to = h->from = NULL;
    h->pid = 0;
}

/* Starts the helper; on failure h->blas.ok is 0 and note says why. */
static void kb_helper_start(struct kb_helper *h)
{
    memset(h, 0, sizeof *h);
    snprintf(h->blas.how, sizeof h->blas.how, "OPENBLAS_CORETYPE=%s (helper process)",
             KB_HELPER_CORE);
#if defined(__x86_64__)
    if (kb_helper_spawn(h) == 0 && kb_helper_hello(h) == 0) {
        h->blas.ok = 1;
        return;
    }
    kb_helper_stop(h);
#else
    snprintf(h->blas.note, sizeof h->blas.note, "not an x86-64 machine");
#endif
}

/* ---- the measurements --------------------------------------------------- */

/* Everything one run measured, in median seconds and speed ratios. */
struct kb_results {
    int repeats;
    char machine[128];                      /* CPU model, CPUs online */
    double load_start;                      /* 1-minute load average */
    double mm[KB_NSIZES][MM_NCASES];        /* seconds; NAN: not measured */
    double of_sgemm[KB_NSIZES][MM_NCASES];  /* speed / this process's sgemm */
    double of_helper[KB_NSIZES][MM_NCASES]; /* speed / the helper's sgemm */
    int mm_wrong[KB_NSIZES][MM_NCASES];
    double relu[RL_NCASES];
    double relu_of_memcpy[RL_NCASES];       /* speed / memcpy's */
    double relu_of_clone;                   /* vectorized_relu / tensor_clone */
    double par_speedup;                     /* 2 workers over 1 */
    double memcpy2_speedup;                 /* memcpy on 2 threads over 1 */
    int relu_wrong[RL_NCASES];
    double q[Q_NCASES];
    double q_speedup;                       /* int8 over float */
    int q_wrong[Q_NCASES];
};

/* The products at size index s, the helper's sgemm among them if it runs. */
static int kb_bench_matmul(size_t s, struct kb_helper *h, int repeats,
                           struct kb_results *res)
{
    const size_t n = kb_sizes[s];
    Tensor *a, *b, *want;

    if (kb_mm_inputs(n, &a, &b, &want) < 0) {
        fprintf(stderr, "kernels_bench: n = %zu: %s\n", n, tensor_last_error());
        return -1;
    }
    struct kb_group g = {.cases = kb_mm_cases, .ncases = MM_NCASES,
                         .in = {a, b, NULL, h}, .want = want};
    g.skip[MM_IJK] = n > KB_IJK_MAX_N;
    g.skip[MM_HELPER] = !h->blas.ok;
    const int rc = kb_measure(&g, repeats);
    for (size_t c = 0; rc == 0 && c < MM_NCASES; c++) {
        res->mm[s][c] = g.med[c];
        res->of_sgemm[s][c] = kb_speedup(&g, c, MM_SGEMM);
        res->of_helper[s][c] = kb_speedup(&g, c, MM_HELPER);
        res->mm_wrong[s][c] = g.wrong[c];
    }
    tensor_free(a);
    tensor_free(b);
    tensor_free(want);
    return rc;
}

static int kb_bench_relu(int repeats, struct kb_results *res)
{
    Tensor *x = kb_random(1, KB_RELU_N, 3);
    Tensor *want = x ? kb_relu_want(x) : NULL;
    float *dst = malloc(KB_RELU_N * sizeof *dst);
    struct kb_group g = {.cases = kb_relu_cases, .ncases = RL_NCASES,
                         .in = {x, NULL, dst, NULL}, .want = want};
    int rc = -1;

    if (want != NULL && dst != NULL && kb_measure(&g, repeats) == 0) {
        for (size_t c = 0; c < RL_NCASES; c++) {
            res->relu[c] = g.med[c];
            res->relu_of_memcpy[c] = kb_speedup(&g, c, RL_MEMCPY);
            res->relu_wrong[c] = g.wrong[c];
        }
        res->relu_of_clone = kb_speedup(&g, RL_RELU, RL_CLONE);
        struct kb_group par = {.cases = kb_par_pair, .ncases = PP_NCASES,
                               .in = g.in, .want = want};
        struct kb_group cpy = {.cases = kb_memcpy_pair, .ncases = PP_NCASES,
                               .in = g.in, .want = want};
        int pair_repeats = repeats > KB_PAIR_REPEATS ? repeats : KB_PAIR_REPEATS;
        if (pair_repeats > KB_MAX_REPEATS)
            pair_repeats = KB_MAX_REPEATS;
        if (kb_measure(&par, pair_repeats) == 0 && kb_measure(&cpy, pair_repeats) == 0) {
            res->par_speedup = kb_speedup(&par, PP_TWO, PP_ONE);
            res->memcpy2_speedup = kb_speedup(&cpy, PP_TWO, PP_ONE);
            rc = 0;
        }
    } else if (want == NULL || dst == NULL) {
        fprintf(stderr, "kernels_bench: relu: out of memory\n");
    }
    free(dst);
    tensor_free(x);
    tensor_free(want);
    return rc;
}

static int kb_bench_int8(int repeats, struct kb_results *res)
{
    Tensor *a = kb_random(KB_INT8_N, KB_INT8_N, 4), *b = kb_random(KB_INT8_N, KB_INT8_N, 5);
    Tensor *want = a && b ? matmul_baseline(a, b) : NULL;
    struct kb_group g = {.cases = kb_int8_cases, .ncases = Q_NCASES,
                         .in = {a, b, NULL, NULL}, .want = want};
    int rc = -1;

    if (want != NULL && kb_measure(&g, repeats) == 0) {
        for (size_t c = 0; c < Q_NCASES; c++) {
            res->q[c] = g.med[c];
            res->q_wrong[c] = g.wrong[c];
        }
        res->q_speedup = kb_speedup(&g, Q_INT8, Q_FLOAT);
        rc = 0;
    } else if (want == NULL) {
        fprintf(stderr, "kernels_bench: int8: %s\n", tensor_last_error());
    }
    tensor_free(a);
    tensor_free(b);
    tensor_free(want);
    return rc;
}

/* ---- the table ---------------------------------------------------------- */

/* "12.34" with `dec` decimals, or "-" for NAN, right-aligned in `width`. */
static void kb_num(double v, int width, int dec)
{
    if (isnan(v))
        printf(" %*s", width, "-");
    else
        printf(" %*.*f", width, dec, v);
}

/* "53%" or "-", right-aligned in `width`. */
static void kb_pct(double v, int width)
{
    if (isnan(v))
        printf(" %*s", width, "-");
    else
        printf(" %*.0f%%", width - 1, 100.0 * v);
}

static double kb_gflops(size_t n, double secs)
{
    return 2.0 * (double)n * (double)n * (double)n / secs * 1e-9;
}

/* Bandwidth of a ReLU-sized pass: bytes read + bytes written, in GB/s. */
static double kb_gbps(double secs)
{
    return 2.0 * (double)(KB_RELU_N * sizeof(float)) / secs * 1e-9;
}

/* "MODEL, N CPUs online" from /proc/cpuinfo and sysconf(). */
static void kb_machine(char *buf, size_t size)
{
    char model[128] = "unknown CPU", line[256];
    FILE *f = fopen("/proc/cpuinfo", "r");

    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        const char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon != NULL && colon[1] != '\0') {
            snprintf(model, sizeof model, "%.127s", colon + 2);
            model[strcspn(model, "\n")] = '\0';
            break;
        }
    }
    if (f != NULL)
        fclose(f);
    snprintf(buf, size, "%.100s, %ld CPUs online", model, sysconf(_SC_NPROCESSORS_ONLN));
}

/* The 1-minute load average now; NAN if unknown. */
static double kb_load(void)
{
    double load[1];

    return getloadavg(load, 1) == 1 ? load[0] : NAN;
}

static void kb_print_header(const struct kb_results *res, const struct kb_blas *self,
                            const struct kb_blas *helper)
{
    printf("kernels: the reference solution (solutions/kernels/kernels.c), one thread unless stated\n");
    printf("  compiled  gcc %s: %s\n", __VERSION__, KB_CFLAGS);
    printf("  machine   %s; load average (1 min) %.2f at start, %.2f at end\n",
           res->machine, res->load_start, kb_load());
    printf("  OpenBLAS  %s: core %s\n            %s\n", self->how, self->core, self->config);
    if (helper->ok)
        printf("  OpenBLAS  %s: core %s\n", helper->how, helper->core);
    else
        printf("  OpenBLAS  %s: not measured: %s\n", helper->how, helper->note);
    printf("  figures   median of %d repeats after a warm-up (CLOCK_MONOTONIC); a ratio is\n"
           "            the median of the per-repeat ratios of two cases of the same round\n",
           res->repeats);
}

/* A warning mark after a row whose warm-up result was wrong. */
static const char *kb_wrong(int wrong)
{
    return wrong ? "  WRONG RESULT" : "";
}

/* A product row's name: the OpenBLAS rows say which kernel ran. */
static void kb_mm_name(size_t c, const struct kb_blas *self, const struct kb_blas *helper,
                       char *buf, size_t size)
{
    if (c == MM_SGEMM || c == MM_HELPER)
        snprintf(buf, size, "OpenBLAS sgemm, core %.40s",
                 c == MM_SGEMM ? self->core : helper->ok ? helper->core : "-");
    else
        snprintf(buf, size, "%s", kb_mm_cases[c].name);
}

static void kb_print_matmul(const struct kb_results *res, const struct kb_blas *self,
                            const struct kb_blas *helper)
{
    printf("\nmatrix product C = A @ B, float32, n x n; GFLOP/s = 2 n^3 / time\n");
    printf("%-40s %5s %9s %8s %10s %10s\n", "case", "n", "ms", "GFLOP/s", "of OB", "of OB");
    printf("%-40s %5s %9s %8s %10.10s %10.10s\n", "", "", "", "", self->core,
           helper->ok ? helper->core : "-");
    for (size_t s = 0; s < KB_NSIZES; s++) {
        for (size_t c = 0; c < MM_NCASES; c++) {
            char name[64];
            kb_mm_name(c, self, helper, name, sizeof name);
            printf("%-40s %5zu", name, kb_sizes[s]);
            kb_num(res->mm[s][c] * 1e3, 9, 3);
            kb_num(kb_gflops(kb_sizes[s], res->mm[s][c]), 8, 2);
            kb_pct(res->of_sgemm[s][c], 10);
            kb_pct(res->of_helper[s][c], 10);
            printf("%s\n", kb_wrong(res->mm_wrong[s][c]));
        }
    }
    printf("  (the i-j-k loop only up to n = %d: at 1024 it takes seconds a call)\n",
           KB_IJK_MAX_N);
}

static void kb_print_relu(const struct kb_results *res)
{
    printf("\nReLU of 16M floats (64 MiB in, 64 MiB out); GB/s = (bytes read + written) / time\n");
    printf("%-40s %5s %9s %8s %10s %10s %10s\n", "case", "", "ms", "GB/s", "of memcpy",
           "of clone", "vs 1 wkr");
    for (size_t c = 0; c < RL_NCASES; c++) {
        printf("%-40s %5s", kb_relu_cases[c].name, "");
        kb_num(res->relu[c] * 1e3, 9, 3);
        kb_num(kb_gbps(res->relu[c]), 8, 2);
        kb_pct(res->relu_of_memcpy[c], 10);
        kb_pct(c == RL_RELU ? res->relu_of_clone : NAN, 10);
        if (c == RL_PAR2 || c == RL_MEMCPY2)
            printf(" %9.2fx", c == RL_PAR2 ? res->par_speedup : res->memcpy2_speedup);
        else
            printf(" %10s", "-");
        printf("%s\n", kb_wrong(res->relu_wrong[c]));
    }
    printf("  (memcpy and the loop alone write into a buffer mapped once; the kernels\n"
           "   and tensor_clone return a new tensor: tensor_new() maps and zero-fills it;\n"
           "   \"vs 1 wkr\": 1 and 2 threads timed in pairs of their own, back to back,\n"
           "   median of %d)\n", KB_PAIR_REPEATS);
}

static void kb_print_int8(const struct kb_results *res)
{
    printf("\nint8 against float product, n = %d; G op/s = 2 n^3 / time\n", KB_INT8_N);
    printf("%-40s %5s %9s %8s %10s\n", "case", "n", "ms", "Gop/s", "speed");
    for (size_t c = 0; c < Q_NCASES; c++) {
        printf("%-40s %5d", kb_int8_cases[c].name, KB_INT8_N);
        kb_num(res->q[c] * 1e3, 9, 3);
        kb_num(kb_gflops(KB_INT8_N, res->q[c]), 8, 2);
        printf(" %9.2fx%s\n", c == Q_INT8 ? res->q_speedup : 1.0, kb_wrong(res->q_wrong[c]));
    }
}

/* The seed's figures, as ../shared/seed/NOTES.md gives them. */
struct kb_seed_row {
    const char *what;
    double n;          /* matrix size, or elements for ReLU */
    double us;         /* median time, microseconds */
    int relu;          /* 1: a ReLU of n float64 (GB/s); 0: a product (G op/s) */
};

static const struct kb_seed_row kb_seed_rows[] = {
    {"cache_friendly_matmul, pure Python (32)", 256, 5053649, 0},
    {"np.dot, netlib reference BLAS", 256, 9874, 0},
    {"np.dot, OpenBLAS 0.3.21, 1 thread", 256, 1164, 0},
    {"quantized_matmul (int32 np.dot)", 256, 14351, 0},
    {"vectorized_relu (np.maximum)", 10000, 9.6, 1},
    {"parallel_relu, 4 workers", 10000, 426, 1},
};

static void kb_print_seed(void)
{
    printf("\nthe seed (Python, NumPy 1.24, float64), cited from ../shared/seed/NOTES.md:\n"
           "measured on a 2-core AMD EPYC (Zen 4), not here\n");
    printf("%-40s %5s %9s %8s\n", "case", "n", "ms", "G/s");
    for (size_t i = 0; i < sizeof kb_seed_rows / sizeof kb_seed_rows[0]; i++) {
        const struct kb_seed_row *r = &kb_seed_rows[i];
        const double secs = r->us * 1e-6;
        const double rate = r->relu ? 16.0 * r->n / secs * 1e-9   /* 8 B in, 8 B out */
                                    : kb_gflops((size_t)r->n, secs);
        printf("%-40s %5.0f", r->what, r->n);
        kb_num(secs * 1e3, 9, 3);
        kb_num(rate, 8, rate < 1 ? 4 : 2);
        printf(" %s\n", r->relu ? "GB/s" : i == 3 ? "Gop/s" : "GFLOP/s");
    }
    printf("%-40s %5s %9s %8s GFLOP/s\n", "np.dot float32, OpenBLAS, 1 thread", "256+", "",
           "95-100");
}

/* One line of the targets: the measured value, the bar, the verdict. */
static void kb_target(const char *what, double got, double want, int pct)
{
    char g[32], w[32];

    if (pct) {
        snprintf(g, sizeof g, "%.0f%%", 100.0 * got);
        snprintf(w, sizeof w, ">= %.0f%%", 100.0 * want);
    } else {
        snprintf(g, sizeof g, "%.2fx", got);
        snprintf(w, sizeof w, ">= %.2fx", want);
    }
    printf("  %-60s %7s %9s  %s\n", what, isnan(got) ? "-" : g, w,
           isnan(got) ? "not measured" : got >= want ? "met" : "NOT MET");
}

static void kb_print_targets(const struct kb_results *res, const struct kb_blas *self,
                             const struct kb_blas *helper)
{
    char what[96];

    printf("\ntargets for the reference solution (figures, not assertions)\n");
    for (size_t s = 0; s < KB_NSIZES; s++) {
        snprintf(what, sizeof what, "cache_friendly_matmul / OpenBLAS core %.20s, n = %zu",
                 self->core, kb_sizes[s]);
        kb_target(what, res->of_sgemm[s][MM_BLOCKED], KB_MM_TARGET, 1);
    }
    printf("  %-60s %7.0f%%  (second column: OpenBLAS forced to core %s)\n",
           "  the same, n = 1024, against the forced core", 100.0 *
           res->of_helper[KB_NSIZES - 1][MM_BLOCKED], helper->ok ? helper->core : "-");
    kb_target("vectorized_relu / memcpy bandwidth, 16M floats",
              res->relu_of_memcpy[RL_RELU], 0.7, 1);
    printf("  %-60s %7.2fx  (the bar below: what this machine's memory scales to)\n",
           "memcpy 2 threads / 1 thread, 64 MiB, same run", res->memcpy2_speedup);
    snprintf(what, sizeof what, "parallel_relu 2 workers / 1 worker, 16M floats (%.0f%% of it)",
             100.0 * KB_PAR_TARGET);
    kb_target(what, res->par_speedup, KB_PAR_TARGET * res->memcpy2_speedup, 0);
    kb_target("quantized_matmul / cache_friendly_matmul speed, n = 512",
              res->q_speedup, 1.0, 0);
}

/* ---- the chart ---------------------------------------------------------- */

#define KB_SVG_W 1180
#define KB_SVG_H 610
#define KB_PLOT_Y 90           /* top of every plot area */
#define KB_PLOT_H 300
#define KB_LEGEND_ROW 18

/* One bar chart panel: groups of bars on an axis from 0, one target mark. */
struct kb_panel {
    double x, w;                    /* plot area's left edge and width, px */
    const char *title, *unit;
    size_t ngroups, nseries;
    const char *const *groups;      /* ngroups labels */
    const char *const *series;      /* nseries legend labels */
    const char *const *colors;      /* nseries fill colours */
    double v[KB_NSIZES][KB_MAX_CASES]; /* bar heights; NAN: no bar */
    double mark[KB_NSIZES];         /* a dashed target line per group; NAN: none */
    const char *mark_label;
};

/* An axis top above vmax, in at most 6 steps of 1, 2, 2.5 or 5 x 10^k. */
static double kb_axis_top(double vmax, double *step)
{
    const double mag = pow(10.0, floor(log10(vmax > 0 ? vmax : 1)));
    const double steps[] = {0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10};

    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        *step = steps[i] * mag;
        if (ceil(vmax / *step) <= 6)
            break;
    }
    return ceil(vmax / *step) * *step;
}

/* The y coordinate of value v on an axis from 0 to top. */
static double kb_y(double v, double top)
{
    return KB_PLOT_Y + KB_PLOT_H - v / top * KB_PLOT_H;
}

static void kb_svg_axis(FILE *f, const struct kb_panel *p, double top, double step)
{
    fprintf(f, "<text x='%.1f' y='%d' class='t'>%s</text>\n", p->x, KB_PLOT_Y - 34, p->title);
    fprintf(f, "<text x='%.1f' y='%d' class='s'>%s</text>\n", p->x, KB_PLOT_Y - 16, p->unit);
    for (int i = 0; i * step <= top + step / 2; i++) {
        const double y = kb_y(i * step, top);
        fprintf(f, "<line x1='%.1f' x2='%.1f' y1='%.1f' y2='%.1f' class='g'/>\n", p->x,
                p->x + p->w, y, y);
        fprintf(f, "<text x='%.1f' y='%.1f' class='a' text-anchor='end'>%g</text>\n",
                p->x - 6, y + 4, i * step);
    }
    fprintf(f, "<line x1='%.1f' x2='%.1f' y1='%d' y2='%d' class='x'/>\n", p->x, p->x + p->w,
            KB_PLOT_Y + KB_PLOT_H, KB_PLOT_Y + KB_PLOT_H);
}

/*
 * The legend under the plot: a swatch and a label per series, then the
 * target mark; two columns in a wide panel, one in a narrow one.
 */
static void kb_svg_legend(FILE *f, const struct kb_panel *p)
{
    const size_t cols = p->w >= 400 ? 2 : 1;

    for (size_t s = 0; s <= p->nseries; s++) {
        const double x = p->x - 20 + (double)(s % cols) * p->w / 2;
        const double y = KB_PLOT_Y + KB_PLOT_H + 44 + (double)(s / cols) * KB_LEGEND_ROW;
        if (s < p->nseries)
            fprintf(f, "<rect x='%.1f' y='%.1f' width='12' height='12' fill='%s'/>\n", x,
                    y - 10, p->colors[s]);
        else
            fprintf(f, "<line x1='%.1f' x2='%.1f' y1='%.1f' y2='%.1f' class='m'/>\n", x,
                    x + 12, y - 4, y - 4);
        fprintf(f, "<text x='%.1f' y='%.1f' class='l'>%s</text>\n", x + 17, y,
                s < p->nseries ? p->series[s] : p->mark_label);
    }
}

/* The bars of group g with their values on top, and its target mark. */
static void kb_svg_group(FILE *f, const struct kb_panel *p, size_t g, double top)
{
    const double gw = p->w / (double)p->ngroups, bw = gw * 0.8 / (double)p->nseries;
    const double gx = p->x + (double)g * gw + gw * 0.1;

    fprintf(f, "<text x='%.1f' y='%d' class='a' text-anchor='middle'>%s</text>\n",
            gx + gw * 0.4, KB_PLOT_Y + KB_PLOT_H + 16, p->groups[g]);
    for (size_t s = 0; s < p->nseries; s++) {
        const double v = p->v[g][s], bx = gx + (double)s * bw;
        if (isnan(v))
            continue;
        fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'/>\n", bx,
                kb_y(v, top), bw - 1, KB_PLOT_H - (kb_y(v, top) - KB_PLOT_Y), p->colors[s]);
        fprintf(f, "<text x='%.1f' y='%.1f' class='v' text-anchor='middle'>%.*f</text>\n",
                bx + bw / 2, kb_y(v, top) - 3, v < 10 ? 1 : 0, v);
    }
    if (!isnan(p->mark[g]))
        fprintf(f, "<line x1='%.1f' x2='%.1f' y1='%.1f' y2='%.1f' class='m'/>\n", gx - 4,
                gx + gw * 0.8 + 4, kb_y(p->mark[g], top), kb_y(p->mark[g], top));
}

static void kb_svg_panel(FILE *f, const struct kb_panel *p)
{
    double vmax = 0, step;

    for (size_t g = 0; g < p->ngroups; g++) {
        for (size_t s = 0; s < p->nseries; s++)
            if (!isnan(p->v[g][s]))
                vmax = fmax(vmax, p->v[g][s]);
        if (!isnan(p->mark[g]))
            vmax = fmax(vmax, p->mark[g]);
    }
    const double top = kb_axis_top(vmax, &step);
    kb_svg_axis(f, p, top, step);
    for (size_t g = 0; g < p->ngroups; g++)
        kb_svg_group(f, p, g, top);
    kb_svg_legend(f, p);
}

static const char *const kb_colors[] = {"#b9b9b9", "#7f7f7f", "#2a7ab9", "#e3a33b",
                                        "#c4452e", "#5a9e4b"};

/* The product panel: GFLOP/s per size, the kernels and both OpenBLAS kernels. */
static void kb_svg_matmul(FILE *f, const struct kb_results *res, const struct kb_blas *self,
                          const struct kb_blas *helper)
{
    static const char *const groups[] = {"n = 256", "n = 512", "n = 1024"};
    char ob1[80], ob2[80], mark[96];
    const char *const series[] = {"naive i-j-k", "matmul_baseline (i-p-j)",
                                  "cache_friendly_matmul (32)", ob1, ob2};
    const char *const colors[] = {kb_colors[0], kb_colors[1], kb_colors[2], kb_colors[3],
                                  kb_colors[4]};
    struct kb_panel p = {70, 520, "Matrix product, float32, 1 thread",
                         "GFLOP/s (higher is better)", KB_NSIZES, MM_NCASES, groups, series,
                         colors, {{0}}, {0}, mark};

    snprintf(ob1, sizeof ob1, "OpenBLAS sgemm, core %.40s", self->core);
    snprintf(ob2, sizeof ob2, "OpenBLAS sgemm, core %.40s", helper->ok ? helper->core : "-");
    snprintf(mark, sizeof mark, "target: %.0f%% of OpenBLAS %.40s", 100.0 * KB_MM_TARGET,
             self->core);
    for (size_t s = 0; s < KB_NSIZES; s++) {
        for (size_t c = 0; c < MM_NCASES; c++)
            p.v[s][c] = kb_gflops(kb_sizes[s], res->mm[s][c]);
        p.mark[s] = KB_MM_TARGET * p.v[s][MM_SGEMM];
    }
    kb_svg_panel(f, &p);
}

/* The ReLU panel: GB/s against memcpy, and the parallel version. */
static void kb_svg_relu(FILE *f, const struct kb_results *res)
{
    static const char *const groups[] = {"16M floats"};
    static const char *const series[] = {"memcpy", "ReLU loop alone", "tensor_clone",
                                         "vectorized_relu", "parallel_relu, 1 worker",
                                         "parallel_relu, 2 workers", "memcpy, 2 threads"};
    const char *const colors[] = {kb_colors[3], kb_colors[0], kb_colors[1], kb_colors[2],
                                  kb_colors[5], kb_colors[4], kb_colors[3]};
    struct kb_panel p = {680, 230, "ReLU vs memcpy", "GB/s, bytes read + written", 1,
                         RL_NCASES, groups, series, colors, {{0}}, {0},
                         "target: 70% of memcpy"};

    for (size_t c = 0; c < RL_NCASES; c++)
        p.v[0][c] = kb_gbps(res->relu[c]);
    p.mark[0] = 0.7 * p.v[0][RL_MEMCPY];
    kb_svg_panel(f, &p);
}

/* The int8 panel: the float blocked product against int8, n = 512. */
static void kb_svg_int8(FILE *f, const struct kb_results *res)
{
    static const char *const groups[] = {"n = 512"};
    static const char *const series[] = {"float, blocked (32)", "int8"};
    const char *const colors[] = {kb_colors[2], kb_colors[5]};
    struct kb_panel p = {1000, 130, "int8 vs float", "G op/s, 2 n^3 / time", 1, Q_NCASES,
                         groups, series, colors, {{0}}, {0}, "target: int8 >= float"};

    for (size_t c = 0; c < Q_NCASES; c++)
        p.v[0][c] = kb_gflops(KB_INT8_N, res->q[c]);
    p.mark[0] = p.v[0][Q_FLOAT];
    kb_svg_panel(f, &p);
}

/* Writes the three panels to `path`.  -1 with a message if it cannot. */
static int kb_write_svg(const char *path, const struct kb_results *res,
                        const struct kb_blas *self, const struct kb_blas *helper)
{
    FILE *f = fopen(path, "w");

    if (f == NULL) {
        fprintf(stderr, "kernels_bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(f, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' "
               "viewBox='0 0 %d %d' font-family='DejaVu Sans, sans-serif'>\n"
               "<style>.t{font-size:15px;font-weight:bold}.s,.a,.l{font-size:12px}"
               ".v{font-size:10px}.n{font-size:11px;fill:#555}.g{stroke:#ddd}"
               ".x{stroke:#333}.m{stroke:#000;stroke-width:1.5;stroke-dasharray:5,3}"
               "</style>\n<rect width='100%%' height='100%%' fill='white'/>\n",
            KB_SVG_W, KB_SVG_H, KB_SVG_W, KB_SVG_H);
    kb_svg_matmul(f, res, self, helper);
    kb_svg_relu(f, res);
    kb_svg_int8(f, res);
    fprintf(f, "<text x='20' y='%d' class='n'>The reference solution "
               "(solutions/kernels/kernels.c), gcc %s; %s; medians of %d repeats; "
               "OpenBLAS 0.3.21 (Debian), one thread.</text>\n</svg>\n",
            KB_SVG_H - 14, KB_CFLAGS, res->machine, res->repeats);
    if (fclose(f) != 0) {
        fprintf(stderr, "kernels_bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- main --------------------------------------------------------------- */

struct kb_opts {
    int repeats;
    int helper;             /* --openblas-helper: be the helper process */
    const char *svg;
};

static int kb_parse_args(int argc, char **argv, struct kb_opts *o)
{
    *o = (struct kb_opts){7, 0, NULL};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--openblas-helper") == 0)
            o->helper = 1;
        else if (strcmp(argv[i], "--repeats") == 0 && i + 1 < argc)
            o->repeats = atoi(argv[++i]);
        else if (strcmp(argv[i], "--svg") == 0 && i + 1 < argc)
            o->svg = argv[++i];
        else
            return -1;
    }
    return o->repeats >= 1 && o->repeats <= KB_MAX_REPEATS ? 0 : -1;
}

/* Every measurement, with the helper running during the products. */
static int kb_run_all(struct kb_results *res, struct kb_helper *h)
{
    int rc = 0;

    kb_helper_start(h);
    for (size_t s = 0; rc == 0 && s < KB_NSIZES; s++)
        rc = kb_bench_matmul(s, h, res->repeats, res);
    kb_helper_stop(h);   /* its memory and threads gone before the ReLU */
    if (rc == 0)
        rc = kb_bench_relu(res->repeats, res);
    if (rc == 0)
        rc = kb_bench_int8(res->repeats, res);
    return rc;
}

int main(int argc, char **argv)
{
    struct kb_opts o;
    static struct kb_results res;
    static struct kb_helper helper;
    struct kb_blas self;

    if (kb_parse_args(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: kernels_bench [--repeats 1..%d] [--svg FILE]\n",
                KB_MAX_REPEATS);
        return 2;
    }
    openblas_set_num_threads(1);
    if (o.helper)
        return kb_helper_main() < 0 ? 1 : 0;

    signal(SIGPIPE, SIG_IGN);   /* a dead helper is an error to report, not a kill */
    res.repeats = o.repeats;
    res.load_start = kb_load();
    kb_machine(res.machine, sizeof res.machine);
    kb_blas_self(&self);
    if (kb_run_all(&res, &helper) < 0)
        return 1;

    kb_print_header(&res, &self, &helper.blas);
    kb_print_matmul(&res, &self, &helper.blas);
    kb_print_relu(&res);
    kb_print_int8(&res);
    kb_print_seed();
    kb_print_targets(&res, &self, &helper.blas);
    if (o.svg != NULL && kb_write_svg(o.svg, &res, &self, &helper.blas) < 0)
        return 1;
    if (o.svg != NULL)
        printf("\nchart: %s\n", o.svg);
    return 0;
}
