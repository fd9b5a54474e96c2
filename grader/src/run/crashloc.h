/*
 * crashloc.h -- where in the student's code a test crashed or hung, for
 * the grader's reports.  Prefix cloc_.
 *
 * The test runner (harness/check/runner.c, built without libdw in the
 * grader's Check build) records where each test child was when it died of
 * a signal or was about to be killed at its timeout, and after the run
 * prints one line per such failed test on stderr:
 *
 *     tc-location: vectorized/operations/test_seed SIGSEGV 0xac38 0x18594 ...
 *
 * (the test's suite/case/test, the signal's name, "hung", or "waiting"
 * for a test that timed out with every thread asleep on a futex or a
 * timer and its CPU time still (runner.c, "a hang that waits on
 * itself"), then offsets
 * into the test program: the faulting instruction first, then the calls
 * that led to it).  The grader symbolizes those offsets with binutils'
 * addr2line, run in the unit's sandbox like any tool that reads what the
 * student's build produced (the test program's line tables hold the
 * student's -g1 ones), and keeps the first location in the student's
 * code: "crashed (SIGSEGV) in relu() at kernels.c:172".
 *
 * The student's code is what was compiled in the unit's working folder
 * (the grader copies the student's files into the scratch folder and
 * compiles them there; the trusted harness objects come from the cache):
 * a location counts only when its file lies under that folder, outside
 * the build's staged header folders (include*).  So a location never
 * names a harness file, a hidden test or its function: at worst it says
 * "outside your code".  The lines come from the test program's stderr,
 * which the student's code may write too: a forged line can only point
 * at the student's own lines or add words to its own test's message.
 */
#ifndef CRASHLOC_H
#define CRASHLOC_H

#include <stdbool.h>
#include <stddef.h>

#include "sandbox/sbx.h"
#include "util/strv.h"

#define CLOC_TAG "tc-location: "
#define CLOC_MAX_SITES 64            /* lines read from one run */
#define CLOC_MAX_OFFSETS 32          /* offsets read from one line */

/** One tc-location line. */
struct cloc_site {
    char *test;                      /* the test's own name: "test_seed" */
    char *what;                      /* "SIGSEGV", "SIGFPE", ..., "hung" or "waiting" */
    size_t first, n;                 /* its offsets: set->offsets.v[first .. first+n) */
    char *where;                     /* after cloc_resolve(): "in relu() at kernels.c:172",
                                        or NULL when no offset is in the student's code */
};

/** The tc-location lines of one run; zeroed = empty. */
struct cloc_set {
    struct cloc_site *v;
    size_t n;
    struct strv offsets;             /* every site's offsets, "0x..." */
    bool resolved;                   /* cloc_resolve() ran: where == NULL means
                                        "outside your code", not "unknown" */
};

/**
 * Appends the tc-location lines of `text` (a run's stderr; lines that do
 * not start with CLOC_TAG, or are malformed, are skipped) to *set.
 * Returns 0, or -1 when out of memory.  Release with cloc_release().
 */
int cloc_parse(const char *text, struct cloc_set *set);

/** Frees the contents of *set (not set itself) and leaves it empty. */
void cloc_release(struct cloc_set *set);

/**
 * Fills each site's `where` from `a2l`, the output of
 * `addr2line -a -f -i -e PROGRAM OFFSETS...` run on set->offsets in
 * order: per offset, its address line, then (function, file:line) pairs,
 * innermost inlined function first.  A site's where is the first pair, in
 * its offsets' order, whose file lies under one of roots[0..nroots) (the
 * unit's working folder, as given and as resolved), outside the staged
 * include* folders; the file is named relative to the root.  Sets
 * set->resolved.  Returns 0, or -1 when out of memory.
 */
int cloc_resolve(struct cloc_set *set, const char *a2l, const char *const roots[],
                 size_t nroots);

/**
 * Runs addr2line on set's offsets in `program`, in the sandbox `opts`
 * (the unit's: its workdir is where the student's code was compiled),
 * and calls cloc_resolve() with that folder.  Does nothing for an empty
 * set.  Returns 0, or -1 with err[errlen] when addr2line could not run
 * or failed (set->resolved stays false: the sites are still described,
 * without a line).
 */
int cloc_locate(struct cloc_set *set, const char *program, const struct sbx_opts *opts,
                char *err, size_t errlen);

/**
 * Whether site s is a test that timed out waiting on itself ("waiting").
 * The line may be forged by the student's code, like any other: then it
 * only spares the student's own timeout its second run.
 */
bool cloc_site_waited(const struct cloc_site *s);

/**
 * What site s says, for a check's message: "crashed (SIGSEGV) in relu()
 * at kernels.c:172", "still running in relu() at kernels.c:172 when the
 * time was nearly up", "waiting in relu() at kernels.c:172 when the time
 * was nearly up, every thread blocked and none computing: ...",
 * "crashed (SIGSEGV) outside your code" (resolved, no location of the
 * student's) or "crashed (SIGSEGV)" (not resolved).  malloc'd; NULL when
 * out of memory.
 */
char *cloc_describe(const struct cloc_set *set, const struct cloc_site *s);

/** A copy of text without its tc-location lines; NULL when out of memory. */
char *cloc_strip(const char *text);

#endif /* CRASHLOC_H */
