/*
 * perf.c -- the performance stage: build, measure under callgrind, score.
 *
 * The parsing and scoring functions are pure (unit-tested on text and
 * numbers); perf_grade() strings them together with the sandbox.
 */
#include "run/perf.h"

#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "compile/policy.h"
#include "sandbox/sbx.h"
#include "util/strv.h"
#include "run/testrun.h"

#define PERF_DUMP_MAX (16u << 20)    /* a callgrind file of one call is a few KiB */
#define PERF_OBJ_MAX (256u << 20)    /* objects and the program, for the client-request scan */
#define PERF_MAX_RUNNERS 8u

/* ---- callgrind's output ------------------------------------------------- */

static const char *const perf_event_names[] = {
    "Ir", "Dr", "Dw", "I1mr", "D1mr", "D1mw", "ILmr", "DLmr", "DLmw",
};

#define PERF_NEVENTS (sizeof perf_event_names / sizeof perf_event_names[0])
#define PERF_MAX_COLUMNS 64

/* Where each of perf_event_names is in a struct perf_counts. */
static const size_t perf_event_offsets[] = {
    offsetof(struct perf_counts, ir), offsetof(struct perf_counts, dr),
    offsetof(struct perf_counts, dw), offsetof(struct perf_counts, i1mr),
    offsetof(struct perf_counts, d1mr), offsetof(struct perf_counts, d1mw),
    offsetof(struct perf_counts, ilmr), offsetof(struct perf_counts, dlmr),
    offsetof(struct perf_counts, dlmw),
};

static uint64_t *perf_event_slot(struct perf_counts *c, size_t event)
{
    return (uint64_t *)((char *)c + perf_event_offsets[event]);
}

static uint64_t perf_event_get(const struct perf_counts *c, size_t event)
{
    return *(const uint64_t *)((const char *)c + perf_event_offsets[event]);
}

static bool perf_starts(const char *line, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(line, prefix, n) == 0;
}

/* "events: Ir Dr ..." -> cols[k] = our index of column k, or -1. */
static int perf_parse_events(const char *s, size_t len, int cols[], size_t *ncols)
{
    *ncols = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && s[i] == ' ')
            i++;
        size_t w = i;
        while (w < len && s[w] != ' ')
            w++;
        if (w == i)
            break;
        if (*ncols == PERF_MAX_COLUMNS)
            return -1;
        int col = -1;
        for (size_t e = 0; e < PERF_NEVENTS; e++)
            if (strlen(perf_event_names[e]) == w - i && memcmp(s + i, perf_event_names[e], w - i) == 0)
                col = (int)e;
        cols[(*ncols)++] = col;
        i = w;
    }
    return *ncols > 0 ? 0 : -1;
}

/* "123 456 ..." into the columns' events; missing trailing counts are 0. */
static int perf_parse_costs(const char *s, size_t len, const int cols[], size_t ncols,
                            struct perf_counts *out)
{
    size_t i = 0, k = 0;
    memset(out, 0, sizeof *out);
    while (i < len) {
        while (i < len && s[i] == ' ')
            i++;
        if (i == len)
            break;
        uint64_t v = 0;
        size_t start = i;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (v > (UINT64_MAX - 9) / 10)
                return -1;
            v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (i == start || (i < len && s[i] != ' ') || k == ncols)
            return -1;
        if (cols[k] >= 0)
            *perf_event_slot(out, (size_t)cols[k]) = v;
        k++;
    }
    return k > 0 ? 0 : -1;
}

static void perf_errf(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void perf_errf(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    if (n == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

/* "perf measure NAME ok|wrong" or "perf worker NAME" (after the
 * "Client Request: " of the trigger line) into d. */
static void perf_parse_trigger(const char *s, size_t len, struct perf_dump *d)
{
    static const char measure[] = PERF_MEASURE_DUMP " ", worker[] = PERF_WORKER_DUMP " ";
    size_t name;
    if (perf_starts(s, len, measure)) {
        s += sizeof measure - 1, len -= sizeof measure - 1;
        name = strcspn(s, " ");
        if (name >= len || name >= sizeof d->measure)
            return;
        if (len - name - 1 == 2 && memcmp(s + name + 1, "ok", 2) == 0)
            d->kind = PERF_DUMP_MEASURE;
        else if (len - name - 1 == 5 && memcmp(s + name + 1, "wrong", 5) == 0)
            d->kind = PERF_DUMP_MEASURE, d->wrong = true;
        else
            return;
    } else if (perf_starts(s, len, worker)) {
        s += sizeof worker - 1, len -= sizeof worker - 1;
        name = len;
        if (name == 0 || name >= sizeof d->measure || memchr(s, ' ', len) != NULL)
            return;
        d->kind = PERF_DUMP_WORKER;
    } else {
        return;
    }
    memcpy(d->measure, s, name);
    d->measure[name] = '\0';
}

/* Whether an object of callgrind's "ob=" line is a shared library: its
 * file name holds ".so" (libc.so.6, libm.so.6, ld-linux-x86-64.so.2). */
static bool perf_shared_object(const char *s, size_t len)
{
    const char *base = s;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '/')
            base = s + i + 1;
    size_t blen = len - (size_t)(base - s);
    return memmem(base, blen, ".so", 3) != NULL;
}

/* The first count of a cost line ("POSITION COUNT..."), the column `ir`. */
static uint64_t perf_cost_column(const char *s, size_t len, int ir_col)
{
    size_t i = 0;
    for (int col = -1; col < ir_col; col++) {          /* skip the position, then columns */
        while (i < len && s[i] != ' ')
            i++;
        while (i < len && s[i] == ' ')
            i++;
    }
    uint64_t v = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
        v = v * 10 + (uint64_t)(s[i] - '0');
    return v;
}

/* The state of the self-cost walk of perf_parse_callgrind(). */
struct perf_walk {
    bool shared;        /* the current object (last "ob=") is a shared library */
    bool after_calls;   /* the next cost line is a call's inclusive cost */
    int ir_col;         /* the column of Ir, or -1 */
};

/* One body line: object, call and cost lines add to out->own_ir. */
static void perf_walk_line(struct perf_walk *w, const char *line, size_t len,
                           struct perf_dump *out)
{
    if (perf_starts(line, len, "ob=")) {
        w->shared = perf_shared_object(line + 3, len - 3);
    } else if (perf_starts(line, len, "calls=")) {
        w->after_calls = true;
    } else if (len > 0 && (strchr("0123456789+-*", line[0]) != NULL)) {
        if (!w->after_calls && !w->shared && w->ir_col >= 0)
            out->counts.own_ir += perf_cost_column(line, len, w->ir_col);
        w->after_calls = false;
    }
}

int perf_parse_callgrind(const char *text, struct perf_dump *out, char *err, size_t errlen)
{
    static const char trigger[] = "desc: Trigger: Client Request: ";
    int cols[PERF_MAX_COLUMNS];
    size_t ncols = 0, tlen = 0, slen = 0;
    const char *totals = NULL, *summary = NULL;
    struct perf_walk w = {false, false, -1};
    memset(out, 0, sizeof *out);
    for (const char *line = text; *line != '\0';) {
        size_t len = strcspn(line, "\n");
        if (perf_starts(line, len, "events:")) {
            if (perf_parse_events(line + 7, len - 7, cols, &ncols) < 0) {
                perf_errf(err, errlen, "malformed events line");
                return -1;
            }
            for (size_t c = 0; c < ncols; c++)
                if (cols[c] == 0)
                    w.ir_col = (int)c;
        } else if (perf_starts(line, len, "thread:")) {
            out->thread = (unsigned)strtoul(line + 7, NULL, 10);
        } else if (perf_starts(line, len, trigger)) {
            perf_parse_trigger(line + sizeof trigger - 1, len - (sizeof trigger - 1), out);
        } else if (perf_starts(line, len, "totals:")) {
            totals = line + 7, tlen = len - 7;
        } else if (perf_starts(line, len, "summary:")) {
            summary = line + 8, slen = len - 8;
        } else if (ncols > 0) {
            perf_walk_line(&w, line, len, out);
        }
        line += len + (line[len] == '\n');
    }
    if (ncols == 0) {
        perf_errf(err, errlen, "no events line (not a callgrind output file)");
        return -1;
    }
    /* totals: a dump's own counters; a dump's summary can be off by
     * the counters of an earlier dump of the same thread */
    const char *costs = totals ? totals : summary;
    if (costs == NULL) {
        perf_errf(err, errlen, "no totals line");
        return -1;
    }
    uint64_t own = out->counts.own_ir;
    if (perf_parse_costs(costs, totals ? tlen : slen, cols, ncols, &out->counts) < 0) {
        perf_errf(err, errlen, "malformed %s line", totals ? "totals" : "summary");
        return -1;
    }
    out->counts.own_ir = own;
    return 0;
}

void perf_sum(const struct perf_dump *dumps, size_t n, struct perf_counts *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++)
    {
        for (size_t e = 0; e < PERF_NEVENTS; e++)
            *perf_event_slot(out, e) += perf_event_get(&dumps[i].counts, e);
        out->own_ir += dumps[i].counts.own_ir;
    }
}

/* ---- scoring ---------------------------------------------------------- */

uint64_t perf_metric_count(enum cfg_metric m, const struct perf_counts *c)
{
    switch (m) {
    case CFG_METRIC_INSTRUCTIONS: return c->own_ir;
    case CFG_METRIC_D1_MISSES:    return c->d1mr + c->d1mw;
    case CFG_METRIC_LL_MISSES:    return c->dlmr + c->dlmw;
    case CFG_METRIC_THREADS:      break;
    }
    return 0;
}

double perf_fraction(const struct cfg_perf_test *pt, double ratio)
{
    if (isnan(ratio))
        return 0.0;
    if (pt->nsteps > 0) {
        for (size_t i = 0; i < pt->nsteps; i++)
            if (ratio <= pt->steps[i].at_most)
                return pt->steps[i].score;
        return 0.0;
    }
    if (ratio <= pt->full_at)
        return 1.0;
    if (ratio >= pt->zero_at)
        return 0.0;
    return (pt->zero_at - ratio) / (pt->zero_at - pt->full_at);
}

static const char *perf_metric_label(enum cfg_metric m)
{
    switch (m) {
    case CFG_METRIC_INSTRUCTIONS: return "instructions (outside the C library)";
    case CFG_METRIC_D1_MISSES:    return "L1 data cache misses (C library included)";
    case CFG_METRIC_LL_MISSES:    return "last-level cache misses (C library included)";
    case CFG_METRIC_THREADS:      return "worker threads";
    }
    return "?";
}

/* "full points at or below 0.02, none at or above 0.1" or the steps. */
static void perf_describe_scoring(const struct cfg_perf_test *pt, char *buf, size_t n)
{
    if (pt->nsteps == 0) {
        snprintf(buf, n, "full points at or below %g, none at or above %g", pt->full_at,
                 pt->zero_at);
        return;
    }
    size_t used = (size_t)snprintf(buf, n, "thresholds");
    for (size_t i = 0; i < pt->nsteps && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s at most %g: %g%%", i ? "," : "",
                                 pt->steps[i].at_most, 100.0 * pt->steps[i].score);
}

/* x as the messages print it, so that what they show is what decided
 * the score: 4 significant digits, or 2 decimals. */
static double perf_round_sig4(double x)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.4g", x);
    return strtod(buf, NULL);
}

static double perf_round2(double x)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.2f", x);
    return strtod(buf, NULL);
}

void perf_score_ratio(const struct cfg_perf_test *pt, const struct perf_counts *run,
                      const struct perf_counts *ref, struct res_perf *out, char *msg, size_t n)
{
    char rule[256];
    memset(out, 0, sizeof *out);
    out->present = true;
    out->metric = pt->metric;
    out->value = (double)perf_metric_count(pt->metric, run);
    out->reference = (double)perf_metric_count(pt->metric, ref);
    perf_describe_scoring(pt, rule, sizeof rule);
    if (out->reference <= 0) {
        snprintf(msg, n, "%s: %.0f, but the reference (%s) counted none: no points",
                 perf_metric_label(pt->metric), out->value, pt->reference);
        return;
    }
    out->ratio = perf_round_sig4(out->value / out->reference);
    out->fraction = perf_fraction(pt, out->ratio);
    snprintf(msg, n, "%s: %.0f, reference (%s) %.0f, ratio %.4g (%s): %.3g%% of the points",
             perf_metric_label(pt->metric), out->value, pt->reference, out->reference,
             out->ratio, rule, 100.0 * out->fraction);
}

/* A thread's own instructions; the caller sorts before a worker of the same count. */
struct perf_thread_ir {
    uint64_t ir;
    bool caller;
};

static int perf_busiest_first(const void *a, const void *b)
{
    const struct perf_thread_ir *x = a, *y = b;
    if (x->ir != y->ir)
        return x->ir < y->ir ? 1 : -1;
    return (int)y->caller - (int)x->caller;
}

int perf_workers_of(const struct perf_dump *dumps, size_t n, unsigned threads,
                    struct perf_workers *out)
{
    struct perf_thread_ir *v = malloc((n + 1) * sizeof *v);
    size_t nv = 0;
    memset(out, 0, sizeof *out);
    if (v == NULL)
        return -1;
    v[nv++] = (struct perf_thread_ir){0, true};
    for (size_t i = 0; i < n; i++) {
        uint64_t ir = dumps[i].counts.own_ir;
        if (dumps[i].kind == PERF_DUMP_MEASURE) {
            v[0].ir += ir;
        } else if (dumps[i].kind == PERF_DUMP_WORKER) {
            v[nv++] = (struct perf_thread_ir){ir, false};
            out->workers++;
        } else {
            continue;
        }
        out->total_ir += ir;
    }
    out->main_ir = v[0].ir;
    qsort(v, nv, sizeof *v, perf_busiest_first);
    size_t np = threads < nv ? threads : nv;
    for (size_t i = 0; i < np; i++)
        out->caller_shares |= v[i].caller;
    out->most_ir = np > 0 ? v[0].ir : 0;
    out->least_ir = np > 0 ? v[np - 1].ir : 0;
    free(v);
    return 0;
}

/* The first reason a threads run fails, or NULL. */
static const char *perf_threads_verdict(const struct cfg_perf_test *pt,
                                        const struct perf_workers *w, const struct res_perf *p)
{
    if (w->workers != pt->threads && w->workers + 1 != pt->threads)
        return "not the expected number of threads";
    if (p->balance < pt->balance)
        return "the work is not split evenly";
    if (p->ratio > PERF_WORK_MAX)
        return "more instructions than the rule allows (work done twice? a waiting loop?)";
    return NULL;
}

int perf_score_threads(const struct cfg_perf_test *pt, const struct perf_dump *run, size_t nrun,
                       const struct perf_dump *ref, size_t nref, struct res_perf *out,
                       char *msg, size_t n)
{
    struct perf_workers w, r;
    char balance[32] = "-";
    if (perf_workers_of(run, nrun, pt->threads, &w) < 0 ||
        perf_workers_of(ref, nref, 1, &r) < 0)
        return -1;
    memset(out, 0, sizeof *out);
    out->present = true;
    out->metric = CFG_METRIC_THREADS;
    out->value = w.workers;
    out->reference = pt->threads;
    /* Two decimals: the calling thread's count varies by a few dozen
     * instructions from run to run (joins), the workers' do not. */
    if (w.most_ir > 0 && pt->balance > 0) {
        out->balance = perf_round2((double)w.least_ir / (double)w.most_ir);
        snprintf(balance, sizeof balance, "%.2f", out->balance);
    }
    if (r.total_ir == 0) {
        snprintf(msg, n, "the reference (%s) counted no instructions: no points",
                 pt->reference);
        return 0;
    }
    out->ratio = perf_round2((double)w.total_ir / (double)r.total_ir);
    const char *why = perf_threads_verdict(pt, &w, out);
    char split[200];
    out->fraction = why ? 0.0 : 1.0;
    /* balance 0: how the work is shared is not graded, and is not shown
     * either (with a shared work queue it differs from run to run) */
    if (pt->balance > 0)
        snprintf(split, sizeof split, "the %u busiest threads%s: least %llu, most %llu "
                 "instructions, balance %s (at least %g); ", pt->threads,
                 w.caller_shares ? " (the calling thread among them)" : "",
                 (unsigned long long)w.least_ir, (unsigned long long)w.most_ir, balance,
                 pt->balance);
    else
        snprintf(split, sizeof split, "how they share the work is not graded; ");
    snprintf(msg, n, "%u threads started (full points: %u, or %u helpers and the calling "
             "thread); %sall threads %llu instructions, %.2fx %s's %llu (at most %g); "
             "instructions counted outside the C library: %s%s",
             w.workers, pt->threads, pt->threads - 1, split,
             (unsigned long long)w.total_ir, out->ratio, pt->reference,
             (unsigned long long)r.total_ir, PERF_WORK_MAX,
             why ? "no points: " : "full points", why ? why : "");
    return 0;
}

/* ---- valgrind client requests ------------------------------------------------- */

/* What valgrind's amd64 decoder recognises as the start of a client
 * request: rol $3, $13, $61, $51 of %rdi (valgrind.h). */
static const unsigned char perf_preamble[16] = {
    0x48, 0xc1, 0xc7, 0x03, 0x48, 0xc1, 0xc7, 0x0d,
    0x48, 0xc1, 0xc7, 0x3d, 0x48, 0xc1, 0xc7, 0x33,
};

size_t perf_count_client_requests(const void *p, size_t n)
{
    const unsigned char *s = p, *end = s + n;
    size_t count = 0;
    while (s + sizeof perf_preamble <= end) {
        const unsigned char *hit = memmem(s, (size_t)(end - s), perf_preamble,
                                          sizeof perf_preamble);
        if (hit == NULL)
            break;
        count++;
        s = hit + 1;
    }
    return count;
}

/* The client requests in a file; -1 if it cannot be read. */
static long perf_file_requests(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(path, PERF_OBJ_MAX, &text, &len) < 0)
        return -1;
    long n = (long)perf_count_client_requests(text, len);
    free(text);
    return n;
}

/* ---- the stage ------------------------------------------------------------- */

/* One measurement of one submission. */
struct perf_sample {
    const char *name;               /* borrowed from the config */
    bool cache;                     /* simulate the caches (twice as slow): a test needs misses */
    bool ok;                        /* measured, and the result was correct */
    enum res_test_status status;    /* when not ok: RES_FAILED (wrong) or RES_ERROR */
    char message[320];              /* when not ok: why */
    struct perf_dump *dumps;
    size_t ndumps;
    uint64_t time_ns;               /* perf --time, 0 if not timed */
    bool measured;                  /* its calling thread's dump was read */
};

struct perf_stage {
    const struct perf_job *job;
    struct res_test *tests;
    bool *measured;                 /* per config test: to be scored from samples */
    struct perf_sample *samples;
    size_t nsamples;
    char *program;                  /* scratch/perf/perf */
    char **log;
    char *err;
    size_t errlen;
    char run_message[256];          /* how the valgrind run ended, if not with 0 or 1 */
    enum res_test_status run_status;
};

static int perf_oom(struct perf_stage *st)
{
    perf_errf(st->err, st->errlen, "out of memory");
    return -1;
}

static bool perf_cancelled(const struct perf_job *job)
{
    return job->cancel && *job->cancel;
}

/* Sets a test's verdict; the message is copied. */
static int perf_set(struct res_test *t, enum res_test_status status, const char *msg)
{
    free(t->message);
    t->status = status;
    t->message = strdup(msg);
    return t->message ? 0 : -1;
}

static struct perf_sample *perf_find_sample(struct perf_stage *st, const char *name)
{
    for (size_t i = 0; i < st->nsamples; i++)
        if (strcmp(st->samples[i].name, name) == 0)
            return &st->samples[i];
    return NULL;
}

static int perf_add_sample(struct perf_stage *st, const char *name, bool cache)
{
    struct perf_sample *s = perf_find_sample(st, name);
    if (s == NULL) {
        s = realloc(st->samples, (st->nsamples + 1) * sizeof *s);
        if (s == NULL)
            return -1;
        st->samples = s;
        s = &s[st->nsamples++];
        memset(s, 0, sizeof *s);
        s->name = name;
    }
    s->cache |= cache;
    return 0;
}

/* The id of the first "requires" test that did not pass, or NULL. */
static const char *perf_unmet(const struct perf_stage *st, const struct cfg_test *ct)
{
    const struct grader_cfg *cfg = st->job->cfg;
    for (size_t i = 0; i < ct->perf.requires.n; i++)
        for (size_t j = 0; j < cfg->ntests; j++)
            if (strcmp(cfg->tests[j].id, ct->perf.requires.v[i]) == 0 &&
                st->tests[j].status != RES_PASSED)
                return cfg->tests[j].id;
    return NULL;
}

/* Which tests are measured, and the samples they need. */
static int perf_plan(struct perf_stage *st)
{
    const struct grader_cfg *cfg = st->job->cfg;
    for (size_t i = 0; i < cfg->ntests; i++) {
        const struct cfg_test *ct = &cfg->tests[i];
        if (ct->kind != CFG_KIND_PERFORMANCE)
            continue;
        const char *unmet = perf_unmet(st, ct);
        if (unmet != NULL) {
            char msg[256];
            snprintf(msg, sizeof msg, "not measured: %s did not pass (no performance points "
                     "for code that is not correct)", unmet);
            if (perf_set(&st->tests[i], RES_FAILED, msg) < 0)
                return -1;
            continue;
        }
        bool cache = ct->perf.metric == CFG_METRIC_D1_MISSES ||
                     ct->perf.metric == CFG_METRIC_LL_MISSES;
        st->measured[i] = true;
        if (perf_add_sample(st, ct->perf.measure, cache) < 0 ||
            perf_add_sample(st, ct->perf.reference, cache) < 0)
            return -1;
    }
    return 0;
}

/* Every measured test not yet decided gets this verdict. */
static int perf_fail_all(struct perf_stage *st, enum res_test_status status, const char *msg)
{
    for (size_t i = 0; i < st->job->cfg->ntests; i++) {
        if (st->measured[i] && perf_set(&st->tests[i], status, msg) < 0)
            return perf_oom(st);
        st->measured[i] = false;
    }
    return 0;
}

/* Appends "\n<title>:\n<text>" to *log. */
static void perf_log(struct perf_stage *st, const char *title, const char *text)
{
    char *l = NULL;
    if (text == NULL || text[0] == '\0')
        return;
    const char *old = *st->log ? *st->log : "";
    if (asprintf(&l, "%s%s%s:\n%s%s", old, old[0] ? "\n" : "", title, text,
                 text[strlen(text) - 1] == '\n' ? "" : "\n") < 0)
        return;
    free(*st->log);
    *st->log = l;
}

/* The policy on the performance build's objects: 0 clean, 1 refused, -1 failure. */
static int perf_policy(struct perf_stage *st, char *const objs[], size_t nobjs)
{
    struct pol_report rep = {0};
    char perr[512] = "";
    int rc = pol_check(&st->job->cfg->symbols, (const char *const *)objs, nobjs,
                       pol_run_direct, NULL, &rep, perr, sizeof perr);
    if (rc < 0) {
        pol_report_release(&rep);
        perf_errf(st->err, st->errlen, "symbol check of the performance build failed: %s", perr);
        return -1;
    }
    for (size_t i = 0; i < rep.n; i++)
        perf_log(st, "policy (performance build)", rep.v[i].message);
    if (rep.n > 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "performance build refused: %s", rep.v[0].message);
        rc = perf_fail_all(st, RES_ERROR, msg) < 0 ? -1 : 1;
    }
    pol_report_release(&rep);
    return rc;
}

/* The client requests of the files, summed; -1 if one cannot be read. */
static long perf_files_requests(char *const paths[], size_t n)
{
    long total = 0;
    for (size_t i = 0; i < n; i++) {
        long k = perf_file_requests(paths[i]);
        if (k < 0)
            return -1;
        total += k;
    }
    return total;
}

/* No client request in the student's objects, and none added by linking:
 * 0 clean, 1 refused, -1 failure. */
static int perf_scan(struct perf_stage *st, char *const objs[], size_t nobjs)
{
    const struct bld_trusted *t = st->job->trusted;
    char *const program[] = {st->program};
    long student = perf_files_requests(objs, nobjs);
    long trusted = perf_files_requests(t->perf_objs, t->nperf_objs);
    long linked = perf_files_requests(program, 1);
    if (student < 0 || trusted < 0 || linked < 0) {
        perf_errf(st->err, st->errlen, "cannot read the performance objects: %s",
                  strerror(errno));
        return -1;
    }
    if (student == 0 && linked == trusted)
        return 0;
    return perf_fail_all(st, RES_ERROR, "the performance build contains a valgrind client "
                         "request the harness did not put there (it could change what is "
                         "measured): no performance points") < 0 ? -1 : 1;
}

/* Build, policy, scan: 0 ready, 1 the student's code was refused, -1 failure. */
static int perf_build(struct perf_stage *st)
{
    const struct perf_job *job = st->job;
    struct bld_sandbox sb = {job->use_bwrap, job->uid, job->gid, job->cancel};
    char **objs = NULL, *blog = NULL;
    size_t nobjs = 0;
    int rc = bld_perf_student(job->cfg, job->trusted, &sb, job->scratch, job->sources,
                              job->nsources, st->program, &objs, &blog);
    while (objs && objs[nobjs])
        nobjs++;
    perf_log(st, "performance build", blog);
    if (rc < 0)
        perf_errf(st->err, st->errlen, "performance build failed: %s",
                  blog ? blog : "unknown reason");
    else if (rc == 1)
        rc = perf_fail_all(st, RES_ERROR, "the performance build failed: see the build log") < 0
                 ? -1 : 1;
    if (rc == 0)
        rc = perf_policy(st, objs, nobjs);
    if (rc == 0)
        rc = perf_scan(st, objs, nobjs);
    for (size_t i = 0; i < nobjs; i++)
        free(objs[i]);
    free(objs);
    free(blog);
    return rc;
}

static void perf_limits(const struct cfg_limits *l, struct sbx_limits *out)
{
    *out = (struct sbx_limits){l->cpu_ms, l->wall_ms, l->memory_bytes, l->processes,
                               l->output_bytes, l->file_size_bytes};
}

/* "perf/run.cg": relative to the scratch folder, so no path of the
 * host (whose length varies) reaches the measured process. */
#define PERF_OUT_BASE BLD_PERF_DIR "/run.cg"

/* Whether any sample needs the cache simulation. */
static bool perf_any_cache(const struct perf_stage *st)
{
    for (size_t i = 0; i < st->nsamples; i++)
        if (st->samples[i].cache)
            return true;
    return false;
}

/*
 * valgrind ... perf/perf --measure NAME...: every sample in one run.
 * --compress-strings=no: with several dumps, callgrind names an object
 * in full only in the first file that mentions it.  --fair-sched=yes:
 * threads take turns in a fixed order.
 */
static int perf_valgrind_argv(const struct perf_stage *st, struct strv *a)
{
    const struct cfg_performance *p = &st->job->cfg->performance;
    const struct cfg_cache *k[3] = {&p->i1, &p->d1, &p->ll};
    static const char *const opt[3] = {"--I1", "--D1", "--LL"};
    bool cache = perf_any_cache(st);
    strv_push(a, p->valgrind);
    strv_push(a, "--tool=callgrind");
    strv_push(a, "--instr-atstart=no");
    strv_push(a, cache ? "--cache-sim=yes" : "--cache-sim=no");
    for (size_t i = 0; cache && i < 3; i++)
        strv_pushf(a, "%s=%llu,%llu,%llu", opt[i], (unsigned long long)k[i]->size,
                   (unsigned long long)k[i]->ways, (unsigned long long)k[i]->line);
    strv_push(a, "--separate-threads=yes");
    strv_push(a, "--compress-strings=no");
    strv_push(a, "--fair-sched=yes");
    strv_push(a, "--vgdb=no");
    strv_push(a, "-q");
    strv_push(a, "--callgrind-out-file=" PERF_OUT_BASE);
    strv_push(a, BLD_PERF_DIR "/perf");
    strv_push(a, "--measure");
    for (size_t i = 0; i < st->nsamples; i++)
        strv_push(a, st->samples[i].name);
    return a->oom ? -1 : 0;
}

/* Adds one parsed dump to its sample's dumps (grown).  -1: out of memory. */
static int perf_add_dump(struct perf_stage *st, const struct perf_dump *d)
{
    struct perf_sample *s = d->kind == PERF_DUMP_OTHER ? NULL : perf_find_sample(st, d->measure);
    if (s == NULL)
        return 0;
    struct perf_dump *v = realloc(s->dumps, (s->ndumps + 1) * sizeof *v);
    if (v == NULL)
        return -1;
    s->dumps = v;
    s->dumps[s->ndumps++] = *d;
    if (d->kind == PERF_DUMP_MEASURE) {
        s->ok = !d->wrong;
        s->measured = true;
    }
    return 0;
}

/* Parses one output file into its sample.  -1: out of memory. */
static int perf_read_dump(struct perf_stage *st, const char *path)
{
    char *text = NULL, why[128];
    size_t len = 0;
    struct perf_dump d;
    int rc = 0;
    if (fs_read_file(path, PERF_DUMP_MAX, &text, &len) < 0)
        return 0;
    if (len > 0 && perf_parse_callgrind(text, &d, why, sizeof why) == 0)
        rc = perf_add_dump(st, &d);
    free(text);
    return rc;
}

/* Reads every output file of the run: scratch/perf/run.cg*.  -1: out of memory. */
static int perf_read_dumps(struct perf_stage *st)
{
    char *dir = fs_join(st->job->scratch, BLD_PERF_DIR);
    DIR *d = dir ? opendir(dir) : NULL;
    struct dirent *e;
    int rc = dir ? 0 : -1;
    while (rc == 0 && d && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "run.cg", 6) != 0)
            continue;
        char *path = fs_join(dir, e->d_name);
        rc = path ? perf_read_dump(st, path) : -1;
        free(path);
    }
    if (d)
        closedir(d);
    free(dir);
    return rc;
}

/* The last line of `text` that starts with `prefix`, into buf (clipped). */
static bool perf_last_line(const char *text, const char *prefix, char *buf, size_t n)
{
    const char *found = NULL;
    size_t plen = strlen(prefix);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, prefix, plen) == 0)
            found = l;
    if (found == NULL)
        return false;
    snprintf(buf, n, "%.*s", (int)strcspn(found, "\n"), found);
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = '?';
    return true;
}

/* How the run ended, when not with status 0 or 1 (1: a wrong result, which
 * its dump says): the message for every sample it did not measure. */
static void perf_run_failed(struct perf_stage *st, const struct sbx_result *r)
{
    char line[256];
    const char *err = r->err ? r->err : "";
    st->run_status = RES_ERROR;
    if (r->status != SBX_EXIT_NONZERO) {
        snprintf(st->run_message, sizeof st->run_message, "%s", r->message);
    } else if (r->exit_code == 2) {
        snprintf(st->run_message, sizeof st->run_message, "the performance program does "
                 "not know a measurement (grader check-config finds this)");
    } else if (perf_last_line(err, "valgrind: ", line, sizeof line) ||
               perf_last_line(err, "perf: ", line, sizeof line)) {
        snprintf(st->run_message, sizeof st->run_message, "exited with status %d: %.200s",
                 r->exit_code, line);
    } else {
        snprintf(st->run_message, sizeof st->run_message, "%s", r->message);
    }
}

/* Each sample's verdict from the dumps, stderr and how the run ended. */
static void perf_sample_verdicts(struct perf_stage *st, const struct sbx_result *r)
{
    for (size_t i = 0; i < st->nsamples; i++) {
        struct perf_sample *s = &st->samples[i];
        char prefix[96], line[256];
        if (s->ok)
            continue;
        if (s->measured) {         /* measured, wrong: the program said why */
            snprintf(prefix, sizeof prefix, "perf: %s: ", s->name);
            s->status = RES_FAILED;
            if (perf_last_line(r->err ? r->err : "", prefix, line, sizeof line))
                snprintf(s->message, sizeof s->message, "%s", line + strlen(prefix));
            else
                snprintf(s->message, sizeof s->message, "wrong result");
        } else {
            s->status = st->run_status;
            snprintf(s->message, sizeof s->message, "not measured: the run %.200s",
                     st->run_message[0] ? st->run_message : "wrote no measurement");
        }
    }
}

static void perf_runner_opts(const struct perf_job *job, unsigned index, struct sbx_opts *o)
{
    static const char *const env[] = {"PATH=/usr/bin:/bin", "HOME=/tmp", "LC_ALL=C", NULL};
    sbx_opts_init(o);
    o->workdir = job->scratch;
    o->env = env;
    o->uid = job->uid + index * job->uid_stride;
    o->gid = job->gid;
    o->umask = 002;
    o->use_bwrap = job->use_bwrap;
    o->cancel = job->cancel;
}

/* The one valgrind run of every sample.  -1: the sandbox failed or Ctrl-C. */
static int perf_run_samples(struct perf_stage *st)
{
    struct strv argv = {0};
    struct sbx_limits lim;
    struct sbx_opts o;
    struct sbx_result r = {0};
    perf_limits(&st->job->cfg->performance.limits, &lim);
    perf_runner_opts(st->job, 0, &o);
    if (perf_valgrind_argv(st, &argv) < 0) {
        strv_clear(&argv);
        return perf_oom(st);
    }
    int rc = sbx_run(&lim, &o, argv.v, &r);
    strv_clear(&argv);
    if (rc < 0 || r.status == SBX_CANCELLED) {
        perf_errf(st->err, st->errlen, "%s", rc < 0 ? r.message : "interrupted");
        sbx_result_release(&r);
        return -1;
    }
    if (!(r.status == SBX_OK || (r.status == SBX_EXIT_NONZERO && r.exit_code == 1)))
        perf_run_failed(st, &r);
    rc = perf_read_dumps(st);
    if (rc == 0)
        perf_sample_verdicts(st, &r);
    sbx_result_release(&r);
    return rc < 0 ? perf_oom(st) : 0;
}

/* "NAME<TAB>ns" lines of perf --time into the samples' time_ns. */
static void perf_parse_times(struct perf_stage *st, const char *out)
{
    for (const char *l = out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        size_t name = strcspn(l, "\t\n");
        if (l[name] != '\t')
            continue;
        for (size_t i = 0; i < st->nsamples; i++)
            if (strlen(st->samples[i].name) == name &&
                strncmp(st->samples[i].name, l, name) == 0)
                st->samples[i].time_ns = strtoull(l + name + 1, NULL, 10);
    }
}

/*
 * Wall-clock information for a threads test: both samples timed outside
 * valgrind.  Never graded; a failure just leaves it out.
 */
static void perf_time(struct perf_stage *st, const struct cfg_perf_test *pt, struct res_perf *p)
{
    struct perf_sample *run = perf_find_sample(st, pt->measure);
    struct perf_sample *ref = perf_find_sample(st, pt->reference);
    struct sbx_limits lim;
    struct sbx_opts o;
    struct sbx_result r = {0};
    char *const argv[] = {BLD_PERF_DIR "/perf", "--time", (char *)pt->reference,
                          (char *)pt->measure, NULL};
    perf_limits(&st->job->cfg->performance.limits, &lim);
    perf_runner_opts(st->job, 0, &o);
    if (sbx_run(&lim, &o, argv, &r) == 0 && r.status == SBX_OK && r.out)
        perf_parse_times(st, r.out);
    sbx_result_release(&r);
    if (run->time_ns > 0 && ref->time_ns > 0)
        snprintf(p->timing, sizeof p->timing, "wall clock, not graded: %s %.3f ms, %s %.3f ms: "
                 "speedup %.2fx", ref->name, (double)ref->time_ns / 1e6, run->name,
                 (double)run->time_ns / 1e6, (double)ref->time_ns / (double)run->time_ns);
}

/* One measured test from its samples. */
static int perf_score_test(struct perf_stage *st, const struct cfg_test *ct, struct res_test *t)
{
    const struct cfg_perf_test *pt = &ct->perf;
    const struct perf_sample *run = perf_find_sample(st, pt->measure);
    const struct perf_sample *ref = perf_find_sample(st, pt->reference);
    char msg[640];
    if (!run->ok) {
        snprintf(msg, sizeof msg, "%s: %s", run->name, run->message);
        return perf_set(t, run->status, msg);
    }
    if (!ref->ok) {
        snprintf(msg, sizeof msg, "the reference measurement %s failed: %s", ref->name,
                 ref->message);
        return perf_set(t, RES_ERROR, msg);
    }
    if (pt->metric == CFG_METRIC_THREADS) {
        if (perf_score_threads(pt, run->dumps, run->ndumps, ref->dumps, ref->ndumps,
                               &t->perf, msg, sizeof msg) < 0)
            return -1;
        if (!perf_cancelled(st->job))
            perf_time(st, pt, &t->perf);
    } else {
        struct perf_counts a, b;
        perf_sum(run->dumps, run->ndumps, &a);
        perf_sum(ref->dumps, ref->ndumps, &b);
        perf_score_ratio(pt, &a, &b, &t->perf, msg, sizeof msg);
    }
    return perf_set(t, t->perf.fraction >= 1.0 ? RES_PASSED : RES_FAILED, msg);
}

static void perf_stage_release(struct perf_stage *st)
{
    for (size_t i = 0; i < st->nsamples; i++)
        free(st->samples[i].dumps);
    free(st->samples);
    free(st->measured);
    free(st->program);
}

int perf_grade(const struct perf_job *job, struct res_test *tests, char **log,
               char *err, size_t errlen)
{
    const struct grader_cfg *cfg = job->cfg;
    struct perf_stage st = {.job = job, .tests = tests, .log = log, .err = err,
                            .errlen = errlen};
    st.measured = calloc(cfg->ntests ? cfg->ntests : 1, sizeof *st.measured);
    st.program = fs_join(job->scratch, BLD_PERF_DIR "/perf");
    int rc = st.measured && st.program && perf_plan(&st) == 0 ? 0 : perf_oom(&st);
    if (rc == 0 && st.nsamples > 0) {
        rc = perf_build(&st);
        if (rc == 0)
            rc = perf_run_samples(&st);
        for (size_t i = 0; rc == 0 && i < cfg->ntests; i++)
            if (st.measured[i] && perf_score_test(&st, &cfg->tests[i], &tests[i]) < 0)
                rc = perf_oom(&st);
        if (rc == 0 && perf_cancelled(job)) {
            perf_errf(err, errlen, "interrupted");
            rc = -1;
        }
    }
    perf_stage_release(&st);
    return rc < 0 ? -1 : 0;
}

/* ---- check-config ------------------------------------------------------------ */

__attribute__((format(printf, 3, 4)))
static int perf_cfg_fail(struct cfg_error *err, const struct cfg_mark *at, const char *fmt, ...)
{
    va_list ap;
    err->line = at ? at->line : 0;
    err->column = at ? at->column : 0;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return -1;
}

/* Builds work_dir/perf from the reference solutions. */
static int perf_build_reference(const struct grader_cfg *cfg, const struct bld_trusted *t,
                                const char *work_dir, struct cfg_error *err, char **log)
{
    struct strv objs = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < cfg->nfiles; i++) {
        const char *src = cfg->files[i].solution ? cfg->files[i].solution : cfg->files[i].stub;
        if (src == NULL)
            return perf_cfg_fail(err, &cfg->files[i].mark, "%s has neither 'solution' nor "
                                 "'stub': cannot build the performance program",
                                 cfg->files[i].path);
        strv_pushf(&objs, "%s/perf-ref-%zu.o", work_dir, i);
        rc = objs.oom ? -1 : bld_perf_compile_trusted(cfg, src, objs.v[i], log);
    }
    strv_pushf(&objs, "%s/perf", work_dir);
    if (rc == 0 && !objs.oom)
        rc = bld_perf_link_trusted(cfg, t, (const char *const *)objs.v, objs.n - 1,
                                   objs.v[objs.n - 1], log) == 0 ? 0 : -1;
    if (rc < 0 || objs.oom)
        rc = perf_cfg_fail(err, NULL, "the performance program does not build with the "
                           "reference solution");
    strv_clear(&objs);
    return rc;
}

/* `perf --list` (trusted, outside the sandbox) into *names: the runner's protocol. */
static int perf_list(const char *program, struct strv *names, struct cfg_error *err)
{
    char msg[512];
    if (trun_list(program, names, msg, sizeof msg) < 0)
        return perf_cfg_fail(err, NULL, "%s", msg);
    return 0;
}

static bool perf_listed(const struct strv *names, const char *name)
{
    for (size_t i = 0; i < names->n; i++)
        if (strcmp(names->v[i], name) == 0)
            return true;
    return false;
}

int perf_check_measures(const struct grader_cfg *cfg, const struct bld_trusted *t,
                        const char *work_dir, struct cfg_error *err, char **log)
{
    struct strv names = {0};
    char *program = fs_join(work_dir, "perf");
    snprintf(err->file, sizeof err->file, "%s", cfg->path ? cfg->path : "");
    int rc = program ? perf_build_reference(cfg, t, work_dir, err, log)
                     : perf_cfg_fail(err, NULL, "out of memory");
    if (rc == 0)
        rc = perf_list(program, &names, err);
    for (size_t i = 0; rc == 0 && i < cfg->ntests; i++) {
        const struct cfg_test *ct = &cfg->tests[i];
        if (ct->kind != CFG_KIND_PERFORMANCE)
            continue;
        const char *missing = !perf_listed(&names, ct->perf.measure) ? ct->perf.measure
                            : !perf_listed(&names, ct->perf.reference) ? ct->perf.reference
                            : NULL;
        if (missing != NULL)
            rc = perf_cfg_fail(err, &ct->mark, "test '%s': the performance program has no "
                               "measurement '%s' (see perf --list)", ct->id, missing);
    }
    strv_clear(&names);
    free(program);
    return rc;
}
