/*
 * res_adjust.c -- res_apply_adjustments() (result.h): the instructor's
 * manual adjustments (adjust.h) applied to one graded submission, in a
 * fixed order so that the same files always give the same score: tests
 * set by hand, the late policy with the student's deadlines, then the
 * points deltas.
 */
#include "score/result.h"

#include <stdlib.h>
#include <string.h>

/* Undoes an earlier call: the tests' own scores come back. */
static void res_adjust_undo(struct res_submission *s)
{
    for (size_t i = s->nadjustments; i-- > 0;) {
        const struct res_adjustment *r = &s->adjustments[i];
        for (size_t k = 0; r->test && k < s->ntests; k++)
            if (s->tests[k].cfg == r->test)
                s->tests[k].score = r->before;
        free(s->adjustments[i].reason);
    }
    free(s->adjustments);
    s->adjustments = NULL;
    s->nadjustments = 0;
    free(s->late.due);
    s->late.due = NULL;
    free(s->extension_reason);
    s->extension_reason = NULL;
}

static int res_adjust_record(struct res_submission *s, const struct cfg_test *test,
                             double points, double before, const char *reason)
{
    struct res_adjustment *r = &s->adjustments[s->nadjustments];
    if ((r->reason = strdup(reason)) == NULL)
        return -1;
    r->test = test;
    r->points = points;
    r->before = before;
    s->nadjustments++;
    return 0;
}

/* Each test set by hand replaces its score. */
static int res_adjust_tests(struct res_submission *s, const struct adj_student *a)
{
    for (size_t i = 0; i < a->ntests; i++)
        for (size_t k = 0; k < s->ntests; k++) {
            struct res_test *t = &s->tests[k];
            if (t->cfg != a->tests[i].test)
                continue;
            if (res_adjust_record(s, t->cfg, a->tests[i].score, t->score,
                                  a->tests[i].reason) < 0)
                return -1;
            t->score = a->tests[i].score;
        }
    return 0;
}

static int res_adjust_points(struct res_submission *s, const struct adj_student *a)
{
    for (size_t i = 0; i < a->npoints; i++) {
        double before = s->score;
        if (res_adjust_record(s, NULL, a->points[i].delta, before, a->points[i].reason) < 0)
            return -1;
        s->score = before + a->points[i].delta;
        if (s->score < 0)
            s->score = 0;
    }
    return 0;
}

int res_apply_adjustments(struct res_submission *s, const struct adj_student *a,
                          const struct cfg_late *late)
{
    res_adjust_undo(s);
    if (a == NULL) {
        res_apply_late(s, late);
        return 0;
    }
    struct cfg_late mine = adj_late_policy(late, a);
    s->adjustments = calloc(a->ntests + a->npoints + 1, sizeof *s->adjustments);
    int rc = s->adjustments ? res_adjust_tests(s, a) : -1;
    if (rc == 0 && a->extension.present && late->enabled &&
        ((s->late.due = strdup(a->extension.due)) == NULL ||
         (s->extension_reason = strdup(a->extension.reason)) == NULL))
        rc = -1;
    if (rc < 0) {
        res_adjust_undo(s);
        res_apply_late(s, late);
        return -1;
    }
    res_apply_late(s, &mine);
    if (res_adjust_points(s, a) < 0) {
        res_adjust_undo(s);
        res_apply_late(s, late);
        return -1;
    }
    return 0;
}
