/*
 * batch.h -- grade every submission of a class, in parallel, resumably.
 * Prefix batch_.
 *
 * Each sub-folder of the submissions folder is one student (names
 * starting with '.' and anything but a real folder are skipped).  Results
 * go to OUT/students/NAME/, graded into OUT/students/.NAME.partial and
 * renamed into place when complete, so a crash or kill leaves each
 * student either fully graded or not at all.  A re-run skips students
 * whose results are there, unless `force`.  OUT/gradebook.csv is rebuilt
 * from every finished student's row at the end, atomically.
 *
 * OUT/.lock (flock) keeps two batches from writing the same OUT.
 */
#ifndef BATCH_H
#define BATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "grade.h"

struct batch_opts {
    const char *submissions_dir;
    const char *out_dir;
    unsigned jobs;              /* worker threads, >= 1 */
    bool force;                 /* regrade students already graded */
    uid_t uid_base;             /* worker i runs its sandboxes as uid_base + i */
    FILE *progress;             /* progress lines, or NULL */
    bool progress_tty;          /* rewrite one status line with an ETA */
    volatile sig_atomic_t *stop;/* set by a signal handler: finish no new students */
};

struct batch_summary {
    size_t students;            /* sub-folders found */
    size_t graded;              /* graded by this run */
    size_t skipped;             /* already graded before */
    size_t ungradable;          /* of the graded: RES_UNGRADABLE */
    size_t failed;              /* the grader failed on them; see the progress output */
    bool stopped;               /* *stop was set before the end */
    struct res_row *rows;       /* every finished student, in name order (owned) */
    size_t nrows;
};

/** Frees sum->rows. */
void batch_summary_release(struct batch_summary *sum);

/**
 * Grades the batch and fills *sum (release it with
 * batch_summary_release(), also after a failure).  Returns 0 when every student has a result (whatever
 * the scores), 1 if some could not be graded (the grader failed on them
 * or the run was stopped), -1 with err[errlen] if the batch could not
 * start (bad folder, OUT locked by another batch).
 */
int batch_run(const struct grade_env *env, const struct batch_opts *o,
              struct batch_summary *sum, char *err, size_t errlen);

#endif /* BATCH_H */
