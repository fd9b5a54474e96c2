/*
 * shipset.c -- what ships, shared by the student release and the
 * Gradescope package: a set of files in memory (read once, generated ones
 * rendered), the checks both writers make, and the audit that scans
 * exactly those bytes before anything is written (release_priv.h).
 */
#include "ship/release.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fsutil.h"
#include "compile/stubgen.h"
#include "ship/release_priv.h"
#include "ship/tmpl.h"

/* The Debian packages the grader itself needs, to build and to grade. */
static const char *const rel_grader_packages[] = {
    "gcc", "make", "pkg-config", "binutils", "libyaml-dev", "libjansson-dev",
    "libxml2-dev", "libcsv-dev", "libzip-dev", "libseccomp-dev", "nettle-dev", NULL,
};

__attribute__((format(printf, 3, 4)))
int rel_fail(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
    return -1;
}

/* The path of `abs` relative to the config's folder, or NULL if outside it. */
const char *rel_relpath(const struct grader_cfg *cfg, const char *abs)
{
    size_t n = strlen(cfg->base_dir);
    if (strncmp(abs, cfg->base_dir, n) != 0)
        return NULL;
    if (n > 0 && cfg->base_dir[n - 1] == '/')
        return abs[n] != '\0' ? abs + n : NULL;
    return abs[n] == '/' && abs[n + 1] != '\0' ? abs + n + 1 : NULL;
}

bool rel_cfg_strv_has(const struct cfg_strv *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return true;
    return false;
}

/* ---- what ships: a set of files in memory ------------------------------------- */

void rel_set_release(struct rel_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->v[i].path);
        free(set->v[i].data);
    }
    free(set->v);
    memset(set, 0, sizeof *set);
}

bool rel_set_has(const struct rel_set *set, const char *path)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->v[i].path, path) == 0)
            return true;
    return false;
}

/* Adds path with `data` (taken over, freed on failure). */
int rel_set_add(struct rel_set *set, const char *path, char *data, size_t len,
                mode_t mode, char *err, size_t errlen)
{
    char *p = NULL;
    if (set->n == set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 64;
        struct rel_item *v = realloc(set->v, cap * sizeof *v);
        if (v == NULL)
            goto oom;
        set->v = v;
        set->cap = cap;
    }
    if ((p = strdup(path)) == NULL)
        goto oom;
    set->v[set->n++] = (struct rel_item){p, data, len, mode};
    return 0;
oom:
    free(data);
    return rel_fail(err, errlen, "out of memory");
}

/* Adds the file `abs` as `path` (its bytes, its executable bit); a path already in is kept. */
static int rel_set_add_file(struct rel_set *set, const char *path, const char *abs, char *err,
                            size_t errlen)
{
    struct stat st;
    char *data = NULL;
    size_t len;
    if (rel_set_has(set, path))
        return 0;
    if (stat(abs, &st) < 0)
        return rel_fail(err, errlen, "%s: %s", abs, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return rel_fail(err, errlen, "%s: not a regular file", abs);
    if (fs_read_file(abs, REL_MAX_FILE, &data, &len) < 0)
        return rel_fail(err, errlen, "%s: cannot read: %s", abs, strerror(errno));
    return rel_set_add(set, path, data, len, st.st_mode & 0111 ? 0755 : 0644, err, errlen);
}

/* Adds a file of the config's folder by its relative path, under prefix. */
int rel_set_add_rel(struct rel_set *set, const struct grader_cfg *cfg,
                    const char *prefix, const char *rel, char *err, size_t errlen)
{
    char path[PATH_MAX], *abs = fs_join(cfg->base_dir, rel);
    if (abs == NULL)
        return rel_fail(err, errlen, "out of memory");
    snprintf(path, sizeof path, "%s%s", prefix, rel);
    int rc = rel_set_add_file(set, path, abs, err, errlen);
    free(abs);
    return rc;
}

/* Adds a resolved path of the config, which must be inside its folder. */
int rel_set_add_abs(struct rel_set *set, const struct grader_cfg *cfg,
                    const char *prefix, const char *abs, char *err, size_t errlen)
{
    const char *rel = rel_relpath(cfg, abs);
    if (rel == NULL)
        return rel_fail(err, errlen, "'%s' is outside the config's folder: the package "
                        "cannot mirror it", abs);
    return rel_set_add_rel(set, cfg, prefix, rel, err, errlen);
}

/* Scans every item; the leaks go to *findings.  Returns the number of leaks, or -1. */
static int rel_set_scan(const struct rel_set *set, const struct rel_secrets *s,
                        struct strv *findings)
{
    int total = 0;
    for (size_t i = 0; i < set->n; i++) {
        int n = rel_scan(s, set->v[i].path, set->v[i].data, set->v[i].len, findings);
        if (n < 0)
            return -1;
        total += n;
    }
    return total;
}

/* ---- shared checks ------------------------------------------------------------- */

/*
 * The folder students work in: where every stub is, at its student
 * file's path ("assignments/kernels" for stub assignments/kernels/kernels.c
 * and path kernels.c), or "." at the top.
 */
int rel_submission_dir(const struct grader_cfg *cfg, char *dir, size_t n, char *err,
                       size_t errlen)
{
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const struct cfg_student_file *f = &cfg->files[i];
        const char *stub = f->stub ? rel_relpath(cfg, f->stub) : NULL;
        size_t sl = stub ? strlen(stub) : 0, pl = strlen(f->path);
        char here[PATH_MAX];
        if (stub == NULL)
            return rel_fail(err, errlen, "student file '%s' has no 'stub' inside the config's "
                            "folder: there is nothing to give students", f->path);
        bool top = sl == pl && strcmp(stub, f->path) == 0;
        if (!top && (sl <= pl + 1 || stub[sl - pl - 1] != '/' ||
                     strcmp(stub + sl - pl, f->path) != 0))
            return rel_fail(err, errlen, "the stub '%s' is not at the path of its student file "
                            "'%s' within a folder: the release grades the stubs' folder",
                            stub, f->path);
        snprintf(here, sizeof here, "%.*s", top ? 1 : (int)(sl - pl - 1), top ? "." : stub);
        if (i > 0 && strcmp(here, dir) != 0)
            return rel_fail(err, errlen, "the stubs are in different folders ('%s', '%s'): the "
                            "release grades one folder", dir, here);
        snprintf(dir, n, "%s", here);
    }
    return 0;
}

/* Refuses a stub that is not what its solution generates (a stale stub may hold old code). */
int rel_check_stubs(const struct grader_cfg *cfg, char *err, size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < cfg->nfiles; i++) {
        const struct cfg_student_file *f = &cfg->files[i];
        char *sol = NULL, *stub = NULL, *gen = NULL;
        size_t sl, tl;
        struct stub_error serr = {0};
        if (f->solution == NULL || f->stub == NULL)
            continue;
        if (fs_read_file(f->solution, REL_MAX_FILE, &sol, &sl) < 0 ||
            fs_read_file(f->stub, REL_MAX_FILE, &stub, &tl) < 0)
            rc = rel_fail(err, errlen, "cannot read '%s' or '%s': %s", f->solution, f->stub,
                          strerror(errno));
        else if (stub_generate(sol, sl, &gen, &serr) < 0)
            rc = rel_fail(err, errlen, "%s:%u: %s", rel_shown_path(cfg, f->solution), serr.line,
                          serr.message);
        else if (strlen(gen) != tl || memcmp(gen, stub, tl) != 0)
            rc = rel_fail(err, errlen, "the stub %s is out of date with %s (regenerate it, "
                          "e.g. `make stubs`)", rel_shown_path(cfg, f->stub),
                          rel_shown_path(cfg, f->solution));
        free(sol);
        free(stub);
        free(gen);
    }
    return rc;
}

bool rel_is_solution(const struct grader_cfg *cfg, const char *rel)
{
    for (size_t i = 0; i < cfg->nfiles; i++) {
        const char *sol = cfg->files[i].solution;
        const char *r = sol ? rel_relpath(cfg, sol) : NULL;
        if (r != NULL && strcmp(r, rel) == 0)
            return true;
    }
    return false;
}

size_t rel_source_lists(const struct grader_cfg *cfg, const struct cfg_strv *out[])
{
    size_t n = 0;
    out[n++] = &cfg->build.sources;
    out[n++] = &cfg->performance.sources;
    if (cfg->tsan.enabled)
        out[n++] = &cfg->tsan.sources;
    return n;
}

/* Whether the config has a visible performance test. */
static bool rel_visible_perf_test(const struct grader_cfg *cfg)
{
    for (size_t i = 0; i < cfg->ntests; i++)
        if (cfg->tests[i].kind == CFG_KIND_PERFORMANCE &&
            cfg->tests[i].visibility == CFG_VIS_VISIBLE)
            return true;
    return false;
}

bool rel_ships_performance(const struct grader_cfg *cfg)
{
    const struct cfg_strv *src = &cfg->performance.sources;
    if (!cfg->release.enabled || !cfg->performance.enabled || src->n == 0 ||
        !rel_visible_perf_test(cfg))
        return false;
    for (size_t i = 0; i < src->n; i++) {
        const char *r = rel_relpath(cfg, src->v[i]);
        if (r == NULL || !rel_cfg_strv_has(&cfg->release.files, r))
            return false;
    }
    return true;
}

bool rel_test_shipped(const struct grader_cfg *cfg, const struct cfg_test *t)
{
    if (t->visibility != CFG_VIS_VISIBLE)
        return false;
    if (t->kind == CFG_KIND_CHECK || t->kind == CFG_KIND_IO)
        return true;
    return t->kind == CFG_KIND_PERFORMANCE && rel_ships_performance(cfg);
}

bool rel_is_perf_source(const struct grader_cfg *cfg, const char *rel)
{
    for (size_t i = 0; i < cfg->performance.sources.n; i++) {
        const char *r = rel_relpath(cfg, cfg->performance.sources.v[i]);
        if (r != NULL && strcmp(r, rel) == 0)
            return true;
    }
    return false;
}

bool rel_student_source(const struct grader_cfg *cfg, const char *rel)
{
    return rel_cfg_strv_has(&cfg->release.source_files, rel) ||
           (rel_ships_performance(cfg) && rel_is_perf_source(cfg, rel));
}

/* A trusted source (of any build) that the student builds do not use. */
bool rel_is_instructor_source(const struct grader_cfg *cfg, const char *rel)
{
    const struct cfg_strv *lists[REL_SOURCE_LISTS];
    size_t nlists = rel_source_lists(cfg, lists);
    if (rel_student_source(cfg, rel))
        return false;
    for (size_t l = 0; l < nlists; l++)
        for (size_t i = 0; i < lists[l]->n; i++) {
            const char *r = rel_relpath(cfg, lists[l]->v[i]);
            if (r != NULL && strcmp(r, rel) == 0)
                return true;
        }
    return false;
}

/* The Debian packages: the grader's, coverage's, the config's, then extra (NULL-ended). */
char *rel_packages(const struct grader_cfg *cfg, const char *const *extra)
{
    struct strv all = {0};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    for (size_t i = 0; rel_grader_packages[i] != NULL; i++)
        strv_push(&all, rel_grader_packages[i]);
    if (cfg->coverage.enabled) {
        strv_push(&all, "lcov");
        strv_push(&all, "gcovr");   /* coverage/cobertura.xml */
    }
    for (size_t i = 0; i < cfg->release.packages.n; i++)
        if (!rel_strv_has(&all, cfg->release.packages.v[i]))
            strv_push(&all, cfg->release.packages.v[i]);
    for (size_t i = 0; extra && extra[i] != NULL; i++)
        if (!rel_strv_has(&all, extra[i]))
            strv_push(&all, extra[i]);
    for (size_t i = 0; i < all.n; i++)
        fprintf(f, "%s%s", i ? " " : "", all.v[i]);
    bool oom = all.oom || ferror(f);
    oom = fclose(f) != 0 || oom;
    strv_clear(&all);
    if (oom) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* Renders a template into the set as `path`. */
int rel_set_render(struct rel_set *set, const char *path, const char *name,
                   const struct tmpl_var *vars, size_t nvars, mode_t mode, char *err,
                   size_t errlen)
{
    char *text;
    if (rel_set_has(set, path))
        return rel_fail(err, errlen, "'%s' is generated: it must not be among release.files",
                        path);
    if (tmpl_render(name, vars, nvars, &text, err, errlen) < 0)
        return -1;
    return rel_set_add(set, path, text, strlen(text), mode, err, errlen);
}

/* Collects the secrets and scans the set; -1 if anything leaks. */
int rel_audit(const struct rel_set *set, const struct grader_cfg *cfg,
              struct rel_summary *sum, struct strv *findings, char *err, size_t errlen)
{
    struct rel_secrets s;
    rel_secrets_init(&s);
    int rc = rel_secrets_from_cfg(&s, cfg, err, errlen);
    if (rc == 0) {
        sum->solution_lines = s.nlines;
        sum->tokens = s.ntokens;
        rc = rel_set_scan(set, &s, findings);
        if (rc < 0)
            rc = rel_fail(err, errlen, "out of memory");
        else if (rc > 0)
            rc = rel_fail(err, errlen, "%d leak%s found", rc, rc == 1 ? "" : "s");
    }
    rel_secrets_release(&s);
    return rc;
}
