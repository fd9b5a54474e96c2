/*
 * release.c -- the student release (release.h, rel_write_release):
 * collects the stubs, release.files, the student config and the CI
 * workflows into a set (shipset.c), scans it, and writes it into a
 * temporary folder renamed into place.
 *
 * Both writers (this one and gradescope.c) work in three steps: collect
 * what would ship (a set of relative paths, each with its bytes in
 * memory: files are read once, generated files rendered), scan exactly
 * those bytes, then write them.  Scanning what is written, rather than the
 * files it came from, leaves no window for a file to change in between.
 */
#include "ship/release.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "ship/release_priv.h"
#include "ship/tmpl.h"

/* ---- the student release -------------------------------------------------------- */

/* Stubs and release.files, refusing solutions and instructor-only sources. */
static int rel_release_files(struct rel_set *set, const struct grader_cfg *cfg,
                             struct strv *findings, char *err, size_t errlen)
{
    for (size_t i = 0; i < cfg->nfiles; i++)
        if (rel_set_add_abs(set, cfg, "", cfg->files[i].stub, err, errlen) < 0)
            return -1;
    for (size_t i = 0; i < cfg->release.files.n; i++) {
        const char *rel = cfg->release.files.v[i];
        if (rel_is_solution(cfg, rel))
            strv_pushf(findings, "%s: is a solution", rel);
        else if (rel_is_instructor_source(cfg, rel))
            strv_pushf(findings, "%s: is an instructor-only source (the grader's build uses "
                       "it, the student build does not)%s", rel,
                       rel_is_perf_source(cfg, rel) ? "; to ship the performance program, "
                       "list every performance source in release.files" : "");
        else if (rel_set_add_rel(set, cfg, "", rel, err, errlen) < 0)
            return -1;
    }
    if (findings->n > 0)
        return rel_fail(err, errlen, "release.files names instructor-only files");
    for (size_t i = 0; i < cfg->release.source_files.n; i++)
        if (!rel_set_has(set, cfg->release.source_files.v[i]))
            return rel_fail(err, errlen, "release.sources has '%s', which is not shipped (add "
                            "it to release.files)", cfg->release.source_files.v[i]);
    return 0;
}

static int rel_release_generated(struct rel_set *set, const struct grader_cfg *cfg,
                                 const char *subdir, char *err, size_t errlen)
{
    /* valgrind (with its callgrind.h) counts the performance tests */
    static const char *const perf_packages[] = {"valgrind", NULL};
    char *config = NULL, percent[32];
    const bool perf = rel_ships_performance(cfg);
    char *packages = rel_packages(cfg, perf ? perf_packages : NULL);
    if (packages == NULL)
        return rel_fail(err, errlen, "out of memory");
    snprintf(percent, sizeof percent, "%.15g", cfg->release.fail_under);
    /* The front page says what `make grade` counts, and what only the final grade does. */
    const char *shows = perf ? "points per visible test, the performance tests' counts "
                               "and points (valgrind's callgrind, as graded), the visible "
                               "total, the symbol policy's messages"
                             : "points per visible test, the visible total, the symbol "
                               "policy's messages";
    const char *also = !perf && cfg_count_kind(cfg, CFG_KIND_PERFORMANCE) > 0 ?
                       " and performance tests" : "";
    const struct tmpl_var vars[] = {
        {"FAIL_UNDER", percent}, {"PACKAGES", packages}, {"SUBMISSION", subdir},
        {"TITLE", cfg->title ? cfg->title : cfg->name},
        {"FIRST_FILE", cfg->nfiles ? cfg->files[0].path : ""},
        {"GRADE_SHOWS", shows}, {"FINAL_ALSO", also},
    };
    const size_t nvars = sizeof vars / sizeof vars[0];
    int rc = rel_student_config(cfg, &config, err, errlen);
    if (rc == 0 && rel_set_has(set, "config.yaml")) {
        free(config);
        rc = rel_fail(err, errlen, "'config.yaml' is generated: it must not be among "
                      "release.files");
    } else if (rc == 0) {
        rc = rel_set_add(set, "config.yaml", config, strlen(config), 0644, err, errlen);
    }
    if (rc == 0)
        rc = rel_set_render(set, ".github/workflows/grade.yml", "grade.yml", vars, nvars, 0644,
                            err, errlen);
    if (rc == 0)
        rc = rel_set_render(set, ".gitlab-ci.yml", "gitlab-ci.yml", vars, nvars, 0644, err,
                            errlen);
    /* The template repository's front page, unless the instructor ships one. */
    if (rc == 0 && !rel_set_has(set, "README.md"))
        rc = rel_set_render(set, "README.md", "release-README.md", vars, nvars, 0644, err,
                            errlen);
    if (rc == 0 && !rel_set_has(set, ".gitignore"))
        rc = rel_set_render(set, ".gitignore", "release-gitignore", vars, nvars, 0644, err,
                            errlen);
    free(packages);
    return rc;
}

static bool rel_dir_empty(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    bool empty = d != NULL;
    while (empty && (de = readdir(d)) != NULL)
        empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
    if (d != NULL)
        closedir(d);
    return empty;
}

/* The output folder must not exist, or be an empty folder: a release never
 * deletes anything (rename() replaces an empty folder atomically). */
static int rel_check_out_dir(const char *out_dir, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(out_dir, &st) < 0)
        return errno == ENOENT ? 0 : rel_fail(err, errlen, "%s: %s", out_dir, strerror(errno));
    if (!S_ISDIR(st.st_mode) || !rel_dir_empty(out_dir))
        return rel_fail(err, errlen, "%s exists and is not an empty folder: remove it or "
                        "choose another", out_dir);
    return 0;
}

static int rel_write_item(const char *top, const struct rel_item *it, char *err, size_t errlen)
{
    char *path = fs_join(top, it->path), *slash;
    int rc = 0;
    if (path == NULL)
        return rel_fail(err, errlen, "out of memory");
    slash = strrchr(path, '/');
    *slash = '\0';
    if (fs_mkdir_p(path, 0755) < 0)
        rc = rel_fail(err, errlen, "cannot create %s: %s", path, strerror(errno));
    *slash = '/';
    if (rc == 0 && (fs_write_atomic(path, it->data, it->len) < 0 || chmod(path, it->mode) < 0))
        rc = rel_fail(err, errlen, "cannot write %s: %s", path, strerror(errno));
    free(path);
    return rc;
}

/* Writes the set into a temporary folder beside out_dir, then renames it into place. */
static int rel_write_tree(const struct rel_set *set, const char *out_dir, char *err,
                          size_t errlen)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", out_dir) >= (int)sizeof tmp)
        return rel_fail(err, errlen, "%s: path too long", out_dir);
    if (mkdtemp(tmp) == NULL)
        return rel_fail(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
    int rc = chmod(tmp, 0755) < 0 ? rel_fail(err, errlen, "%s: %s", tmp, strerror(errno)) : 0;
    for (size_t i = 0; rc == 0 && i < set->n; i++)
        rc = rel_write_item(tmp, &set->v[i], err, errlen);
    if (rc == 0 && rename(tmp, out_dir) < 0)
        rc = rel_fail(err, errlen, "cannot rename %s to %s: %s", tmp, out_dir,
                      errno == ENOTEMPTY || errno == EEXIST ? "it is not empty" :
                      strerror(errno));
    if (rc < 0)
        fs_remove_tree(tmp);
    return rc;
}

int rel_write_release(const struct grader_cfg *cfg, const char *out_dir,
                      struct rel_summary *sum, struct strv *findings, char *err, size_t errlen)
{
    struct rel_set set = {0};
    char subdir[PATH_MAX];
    memset(sum, 0, sizeof *sum);
    if (!cfg->release.enabled)
        return rel_fail(err, errlen, "%s: no 'release' section: nothing says what to ship",
                        cfg->path);
    int rc = rel_check_out_dir(out_dir, err, errlen);
    if (rc == 0)
        rc = rel_submission_dir(cfg, subdir, sizeof subdir, err, errlen);
    if (rc == 0)
        rc = rel_check_stubs(cfg, err, errlen);
    if (rc == 0)
        rc = rel_release_files(&set, cfg, findings, err, errlen);
    if (rc == 0)
        rc = rel_release_generated(&set, cfg, subdir, err, errlen);
    if (rc == 0)
        rc = rel_audit(&set, cfg, sum, findings, err, errlen);
    if (rc == 0)
        rc = rel_write_tree(&set, out_dir, err, errlen);
    if (rc == 0) {
        sum->files = set.n;
        for (size_t i = 0; i < cfg->ntests; i++) {
            sum->tests += rel_test_shipped(cfg, &cfg->tests[i]);
            sum->points += rel_test_shipped(cfg, &cfg->tests[i]) ? cfg->tests[i].points : 0;
        }
    }
    rel_set_release(&set);
    return rc;
}
