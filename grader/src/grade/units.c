/*
 * units.c -- the graded units of one grading (grade.c's "run" stage):
 * first runs shared by chunks of units (trun_group()), then the repeats
 * shared the same way, then each unit's own runs, repeats and
 * ThreadSanitizer runs, env->unit_jobs at a time.
 */
#include "grade/units.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/build.h"
#include "run/iotest.h"
#include "run/testrun.h"
#include "run/tsan.h"
#include "sandbox/sbx.h"
#include "util/fsutil.h"

/* One more sandbox run of a test program (res->phases.test_runs); runners share it. */
static void units_count_run(struct grade_run *g)
{
    __atomic_add_fetch(&g->res->phases.test_runs, 1, __ATOMIC_RELAXED);
}

/*
 * One more run of ct (an io test's program, else the test program),
 * folded into t by `fold` (result.h: res_test_confirm, res_test_merge).
 * -1 only when the grader failed.
 */
static int units_again(struct grade_run *g, const struct cfg_test *ct, const struct sbx_opts *o,
                       struct res_test *t, int (*fold)(struct res_test *, struct res_test *),
                       char *err, size_t errlen)
{
    struct res_test again;
    int rc;
    if (ct->kind == CFG_KIND_IO) {
        rc = iot_run(ct, g->io_program, g->io_root, o, &again, err, errlen);
    } else {
        units_count_run(g);
        rc = trun_unit(ct, g->program, o, &again, err, errlen);
    }
    if (rc < 0) {
        res_test_release(&again);
        return -1;
    }
    if (fold(t, &again) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/*
 * One io test (iotest.h), run again when it timed out while hardly
 * running (res_test_confirm()); its program did not build: no points, and
 * why.
 */
static int units_io(struct grade_run *g, const struct cfg_test *ct,
                         const struct sbx_opts *o, struct res_test *t, char *err, size_t errlen)
{
    if (g->io_program) {
        if (iot_run(ct, g->io_program, g->io_root, o, t, err, errlen) < 0)
            return -1;
        if (res_test_stalled(t) && !grade_cancelled(g->env))
            return units_again(g, ct, o, t, res_test_confirm, err, errlen);
        return 0;
    }
    memset(t, 0, sizeof *t);
    t->cfg = ct;
    t->max_score = ct->points;
    t->status = RES_ERROR;
    t->message = strdup(g->io_failed ? "not run: your program (with its main) did not build; "
                                       "see the build log"
                                     : "not run: the program was not built");
    if (!t->message)
        snprintf(err, errlen, "out of memory");
    return t->message ? 0 : -1;
}

/* The student files' paths in the submission, for naming race sites. */
static size_t units_student_paths(const struct grader_cfg *cfg, const char **paths,
                                  size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < cfg->nfiles && n < max; i++)
        paths[n++] = cfg->files[i].path;
    return n;
}

/*
 * Races are looked for only as far as the TSan run went: a run that ended
 * early (a limit, a crash, the harness failing) or failed checks the
 * tests build passed leaves a note, so that "no race" is not read as
 * "checked".  It costs no points: the verdicts are the tests build's.
 * 0, or -1 out of memory.
 */
static int units_tsan_note(struct res_test *t, enum res_test_status verdict, const char *msg)
{
    const char *what = NULL;
    if (verdict == RES_ERROR)
        what = "did not finish";
    else if (verdict == RES_FAILED && t->status == RES_PASSED)
        what = "failed checks that pass without it";
    if (!what)
        return 0;
    char *note = NULL;
    if (asprintf(&note, "%s%sThe ThreadSanitizer run of this unit %s (%s): races after that "
                 "point were not looked for.\n", t->notes ? t->notes : "",
                 t->notes && t->notes[0] && t->notes[strlen(t->notes) - 1] != '\n' ? "\n" : "",
                 what, msg) < 0)
        return -1;
    free(t->notes);
    t->notes = note;
    return 0;
}

/*
 * One ThreadSanitizer run of ct with the options o (units_tsan()): the
 * whole unit when the config names it, else only its tests that ran on
 * threads (t->threaded), the ones whose verdict may have been luck.
 */
static int units_tsan_run(struct grade_run *g, const struct cfg_test *ct,
                          const struct res_test *t, const struct sbx_opts *o,
                          struct trun_tsan *out, char *err, size_t errlen)
{
    const char *files[16];
    size_t nfiles = units_student_paths(g->env->cfg, files, 16);
    char *dir = fs_join(g->scratch, BLD_TSAN_DIR);
    if (!dir) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    units_count_run(g);
    int rc = trun_tsan_unit(ct, ct->tsan ? NULL : t->threaded, &g->env->cfg->tsan.limits,
                            g->tsan_program, o, dir, files, nfiles, out, err, errlen);
    free(dir);
    return rc;
}

/*
 * The ThreadSanitizer run of one unit, in the unit runner's sandbox with
 * TSAN_OPTIONS and the heap limit (read by one of thread_sanitizer.sources)
 * added to its environment.  A race in the student's files fails the unit.
 * A run that timed out while it hardly ran (a stall of the machine, or a
 * hang) runs once more, as a unit's first run would (res_test_confirm()):
 * the races either run found stand, and the second run says how far TSan
 * watched.
 */
static int units_tsan(struct grade_run *g, const struct cfg_test *ct,
                           const struct sbx_opts *unit_opts, struct res_test *t,
                           char *err, size_t errlen)
{
    const struct cfg_tsan *ts = &g->env->cfg->tsan;
    if (g->tsan_failed)
        return res_test_add_races(t, strdup("(not checked: your code did not build with "
                                            "ThreadSanitizer; see the build log)\n"));
    const char *env[32];
    char opts_var[256], heap_var[64];
    size_t n = 0;
    for (const char *const *e = unit_opts->env; e && *e && n < 29; e++)
        env[n++] = *e;
    snprintf(opts_var, sizeof opts_var, "TSAN_OPTIONS=%s", TSAN_OPTIONS_VALUE);
    snprintf(heap_var, sizeof heap_var, "%s=%llu", TSAN_HEAP_LIMIT_ENV,
             (unsigned long long)ts->limits.memory_bytes);
    env[n++] = opts_var;
    env[n++] = heap_var;
    env[n] = NULL;
    struct sbx_opts o = *unit_opts;
    o.env = env;
    struct trun_tsan run = {0}, again = {0};
    int rc = units_tsan_run(g, ct, t, &o, &run, err, errlen);
    if (rc == 0 && run.stalled && !grade_cancelled(g->env)) {
        rc = units_tsan_run(g, ct, t, &o, &again, err, errlen);
        if (rc == 0) {
            if (!run.races) {        /* races either run found stand */
                run.races = again.races;
                again.races = NULL;
            }
            free(run.verdict_msg);   /* how far TSan watched: the second run's word */
            run.verdict = again.verdict;
            run.verdict_msg = again.verdict_msg;
            again.verdict_msg = NULL;
        }
    }
    if (rc == 0 && run.races) {
        char *races = run.races;
        run.races = NULL;            /* res_test_add_races() takes them, even on failure */
        if (res_test_add_races(t, races) < 0)
            rc = -1;
    }
    if (rc == 0 && units_tsan_note(t, run.verdict, run.verdict_msg) < 0)
        rc = -1;
    if (rc < 0 && !err[0])
        snprintf(err, errlen, "out of memory");
    trun_tsan_release(&run);
    trun_tsan_release(&again);
    return rc;
}

/*
 * Whether unit ct (first run t) gets a ThreadSanitizer run: the config
 * names it, or its tests started threads and the config lets
 * that count (thread_sanitizer.threaded_units).
 */
static bool units_wants_tsan(const struct grade_run *g, const struct cfg_test *ct,
                             const struct res_test *t)
{
    const struct cfg_tsan *ts = &g->env->cfg->tsan;
    return ts->enabled && ct->kind == CFG_KIND_CHECK &&
           (ct->tsan || (ts->threaded_units && t->threaded != NULL));
}

/*
 * A graded unit after its first run (t) and `repeated` repeats merged
 * already (shared runs): a timeout while the unit hardly ran confirmed by
 * a second run (res_test_confirm()), the rest of ct->repeat runs merged
 * (res_test_merge(): a check that fails in any run fails; a run that hung
 * ends the repeats), then its ThreadSanitizer run if the config names it,
 * some check passed and nothing hung.  -1 only when the grader failed.
 */
static int units_after_first(struct grade_run *g, const struct cfg_test *ct,
                             const struct sbx_opts *o, struct res_test *t, unsigned repeated,
                             char *err, size_t errlen)
{
    if (res_test_stalled(t) && !grade_cancelled(g->env) &&
        units_again(g, ct, o, t, res_test_confirm, err, errlen) < 0)
        return -1;
    /* A unit that hung has its verdict: running it again only waits again. */
    for (unsigned k = 1 + repeated;
         k < ct->repeat && !res_test_timed_out(t) && !grade_cancelled(g->env); k++)
        if (units_again(g, ct, o, t, res_test_merge, err, errlen) < 0)
            return -1;
    /* A unit with no passing check has no points a race could cost: no TSan run. */
    if (units_wants_tsan(g, ct, t) && t->passed > 0 && !res_test_timed_out(t) &&
        (g->tsan_program || g->tsan_failed) &&
        !grade_cancelled(g->env) && units_tsan(g, ct, o, t, err, errlen) < 0) {
        if (!err[0])
            snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

/*
 * The graded units, shared by the unit runners of one submission, in
 * phases.  First the chunks: units of the same visibility and limits
 * (but wall) whose first runs share one sandbox run (trun_group()), since
 * starting the sandbox and the program costs more than most units' tests.
 * Then the repeats (ct->repeat), one round per run, chunked the same way.
 * Then the rest, a unit at a time: io tests, units that ran alone or that
 * a chunk could not give a result of their own (run now, as
 * trun_unit()), their repeats, and ThreadSanitizer runs, the costly ones
 * first.
 */
enum units_phase { UNITS_FIRST, UNITS_REPEAT, UNITS_REST };

struct units_queue {
    struct grade_run *g;
    pthread_mutex_t lock;
    size_t next;             /* the next item of the phase */
    int failed;              /* a grader failure: stop taking items */
    enum units_phase phase;
    size_t *order;           /* chunked units, chunk after chunk (config indices) */
    size_t *chunk_end;       /* chunk c is order[chunk_end[c - 1] .. chunk_end[c]) */
    size_t nchunks;
    bool *first_done;        /* per config test: its first run is in res->tests[i] */
    unsigned *repeated;      /* per config test: the repeats merged into it (UNITS_REPEAT) */
    size_t *rest;            /* UNITS_REST: config indices */
    size_t nrest;
};

struct units_worker {
    struct units_queue *u;
    unsigned index;
    pthread_t thread;
    char err[256];
};

/* Whether two check units may share a run: what their readers see, their limits. */
static bool units_same_run(const struct cfg_test *a, const struct cfg_test *b)
{
    const struct cfg_limits *x = &a->limits, *y = &b->limits;
    return a->visibility == b->visibility && x->cpu_ms == y->cpu_ms &&
           x->memory_bytes == y->memory_bytes && x->processes == y->processes &&
           x->output_bytes == y->output_bytes && x->file_size_bytes == y->file_size_bytes;
}

/*
 * Fills u->order and u->chunk_end with the units want[] names: by kind of
 * run (units_same_run()) in config order, at most `size` a chunk.  -1 on
 * OOM.
 */
static int units_cut(struct units_queue *u, const bool *want, size_t size)
{
    const struct grader_cfg *cfg = u->g->env->cfg;
    size_t n = cfg->ntests, k = 0;
    bool *taken = calloc(n + 1, sizeof *taken);
    if (!taken)
        return -1;
    u->nchunks = 0;
    for (size_t i = 0; i < n; i++) {
        if (taken[i] || !want[i])
            continue;
        size_t start = k;
        for (size_t j = i; j < n; j++) {
            if (taken[j] || !want[j] || !units_same_run(&cfg->tests[i], &cfg->tests[j]))
                continue;
            taken[j] = true;
            u->order[k++] = j;
            if ((k - start) % size == 0)
                u->chunk_end[u->nchunks++] = k;
        }
        if (k > start && (u->nchunks == 0 || u->chunk_end[u->nchunks - 1] != k))
            u->chunk_end[u->nchunks++] = k;
    }
    free(taken);
    return 0;
}

/*
 * The first runs' chunks: every check unit, each chunk about a third of
 * each runner's share, so runners finish together.  None with
 * env->isolate_units.  -1 on OOM.
 */
static int units_plan_chunks(struct units_queue *u, unsigned jobs)
{
    const struct grader_cfg *cfg = u->g->env->cfg;
    size_t n = cfg->ntests, nchecks = 0;
    bool *want = calloc(n + 1, sizeof *want);
    if (!want)
        return -1;
    for (size_t i = 0; i < n; i++)
        nchecks += want[i] = cfg->tests[i].kind == CFG_KIND_CHECK;
    size_t size = (nchecks + 3 * jobs - 1) / (3 * jobs);
    int rc = u->g->env->isolate_units || size <= 1 ? 0 : units_cut(u, want, size);
    free(want);
    return rc;
}

/*
 * Whether unit i's repeat number `round` (1: its second run) may be
 * shared: its first run and every repeat before were (a unit that ran
 * alone repeats alone, in phase UNITS_REST), and that run needs no
 * second run to confirm it and did not hang.
 */
static bool units_repeat_wanted(const struct units_queue *u, size_t i, unsigned round)
{
    const struct cfg_test *ct = &u->g->env->cfg->tests[i];
    const struct res_test *t = &u->g->res->tests[i];
    return ct->kind == CFG_KIND_CHECK && u->first_done[i] && ct->repeat > round &&
           u->repeated[i] + 1 == round && !res_test_stalled(t) && !res_test_timed_out(t);
}

/*
 * The chunks of repeat round `round`: the units units_repeat_wanted(),
 * one chunk per runner and kind of run (there are few, and each is
 * short).  None with env->isolate_units or fewer than two.  -1 on OOM.
 */
static int units_plan_repeats(struct units_queue *u, unsigned jobs, unsigned round)
{
    size_t n = u->g->env->cfg->ntests, nwant = 0;
    bool *want = calloc(n + 1, sizeof *want);
    if (!want)
        return -1;
    for (size_t i = 0; i < n; i++)
        nwant += want[i] = units_repeat_wanted(u, i, round);
    size_t size = (nwant + jobs - 1) / jobs;
    u->nchunks = 0;
    int rc = u->g->env->isolate_units || nwant < 2 ? 0 : units_cut(u, want, size < 2 ? 2 : size);
    free(want);
    return rc;
}

/*
 * Fills u->rest: what phase UNITS_REST does, ThreadSanitizer units first.  A unit
 * whose first run is done wants TSan by what that run saw; one still to
 * run, by the config (its own run may add the TSan run: units_rest()).
 */
static int units_plan_rest(struct units_queue *u)
{
    const struct grader_cfg *cfg = u->g->env->cfg;
    u->rest = calloc(cfg->ntests + 1, sizeof *u->rest);
    if (!u->rest)
        return -1;
    for (int tsan_pass = 1; tsan_pass >= 0; tsan_pass--)
        for (size_t i = 0; i < cfg->ntests; i++) {
            const struct cfg_test *ct = &cfg->tests[i];
            const struct res_test *t = &u->g->res->tests[i];
            bool tsan = units_wants_tsan(u->g, ct, t);
            if (ct->kind == CFG_KIND_PERFORMANCE || tsan != (tsan_pass == 1))
                continue;    /* performance: measured after the units, grade_perf() */
            if (ct->kind == CFG_KIND_IO || !u->first_done[i] ||
                u->repeated[i] + 1 < ct->repeat || tsan || res_test_stalled(t))
                u->rest[u->nrest++] = i;
        }
    return 0;
}

/*
 * Chunk c's units in one sandbox run (trun_group()).  Phase UNITS_FIRST:
 * their first runs.  UNITS_REPEAT: one more run of each, merged into its
 * result (res_test_merge()).  A unit the run gave no result of its own
 * has that run alone in phase UNITS_REST.
 */
static int units_chunk(struct units_queue *u, size_t c, const struct sbx_opts *o, char *err,
                       size_t errlen)
{
    struct grade_run *g = u->g;
    size_t from = c ? u->chunk_end[c - 1] : 0, n = u->chunk_end[c] - from;
    const struct cfg_test **cts = calloc(n, sizeof *cts);
    struct res_test *ts = calloc(n, sizeof *ts);
    bool *ok = calloc(n, sizeof *ok);
    int rc = cts && ts && ok ? 0 : (snprintf(err, errlen, "out of memory"), -1);
    for (size_t i = 0; rc == 0 && i < n; i++)
        cts[i] = &g->env->cfg->tests[u->order[from + i]];
    if (rc == 0) {
        units_count_run(g);
        rc = trun_group(cts, n, g->program, o, ts, ok, err, errlen);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        size_t k = u->order[from + i];
        if (!ok[i])
            continue;
        if (u->phase == UNITS_FIRST) {
            g->res->tests[k] = ts[i];   /* the result moves */
            memset(&ts[i], 0, sizeof ts[i]);
            u->first_done[k] = true;
        } else if (res_test_merge(&g->res->tests[k], &ts[i]) < 0) {   /* consumes ts[i] */
            rc = (snprintf(err, errlen, "out of memory"), -1);
        } else {
            u->repeated[k]++;
        }
    }
    for (size_t i = 0; ts && i < n; i++)
        res_test_release(&ts[i]);
    free(cts);
    free(ts);
    free(ok);
    return rc;
}

/* Phase UNITS_REST, config test i: what it still needs. */
static int units_rest(struct units_queue *u, size_t i, const struct sbx_opts *o, char *err,
                      size_t errlen)
{
    struct grade_run *g = u->g;
    const struct cfg_test *ct = &g->env->cfg->tests[i];
    struct res_test *t = &g->res->tests[i];
    if (ct->kind == CFG_KIND_IO)
        return units_io(g, ct, o, t, err, errlen);
    if (!u->first_done[i]) {
        units_count_run(g);
        if (trun_unit(ct, g->program, o, t, err, errlen) < 0)
            return -1;
    }
    return units_after_first(g, ct, o, t, u->repeated[i], err, errlen);
}

/* The sandbox of unit runner `index`: its own uid, the grading seed. */
static void units_opts(const struct grade_run *g, unsigned index, const char **env,
                            char *seed, size_t seedlen, struct sbx_opts *o)
{
    const struct grader_cfg *cfg = g->env->cfg;
    env[0] = "PATH=/usr/bin:/bin";
    env[1] = "HOME=/tmp";
    env[2] = "LC_ALL=C";
    env[3] = env[4] = NULL;
    if (cfg->grading.seeded) {   /* the visible tests draw their inputs from it */
        snprintf(seed, seedlen, "TC_SEED=%" PRIu64, cfg->grading.seed);
        env[3] = seed;
    }
    sbx_opts_init(o);
    o->workdir = g->scratch;
    o->env = env;
    o->uid = g->slot->uid + index * GRADE_UID_STRIDE;
    o->gid = g->slot->gid;
    o->umask = 002;           /* .gcda files are merged by every unit runner */
    o->use_bwrap = g->env->use_bwrap;
    o->probe = g->env->probe;
    o->cancel = g->env->cancel;
}

static void *units_main(void *arg)
{
    struct units_worker *w = arg;
    struct units_queue *u = w->u;
    char seed[40];
    const char *env[5];
    struct sbx_opts o;
    units_opts(u->g, w->index, env, seed, sizeof seed, &o);
    for (;;) {
        pthread_mutex_lock(&u->lock);
        size_t end = u->phase == UNITS_REST ? u->nrest : u->nchunks;
        size_t i = u->failed || grade_cancelled(u->g->env) ? end : u->next++;
        pthread_mutex_unlock(&u->lock);
        if (i >= end)
            return NULL;
        int rc = u->phase == UNITS_REST ? units_rest(u, u->rest[i], &o, w->err, sizeof w->err)
                                        : units_chunk(u, i, &o, w->err, sizeof w->err);
        if (rc < 0) {
            pthread_mutex_lock(&u->lock);
            u->failed = 1;
            pthread_mutex_unlock(&u->lock);
            return NULL;
        }
    }
}

/* One phase: `jobs` runners take its items until none is left.  0, or -1. */
static int units_phase(struct units_queue *u, enum units_phase phase, unsigned jobs)
{
    struct units_worker w[GRADE_MAX_UNIT_JOBS];
    unsigned started = 0;
    u->phase = phase;
    u->next = 0;
    memset(w, 0, sizeof w);
    for (; started < jobs; started++) {
        w[started].u = u;
        w[started].index = started;
        if (pthread_create(&w[started].thread, NULL, units_main, &w[started]) != 0)
            break;
    }
    for (unsigned i = 0; i < started; i++)
        pthread_join(w[i].thread, NULL);
    if (started == 0)
        return grade_errf(u->g, "cannot start a thread to run the tests");
    for (unsigned i = 0; i < started; i++)
        if (w[i].err[0])
            return grade_errf(u->g, "%s", w[i].err);
    return u->failed ? grade_errf(u->g, "running the tests failed") : 0;
}

/* The repeats' rounds (UNITS_REPEAT), as long as some unit shares one.  0, or -1. */
static int units_repeats(struct units_queue *u, unsigned jobs)
{
    unsigned most = 1;
    for (size_t i = 0; i < u->g->env->cfg->ntests; i++)
        if (u->g->env->cfg->tests[i].repeat > most)
            most = u->g->env->cfg->tests[i].repeat;
    for (unsigned round = 1; round < most && !grade_cancelled(u->g->env); round++) {
        if (units_plan_repeats(u, jobs, round) < 0)
            return grade_errf(u->g, "out of memory");
        if (u->nchunks == 0)
            break;
        if (units_phase(u, UNITS_REPEAT, jobs) < 0)
            return -1;
    }
    return 0;
}

/* Runs every graded unit, env->unit_jobs at a time; results keep config order. */
int units_run(struct grade_run *g)
{
    unsigned jobs = g->env->unit_jobs;
    if (jobs < 1)
        jobs = 1;
    if (jobs > GRADE_MAX_UNIT_JOBS)
        jobs = GRADE_MAX_UNIT_JOBS;
    size_t n = g->env->cfg->ntests;
    struct units_queue u = {.g = g};
    uint64_t t0 = fs_now_ms();
    pthread_mutex_init(&u.lock, NULL);
    u.first_done = calloc(n + 1, sizeof *u.first_done);
    u.repeated = calloc(n + 1, sizeof *u.repeated);
    u.order = calloc(n + 1, sizeof *u.order);
    u.chunk_end = calloc(n + 1, sizeof *u.chunk_end);
    int rc = u.first_done && u.repeated && u.order && u.chunk_end &&
             units_plan_chunks(&u, jobs) == 0 ? 0 : grade_errf(g, "out of memory");
    if (rc == 0 && u.nchunks > 0)
        rc = units_phase(&u, UNITS_FIRST, jobs);
    if (rc == 0)
        rc = units_repeats(&u, jobs);
    if (rc == 0 && units_plan_rest(&u) < 0)
        rc = grade_errf(g, "out of memory");
    if (rc == 0 && u.nrest > 0)
        rc = units_phase(&u, UNITS_REST, jobs);
    pthread_mutex_destroy(&u.lock);
    free(u.first_done);
    free(u.repeated);
    free(u.order);
    free(u.chunk_end);
    free(u.rest);
    g->res->phases.run_ms = fs_now_ms() - t0;
    return rc;
}
