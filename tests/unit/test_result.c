/*
 * test_result.c -- unit tests of grader/src/score/result.c: scoring rules,
 * determinism of the totals, status names, visibility, and that
 * release frees everything (ASan) and is safe twice.
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "score/result.h"
#include "suites.h"

/* A config test built by hand (no YAML). */
static struct cfg_test mk_cfg(const char *id, double points, bool partial,
                              enum cfg_visibility vis)
{
    struct cfg_test c;
    memset(&c, 0, sizeof c);
    c.id = (char *)id;
    c.name = (char *)id;
    c.points = points;
    c.partial = partial;
    c.visibility = vis;
    return c;
}

static struct res_test mk_test(const struct cfg_test *c, enum res_test_status st,
                               unsigned passed, unsigned total)
{
    struct res_test t;
    memset(&t, 0, sizeof t);
    t.cfg = c;
    t.status = st;
    t.passed = passed;
    t.total = total;
    return t;
}

/* A submission owning a malloc'd copy of tests[0..n). */
static void mk_sub(struct res_submission *s, const struct res_test *tests, size_t n)
{
    res_submission_init(s);
    s->tests = calloc(n, sizeof *s->tests);
    ck_assert_ptr_nonnull(s->tests);
    memcpy(s->tests, tests, n * sizeof *tests);
    s->ntests = n;
}

START_TEST(test_init_zeroes)
{
    struct res_submission s;
    memset(&s, 0xAB, sizeof s);
    res_submission_init(&s);
    ck_assert_ptr_null(s.student);
    ck_assert_ptr_null(s.tests);
    ck_assert_uint_eq(s.ntests, 0);
    ck_assert(s.status == RES_GRADED);
    ck_assert(!s.coverage.present);
    ck_assert(s.score == 0.0);
}
END_TEST

START_TEST(test_release_frees_all_and_twice_is_safe)
{
    struct res_submission s;
    res_submission_init(&s);
    s.student = strdup("alice");
    s.reason = strdup("did not compile");
    s.build_log = strdup("kernels.c:1: error");
    s.ntests = 2;
    s.tests = calloc(2, sizeof *s.tests);
    s.tests[0].message = strdup("1 of 2 checks failed");
    s.tests[0].output = strdup("out");
    s.tests[0].nchecks = 2;
    s.tests[0].checks = calloc(2, sizeof *s.tests[0].checks);
    s.tests[0].checks[0].name = strdup("a");
    s.tests[0].checks[0].message = strdup("Passed");
    s.tests[0].checks[1].name = strdup("b");
    s.tests[0].checks[1].message = strdup("expected 1");
    s.tests[0].checks[1].where = strdup("t.c:3");
    res_submission_release(&s);   /* ASan reports any leak */
    ck_assert_ptr_null(s.tests);
    ck_assert_uint_eq(s.ntests, 0);
    res_submission_release(&s);
}
END_TEST

START_TEST(test_status_names)
{
    ck_assert_str_eq(res_test_status_name(RES_PASSED), "passed");
    ck_assert_str_eq(res_test_status_name(RES_FAILED), "failed");
    ck_assert_str_eq(res_test_status_name(RES_ERROR), "error");
    ck_assert_str_eq(res_test_status_name(RES_NOT_RUN), "not run");
}
END_TEST

START_TEST(test_visible_only_when_visible)
{
    struct cfg_test c = mk_cfg("s/c", 1, true, CFG_VIS_VISIBLE);
    ck_assert(res_student_visible(&c));
    c.visibility = CFG_VIS_HIDDEN;
    ck_assert(!res_student_visible(&c));
    c.visibility = CFG_VIS_AFTER_DUE_DATE;
    ck_assert(!res_student_visible(&c));
    c.visibility = CFG_VIS_AFTER_PUBLISHED;
    ck_assert(!res_student_visible(&c));
    ck_assert(!res_student_visible(NULL));
}
END_TEST

START_TEST(test_score_rules)
{
    struct cfg_test part = mk_cfg("a/partial", 6, true, CFG_VIS_VISIBLE);
    struct cfg_test whole = mk_cfg("a/whole", 4, false, CFG_VIS_VISIBLE);
    struct res_test tests[] = {
        mk_test(&part, RES_PASSED, 3, 3),    /* 6 */
        mk_test(&part, RES_FAILED, 1, 3),    /* 2 */
        mk_test(&whole, RES_PASSED, 2, 2),   /* 4 */
        mk_test(&whole, RES_FAILED, 1, 2),   /* 0: all or nothing */
        mk_test(&part, RES_ERROR, 2, 3),     /* 0 */
        mk_test(&part, RES_NOT_RUN, 0, 0),   /* 0 */
        mk_test(&part, RES_FAILED, 0, 0),    /* 0, no division by zero */
    };
    struct res_submission s;
    mk_sub(&s, tests, sizeof tests / sizeof tests[0]);
    res_score(&s);
    const double want[] = { 6, 2, 4, 0, 0, 0, 0 };
    const double maxs[] = { 6, 6, 4, 4, 6, 6, 6 };
    for (size_t i = 0; i < s.ntests; i++) {
        ck_assert_double_eq_tol(s.tests[i].score, want[i], 1e-12);
        ck_assert(s.tests[i].max_score == maxs[i]);
    }
    ck_assert_double_eq_tol(s.score, 12, 1e-12);
    ck_assert(s.max_score == 38);
    res_submission_release(&s);
}
END_TEST

START_TEST(test_score_exact_and_deterministic)
{
    /* 0.1 * 3 / 3 is not 0.1 in binary: a full pass must be exactly points. */
    struct cfg_test c = mk_cfg("a/b", 0.1, true, CFG_VIS_VISIBLE);
    struct res_test tests[] = {
        mk_test(&c, RES_PASSED, 3, 3),
        mk_test(&c, RES_FAILED, 2, 3),
        mk_test(&c, RES_FAILED, 1, 7),
    };
    struct res_submission s1, s2;
    mk_sub(&s1, tests, 3);
    mk_sub(&s2, tests, 3);
    res_score(&s1);
    res_score(&s2);
    ck_assert(s1.tests[0].score == 0.1);
    ck_assert(s1.tests[1].score == 0.1 * 2.0 / 3.0);
    ck_assert(s1.tests[2].score == 0.1 * 1.0 / 7.0);
    ck_assert(memcmp(&s1.score, &s2.score, sizeof s1.score) == 0);
    ck_assert(s1.score == (0.1 + 0.1 * 2.0 / 3.0) + 0.1 * 1.0 / 7.0);
    /* Scoring twice changes nothing. */
    double first = s1.score;
    res_score(&s1);
    ck_assert(s1.score == first);
    res_submission_release(&s1);
    res_submission_release(&s2);
}
END_TEST

START_TEST(test_score_empty)
{
    struct res_submission s;
    res_submission_init(&s);
    res_score(&s);
    ck_assert(s.score == 0 && s.max_score == 0);
    res_submission_release(&s);
}
END_TEST

/* ---- the late policy --------------------------------------------------------- */

#define DUE_MS 1797397140000ll     /* 2026-12-15T23:59:00-05:00 */
#define DAY_MS 86400000ll
#define GRACE_MS (15 * 60000ll)

/* due, 15 minutes of grace, 10% a day, at most 30%; no late due date. */
static struct cfg_late mk_late(void)
{
    struct cfg_late l;
    memset(&l, 0, sizeof l);
    l.enabled = true;
    l.due_ms = DUE_MS;
    l.due = (char *)"2026-12-15T23:59:00-05:00";
    l.grace_ms = (uint64_t)GRACE_MS;
    l.per_day_pct = 10;
    l.max_penalty_pct = 30;
    return l;
}

/* One passed 54-point test, submitted `after_due` ms after the due date. */
static void late_sub(struct res_submission *s, const struct cfg_test *c, int64_t after_due)
{
    struct res_test t = mk_test(c, RES_PASSED, 1, 1);
    mk_sub(s, &t, 1);
    res_score(s);
    s->late.submitted_at = strdup("(set by the test)");
    s->late.submitted_ms = DUE_MS + after_due;
}

struct late_case {
    int64_t after_due;            /* ms after the due date */
    bool cutoff;                  /* late_due = due + 3 days */
    enum res_late_status status;
    unsigned days;
    double penalty_pct, score;
};

static const struct late_case late_cases[] = {
    {-DAY_MS, false, RES_LATE_ON_TIME, 0, 0, 54},
    {0, false, RES_LATE_ON_TIME, 0, 0, 54},
    {GRACE_MS, false, RES_LATE_ON_TIME, 0, 0, 54},                  /* the grace's last ms */
    {GRACE_MS + 1, false, RES_LATE_LATE, 1, 10, 54.0 * 90 / 100},   /* a started day */
    {GRACE_MS + DAY_MS, false, RES_LATE_LATE, 1, 10, 54.0 * 90 / 100},
    {GRACE_MS + DAY_MS + 1, false, RES_LATE_LATE, 2, 20, 54.0 * 80 / 100},
    {GRACE_MS + 2 * DAY_MS + 1, false, RES_LATE_LATE, 3, 30, 54.0 * 70 / 100},
    {GRACE_MS + 10 * DAY_MS, false, RES_LATE_LATE, 10, 30, 54.0 * 70 / 100},   /* capped */
    {GRACE_MS + 3 * DAY_MS, true, RES_LATE_LATE, 3, 30, 54.0 * 70 / 100},      /* at late due */
    {GRACE_MS + 3 * DAY_MS + 1, true, RES_LATE_CLOSED, 4, 100, 0},             /* after it */
};

START_TEST(test_late_arithmetic)
{
    const struct late_case *lc = &late_cases[_i];
    struct cfg_test c = mk_cfg("a/b", 54, true, CFG_VIS_VISIBLE);
    struct cfg_late l = mk_late();
    if (lc->cutoff) {
        l.late_due = (char *)"2026-12-18T23:59:00-05:00";
        l.late_due_ms = DUE_MS + 3 * DAY_MS;
    }
    struct res_submission s;
    late_sub(&s, &c, lc->after_due);
    res_apply_late(&s, &l);
    ck_assert_msg(s.late.status == lc->status, "case %d: status %s", _i,
                  res_late_status_name(s.late.status));
    ck_assert_uint_eq(s.late.days, lc->days);
    ck_assert(s.late.penalty == lc->penalty_pct / 100.0);
    ck_assert_msg(s.score == lc->score, "case %d: %.17g", _i, s.score);   /* exact */
    ck_assert(s.late.score_before == 54.0);
    ck_assert(s.late.points_lost == 54.0 - lc->score);
    ck_assert(s.max_score == 54.0);
    res_apply_late(&s, &l);                /* again: the same, not twice the penalty */
    ck_assert(s.score == lc->score);
    res_submission_release(&s);
}
END_TEST

START_TEST(test_late_unknown_and_none)
{
    struct cfg_test c = mk_cfg("a/b", 54, true, CFG_VIS_VISIBLE);
    struct cfg_late l = mk_late();
    struct res_submission s;
    late_sub(&s, &c, 5 * DAY_MS);
    free(s.late.submitted_at);
    s.late.submitted_at = NULL;            /* no known time: not penalised */
    res_apply_late(&s, &l);
    ck_assert_int_eq(s.late.status, RES_LATE_UNKNOWN);
    ck_assert(s.score == 54.0 && s.late.points_lost == 0.0 && s.late.penalty == 0.0);
    ck_assert_str_eq(res_late_status_name(RES_LATE_UNKNOWN), "unknown");

    ck_assert_int_eq(res_set_submitted_at(&s, "2026-12-25T00:00:00Z"), 0);
    l.enabled = false;                     /* a config without the section */
    res_apply_late(&s, &l);
    ck_assert_int_eq(s.late.status, RES_LATE_NONE);
    ck_assert(s.score == 54.0);
    res_apply_late(&s, NULL);
    ck_assert_int_eq(s.late.status, RES_LATE_NONE);
    ck_assert_str_eq(res_late_status_name(RES_LATE_CLOSED), "after_late_due");
    res_submission_release(&s);            /* frees submitted_at (ASan) */
}
END_TEST

START_TEST(test_set_submitted_at)
{
    struct res_submission s;
    res_submission_init(&s);
    ck_assert_int_eq(res_set_submitted_at(&s, "2026-12-16T10:22:32.365935-08:00"), 0);
    ck_assert_str_eq(s.late.submitted_at, "2026-12-16T10:22:32.365935-08:00");
    ck_assert_int_eq(s.late.submitted_ms, 1797445352366);
    ck_assert_int_eq(res_set_submitted_at(&s, "yesterday"), -1);
    ck_assert_str_eq(s.late.submitted_at, "2026-12-16T10:22:32.365935-08:00");   /* kept */
    ck_assert_int_eq(res_set_submitted_at(&s, "2026-12-17T12:00:00-05:00"), 0);
    ck_assert_int_eq(s.late.submitted_ms, DUE_MS + DAY_MS + 12 * 3600000ll + 60000);
    res_submission_release(&s);
}
END_TEST

/* ---- submission time files ------------------------------------------------------ */

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* res_time_load() on dir/name: its return, and *iso compared with want. */
static int load_time(const char *dir, const char *name, enum res_time_file kind, bool follow,
                     const char *want)
{
    char path[PATH_MAX], err[512] = "", *iso = (char *)"junk";
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = res_time_load(path, kind, follow, &iso, err, sizeof err);
    if (rc == 0) {
        ck_assert_str_eq(iso, want);
        free(iso);
    } else {
        ck_assert_ptr_null(iso);
        ck_assert_msg(rc == 1 || err[0], "%s: -1 without a message", name);
    }
    return rc;
}

static void remove_dir(const char *dir, const char *const names[])
{
    char path[PATH_MAX];
    for (size_t i = 0; names[i]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    ck_assert_int_eq(rmdir(dir), 0);
}

START_TEST(test_time_files)
{
    static const char *const names[] = {
        "meta.json", "nometa.json", "notjson.json", "badtime.json", "line", "line2",
        "empty", "link", NULL,
    };
    char dir[] = "/tmp/res_time.XXXXXX", path[PATH_MAX];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    write_file(dir, "meta.json", "{\"id\": 1, \"created_at\": "
               "\"2026-12-16T10:22:32.365935-08:00\", \"assignment\": {\"due_date\": "
               "\"2026-12-15T23:59:00.000000-05:00\"}}\n");
    write_file(dir, "nometa.json", "{\"id\": 1}");
    write_file(dir, "notjson.json", "created_at: 2026-12-16T10:22:32Z\n");
    write_file(dir, "badtime.json", "{\"created_at\": \"December 16\"}");
    write_file(dir, "line", "  2026-12-17T12:00:00-05:00\r\n\n");
    write_file(dir, "line2", "2026-12-17T12:00:00-05:00\n2026-12-18T12:00:00-05:00\n");
    write_file(dir, "empty", "\n");
    snprintf(path, sizeof path, "%s/link", dir);
    ck_assert_int_eq(symlink("meta.json", path), 0);

    const char *meta = "2026-12-16T10:22:32.365935-08:00", *line = "2026-12-17T12:00:00-05:00";
    ck_assert_int_eq(load_time(dir, "meta.json", RES_TIME_METADATA, false, meta), 0);
    ck_assert_int_eq(load_time(dir, "nometa.json", RES_TIME_METADATA, false, NULL), -1);
    ck_assert_int_eq(load_time(dir, "notjson.json", RES_TIME_METADATA, false, NULL), -1);
    ck_assert_int_eq(load_time(dir, "badtime.json", RES_TIME_METADATA, false, NULL), -1);
    ck_assert_int_eq(load_time(dir, "line", RES_TIME_LINE, false, line), 0);
    ck_assert_int_eq(load_time(dir, "line2", RES_TIME_LINE, false, NULL), -1);
    ck_assert_int_eq(load_time(dir, "empty", RES_TIME_LINE, false, NULL), -1);
    ck_assert_int_eq(load_time(dir, "missing", RES_TIME_LINE, false, NULL), 1);
    ck_assert_int_eq(load_time(dir, "link", RES_TIME_METADATA, false, NULL), -1);
    ck_assert_int_eq(load_time(dir, "link", RES_TIME_METADATA, true, meta), 0);
    ck_assert_int_eq(load_time(dir, ".", RES_TIME_LINE, true, NULL), -1);   /* a folder */
    remove_dir(dir, names);
}
END_TEST

/* The folder's submission_metadata.json wins over its submitted_at; a
 * broken one is an error, not a silent fallback. */
START_TEST(test_time_in_folder)
{
    static const char *const names[] = {RES_METADATA_FILE, RES_SUBMITTED_AT_FILE, NULL};
    char dir[] = "/tmp/res_time.XXXXXX", err[512], *iso = NULL;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(res_time_in_folder(dir, &iso, err, sizeof err), 1);
    ck_assert_ptr_null(iso);

    write_file(dir, RES_SUBMITTED_AT_FILE, "2026-12-17T12:00:00-05:00\n");
    ck_assert_int_eq(res_time_in_folder(dir, &iso, err, sizeof err), 0);
    ck_assert_str_eq(iso, "2026-12-17T12:00:00-05:00");
    free(iso);

    write_file(dir, RES_METADATA_FILE, "{\"created_at\": \"2026-12-16T10:22:32-08:00\"}");
    ck_assert_int_eq(res_time_in_folder(dir, &iso, err, sizeof err), 0);
    ck_assert_str_eq(iso, "2026-12-16T10:22:32-08:00");
    free(iso);

    write_file(dir, RES_METADATA_FILE, "{\"created_at\": 1797445352}");
    ck_assert_int_eq(res_time_in_folder(dir, &iso, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "created_at"));
    ck_assert_ptr_null(iso);
    remove_dir(dir, names);
}
END_TEST

/* ---- repeated runs, races, leaks ------------------------------------------- */

/* A run of a unit with checks named c0.. passing per `pass` ('1'/'0'). */
static struct res_test mk_run(const struct cfg_test *c, const char *pass, const char *output)
{
    struct res_test t;
    memset(&t, 0, sizeof t);
    t.cfg = c;
    t.runs = 1;
    t.nchecks = strlen(pass);
    t.checks = calloc(t.nchecks, sizeof *t.checks);
    ck_assert_ptr_nonnull(t.checks);
    for (size_t i = 0; i < t.nchecks; i++) {
        char name[24];
        snprintf(name, sizeof name, "c%zu", i);
        t.checks[i].name = strdup(name);
        t.checks[i].passed = pass[i] == '1';
        t.checks[i].message = strdup(pass[i] == '1' ? "Passed" : "wrong");
        t.checks[i].where = strdup("");
        t.total++;
        t.passed += t.checks[i].passed;
    }
    t.status = t.passed == t.total ? RES_PASSED : RES_FAILED;
    t.failed_runs = t.status != RES_PASSED;
    t.message = strdup("first");
    t.output = strdup(output);
    return t;
}

/* A check fails if it failed in any run, whatever the order of the runs. */
START_TEST(test_merge_any_failing_run_fails)
{
    struct cfg_test c = mk_cfg("u/a", 6, true, CFG_VIS_VISIBLE);
    static const char *const order[][3] = {
        {"111", "101", "110"}, {"110", "111", "101"}, {"101", "110", "111"},
    };
    for (size_t k = 0; k < 3; k++) {
        struct res_test t = mk_run(&c, order[k][0], order[k][0]);
        for (size_t r = 1; r < 3; r++) {
            struct res_test again = mk_run(&c, order[k][r], order[k][r]);
            ck_assert_int_eq(res_test_merge(&t, &again), 0);
            ck_assert_ptr_null(again.checks);
        }
        ck_assert_int_eq(t.status, RES_FAILED);
        ck_assert_uint_eq(t.passed, 1);
        ck_assert_uint_eq(t.total, 3);
        ck_assert(t.checks[0].passed && !t.checks[1].passed && !t.checks[2].passed);
        ck_assert_str_eq(t.checks[1].message, "wrong");
        ck_assert_uint_eq(t.runs, 3);
        ck_assert_uint_eq(t.failed_runs, 2);
        ck_assert_str_eq(t.message, "2 of 3 checks failed (in 2 of 3 runs: a check that "
                                    "fails in any run fails)");
        ck_assert_str_ne(t.output, "111");      /* a failing run's output */
        struct res_submission s;
        mk_sub(&s, &t, 1);
        res_score(&s);
        ck_assert(s.score == 2.0);
        res_submission_release(&s);
    }
}
END_TEST

START_TEST(test_merge_passing_and_error)
{
    struct cfg_test c = mk_cfg("u/a", 4, true, CFG_VIS_VISIBLE);
    struct res_test t = mk_run(&c, "11", "a"), again = mk_run(&c, "11", "b");
    ck_assert_int_eq(res_test_merge(&t, &again), 0);
    ck_assert_int_eq(t.status, RES_PASSED);
    ck_assert_str_eq(t.message, "all 2 checks passed");
    ck_assert_str_eq(t.output, "a");
    struct res_test dead = mk_run(&c, "", "killed");
    dead.status = RES_ERROR;
    free(dead.message);
    dead.message = strdup("timed out after 20.0 s");
    ck_assert_int_eq(res_test_merge(&t, &dead), 0);
    ck_assert_int_eq(t.status, RES_ERROR);
    ck_assert_str_eq(t.message, "timed out after 20.0 s");
    struct res_test fine = mk_run(&c, "11", "c");
    ck_assert_int_eq(res_test_merge(&t, &fine), 0);
    ck_assert_int_eq(t.status, RES_ERROR);     /* an error stays */
    ck_assert_uint_eq(t.runs, 4);
    res_test_release(&t);
}
END_TEST

/* Check's word for a check stopped at its timeout, with where it hung. */
static void mk_timeout(struct res_check *c, const char *where)
{
    free(c->message);
    c->message = strdup(where);
    c->passed = false;
}

/* A run the sandbox killed at its 20 s wall-clock limit, having hardly run. */
static struct res_test mk_killed(const struct cfg_test *c, const char *pass)
{
    struct res_test t = mk_run(c, pass, "");
    t.status = RES_ERROR;
    free(t.message);
    t.message = strdup("timed out after 20.0 s");
    t.wall_ms = 20000;
    t.cpu_ms = 100;
    return t;
}

/* A timeout is a suspected stall only while the unit hardly ran. */
START_TEST(test_stalled_needs_timeout_and_little_cpu)
{
    struct cfg_test c = mk_cfg("u/a", 4, true, CFG_VIS_VISIBLE);
    struct res_test t = mk_run(&c, "10", "");
    t.wall_ms = 6000;
    t.cpu_ms = 10;
    ck_assert(!res_test_stalled(&t));               /* a wrong answer: no timeout */
    mk_timeout(&t.checks[1], "Test timeout expired (still running in f() at k.c:3)");
    ck_assert(res_test_stalled(&t));
    t.cpu_ms = 2999;
    ck_assert(res_test_stalled(&t));
    t.cpu_ms = 3000;                                /* it spun: the code's own hang */
    ck_assert(!res_test_stalled(&t));
    res_test_release(&t);

    struct res_test dead = mk_killed(&c, "");
    ck_assert(res_test_stalled(&dead));
    res_test_release(&dead);
}
END_TEST

/* A unit whose every timed-out check waited on itself needs no second run. */
START_TEST(test_stalled_not_when_every_timeout_waited)
{
    struct cfg_test c = mk_cfg("u/a", 4, true, CFG_VIS_VISIBLE);
    struct res_test t = mk_run(&c, "100", "");
    t.wall_ms = 9000;
    t.cpu_ms = 10;
    mk_timeout(&t.checks[1], "Test timeout expired (waiting in f() at k.c:3 ...)");
    t.checks[1].waited = true;
    ck_assert(res_test_timed_out(&t));
    ck_assert(!res_test_stalled(&t));
    mk_timeout(&t.checks[2], "Test timeout expired (still running in g() at k.c:9)");
    ck_assert(res_test_stalled(&t));                /* one timeout not seen waiting */
    t.checks[2].waited = true;
    ck_assert(!res_test_stalled(&t));
    t.checks[0].waited = true;                      /* a passing check's flag is no timeout */
    ck_assert(!res_test_stalled(&t));
    res_test_release(&t);

    /* The sandbox killed the unit at its limit: the checks' flags do not say why. */
    struct res_test dead = mk_killed(&c, "0");
    mk_timeout(&dead.checks[0], "Test timeout expired");
    dead.checks[0].waited = true;
    ck_assert(res_test_stalled(&dead));
    res_test_release(&dead);
}
END_TEST

/* The second run decides the checks that timed out, and only those. */
START_TEST(test_confirm_takes_second_verdict_of_timeouts)
{
    struct cfg_test c = mk_cfg("u/a", 6, true, CFG_VIS_VISIBLE);
    struct res_test t = mk_run(&c, "100", "first");
    mk_timeout(&t.checks[2], "Test timeout expired");
    t.wall_ms = 6000;
    t.cpu_ms = 20;
    struct res_test again = mk_run(&c, "011", "second");   /* c1 now passes: kept failed */
    again.wall_ms = 300;
    again.cpu_ms = 250;
    ck_assert_int_eq(res_test_confirm(&t, &again), 0);
    ck_assert_ptr_null(again.checks);
    ck_assert(t.checks[0].passed && !t.checks[1].passed && t.checks[2].passed);
    ck_assert_str_eq(t.checks[1].message, "wrong");
    ck_assert_str_eq(t.checks[2].message, "Passed");
    ck_assert_int_eq(t.status, RES_FAILED);
    ck_assert_uint_eq(t.passed, 2);
    ck_assert_str_eq(t.message, "1 of 3 checks failed");
    ck_assert_str_eq(t.output, "first");
    ck_assert_uint_eq(t.runs, 2);
    ck_assert_uint_eq(t.failed_runs, 1);            /* the second run's */
    ck_assert(t.wall_ms == 6300 && t.cpu_ms == 270);
    ck_assert(!res_test_timed_out(&t));

    /* every check passes the second time: the unit passes, no failed run */
    struct res_test u = mk_run(&c, "10", "");
    mk_timeout(&u.checks[1], "Test timeout expired");
    struct res_test fine = mk_run(&c, "11", "");
    ck_assert_int_eq(res_test_confirm(&u, &fine), 0);
    ck_assert_int_eq(u.status, RES_PASSED);
    ck_assert_str_eq(u.message, "all 2 checks passed");
    ck_assert_uint_eq(u.failed_runs, 0);
    struct res_submission s;
    mk_sub(&s, &u, 1);
    res_score(&s);
    ck_assert(s.score == 6.0);
    res_submission_release(&s);
    res_test_release(&t);
}
END_TEST

/* A timeout twice is a verdict; a second run that died confirms nothing. */
START_TEST(test_confirm_keeps_confirmed_timeouts)
{
    struct cfg_test c = mk_cfg("u/a", 6, true, CFG_VIS_VISIBLE);
    struct res_test t = mk_run(&c, "10", "");
    mk_timeout(&t.checks[1], "Test timeout expired (still running in f() at k.c:3)");
    struct res_test again = mk_run(&c, "10", "");
    mk_timeout(&again.checks[1], "Test timeout expired");
    ck_assert_int_eq(res_test_confirm(&t, &again), 0);
    ck_assert_str_eq(t.checks[1].message,
                     "Test timeout expired (still running in f() at k.c:3)");
    ck_assert_int_eq(t.status, RES_FAILED);
    ck_assert(res_test_timed_out(&t));

    struct res_test dead = mk_run(&c, "", "");
    dead.status = RES_ERROR;
    free(dead.message);
    dead.message = strdup("killed: memory limit");
    ck_assert_int_eq(res_test_confirm(&t, &dead), 0);
    ck_assert_int_eq(t.status, RES_FAILED);
    ck_assert_uint_eq(t.passed, 1);
    ck_assert_uint_eq(t.runs, 3);
    res_test_release(&t);

    /* the sandbox stopped the first run: the second replaces it */
    struct res_test stopped = mk_run(&c, "", "");
    stopped.status = RES_ERROR;
    free(stopped.message);
    stopped.message = strdup("timed out after 20.0 s");
    struct res_test whole = mk_run(&c, "11", "whole");
    ck_assert_int_eq(res_test_confirm(&stopped, &whole), 0);
    ck_assert_int_eq(stopped.status, RES_PASSED);
    ck_assert_uint_eq(stopped.nchecks, 2);
    ck_assert_str_eq(stopped.output, "whole");
    ck_assert_ptr_eq(stopped.cfg, &c);
    ck_assert_uint_eq(stopped.runs, 2);
    res_test_release(&stopped);
}
END_TEST

START_TEST(test_races_score_zero)
{
    struct cfg_test c = mk_cfg("u/a", 5, true, CFG_VIS_VISIBLE);
    struct res_test t = mk_run(&c, "11", "");
    ck_assert_int_eq(res_test_add_races(&t, strdup("kernels.c:9 in w (write) races with "
                                                   "kernels.c:9 in w (read)\n")), 0);
    ck_assert_int_eq(t.status, RES_FAILED);
    ck_assert_ptr_nonnull(strstr(t.message, "ThreadSanitizer found a data race"));
    ck_assert_ptr_nonnull(strstr(t.message, "kernels.c:9 in w (write)"));
    struct res_submission s;
    mk_sub(&s, &t, 1);
    res_score(&s);
    ck_assert(s.score == 0.0 && s.max_score == 5.0);
    res_submission_release(&s);
}
END_TEST

START_TEST(test_leaks_deduct)
{
    struct cfg_test c = mk_cfg("u/a", 4, true, CFG_VIS_VISIBLE), p = c;
    c.leak_deduct = 0.25;
    p.leak_deduct = 0.25;
    struct res_test tests[4] = {mk_test(&c, RES_PASSED, 2, 2), mk_test(&c, RES_FAILED, 1, 2),
                                mk_test(&c, RES_PASSED, 2, 2), mk_test(&p, RES_ERROR, 0, 2)};
    tests[0].leaks = 1;
    tests[1].leaks = 2;
    tests[3].leaks = 1;
    struct res_submission s;
    mk_sub(&s, tests, 4);
    res_score(&s);
    ck_assert(s.tests[0].score == 3.0);     /* 4 x 0.75 */
    ck_assert(s.tests[1].score == 1.5);     /* 2 x 0.75 */
    ck_assert(s.tests[2].score == 4.0);     /* no leak */
    ck_assert(s.tests[3].score == 0.0);
    ck_assert(s.score == 8.5);
    s.tests[0].cfg = &p;
    p.leak_deduct = 0.0;                    /* leaks: {deduct: 0} */
    res_score(&s);
    ck_assert(s.tests[0].score == 4.0);
    res_submission_release(&s);
}
END_TEST

Suite *result_suite(void)
{
    Suite *s = suite_create("result");
    TCase *tc = tcase_create("lifecycle");
    tcase_add_test(tc, test_init_zeroes);
    tcase_add_test(tc, test_release_frees_all_and_twice_is_safe);
    tcase_add_test(tc, test_status_names);
    tcase_add_test(tc, test_visible_only_when_visible);
    suite_add_tcase(s, tc);
    tc = tcase_create("score");
    tcase_add_test(tc, test_score_rules);
    tcase_add_test(tc, test_score_exact_and_deterministic);
    tcase_add_test(tc, test_score_empty);
    suite_add_tcase(s, tc);
    tc = tcase_create("repeat");
    tcase_add_test(tc, test_merge_any_failing_run_fails);
    tcase_add_test(tc, test_merge_passing_and_error);
    tcase_add_test(tc, test_stalled_needs_timeout_and_little_cpu);
    tcase_add_test(tc, test_stalled_not_when_every_timeout_waited);
    tcase_add_test(tc, test_confirm_takes_second_verdict_of_timeouts);
    tcase_add_test(tc, test_confirm_keeps_confirmed_timeouts);
    tcase_add_test(tc, test_races_score_zero);
    tcase_add_test(tc, test_leaks_deduct);
    suite_add_tcase(s, tc);
    tc = tcase_create("late");
    tcase_add_loop_test(tc, test_late_arithmetic, 0,
                        (int)(sizeof late_cases / sizeof late_cases[0]));
    tcase_add_test(tc, test_late_unknown_and_none);
    tcase_add_test(tc, test_set_submitted_at);
    tcase_add_test(tc, test_time_files);
    tcase_add_test(tc, test_time_in_folder);
    suite_add_tcase(s, tc);
    return s;
}
