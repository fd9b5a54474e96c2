/*
 * release.h -- what leaves the instructor's tree: the student release,
 * the Gradescope package, and the scanner that keeps secrets out of
 * both.  Prefix rel_.
 *
 * Files: release.c (rel_write_release), gradescope.c
 * (rel_write_gradescope), leakscan.c (rel_secrets_*, rel_scan),
 * student_config.c (rel_student_config); shipset.c holds what the two
 * writers share (release_priv.h).
 *
 * The student release (rel_write_release) mirrors the repository's
 * layout for what it ships, so the student Makefile works unchanged:
 *
 *   - each student_files[].stub, at its path;
 *   - every file of release.files (the headers, the tensor library, the
 *     Check support, the visible suites, the student Makefile and README,
 *     the grader's own source: all as they are);
 *   - config.yaml, generated with libyaml's emitter: the student config,
 *     which grades with the visible check and io tests.  It has no hidden
 *     test, no "solution" path, no "release" or "grading" section, and
 *     build.sources = release.sources.  When release.files lists every
 *     performance source and a performance test is visible (the release
 *     ships the performance program), it also has the performance section
 *     (flags, sources, caches, limits as graded) and the visible
 *     performance tests, and those sources are student sources below;
 *   - .github/workflows/grade.yml and .gitlab-ci.yml, from the templates
 *     built into the grader (tmpl.h), which grade the stub's folder with
 *     the student config and fail under release.ci.fail_under percent.
 *
 * Before anything is written, every file that would ship is scanned
 * (rel_scan) for what the students must not see, and the release is
 * refused, naming each file and what it would leak:
 *
 *   (a) solution code: the lines between the BEGIN SOLUTION and END
 *       SOLUTION markers of each student_files[].solution that are not
 *       also lines of the stub generated from it (stubgen.h).  Lines are
 *       compared with white space trimmed and runs of blanks collapsed.
 *       Common lines (a loop header, "return NULL;") appear in any C file,
 *       so a file leaks when it has one such line of at least
 *       REL_LONG_LINE characters, or REL_RUN consecutive ones of at least
 *       REL_SHORT_LINE characters (shorter lines in between are skipped);
 *   (b) hidden tests: the id and the name of every test that is not
 *       visible, the suite names of those ids that no shipped test shares
 *       (as the start of an identifier, so "hidden_x_suite" counts), and
 *       the names of the test functions (TC_TEST(name), START_TEST(name))
 *       of the sources that build the grader's program but not the
 *       students' (as whole identifiers);
 *   (c) instructor-only config values: the paths, relative to the
 *       config's folder, of the solutions and of those unshipped sources
 *       (and of the performance program's), and the config's absolute
 *       folder.  Shipping one of those files at all is refused too.
 *
 * The release is written into a temporary folder next to the output
 * folder and renamed into place, so the output folder either does not
 * exist or holds a whole release.  An existing non-empty output folder is
 * refused (it is never deleted).
 *
 * The Gradescope package (rel_write_gradescope) is a zip, written with
 * libzip: setup.sh and run_autograder (executable) at its root, and
 * source/ with the instructor's tree needed to grade: the config (as
 * source/config.yaml), the grader's source, the stubs, every trusted
 * source of build.sources and performance.sources (hidden suites
 * included) and the *.h files of the include folders and of those
 * sources' folders -- never a solution: no packaged file may be at a
 * solution's path or have a solution's bytes.  The package is for
 * Gradescope, never shown to students, so its hidden suites and the
 * performance program's naive kernels (which share common lines with the
 * solution) are not scanned further.  Gradescope extracts the zip into
 * /autograder/source, so the tree is /autograder/source/source.
 */
#ifndef RELEASE_H
#define RELEASE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/cfg.h"
#include "util/strv.h"

/** A solution line this long leaks on its own (characters, after trimming). */
#define REL_LONG_LINE 40
/** Shorter solution lines count only this long, and only REL_RUN in a row. */
#define REL_SHORT_LINE 16
#define REL_RUN 3

/** How a secret word must stand in a text to be found. */
enum rel_match {
    REL_SUBSTRING,   /* anywhere (test ids, test names, paths) */
    REL_WORD,        /* a whole C identifier: no [A-Za-z0-9_] on either side */
    REL_PREFIX,      /* the start of an identifier: no [A-Za-z0-9_] before,
                        no [A-Za-z0-9] after ("hidden_x" in "hidden_x_suite") */
};

/** One line of solution code, normalised; see rel_secrets_add_solution(). */
struct rel_line {
    char *text;              /* trimmed, blanks collapsed; owned */
    unsigned line;           /* 1-based line in the solution file */
    const char *origin;      /* the solution's name, owned by rel_secrets.origins */
};

/** One secret word. */
struct rel_token {
    char *text;              /* owned */
    enum rel_match match;
    char *what;              /* what it is, for findings: "hidden test id"; owned */
};

/**
 * Everything a shipped file must not contain.  Zero it (or call
 * rel_secrets_init), add to it, scan with it, rel_secrets_release() it.
 */
struct rel_secrets {
    struct rel_line *lines;  /* sorted by text, one per distinct text */
    size_t nlines, cap_lines;
    struct rel_token *tokens;
    size_t ntokens, cap_tokens;
    struct strv origins;     /* the names lines point to */
};

void rel_secrets_init(struct rel_secrets *s);

/** Frees everything; *s is empty and reusable.  Safe twice. */
void rel_secrets_release(struct rel_secrets *s);

/**
 * Adds the solution lines of `solution` (len bytes; named `origin` in
 * findings): the lines inside BEGIN/END SOLUTION blocks, minus the lines
 * of the stub stub_generate() makes from it, minus lines shorter than
 * REL_SHORT_LINE or without a letter or digit.  Returns the number of
 * lines added, or -1 with err (malformed markers: "origin:LINE: why", or
 * out of memory).
 */
int rel_secrets_add_solution(struct rel_secrets *s, const char *origin, const char *solution,
                             size_t len, char *err, size_t errlen);

/** Adds a secret word (copied).  Empty words are ignored.  Returns 0, or -1 out of memory. */
int rel_secrets_add_token(struct rel_secrets *s, const char *text, enum rel_match match,
                          const char *what);

/**
 * Collects the secrets (a), (b) and (c) of `cfg` (see the top of this
 * file): reads the solutions and the unshipped trusted sources (for their
 * test function names).  Returns 0, or -1 with err.
 */
int rel_secrets_from_cfg(struct rel_secrets *s, const struct grader_cfg *cfg, char *err,
                         size_t errlen);

/**
 * Scans one file's text (len bytes; `name` is how findings call it).
 * Appends one finding per leak to *findings, e.g.
 *   "harness/x.c:12: solution code (line 150 of solutions/k.c)"
 *   "README.md:40: hidden test id 'edge_cases/overflow'"
 * (at most a few per file, then "name: ... and N more").  Returns the
 * number of leaks found (0: clean), or -1 out of memory.
 */
int rel_scan(const struct rel_secrets *s, const char *name, const char *text, size_t len,
             struct strv *findings);

/**
 * The student config as YAML text (libyaml's emitter; malloc'd, caller
 * frees): see the top of this file.  Returns 0, or -1 with err (a path
 * outside the config's folder, no release section, out of memory).
 */
int rel_student_config(const struct grader_cfg *cfg, char **out, char *err, size_t errlen);

/** What a release or package holds, for the command's summary. */
struct rel_summary {
    size_t files;            /* files written */
    size_t solution_lines;   /* solution lines looked for (release only) */
    size_t tokens;           /* secret words looked for (release only) */
    size_t tests;            /* tests of the student config (release only) */
    double points;           /* their points (release only) */
};

/**
 * Writes the student release into out_dir (which must not exist, or be
 * empty).  Returns 0; or -1 with err and, if the release would leak, one
 * line per leak in *findings (caller-owned, appended to): then nothing
 * is written.
 */
int rel_write_release(const struct grader_cfg *cfg, const char *out_dir,
                      struct rel_summary *sum, struct strv *findings, char *err, size_t errlen);

/**
 * Writes the Gradescope package to zip_path (replaced if it exists; libzip
 * writes a temporary file and renames it).  Returns 0; or -1 with err and
 * the leaks in *findings, as rel_write_release().
 */
int rel_write_gradescope(const struct grader_cfg *cfg, const char *zip_path,
                         struct rel_summary *sum, struct strv *findings, char *err,
                         size_t errlen);

#endif /* RELEASE_H */
