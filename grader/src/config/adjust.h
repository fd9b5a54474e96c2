/*
 * adjust.h -- the instructor's adjustments file (YAML): per student,
 * points added or removed, a test's score set by hand after review, and
 * an extension of the due date.  Prefix adj_.
 *
 *   students:
 *     alice:
 *       extension:                        # this student's deadlines
 *         due: 2026-12-18T23:59:00-05:00  # required; replaces late_policy.due
 *         late_due: 2026-12-20T23:59:00-05:00   # optional; else the config's
 *         reason: "Medical note"          # required
 *       points:                           # added to (or taken from) the score
 *         - {delta: -3, reason: "Hard-coded the expected output"}
 *       tests:                            # a test's score set by hand
 *         - {test: matmul_baseline/special, score: 2, reason: "Reviewed: correct"}
 *
 * adj_load() parses it with libyaml, with the config's rules and its
 * "file:line:column: message" errors (cfg.h, struct cfg_error); tests
 * named in it are checked against the config.  res_apply_adjustments()
 * (score/result.h) applies one student's entry to a result.  Nothing here
 * prints.
 */
#ifndef ADJUST_H
#define ADJUST_H

#include <stddef.h>
#include <stdint.h>

#include "config/cfg.h"

/** Points added to (delta > 0) or taken from (delta < 0) the score. */
struct adj_points {
    double delta;
    char *reason;             /* for the student: shown in every report */
};

/** A test's score set by hand after review. */
struct adj_test {
    const struct cfg_test *test;  /* borrowed from the grader_cfg */
    double score;             /* 0 .. the test's points */
    char *reason;
};

/** A due-date extension: this student's late policy uses these deadlines. */
struct adj_extension {
    bool present;
    int64_t due_ms;           /* replaces late_policy.due */
    char *due;                /* as written */
    int64_t late_due_ms;      /* with late_due != NULL: replaces late_policy.late_due */
    char *late_due;           /* as written, or NULL: the config's late_due */
    char *reason;
};

/** One student's entry. */
struct adj_student {
    char *name;               /* the submission folder's name */
    struct adj_points *points;
    size_t npoints;
    struct adj_test *tests;   /* at most one per config test */
    size_t ntests;
    struct adj_extension extension;
};

/** The whole file; every string and array is owned by it. */
struct adj_file {
    char *path;
    struct adj_student *students;   /* in file order, names unique */
    size_t nstudents;
};

/**
 * Loads the adjustments file `path` for the config `cfg` (test ids must
 * be the config's; an extension needs the config's late_policy, and its
 * due must not be after its late_due) into *f.  Returns 0, or -1 with
 * *err filled ("file:line:column: message"); *f is then empty.  Release
 * with adj_release() either way.  `cfg` must outlive *f.
 */
int adj_load(const char *path, const struct grader_cfg *cfg, struct adj_file *f,
             struct cfg_error *err);

/** Frees everything of *f (not f itself) and zeroes it.  Safe twice. */
void adj_release(struct adj_file *f);

/** The entry of `student`, or NULL (also for f == NULL). */
const struct adj_student *adj_find(const struct adj_file *f, const char *student);

/**
 * The late policy for one student: *base, with the extension's
 * deadlines when `a` has one.  The strings are borrowed from base and a.
 */
struct cfg_late adj_late_policy(const struct cfg_late *base, const struct adj_student *a);

#endif /* ADJUST_H */
