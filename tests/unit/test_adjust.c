/*
 * test_adjust.c -- unit tests of the instructor's adjustments:
 * grader/src/config/adjust.c (the file, its file:line:column errors: the
 * fixtures of tests/fixtures/adjust/bad with their EXPECTED messages) and
 * grader/src/score/res_adjust.c (tests set by hand, extensions in the late
 * policy, points deltas, applied again or undone), and the sentences the
 * reports print (report_adjust_sentence()).
 */
#include <check.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/adjust.h"
#include "report/report.h"
#include "score/result.h"
#include "suites.h"

#define FIXTURES "tests/fixtures/adjust"

/* A config built by hand: tests t/a (4 points) and t/h (hidden, 2), and
 * a late policy (due 12-15, late_due 12-18, 10% a day) when `late`. */
struct fake_cfg {
    struct grader_cfg cfg;
    struct cfg_test tests[2];
};

static void fake_cfg_init(struct fake_cfg *f, bool late)
{
    memset(f, 0, sizeof *f);
    f->tests[0] = (struct cfg_test){.id = "t/a", .name = "A", .points = 4,
                                    .visibility = CFG_VIS_VISIBLE};
    f->tests[1] = (struct cfg_test){.id = "t/h", .name = "H", .points = 2,
                                    .visibility = CFG_VIS_HIDDEN};
    f->cfg.path = "config.yaml";
    f->cfg.tests = f->tests;
    f->cfg.ntests = 2;
    if (!late)
        return;
    struct cfg_late *l = &f->cfg.late;
    l->enabled = true;
    l->due = "2026-12-15T23:59:00-05:00";
    l->late_due = "2026-12-18T23:59:00-05:00";
    ck_assert_int_eq(cfg_parse_time(l->due, &l->due_ms), 0);
    ck_assert_int_eq(cfg_parse_time(l->late_due, &l->late_due_ms), 0);
    l->per_day_pct = 10;
    l->max_penalty_pct = 100;
}

static void load_good(const struct fake_cfg *f, struct adj_file *a)
{
    struct cfg_error err;
    char msg[2048];
    if (adj_load(FIXTURES "/good.yaml", &f->cfg, a, &err) < 0) {
        cfg_error_format(&err, msg, sizeof msg);
        ck_abort_msg("adj_load failed: %s", msg);
    }
}

START_TEST(test_good_file)
{
    struct fake_cfg f;
    struct adj_file a;
    int64_t ms;
    fake_cfg_init(&f, true);
    load_good(&f, &a);
    ck_assert_uint_eq(a.nstudents, 3);
    const struct adj_student *alice = adj_find(&a, "alice"), *bob = adj_find(&a, "bob");
    const struct adj_student *carol = adj_find(&a, "carol");
    ck_assert_ptr_nonnull(alice);
    ck_assert_ptr_null(adj_find(&a, "dave"));
    ck_assert_ptr_null(adj_find(NULL, "alice"));
    ck_assert(alice->extension.present);
    ck_assert_int_eq(cfg_parse_time("2026-12-17T23:59:00-05:00", &ms), 0);
    ck_assert(alice->extension.due_ms == ms);
    ck_assert_str_eq(alice->extension.reason, "Medical note, 2 more days");
    ck_assert_ptr_null(alice->extension.late_due);
    ck_assert_uint_eq(bob->npoints, 2);
    ck_assert(bob->points[0].delta == 2.5 && bob->points[1].delta == -1);
    ck_assert_str_eq(bob->points[1].reason, "Reformatted the header by hand");
    ck_assert(!bob->extension.present);
    ck_assert_uint_eq(carol->ntests, 2);
    ck_assert_ptr_eq(carol->tests[1].test, &f.tests[1]);
    ck_assert(carol->tests[0].score == 3 && carol->tests[1].score == 0);
    ck_assert_str_eq(carol->extension.late_due, "2026-12-20T23:59:00-05:00");

    /* the student's late policy: alice's due moves, the config's late_due stays */
    struct cfg_late l = adj_late_policy(&f.cfg.late, alice);
    ck_assert(l.due_ms == ms && l.late_due_ms == f.cfg.late.late_due_ms);
    l = adj_late_policy(&f.cfg.late, NULL);
    ck_assert(l.due_ms == f.cfg.late.due_ms);
    adj_release(&a);
    adj_release(&a);   /* safe twice */
    ck_assert_ptr_null(a.students);
}
END_TEST

/* Splits "name.yaml<TAB>line:column: message" in place. */
static void split_expected(char *line, char **name, char **rest)
{
    line[strcspn(line, "\n")] = '\0';
    char *tab = strchr(line, '\t');
    ck_assert_msg(tab != NULL, "EXPECTED: no tab in '%s'", line);
    *tab = '\0';
    *name = line;
    *rest = tab + 1;
}

START_TEST(test_bad_fixtures)
{
    FILE *f = fopen(FIXTURES "/bad/EXPECTED", "r");
    char line[1024], path[1100], want[2200], got[2200];
    unsigned checked = 0;
    struct fake_cfg fc;
    fake_cfg_init(&fc, true);
    ck_assert_msg(f != NULL, "run from the repository root");
    while (fgets(line, sizeof line, f) != NULL) {
        struct adj_file a;
        struct cfg_error err;
        char *name, *rest;
        split_expected(line, &name, &rest);
        snprintf(path, sizeof path, FIXTURES "/bad/%s", name);
        snprintf(want, sizeof want, "%s:%s", path, rest);
        ck_assert_msg(adj_load(path, &fc.cfg, &a, &err) == -1, "%s: loaded", name);
        ck_assert_ptr_null(a.students);   /* nothing half-built is left */
        cfg_error_format(&err, got, sizeof got);
        ck_assert_str_eq(got, want);
        checked++;
    }
    fclose(f);
    glob_t g;
    ck_assert_int_eq(glob(FIXTURES "/bad/*.yaml", 0, NULL, &g), 0);
    ck_assert_uint_eq(g.gl_pathc, checked);
    globfree(&g);
    ck_assert_uint_ge(checked, 20);
}
END_TEST

START_TEST(test_extension_needs_late_policy)
{
    struct fake_cfg f;
    struct adj_file a;
    struct cfg_error err;
    char got[2200];
    fake_cfg_init(&f, false);
    ck_assert_int_eq(adj_load(FIXTURES "/good.yaml", &f.cfg, &a, &err), -1);
    cfg_error_format(&err, got, sizeof got);
    ck_assert_str_eq(got, FIXTURES "/good.yaml:5:7: an extension needs a late_policy in "
                          "config.yaml");
    ck_assert_int_eq(adj_load(FIXTURES "/missing.yaml", &f.cfg, &a, &err), -1);
    cfg_error_format(&err, got, sizeof got);
    ck_assert_str_eq(got, FIXTURES "/missing.yaml: cannot open: No such file or directory");
}
END_TEST

/* A graded submission: t/a 4 of 4, t/h 2 of 2, submitted at `iso`. */
static void graded(struct res_submission *s, const struct fake_cfg *f, const char *iso)
{
    res_submission_init(s);
    s->student = strdup("x");
    s->tests = calloc(2, sizeof *s->tests);
    ck_assert_ptr_nonnull(s->tests);
    s->ntests = 2;
    for (size_t i = 0; i < 2; i++) {
        s->tests[i].cfg = &f->tests[i];
        s->tests[i].status = RES_PASSED;
        s->tests[i].passed = s->tests[i].total = 1;
    }
    res_score(s);
    if (iso)
        ck_assert_int_eq(res_set_submitted_at(s, iso), 0);
    res_apply_late(s, &f->cfg.late);
}

START_TEST(test_apply_tests_and_extension)
{
    struct fake_cfg f;
    struct adj_file a;
    struct res_submission s;
    fake_cfg_init(&f, true);
    load_good(&f, &a);
    graded(&s, &f, "2026-12-17T12:00:00-05:00");   /* 2 days late: 20% */
    ck_assert(s.late.days == 2);
    ck_assert_double_eq_tol(s.score, 4.8, 1e-9);

    /* carol: t/a 3, t/h 0, due moved one day: 1 day late, 10% of 3 */
    const struct adj_student *carol = adj_find(&a, "carol");
    for (int round = 0; round < 2; round++) {   /* applying again gives the same */
        ck_assert_int_eq(res_apply_adjustments(&s, carol, &f.cfg.late), 0);
        ck_assert(s.late.status == RES_LATE_LATE && s.late.days == 1);
        ck_assert_double_eq_tol(s.score, 2.7, 1e-9);
        ck_assert_double_eq_tol(s.late.score_before, 3.0, 1e-9);
        ck_assert_str_eq(s.late.due, "2026-12-16T23:59:00-05:00");
        ck_assert_uint_eq(s.nadjustments, 2);
        ck_assert(s.adjustments[0].test == &f.tests[0] && s.adjustments[0].before == 4);
        ck_assert(s.tests[0].score == 3 && s.tests[1].score == 0);
        ck_assert_uint_eq(report_adjust_count(&s), 3);
    }

    char buf[512];
    report_adjust_sentence(&s, 0, REPORT_STUDENT, buf, sizeof buf);
    ck_assert_str_eq(buf, "Extension: due 2026-12-16T23:59:00-05:00: Family emergency");
    report_adjust_sentence(&s, 1, REPORT_STUDENT, buf, sizeof buf);
    ck_assert_str_eq(buf, "Test t/a set by hand to 3.00 (was 4.00): "
                          "Reviewed by hand: the loop is right");
    report_adjust_sentence(&s, 2, REPORT_STUDENT, buf, sizeof buf);
    ck_assert_str_eq(buf, "Test (a hidden test) set by hand to 0.00 (was 2.00): "
                          "Hard-coded the expected output");
    report_adjust_sentence(&s, 2, REPORT_INSTRUCTOR, buf, sizeof buf);
    ck_assert_str_eq(buf, "Test t/h set by hand to 0.00 (was 2.00): "
                          "Hard-coded the expected output");
    ck_assert(report_late_sentence(&s, &f.cfg, buf, sizeof buf));
    ck_assert_ptr_nonnull(strstr(buf, "due 2026-12-16T23:59:00-05:00"));

    /* alice's extension: on time */
    ck_assert_int_eq(res_apply_adjustments(&s, adj_find(&a, "alice"), &f.cfg.late), 0);
    ck_assert(s.late.status == RES_LATE_ON_TIME);
    ck_assert_double_eq_tol(s.score, 6.0, 1e-9);

    /* none: back to the tests' own scores and the config's due */
    ck_assert_int_eq(res_apply_adjustments(&s, NULL, &f.cfg.late), 0);
    ck_assert_uint_eq(s.nadjustments, 0);
    ck_assert_ptr_null(s.late.due);
    ck_assert_double_eq_tol(s.score, 4.8, 1e-9);
    ck_assert_uint_eq(report_adjust_count(&s), 0);
    res_submission_release(&s);
    adj_release(&a);
}
END_TEST

START_TEST(test_apply_points)
{
    struct fake_cfg f;
    struct adj_file a;
    struct res_submission s;
    fake_cfg_init(&f, true);
    load_good(&f, &a);
    graded(&s, &f, "2026-12-17T12:00:00-05:00");
    /* bob: +2.5 and -1 after the late penalty, which they escape */
    ck_assert_int_eq(res_apply_adjustments(&s, adj_find(&a, "bob"), &f.cfg.late), 0);
    ck_assert_double_eq_tol(s.score, 4.8 + 2.5 - 1, 1e-9);
    ck_assert_double_eq_tol(s.late.points_lost, 1.2, 1e-9);
    char buf[512];
    report_adjust_sentence(&s, 0, REPORT_STUDENT, buf, sizeof buf);
    ck_assert_str_eq(buf, "Points: +2.50: Good comments");
    report_adjust_sentence(&s, 1, REPORT_STUDENT, buf, sizeof buf);
    ck_assert_str_eq(buf, "Points: -1.00: Reformatted the header by hand");

    /* never below 0; above max_score is extra credit; a reason stays on one line */
    struct adj_points big[2] = {{-100, "Plagiarism,\nsee the\tletter"}, {+1, "Bonus"}};
    struct adj_student hand = {.name = "x", .points = big, .npoints = 2};
    ck_assert_int_eq(res_apply_adjustments(&s, &hand, &f.cfg.late), 0);
    ck_assert_double_eq_tol(s.score, 1.0, 1e-9);
    report_adjust_sentence(&s, 0, REPORT_STUDENT, buf, sizeof buf);
    ck_assert_str_eq(buf, "Points: -100.00: Plagiarism, see the letter");
    big[0].delta = +3;
    ck_assert_int_eq(res_apply_adjustments(&s, &hand, &f.cfg.late), 0);
    ck_assert_double_eq_tol(s.score, 4.8 + 4, 1e-9);
    res_submission_release(&s);
    adj_release(&a);
}
END_TEST

Suite *adjust_suite(void)
{
    Suite *s = suite_create("adjust");
    TCase *tc = tcase_create("adjust");
    tcase_add_test(tc, test_good_file);
    tcase_add_test(tc, test_bad_fixtures);
    tcase_add_test(tc, test_extension_needs_late_policy);
    tcase_add_test(tc, test_apply_tests_and_extension);
    tcase_add_test(tc, test_apply_points);
    suite_add_tcase(s, tc);
    return s;
}
