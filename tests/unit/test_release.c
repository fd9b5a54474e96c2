/*
 * test_release.c -- release.c: the leak scanner fed planted leaks (solution
 * lines, runs of them, hidden names as words and prefixes), the secrets of
 * the real config, and the student config it emits, loaded back.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/cfg.h"
#include "util/fsutil.h"
#include "ship/release.h"
#include "util/strv.h"
#include "suites.h"

/* A solution with one block: a long line, three mid-length lines, a short
 * one, and a line the stub has too (it is also outside the block). */
static const char solution[] =
    "#include <stdlib.h>\n"
    "const int limit_value_of_x = 42;\n"
    "int add(int a, int b)\n"
    "{\n"
    "    /* BEGIN SOLUTION (stub: return 0;) */\n"
    "    long long widened_sum_of_both = (long long)a + (long long)b;\n"
    "    const int limit_value_of_x = 42;\n"
    "    int narrow = (int)widened;\n"
    "    narrow += check_ovf(a, b);\n"
    "    narrow -= undo_bias(a);\n"
    "    return narrow;\n"
    "    /* END SOLUTION */\n"
    "}\n";

static struct rel_secrets secrets;
static struct strv findings;

static void setup(void)
{
    char err[256] = "";
    rel_secrets_init(&secrets);
    memset(&findings, 0, sizeof findings);
    int n = rel_secrets_add_solution(&secrets, "sol.c", solution, strlen(solution), err,
                                     sizeof err);
    ck_assert_msg(n == 4, "%d lines: %s", n, err);
}

static void teardown(void)
{
    rel_secrets_release(&secrets);
    strv_clear(&findings);
}

static int scan(const char *text)
{
    return rel_scan(&secrets, "f.c", text, strlen(text), &findings);
}

START_TEST(test_long_line_planted)
{
    /* other indentation and blanks: still the same line */
    ck_assert_int_eq(scan("int x;\n\n\tlong long  widened_sum_of_both = (long long)a + "
                          "(long long)b;   \n"), 1);
    ck_assert_uint_eq(findings.n, 1);
    ck_assert_str_eq(findings.v[0], "f.c:3: solution code (line 6 of sol.c)");
}
END_TEST

START_TEST(test_clean_text)
{
    ck_assert_int_eq(scan("int add(int a, int b)\n{\n    return a + b;\n}\n"), 0);
    ck_assert_uint_eq(findings.n, 0);
}
END_TEST

START_TEST(test_stub_lines_are_not_secret)
{
    /* in the block, but the stub has it (outside the block) */
    ck_assert_int_eq(scan("const int limit_value_of_x = 42;\n"), 0);
}
END_TEST

START_TEST(test_run_of_three)
{
    ck_assert_int_eq(scan("int narrow = (int)widened;\n"
                          "\n"
                          "    narrow += check_ovf(a, b);\n"
                          "}\n"                      /* short: skipped, no break */
                          "narrow -= undo_bias(a);\n"), 1);
    ck_assert_str_eq(findings.v[0], "f.c:1: 3 consecutive lines of solution code "
                                    "(from line 8 of sol.c)");
}
END_TEST

START_TEST(test_run_of_two_or_broken)
{
    ck_assert_int_eq(scan("int narrow = (int)widened;\n"
                          "narrow += check_ovf(a, b);\n"), 0);
    ck_assert_int_eq(scan("int narrow = (int)widened;\n"
                          "narrow += check_ovf(a, b);\n"
                          "an ordinary line of this file;\n"   /* breaks the run */
                          "narrow -= undo_bias(a);\n"), 0);
}
END_TEST

START_TEST(test_word_token)
{
    ck_assert_int_eq(rel_secrets_add_token(&secrets, "test_secret_edge", REL_WORD,
                                           "hidden test function"), 0);
    ck_assert_int_eq(scan("a test_secret_edge2 and my_test_secret_edge\n"), 0);
    ck_assert_int_eq(scan("x\ny\n  test_secret_edge(); \n"), 1);
    ck_assert_str_eq(findings.v[0], "f.c:3: hidden test function 'test_secret_edge'");
}
END_TEST

START_TEST(test_prefix_token)
{
    ck_assert_int_eq(rel_secrets_add_token(&secrets, "hidden_io", REL_PREFIX,
                                           "hidden suite name"), 0);
    ck_assert_int_eq(scan("hidden_iox my_hidden_io hidden_io9\n"), 0);
    ck_assert_int_eq(scan("extern const struct tc_suite hidden_io_suite;\n"), 1);
    ck_assert_int_eq(scan("see \"hidden_io\"\n"), 1);
}
END_TEST

START_TEST(test_substring_token)
{
    ck_assert_int_eq(rel_secrets_add_token(&secrets, "edge/overflow", REL_SUBSTRING,
                                           "hidden test id"), 0);
    ck_assert_int_eq(scan("xedge/overflowx\n"), 1);
    ck_assert_str_eq(findings.v[0], "f.c:1: hidden test id 'edge/overflow'");
}
END_TEST

START_TEST(test_findings_capped)
{
    const char *words[] = {"alpha_one", "beta_two", "gamma_three", "delta_four",
                           "epsilon_five", "zeta_six", "eta_seven"};
    for (size_t i = 0; i < 7; i++)
        ck_assert_int_eq(rel_secrets_add_token(&secrets, words[i], REL_WORD, "w"), 0);
    ck_assert_int_eq(scan("alpha_one beta_two gamma_three delta_four epsilon_five "
                          "zeta_six eta_seven\n"), 7);
    ck_assert_uint_eq(findings.n, 6);
    ck_assert_str_eq(findings.v[5], "f.c: ... and 2 more");
}
END_TEST

START_TEST(test_bad_markers)
{
    struct rel_secrets s;
    char err[256] = "";
    rel_secrets_init(&s);
    const char *bad = "x\n/* BEGIN SOLUTION */\nint y;\n";
    ck_assert_int_eq(rel_secrets_add_solution(&s, "bad.c", bad, strlen(bad), err, sizeof err),
                     -1);
    ck_assert_msg(strncmp(err, "bad.c:2: ", 9) == 0, "%s", err);
    rel_secrets_release(&s);
}
END_TEST

/* ---- the real config ------------------------------------------------------ */

static struct grader_cfg cfg;

static void load_config(void)
{
    struct cfg_error err = {0};
    char line[1024];
    int rc = cfg_load("config.yaml", &cfg, &err);
    cfg_error_format(&err, line, sizeof line);
    ck_assert_msg(rc == 0, "%s", line);
    ck_assert(cfg.release.enabled);
}

static void unload_config(void)
{
    cfg_release(&cfg);
}

static int scan_file(const struct rel_secrets *s, const char *path, struct strv *out)
{
    char *text = NULL;
    size_t len;
    ck_assert_int_eq(fs_read_file(path, 16u << 20, &text, &len), 0);
    int n = rel_scan(s, path, text, len, out);
    free(text);
    return n;
}

START_TEST(test_config_secrets)
{
    struct rel_secrets s;
    struct strv out = {0};
    char err[512] = "";
    rel_secrets_init(&s);
    ck_assert_msg(rel_secrets_from_cfg(&s, &cfg, err, sizeof err) == 0, "%s", err);
    ck_assert_uint_gt(s.nlines, 100);
    bool hidden_id = false, visible_id = false;
    for (size_t i = 0; i < s.ntokens; i++) {
        hidden_id |= strcmp(s.tokens[i].text, "hidden_matmul/shapes") == 0;
        visible_id |= strcmp(s.tokens[i].text, "matmul_baseline/small") == 0;
    }
    ck_assert(hidden_id);
    ck_assert(!visible_id);
    /* the shipped files are clean; a hidden suite and the solution are not */
    ck_assert_int_eq(scan_file(&s, "harness/kernels/visible/test_matmul_baseline.c", &out), 0);
    ck_assert_int_eq(scan_file(&s, "assignments/kernels/kernels.c", &out), 0);
    ck_assert_int_eq(scan_file(&s, "assignments/kernels/README.md", &out), 0);
    ck_assert_int_gt(scan_file(&s, "harness/kernels/hidden/test_hidden_matmul.c", &out), 0);
    ck_assert_int_gt(scan_file(&s, "solutions/kernels/kernels.c", &out), 0);
    strv_clear(&out);
    rel_secrets_release(&s);
}
END_TEST

/* The student config, written beside links to the repository's harness
 * and stubs (its paths are relative), loads and has only what it should:
 * the visible tests (config.yaml ships the performance program, so the
 * performance tests too, scored as the instructor's), and the performance
 * section as graded. */
START_TEST(test_student_config_loads)
{
    char *text = NULL, err[512] = "", dir[] = "/tmp/test-release-XXXXXX", cwd[PATH_MAX];
    char path[PATH_MAX + 32], link[PATH_MAX + 32], target[PATH_MAX + 32];
    struct grader_cfg student;
    struct cfg_error cerr = {0};
    ck_assert_msg(rel_student_config(&cfg, &text, err, sizeof err) == 0, "%s", err);
    ck_assert_ptr_null(strstr(text, "hidden_"));
    ck_assert_ptr_null(strstr(text, "solution:"));
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    const char *links[] = {"harness", "assignments"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(link, sizeof link, "%s/%s", dir, links[i]);
        snprintf(target, sizeof target, "%s/%s", cwd, links[i]);
        ck_assert_int_eq(symlink(target, link), 0);
    }
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    ck_assert_int_eq(fs_write_atomic(path, text, strlen(text)), 0);
    int rc = cfg_load(path, &student, &cerr);
    fs_remove_tree(dir);
    ck_assert_msg(rc == 0, "%s:%u:%u: %s", cerr.file, cerr.line, cerr.column, cerr.message);
    size_t visible = 0, perf = 0;
    double visible_points = 0;
    for (size_t i = 0; i < cfg.ntests; i++) {
        if (cfg.tests[i].visibility != CFG_VIS_VISIBLE)
            continue;
        visible++;
        perf += cfg.tests[i].kind == CFG_KIND_PERFORMANCE;
        visible_points += cfg.tests[i].points;
    }
    ck_assert_uint_gt(perf, 0);
    ck_assert_uint_eq(student.ntests, visible);
    ck_assert_uint_eq(cfg_count_kind(&student, CFG_KIND_PERFORMANCE), perf);
    ck_assert_double_eq_tol(cfg_total_points(&student), visible_points, 1e-9);
    /* the official grading seed stays with the instructor */
    ck_assert(cfg.grading.seeded);
    ck_assert(!student.grading.seeded);
    ck_assert_ptr_null(strstr(text, "grading"));
    for (size_t i = 0; i < student.ntests; i++) {
        const struct cfg_test *t = &student.tests[i], *orig = cfg_find_test(&cfg, t->id);
        ck_assert_ptr_nonnull(orig);
        ck_assert_int_eq(t->visibility, CFG_VIS_VISIBLE);
        ck_assert_int_eq(t->kind, orig->kind);
        ck_assert_str_eq(t->name, orig->name);
        ck_assert_double_eq(t->points, orig->points);
        ck_assert_mem_eq(&t->limits, &orig->limits, sizeof t->limits);
        if (t->kind != CFG_KIND_PERFORMANCE)
            continue;
        const struct cfg_perf_test *p = &t->perf, *q = &orig->perf;
        ck_assert_str_eq(p->measure, q->measure);
        ck_assert_str_eq(p->reference, q->reference);
        ck_assert_int_eq(p->metric, q->metric);
        ck_assert_double_eq(p->full_at, q->full_at);
        ck_assert_double_eq(p->zero_at, q->zero_at);
        ck_assert_uint_eq(p->nsteps, q->nsteps);
        ck_assert_uint_eq(p->threads, q->threads);
        ck_assert_double_eq(p->balance, q->balance);
        ck_assert_uint_eq(p->requires.n, q->requires.n);
    }
    /* measured as graded: the same flags, sources, caches and limits */
    const struct cfg_performance *sp = &student.performance, *ip = &cfg.performance;
    ck_assert(sp->enabled);
    ck_assert_uint_eq(sp->cflags.n, ip->cflags.n);
    for (size_t i = 0; i < sp->cflags.n; i++)
        ck_assert_str_eq(sp->cflags.v[i], ip->cflags.v[i]);
    ck_assert_uint_eq(sp->ldflags.n, ip->ldflags.n);
    ck_assert_uint_eq(sp->sources.n, ip->sources.n);
    ck_assert_mem_eq(&sp->i1, &ip->i1, sizeof sp->i1);
    ck_assert_mem_eq(&sp->d1, &ip->d1, sizeof sp->d1);
    ck_assert_mem_eq(&sp->ll, &ip->ll, sizeof sp->ll);
    ck_assert_mem_eq(&sp->limits, &ip->limits, sizeof sp->limits);
    ck_assert(!student.release.enabled);
    ck_assert_ptr_null(student.files[0].solution);
    ck_assert_ptr_nonnull(student.files[0].stub);
    ck_assert_uint_eq(student.build.sources.n, cfg.release.source_files.n);
    ck_assert_uint_eq(student.symbols.allow.n, cfg.symbols.allow.n);
    ck_assert_mem_eq(&student.limits, &cfg.limits, sizeof cfg.limits);
    ck_assert_uint_eq(student.build.timeout_ms, cfg.build.timeout_ms);
    cfg_release(&student);
    free(text);
}
END_TEST

/* A performance source release.files does not list: no performance
 * program ships, so the student config has no performance section and no
 * performance test, and its header says so. */
START_TEST(test_student_config_without_perf_program)
{
    char *text = NULL, err[512] = "", unshipped[] = "/nonexistent/perf_extra.c";
    ck_assert_uint_gt(cfg.performance.sources.n, 0);
    char *saved = cfg.performance.sources.v[0];
    cfg.performance.sources.v[0] = unshipped;
    int rc = rel_student_config(&cfg, &text, err, sizeof err);
    cfg.performance.sources.v[0] = saved;
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_ptr_null(strstr(text, "\nperformance:"));
    ck_assert_ptr_null(strstr(text, "kind: performance"));
    ck_assert_ptr_nonnull(strstr(text, "no\n# performance program"));
    ck_assert_ptr_nonnull(strstr(text, "matmul_baseline/small"));
    free(text);
}
END_TEST

/* A hidden performance test is not in the student config, and a visible
 * one's requires keeps only the tests that ship (a hidden id would leak). */
START_TEST(test_student_config_hidden_perf)
{
    char *text = NULL, err[512] = "", hidden_req[] = "hidden_matmul/shapes";
    struct cfg_test *first = NULL, *second = NULL;
    for (size_t i = 0; i < cfg.ntests; i++) {
        struct cfg_test *t = &cfg.tests[i];
        if (t->kind != CFG_KIND_PERFORMANCE || t->visibility != CFG_VIS_VISIBLE ||
            t->perf.requires.n == 0)
            continue;
        if (first == NULL)
            first = t;
        else if (second == NULL)
            second = t;
    }
    ck_assert_ptr_nonnull(first);
    ck_assert_ptr_nonnull(second);
    ck_assert_ptr_nonnull(cfg_find_test(&cfg, hidden_req));
    char *saved = first->perf.requires.v[0];
    first->perf.requires.v[0] = hidden_req;
    second->visibility = CFG_VIS_HIDDEN;
    int rc = rel_student_config(&cfg, &text, err, sizeof err);
    first->perf.requires.v[0] = saved;
    second->visibility = CFG_VIS_VISIBLE;
    ck_assert_msg(rc == 0, "%s", err);
    ck_assert_ptr_nonnull(strstr(text, first->id));
    ck_assert_ptr_null(strstr(text, second->id));
    ck_assert_ptr_null(strstr(text, hidden_req));
    ck_assert_ptr_nonnull(strstr(text, "kind: performance"));
    free(text);
}
END_TEST

Suite *release_suite(void)
{
    Suite *s = suite_create("release");
    TCase *tc = tcase_create("scan");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_long_line_planted);
    tcase_add_test(tc, test_clean_text);
    tcase_add_test(tc, test_stub_lines_are_not_secret);
    tcase_add_test(tc, test_run_of_three);
    tcase_add_test(tc, test_run_of_two_or_broken);
    tcase_add_test(tc, test_word_token);
    tcase_add_test(tc, test_prefix_token);
    tcase_add_test(tc, test_substring_token);
    tcase_add_test(tc, test_findings_capped);
    tcase_add_test(tc, test_bad_markers);
    suite_add_tcase(s, tc);
    tc = tcase_create("config");
    tcase_add_checked_fixture(tc, load_config, unload_config);
    tcase_add_test(tc, test_config_secrets);
    tcase_add_test(tc, test_student_config_loads);
    tcase_add_test(tc, test_student_config_without_perf_program);
    tcase_add_test(tc, test_student_config_hidden_perf);
    suite_add_tcase(s, tc);
    return s;
}
