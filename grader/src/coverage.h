/*
 * coverage.h -- line, function and branch coverage of the student's files
 * from one graded run, with lcov and genhtml.  Prefix cov_.
 *
 * The student files are compiled with --coverage in the scratch folder
 * and the tests run there, so the .gcda counters land next to the
 * objects.  cov_collect() runs
 *     lcov --capture --directory BUILD_DIR --rc lcov_branch_coverage=1
 *     lcov --extract ... only the student sources
 *     genhtml (when html is wanted)
 * and reads the totals back from the tracefile (LF/LH, FNF/FNH, BRF/BRH).
 * The tools run directly (proc.h: fork/exec, no shell), as the grader.
 *
 * Cost (lcov 1.16, gcc 12, one 1250-line file): capture ~0.34 s (perl's
 * geninfo; gcov itself takes ~5 ms), extract ~0.08 s, genhtml ~0.13 s.
 */
#ifndef COVERAGE_H
#define COVERAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "result.h"

struct cov_request {
    const char *build_dir;        /* where the .gcno/.gcda files are */
    const char *const *sources;   /* absolute paths of the student sources */
    size_t nsources;
    const char *out_dir;          /* writes OUT/lcov.info and OUT/html/; created
                                     (mkdir -p) when coverage data exists */
    bool branches;
    bool html;
};

/**
 * Collects coverage into req->out_dir and fills *cov (cov->present set
 * when data was found).  Returns 0, or -1 with err[errlen] if lcov or
 * genhtml failed (a missing .gcda, e.g. because no test ran, is not a
 * failure: cov->present stays false; nor are .gcda files of other
 * sources only).  Branch totals are 0 unless req->branches.
 */
int cov_collect(const struct cov_request *req, struct res_coverage *cov,
                char *err, size_t errlen);

/**
 * Reads the totals of an lcov tracefile into *cov, summed over its
 * records; cov->present iff it has at least one record (SF:).  Returns
 * 0, or -1 (errno set) if the file cannot be read.
 */
int cov_read_tracefile(const char *path, struct res_coverage *cov);

#endif /* COVERAGE_H */
