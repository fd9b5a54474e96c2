/*
 * perf_score.c -- scoring a measurement against the reference (perf.h:
 * perf_metric_count, perf_fraction, perf_score_ratio, perf_workers_of,
 * perf_score_threads).  Pure: unit-tested on numbers.
 */
#include "run/perf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
