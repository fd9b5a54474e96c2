/*
 * grade.h -- grade one submission end to end.  Prefix grade_.
 *
 *   copy the student files -> compile and link (sandboxed) -> symbol
 *   policy -> run every graded unit (sandboxed) -> performance tests
 *   (perf.h: a second build, measured under valgrind) -> score ->
 *   coverage -> write the reports
 *
 * A bad submission (missing file, compile error, forbidden symbol) is a
 * result, not an error: it is graded RES_UNGRADABLE with a reason, and
 * grade_submission() returns 0.  It returns -1 only when the grader
 * itself cannot go on (no sandbox, disk full, out of memory), or when
 * env->cancel was set: an interrupted grading writes no results.
 *
 * Always a result.  The optional stages degrade instead of failing: when
 * coverage (gcov, genhtml), the HTML reports or the performance stage
 * (e.g. valgrind missing: its tests then score 0, "not measured") fail,
 * the grading goes on, every report is written, and res->degraded says
 * what was skipped (the reports' "Grading notes", results.json
 * extra_data.degraded).  When the grader itself fails, OUT/results.json
 * still says so (grade_write_failure()).
 */
#ifndef GRADE_H
#define GRADE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "compile/build.h"
#include "config/cfg.h"
#include "score/outcomes.h"
#include "score/result.h"

/** What every submission of one grader run shares; read-only while grading. */
struct grade_env {
    const struct grader_cfg *cfg;
    const struct bld_trusted *trusted; /* compiled once by the caller */
    const char *work_root;             /* the scratch root (scratch.h): each grading's
                                          folder is made in it */
    int use_bwrap;                     /* an enum sbx_level (sbx.h) */
    const char *sandbox;               /* the level for the reports, e.g. "fallback
                                          (landlock, seccomp)" (sbx_level_describe()) */
    bool keep_scratch;                 /* leave scratch folders for debugging */
    unsigned unit_jobs;                /* graded units run at once (1 in a batch) */
    bool isolate_units;                /* --isolate-units: every unit's first run in a
                                          sandbox of its own, not a shared one
                                          (trun_group()): slower, same results */
    bool skip_performance;             /* --no-performance: perf tests score 0, not run */
    const char *student_email;         /* the student's e-mail for the reports
                                          (res_users_load()), or NULL */
    const char *submitted_at;          /* the submission time for the late policy
                                          (ISO 8601: --submitted-at, --metadata), or
                                          NULL: the submission folder's
                                          submission_metadata.json, else its
                                          submitted_at file (res_time_in_folder()) */
    const char *metadata;              /* Gradescope's submission_metadata.json (grade
                                          --metadata), or NULL: the submission
                                          folder's; read for grading.max_per_day */
    const struct adj_file *adjust;     /* the instructor's adjustments (adjust.h), or
                                          NULL: applied after the late policy
                                          (res_apply_adjustments()) */
    const volatile sig_atomic_t *cancel; /* set by SIGINT/SIGTERM: kill the running
                                          sandboxes, write nothing, return -1 */
    struct sbx_probe *probe;           /* bwrap's features, probed once for every
                                          sandbox run (sbx_opts.probe); may be NULL */
};

/**
 * Per-worker settings: each worker gets its own sandbox uid, since
 * RLIMIT_NPROC counts per uid and one submission's fork bomb must not
 * change another's results.  With unit_jobs > 1, unit runner k of the
 * worker uses uid + k * GRADE_UID_STRIDE, all sharing gid, and the
 * scratch folder is group-writable (umask 002) so they share it.
 */
struct grade_slot {
    uid_t uid;
    gid_t gid;
};

#define GRADE_UID_STRIDE 256u
#define GRADE_MAX_UNIT_JOBS 8u

/**
 * Grades the submission in `submission_dir` as `student` and writes into
 * `out_dir` (created): results.json, junit.xml, report.txt, report.md and
 * report.html (for the student), report-instructor.txt and
 * report-instructor.html, build.log, gradebook-row.csv, outcomes.json
 * (outcomes.h: what `rescore` scores again from) and,
 * with coverage on, coverage/lcov.info and coverage/html/.  Fills *res
 * (initialised here; the caller releases it).  results.json is written
 * last, so its presence marks a finished grading.  With a late policy in
 * the config, the score is after its penalty (res_apply_late()); a
 * submission time file in the folder that cannot be read or parsed is a
 * grader failure (-1), so a bad export is never silently unpenalised.
 * On -1 (but for env->cancel), out_dir holds the failure's results.json
 * (grade_write_failure()) and perhaps some other reports: not a finished
 * grading; a batch discards the folder.
 */
int grade_submission(const struct grade_env *env, const struct grade_slot *slot,
                     const char *submission_dir, const char *student,
                     const char *out_dir, struct res_submission *res,
                     char *err, size_t errlen);

/** What outcomes.json (outcomes.h) holds besides the result. */
struct grade_outcomes {
    const struct outc_print *print;   /* the fingerprint of the config graded with */
    const struct adj_student *adjust; /* the adjustments entry applied, or NULL */
    double rate_score;                /* a rate-limited submission: the score it kept */
    bool unchanged;                   /* grade_write_reports(): out_dir's outcomes.json
                                         holds these already: not written again */
};

/**
 * Writes every per-submission file but coverage/ into out_dir (which
 * exists) from a scored result (res_score(), res_apply_late(),
 * res_apply_adjustments() done), with the same writers and in the same
 * order as grade_submission(): results.json last.  For `grader rescore`
 * (scale/rescore.h): res->phases are kept as they are (results.json's
 * execution_time is the grading's), the build logs must already be the
 * split ones (build_log for students, build_log_full), the HTML reports
 * are made again (an earlier "html" grading note is dropped first) and
 * link coverage/html/index.html when it is there.  A file whose bytes
 * are already there is left alone; the others are replaced atomically but
 * not fsync'd (fs_write_replace()): the caller syncs the file system once
 * when done.  Returns 0, or -1 with
 * err[errlen] (a file could not be written, out of memory).
 */
int grade_write_reports(const struct grader_cfg *cfg, struct res_submission *res,
                        const struct grade_outcomes *oc, const char *out_dir,
                        char *err, size_t errlen);

/** results.json's "output" when the grader failed: for the student. */
extern const char grade_failed_output[];

/**
 * Writes out_dir/results.json (out_dir created) for a grading the grader
 * could not finish: score 0, no tests, "output" grade_failed_output, and
 * extra_data {student, grader_status "grader_failed", reason} with
 * `reason` for the staff.  grade_submission() calls it on its failures;
 * main calls it when grading cannot start (the sandbox, the trusted
 * build).  Returns 0, or -1 with errno.
 */
int grade_write_failure(const char *out_dir, const char *student, const char *reason);

/** The files written per submission, in writing order (results.json last). */
extern const char *const grade_output_files[];

#endif /* GRADE_H */
