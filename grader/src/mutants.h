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

#include "build.h"
#include "cfg.h"

enum mut_verdict {
    MUT_KILLED,      /* a unit that passes on the reference failed, crashed, or leaked
                        where leaks cost points (cfg_test.leak_deduct) */
    MUT_TIMEOUT,     /* a unit ran out of time (e.g. an endless loop): detected */
    MUT_SURVIVED,    /* every unit that runs its lines still passes */
    MUT_UNCOVERED,   /* no passing unit runs its lines: survived, untested code */
    MUT_EQUIVALENT,  /* listed in the config's mutants.equivalent: not run */
    MUT_NVERDICTS
};

/** One mutant; every string is owned. */
struct mut_mutant {
    unsigned index;        /* mutagen's index in its file: the GRADER_MUTANT value */
    char *file;            /* the student file, as in the config ("kernels.c") */
    char *id;              /* "FUNCTION:OPERATOR:K", stable across edits elsewhere */
    char *op;              /* "ror", "del", ... */
    char *function;        /* the function it is in */
    char *description;     /* "relational operator '<' replaced by '<='" */
    char *diff;            /* unified diff against the reference */
    unsigned line, end_line;
    enum mut_verdict verdict;
    char *killer;          /* the unit that killed it (killed, timeout), or NULL */
    char *detail;          /* how: the unit's first failing check, or the reason
                              it is equivalent; or NULL */
    unsigned units_run;    /* sandboxed unit runs it took */
};

/** One graded check unit, as the analysis saw it. */
struct mut_unit {
    const struct cfg_test *test;  /* borrowed from the config */
    bool ref_passed;       /* passes on the reference: can kill mutants */
    uint64_t ref_wall_ms;  /* its time on the reference (sets the mutants' limit) */
    unsigned reached;      /* mutants (run) whose lines it executes on the reference */
    unsigned first_kills;  /* mutants it was the first to kill */
};

struct mut_result {
    struct mut_mutant *mutants;   /* source order, file by file */
    size_t nmutants;
    struct mut_unit *units;       /* the config's check tests, config order */
    size_t nunits;
    char **stale;                 /* equivalent ids (config) matching no mutant */
    size_t nstale;
    unsigned jobs;
    uint64_t generate_ms;         /* mutagen */
    uint64_t build_ms;            /* the reference and schema builds */
    uint64_t baseline_ms;         /* the reference's units, with coverage */
    uint64_t run_ms;              /* the mutants' runs */
    uint64_t total_ms;
};

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
};

/**
 * Runs the analysis of every student file that has a solution.  Fills
 * *r (zeroed here; release it with mut_result_release() in every case).
 * Returns 0, or -1 with err[errlen] when the analysis cannot be done:
 * the reference does not build or passes no unit, mutagen fails, the
 * schema does not compile, the sandbox fails, or o->cancel was set.
 */
int mut_run(const struct mut_options *o, struct mut_result *r, char *err, size_t errlen);

void mut_result_release(struct mut_result *r);

/** How many mutants have verdict v. */
size_t mut_count(const struct mut_result *r, enum mut_verdict v);

/**
 * The mutation score: killed and timed-out mutants over all but the
 * equivalent ones, 0..1 (1 when there is nothing to score).  Uncovered
 * mutants count as survivors.  `function` restricts it to one function
 * (NULL: all).
 */
double mut_score(const struct mut_result *r, const char *function);

/** "killed", "timeout", "survived", "not covered", "equivalent". */
const char *mut_verdict_name(enum mut_verdict v);

#endif /* MUTANTS_H */
