/*
 * similar.h -- code similarity across a class, with the assignment's
 * own code excluded as base code (as MOSS's -b does).  Prefix sim_,
 * shared with score/simres.h, the result it fills.
 *
 * Theory of operation (Schleimer, Wilkerson and Aiken, "Winnowing: local
 * algorithms for document fingerprinting", SIGMOD 2003 -- MOSS's
 * algorithm):
 *   1. Lex.  Each student file is cut into C tokens by a lexer that
 *      follows the C standard's translation phase 3: comments, layout
 *      and preprocessing directives are dropped; every identifier
 *      becomes one token IDENT, every number NUMBER, every string or
 *      character literal STRING or CHAR; keywords and punctuators stay
 *      themselves.  Renaming variables, reformatting, and adding or
 *      changing comments therefore change nothing.
 *   2. Fingerprint.  Every run of `kgram` consecutive tokens is hashed;
 *      in every window of `window` consecutive hashes the smallest
 *      (rightmost on ties) is kept.  Any match of at least
 *      kgram + window - 1 tokens is sure to share a fingerprint, and
 *      fingerprints do not depend on where in the file a run is, so
 *      reordered functions still match.
 *   3. Base code.  Every k-gram hash of the base files (the config's
 *      stubs, plus any given) is removed from every student's
 *      fingerprints: code that came with the assignment matches nothing.
 *   4. Common code.  A fingerprint that more than `max_share` students
 *      have is an idiom of the class, not a copy, and is removed too
 *      (MOSS's -m).  This also bounds the work: a fingerprint adds at
 *      most max_share * (max_share - 1) / 2 pair counts.
 *   5. Pairs.  For each two students, `shared` is the number of
 *      distinct fingerprints both keep; pct_a and pct_b are that in
 *      percent of each one's fingerprints, and the rank is their
 *      harmonic mean, 2 * shared / (fa + fb) (Dice's coefficient).  For the
 *      best `detailed` pairs the shared fingerprints' positions are
 *      grouped into matching regions (listing lines of both sides).
 *
 * Files are only read, never run or compiled.  A student file that is
 * a symlink, resolves outside the student's folder, is not a regular
 * file or is larger than the config's max_size is not read (listed in
 * the result's `refused`).
 */
#ifndef SIMILAR_H
#define SIMILAR_H

#include <stddef.h>

#include "config/cfg.h"
#include "score/simres.h"

#define SIM_KGRAM_DEFAULT 25u     /* tokens per k-gram */
#define SIM_WINDOW_DEFAULT 8u     /* k-grams per window: matches of >= 32 tokens found */
#define SIM_MAX_SHARE_DEFAULT 10u /* MOSS's -m default */
#define SIM_DETAILED_DEFAULT 50u  /* pairs with matching regions */

struct sim_opts {
    const char *class_dir;       /* one sub-folder per student (batch.h's rule) */
    const char *const *base;     /* more base-code files besides the config's stubs */
    size_t nbase;
    unsigned kgram;              /* >= 1; SIM_KGRAM_DEFAULT */
    unsigned window;             /* >= 1; SIM_WINDOW_DEFAULT */
    unsigned max_share;          /* 0: no limit; else >= 2 */
    size_t detailed;             /* matching regions for this many best pairs */
};

/** Fills *o with the defaults for class_dir (no extra base files). */
void sim_opts_init(struct sim_opts *o, const char *class_dir);

/**
 * Compares every student of o->class_dir with every other, on the
 * config's student files (cfg->files[].path, each at most its
 * max_size), with the stubs (cfg->files[].stub) and o->base as base
 * code.  Fills *r (zeroed first; release it with sim_result_release(),
 * also after a failure).  Returns 0, or -1 with err[errlen]: the class
 * folder or a base file cannot be read, bad options, out of memory.
 * A student without any student file is listed in r->missing, not an
 * error.
 */
int sim_run(const struct grader_cfg *cfg, const struct sim_opts *o, struct sim_result *r,
            char *err, size_t errlen);

/**
 * The lexer of step 1, for tests: the normalised token codes of text
 * (len bytes) into *codes (malloc'd; caller frees) and their 1-based
 * lines into *lines (malloc'd, or not when lines is NULL), their number
 * into *n.  Returns 0, or -1 when memory runs out (nothing to free).
 */
int sim_lex(const char *text, size_t len, unsigned **codes, unsigned **lines, size_t *n);

#endif /* SIMILAR_H */
