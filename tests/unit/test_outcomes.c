/*
 * test_outcomes.c -- unit tests of grader/src/score/outcomes.c: the
 * outcomes file `grader rescore` reads, and the config fingerprint that
 * decides when a stored grading may be rescored.
 *
 * Each test writes its own config and trusted sources into a private
 * folder: the fingerprint hashes those files' contents.
 */
#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/cfg.h"
#include "score/outcomes.h"
#include "score/result.h"
#include "suites.h"

/* ---- a private folder with a config and its trusted sources --------------------- */

static char top[PATH_MAX];

static void put(const char *rel, const char *text)
{
    char path[PATH_MAX + 32];
    ck_assert_int_lt(snprintf(path, sizeof path, "%s/%s", top, rel), (int)sizeof path);
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_int_ge(fputs(text, f), 0);
    ck_assert_int_eq(fclose(f), 0);
}

/* A config with two tests; `points` and `cpu` of the first are the knobs. */
static void put_config(const char *points, const char *cpu, const char *extra_test)
{
    char text[2048];
    snprintf(text, sizeof text,
             "assignment: {name: demo}\n"
             "student_files:\n"
             "  - {path: demo.c, solution: sol/demo.c, stub: stub/demo.c}\n"
             "build:\n"
             "  cflags: [-O2]\n"
             "  include_dirs: [src]\n"
             "  sources: [src/*.c]\n"
             "limits: {cpu: 2s, wall: 5s}\n"
             "tests:\n"
             "  - {id: a/one, points: %s, partial: true, limits: {cpu: %s}}\n"
             "  - {id: a/two, points: 3, visibility: hidden}\n"
             "%s",
             points, cpu, extra_test);
    put("config.yaml", text);
}

static void setup(void)
{
    char tmpl[] = "/tmp/outc_test.XXXXXX";
    const char *dir = getenv("TMPDIR");
    if (dir && *dir)
        snprintf(top, sizeof top, "%s/outc_test.XXXXXX", dir);
    else
        memcpy(top, tmpl, sizeof tmpl);
    ck_assert_ptr_nonnull(mkdtemp(top));
    static const char *const dirs[] = {"src", "sol", "stub"};
    for (size_t i = 0; i < 3; i++) {
        char path[PATH_MAX + 32];
        snprintf(path, sizeof path, "%s/%s", top, dirs[i]);
        ck_assert_int_eq(mkdir(path, 0700), 0);
    }
    put("src/harness.c", "int harness(void) { return 1; }\n");
    put("src/harness.h", "int harness(void);\n");
    put("sol/demo.c", "int demo(void) { return 2; }\n");
    put("stub/demo.c", "int demo(void) { return 0; }\n");
    put_config("4", "1s", "");
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void teardown(void)
{
    nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void load_cfg(struct grader_cfg *cfg)
{
    char path[PATH_MAX + 32], msg[1024];
    struct cfg_error err;
    snprintf(path, sizeof path, "%s/config.yaml", top);
    if (cfg_load(path, cfg, &err) < 0) {
        cfg_error_format(&err, msg, sizeof msg);
        ck_abort_msg("cfg_load: %s", msg);
    }
}

static void print_of(const struct grader_cfg *cfg, struct outc_print *p)
{
    char err[512] = "";
    ck_assert_msg(outc_print_init(p, cfg, err, sizeof err) == 0, "outc_print_init: %s", err);
}

/* The fingerprint of the config as it is on disk now. */
static void print_now(struct outc_print *p)
{
    struct grader_cfg cfg;
    load_cfg(&cfg);
    print_of(&cfg, p);
    cfg_release(&cfg);
}

/* What changed between the setup's config and the one put() since. */
static bool diff_after(void (*change)(void), char *buf, size_t n)
{
    struct outc_print was, now;
    print_now(&was);
    change();
    print_now(&now);
    bool differs = outc_print_diff(&was, &now, buf, n);
    outc_print_release(&was);
    outc_print_release(&now);
    return differs;
}

/* ---- the fingerprint ------------------------------------------------------------ */

static void change_points(void) { put_config("9", "1s", ""); }
static void change_limits(void) { put_config("4", "3s", ""); }
static void add_test(void) { put_config("4", "1s", "  - {id: a/three, points: 1}\n"); }
static void change_source(void) { put("src/harness.c", "int harness(void) { return 7; }\n"); }
static void change_header(void) { put("src/harness.h", "int harness(void); /* x */\n"); }
static void change_solution(void) { put("sol/demo.c", "int demo(void) { return 3; }\n"); }

START_TEST(test_print_stable_and_points_free)
{
    char buf[512] = "unset";
    ck_assert(!diff_after(change_points, buf, sizeof buf));
    ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_print_names_changed_limits)
{
    char buf[512];
    ck_assert(diff_after(change_limits, buf, sizeof buf));
    ck_assert_msg(strstr(buf, "limits changed: a/one") != NULL, "diff: %s", buf);
    ck_assert_msg(strstr(buf, "a/two") == NULL, "diff: %s", buf);
}
END_TEST

START_TEST(test_print_names_added_test)
{
    char buf[512];
    ck_assert(diff_after(add_test, buf, sizeof buf));
    ck_assert_msg(strstr(buf, "tests added: a/three") != NULL, "diff: %s", buf);
}
END_TEST

/* The trusted files are hashed by content: a source, a header of an
 * include folder and the reference solution each need a regrade. */
START_TEST(test_print_hashes_trusted_contents)
{
    void (*const changes[])(void) = {change_source, change_header, change_solution};
    char buf[512];
    ck_assert(diff_after(changes[_i], buf, sizeof buf));
    ck_assert_msg(strstr(buf, "config sections changed: sources") != NULL, "diff: %s", buf);
}
END_TEST

/* ---- the outcomes file ---------------------------------------------------------- */

/* A graded result of the setup's config, as the pipeline would leave it. */
static void make_result(const struct grader_cfg *cfg, struct res_submission *s)
{
    res_submission_init(s);
    s->student = strdup("ada \"quoted\" \xc3\xa9");
    s->email = strdup("ada@example.org");
    s->status = RES_GRADED;
    s->build_log = strdup("demo.c:3: warning: unused\n");
    s->sandbox = strdup("bwrap");
    s->coverage = (struct res_coverage){true, 7, 9, 2, 2, 3, 4};
    s->phases.compile_ms = 123;
    s->phases.test_runs = 7;
    s->ntests = cfg->ntests;
    s->tests = calloc(s->ntests, sizeof *s->tests);
    ck_assert_ptr_nonnull(s->tests);
    struct res_test *t = &s->tests[0];
    t->cfg = &cfg->tests[0];
    t->status = RES_FAILED;
    t->passed = 1, t->total = 2, t->runs = 1, t->wall_ms = 40, t->cpu_ms = 30;
    t->nchecks = 2;
    t->checks = calloc(2, sizeof *t->checks);
    ck_assert_ptr_nonnull(t->checks);
    t->checks[0] = (struct res_check){.name = strdup("test_ok"), .passed = true,
                                      .message = strdup("Passed")};
    t->checks[1] = (struct res_check){.name = strdup("test_bad"),
                                      .message = strdup("expected 1.5, got 1.25\n\ttab"),
                                      .where = strdup("test_a.c:12")};
    t->message = strdup("1 of 2 checks failed");
    t->output = strdup("printf \x01 output\n");
    t->leaks = 1;
    t->notes = strdup("test_ok: 1 tensor never freed");
    t = &s->tests[1];
    t->cfg = &cfg->tests[1];
    t->status = RES_NOT_RUN;
    t->message = strdup("not run");
    res_score(s);
}

static char *dump_of(const struct res_submission *s, const struct outc_print *p)
{
    char *text = outc_dump(s, p, NULL, 0);
    ck_assert_ptr_nonnull(text);
    return text;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(fputs(text, f), 0);
    ck_assert_int_eq(fclose(f), 0);
}

/* dump, load, dump again: the same bytes, and the same scores once scored. */
START_TEST(test_dump_load_round_trip)
{
    struct grader_cfg cfg;
    struct outc_print p;
    struct res_submission s;
    struct outc_record rec;
    char path[PATH_MAX + 32], err[512] = "";
    load_cfg(&cfg);
    print_of(&cfg, &p);
    make_result(&cfg, &s);
    char *first = dump_of(&s, &p);
    snprintf(path, sizeof path, "%s/" OUTC_FILE, top);
    write_file(path, first);

    ck_assert_msg(outc_load(path, &cfg, &p, &rec, err, sizeof err) == 0, "outc_load: %s", err);
    ck_assert_str_eq(rec.res.student, s.student);
    ck_assert_uint_eq(rec.res.ntests, 2);
    ck_assert_ptr_eq(rec.res.tests[0].cfg, &cfg.tests[0]);
    ck_assert_str_eq(rec.res.tests[0].checks[1].message, s.tests[0].checks[1].message);
    ck_assert_uint_eq(rec.res.coverage.branches_total, 4);
    char *second = dump_of(&rec.res, &p);
    ck_assert_str_eq(second, first);

    res_score(&rec.res);
    ck_assert_double_eq_tol(rec.res.score, s.score, 1e-12);
    /* partial, 4 * 1/2, less the default leak deduction of 25% (leaks: 1) */
    ck_assert_double_eq_tol(rec.res.tests[0].score, 1.5, 1e-12);
    ck_assert_double_eq_tol(rec.res.max_score, 7.0, 1e-12);

    free(first);
    free(second);
    outc_record_release(&rec);
    res_submission_release(&s);
    outc_print_release(&p);
    cfg_release(&cfg);
}
END_TEST

/* A grading stored under another config loads as 1, naming the change. */
START_TEST(test_load_refuses_changed_fingerprint)
{
    struct grader_cfg cfg, cfg2;
    struct outc_print p, p2;
    struct res_submission s;
    struct outc_record rec;
    char path[PATH_MAX + 32], err[512] = "";
    load_cfg(&cfg);
    print_of(&cfg, &p);
    make_result(&cfg, &s);
    char *text = dump_of(&s, &p);
    snprintf(path, sizeof path, "%s/" OUTC_FILE, top);
    write_file(path, text);

    change_limits();
    load_cfg(&cfg2);
    print_of(&cfg2, &p2);
    ck_assert_int_eq(outc_load(path, &cfg2, &p2, &rec, err, sizeof err), 1);
    ck_assert_msg(strstr(err, "limits changed: a/one") != NULL, "err: %s", err);

    free(text);
    outc_record_release(&rec);
    res_submission_release(&s);
    outc_print_release(&p);
    outc_print_release(&p2);
    cfg_release(&cfg);
    cfg_release(&cfg2);
}
END_TEST

/* Not an outcomes file, another format, a missing file: -1 with a reason. */
START_TEST(test_load_refuses_bad_files)
{
    static const char *const texts[] = {
        "", "not json", "[]", "{\"format\": 99}", "{\"format\": 1}",
        "{\"format\": 1, \"fingerprint\": 3, \"tests\": []}",
    };
    struct grader_cfg cfg;
    struct outc_print p;
    struct outc_record rec;
    char path[PATH_MAX + 32], err[512];
    load_cfg(&cfg);
    print_of(&cfg, &p);
    snprintf(path, sizeof path, "%s/" OUTC_FILE, top);
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        write_file(path, texts[i]);
        err[0] = '\0';
        ck_assert_msg(outc_load(path, &cfg, &p, &rec, err, sizeof err) == -1, "text %zu", i);
        ck_assert_msg(err[0] != '\0', "no reason for text %zu", i);
        outc_record_release(&rec);
    }
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(outc_load(path, &cfg, &p, &rec, err, sizeof err), -1);
    outc_record_release(&rec);
    outc_print_release(&p);
    cfg_release(&cfg);
}
END_TEST

Suite *outcomes_suite(void)
{
    Suite *s = suite_create("outcomes");
    TCase *tc = tcase_create("fingerprint");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_print_stable_and_points_free);
    tcase_add_test(tc, test_print_names_changed_limits);
    tcase_add_test(tc, test_print_names_added_test);
    tcase_add_loop_test(tc, test_print_hashes_trusted_contents, 0, 3);
    suite_add_tcase(s, tc);
    tc = tcase_create("file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_dump_load_round_trip);
    tcase_add_test(tc, test_load_refuses_changed_fingerprint);
    tcase_add_test(tc, test_load_refuses_bad_files);
    suite_add_tcase(s, tc);
    return s;
}
