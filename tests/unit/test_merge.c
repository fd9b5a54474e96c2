/*
 * test_merge.c -- unit tests of grader/src/scale/merge.c.  Each test builds
 * batch outputs by hand in a temporary folder (results.json and
 * gradebook-row.csv written by the report module, as grading writes
 * them), merges them, and checks OUT: which students were copied, the
 * gradebook's bytes, and that conflicts, locks and odd files are refused
 * before anything is written.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scale/batch.h"
#include "util/fsutil.h"
#include "scale/merge.h"
#include "report/report.h"
#include "score/result.h"
#include "seam_flock.h"
#include "suites.h"

static char root[64];
static struct cfg_test cfg_tests[2];
static struct grader_cfg cfg;
static struct merge_summary sum;
static char err[1024];

static void setup(void)
{
    seam_flock_errno = 0;
    memset(&cfg, 0, sizeof cfg);
    memset(cfg_tests, 0, sizeof cfg_tests);
    cfg.name = "kernels";
    cfg.title = "Kernels";
    cfg_tests[0] = (struct cfg_test){.id = "matmul/baseline", .name = "Baseline", .points = 5,
                                     .partial = true, .visibility = CFG_VIS_VISIBLE};
    cfg_tests[1] = (struct cfg_test){.id = "simd/relu", .name = "ReLU", .points = 5,
                                     .partial = true, .visibility = CFG_VIS_HIDDEN};
    cfg.tests = cfg_tests;
    cfg.ntests = 2;
    snprintf(root, sizeof root, "/tmp/test-merge-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    memset(&sum, 0, sizeof sum);
    err[0] = '\0';
}

static void teardown(void)
{
    merge_summary_release(&sum);
    fs_remove_tree(root);
}

/* root/<printf path>, malloc'd. */
static char *at(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *at(const char *fmt, ...)
{
    char *rel = NULL, *path = NULL;
    va_list ap;
    va_start(ap, fmt);
    ck_assert_int_ge(vasprintf(&rel, fmt, ap), 0);
    va_end(ap);
    ck_assert_int_ge(asprintf(&path, "%s/%s", root, rel), 0);
    free(rel);
    return path;
}

/* Writes text to root/rel, creating the folders on the way. */
static void put(const char *rel, const char *text)
{
    char *path = at("%s", rel);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    ck_assert_int_eq(fs_mkdir_p(path, 0755), 0);
    *slash = '/';
    ck_assert_int_eq(fs_write_atomic(path, text, strlen(text)), 0);
    free(path);
}

static char *slurp(const char *rel)
{
    char *path = at("%s", rel), *text = NULL;
    size_t len;
    ck_assert_msg(fs_read_file(path, 1u << 20, &text, &len) == 0, "cannot read %s", path);
    free(path);
    return text;
}

static bool exists(const char *rel)
{
    char *path = at("%s", rel);
    struct stat sb;
    bool yes = lstat(path, &sb) == 0;
    free(path);
    return yes;
}

/*
 * A finished student in root/<out>/students/<name>/, as grading writes
 * it: results.json, gradebook-row.csv (header and row), a report and a
 * nested coverage page.  Returns the student's gradebook row (malloc'd).
 */
static char *student(const char *out, const char *name, unsigned passed)
{
    struct res_submission s;
    res_submission_init(&s);
    s.student = strdup(name);
    s.ntests = 2;
    s.tests = calloc(2, sizeof *s.tests);
    ck_assert_ptr_nonnull(s.tests);
    for (size_t i = 0; i < 2; i++) {
        s.tests[i].cfg = &cfg_tests[i];
        s.tests[i].total = 4;
        s.tests[i].passed = passed;
        s.tests[i].status = passed == 4 ? RES_PASSED : RES_FAILED;
    }
    s.coverage = (struct res_coverage){true, passed, 4, 1, 1, passed, 4};
    res_score(&s);
    char *json = report_json(&s, &cfg, 1.5), *hdr = report_gradebook_header(&cfg);
    char *row = report_gradebook_row(&s, &cfg), *csv = NULL;
    ck_assert_int_ge(asprintf(&csv, "%s%s", hdr, row), 0);
    char *dir = NULL, *rel = NULL;
    ck_assert_int_ge(asprintf(&dir, "%s/students/%s", out, name), 0);
    ck_assert_int_ge(asprintf(&rel, "%s/report.txt", dir), 0);
    put(rel, name);
    free(rel);
    ck_assert_int_ge(asprintf(&rel, "%s/coverage/html/index.html", dir), 0);
    put(rel, "<p>coverage</p>");
    free(rel);
    ck_assert_int_ge(asprintf(&rel, "%s/gradebook-row.csv", dir), 0);
    put(rel, csv);
    free(rel);
    ck_assert_int_ge(asprintf(&rel, "%s/results.json", dir), 0);
    put(rel, json);
    free(rel);
    free(dir);
    free(json);
    free(hdr);
    free(csv);
    res_submission_release(&s);
    return row;
}

/* The header and the given rows, concatenated: the gradebook expected. */
static char *gradebook(size_t n, char **rows)
{
    char *text = report_gradebook_header(&cfg);
    for (size_t i = 0; i < n; i++) {
        char *more = NULL;
        ck_assert_int_ge(asprintf(&more, "%s%s", text, rows[i]), 0);
        free(text);
        free(rows[i]);
        text = more;
    }
    return text;
}

/* Merges the inputs (relative to root) into root/out. */
static int merge(size_t n, const char *const *rel)
{
    char *paths[8], *out = at("out");
    ck_assert_uint_le(n, 8);
    for (size_t i = 0; i < n; i++)
        paths[i] = at("%s", rel[i]);
    struct merge_opts o = {.inputs = (const char *const *)paths, .ninputs = n, .out_dir = out};
    merge_summary_release(&sum);
    int rc = merge_run(&cfg, &o, &sum, err, sizeof err);
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(out);
    return rc;
}

static void assert_gradebook(const char *expected)
{
    char *got = slurp("out/gradebook.csv");
    ck_assert_str_eq(got, expected);
    free(got);
}

START_TEST(test_disjoint_shards)
{
    char *rows[3];
    rows[0] = student("s1", "alice", 4);
    rows[2] = student("s1", "carol", 1);
    rows[1] = student("s2", "bob", 2);
    const char *in[] = {"s1", "s2"};
    ck_assert_msg(merge(2, in) == 0, "%s", err);
    ck_assert_uint_eq(sum.inputs, 2);
    ck_assert_uint_eq(sum.students, 3);
    ck_assert_uint_eq(sum.copied, 3);
    ck_assert_uint_eq(sum.unchanged, 0);
    char *expected = gradebook(3, rows);
    assert_gradebook(expected);
    free(expected);
    /* whole folders, nested ones included, byte for byte */
    char *a = slurp("s1/students/carol/results.json"), *b = slurp("out/students/carol/results.json");
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    ck_assert(exists("out/students/bob/coverage/html/index.html"));
    /* the class rows, in name order, read back from results.json */
    ck_assert_uint_eq(sum.class.nrows, 3);
    ck_assert_str_eq(sum.class.rows[0].student, "alice");
    ck_assert_str_eq(sum.class.rows[1].student, "bob");
    ck_assert_str_eq(sum.class.rows[2].student, "carol");
    ck_assert(sum.class.rows[0].score == 10.0);
    ck_assert(exists("out/index.html"));
}
END_TEST

START_TEST(test_conflict_writes_nothing)
{
    free(student("s1", "alice", 4));
    free(student("s1", "bob", 4));
    free(student("s2", "alice", 3));   /* graded twice, differently */
    const char *in[] = {"s1", "s2"};
    ck_assert_int_eq(merge(2, in), -1);
    ck_assert_ptr_nonnull(strstr(err, "'alice'"));
    ck_assert_ptr_nonnull(strstr(err, "different results"));
    ck_assert(!exists("out/students/alice"));
    ck_assert(!exists("out/students/bob"));
    ck_assert(!exists("out/gradebook.csv"));
}
END_TEST

START_TEST(test_conflict_in_an_extra_file)
{
    free(student("s1", "alice", 4));
    free(student("s2", "alice", 4));   /* same results, but one more file */
    put("s2/students/alice/coverage/extra.txt", "x");
    const char *in[] = {"s1", "s2"};
    ck_assert_int_eq(merge(2, in), -1);
    ck_assert_ptr_nonnull(strstr(err, "'alice'"));
}
END_TEST

START_TEST(test_identical_duplicate_is_fine)
{
    char *rows[1] = {student("s1", "alice", 4)};
    free(student("s2", "alice", 4));   /* the same bytes */
    const char *in[] = {"s1", "s2"};
    ck_assert_msg(merge(2, in) == 0, "%s", err);
    ck_assert_uint_eq(sum.students, 1);
    ck_assert_uint_eq(sum.duplicates, 1);
    ck_assert_uint_eq(sum.copied, 1);
    char *expected = gradebook(1, rows);
    assert_gradebook(expected);
    free(expected);
}
END_TEST

START_TEST(test_unfinished_skipped)
{
    char *rows[1] = {student("s1", "alice", 4)};
    free(student("s2", "dave", 4));
    char *json = at("s2/students/dave/results.json");
    ck_assert_int_eq(unlink(json), 0);   /* its grading never finished */
    free(json);
    free(student("s2", ".erin.partial", 4));   /* a batch's work in progress */
    const char *in[] = {"s1", "s2"};
    ck_assert_msg(merge(2, in) == 0, "%s", err);
    ck_assert_uint_eq(sum.students, 1);
    ck_assert_uint_eq(sum.unfinished, 1);
    ck_assert(!exists("out/students/dave"));
    ck_assert(!exists("out/students/.erin.partial"));
    char *expected = gradebook(1, rows);
    assert_gradebook(expected);
    free(expected);
}
END_TEST

START_TEST(test_out_locked)
{
    free(student("s1", "alice", 4));
    put("out/.lock", "");
    char *lock = at("out/.lock");
    int fd = open(lock, O_RDWR);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);   /* as a running batch holds it */
    const char *in[] = {"s1"};
    ck_assert_int_eq(merge(1, in), -1);
    ck_assert_ptr_nonnull(strstr(err, "another grader batch is writing"));
    ck_assert(!exists("out/students/alice"));
    close(fd);
    ck_assert_msg(merge(1, in) == 0, "%s", err);   /* free again */
    ck_assert(exists("out/students/alice/results.json"));
    free(lock);
}
END_TEST

START_TEST(test_input_being_graded)
{
    free(student("s1", "alice", 4));
    put("s1/.lock", "");
    char *lock = at("s1/.lock");
    int fd = open(lock, O_RDWR);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
    const char *in[] = {"s1"};
    ck_assert_int_eq(merge(1, in), -1);
    ck_assert_ptr_nonnull(strstr(err, "is writing to"));
    ck_assert(!exists("out/students/alice"));
    close(fd);
    free(lock);
}
END_TEST

/* A course's shared folder without locks (NFS without lockd): the locks
 * cannot be taken, nobody can hold them either, and the merge goes on. */
START_TEST(test_no_locks_on_the_file_system)
{
    char *rows[1] = {student("s1", "alice", 4)};
    put("s1/.lock", "");                /* a batch ran there once */
    seam_flock_errno = ENOLCK;
    const char *in[] = {"s1"};
    ck_assert_msg(merge(1, in) == 0, "%s", err);
    ck_assert(exists("out/students/alice/results.json"));
    char *expected = gradebook(1, rows);
    assert_gradebook(expected);
    free(expected);
    /* the batch's own lock too: OUT ready and its descriptor open, so the
     * caller's syncfs() and close() work as with a lock */
    int fd = -1;
    char *out = at("out");
    ck_assert_msg(batch_lock_out(out, &fd, err, sizeof err) == 0, "%s", err);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(syncfs(fd), 0);
    close(fd);
    /* a lock that is held is still refused: only the errors differ */
    seam_flock_errno = EWOULDBLOCK;
    ck_assert_int_eq(batch_lock_out(out, &fd, err, sizeof err), -1);
    ck_assert_int_eq(fd, -1);
    ck_assert_ptr_nonnull(strstr(err, "another grader batch is writing"));
    ck_assert_int_eq(merge(1, in), -1);
    free(out);
}
END_TEST

START_TEST(test_not_a_batch_output)
{
    put("nothing/file.txt", "x");
    const char *in[] = {"nothing"};
    ck_assert_int_eq(merge(1, in), -1);
    ck_assert_ptr_nonnull(strstr(err, "no students/ folder"));
    const char *missing[] = {"missing"};
    ck_assert_int_eq(merge(1, missing), -1);
    ck_assert_ptr_nonnull(strstr(err, "not a folder"));
    ck_assert_int_eq(merge(0, NULL), -1);
}
END_TEST

START_TEST(test_symlink_refused)
{
    free(student("s1", "alice", 4));
    char *link = at("s1/students/alice/coverage/passwd");
    ck_assert_int_eq(symlink("/etc/passwd", link), 0);
    free(link);
    const char *in[] = {"s1"};
    ck_assert_int_eq(merge(1, in), -1);
    ck_assert_ptr_nonnull(strstr(err, "neither a folder nor a regular file"));
    ck_assert(!exists("out/students/alice"));
    ck_assert(!exists("out/students/.alice.partial"));
}
END_TEST

START_TEST(test_rerun_replaces_changed_keeps_others)
{
    char *rows[3];
    rows[0] = student("s1", "alice", 2);
    rows[1] = student("s2", "bob", 4);
    const char *in[] = {"s1", "s2"};
    ck_assert_msg(merge(2, in) == 0, "%s", err);
    ck_assert_msg(merge(2, in) == 0, "%s", err);
    ck_assert_uint_eq(sum.copied, 0);
    ck_assert_uint_eq(sum.unchanged, 2);

    free(rows[0]);
    rows[0] = student("s1", "alice", 4);   /* regraded in its shard */
    rows[2] = student("out", "zed", 1);    /* only in OUT: kept */
    put("out/students/.bob.partial/results.json", "{");   /* a killed merge's leftover */
    ck_assert_msg(merge(2, in) == 0, "%s", err);
    ck_assert_uint_eq(sum.copied, 1);
    ck_assert_uint_eq(sum.unchanged, 1);
    ck_assert(!exists("out/students/.bob.partial"));
    char *expected = gradebook(3, rows);
    assert_gradebook(expected);
    free(expected);
}
END_TEST

START_TEST(test_out_is_an_input)
{
    char *rows[2];
    rows[0] = student("out", "alice", 4);
    rows[1] = student("s2", "bob", 3);
    const char *in[] = {"out", "s2"};
    ck_assert_msg(merge(2, in) == 0, "%s", err);
    ck_assert_uint_eq(sum.students, 2);
    ck_assert_uint_eq(sum.copied, 1);
    ck_assert_uint_eq(sum.unchanged, 1);
    char *expected = gradebook(2, rows);
    assert_gradebook(expected);
    free(expected);
}
END_TEST

START_TEST(test_batch_gradebook_header_only)
{
    /* no finished student: the gradebook still has the config's header */
    put("out/students/.keep/x", "");
    struct batch_summary bs = {0};
    struct strv names = {0};
    char *out = at("out"), *students = at("out/students");
    ck_assert_int_eq(batch_list_students(students, &names), 0);
    ck_assert_uint_eq(names.n, 0);
    ck_assert_int_eq(batch_write_gradebook(&cfg, out, &names, &bs, err, sizeof err), 0);
    char *expected = report_gradebook_header(&cfg);
    assert_gradebook(expected);
    ck_assert_uint_eq(bs.nrows, 0);
    free(expected);
    free(out);
    free(students);
    strv_clear(&names);
    batch_summary_release(&bs);
}
END_TEST

Suite *merge_suite(void)
{
    Suite *s = suite_create("merge");
    TCase *tc = tcase_create("merge");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_disjoint_shards);
    tcase_add_test(tc, test_conflict_writes_nothing);
    tcase_add_test(tc, test_conflict_in_an_extra_file);
    tcase_add_test(tc, test_identical_duplicate_is_fine);
    tcase_add_test(tc, test_unfinished_skipped);
    tcase_add_test(tc, test_out_locked);
    tcase_add_test(tc, test_input_being_graded);
    tcase_add_test(tc, test_no_locks_on_the_file_system);
    tcase_add_test(tc, test_not_a_batch_output);
    tcase_add_test(tc, test_symlink_refused);
    tcase_add_test(tc, test_rerun_replaces_changed_keeps_others);
    tcase_add_test(tc, test_out_is_an_input);
    tcase_add_test(tc, test_batch_gradebook_header_only);
    suite_add_tcase(s, tc);
    return s;
}
