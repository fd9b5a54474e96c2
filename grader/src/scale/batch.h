/*
 * batch.h -- grade every submission of a class, in parallel, resumably.
 * Prefix batch_.
 *
 * Each sub-folder of the submissions folder is one student (names
 * starting with '.' and anything but a real folder are skipped).  Results
 * go to OUT/students/NAME/, graded into OUT/students/.NAME.partial and
 * renamed into place when complete, so a crash or kill leaves each
 * student either fully graded or not at all.  A re-run skips students
 * whose results are there, unless `force`.  OUT/gradebook.csv and the
 * class dashboard OUT/index.html (html.h) are rebuilt from every finished
 * student's results at the end, atomically.
 *
 * OUT/.lock (flock) keeps two batches from writing the same OUT.
 *
 * Shards.  With shard_count N > 1, a run grades only shard I of N: in
 * the sorted list of students, student k (0-based) belongs to shard
 * (k % N) + 1.  Each shard writes its own OUT; merge.h combines them.
 */
#ifndef BATCH_H
#define BATCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "config/cfg.h"
#include "grade/grade.h"
#include "scale/cache.h"
#include "util/strv.h"

struct batch_opts {
    const char *submissions_dir;
    const char *out_dir;
    unsigned jobs;              /* worker threads, >= 1 */
    bool force;                 /* regrade students already graded */
    uid_t uid_base;             /* worker i runs its sandboxes as uid_base + i */
    FILE *progress;             /* progress lines, or NULL */
    bool progress_tty;          /* rewrite one status line with an ETA */
    volatile sig_atomic_t *stop;/* set by a signal handler: finish no new students */
    unsigned shard_index;       /* shard I of shard_count, 1 <= I <= shard_count */
    unsigned shard_count;       /* 0 or 1: every student; else at most BATCH_MAX_SHARDS */
    const struct rcache *cache; /* the regrade cache (cache.h), or NULL: a student
                                   whose key is there is copied, not graded */
};

#define BATCH_MAX_SHARDS 10000u

struct batch_summary {
    size_t students;            /* sub-folders found */
    size_t graded;              /* graded by this run (reused ones included) */
    size_t reused;              /* of the graded: copied from the regrade cache */
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

/**
 * The real sub-folders of dir whose names do not start with '.', sorted
 * by strcmp (every run and every shard sees the same order), into
 * *names (empty before the call).  Returns 0, or -1 with errno (dir
 * unreadable, out of memory); release *names with strv_clear() either way.
 */
int batch_list_students(const char *dir, struct strv *names);

/**
 * Prepares out_dir for writing a class: creates OUT/students, takes
 * OUT/.lock (flock, held while *lock_fd stays open: close it when done),
 * then removes what a killed batch or merge left (students/.NAME.partial
 * folders, the temporaries of its class files: gradebook.csv.tmp.XXXXXX,
 * canvas.csv.tmp.XXXXXX...).  Returns 0, or -1 with err[errlen]
 * (another batch or merge holds the lock, or a file-system error).  On a
 * file system without locks (fs_try_lock()) it returns 0 all the same,
 * *lock_fd open but unlocked: the run goes on rather than not at all.
 */
int batch_lock_out(const char *out_dir, int *lock_fd, char *err, size_t errlen);

/**
 * Writes out_dir/gradebook.csv atomically: the header of `cfg`
 * (report_gradebook_header()), then, in the order of names[] (sorted),
 * the row (students/NAME/gradebook-row.csv) of every finished student:
 * one whose students/NAME/results.json exists.  Appends each such
 * student's res_row to sum->rows (read back from results.json).  Returns
 * 0, or -1 with err[errlen].  The caller holds OUT/.lock.
 */
int batch_write_gradebook(const struct grader_cfg *cfg, const char *out_dir,
                          const struct strv *names, struct batch_summary *sum,
                          char *err, size_t errlen);

#endif /* BATCH_H */
