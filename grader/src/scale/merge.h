/*
 * merge.h -- combine the outputs of several batches (the shards of one
 * class, graded on different machines) into one.  Prefix merge_.
 *
 * Every finished student folder of the inputs (INPUT/students/NAME with
 * a results.json; batch.h) is copied into OUT/students/NAME, then
 * OUT/gradebook.csv is rebuilt exactly as a batch builds it
 * (batch_write_gradebook()) and the class dashboard is written
 * (html_write_dashboard()), so merging the shards of a class gives the
 * gradebook one unsharded batch would have written.
 *
 * Rules:
 * - A student found in two inputs is an error unless the two folders
 *   are byte-identical (same names, same types, same bytes; grading a
 *   student twice is never byte-identical, as results.json records the
 *   grading's wall-clock time).  Conflicts are found before anything is
 *   written.
 * - Folders without results.json (a grading that never finished) are
 *   skipped and counted; names starting with '.' are ignored.
 * - Only folders and regular files are copied; a symlink or any other
 *   kind of file in a student folder is an error.
 * - A student already in OUT is left alone when byte-identical to the
 *   input's folder, else replaced by it; students of OUT that no input
 *   has are kept (and appear in the gradebook).
 * - OUT is locked for the whole merge with the batch's lock (OUT/.lock,
 *   batch_lock_out()): a merge refuses while a batch or another merge
 *   writes OUT, and a batch refuses while a merge runs.  An input that a
 *   running batch holds locked is refused too (it is not finished yet);
 *   the inputs hold a shared lock meanwhile, so no batch starts on them.
 *   A file system without locks is merged unlocked (fs_try_lock()).
 * - Each student is copied into OUT/students/.NAME.partial and renamed
 *   into place, so a killed merge leaves every student old or new, never
 *   half-copied; the next batch or merge on OUT removes the leftovers.
 * An input may be OUT itself (its students are already in place).
 */
#ifndef MERGE_H
#define MERGE_H

#include <stddef.h>
#include <stdio.h>

#include "scale/batch.h"
#include "config/cfg.h"

struct merge_opts {
    const char *const *inputs;  /* batch output folders, each with a students/ folder */
    size_t ninputs;             /* >= 1 */
    const char *out_dir;        /* created if missing */
    FILE *progress;             /* notes about skipped folders, or NULL */
};

struct merge_summary {
    size_t inputs;              /* input folders read */
    size_t students;            /* distinct finished students found in the inputs */
    size_t copied;              /* of them: copied into OUT (new or changed) */
    size_t unchanged;           /* of them: already in OUT, byte-identical */
    size_t duplicates;          /* byte-identical copies found in a second input */
    size_t unfinished;          /* input folders skipped: no results.json */
    struct batch_summary class; /* rows: every finished student of OUT, in
                                   name order, as in the gradebook (owned) */
};

/**
 * Merges o->inputs into o->out_dir (see above) and fills *sum (zeroed
 * first; release it with merge_summary_release(), also after a
 * failure).  `cfg` gives the gradebook's header and the dashboard's
 * tests.  Returns 0, or -1 with err[errlen]: no input, an input that is
 * not a batch output or is being written, OUT locked, a conflicting
 * student (nothing was copied then), or a file-system error (the
 * students copied before it are in place; run the merge again).
 */
int merge_run(const struct grader_cfg *cfg, const struct merge_opts *o,
              struct merge_summary *sum, char *err, size_t errlen);

/** Frees sum->class.rows. */
void merge_summary_release(struct merge_summary *sum);

#endif /* MERGE_H */
