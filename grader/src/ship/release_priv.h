/*
 * release_priv.h -- private to ship/: what the files of the release module
 * (release.h) share.  Never included from another folder.
 *
 *   shipset.c         the set of files that ships, the checks both writers
 *                     make and the audit (rel_set_*, rel_check_stubs,
 *                     rel_audit, ...)
 *   leakscan.c        the leak scanner (release.h: rel_secrets_*, rel_scan)
 *   student_config.c  the student config.yaml (rel_student_config)
 *   release.c         the student release (rel_write_release)
 *   gradescope.c      the Gradescope package (rel_write_gradescope)
 */
#ifndef RELEASE_PRIV_H
#define RELEASE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "config/cfg.h"
#include "ship/release.h"
#include "ship/tmpl.h"
#include "util/strv.h"

/* A file larger than this is not a source: refused rather than shipped. */
#define REL_MAX_FILE (16u << 20)

/* One file that ships. */
struct rel_item {
    char *path;              /* relative to the package's top */
    char *data;              /* the bytes that ship */
    size_t len;
    mode_t mode;             /* 0644 or 0755 */
};

/* What ships: every file with its bytes in memory.  Zero it to start;
 * rel_set_release() frees it. */
struct rel_set {
    struct rel_item *v;
    size_t n, cap;
};

/* ---- shipset.c: helpers ---- */

/* Formats the message into err; returns -1. */
__attribute__((format(printf, 3, 4)))
int rel_fail(char *err, size_t n, const char *fmt, ...);

/* The path of `abs` relative to the config's folder, or NULL if outside it. */
const char *rel_relpath(const struct grader_cfg *cfg, const char *abs);

/* Whether sv holds s. */
bool rel_cfg_strv_has(const struct cfg_strv *sv, const char *s);

/* ---- shipset.c: the set ---- */

/* Frees the set; *set is empty and reusable. */
void rel_set_release(struct rel_set *set);

/* Whether the set already holds path. */
bool rel_set_has(const struct rel_set *set, const char *path);

/* Adds path with `data` (taken over, freed on failure). */
int rel_set_add(struct rel_set *set, const char *path, char *data, size_t len,
                mode_t mode, char *err, size_t errlen);

/* Adds a file of the config's folder by its relative path, under prefix. */
int rel_set_add_rel(struct rel_set *set, const struct grader_cfg *cfg,
                    const char *prefix, const char *rel, char *err, size_t errlen);

/* Adds a resolved path of the config, which must be inside its folder. */
int rel_set_add_abs(struct rel_set *set, const struct grader_cfg *cfg,
                    const char *prefix, const char *abs, char *err, size_t errlen);

/* Renders a template into the set as `path`. */
int rel_set_render(struct rel_set *set, const char *path, const char *name,
                   const struct tmpl_var *vars, size_t nvars, mode_t mode, char *err,
                   size_t errlen);

/* ---- shipset.c: checks both writers make ---- */

/*
 * The folder students work in: where every stub is, at its student
 * file's path ("assignments/kernels" for stub assignments/kernels/kernels.c
 * and path kernels.c), or "." at the top.
 */
int rel_submission_dir(const struct grader_cfg *cfg, char *dir, size_t n, char *err,
                       size_t errlen);

/* Refuses a stub that is not what its solution generates (a stale stub may hold old code). */
int rel_check_stubs(const struct grader_cfg *cfg, char *err, size_t errlen);

/* Whether rel (relative to the config's folder) is a solution's path. */
bool rel_is_solution(const struct grader_cfg *cfg, const char *rel);

/*
 * Whether the student release ships the performance program: the config
 * has a performance section and a visible performance test, and
 * release.files lists every file of performance.sources.  Then the
 * student config has a performance section and the visible performance
 * tests, and the performance sources are student sources.
 */
bool rel_ships_performance(const struct grader_cfg *cfg);

/* Whether a test ships to students: a visible check or io test, or a
 * visible performance test when the release ships the performance program. */
bool rel_test_shipped(const struct grader_cfg *cfg, const struct cfg_test *t);

/* Whether rel (relative to the config's folder) is a file of performance.sources. */
bool rel_is_perf_source(const struct grader_cfg *cfg, const char *rel);

/* Whether rel (relative to the config's folder) is a source of the student
 * builds: release.sources, and performance.sources when they ship. */
bool rel_student_source(const struct grader_cfg *cfg, const char *rel);

/* A trusted source (build or performance) that no student build uses. */
bool rel_is_instructor_source(const struct grader_cfg *cfg, const char *rel);

/* The trusted source lists the config names: build.sources,
 * performance.sources and, with a thread_sanitizer section, its sources.
 * Fills out[] (at most REL_SOURCE_LISTS) and returns how many. */
#define REL_SOURCE_LISTS 3
size_t rel_source_lists(const struct grader_cfg *cfg, const struct cfg_strv *out[]);

/* The Debian packages: the grader's, coverage's, the config's, then extra (NULL-ended). */
char *rel_packages(const struct grader_cfg *cfg, const char *const *extra);

/* Collects the secrets and scans the set; -1 if anything leaks. */
int rel_audit(const struct rel_set *set, const struct grader_cfg *cfg,
              struct rel_summary *sum, struct strv *findings, char *err, size_t errlen);

/* ---- leakscan.c ---- */

/* How findings name abs: relative to the config's folder when inside it. */
const char *rel_shown_path(const struct grader_cfg *cfg, const char *abs);

/* Whether sv holds s. */
bool rel_strv_has(const struct strv *sv, const char *s);

#endif
