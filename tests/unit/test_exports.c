/*
 * test_exports.c -- unit tests of grader/src/report/exports.c (the LMS
 * exports) and annotations.c (GitHub workflow commands).  The CSVs are
 * parsed back with libcsv and each header is checked against the format
 * its LMS documents:
 *
 * - Canvas, "How do I import grades in the Gradebook?" (Canvas Instructor
 *   Guide; also its gradebook export): the columns Student, ID, SIS User
 *   ID, SIS Login ID, Section, then one column per assignment; a row whose
 *   Student is "Points Possible" gives the maxima.
 * - Moodle, "Grade import" (docs.moodle.org, CSV import): a header row; the
 *   import maps one column to a user field (username, useridnumber,
 *   useremail) and the others to grade items; Moodle's own CSV export
 *   names a grade column "<item> (Real)".
 */
#include <check.h>
#include <csv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/exports.h"
#include "report/report.h"
#include "score/result.h"
#include "suites.h"

/* ---- CSV rows, parsed with libcsv ------------------------------------------------ */

#define MAX_FIELDS 16
#define MAX_ROWS 16

struct rows {
    char *f[MAX_ROWS][MAX_FIELDS];
    size_t nf[MAX_ROWS];
    size_t n;
};

static void on_field(void *s, size_t len, void *data)
{
    struct rows *r = data;
    if (r->n < MAX_ROWS && r->nf[r->n] < MAX_FIELDS)
        r->f[r->n][r->nf[r->n]++] = strndup(s, len);
}

static void on_row(int c, void *data)
{
    (void)c;
    ((struct rows *)data)->n++;
}

static void parse(const char *text, struct rows *r)
{
    struct csv_parser p;
    memset(r, 0, sizeof *r);
    ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI), 0);
    ck_assert_uint_eq(csv_parse(&p, text, strlen(text), on_field, on_row, r), strlen(text));
    ck_assert_int_eq(csv_fini(&p, on_field, on_row, r), 0);
    csv_free(&p);
}

static void rows_free(struct rows *r)
{
    for (size_t i = 0; i < MAX_ROWS; i++)
        for (size_t k = 0; k < MAX_FIELDS; k++)
            free(r->f[i][k]);
}

/* ---- a class ------------------------------------------------------------------- */

static struct cfg_test ctests[2];
static struct grader_cfg cfg;

static void make_cfg(void)
{
    memset(&cfg, 0, sizeof cfg);
    memset(ctests, 0, sizeof ctests);
    cfg.name = "kernels";
    cfg.title = "Kernels, \"part 1\"";
    ctests[0] = (struct cfg_test){.id = "matmul/baseline", .name = "Baseline", .points = 5};
    ctests[1] = (struct cfg_test){.id = "relu/basic", .name = "ReLU", .points = 3};
    cfg.tests = ctests;
    cfg.ntests = 2;
}

static const struct exports_test ann_tests[] = {{"matmul/baseline", 5, 5}, {"relu/basic", 1, 3}};
static const struct exports_student class2[] = {
    {"ann", 6, 8, ann_tests, 2},
    {"bob, \"b\"", 0, 8, NULL, 0},     /* ungradable: no tests in its results */
};

START_TEST(test_canvas_header_and_rows)
{
    make_cfg();
    char *text = exports_canvas(&cfg, class2, 2);
    ck_assert_ptr_nonnull(text);
    struct rows r;
    parse(text, &r);
    static const char *const doc[] = {"Student", "ID", "SIS User ID", "SIS Login ID", "Section"};
    ck_assert_uint_eq(r.n, 4);
    ck_assert_uint_eq(r.nf[0], 6);
    for (size_t i = 0; i < 5; i++)
        ck_assert_str_eq(r.f[0][i], doc[i]);
    ck_assert_str_eq(r.f[0][5], "Kernels, \"part 1\"");
    ck_assert_str_eq(r.f[1][0], "Points Possible");
    ck_assert_str_eq(r.f[1][5], "8.00");
    for (size_t i = 2; i < 4; i++) {
        ck_assert_uint_eq(r.nf[i], 6);
        ck_assert_str_eq(r.f[i][0], class2[i - 2].name);
        ck_assert_str_eq(r.f[i][1], "");
        ck_assert_str_eq(r.f[i][3], class2[i - 2].name);   /* SIS Login ID */
    }
    ck_assert_str_eq(r.f[2][5], "6.00");
    ck_assert_str_eq(r.f[3][5], "0.00");
    rows_free(&r);
    free(text);
}
END_TEST

START_TEST(test_moodle_header_and_rows)
{
    make_cfg();
    char *text = exports_moodle(&cfg, class2, 2);
    ck_assert_ptr_nonnull(text);
    struct rows r;
    parse(text, &r);
    ck_assert_uint_eq(r.n, 3);
    ck_assert_uint_eq(r.nf[0], 2);
    ck_assert_str_eq(r.f[0][0], "Username");               /* maps to "username" */
    ck_assert_str_eq(r.f[0][1], "Kernels, \"part 1\" (Real)");
    ck_assert_str_eq(r.f[1][0], "ann");
    ck_assert_str_eq(r.f[1][1], "6.00");
    ck_assert_str_eq(r.f[2][0], "bob, \"b\"");
    rows_free(&r);
    free(text);
}
END_TEST

START_TEST(test_long_format)
{
    make_cfg();
    char *text = exports_long(&cfg, class2, 2);
    ck_assert_ptr_nonnull(text);
    struct rows r;
    parse(text, &r);
    ck_assert_uint_eq(r.n, 5);
    ck_assert_str_eq(r.f[0][0], "student");
    ck_assert_str_eq(r.f[0][1], "test");
    ck_assert_str_eq(r.f[0][2], "score");
    ck_assert_str_eq(r.f[0][3], "max");
    ck_assert_str_eq(r.f[2][1], "relu/basic");
    ck_assert_str_eq(r.f[2][2], "1.00");
    ck_assert_str_eq(r.f[2][3], "3.00");
    /* a student without the test: 0 of the config's points */
    ck_assert_str_eq(r.f[3][0], "bob, \"b\"");
    ck_assert_str_eq(r.f[3][2], "0.00");
    ck_assert_str_eq(r.f[3][3], "5.00");
    rows_free(&r);
    free(text);
}
END_TEST

/* students/NAME/results.json with one test. */
static void write_student(const char *out, const char *name, double score, const char *status)
{
    char path[512];
    snprintf(path, sizeof path, "%s/students/%s", out, name);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    strcat(path, "/results.json");
    json_t *doc = json_pack("{s:f, s:[{s:f, s:f, s:{s:s, s:s}}]}", "score", score, "tests",
                            "score", score, "max_score", 5.0, "extra_data", "id",
                            "matmul/baseline", "status", status);
    ck_assert_int_eq(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
}

START_TEST(test_write_reads_the_class)
{
    make_cfg();
    char out[400], path[512], err[256] = "";
    const char *tmp = getenv("TMPDIR");
    snprintf(out, sizeof out, "%s/exports-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(out));
    snprintf(path, sizeof path, "%s/students", out);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    write_student(out, "zed", 2.5, "failed");
    write_student(out, "amy", 5, "passed");
    snprintf(path, sizeof path, "%s/students/unfinished", out);   /* no results.json */
    ck_assert_int_eq(mkdir(path, 0700), 0);
    ck_assert_int_eq(exports_write(&cfg, out, err, sizeof err), 0);
    for (size_t i = 0; exports_files[i]; i++) {
        char *text = NULL;
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", out, exports_files[i]);
        FILE *f = fopen(path, "r");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_ge(getdelim(&text, &len, '\0', f), 0);
        fclose(f);
        struct rows r;
        parse(text, &r);
        if (strcmp(exports_files[i], "moodle.csv") == 0) {
            ck_assert_uint_eq(r.n, 3);                 /* header, amy, zed: name order */
            ck_assert_str_eq(r.f[1][0], "amy");
            ck_assert_str_eq(r.f[2][0], "zed");
            ck_assert_str_eq(r.f[2][1], "2.50");
        }
        if (strcmp(exports_files[i], "scores-long.csv") == 0)
            ck_assert_uint_eq(r.n, 1 + 2 * 2);         /* 2 students x 2 config tests */
        rows_free(&r);
        free(text);
        unlink(path);
    }
    snprintf(path, sizeof path, "rm -rf '%s'", out);
    ck_assert_int_eq(system(path), 0);
}
END_TEST

/* ---- annotations ------------------------------------------------------------------ */

START_TEST(test_annotations_github)
{
    make_cfg();
    char *srcs[] = {"/repo/harness/kernels/visible/test_matmul.c"};
    cfg.base_dir = "/repo";
    cfg.build.sources.v = srcs;
    cfg.build.sources.n = 1;
    ctests[0].visibility = CFG_VIS_VISIBLE;
    ctests[1].visibility = CFG_VIS_HIDDEN;
    struct res_check checks[] = {
        {.name = "test_small", .message = "expected 1, got 2: 50% off\nsee",
         .where = "test_matmul.c:42"},
        {.name = "test_ok", .passed = true, .message = "Passed", .where = "test_matmul.c:50"},
        {.name = "test_elsewhere", .message = "bad", .where = "other.c:7"},
    };
    struct res_test tests[] = {
        {.cfg = &ctests[0], .status = RES_FAILED, .checks = checks, .nchecks = 3},
        {.cfg = &ctests[1], .status = RES_ERROR, .message = "SECRET hidden"},
    };
    struct res_submission s = {.student = "ann", .status = RES_GRADED, .tests = tests,
                               .ntests = 2};
    char *text = report_annotations_github(&s, &cfg, "assignments/kernels");
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text,
        "::error file=harness/kernels/visible/test_matmul.c,line=42,"
        "title=Baseline%3A test_small::expected 1, got 2: 50%25 off%0Asee\n"
        "::error title=Baseline%3A test_elsewhere::bad\n");
    free(text);

    /* ungradable: each compiler error at the student's file */
    struct res_submission u = {.student = "bob", .status = RES_UNGRADABLE,
                               .reason = "kernels.c does not compile",
                               .build_log = "kernels.c: In function 'relu':\n"
                                            "kernels.c:12:5: error: expected ';' before '}'\n"
                                            "kernels.c:20:1: warning: unused\n"
                                            "kernels.c:3:10: fatal error: x.h: No such file\n"};
    text = report_annotations_github(&u, &cfg, "assignments/kernels");
    ck_assert_ptr_nonnull(text);
    ck_assert_str_eq(text, "::error file=assignments/kernels/kernels.c,line=12,col=5,"
                           "title=compile error::expected ';' before '}'\n"
                           "::error file=assignments/kernels/kernels.c,line=3,col=10,"
                           "title=compile error::x.h: No such file\n");
    free(text);
    u.build_log = NULL;
    text = report_annotations_github(&u, &cfg, "assignments/kernels");
    ck_assert_str_eq(text, "::error title=not graded::kernels.c does not compile\n");
    free(text);
}
END_TEST

Suite *exports_suite(void)
{
    Suite *s = suite_create("exports");
    TCase *tc = tcase_create("csv");
    tcase_add_test(tc, test_canvas_header_and_rows);
    tcase_add_test(tc, test_moodle_header_and_rows);
    tcase_add_test(tc, test_long_format);
    tcase_add_test(tc, test_write_reads_the_class);
    suite_add_tcase(s, tc);
    tc = tcase_create("annotations");
    tcase_add_test(tc, test_annotations_github);
    suite_add_tcase(s, tc);
    return s;
}
