/*
 * mutres.h -- the result data of a mutation analysis: what
 * grade/mutants.h (mut_run) fills and report/mutreport.h reads.
 * Prefix mut_, shared with mutants.h, which produces it.
 *
 * It lives in score/ so that the reports read only result data, never
 * the stage that computes it.
 */
#ifndef MUTRES_H
#define MUTRES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"

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

#endif /* MUTRES_H */
