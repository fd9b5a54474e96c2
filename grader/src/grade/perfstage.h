/*
 * perfstage.h -- the performance stage of one grading (perf.h), as
 * grade.c runs it.  Prefix pstage_.
 *
 * The performance build does not depend on the units' verdicts, so it
 * starts before them (pstage_start(), a thread beside the other builds and
 * the units) and the stage after the units only waits for it, measures and
 * scores (pstage_run()).  It works in a scratch folder of its own, a copy
 * of the student's files made before any student code ran: the units'
 * sandboxes see only the grading's folder, so nothing their code does can
 * change what the performance build compiles or the program it measures.  Its sandbox user is the slot's uid + PSTAGE_UID_SLOT
 * x GRADE_UID_STRIDE, no unit runner's: RLIMIT_NPROC counts per uid, and
 * the compiler's processes must not count against a unit's limit.
 */
#ifndef PERFSTAGE_H
#define PERFSTAGE_H

#include <pthread.h>
#include <stdbool.h>

#include "grade/grade_priv.h"
#include "run/perf.h"
#include "util/strv.h"

/** The stage's sandbox user: slot uid + PSTAGE_UID_SLOT * GRADE_UID_STRIDE
 *  (unit runners take slots 0 .. GRADE_MAX_UNIT_JOBS - 1). */
#define PSTAGE_UID_SLOT GRADE_MAX_UNIT_JOBS

struct pstage {
    char *scratch;              /* the stage's own folder (removed by pstage_release()) */
    struct strv sources;        /* the student's files, copied into it */
    struct perf_job job;
    struct perf_prebuilt pb;
    pthread_t thread;
    bool started;               /* the build's thread runs, until joined */
    bool built;                 /* pb holds the build's outcome */
};

/** Whether this grading measures performance: graded so far, not skipped,
 *  and the config has performance tests. */
bool pstage_wanted(const struct grade_run *g);

/**
 * When pstage_wanted() and valgrind is there: makes the stage's folder,
 * copies the student's files into it and starts the performance build in
 * a thread.  Call before any student code runs in g->scratch.  *p must be
 * zeroed.  0 (started, or nothing to do), or -1 with g->err.
 */
int pstage_start(struct pstage *p, struct grade_run *g);

/**
 * The stage, once every check unit has its verdict: waits for the build,
 * measures, scores into g->res->tests (perf_grade()).  A failure of the
 * machine (valgrind missing, the stage failing) degrades it: its tests
 * score 0 saying why.  Sets g->res->phases.perf_ms.  0, or -1 with g->err
 * only on Ctrl-C or out of memory.
 */
int pstage_run(struct pstage *p, struct grade_run *g);

/** Joins the build if it still runs, removes the folder (unless `keep`),
 *  frees. */
void pstage_release(struct pstage *p, bool keep);

#endif /* PERFSTAGE_H */
