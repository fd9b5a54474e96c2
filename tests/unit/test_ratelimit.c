/*
 * test_ratelimit.c -- unit tests of grader/src/score/ratelimit.c: the CI
 * rate limit counted from Gradescope's submission_metadata.json (the
 * 24-hour window's edges, rate-limited submissions not counted, the
 * score kept, bad and missing files, the student's message).
 */
#include <check.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg.h"
#include "score/ratelimit.h"
#include "suites.h"

/* Writes text to DIR/name (DIR a fresh folder) and returns the path. */
static const char *meta_file(char dir[], const char *name, const char *text)
{
    static char path[PATH_MAX];
    if (dir[0] == '\0') {
        strcpy(dir, "/tmp/ratelimit_test.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

/* Now is 2026-12-15T12:00:00Z; three graded in the last 24 hours (the
 * oldest at 13:00 the day before, scores 5, 7, 9.5), one exactly 24 hours
 * before (outside), one rate-limited (not counted), one in the future
 * (ignored), one without a time (ignored). */
static const char metadata[] =
    "{\"created_at\": \"2026-12-15T07:00:00-05:00\",\n"
    " \"previous_submissions\": [\n"
    "  {\"submission_time\": \"2026-12-14T12:00:00Z\", \"score\": 1},\n"
    "  {\"submission_time\": \"2026-12-14T13:00:00Z\", \"score\": 5},\n"
    "  {\"submission_time\": \"2026-12-15T01:00:00Z\", \"score\": 7,\n"
    "   \"results\": {\"extra_data\": {\"rate_limited\": false}}},\n"
    "  {\"submission_time\": \"2026-12-15T02:00:00Z\", \"score\": 7,\n"
    "   \"results\": {\"extra_data\": {\"rate_limited\": true}}},\n"
    "  {\"submission_time\": \"2026-12-15T11:00:00.5Z\", \"score\": 9.5},\n"
    "  {\"submission_time\": \"2026-12-16T11:00:00Z\", \"score\": 0},\n"
    "  {\"score\": 3}\n"
    " ]}\n";

START_TEST(test_window)
{
    char dir[64] = "", msg[512];
    struct rate_verdict v;
    int64_t ms;
    const char *path = meta_file(dir, "submission_metadata.json", metadata);
    ck_assert_int_eq(rate_check(path, 3, &v, msg, sizeof msg), 0);
    ck_assert(v.limited);
    ck_assert_uint_eq(v.counted, 3);
    ck_assert(v.previous_score == 9.5);
    ck_assert_int_eq(cfg_parse_time("2026-12-15T13:00:00Z", &ms), 0);
    ck_assert(v.next_ms == ms);
    rate_message(&v, 3, msg, sizeof msg);
    ck_assert_str_eq(msg, "Rate limit: at most 3 graded submissions in 24 hours, and 3 were "
                          "graded in the 24 hours before this one. This submission was not "
                          "graded; your score stays 9.50, your last submission's. Submit "
                          "again after 2026-12-15T13:00:00Z.");
    ck_assert_int_eq(rate_check(path, 4, &v, msg, sizeof msg), 0);
    ck_assert(!v.limited);
    ck_assert_uint_eq(v.counted, 3);
    ck_assert(v.next_ms == 0);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_first_submission)
{
    char dir[64] = "", err[512];
    struct rate_verdict v;
    const char *path = meta_file(dir, "m.json", "{\"created_at\": \"2026-12-15T07:00:00Z\", "
                                                "\"previous_submissions\": []}");
    ck_assert_int_eq(rate_check(path, 1, &v, err, sizeof err), 0);
    ck_assert(!v.limited && v.counted == 0 && v.previous_score == 0);
    path = meta_file(dir, "m.json", "{\"created_at\": \"2026-12-15T07:00:00Z\"}");
    ck_assert_int_eq(rate_check(path, 1, &v, err, sizeof err), 0);
    ck_assert(!v.limited);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_bad_files)
{
    char dir[64] = "", err[512], link[PATH_MAX + 8];
    struct rate_verdict v;
    const char *path = meta_file(dir, "m.json", "{not json");
    ck_assert_int_eq(rate_check(path, 1, &v, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "not JSON"));
    path = meta_file(dir, "m.json", "{\"created_at\": \"yesterday\"}");
    ck_assert_int_eq(rate_check(path, 1, &v, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "no valid \"created_at\" time"));
    snprintf(link, sizeof link, "%s/link.json", dir);
    ck_assert_int_eq(symlink(path, link), 0);
    ck_assert_int_eq(rate_check(link, 1, &v, err, sizeof err), -1);   /* no symlinks */
    unlink(link);
    unlink(path);
    ck_assert_int_eq(rate_check(path, 1, &v, err, sizeof err), 1);    /* missing */
    ck_assert(!v.limited);
    rmdir(dir);
}
END_TEST

Suite *ratelimit_suite(void)
{
    Suite *s = suite_create("ratelimit");
    TCase *tc = tcase_create("ratelimit");
    tcase_add_test(tc, test_window);
    tcase_add_test(tc, test_first_submission);
    tcase_add_test(tc, test_bad_files);
    suite_add_tcase(s, tc);
    return s;
}
