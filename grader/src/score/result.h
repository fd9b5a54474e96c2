/*
 * result.h -- the outcome of grading one submission, as plain data.
 * Prefix res_.
 *
 * The pipeline fills a res_submission; the scorer computes the points;
 * only the report writers (report.h) turn it into text.  Every string is
 * malloc'd and owned by the struct that holds it; res_submission_release()
 * frees them all.  cfg pointers are borrowed from the grader_cfg, which
 * must outlive the result.
 */
#ifndef RESULT_H
#define RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/adjust.h"
#include "config/cfg.h"

enum res_test_status {
    RES_PASSED,   /* every check of the unit passed */
    RES_FAILED,   /* some check failed (an assertion, or Check saw a crash of one check) */
    RES_ERROR,    /* the unit could not finish: timeout, limit, crash of the runner */
    RES_NOT_RUN,  /* the submission was ungradable (build or policy failure) */
};

/** One Check test inside a graded unit. */
struct res_check {
    char *name;           /* "test_small_2x2" */
    bool passed;
    char *message;        /* Check's message ("Passed", or what differs) */
    char *where;          /* "test_matmul_baseline.c:42", or NULL */
    bool waited;          /* timed out waiting on itself: every thread asleep on a
                             futex or a timer, its CPU time still (the runner's
                             "waiting" location, crashloc.h) */
};

/** The threads metric's cap: the workers may execute at most this many times
 *  the reference's instructions (run/perf.h scores it; reports quote it). */
#define RES_PERF_WORK_MAX 1.5

/**
 * What a performance test measured (see perf.h).  Everything but
 * `timing` is deterministic: grading the same submission twice gives the
 * same values.
 */
struct res_perf {
    bool present;                 /* a performance test that was measured */
    enum cfg_metric metric;
    double value;                 /* the student's count (threads: worker threads) */
    double reference;             /* the reference's count (threads: threads expected) */
    double ratio;                 /* value / reference (threads: the workers' instructions
                                     over the work moved off the calling thread) */
    double balance;               /* threads: least / most instructions of a worker */
    double fraction;              /* of the points earned, 0..1 */
    char timing[160];             /* wall-clock information, never graded and different
                                     on every run: text reports only; "" if none */
};

/** One graded unit (a config test, "suite/case"). */
struct res_test {
    const struct cfg_test *cfg;   /* borrowed */
    enum res_test_status status;
    double score, max_score;
    unsigned passed, total;       /* checks passed / run */
    struct res_check *checks;
    size_t nchecks;
    char *message;                /* one line: "2 of 3 checks failed", "timed out after 5.0 s" */
    char *output;                 /* the unit's stdout+stderr, trimmed by the sandbox; or NULL */
    char *notes;                  /* feedback beside the checks, e.g. leaked tensors
                                     ("test_x: 1 tensor(s) ... never freed" lines); or NULL */
    unsigned leaks;               /* leak notes: tests that left blocks or tensors alive;
                                     > 0 costs cfg->leak_deduct of the points */
    char *threaded;               /* the tests that started threads, one name a line
                                     (the harness's "tc-threads" notes), or NULL:
                                     these get a TSan run (units.c) */
    char *races;                  /* data races ThreadSanitizer found in the student's
                                     files (tsan.h, one per line), or NULL; the unit then
                                     scores 0 */
    unsigned runs;                /* runs merged into this result (cfg->repeat) */
    unsigned failed_runs;         /* of those, runs that did not pass */
    uint64_t wall_ms, cpu_ms;     /* summed over the runs */
    struct res_perf perf;         /* kind performance; present false otherwise */
};

struct res_coverage {
    bool present;
    unsigned lines_hit, lines_total;
    unsigned functions_hit, functions_total;
    unsigned branches_hit, branches_total;
};

/** Wall-clock time of each phase, in milliseconds. */
struct res_phases {
    uint64_t prepare_ms;   /* copy student files, trusted objects from cache */
    uint64_t compile_ms;   /* student compile + link */
    uint64_t policy_ms;    /* symbol and section checks */
    uint64_t run_ms;       /* all test runs */
    uint64_t perf_ms;      /* performance build and measurements */
    uint64_t coverage_ms;  /* gcov/lcov/genhtml */
    uint64_t report_ms;    /* writing the outputs */
    uint64_t total_ms;
    uint64_t test_runs;    /* sandbox runs of the test programs: a shared run
                              (testrun.h, trun_group()) counts once */
};

enum res_status {
    RES_GRADED,      /* tests ran (whatever the score) */
    RES_UNGRADABLE,  /* missing/bad file, compile or link error, policy violation */
};

/** How the late policy (cfg_late, cfg.h) applied to a submission. */
enum res_late_status {
    RES_LATE_NONE,       /* no late policy: nothing applied (the zero value) */
    RES_LATE_UNKNOWN,    /* a policy, but no known submission time: not penalised */
    RES_LATE_ON_TIME,    /* submitted by due + grace */
    RES_LATE_LATE,       /* after due + grace: penalised per started day */
    RES_LATE_CLOSED,     /* after late_due + grace: the score is 0 */
};

struct res_late {
    enum res_late_status status;
    char *due;                /* this student's due date when an extension moved it
                                 (res_apply_adjustments()), else NULL: the config's */
    char *submitted_at;       /* the submission time as given (ISO 8601), or NULL */
    int64_t submitted_ms;     /* the same in ms since the epoch (cfg_parse_time) */
    unsigned days;            /* started days late after the grace (late, closed) */
    double penalty;           /* fraction of the earned score taken, 0..1 */
    double score_before;      /* what the tests earned */
    double points_lost;       /* score_before - the final score */
};

/** A manual adjustment of the instructor's file (adjust.h), for the reports. */
struct res_adjustment {
    const struct cfg_test *test;  /* a test's score set by hand (borrowed), or NULL:
                                     points added or removed */
    double points;            /* test: the score set; else the delta */
    double before;            /* test: the score the tests gave; else the score
                                 before this delta */
    char *reason;             /* for the student */
};

/** An optional stage the grader could not complete and went on without. */
struct res_degraded {
    char *stage;              /* "coverage", "html", "performance" */
    char *message;            /* for everyone: what is missing and what it costs */
    char *detail;             /* for the staff: the tool's own error, or NULL */
};

struct res_submission {
    char *student;            /* the submission folder's name, or the names of
                                 Gradescope's users[] (grade --metadata) */
    char *email;              /* their e-mail addresses (res_users_load()), or NULL */
    enum res_status status;
    char *reason;             /* RES_UNGRADABLE: why, for the student; else NULL */
    char *build_log;          /* compiler and policy diagnostics as a student may
                                 see them (buildlog.h), or NULL */
    char *build_log_full;     /* the same, unfiltered: for the instructor, or NULL */
    struct res_test *tests;   /* one per cfg test, in config order */
    size_t ntests;
    double score, max_score;  /* score: after the late penalty (res_apply_late()) */
    struct res_coverage coverage;
    struct res_phases phases;
    struct res_late late;
    struct res_degraded *degraded; /* stages skipped after a failure (grade.h) */
    size_t ndegraded;
    char *sandbox;            /* the sandbox the tests ran in: "bwrap", "fallback
                                 (landlock, seccomp)", "none"; or NULL */
    struct res_adjustment *adjustments; /* tests set by hand, then points, in the
                                 file's order (res_apply_adjustments()) */
    size_t nadjustments;
    char *extension_reason;   /* an extension moved late.due: why; else NULL */
    bool rate_limited;        /* over grading.max_per_day: not graded, the score is
                                 the last submission's (score/ratelimit.h) */
};

/** Zeroes *s. */
void res_submission_init(struct res_submission *s);

/** Frees every string and array of *t (not t itself) and zeroes it.  Safe twice. */
void res_test_release(struct res_test *t);

/**
 * Whether the unit ran out of time: it died at the sandbox's wall-clock or
 * CPU limit, or Check stopped one of its checks at its timeout ("Test
 * timeout expired").  A hang is a verdict already: graders need not run
 * such a unit again.
 */
bool res_test_timed_out(const struct res_test *t);

/**
 * Whether a unit that ran out of time (res_test_timed_out()) hardly ran
 * meanwhile: its processes used less CPU time than half its wall-clock
 * time.  A hang that spins is the code's; one that waits may also be the
 * machine's: a host or a disk that stalled the sandbox for seconds.  Such
 * a timeout is a verdict only once a second run confirms it
 * (res_test_confirm()) -- unless every check that timed out was seen
 * waiting on itself (res_check.waited: a deadlock or a sleep, which no
 * stall explains) and the sandbox did not kill the unit at its limit.
 */
bool res_test_stalled(const struct res_test *t);

/**
 * Folds the second run *from of a unit whose first run *into
 * res_test_stalled(): every check that ran out of time in *into takes its
 * verdict from the same check in *from (one that ran out of time again
 * keeps the first message, which says where it hung); the other checks
 * keep theirs.  A first run the sandbox stopped at its limit is replaced
 * by *from.  So a timeout fails a check only when it happens twice, and
 * a stall of the machine costs no points.  runs, wall_ms and cpu_ms add
 * up; failed_runs is *from's (the stalled run is not counted as failed).
 * *from is consumed.  Returns 0, or -1 when memory ran out (*into is
 * then still a valid result).
 */
int res_test_confirm(struct res_test *into, struct res_test *from);

/** Frees every string and array of *s (not s itself).  Safe twice. */
void res_submission_release(struct res_submission *s);

/** "passed", "failed", "error", "not run". */
const char *res_test_status_name(enum res_test_status st);

/**
 * Computes every test's score from passed/total (all-or-nothing unless the
 * config test is partial) and the totals.  A test's score is
 * points * passed / total when partial, else points or 0; a measured
 * performance test's is points * perf.fraction; RES_ERROR and
 * RES_NOT_RUN score 0, and so does a test with races.  A check test with
 * leaks keeps (1 - cfg->leak_deduct) of that.  Deterministic: no floating
 * error beyond one multiplication and division per test (and one more
 * for a leak).  s->score is what the tests earned; res_apply_late() then
 * applies the late policy.
 */
void res_score(struct res_submission *s);

/**
 * Folds another run of the same unit into *into (repeat: cfg.h): a check
 * passes only if it passed in every run, so a check that passes only
 * sometimes is failed, whatever the order of the runs.  A run that
 * errored makes the unit RES_ERROR, with the first such run's message and
 * output; otherwise passed/total are recounted over the merged checks,
 * the message is rewritten, and the first failing run's output is kept.
 * Notes and leaks are the first run's that has any.  runs, failed_runs,
 * wall_ms and cpu_ms add up.  *from is consumed (released and zeroed).
 * Returns 0, or -1 when memory ran out (*into is then still a valid
 * result).
 */
int res_test_merge(struct res_test *into, struct res_test *from);

/**
 * Records the data races ThreadSanitizer found (`races`, tsan_races()'s
 * text, consumed): the unit becomes RES_FAILED and its message says why
 * and where.  Returns 0, or -1 when memory ran out.
 */
int res_test_add_races(struct res_test *t, char *races);

/**
 * Records when the submission was made: `iso` (cfg_parse_time()'s
 * syntax) is parsed and copied into s->late.  Returns 0, or -1 if it is
 * not a valid time or memory runs out (s unchanged).
 */
int res_set_submitted_at(struct res_submission *s, const char *iso);

/**
 * Applies the late policy (cfg.h, struct cfg_late) to the score the
 * tests earned (call after res_score(); calling it again gives the same
 * result) and fills s->late:
 *
 *   no policy (NULL or not enabled)   RES_LATE_NONE, score unchanged
 *   no res_set_submitted_at()         RES_LATE_UNKNOWN, score unchanged
 *   t <= due + grace                  RES_LATE_ON_TIME, score unchanged
 *   t >  late_due + grace             RES_LATE_CLOSED, score 0
 *   otherwise                         RES_LATE_LATE: days = ceil((t - due -
 *                                     grace) / 24 h), penalty = min(max_penalty,
 *                                     days x per_day) percent
 *
 * The final score is earned x (100 - penalty%) / 100, one multiplication
 * and one division; points_lost is the difference.
 */
void res_apply_late(struct res_submission *s, const struct cfg_late *late);

/**
 * Applies one student's adjustments (adjust.h; `a` may be NULL: none) after
 * res_score() and res_apply_late(), replacing what an earlier call applied:
 * each test score set by hand replaces the test's score; the late policy
 * is applied again with the student's deadlines (adj_late_policy(): an
 * extension moves due and late_due); then each points delta is added to
 * the final score, which is never below 0 (a delta is not late-penalised:
 * it is the instructor's last word; it may take the score above
 * max_score, as extra credit).  Every step is recorded in
 * s->adjustments for the reports.  Returns 0, or -1 when memory ran out
 * (the scores are then as without adjustments).
 */
int res_apply_adjustments(struct res_submission *s, const struct adj_student *a,
                          const struct cfg_late *late);

/** "none", "unknown", "on_time", "late", "after_late_due". */
const char *res_late_status_name(enum res_late_status st);

/** Where a submission time is read from (res_time_load()). */
enum res_time_file {
    RES_TIME_METADATA,   /* Gradescope's submission_metadata.json: "created_at" */
    RES_TIME_LINE,       /* a text file holding one ISO 8601 line */
};

/* The names res_time_in_folder() looks for, in this order. */
#define RES_METADATA_FILE "submission_metadata.json"
#define RES_SUBMITTED_AT_FILE "submitted_at"

/**
 * Reads a submission time from the file `path` (a regular file of at
 * most 1 MiB; a symbolic link is refused unless `follow`) and checks it
 * with cfg_parse_time().  Returns 0 with *iso malloc'd (the caller
 * frees it), 1 if the file does not exist, or -1 with err[errlen] if it
 * cannot be read or holds no valid time.
 */
int res_time_load(const char *path, enum res_time_file kind, bool follow, char **iso,
                  char *err, size_t errlen);

/**
 * The submission time a submission folder records: its
 * submission_metadata.json, else its submitted_at file (symbolic links
 * refused).  Returns as res_time_load(): 0 (*iso set), 1 (neither file
 * exists) or -1.
 */
int res_time_in_folder(const char *dir, char **iso, char *err, size_t errlen);

/**
 * The submitters Gradescope's submission_metadata.json (`path`) names:
 * users[]'s "name"s and "email"s, each list joined with ", " (a group
 * submission has several users), malloc'd into *names and *emails, each
 * NULL when no user has that field.  Returns 0, 1 if the file does not
 * exist, or -1 with err[errlen] (unreadable, not JSON).
 */
int res_users_load(const char *path, char **names, char **emails, char *err, size_t errlen);

/** Whether students may see this test's name, messages and output now. */
bool res_student_visible(const struct cfg_test *t);

/**
 * One line of a class summary, read back from a finished results.json
 * (so students graded by an earlier, interrupted run count too).
 */
struct res_row {
    char *student;            /* malloc'd */
    bool graded;              /* false: ungradable */
    double score, max_score;
    bool has_coverage;
    double line_pct, branch_pct;
};

/** The largest results.json res_json_load() reads. */
#define RES_JSON_MAX (64u << 20)

struct json_t;

/**
 * Parses the JSON file `path` (at most RES_JSON_MAX bytes) with jansson,
 * read whole first (json_load_file() reads a character at a time).
 * Returns the document (the caller json_decref()s it), or NULL if the
 * file cannot be read or is not JSON.
 */
struct json_t *res_json_load(const char *path);

/**
 * Reads `results_json` (written by report_json()) into *row.  Returns 0,
 * or -1 if the file is missing or not what report_json() writes.
 * Release with res_row_release().
 */
int res_row_load(const char *results_json, struct res_row *row);

/** res_row_load() from a parsed results.json (res_json_load(); not consumed). */
int res_row_from_json(struct json_t *doc, struct res_row *row);

void res_row_release(struct res_row *row);

#endif /* RESULT_H */
