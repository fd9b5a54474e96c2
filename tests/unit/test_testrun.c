/*
 * test_testrun.c -- unit tests of grader/src/run/testrun.c's shared runs
 * (trun_group()): each unit gets its own part of the run's output, its
 * own XML and the runner's times, and every way the run can fail to give
 * a unit its own result sends that unit (or all of them) back to a run
 * of its own.  The "test program" is a shell script that speaks the
 * runner's --each-xml protocol (runner.h), misbehaving as MODE says; it
 * runs without a sandbox (SBX_LEVEL_NONE) as this process's user.
 */
#include <check.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"
#include "run/testrun.h"

static char dir[256], program[300];

/* Speaks --each-xml: markers, a summary, one passing check per unit (or
 * one failing check for a unit named fail/...).  MODE: ok; nomarker (the
 * second unit's stderr marker is missing); noxml (no XML for the second
 * unit); chatty (the first unit prints 3000 bytes: over a 2 KiB limit);
 * crash (the runner dies after the first unit); forged (the first unit
 * prints the second one's marker); notes (the first unit leaves a line
 * unfinished, then the harness's notes follow: tcheck.h). */
static const char script[] =
    "#!/bin/sh\n"
    "while [ $# -gt 0 ]; do\n"
    "  case $1 in --each-xml) d=$2; shift 2;; --budget) shift 2;; --quiet|--notes) shift;;\n"
    "  --only) ids=\"$ids $2\"; shift 2;; *) exit 2;; esac\n"
    "done\n"
    "n=0 rc=0\n"
    "for id in $ids; do\n"
    "  n=$((n + 1)) f=$d/results-$(echo $id | tr / -).xml res=success\n"
    "  case $id in fail/*) res=failure rc=1;; esac\n"
    "  [ \"$MODE\" = nomarker ] && [ $n = 2 ] || printf '\\ntc-unit: %s\\n' $id >&2\n"
    "  echo \"tc-unit: $id\"\n"
    "  echo \"$id says hello\" >&2\n"
    "  [ \"$MODE\" = chatty ] && [ $n = 1 ] && head -c 3000 /dev/zero | tr '\\0' x >&2\n"
    "  [ \"$MODE\" = notes ] && [ $n = 1 ] && printf 'partial\\ntc-threads: test_1\\n"
    "\\ntc-leak: test_1: 1 tensor(s) created during the test were never freed\\n"
    "said tc-threads: x\\n\\ntc-threads: not a name\\n' >&2\n"
    "  [ \"$MODE\" = forged ] && [ $n = 1 ] && printf '\\ntc-unit: %s\\n' \"${ids##* }\" >&2\n"
    "  [ \"$MODE\" = noxml ] && [ $n = 2 ] || printf '<testsuites><suite><title>s</title>"
    "<test result=\"%s\"><fn>t.c:1</fn><id>test_%s</id><description>c</description>"
    "<message>m%s</message></test></suite></testsuites>\\n' $res $n $n > $f\n"
    "  [ $res = success ] && echo '1 passed, 0 failed' || echo '0 passed, 1 failed'\n"
    "  echo \"tc-unit-end: $((n * 10)) $((n * 7))\"\n"
    "  [ \"$MODE\" = crash ] && kill -9 $$\n"
    "done\n"
    "exit $rc\n";

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/testrun-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(program, sizeof program, "%s/tests", dir);
    FILE *f = fopen(program, "w");
    ck_assert_ptr_nonnull(f);
    fputs(script, f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(program, 0755), 0);
}

static void teardown(void)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Three units (the third fails), under MODE; ts[] and ok[] filled. */
static void run_three(const char *mode, struct cfg_test cts[3], struct res_test ts[3],
                      bool ok[3])
{
    static const char *const ids[] = {"a/one", "b/two", "fail/three"};
    const struct cfg_test *ptrs[3];
    char env_mode[64], err[256] = "";
    snprintf(env_mode, sizeof env_mode, "MODE=%s", mode);
    const char *env[] = {"PATH=/usr/bin:/bin", env_mode, NULL};
    for (int i = 0; i < 3; i++) {
        memset(&cts[i], 0, sizeof cts[i]);
        cts[i].id = (char *)ids[i];
        cts[i].points = 1;
        cts[i].limits = (struct cfg_limits){.cpu_ms = 10000, .wall_ms = 10000,
                                            .memory_bytes = 1ull << 30, .processes = 0,
                                            .output_bytes = 2048, .file_size_bytes = 1 << 20};
        ptrs[i] = &cts[i];
    }
    struct sbx_opts o;
    sbx_opts_init(&o);
    o.use_bwrap = SBX_LEVEL_NONE;
    o.uid = geteuid();
    o.gid = getegid();
    o.workdir = dir;
    o.env = env;
    ck_assert_int_eq(trun_group(ptrs, 3, program, &o, ts, ok, err, sizeof err), 0);
    ck_assert_str_eq(err, "");
}

static void release_three(struct res_test ts[3])
{
    for (int i = 0; i < 3; i++)
        res_test_release(&ts[i]);
}

START_TEST(test_each_unit_its_own_part)
{
    struct cfg_test cts[3];
    struct res_test ts[3];
    bool ok[3];
    run_three("ok", cts, ts, ok);
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(ok[i], "unit %d", i);
        ck_assert_ptr_eq(ts[i].cfg, &cts[i]);
        ck_assert_uint_eq(ts[i].total, 1);
        ck_assert_uint_eq(ts[i].runs, 1);
        ck_assert_uint_eq(ts[i].wall_ms, 10u * (unsigned)(i + 1));   /* the runner's times */
        ck_assert_uint_eq(ts[i].cpu_ms, 7u * (unsigned)(i + 1));
    }
    ck_assert_int_eq(ts[0].status, RES_PASSED);
    ck_assert_str_eq(ts[0].message, "all 1 checks passed");
    ck_assert_str_eq(ts[0].checks[0].name, "test_1");
    /* what a run of its own would show: its summary, then its stderr, nothing of the others */
    ck_assert_str_eq(ts[0].output, "1 passed, 0 failed\na/one says hello\n");
    ck_assert_str_eq(ts[1].output, "1 passed, 0 failed\nb/two says hello\n");
    ck_assert_int_eq(ts[2].status, RES_FAILED);
    ck_assert_uint_eq(ts[2].failed_runs, 1);
    ck_assert_str_eq(ts[2].checks[0].message, "m3");
    ck_assert_str_eq(ts[2].output, "0 passed, 1 failed\nfail/three says hello\n");
    release_three(ts);
    ck_assert_int_ne(access(dir, F_OK), -1);
    char xml[400];   /* the results files are gone */
    snprintf(xml, sizeof xml, "%s/results-a-one.xml", dir);
    ck_assert_int_eq(access(xml, F_OK), -1);
}
END_TEST

START_TEST(test_missing_results)
{
    struct cfg_test cts[3];
    struct res_test ts[3];
    bool ok[3];
    run_three("noxml", cts, ts, ok);
    ck_assert(ok[0] && !ok[1] && ok[2]);
    ck_assert_uint_eq(ts[1].total, 0);      /* nothing kept: it runs alone */
    ck_assert_ptr_null(ts[1].output);
    ck_assert_ptr_eq(ts[1].cfg, &cts[1]);
    release_three(ts);
}
END_TEST

START_TEST(test_missing_marker)
{
    struct cfg_test cts[3];
    struct res_test ts[3];
    bool ok[3];
    run_three("nomarker", cts, ts, ok);   /* the runner always prints them: trust none */
    ck_assert(!ok[0] && !ok[1] && !ok[2]);
    release_three(ts);
}
END_TEST

START_TEST(test_part_over_its_own_limit)
{
    struct cfg_test cts[3];
    struct res_test ts[3];
    bool ok[3];
    run_three("chatty", cts, ts, ok);   /* 3000 bytes, the limit 2048: cut alone too */
    ck_assert(!ok[0] && ok[1] && ok[2]);
    release_three(ts);
}
END_TEST

START_TEST(test_run_that_died)
{
    struct cfg_test cts[3];
    struct res_test ts[3];
    bool ok[3];
    run_three("crash", cts, ts, ok);   /* killed after the first unit: none is trusted */
    for (int i = 0; i < 3; i++) {
        ck_assert(!ok[i]);
        ck_assert_uint_eq(ts[i].total, 0);
    }
    release_three(ts);
}
END_TEST

START_TEST(test_forged_marker_moves_text_only)
{
    struct cfg_test cts[3];
    struct res_test ts[3];
    bool ok[3];
    run_three("forged", cts, ts, ok);
    ck_assert(ok[0] && ok[1] && ok[2]);
    ck_assert_int_eq(ts[0].status, RES_PASSED);
    ck_assert_int_eq(ts[1].status, RES_PASSED);
    ck_assert_int_eq(ts[2].status, RES_FAILED);   /* the verdicts are the XML's */
    release_three(ts);
}
END_TEST

/* The harness's notes: counted, leaks and threads, then dropped from the
 * output, which keeps what the unit printed, its unfinished line too. */
START_TEST(test_harness_notes)
{
    struct cfg_test cts[3];
    struct res_test ts[3];
    bool ok[3];
    run_three("notes", cts, ts, ok);
    ck_assert(ok[0] && ok[1] && ok[2]);
    ck_assert_str_eq(ts[0].threaded, "test_1\n");
    ck_assert_uint_eq(ts[0].leaks, 1);
    ck_assert_ptr_nonnull(strstr(ts[0].notes, "memory: test_1: 1 tensor(s)"));
    ck_assert_str_eq(ts[0].output, "1 passed, 0 failed\na/one says hello\n"
                                   "partialsaid tc-threads: x\n");
    ck_assert_ptr_null(ts[1].threaded);
    ck_assert_uint_eq(ts[1].leaks, 0);
    release_three(ts);
}
END_TEST

Suite *testrun_suite(void)
{
    Suite *s = suite_create("testrun");
    TCase *tc = tcase_create("group");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_each_unit_its_own_part);
    tcase_add_test(tc, test_missing_results);
    tcase_add_test(tc, test_missing_marker);
    tcase_add_test(tc, test_part_over_its_own_limit);
    tcase_add_test(tc, test_run_that_died);
    tcase_add_test(tc, test_forged_marker_moves_text_only);
    tcase_add_test(tc, test_harness_notes);
    suite_add_tcase(s, tc);
    return s;
}
