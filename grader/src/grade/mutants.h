/*
 * mutants.h -- mutation analysis of the grading itself.  Prefix mut_.
 *
 * Do the graded tests catch the bugs students make?  mut_run() plants one
 * realistic bug at a time in the reference solution (a mutant, made by
 * the mutagen program from the C parser's view of the file: see
 * grader/mutagen/mutagen.c for the operators) and grades each mutant's
 * test program in the sandbox like a submission.  A mutant that some
 * graded unit passing on the reference now fails is killed; one that
 * every unit still passes survived: a hole in the tests.
 *
 * How it stays fast (README "Mutation analysis"):
 *   - one build: mutagen writes a mutant schema, every mutant in one
 *     source, each switched on by GRADER_MUTANT=N at run time;
 *   - the reference runs each unit once with coverage: a mutant runs
 *     only the units that execute its lines, fastest first;
 *   - a mutant stops at its first kill (unless all_units);
 *   - mutants run in parallel, one sandbox uid per worker.
 *
 * Only check units are run: performance tests measure speed, and a
 * schema build is not the code a student would submit.  Nothing here
 * names an assignment: the files, flags, units and operators all come
 * from the config.
 */
#ifndef MUTANTS_H
#define MUTANTS_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "compile/build.h"
#include "config/cfg.h"
#include "score/mutres.h"

struct mut_options {
    const struct grader_cfg *cfg;
    const struct bld_trusted *trusted;
    const char *mutagen;          /* the mutagen program */
    const char *work_root;        /* parent of the scratch folder */
    int use_bwrap;                /* an enum sbx_level (sbx.h) */
    uid_t uid;                    /* worker k runs as uid + k (when root) */
    gid_t gid;
    unsigned jobs;                /* parallel workers, >= 1 */
    bool all_units;               /* run every reaching unit: no stop at the first kill */
    const char *operators;        /* comma list overriding mutants.operators, or NULL */
    const char *functions;        /* comma list of globs overriding mutants.functions */
    size_t limit;                 /* analyse the first N mutants only; 0 = all */
    bool keep_scratch;
    FILE *progress;               /* progress lines, or NULL */
    const volatile sig_atomic_t *cancel; /* stop soon when set: mut_run returns -1 */
    struct sbx_probe *probe;      /* see sbx_opts.probe; may be NULL */
};

/**
 * Runs the analysis of every student file that has a solution.  Fills
 * *r (zeroed here; release it with mut_result_release() in every case).
 * Returns 0, or -1 with err[errlen] when the analysis cannot be done:
 * the reference does not build or passes no unit, mutagen fails, the
 * schema does not compile, the sandbox fails, or o->cancel was set.
 */
int mut_run(const struct mut_options *o, struct mut_result *r, char *err, size_t errlen);

#endif /* MUTANTS_H */
