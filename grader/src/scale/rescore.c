/*
 * rescore.c -- rescore_run() (rescore.h): load every student's outcomes,
 * refuse on a fingerprint that differs, then score and write them again
 * with N threads, and rebuild the class files.
 */
#include "scale/rescore.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grade/grade.h"
#include "report/html.h"
#include "score/outcomes.h"
#include "util/fsutil.h"
#include "util/strv.h"

/* One student's work. */
struct rescore_item {
    const char *name;             /* borrowed from the names list */
    struct outc_record rec;
    int rc;                       /* outc_load()'s, then -1 if writing failed */
    char err[1024];
};

struct rescore_state {
    const struct grader_cfg *cfg;
    const struct rescore_opts *o;
    const struct outc_print *now;
    char *students_dir;
    struct rescore_item *items;
    size_t n;
    size_t next;                  /* the next item to take (under lock) */
    pthread_mutex_t lock;
    bool writing;                 /* phase 2: score and write; else load */
};

static int rescore_errf(char *err, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int rescore_errf(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return -1;
}

static void rescore_load(struct rescore_state *st, struct rescore_item *it)
{
    char *dir = fs_join(st->students_dir, it->name);
    char *path = dir ? fs_join(dir, OUTC_FILE) : NULL;
    if (!path) {
        it->rc = rescore_errf(it->err, sizeof it->err, "out of memory");
    } else if (access(path, F_OK) < 0) {
        outc_record_release(&it->rec);
        it->rc = rescore_errf(it->err, sizeof it->err, "no %s (graded by a grader that did "
                              "not store its outcomes)", OUTC_FILE);
    } else {
        it->rc = outc_load(path, st->cfg, st->now, &it->rec, it->err, sizeof it->err);
    }
    free(path);
    free(dir);
}

/* Scores the outcomes as grade_submission() does, then writes the files. */
static void rescore_write(struct rescore_state *st, struct rescore_item *it)
{
    const struct grader_cfg *cfg = st->cfg;
    struct res_submission *s = &it->rec.res;
    const struct adj_student *a = st->o->adjust ? adj_find(st->o->adjust, it->name)
                                  : it->rec.adjust.nstudents ? &it->rec.adjust.students[0]
                                                             : NULL;
    res_score(s);
    res_apply_late(s, &cfg->late);
    if (a && res_apply_adjustments(s, a, &cfg->late) < 0) {
        it->rc = rescore_errf(it->err, sizeof it->err, "out of memory");
        return;
    }
    if (s->rate_limited)
        s->score = it->rec.rate_score;
    char *dir = fs_join(st->students_dir, it->name);
    /* the same outcomes, fingerprint and adjustments: outcomes.json stays */
    struct grade_outcomes oc = {.print = st->now, .adjust = a,
                                .rate_score = it->rec.rate_score,
                                .unchanged = st->o->adjust == NULL};
    if (!dir)
        it->rc = rescore_errf(it->err, sizeof it->err, "out of memory");
    else if (grade_write_reports(cfg, s, &oc, dir, it->err, sizeof it->err) < 0)
        it->rc = -1;
    free(dir);
    /* the result is no longer needed: keep the memory down */
    outc_record_release(&it->rec);
}

static void *rescore_worker(void *arg)
{
    struct rescore_state *st = arg;
    for (;;) {
        pthread_mutex_lock(&st->lock);
        size_t i = st->next++;
        pthread_mutex_unlock(&st->lock);
        if (i >= st->n)
            return NULL;
        if (st->writing)
            rescore_write(st, &st->items[i]);
        else
            rescore_load(st, &st->items[i]);
    }
}

/* Runs the current phase over every item with up to `jobs` threads. */
static void rescore_phase(struct rescore_state *st, unsigned jobs)
{
    pthread_t t[64];
    unsigned started = 0;
    st->next = 0;
    if (jobs > 64)
        jobs = 64;
    for (unsigned i = 1; i < jobs && (size_t)i < st->n; i++, started++)
        if (pthread_create(&t[started], NULL, rescore_worker, st) != 0)
            break;
    rescore_worker(st);
    for (unsigned i = 0; i < started; i++)
        pthread_join(t[i], NULL);
}

/* Keeps the finished students (a results.json) of names. */
static int rescore_finished(const char *students_dir, struct strv *names)
{
    size_t k = 0;
    for (size_t i = 0; i < names->n; i++) {
        char *dir = fs_join(students_dir, names->v[i]);
        char *path = dir ? fs_join(dir, "results.json") : NULL;
        if (!path) {
            free(dir);
            return -1;
        }
        bool done = access(path, F_OK) == 0;
        free(path);
        free(dir);
        if (done)
            names->v[k++] = names->v[i];
        else
            free(names->v[i]);
    }
    names->n = k;
    if (names->v)
        names->v[k] = NULL;
    return 0;
}

/* Phase 1's verdict: -1 for a refusal (err says why), else 0. */
static int rescore_verdict(struct rescore_state *st, struct rescore_summary *sum, char *err,
                           size_t errlen)
{
    const struct rescore_item *first_stale = NULL, *first_bad = NULL;
    for (size_t i = 0; i < st->n; i++) {
        const struct rescore_item *it = &st->items[i];
        if (it->rc == 1 && !sum->stale++)
            first_stale = it;
        if (it->rc < 0 && !sum->missing++)
            first_bad = it;
    }
    if (first_stale)
        return rescore_errf(err, errlen, "%zu of %zu students were graded with a config that "
                            "differs in what a rescore cannot recompute (%s; e.g. %s): "
                            "regrade them (batch --force)", sum->stale, st->n,
                            first_stale->err, first_stale->name);
    if (first_bad)
        return rescore_errf(err, errlen, "%zu of %zu students cannot be rescored (%s: %s): "
                            "regrade them (batch --force)", sum->missing, st->n,
                            first_bad->name, first_bad->err);
    return 0;
}

static int rescore_students(struct rescore_state *st, struct rescore_summary *sum, char *err,
                            size_t errlen)
{
    unsigned jobs = st->o->jobs ? st->o->jobs : 1;
    html_init();   /* before the threads make pages */
    rescore_phase(st, jobs);
    if (rescore_verdict(st, sum, err, errlen) < 0)
        return 1;
    for (size_t i = 0; i < st->n; i++) {
        const char *name = st->items[i].name;
        const struct outc_record *r = &st->items[i].rec;
        if (st->o->adjust ? adj_find(st->o->adjust, name) != NULL : r->adjust.nstudents > 0)
            sum->adjusted++;
    }
    st->writing = true;
    rescore_phase(st, jobs);
    for (size_t i = 0; i < st->n; i++) {
        if (st->items[i].rc < 0)
            return rescore_errf(err, errlen, "%s: %s", st->items[i].name, st->items[i].err);
        sum->rescored++;
    }
    return 0;
}

/* The gradebook, written beside the dashboard (rescore_class()). */
struct rescore_book {
    const struct grader_cfg *cfg;
    const char *out_dir;
    const struct strv *names;
    struct batch_summary *sum;
    int rc;
    char err[1024];
};

static void *rescore_book_main(void *arg)
{
    struct rescore_book *b = arg;
    b->rc = batch_write_gradebook(b->cfg, b->out_dir, b->names, b->sum, b->err, sizeof b->err);
    return NULL;
}

/* The class files: gradebook.csv in a second thread while the dashboard
 * and the exports are made (each reads every results.json; neither reads
 * the other's files). */
static int rescore_class(const struct grader_cfg *cfg, const char *out_dir,
                         const struct strv *names, struct rescore_summary *sum, char *err,
                         size_t errlen)
{
    struct rescore_book b = {.cfg = cfg, .out_dir = out_dir, .names = names,
                             .sum = &sum->class};
    pthread_t t;
    bool threaded = pthread_create(&t, NULL, rescore_book_main, &b) == 0;
    if (!threaded)
        rescore_book_main(&b);
    int rc = html_write_dashboard(cfg, out_dir, err, errlen);
    if (threaded)
        pthread_join(t, NULL);
    if (rc == 0 && b.rc < 0)
        rc = rescore_errf(err, errlen, "%s", b.err);
    return rc;
}

int rescore_run(const struct grader_cfg *cfg, const struct rescore_opts *o,
                struct rescore_summary *sum, char *err, size_t errlen)
{
    struct strv names = {0};
    struct outc_print now;
    struct rescore_state st = {.cfg = cfg, .o = o, .now = &now};
    int lock_fd = -1, rc = -1;
    memset(sum, 0, sizeof *sum);
    pthread_mutex_init(&st.lock, NULL);
    if (outc_print_init(&now, cfg, err, errlen) < 0)
        goto done;
    st.students_dir = fs_join(o->out_dir, "students");
    if (!st.students_dir) {
        rescore_errf(err, errlen, "out of memory");
        goto done;
    }
    if (access(st.students_dir, F_OK) < 0) {
        rescore_errf(err, errlen, "%s is not a batch output (no students/ folder)", o->out_dir);
        goto done;
    }
    if (batch_lock_out(o->out_dir, &lock_fd, err, errlen) < 0)
        goto done;
    if (batch_list_students(st.students_dir, &names) < 0 ||
        rescore_finished(st.students_dir, &names) < 0) {
        rescore_errf(err, errlen, "cannot read %s: %s", st.students_dir, strerror(errno));
        goto done;
    }
    sum->students = st.n = names.n;
    if (st.n && (st.items = calloc(st.n, sizeof *st.items)) == NULL) {
        rescore_errf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < st.n; i++)
        st.items[i].name = names.v[i];
    rc = rescore_students(&st, sum, err, errlen);
    if (rc != 0)
        goto done;
    rc = -1;
    if (rescore_class(cfg, o->out_dir, &names, sum, err, errlen) < 0)
        goto done;
    if (syncfs(lock_fd) < 0) {
        rescore_errf(err, errlen, "cannot sync %s: %s", o->out_dir, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    if (lock_fd >= 0)
        close(lock_fd);
    for (size_t i = 0; i < st.n; i++)
        outc_record_release(&st.items[i].rec);
    free(st.items);
    free(st.students_dir);
    strv_clear(&names);
    outc_print_release(&now);
    pthread_mutex_destroy(&st.lock);
    return rc;
}

void rescore_summary_release(struct rescore_summary *sum)
{
    batch_summary_release(&sum->class);
}
