/*
 * grade_priv.h -- what the parts of one grading share: grade.c (the
 * pipeline), units.c (the graded units' runs) and perfstage.c (the
 * performance stage).  Not for other folders.
 */
#ifndef GRADE_PRIV_H
#define GRADE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grade/grade.h"
#include "score/result.h"
#include "util/strv.h"

/* Everything one grading needs, so helpers take one pointer. */
struct grade_run {
    const struct grade_env *env;
    const struct grade_slot *slot;
    struct res_submission *res;
    char *scratch;          /* mkdtemp'd, removed at the end */
    struct strv sources;    /* student files copied into scratch */
    char *program;          /* scratch/tests */
    char *tsan_program;     /* scratch/BLD_TSAN_DIR/tests once built, else NULL */
    bool tsan_failed;       /* the ThreadSanitizer build failed: its units score 0 */
    char *io_program;       /* scratch/BLD_IO_DIR/<io.program> once built, else NULL */
    char *io_root;          /* scratch/BLD_IO_DIR: the io runs' folders */
    bool io_failed;         /* the io build failed: the io tests score 0 */
    char *err;
    size_t errlen;
    uint64_t start_ms;      /* fs_now_ms() when grading began */
    double rate_score;      /* over grading.max_per_day: the last submission's score */
};

/* Formats the grading's error (g->err); returns -1. */
int grade_errf(struct grade_run *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Records that an optional stage was skipped after a failure: `message`
 * for everyone (the reports' "Grading notes"), `detail` (the tool's error,
 * may be NULL or "") for the staff.  -1 only when memory runs out.
 */
int grade_degrade(struct grade_run *g, const char *stage, const char *message,
                  const char *detail);

/* Whether Ctrl-C (env->cancel) asked to stop. */
bool grade_cancelled(const struct grade_env *env);

#endif /* GRADE_PRIV_H */
