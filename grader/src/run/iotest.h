/*
 * iotest.h -- the io tests: run the student's program (the io build,
 * build.h) in the sandbox with a test's arguments, stdin and environment,
 * and compare its stdout, stderr and exit status with the expected ones.
 * Prefix iot_.
 *
 * Each run gets a fresh folder (the sandbox's workdir, its cwd) holding a
 * copy of the program, named io.program, and the test's `files`; nothing
 * else of the grading is visible, so a visible test cannot read a hidden
 * test's inputs.  stdin is the test's stdin_file, or its inline stdin
 * written outside that folder, or /dev/null: the grader opens it
 * (sbx_opts.stdin_path), and reading past its end is end of file.  The
 * environment is PATH=/usr/bin:/bin, HOME=/tmp and LC_ALL=C, then the
 * test's env.  The limits are the test's (cfg_test.limits); output beyond
 * limits.output is cut by the sandbox, and a stream that was cut fails its
 * check ("more than the output limit").
 *
 * Each expectation the test gives (stdout, stderr, exit) is one check
 * (res_check): "stdout", "stderr", "exit status".  A check's message is
 * "Passed", or the first difference as a short diff: a summary line, then
 * the expected and the actual line (or field), cleaned (iot_clean()) and
 * clipped.  The test is RES_PASSED when every check passes, RES_FAILED
 * otherwise (partial credit: res_score()), and RES_ERROR (no points) when
 * the program did not end by itself: killed by a signal, at the wall or
 * CPU limit, or at the file size limit.  t->output holds the program's
 * stdout and stderr, cleaned and clipped to IOT_OUTPUT_SHOWN bytes each.
 */
#ifndef IOTEST_H
#define IOTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "config/cfg.h"
#include "sandbox/sbx.h"
#include "score/result.h"

/** Bytes of each stream kept in t->output. */
#define IOT_OUTPUT_SHOWN 2048

/**
 * Runs io test `ct` (kind io): `program` is the io build, `run_root` a
 * folder of the grader's (scratch/BLD_IO_DIR) in which the run's folder
 * and the inline stdin's file are made and removed again.  `base` gives
 * the sandbox level, uid, gid and cancel flag (its workdir, env and
 * stdin_path are replaced).  Fills *t (initialised here; t->cfg = ct).
 * Returns 0 whatever the program did, or -1 with err[errlen] if the
 * grader failed (no sandbox, an unreadable expected file, disk full).
 */
int iot_run(const struct cfg_test *ct, const char *program, const char *run_root,
            const struct sbx_opts *base, struct res_test *t, char *err, size_t errlen);

/**
 * Compares `got` (got_len bytes, may hold NULs and invalid UTF-8) with
 * `want` under `mode`; numeric fields match when |got - want| <=
 * max(tol, rel x |want|).  Returns 1 when they match, 0 when they do not
 * (*why gets the first difference: a summary line, then "  expected: ..."
 * and "  got:      ..." lines; malloc'd), -1 when memory ran out.
 */
int iot_compare(enum cfg_io_compare mode, double tol, double rel, const char *want,
                size_t want_len, const char *got, size_t got_len, char **why);

/**
 * `s` (n bytes) as printable, valid UTF-8 text of at most `max` bytes
 * (then "..." is added): valid UTF-8 is kept, newlines and tabs too when
 * `lines`; every other byte (control characters, NUL, bytes of invalid
 * UTF-8) becomes "\xNN".  Malloc'd; NULL when memory ran out.
 */
char *iot_clean(const char *s, size_t n, size_t max, bool lines);

#endif /* IOTEST_H */
