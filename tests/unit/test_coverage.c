/*
 * test_coverage.c -- unit tests of grader/src/coverage.c.  A tiny file
 * compiled with --coverage and run once in a fresh temporary folder; the
 * totals must be what its code implies.  lcov is slow (a perl start per
 * call), so only two tests run it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coverage.h"
#include "fsutil.h"
#include "proc.h"
#include "suites.h"

static char tmpdir[] = "/tmp/coverage_test.XXXXXX";
static char src[600], build_dir[600], obj[600], exe[600], out_dir[600];

/*
 * gcc -O0 counts 7 lines (1, 2, 3, 5, 6, 8, 9); `negative` is never
 * called (lines 5 and 6), `absval` gets only a positive number: its `if`
 * has two branches, one taken.
 */
static const char tiny_code[] =
    "static int absval(int x) {\n"           /* 1 */
    "    if (x < 0) return -x;\n"            /* 2 */
    "    return x;\n"                        /* 3 */
    "}\n"                                    /* 4 */
    "int negative(int x) {\n"                /* 5 */
    "    return -x;\n"                       /* 6 */
    "}\n"                                    /* 7 */
    "int main(void) {\n"                     /* 8 */
    "    return absval(3) - 3;\n"            /* 9 */
    "}\n";                                   /* 10 */

static void run_ok(char *argv[])
{
    char err[512];
    ck_assert_msg(proc_capture(argv, NULL, err, sizeof err) == 0, "%s", err);
}

static void setup(void)
{
    strcpy(tmpdir, "/tmp/coverage_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(src, sizeof src, "%s/tiny.c", tmpdir);
    snprintf(build_dir, sizeof build_dir, "%s/build", tmpdir);
    snprintf(obj, sizeof obj, "%s/build/tiny.o", tmpdir);
    snprintf(exe, sizeof exe, "%s/build/tiny", tmpdir);
    snprintf(out_dir, sizeof out_dir, "%s/out", tmpdir);
    FILE *f = fopen(src, "w");
    ck_assert_ptr_nonnull(f);
    fputs(tiny_code, f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(mkdir(build_dir, 0755), 0);
    char *cc[] = { "gcc", "-O0", "--coverage", "-c", src, "-o", obj, NULL };
    run_ok(cc);
    char *ld[] = { "gcc", "--coverage", obj, "-o", exe, NULL };
    run_ok(ld);
}

static void teardown(void)
{
    fs_remove_tree(tmpdir);
}

static bool exists(const char *dir, const char *rel)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    struct stat st;
    return stat(path, &st) == 0;
}

static struct cov_request request(const char *const *sources, bool branches, bool html)
{
    return (struct cov_request){
        .build_dir = build_dir, .sources = sources, .nsources = 1,
        .out_dir = out_dir, .branches = branches, .html = html,
    };
}

START_TEST(test_totals_match_the_code)
{
    char *run[] = { exe, NULL };
    run_ok(run);
    const char *sources[] = { src };
    struct cov_request req = request(sources, true, true);
    struct res_coverage cov;
    char err[512] = "";
    ck_assert_msg(cov_collect(&req, &cov, err, sizeof err) == 0, "%s", err);
    ck_assert(cov.present);
    ck_assert_uint_eq(cov.lines_total, 7);
    ck_assert_uint_eq(cov.lines_hit, 5);
    ck_assert_uint_eq(cov.functions_total, 3);
    ck_assert_uint_eq(cov.functions_hit, 2);
    ck_assert_uint_eq(cov.branches_total, 2);
    ck_assert_uint_eq(cov.branches_hit, 1);
    ck_assert(exists(out_dir, "lcov.info"));
    ck_assert(exists(out_dir, "html/index.html"));
    ck_assert(!exists(out_dir, "lcov.capture.info"));

    /* The tracefile written reads back to the same totals. */
    char info[700];
    snprintf(info, sizeof info, "%s/lcov.info", out_dir);
    struct res_coverage again;
    ck_assert_int_eq(cov_read_tracefile(info, &again), 0);
    ck_assert_mem_eq(&again, &cov, sizeof cov);
}
END_TEST

/* Sources that match nothing, branches and html off: no data, no pages. */
START_TEST(test_other_sources_and_options_off)
{
    char *run[] = { exe, NULL };
    run_ok(run);
    const char *sources[] = { "/nonexistent/kernels.c" };
    struct cov_request req = request(sources, false, false);
    struct res_coverage cov;
    char err[512] = "";
    ck_assert_msg(cov_collect(&req, &cov, err, sizeof err) == 0, "%s", err);
    ck_assert(!cov.present);
    ck_assert_uint_eq(cov.lines_total, 0);
    ck_assert(!exists(out_dir, "html"));
}
END_TEST

START_TEST(test_no_gcda_means_no_coverage)
{
    const char *sources[] = { src };
    struct cov_request req = request(sources, true, true);
    struct res_coverage cov = { .present = true, .lines_total = 7 };
    char err[512] = "";
    ck_assert_int_eq(cov_collect(&req, &cov, err, sizeof err), 0);
    ck_assert(!cov.present);
    ck_assert_uint_eq(cov.lines_total, 0);
    ck_assert(!exists(out_dir, "lcov.info"));
}
END_TEST

START_TEST(test_unwritable_out_dir_is_an_error)
{
    char *run[] = { exe, NULL };
    run_ok(run);
    const char *sources[] = { src };
    struct cov_request req = request(sources, true, true);
    req.out_dir = "/dev/null/coverage";
    struct res_coverage cov;
    char err[512] = "";
    ck_assert_int_eq(cov_collect(&req, &cov, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "/dev/null/coverage"));
    ck_assert(!cov.present);
}
END_TEST

START_TEST(test_read_tracefile_sums_records)
{
    char path[700];
    snprintf(path, sizeof path, "%s/t.info", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("TN:\nSF:/a/kernels.c\nFN:1,f\nFNDA:1,f\nFNF:4\nFNH:3\nBRDA:1,0,0,1\nBRF:10\n"
          "BRH:7\nDA:1,1\nLF:20\nLH:15\nend_of_record\n"
          "TN:\nSF:/a/extra.c\nFNF:1\nFNH:0\nLF:5\nLH:0\nend_of_record\n", f);
    ck_assert_int_eq(fclose(f), 0);
    struct res_coverage cov;
    ck_assert_int_eq(cov_read_tracefile(path, &cov), 0);
    ck_assert(cov.present);
    ck_assert_uint_eq(cov.lines_hit, 15);
    ck_assert_uint_eq(cov.lines_total, 25);
    ck_assert_uint_eq(cov.functions_hit, 3);
    ck_assert_uint_eq(cov.functions_total, 5);
    ck_assert_uint_eq(cov.branches_hit, 7);
    ck_assert_uint_eq(cov.branches_total, 10);

    snprintf(path, sizeof path, "%s/missing.info", tmpdir);
    ck_assert_int_eq(cov_read_tracefile(path, &cov), -1);
}
END_TEST

Suite *coverage_suite(void)
{
    Suite *s = suite_create("coverage");
    TCase *tc = tcase_create("coverage");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_totals_match_the_code);
    tcase_add_test(tc, test_other_sources_and_options_off);
    tcase_add_test(tc, test_no_gcda_means_no_coverage);
    tcase_add_test(tc, test_unwritable_out_dir_is_an_error);
    tcase_add_test(tc, test_read_tracefile_sums_records);
    suite_add_tcase(s, tc);
    return s;
}
