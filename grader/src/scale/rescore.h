/*
 * rescore.h -- score a graded class again from its stored outcomes, after
 * a change of points, visibility, late policy, categories or
 * adjustments: no compile, no run.  Prefix rescore_.
 *
 * Every finished student of a batch output (OUT/students/NAME with a
 * results.json; batch.h) has an outcomes.json (outcomes.h) holding what
 * its grading measured and the fingerprint of the config it was graded
 * with.  rescore_run() reads them all first; when one has none, cannot
 * be read, or was graded with a config whose regrade-relevant parts
 * (tests added, removed or renamed, their limits or measurements, the
 * trusted sources, the build, ...: outcomes.h) differ from `cfg`'s, it
 * refuses and writes nothing, saying what changed.  Otherwise, for each
 * student, it scores the outcomes with `cfg` (res_score(),
 * res_apply_late(), res_apply_adjustments(): the scorer a grading uses)
 * and writes every per-student file again but coverage/
 * (grade_write_reports(): the writers a grading uses), then
 * OUT/gradebook.csv, the exports and the dashboard (batch.h, html.h).
 * With the config a class was graded with, every file comes out
 * byte-identical; results.json keeps its grading's execution_time and
 * phases_ms.
 *
 * Adjustments: with opts->adjust, each student gets that file's entry
 * (none when the file has none); without it, each keeps the entry its
 * last grading or rescore applied (outcomes.json records it).
 *
 * OUT/.lock (batch_lock_out()) is held throughout, so no batch or merge
 * writes OUT meanwhile.  Files are replaced one by one, atomically, and
 * synced once at the end (syncfs); a rescore killed half-way leaves some
 * students rescored and some not, each folder complete: run it again.
 */
#ifndef RESCORE_H
#define RESCORE_H

#include <stddef.h>
#include <stdio.h>

#include "config/adjust.h"
#include "config/cfg.h"
#include "scale/batch.h"

struct rescore_opts {
    const char *out_dir;          /* a batch output: OUT/students/ */
    const struct adj_file *adjust;/* --adjustments, or NULL: each keeps its own */
    unsigned jobs;                /* worker threads, >= 1 */
};

struct rescore_summary {
    size_t students;              /* finished students found */
    size_t rescored;              /* of them, written again */
    size_t stale;                 /* refused: graded with a config that differs */
    size_t missing;               /* refused: no outcomes.json, or unreadable */
    size_t adjusted;              /* rescored with an adjustments entry */
    struct batch_summary class;   /* rows: every finished student, in name order (owned) */
};

/**
 * Rescores o->out_dir with `cfg` (see above) and fills *sum (zeroed
 * first; release with rescore_summary_release(), also after a failure).
 * Returns 0 when every student was rescored; 1 when the rescore was
 * refused and nothing was written (sum->stale or sum->missing > 0;
 * err[errlen] names what changed and the first student concerned:
 * regrade with `batch --force`); -1 with err[errlen] on any other
 * failure (not a batch output, OUT locked, a file that cannot be
 * written: the students written before it are rescored; run it again).
 */
int rescore_run(const struct grader_cfg *cfg, const struct rescore_opts *o,
                struct rescore_summary *sum, char *err, size_t errlen);

/** Frees sum->class. */
void rescore_summary_release(struct rescore_summary *sum);

#endif /* RESCORE_H */
