/*
 * test_crashloc.c -- unit tests of grader/src/run/crashloc.c: reading the
 * runner's tc-location lines, picking the student's location out of
 * addr2line's output (never a harness file or a hidden test's function),
 * the words a check's message gets, and stripping the lines from output.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "run/crashloc.h"

#define ROOT "/tmp/grader-1-x/grade-Ab"

static const char *const roots[] = {ROOT};

/* What the runner printed for a unit (and what the student's code did). */
static const char run_err[] =
    "0 passed, 2 failed\n"
    "tc-location: vectorized/operations/test_seed SIGSEGV 0xac38 0x18594 0x18d37\n"
    "a kernel's printf tc-location: x/y/z SIGSEGV 0x1\n"
    "tc-location: hidden_vectorized/shapes/test_2d hung 0x1f1bc 0x1f994\n"
    "tc-location: malformed\n"
    "tc-location: a/b/c SIGSEGV 0x12 not-an-offset 0x34\n";

/* addr2line -a -f -i -e tests 0xac38 0x18594 0x18d37 0x1f1bc 0x1f994 0x12 */
static const char a2l_out[] =
    "0x000000000000ac38\n"
    "vectorized_operations\n"
    ROOT "/kernels.c:1421\n"
    "0x0000000000018594\n"
    "check_operations\n"
    "/work/main/harness/kernels/visible/test_vectorized.c:149\n"
    "0x0000000000018d37\n"
    "test_seed_body\n"
    "/work/main/harness/kernels/visible/test_vectorized.c:191\n"
    "test_seed_fn\n"
    "/work/main/harness/kernels/visible/test_vectorized.c:178\n"
    "0x000000000001f1bc\n"
    "secret_hidden_helper\n"
    "/work/main/harness/kernels/hidden/test_hidden_vectorized.c:165\n"
    "0x000000000001f994\n"
    "test_2d_fn\n"
    "/work/main/harness/kernels/hidden/test_hidden_vectorized.c:190\n"
    "0x0000000000000012\n"
    "??\n"
    "??:0\n";

START_TEST(test_parse_lines)
{
    struct cloc_set set = {0};
    ck_assert_int_eq(cloc_parse(run_err, &set), 0);
    ck_assert_uint_eq(set.n, 3);   /* a line's middle and a malformed line do not count */
    ck_assert_str_eq(set.v[0].test, "test_seed");
    ck_assert_str_eq(set.v[0].what, "SIGSEGV");
    ck_assert_uint_eq(set.v[0].first, 0);
    ck_assert_uint_eq(set.v[0].n, 3);
    ck_assert_str_eq(set.v[1].test, "test_2d");
    ck_assert_str_eq(set.v[1].what, "hung");
    ck_assert_uint_eq(set.v[1].first, 3);
    ck_assert_uint_eq(set.v[1].n, 2);
    ck_assert_uint_eq(set.v[2].n, 1);   /* offsets end at the first bad word */
    ck_assert_uint_eq(set.offsets.n, 6);
    ck_assert_str_eq(set.offsets.v[3], "0x1f1bc");
    cloc_release(&set);
    ck_assert_uint_eq(set.n, 0);
}
END_TEST

START_TEST(test_resolve_student_line_only)
{
    struct cloc_set set = {0};
    ck_assert_int_eq(cloc_parse(run_err, &set), 0);
    ck_assert_int_eq(cloc_resolve(&set, a2l_out, roots, 1), 0);
    ck_assert(set.resolved);
    ck_assert_str_eq(set.v[0].where, "in vectorized_operations() at kernels.c:1421");
    /* A hidden test's frames: nothing named. */
    ck_assert_ptr_null(set.v[1].where);
    ck_assert_ptr_null(set.v[2].where);
    char *d = cloc_describe(&set, &set.v[0]);
    ck_assert_str_eq(d, "crashed (SIGSEGV) in vectorized_operations() at kernels.c:1421");
    free(d);
    d = cloc_describe(&set, &set.v[1]);
    ck_assert_str_eq(d, "still running outside your code when the time was nearly up");
    ck_assert_ptr_null(strstr(d, "hidden"));
    free(d);
    cloc_release(&set);
}
END_TEST

/* An inlined helper of the student's is named at its own line; a staged
 * harness header inlined into the student's code is not the student's:
 * the call site in kernels.c is named instead.  Clone suffixes go. */
START_TEST(test_resolve_inlined)
{
    static const char a2l[] =
        "0x0000000000001000\n"
        "kernels_last_error\n"
        ROOT "/include/0/kernels.h:66\n"
        "relu_row.constprop.0\n"
        ROOT "/kernels.c:40 (discriminator 3)\n"
        "relu\n"
        ROOT "/kernels.c:77\n"
        "0x0000000000002000\n"
        "worker.part.0\n"
        ROOT "/src/more.c:9\n";
    struct cloc_set set = {0};
    ck_assert_int_eq(cloc_parse("tc-location: s/c/t1 SIGFPE 0x1000\n"
                                "tc-location: s/c/t2 SIGBUS 0x2000\n", &set), 0);
    ck_assert_int_eq(cloc_resolve(&set, a2l, roots, 1), 0);
    ck_assert_str_eq(set.v[0].where, "in relu_row() at kernels.c:40");
    ck_assert_str_eq(set.v[1].where, "in worker() at src/more.c:9");
    cloc_release(&set);
}
END_TEST

/* The working folder through another path (a symlinked TMPDIR) counts too. */
START_TEST(test_resolve_second_root)
{
    static const char *const two[] = {"/tmp/link/grade-Ab/", "/real/grade-Ab"};
    struct cloc_set set = {0};
    ck_assert_int_eq(cloc_parse("tc-location: s/c/t SIGSEGV 0x10\n", &set), 0);
    ck_assert_int_eq(cloc_resolve(&set, "0x10\nf\n/real/grade-Ab/kernels.c:3\n", two, 2), 0);
    ck_assert_str_eq(set.v[0].where, "in f() at kernels.c:3");
    cloc_release(&set);
    /* A sibling folder whose name starts the same is not under the root. */
    ck_assert_int_eq(cloc_parse("tc-location: s/c/t SIGSEGV 0x10\n", &set), 0);
    ck_assert_int_eq(cloc_resolve(&set, "0x10\nf\n/real/grade-Abc/kernels.c:3\n", two, 2), 0);
    ck_assert_ptr_null(set.v[0].where);
    cloc_release(&set);
}
END_TEST

/* Not resolved (no addr2line): the signal only, no claim about the code. */
START_TEST(test_describe_unresolved)
{
    struct cloc_set set = {0};
    ck_assert_int_eq(cloc_parse("tc-location: s/c/t SIGABRT 0x10\n"
                                "tc-location: s/c/u hung 0x10\n", &set), 0);
    char *d = cloc_describe(&set, &set.v[0]);
    ck_assert_str_eq(d, "crashed (SIGABRT)");
    free(d);
    d = cloc_describe(&set, &set.v[1]);
    ck_assert_str_eq(d, "still running when the time was nearly up");
    free(d);
    cloc_release(&set);
}
END_TEST

/* A test that timed out waiting on itself: said with or without a place. */
START_TEST(test_describe_waiting)
{
    static const char a2l[] =
        "0x0000000000001000\n"
        "parallel_batch_processing\n"
        ROOT "/kernels.c:512\n";
    struct cloc_set set = {0};
    ck_assert_int_eq(cloc_parse("tc-location: s/c/t waiting 0x1000\n"
                                "tc-location: s/c/u waiting\n"
                                "tc-location: s/c/v hung 0x1000\n", &set), 0);
    ck_assert_uint_eq(set.n, 3);
    ck_assert(cloc_site_waited(&set.v[0]));
    ck_assert(cloc_site_waited(&set.v[1]));
    ck_assert(!cloc_site_waited(&set.v[2]));
    ck_assert_uint_eq(set.v[1].n, 0);   /* no sample of where (a blocked signal) */
    ck_assert_int_eq(cloc_resolve(&set, a2l, roots, 1), 0);
    char *d = cloc_describe(&set, &set.v[0]);
    ck_assert_str_eq(d, "waiting in parallel_batch_processing() at kernels.c:512 when the "
                        "time was nearly up, every thread blocked and none computing: a "
                        "deadlock, or a wait that nothing ends");
    free(d);
    d = cloc_describe(&set, &set.v[1]);
    ck_assert_str_eq(d, "waiting when the time was nearly up, every thread blocked and "
                        "none computing: a deadlock, or a wait that nothing ends");
    free(d);
    cloc_release(&set);
}
END_TEST

START_TEST(test_strip)
{
    char *s = cloc_strip(run_err);
    ck_assert_str_eq(s, "0 passed, 2 failed\n"
                        "a kernel's printf tc-location: x/y/z SIGSEGV 0x1\n");
    free(s);
    s = cloc_strip("no newline at the end");
    ck_assert_str_eq(s, "no newline at the end");
    free(s);
    s = cloc_strip("tc-location: a/b/c hung 0x1");
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

/* Many lines: at most CLOC_MAX_SITES sites of at most CLOC_MAX_OFFSETS offsets. */
START_TEST(test_parse_caps)
{
    size_t cap = 200 * 400;
    char *text = calloc(1, cap), *p = text;
    for (int i = 0; i < 200; i++) {
        p += sprintf(p, "tc-location: s/c/t%d SIGSEGV", i);
        for (int k = 0; k < CLOC_MAX_OFFSETS + 5; k++)
            p += sprintf(p, " 0x%x", k + 1);
        *p++ = '\n';
    }
    struct cloc_set set = {0};
    ck_assert_int_eq(cloc_parse(text, &set), 0);
    ck_assert_uint_eq(set.n, CLOC_MAX_SITES);
    ck_assert_uint_eq(set.v[0].n, CLOC_MAX_OFFSETS);
    cloc_release(&set);
    free(text);
}
END_TEST

Suite *crashloc_suite(void)
{
    Suite *s = suite_create("crashloc");
    TCase *tc = tcase_create("locations");
    tcase_add_test(tc, test_parse_lines);
    tcase_add_test(tc, test_resolve_student_line_only);
    tcase_add_test(tc, test_resolve_inlined);
    tcase_add_test(tc, test_resolve_second_root);
    tcase_add_test(tc, test_describe_unresolved);
    tcase_add_test(tc, test_describe_waiting);
    tcase_add_test(tc, test_strip);
    tcase_add_test(tc, test_parse_caps);
    suite_add_tcase(s, tc);
    return s;
}
