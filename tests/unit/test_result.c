/*
 * test_result.c -- unit tests of grader/src/result.c: scoring rules,
 * determinism of the totals, status names, visibility, and that
 * release frees everything (ASan) and is safe twice.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
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
    return s;
}
