/*
 * perf_callgrind.c -- reading callgrind's output (perf.h:
 * perf_parse_callgrind, perf_sum): the events and costs of one dump file,
 * which measurement or worker thread triggered it, and the totals.  Pure:
 * unit-tested on text.
 */
#include "run/perf.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/perf_priv.h"

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

void perf_errf(char *err, size_t n, const char *fmt, ...)
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
