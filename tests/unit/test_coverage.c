/*
 * test_coverage.c -- unit tests of grader/src/run/coverage.c.  Two fixtures,
 * each compiled with --coverage and run once in a fresh temporary folder:
 * "tiny", one file whose totals must be what its code implies, and
 * "rich", three sources (a header inlined into two objects in nested
 * obj folders, a never-called branch, lcov exclusion markers) whose
 * tracefile must be the one lcov 1.16 writes for the same data.  lcov
 * and genhtml are perl (~0.1-0.2 s a start), so few tests run them.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/coverage.h"
#include "util/fsutil.h"
#include "util/proc.h"
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


/* ---- the "rich" fixture: compared with what lcov makes of it ------------ */

static char rich_lib[600], rich_main[600], rich_util[600];

static const char rich_util_code[] =
    "static inline int clampi(int x, int lo, int hi)\n"    /* 1 */
    "{\n"
    "    if (x < lo)\n"                                    /* 3 */
    "        return lo;\n"
    "    if (x > hi)\n"                                    /* 5 */
    "        return hi;\n"
    "    return x;\n"
    "}\n";

static const char rich_lib_code[] =
    "#include \"util.h\"\n"                               /* 1 */
    "int scale(int x);\n"
    "static int unused(int x)\n"                          /* 3 */
    "{\n"
    "    if (x > 0)\n"                                    /* 5: branches '-' */
    "        x--;\n"
    "    return x;\n"
    "}\n"
    "int (*volatile keep)(int) = unused;\n"
    "int scale(int x)\n"                                  /* 10 */
    "{\n"
    "    int y = clampi(x, 0, 10);\n"
    "    if (y == 7) /* LCOV_EXCL_BR_LINE */\n"            /* 13 */
    "        y++;\n"
    "    return y * 2;\n"
    "}\n"
    "/* LCOV_EXCL_START */\n"                             /* 17 */
    "int ignored(int x)\n"
    "{\n"
    "    return x ? 1 : 0;\n"
    "}\n"
    "/* LCOV_EXCL_STOP */\n";                             /* 22 */

static const char rich_main_code[] =
    "#include \"util.h\"\n"
    "int scale(int x);\n"
    "int main(int argc, char **argv)\n"                   /* 3 */
    "{\n"
    "    int sum = 0;\n"
    "    (void)argv;\n"
    "    for (int i = 0; i < 3; i++)\n"                    /* 7 */
    "        sum += scale(i * argc);\n"
    "    return clampi(sum, 0, 0);\n"
    "}\n";

/*
 * What lcov 1.16 writes for the rich fixture (gcc 12, -O0), with the
 * FNDA lines in FN order (lcov's own order is perl's hash order).
 * util.h's counts add its copies in lib.o (3 calls) and main.o (1).
 */
#define RICH_TRACEFILE                                                          \
    "TN:\nSF:%s/lib.c\nFN:3,unused\nFN:10,scale\nFNDA:0,unused\nFNDA:3,scale\n" \
    "FNF:2\nFNH:1\nBRDA:5,0,0,-\nBRDA:5,0,1,-\nBRF:2\nBRH:0\n"                  \
    "DA:3,0\nDA:5,0\nDA:6,0\nDA:7,0\nDA:10,3\nDA:12,3\nDA:13,3\nDA:14,0\n"      \
    "DA:15,3\nLF:9\nLH:4\nend_of_record\n"                                      \
    "TN:\nSF:%s/main.c\nFN:3,main\nFNDA:1,main\nFNF:1\nFNH:1\n"                 \
    "BRDA:7,0,0,3\nBRDA:7,0,1,1\nBRF:2\nBRH:2\n"                                \
    "DA:3,1\nDA:5,1\nDA:7,4\nDA:8,3\nDA:9,1\nLF:5\nLH:5\nend_of_record\n"       \
    "TN:\nSF:%s/util.h\nFN:1,clampi\nFNDA:4,clampi\nFNF:1\nFNH:1\n"             \
    "BRDA:3,0,0,0\nBRDA:3,0,1,4\nBRDA:5,0,0,1\nBRDA:5,0,1,3\nBRF:4\nBRH:3\n"    \
    "DA:1,4\nDA:3,4\nDA:4,0\nDA:5,4\nDA:6,1\nDA:7,3\nLF:6\nLH:5\nend_of_record\n"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* The objects sit in build/obj and build/obj/sub, as a grader build's may. */
static void setup_rich(void)
{
    strcpy(tmpdir, "/tmp/coverage_test.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(rich_lib, sizeof rich_lib, "%s/lib.c", tmpdir);
    snprintf(rich_main, sizeof rich_main, "%s/main.c", tmpdir);
    snprintf(rich_util, sizeof rich_util, "%s/util.h", tmpdir);
    snprintf(build_dir, sizeof build_dir, "%s/build", tmpdir);
    snprintf(out_dir, sizeof out_dir, "%s/out", tmpdir);
    write_file(rich_lib, rich_lib_code);
    write_file(rich_main, rich_main_code);
    write_file(rich_util, rich_util_code);
    char lib_o[700], main_o[700], sub[700];
    snprintf(sub, sizeof sub, "%s/build/obj/sub", tmpdir);
    ck_assert_int_eq(fs_mkdir_p(sub, 0755), 0);
    snprintf(lib_o, sizeof lib_o, "%s/build/obj/lib.o", tmpdir);
    snprintf(main_o, sizeof main_o, "%s/build/obj/sub/main.o", tmpdir);
    snprintf(exe, sizeof exe, "%s/build/prog", tmpdir);
    char *cc1[] = { "gcc", "-O0", "--coverage", "-c", rich_lib, "-o", lib_o, NULL };
    run_ok(cc1);
    char *cc2[] = { "gcc", "-O0", "--coverage", "-c", rich_main, "-o", main_o, NULL };
    run_ok(cc2);
    char *ld[] = { "gcc", "--coverage", lib_o, main_o, "-o", exe, NULL };
    run_ok(ld);
    char *run[] = { exe, NULL };
    run_ok(run);
}

static struct cov_request rich_request(const char *const *sources, size_t n, bool html)
{
    return (struct cov_request){
        .build_dir = build_dir, .sources = sources, .nsources = n,
        .out_dir = out_dir, .branches = true, .html = html,
    };
}

static char *read_text(const char *dir, const char *rel)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *text = NULL;
    size_t len;
    ck_assert_msg(fs_read_file(path, 1 << 20, &text, &len) == 0, "cannot read %s", path);
    return text;
}

static void collect_ok(const struct cov_request *req, struct res_coverage *cov)
{
    char err[512] = "";
    ck_assert_msg(cov_collect(req, cov, err, sizeof err) == 0, "%s", err);
}

static void assert_rich_totals(const struct res_coverage *cov)
{
    ck_assert(cov->present);
    ck_assert_uint_eq(cov->lines_total, 20);
    ck_assert_uint_eq(cov->lines_hit, 14);
    ck_assert_uint_eq(cov->functions_total, 4);
    ck_assert_uint_eq(cov->functions_hit, 3);
    ck_assert_uint_eq(cov->branches_total, 8);
    ck_assert_uint_eq(cov->branches_hit, 5);
}

START_TEST(test_tracefile_is_lcovs)
{
    /* Out of order on purpose: records come out sorted by path. */
    const char *sources[] = { rich_util, rich_lib, rich_main };
    struct cov_request req = rich_request(sources, 3, false);
    struct res_coverage cov;
    collect_ok(&req, &cov);
    assert_rich_totals(&cov);
    char expected[4096];
    snprintf(expected, sizeof expected, RICH_TRACEFILE, tmpdir, tmpdir, tmpdir);
    char *text = read_text(out_dir, "lcov.info");
    ck_assert_str_eq(text, expected);
    free(text);
    ck_assert(!exists(out_dir, "html"));
}
END_TEST

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of a text, sorted: tracefiles compared whatever their order. */
static char **sorted_lines(char *text, size_t *n)
{
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == '\n';
    char **v = calloc(cap, sizeof *v);
    ck_assert_ptr_nonnull(v);
    *n = 0;
    for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
        v[(*n)++] = l;
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

/*
 * The same data through lcov --capture/--extract (~0.25 s): the same
 * records and totals; and lcov --summary and genhtml accept our file.
 */
START_TEST(test_agrees_with_lcov)
{
    const char *sources[] = { rich_lib, rich_main, rich_util };
    struct cov_request req = rich_request(sources, 3, true);
    struct res_coverage cov, ref;
    collect_ok(&req, &cov);
    ck_assert(exists(out_dir, "html/index.html"));

    char cap[700], info[700], ours[700];
    snprintf(cap, sizeof cap, "%s/cap.info", tmpdir);
    snprintf(info, sizeof info, "%s/ref.info", tmpdir);
    snprintf(ours, sizeof ours, "%s/lcov.info", out_dir);
    char *capture[] = { "lcov", "--capture", "--directory", build_dir, "--output-file", cap,
                        "--quiet", "--rc", "lcov_branch_coverage=1", NULL };
    run_ok(capture);
    char *extract[] = { "lcov", "--extract", cap, rich_lib, rich_main, rich_util,
                        "--output-file", info, "--quiet", "--rc", "lcov_branch_coverage=1", NULL };
    run_ok(extract);
    ck_assert_int_eq(cov_read_tracefile(info, &ref), 0);
    ck_assert_mem_eq(&ref, &cov, sizeof cov);

    char *a = read_text(tmpdir, "ref.info"), *b = read_text(out_dir, "lcov.info");
    size_t na, nb;
    char **la = sorted_lines(a, &na), **lb = sorted_lines(b, &nb);
    ck_assert_uint_eq(na, nb);
    for (size_t i = 0; i < na; i++)
        ck_assert_str_eq(la[i], lb[i]);
    free(la);
    free(lb);
    free(a);
    free(b);

    char *summary[] = { "lcov", "--summary", ours, "--rc", "lcov_branch_coverage=1", NULL };
    char *out = NULL, err[512] = "", want[64];
    ck_assert_msg(proc_capture(summary, &out, err, sizeof err) == 0, "%s", err);
    snprintf(want, sizeof want, "(%u of %u lines)", cov.lines_hit, cov.lines_total);
    ck_assert_msg(strstr(out, want), "%s not in: %s", want, out);
    snprintf(want, sizeof want, "(%u of %u functions)", cov.functions_hit, cov.functions_total);
    ck_assert_msg(strstr(out, want), "%s not in: %s", want, out);
    snprintf(want, sizeof want, "(%u of %u branches)", cov.branches_hit, cov.branches_total);
    ck_assert_msg(strstr(out, want), "%s not in: %s", want, out);
    free(out);
}
END_TEST

/* Unnormalised and repeated paths; a subset of the sources; no branches. */
START_TEST(test_paths_normalised_and_branches_off)
{
    char dotted[700], updown[700];
    snprintf(dotted, sizeof dotted, "%s/./lib.c", tmpdir);
    snprintf(updown, sizeof updown, "%s/build/..//util.h", tmpdir);
    const char *sources[] = { dotted, updown, rich_lib };
    struct cov_request req = rich_request(sources, 3, false);
    req.branches = false;
    struct res_coverage cov;
    collect_ok(&req, &cov);
    ck_assert(cov.present);
    ck_assert_uint_eq(cov.lines_total, 9 + 6);
    ck_assert_uint_eq(cov.lines_hit, 4 + 5);
    ck_assert_uint_eq(cov.functions_total, 3);
    ck_assert_uint_eq(cov.functions_hit, 2);
    ck_assert_uint_eq(cov.branches_total, 0);
    char *text = read_text(out_dir, "lcov.info");
    ck_assert_ptr_null(strstr(text, "BRDA:"));
    ck_assert_ptr_null(strstr(text, "main.c"));
    char sf[700];
    snprintf(sf, sizeof sf, "SF:%s/lib.c\n", tmpdir);
    ck_assert_ptr_nonnull(strstr(text, sf));
    free(text);
}
END_TEST

/* A .gcda without its .gcno is not ours: skipped, not fatal. */
START_TEST(test_stray_gcda_is_ignored)
{
    char stray[700];
    snprintf(stray, sizeof stray, "%s/obj/stray.gcda", build_dir);
    write_file(stray, "not gcov data");
    const char *sources[] = { rich_lib, rich_main, rich_util };
    struct cov_request req = rich_request(sources, 3, false);
    struct res_coverage cov;
    collect_ok(&req, &cov);
    assert_rich_totals(&cov);
}
END_TEST

/* A damaged .gcda of ours is gcov's error, reported, with no totals. */
START_TEST(test_damaged_gcda_is_an_error)
{
    char gcda[700];
    snprintf(gcda, sizeof gcda, "%s/obj/lib.gcda", build_dir);
    write_file(gcda, "");
    const char *sources[] = { rich_lib };
    struct cov_request req = rich_request(sources, 1, false);
    struct res_coverage cov;
    char err[512] = "";
    ck_assert_int_eq(cov_collect(&req, &cov, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "gcov") && strstr(err, "lib.gcda"), "%s", err);
    ck_assert(!cov.present);
    ck_assert_uint_eq(cov.lines_total, 0);
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

    TCase *rich = tcase_create("coverage_lcov");
    tcase_add_checked_fixture(rich, setup_rich, teardown);
    tcase_set_timeout(rich, 30);
    tcase_add_test(rich, test_tracefile_is_lcovs);
    tcase_add_test(rich, test_agrees_with_lcov);
    tcase_add_test(rich, test_paths_normalised_and_branches_off);
    tcase_add_test(rich, test_stray_gcda_is_ignored);
    tcase_add_test(rich, test_damaged_gcda_is_an_error);
    suite_add_tcase(s, rich);
    return s;
}
