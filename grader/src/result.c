/*
 * result.c -- lifecycle, scoring and visibility of a graded submission.
 *
 * Scoring is deliberately boring: each test's score is computed once,
 * from integers and the configured points, and the totals are summed in
 * config order, so the same inputs always give the same bits.
 */
#include "result.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void res_submission_init(struct res_submission *s)
{
    memset(s, 0, sizeof *s);
}

static void res_test_release(struct res_test *t)
{
    for (size_t i = 0; i < t->nchecks; i++) {
        free(t->checks[i].name);
        free(t->checks[i].message);
        free(t->checks[i].where);
    }
    free(t->checks);
    free(t->message);
    free(t->output);
    free(t->notes);
}

void res_submission_release(struct res_submission *s)
{
    for (size_t i = 0; i < s->ntests; i++)
        res_test_release(&s->tests[i]);
    free(s->tests);
    free(s->student);
    free(s->reason);
    free(s->build_log);
    free(s->build_log_full);
    /* Zeroed, so a second release frees nothing. */
    memset(s, 0, sizeof *s);
}

const char *res_test_status_name(enum res_test_status st)
{
    switch (st) {
    case RES_PASSED:  return "passed";
    case RES_FAILED:  return "failed";
    case RES_ERROR:   return "error";
    case RES_NOT_RUN: return "not run";
    }
    return "unknown";
}

/*
 * One test's points.  A fully passed unit gets exactly `points` (no
 * points*n/n rounding); partial credit is one multiplication and one
 * division.  The status is the verdict: a unit that errored keeps
 * nothing of the checks that passed before it died.
 */
static double res_test_points(const struct res_test *t)
{
    double points = t->cfg ? t->cfg->points : 0.0;
    bool partial = t->cfg ? t->cfg->partial : false;

    if (t->perf.present && (t->status == RES_PASSED || t->status == RES_FAILED))
        return t->perf.fraction >= 1.0 ? points : points * t->perf.fraction;
    if (t->status == RES_PASSED)
        return points;
    if (t->status != RES_FAILED || !partial || t->total == 0)
        return 0.0;
    if (t->passed >= t->total)   /* inconsistent input: never exceed points */
        return points;
    return points * (double)t->passed / (double)t->total;
}

void res_score(struct res_submission *s)
{
    double score = 0.0, max_score = 0.0;

    for (size_t i = 0; i < s->ntests; i++) {
        struct res_test *t = &s->tests[i];
        t->max_score = t->cfg ? t->cfg->points : 0.0;
        t->score = res_test_points(t);
        score += t->score;
        max_score += t->max_score;
    }
    s->score = score;
    s->max_score = max_score;
}

bool res_student_visible(const struct cfg_test *t)
{
    /*
     * The grader cannot know whether grades are published or the due date
     * has passed, so only "visible" is visible in local reports;
     * Gradescope applies the other levels itself from results.json.
     */
    return t != NULL && t->visibility == CFG_VIS_VISIBLE;
}

static double res_pct(json_t *cov, const char *hit, const char *total)
{
    json_int_t t = json_integer_value(json_object_get(cov, total));
    return t > 0 ? 100.0 * (double)json_integer_value(json_object_get(cov, hit)) / (double)t : 0.0;
}

int res_row_load(const char *results_json, struct res_row *row)
{
    json_error_t jerr;
    json_t *doc = json_load_file(results_json, 0, &jerr);
    memset(row, 0, sizeof *row);
    if (!doc)
        return -1;
    json_t *extra = json_object_get(doc, "extra_data"), *tests = json_object_get(doc, "tests");
    json_t *student = json_object_get(extra, "student"), *cov = json_object_get(extra, "coverage");
    const char *status = json_string_value(json_object_get(extra, "grader_status"));
    int rc = -1;
    if (json_is_string(student) && json_is_array(tests) && status) {
        size_t i;
        json_t *t;
        row->student = strdup(json_string_value(student));
        row->graded = strcmp(status, "graded") == 0;
        row->score = json_number_value(json_object_get(doc, "score"));
        json_array_foreach(tests, i, t)
            row->max_score += json_number_value(json_object_get(t, "max_score"));
        row->has_coverage = json_is_object(cov);
        if (row->has_coverage) {
            row->line_pct = res_pct(cov, "lines_hit", "lines_total");
            row->branch_pct = res_pct(cov, "branches_hit", "branches_total");
        }
        rc = row->student ? 0 : -1;
    }
    json_decref(doc);
    return rc;
}

void res_row_release(struct res_row *row)
{
    if (!row)
        return;
    free(row->student);
    memset(row, 0, sizeof *row);
}
