/*
 * outcomes.h -- a grading's per-check outcomes as a machine-readable file
 * (outcomes.json beside results.json), so that `grader rescore` can
 * recompute every score and report after a change of points, visibility,
 * late policy or categories without compiling or running anything.
 * Prefix outc_.
 *
 * What is stored is what the pipeline measured, before any scoring:
 * per test its status, checks (name, passed, message, where), message,
 * output, notes, leaks, races, runs, times and the performance
 * measurement; per submission the student, e-mail, status, reason, both
 * build logs, coverage figures, phase times, the submission time,
 * degraded stages, sandbox, the rate limit, and the adjustments entry the
 * grading applied (adjust.h).  Loading it gives back a res_submission
 * (result.h) that res_score(), res_apply_late() and
 * res_apply_adjustments() score exactly as the grading did.
 *
 * The fingerprint.  Beside the outcomes, the file holds SHA-256 hashes
 * (nettle) of the config's regrade-relevant parts: how every test runs
 * (its id, kind, limits, repeat, ThreadSanitizer, leak deduction (its
 * notes quote it), measurement and thresholds, per test), the student files, the build, the symbol
 * policy, the default limits, coverage, the performance build, grading
 * (seed, rate limit), thread_sanitizer, the io build, and the contents of the trusted
 * sources (build, performance, ThreadSanitizer and io sources, the headers of
 * the include folders, the reference solutions).  Points, names,
 * visibility, categories, tags, partial, the late policy,
 * the leaderboard and the assignment's title are not in it: rescore
 * recomputes those.  Paths are hashed relative to the config's folder, so
 * a copy of the config beside the original has the same fingerprint.
 *
 * Nothing here prints.
 */
#ifndef OUTCOMES_H
#define OUTCOMES_H

#include <stdbool.h>
#include <stddef.h>

#include "config/adjust.h"
#include "config/cfg.h"
#include "score/result.h"

#define OUTC_FILE "outcomes.json"
#define OUTC_FORMAT 1          /* the file's "format"; another is refused */
#define OUTC_HASH_HEX 65       /* 64 hex digits and the NUL */

/** The regrade-relevant sections of the config, in the file's order. */
enum outc_section {
    OUTC_FILES, OUTC_BUILD, OUTC_SYMBOLS, OUTC_LIMITS, OUTC_COVERAGE,
    OUTC_PERFORMANCE, OUTC_GRADING, OUTC_TSAN, OUTC_SOURCES, OUTC_IO,
    OUTC_NSECTIONS,
};

/** One test's part of the fingerprint. */
struct outc_test_print {
    char *id;                        /* malloc'd */
    char limits[OUTC_HASH_HEX];      /* its resolved limits */
    char run[OUTC_HASH_HEX];         /* kind, repeat, tsan, leak_deduct, measurement,
                                        thresholds; an io
                                        test's arguments, stdin, files, environment and
                                        expectations (the files' bytes) */
};

/** The fingerprint of a config (see above). */
struct outc_print {
    char sections[OUTC_NSECTIONS][OUTC_HASH_HEX];
    struct outc_test_print *tests;   /* in config order */
    size_t ntests;
};

/**
 * The fingerprint of `cfg` into *p (zeroed first).  Returns 0, or -1 with
 * err[errlen] (a trusted source cannot be read, out of memory).  Release
 * with outc_print_release() either way.
 */
int outc_print_init(struct outc_print *p, const struct grader_cfg *cfg, char *err,
                    size_t errlen);

void outc_print_release(struct outc_print *p);

/**
 * What differs between the fingerprint a grading stored (`was`) and the
 * current config's (`now`), as one line into buf[n]: "tests added: a/b;
 * tests removed: c/d; limits changed: e/f; how tests run changed: g/h;
 * config sections changed: build, sources" (a renamed test is both added
 * and removed; the sections in enum order, named by outc_section_name()).  Returns true when they differ (buf filled), false
 * when they are the same (buf empty).
 */
bool outc_print_diff(const struct outc_print *was, const struct outc_print *now, char *buf,
                     size_t n);

/** "files", "build", "symbols", "limits", "coverage", "performance", "grading",
 *  "thread_sanitizer", "sources", "io". */
const char *outc_section_name(enum outc_section s);

/**
 * The outcomes file's text for the graded result `s` (scores are not
 * stored: they are recomputed), the fingerprint `p` of the config it was
 * graded with, the adjustments entry `a` the grading applied (or NULL)
 * and, for a rate-limited submission, the score it kept.  JSON (jansson),
 * keys in a fixed order, doubles exact: the same result gives the same
 * bytes.  Returns a malloc'd string, or NULL when memory runs out.
 */
char *outc_dump(const struct res_submission *s, const struct outc_print *p,
                const struct adj_student *a, double rate_score);

/** A loaded outcomes file. */
struct outc_record {
    struct res_submission res;  /* the outcomes, tests in the config's order and
                                   pointing at its cfg_tests; not scored yet */
    struct adj_file adjust;     /* the entry the grading applied: 0 or 1 student */
    double rate_score;          /* res.rate_limited: the score it kept */
};

/**
 * Reads the outcomes file `path` for the config `cfg`, whose fingerprint
 * is `now`, into *rec (initialised here).  Returns 0; 1 when the file's
 * fingerprint differs from `now` (err[errlen] says what changed, as
 * outc_print_diff(): the submission needs a regrade); or -1 with
 * err[errlen] (missing, unreadable, not an outcomes file of this format).
 * Release *rec with outc_record_release() in every case.  `cfg` must
 * outlive *rec.
 */
int outc_load(const char *path, const struct grader_cfg *cfg, const struct outc_print *now,
              struct outc_record *rec, char *err, size_t errlen);

void outc_record_release(struct outc_record *rec);

#endif /* OUTCOMES_H */
