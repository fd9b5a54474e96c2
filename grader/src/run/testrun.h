/*
 * testrun.h -- run the graded units of a built test program in the
 * sandbox and read their results.  Prefix trun_.
 *
 * The test program follows harness/check/runner.h: `--list` names its
 * units, `--only ID --xml FILE` runs one unit and writes Check's XML.
 * The verdict comes only from that XML, which the trusted runner process
 * writes after its forked test processes end -- never from what the
 * program prints, so student code printing "100%: Checks: 9" changes
 * nothing.  No XML (the runner was killed, timed out, or the student's
 * code took the whole process down) makes the unit RES_ERROR with the
 * sandbox's reason.
 */
#ifndef TESTRUN_H
#define TESTRUN_H

#include <stdbool.h>
#include <stddef.h>

#include "config/cfg.h"
#include "score/result.h"
#include "sandbox/sbx.h"
#include "util/strv.h"

/**
 * Runs `program --list` (trusted: outside the sandbox) and appends each
 * unit id to *ids.  Returns 0, or -1 with err[errlen].
 */
int trun_list(const char *program, struct strv *ids, char *err, size_t errlen);

/**
 * Runs unit ct->id of `program` in the sandbox `opts` (its workdir is the
 * scratch folder) under ct->limits and fills *t: checks, status,
 * message, output, notes and leaks (the harness's leak notes), times,
 * runs = 1 (t->cfg = ct; score is left to res_score()), and threaded:
 * the tests that started threads (the harness's "tc-threads"
 * notes, tcheck.h, dropped from the output like its leak notes).  A check whose
 * test crashed or hung has where in the student's code after its message
 * (crashloc.h: " (crashed (SIGSEGV) in relu() at kernels.c:172)"; one
 * more sandbox run, addr2line's), and the runner's tc-location lines are
 * not in the output.
 * Returns 0, or -1 with err[errlen] if the grader itself failed.
 */
int trun_unit(const struct cfg_test *ct, const char *program,
              const struct sbx_opts *opts, struct res_test *t,
              char *err, size_t errlen);

/** What a ThreadSanitizer run found (trun_tsan_unit()); trun_tsan_release() frees it. */
struct trun_tsan {
    char *races;                  /* tsan_races() for the student files, or NULL: none */
    enum res_test_status verdict; /* the run's status, as trun_unit() would give it */
    char *verdict_msg;            /* what trun_unit() would say of it ("all 2 checks
                                     passed", "timed out after 60.0 s") */
    bool stalled;                 /* it timed out while hardly running (res_test_stalled()):
                                     races after the stall were not looked for */
};

/**
 * The ThreadSanitizer run of unit ct->id (cfg.h, struct cfg_tsan), or
 * with `tests` (names, one a line: res_test.threaded) of only those tests:
 * `program` is the TSan build, run in the sandbox `opts` (whose env
 * carries TSAN_OPTIONS) under `lim` without RLIMIT_AS (TSan reserves
 * terabytes), with its XML results in xml_dir.  Only TSan's reports are
 * read: out->races gets tsan_races() of its stderr for the student files
 * `files`.  The run's checks give no verdict (the tests build did, and
 * TSan slows code 5-15x), but they say whether TSan watched the whole
 * unit: out->verdict, out->verdict_msg, out->stalled.
 * Returns 0, or -1 with err[errlen] if the grader itself failed (*out is
 * then empty).
 */
int trun_tsan_unit(const struct cfg_test *ct, const char *tests, const struct cfg_limits *lim,
                   const char *program, const struct sbx_opts *opts, const char *xml_dir,
                   const char *const files[], size_t nfiles, struct trun_tsan *out,
                   char *err, size_t errlen);

/** Frees out's strings and zeroes it.  Safe twice. */
void trun_tsan_release(struct trun_tsan *out);

/**
 * Reads Check's XML results file into t->checks/nchecks/passed/total.
 * Returns 0, or -1 if the file is missing or malformed.
 */
int trun_parse_xml(const char *path, struct res_test *t);

/**
 * Runs the units cts[0..n) of `program` (n >= 1; all with the same limits
 * but wall) in ONE sandbox run, the runner's --each-xml, whose wall-clock
 * limit is the sum of theirs and whose output limit n times theirs, and
 * fills ts[i] as trun_unit() would have from a run of its own: its part
 * of the output (between the runner's tc-unit lines), its XML, the
 * runner's measure of its time.  ok[i] says ts[i] holds that; where it is
 * false ts[i] holds nothing and the caller runs cts[i] alone: all of them
 * when the run did not end as a runner that ran them all does (exit
 * status 0 or 1, nothing cut from the output), one whose results or part
 * are missing, or whose part is longer than its own run would have kept.
 * The units' output is told apart by markers their own code could also
 * print: group only units whose output the same readers see.  Saves the
 * sandbox's and the program's start per unit.
 * Returns 0, or -1 with err[errlen] if the grader itself failed.
 */
int trun_group(const struct cfg_test *const cts[], size_t n, const char *program,
               const struct sbx_opts *opts, struct res_test ts[], bool ok[],
               char *err, size_t errlen);

/**
 * Runs the units cts[0..n) of `program` in ONE sandbox run under `lim`
 * (one process, the runner's --only for each; Check still forks per
 * test) and fills ts[i] for cts[i] as trun_unit() does, but without
 * output or notes: checks, status, message, leaks (the harness's tc-leak
 * lines naming one of its checks), times (the run's).  A unit
 * the run wrote no result for is RES_ERROR with the sandbox's reason.
 * For mutation analysis, where a run's overhead outweighs its tests.
 * Returns 0, or -1 with err[errlen] if the grader itself failed.
 */
int trun_units(const struct cfg_test *const cts[], size_t n, const struct cfg_limits *lim,
               const char *program, const struct sbx_opts *opts, struct res_test ts[],
               char *err, size_t errlen);

#endif /* TESTRUN_H */
