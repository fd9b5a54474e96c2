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

#include <stddef.h>

#include "cfg.h"
#include "result.h"
#include "sbx.h"
#include "strv.h"

/**
 * Runs `program --list` (trusted: outside the sandbox) and appends each
 * unit id to *ids.  Returns 0, or -1 with err[errlen].
 */
int trun_list(const char *program, struct strv *ids, char *err, size_t errlen);

/**
 * Runs unit ct->id of `program` in the sandbox `opts` (its workdir is the
 * scratch folder) under ct->limits and fills *t: checks, status,
 * message, output, times (t->cfg = ct; score is left to res_score()).
 * Returns 0, or -1 with err[errlen] if the grader itself failed.
 */
int trun_unit(const struct cfg_test *ct, const char *program,
              const struct sbx_opts *opts, struct res_test *t,
              char *err, size_t errlen);

/**
 * Reads Check's XML results file into t->checks/nchecks/passed/total.
 * Returns 0, or -1 if the file is missing or malformed.
 */
int trun_parse_xml(const char *path, struct res_test *t);

#endif /* TESTRUN_H */
