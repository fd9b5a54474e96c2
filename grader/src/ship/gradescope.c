/*
 * gradescope.c -- Gradescope's autograder package (release.h,
 * rel_write_gradescope): setup.sh, run_autograder and the source/ tree
 * grading needs, collected into a set (shipset.c), checked to hold no
 * solution, and written as a zip with libzip.
 */
#include "ship/release.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zip.h>

#include "util/fsutil.h"
#include "ship/release_priv.h"
#include "ship/tmpl.h"

/* ---- the Gradescope package ------------------------------------------------------ */

#define REL_GS_TREE "source/"

/* Adds every *.h of `dir` (resolved) under the tree. */
static int rel_gs_headers(struct rel_set *set, const struct grader_cfg *cfg, const char *dir,
                          char *err, size_t errlen)
{
    glob_t g;
    char *pat = fs_join(dir, "*.h");
    int rc = 0;
    if (pat == NULL)
        return rel_fail(err, errlen, "out of memory");
    int grc = glob(pat, 0, NULL, &g);
    free(pat);
    if (grc == GLOB_NOSPACE)
        return rel_fail(err, errlen, "out of memory");
    for (size_t i = 0; grc == 0 && rc == 0 && i < g.gl_pathc; i++)
        rc = rel_set_add_abs(set, cfg, REL_GS_TREE, g.gl_pathv[i], err, errlen);
    if (grc == 0)
        globfree(&g);
    return rc;
}

/* A trusted source, and the headers beside it. */
static int rel_gs_source(struct rel_set *set, const struct grader_cfg *cfg, const char *src,
                         char *err, size_t errlen)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(src, '/');
    if (rel_set_add_abs(set, cfg, REL_GS_TREE, src, err, errlen) < 0)
        return -1;
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - src) : 1, slash ? src : ".");
    return rel_gs_headers(set, cfg, dir, err, errlen);
}

/* The io tests' program sources and every io test's files (hidden ones too). */
static int rel_gs_io(struct rel_set *set, const struct grader_cfg *cfg, char *err,
                     size_t errlen)
{
    for (size_t i = 0; i < cfg->io.sources.n; i++)
        if (rel_gs_source(set, cfg, cfg->io.sources.v[i], err, errlen) < 0)
            return -1;
    for (size_t t = 0; t < cfg->ntests; t++) {
        const struct cfg_io_test *io = &cfg->tests[t].io;
        const char *one[] = {io->stdin_file, io->stdout_file, io->stderr_file};
        for (size_t i = 0; i < 3; i++)
            if (one[i] && rel_set_add_abs(set, cfg, REL_GS_TREE, one[i], err, errlen) < 0)
                return -1;
        for (size_t i = 0; i < io->files.n; i++)
            if (rel_set_add_abs(set, cfg, REL_GS_TREE, io->files.v[i], err, errlen) < 0)
                return -1;
    }
    return 0;
}

static int rel_gs_tree(struct rel_set *set, const struct grader_cfg *cfg, char *err,
                       size_t errlen)
{
    const struct cfg_strv *lists[REL_SOURCE_LISTS];
    size_t nlists = rel_source_lists(cfg, lists);
    char *config = NULL;
    size_t len;
    if (fs_read_file(cfg->path, REL_MAX_FILE, &config, &len) < 0)
        return rel_fail(err, errlen, "%s: cannot read: %s", cfg->path, strerror(errno));
    if (rel_set_add(set, REL_GS_TREE "config.yaml", config, len, 0644, err, errlen) < 0)
        return -1;
    for (size_t i = 0; i < cfg->nfiles; i++)
        if (rel_set_add_abs(set, cfg, REL_GS_TREE, cfg->files[i].stub, err, errlen) < 0)
            return -1;
    for (size_t i = 0; i < cfg->release.files.n; i++)
        if (!rel_is_solution(cfg, cfg->release.files.v[i]) &&
            rel_set_add_rel(set, cfg, REL_GS_TREE, cfg->release.files.v[i], err, errlen) < 0)
            return -1;
    for (size_t l = 0; l < nlists; l++)
        for (size_t i = 0; i < lists[l]->n; i++)
            if (rel_gs_source(set, cfg, lists[l]->v[i], err, errlen) < 0)
                return -1;
    for (size_t i = 0; i < cfg->build.include_dirs.n; i++)
        if (rel_gs_headers(set, cfg, cfg->build.include_dirs.v[i], err, errlen) < 0)
            return -1;
    return rel_gs_io(set, cfg, err, errlen);
}

/* Whether an item has the bytes of a solution. */
static int rel_gs_copy_of(const struct rel_item *it, const struct grader_cfg *cfg,
                          const char **which)
{
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const char *sol = cfg->files[i].solution;
        char *text = NULL;
        size_t len;
        if (sol == NULL)
            continue;
        if (fs_read_file(sol, REL_MAX_FILE, &text, &len) < 0)
            return -1;
        bool same = len == it->len && memcmp(text, it->data, len) == 0;
        free(text);
        if (same) {
            *which = rel_shown_path(cfg, sol);
            return 1;
        }
    }
    return 0;
}

/* No solution may be in the package, whatever put it there: by path or by bytes. */
static int rel_gs_no_solution(const struct rel_set *set, const struct grader_cfg *cfg,
                              struct strv *findings, char *err, size_t errlen)
{
    size_t n = strlen(REL_GS_TREE);
    for (size_t i = 0; i < set->n; i++) {
        const char *which = NULL;
        int copy = rel_gs_copy_of(&set->v[i], cfg, &which);
        if (copy < 0)
            return rel_fail(err, errlen, "cannot read a solution: %s", strerror(errno));
        if (strncmp(set->v[i].path, REL_GS_TREE, n) == 0 &&
            rel_is_solution(cfg, set->v[i].path + n))
            strv_pushf(findings, "%s: is a solution", set->v[i].path);
        else if (copy)
            strv_pushf(findings, "%s: is a copy of the solution %s", set->v[i].path, which);
    }
    if (findings->oom)
        return rel_fail(err, errlen, "out of memory");
    return findings->n > 0 ? rel_fail(err, errlen, "the package would hold a solution") : 0;
}

static int rel_gs_scripts(struct rel_set *set, const struct grader_cfg *cfg, char *err,
                          size_t errlen)
{
    static const char *const sandbox[] = {"bubblewrap", NULL};
    static const char *const sandbox_perf[] = {"bubblewrap", "valgrind", NULL};
    char subdir[PATH_MAX];
    char *packages = rel_packages(cfg, cfg->performance.enabled ? sandbox_perf : sandbox);
    if (packages == NULL)
        return rel_fail(err, errlen, "out of memory");
    int rc = rel_submission_dir(cfg, subdir, sizeof subdir, err, errlen);
    const struct tmpl_var vars[] = {
        {"PACKAGES", packages}, {"STUB_DIR", subdir}, {"FIRST_FILE", cfg->files[0].path},
    };
    if (rc == 0)
        rc = rel_set_render(set, "setup.sh", "setup.sh", vars, 3, 0755, err, errlen);
    if (rc == 0)
        rc = rel_set_render(set, "run_autograder", "run_autograder", vars, 3, 0755, err,
                            errlen);
    free(packages);
    return rc;
}

static int rel_zip_fail(zip_t *za, char *err, size_t errlen, const char *what)
{
    rel_fail(err, errlen, "%s: %s", what, zip_error_strerror(zip_get_error(za)));
    zip_discard(za);
    return -1;
}

/* The zip, every entry with its Unix mode (unzip and Gradescope keep the x bits). */
static int rel_write_zip(const struct rel_set *set, const char *zip_path, char *err,
                         size_t errlen)
{
    int zerr = 0;
    zip_t *za = zip_open(zip_path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
    if (za == NULL) {
        zip_error_t e;
        zip_error_init_with_code(&e, zerr);
        rel_fail(err, errlen, "%s: %s", zip_path, zip_error_strerror(&e));
        zip_error_fini(&e);
        return -1;
    }
    for (size_t i = 0; i < set->n; i++) {
        const struct rel_item *it = &set->v[i];
        zip_source_t *src = zip_source_buffer(za, it->data, it->len, 0);
        zip_int64_t idx = src ? zip_file_add(za, it->path, src, ZIP_FL_ENC_UTF_8) : -1;
        if (idx < 0) {
            zip_source_free(src);
            return rel_zip_fail(za, err, errlen, it->path);
        }
        zip_uint32_t attr = (zip_uint32_t)(S_IFREG | it->mode) << 16;
        if (zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, attr) < 0)
            return rel_zip_fail(za, err, errlen, it->path);
    }
    if (zip_close(za) < 0)
        return rel_zip_fail(za, err, errlen, zip_path);
    return 0;
}

int rel_write_gradescope(const struct grader_cfg *cfg, const char *zip_path,
                         struct rel_summary *sum, struct strv *findings, char *err,
                         size_t errlen)
{
    struct rel_set set = {0};
    memset(sum, 0, sizeof *sum);
    if (!cfg->release.enabled)
        return rel_fail(err, errlen, "%s: no 'release' section: its files (the grader's "
                        "source) are part of the package", cfg->path);
    int rc = rel_check_stubs(cfg, err, errlen);
    if (rc == 0)
        rc = rel_gs_scripts(&set, cfg, err, errlen);
    if (rc == 0)
        rc = rel_gs_tree(&set, cfg, err, errlen);
    if (rc == 0)
        rc = rel_gs_no_solution(&set, cfg, findings, err, errlen);
    if (rc == 0)
        rc = rel_write_zip(&set, zip_path, err, errlen);
    if (rc == 0)
        sum->files = set.n;
    rel_set_release(&set);
    return rc;
}
