/*
 * runner.h -- the test program's main: runs tc_suite tables under Check.
 *
 * One runner binary links the harness, the suites and the student's code.
 * Students run it through `make test`; the grader runs it once per graded
 * unit inside the sandbox.  Its command line is the contract between the
 * two:
 *
 *   tests [--list] [--only ID]... [--xml FILE | --each-xml DIR]
 *         [--timeout SECONDS] [--budget SECONDS] [--quiet] [--notes]
 *
 *   --list       print every graded unit as "suite/case<TAB>ntests", exit 0
 *   --only ID    run only suite ID, unit suite/case or one test
 *                suite/case/test (as FAIL lines name it); repeatable
 *   --xml FILE   also write Check's XML results to FILE
 *   --each-xml DIR  run each --only ID on its own, one after another, as
 *                `--only ID --xml DIR/results-ID.xml` would (each '/' of
 *                ID a '-'): one process for many units.  Before each,
 *                "tc-unit: ID" on stdout and, after an empty line, on
 *                stderr; after it, "tc-unit-end: WALL_MS CPU_MS" on stdout
 *   --timeout S  Check's per-test timeout when a case sets none (default 10)
 *   --budget S   the time the caller gives a whole case: each test's
 *                timeout is at most S / (tests + 1), so a case whose tests
 *                all hang still ends in time and keeps its passing tests
 *   --quiet      no per-test lines, only the summary; and no tc_info()
 *                output (timings), so graded output is the same every run
 *   --notes      the grader's notes on stderr too: "tc-threads: TEST" at a
 *                test's first thread (tcheck.h); a student's run has none
 *
 * Environment: TC_SEED=N (a decimal number) runs the visible tests on
 * random inputs drawn from N instead of their literal cases (tcheck.h,
 * "the grading seed"); the grader sets it.  Any other value is a usage
 * error.  The tensors tensor_empty() returns are always poisoned
 * (tensor.h), so an element a kernel never writes fails its test.
 *
 * Every test runs in its own forked process (CK_FORK, forced) as a Check
 * exit test expecting TC_EXIT_PASSED.  Output: one line per test,
 * "PASS suite/case/test" or "FAIL suite/case/test: file:line: message",
 * then "N passed, N failed".  stdout is line-buffered, so a test's debug
 * printf lines survive a pipe and a crash.  Exit status: 0 all passed, 1 some failed,
 * 2 usage error (including an --only ID that matches nothing).
 */
#ifndef RUNNER_H
#define RUNNER_H

#include "tcheck.h"

/** Runs the command line above over `suites` (NULL-terminated). */
int runner_main(int argc, char **argv, const struct tc_suite *const suites[]);

#endif /* RUNNER_H */
