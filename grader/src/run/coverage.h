/*
 * coverage.h -- line, function and branch coverage of the student's files
 * from one graded run, from gcov's JSON, as an lcov tracefile and, when
 * wanted, genhtml's pages.  Prefix cov_.
 *
 * The student files are compiled with --coverage in the scratch folder
 * and the tests run there, so the .gcda counters land next to the
 * objects (and their .gcno notes).  cov_collect()
 *     1. finds every .gcda under BUILD_DIR (sub-folders too) that has its
 *        .gcno beside it;
 *     2. runs "gcov --json-format --stdout --branch-probabilities" once
 *        on all of them;
 *     3. keeps the records of the requested sources and writes them to
 *        OUT/lcov.info as lcov 1.16 would (lcov --capture, then --extract
 *        of the sources): same TN/SF/FN/FNDA/FNF/FNH/BRDA/BRF/BRH/DA/LF/LH
 *        lines, same merging of copies (a header inlined in two objects),
 *        same '-' for branches of blocks never run, same exclusion markers
 *        (LCOV_EXCL_LINE, _START/_STOP, _BR_LINE, ...);
 *     4. runs genhtml on it for OUT/html/, when html is wanted;
 *     5. runs gcovr for OUT/cobertura.xml (GitLab's coverage view), when
 *        cobertura is wanted.
 * The tools run directly (proc.h: fork/exec, no shell), as the grader;
 * with a source_root they run in it (coreutils' env --chdir), so that
 * their outputs name the sources relative to it too.
 *
 * Paths.  With a source_root, lcov.info names each source relative to it
 * (SF:kernels.c), so the tracefile is the same bytes for the same
 * coverage wherever the scratch folder was, and renders again with
 * `cd SUBMISSION && genhtml .../lcov.info` once that folder is gone;
 * genhtml's pages put the files under one folder named "root" (its
 * --prefix), not under the scratch folder's random name.
 *
 * Cost (gcc 12, the 1250-line reference solution after the full test
 * run): ~8 ms without html (gcov ~5 ms; lcov's perl took ~300 ms for
 * the same tracefile), genhtml ~90 ms more, gcovr ~0.4 s of CPU more
 * (python, and it runs gcov again).
 */
#ifndef COVERAGE_H
#define COVERAGE_H

#include <stdbool.h>
#include <stddef.h>

#include "score/result.h"

struct cov_request {
    const char *build_dir;        /* where the .gcno/.gcda files are (any depth) */
    const char *const *sources;   /* absolute paths of the student sources
                                     (compared after removing "//", "/./",
                                     "dir/.."; relative: to the cwd) */
    size_t nsources;
    const char *out_dir;          /* writes OUT/lcov.info and OUT/html/; created
                                     (mkdir -p) when .gcda files exist */
    const char *source_root;      /* lcov.info and cobertura.xml name the sources
                                     relative to this folder (the sources under it;
                                     others keep their absolute path); NULL:
                                     absolute paths */
    bool branches;
    bool html;
    bool cobertura;               /* also OUT/cobertura.xml (gcovr: Cobertura XML,
                                     timestamp 0, <source> "." = source_root) */
};

/**
 * Collects coverage into req->out_dir and fills *cov (cov->present set
 * when a requested source has data).  OUT/lcov.info is written only
 * then; it reads back to the same totals with cov_read_tracefile().
 * Returns 0; 1 with err[errlen] if only genhtml or gcovr failed (missing,
 * broken): *cov and lcov.info stand, OUT/html/ or OUT/cobertura.xml is
 * removed; or -1 with err[errlen]
 * if gcov failed (e.g. a damaged .gcda) or OUT cannot be written; *cov
 * is then zeroed.  No
 * .gcda (no test ran, or no --coverage), .gcda files of other sources
 * only, or a .gcda without its .gcno (not from our build: skipped) are
 * not failures.  Branch totals are 0 and BRDA lines absent unless
 * req->branches.
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
