/*
 * build.c -- compile the trusted objects once, the student's per
 * submission (sandboxed), and link them.
 */
#include "build.h"

#include <errno.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "sbx.h"
#include "strv.h"

/* Limits for compiler runs: generous, they only stop abuse. */
#define BLD_MEMORY (2ull << 30)
#define BLD_PROCESSES 256
#define BLD_OUTPUT (128u << 10)
#define BLD_FILE_SIZE (256ull << 20)

/* Appends the compiler's stdout and stderr to *log. */
static void bld_log_append(char **log, const struct sbx_result *r, const char *extra)
{
    size_t old = *log ? strlen(*log) : 0;
    size_t add = (r && r->out ? r->out_len : 0) + (r && r->err ? r->err_len : 0) +
                 (extra ? strlen(extra) + 1 : 0);
    char *n = realloc(*log, old + add + 1);
    if (!n)
        return;
    char *p = n + old;
    if (r && r->out) {
        memcpy(p, r->out, r->out_len);
        p += r->out_len;
    }
    if (r && r->err) {
        memcpy(p, r->err, r->err_len);
        p += r->err_len;
    }
    if (extra) {
        size_t e = strlen(extra);
        memcpy(p, extra, e);
        p += e;
        *p++ = '\n';
    }
    *p = '\0';
    *log = n;
}

static void bld_limits(const struct grader_cfg *cfg, struct sbx_limits *lim)
{
    memset(lim, 0, sizeof *lim);
    lim->cpu_ms = cfg->build.timeout_ms;
    lim->wall_ms = cfg->build.timeout_ms;
    lim->memory_bytes = BLD_MEMORY;
    lim->processes = BLD_PROCESSES;
    lim->output_bytes = BLD_OUTPUT;
    lim->file_size_bytes = BLD_FILE_SIZE;
}

/*
 * Runs one compiler command.  Returns 0 on success, 1 if the command ran
 * and failed (its output is in *log), -1 if it could not run.
 */
static int bld_run(const struct grader_cfg *cfg, const struct sbx_opts *opts,
                   struct strv *argv, char **log)
{
    struct sbx_limits lim;
    struct sbx_result res = {0};
    if (argv->oom) {
        bld_log_append(log, NULL, "grader: out of memory");
        return -1;
    }
    bld_limits(cfg, &lim);
    int rc = sbx_run(&lim, opts, argv->v, &res);
    bld_log_append(log, &res, NULL);
    if (rc < 0) {
        bld_log_append(log, NULL, res.message);
        sbx_result_release(&res);
        return -1;
    }
    int status = res.status == SBX_OK ? 0 : 1;
    if (res.status != SBX_OK && res.status != SBX_EXIT_NONZERO)
        bld_log_append(log, NULL, res.message);      /* e.g. compiler timed out */
    sbx_result_release(&res);
    return status;
}

/* Options for trusted steps: no bwrap, stay who we are. */
static void bld_trusted_opts(struct sbx_opts *o, const char *cwd)
{
    sbx_opts_init(o);
    o->use_bwrap = 0;
    o->uid = geteuid();
    o->gid = getegid();
    o->workdir = cwd;
}

static void bld_push_compile(struct strv *a, const struct grader_cfg *cfg,
                             bool student, const char *src, const char *obj)
{
    strv_push(a, cfg->build.cc);
    strv_push_all(a, cfg->build.cflags.v, cfg->build.cflags.n);
    if (student)
        strv_push_all(a, cfg->build.student_cflags.v, cfg->build.student_cflags.n);
    for (size_t i = 0; i < cfg->build.include_dirs.n; i++)
        strv_pushf(a, "-I%s", cfg->build.include_dirs.v[i]);
    strv_push(a, "-c");
    strv_push(a, src);
    strv_push(a, "-o");
    strv_push(a, obj);
}

int bld_compile_trusted(const struct grader_cfg *cfg, const char *src,
                        const char *obj, char **log)
{
    struct strv a = {0};
    struct sbx_opts o;
    bld_trusted_opts(&o, cfg->base_dir);
    bld_push_compile(&a, cfg, false, src, obj);
    int rc = bld_run(cfg, &o, &a, log);
    strv_clear(&a);
    return rc == 0 ? 0 : -1;
}

/* "dir/NN-base.o" for the n-th source: unique even if two sources share a name. */
static char *bld_obj_path(const char *dir, size_t n, const char *src)
{
    const char *base = strrchr(src, '/');
    char *path = NULL;
    base = base ? base + 1 : src;
    size_t len = strlen(base);
    if (len > 2 && strcmp(base + len - 2, ".c") == 0)
        len -= 2;
    if (asprintf(&path, "%s/%02zu-%.*s.o", dir, n, (int)len, base) < 0)
        return NULL;
    return path;
}

/*
 * "scratch/obj/kernels.o" for "scratch/kernels.c": named after the source
 * (policy messages name it), with '/' of a sub-folder path turned into '_'.
 */
static char *bld_student_obj_path(const char *scratch, const char *src)
{
    size_t skip = strlen(scratch);
    const char *rel = strncmp(src, scratch, skip) == 0 && src[skip] == '/' ? src + skip + 1 : src;
    char *path = NULL;
    size_t len = strlen(rel);
    if (len > 2 && strcmp(rel + len - 2, ".c") == 0)
        len -= 2;
    if (asprintf(&path, "%s/obj/%.*s.o", scratch, (int)len, rel) < 0)
        return NULL;
    for (char *p = path + skip + 5; *p; p++)
        if (*p == '/')
            *p = '_';
    return path;
}

/* Every *.h of the include folders, so the sandbox can bind just those. */
static int bld_collect_headers(const struct grader_cfg *cfg, struct strv *out)
{
    for (size_t i = 0; i < cfg->build.include_dirs.n; i++) {
        glob_t g;
        char *pat = fs_join(cfg->build.include_dirs.v[i], "*.h");
        if (!pat)
            return -1;
        int rc = glob(pat, 0, NULL, &g);
        free(pat);
        if (rc == 0)
            strv_push_all(out, g.gl_pathv, g.gl_pathc);
        if (rc == 0 || rc == GLOB_NOMATCH)
            globfree(&g);
        else
            return -1;
    }
    return out->oom ? -1 : 0;
}

/* FNV-1a: a cache key, not a security boundary (the cache is ours alone). */
static uint64_t bld_hash(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static uint64_t bld_hash_str(uint64_t h, const char *s)
{
    return bld_hash(h, s, strlen(s) + 1);
}

static int bld_hash_file(uint64_t *h, const char *path)
{
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(path, 64u << 20, &text, &len) < 0)
        return -1;
    *h = bld_hash(bld_hash_str(*h, path), text, len);
    free(text);
    return 0;
}

/*
 * The cache key: the compiler, its flags, every trusted source and every
 * header it may include.  Any change gives a new folder; nothing is ever
 * rebuilt in place.
 */
static int bld_cache_key(const struct grader_cfg *cfg, const struct strv *headers,
                         char key[17])
{
    uint64_t h = 0xcbf29ce484222325ull;
    h = bld_hash_str(h, cfg->build.cc);
    for (size_t i = 0; i < cfg->build.cflags.n; i++)
        h = bld_hash_str(h, cfg->build.cflags.v[i]);
    for (size_t i = 0; i < cfg->build.include_dirs.n; i++)
        h = bld_hash_str(h, cfg->build.include_dirs.v[i]);
    for (size_t i = 0; i < cfg->build.sources.n; i++)
        if (bld_hash_file(&h, cfg->build.sources.v[i]) < 0)
            return -1;
    for (size_t i = 0; i < headers->n; i++)
        if (bld_hash_file(&h, headers->v[i]) < 0)
            return -1;
    snprintf(key, 17, "%016llx", (unsigned long long)h);
    return 0;
}

/* Compiles every trusted source into dir; objs gets their paths. */
static int bld_compile_all(const struct grader_cfg *cfg, const char *dir,
                           bool compile, struct strv *objs, char **log)
{
    for (size_t i = 0; i < cfg->build.sources.n; i++) {
        char *obj = bld_obj_path(dir, i, cfg->build.sources.v[i]);
        if (!obj || (compile && bld_compile_trusted(cfg, cfg->build.sources.v[i], obj, log) < 0)) {
            free(obj);
            return -1;
        }
        strv_push(objs, obj);
        free(obj);
    }
    return objs->oom ? -1 : 0;
}

/*
 * Fills objs from the cache folder root/key, compiling into a temporary
 * folder and renaming it into place when it is missing, so a crash never
 * leaves a half-filled cache entry.
 */
static int bld_cache_fill(const struct grader_cfg *cfg, const char *dir,
                          struct strv *objs, char **log)
{
    struct stat st;
    char *tmp = NULL;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return bld_compile_all(cfg, dir, false, objs, log);
    if (asprintf(&tmp, "%s.tmp-%ld", dir, (long)getpid()) < 0)
        return -1;
    struct strv tmp_objs = {0};
    fs_remove_tree(tmp);
    int rc = fs_mkdir_p(tmp, 0755) == 0 ? bld_compile_all(cfg, tmp, true, &tmp_objs, log) : -1;
    strv_clear(&tmp_objs);
    if (rc == 0 && rename(tmp, dir) < 0 && errno != ENOTEMPTY && errno != EEXIST)
        rc = -1;                  /* another grader may have won the race: fine */
    fs_remove_tree(tmp);
    free(tmp);
    return rc == 0 ? bld_compile_all(cfg, dir, false, objs, log) : -1;
}

int bld_trusted_init(const struct grader_cfg *cfg, const char *cache_root,
                     struct bld_trusted *out, char **log)
{
    struct strv objs = {0}, headers = {0};
    char key[17], *dir = NULL;
    memset(out, 0, sizeof *out);
    *log = NULL;
    int rc = bld_collect_headers(cfg, &headers);
    if (rc == 0)
        rc = bld_cache_key(cfg, &headers, key);
    if (rc == 0 && (fs_mkdir_p(cache_root, 0755) < 0 || !(dir = fs_join(cache_root, key))))
        rc = -1;
    if (rc == 0)
        rc = bld_cache_fill(cfg, dir, &objs, log);
    if (rc < 0) {
        if (!*log)
            bld_log_append(log, NULL, "grader: cannot prepare the trusted objects");
        strv_clear(&objs);
        strv_clear(&headers);
        free(dir);
        return -1;
    }
    out->dir = dir;
    out->nobjs = objs.n;
    out->objs = strv_take(&objs);
    out->nheaders = headers.n;
    out->headers = strv_take(&headers);
    return 0;
}

void bld_trusted_release(struct bld_trusted *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nobjs; i++)
        free(t->objs[i]);
    for (size_t i = 0; i < t->nheaders; i++)
        free(t->headers[i]);
    free(t->objs);
    free(t->headers);
    free(t->dir);
    memset(t, 0, sizeof *t);
}

static void bld_push_link(struct strv *a, const struct grader_cfg *cfg,
                          const struct bld_trusted *t, char *const objs[],
                          size_t nobjs, const char *program)
{
    strv_push(a, cfg->build.cc);
    strv_push(a, "-o");
    strv_push(a, program);
    strv_push_all(a, objs, nobjs);
    strv_push_all(a, t->objs, t->nobjs);
    strv_push_all(a, cfg->build.ldflags.v, cfg->build.ldflags.n);
}

int bld_link_trusted(const struct grader_cfg *cfg, const struct bld_trusted *t,
                     const char *const objs[], size_t nobjs,
                     const char *program, char **log)
{
    struct strv a = {0};
    struct sbx_opts o;
    bld_trusted_opts(&o, cfg->base_dir);
    bld_push_link(&a, cfg, t, (char *const *)objs, nobjs, program);
    int rc = bld_run(cfg, &o, &a, log);
    strv_clear(&a);
    return rc;
}

/*
 * Copies the trusted objects and the include folders' headers into the
 * scratch folder: the sandbox then needs no view of the repository or
 * the cache, whatever their permissions, and no #include can reach a
 * solution or a hidden suite.  scratch/include/N mirrors include_dirs[N].
 */
static int bld_stage(const struct grader_cfg *cfg, const struct bld_trusted *t,
                     const char *scratch, struct strv *incs, struct strv *objs)
{
    for (size_t i = 0; i < cfg->build.include_dirs.n; i++) {
        glob_t g;
        char *dir = NULL;
        if (asprintf(&dir, "%s/include/%zu", scratch, i) < 0)
            return -1;
        strv_pushf(incs, "-I%s", dir);
        int rc = fs_mkdir_p(dir, 0755);
        char *pat = fs_join(cfg->build.include_dirs.v[i], "*.h");
        int gr = pat && rc == 0 ? glob(pat, 0, NULL, &g) : GLOB_NOSPACE;
        for (size_t j = 0; gr == 0 && rc == 0 && j < g.gl_pathc; j++) {
            char *dst = fs_join(dir, strrchr(g.gl_pathv[j], '/') + 1);
            rc = dst ? fs_copy_file(g.gl_pathv[j], dst) : -1;
            free(dst);
        }
        if (gr == 0 || gr == GLOB_NOMATCH)
            globfree(&g);
        free(pat);
        free(dir);
        if (rc < 0 || (gr != 0 && gr != GLOB_NOMATCH))
            return -1;
    }
    char *tdir = fs_join(scratch, "trusted");
    int rc = tdir ? fs_mkdir_p(tdir, 0755) : -1;
    for (size_t i = 0; rc == 0 && i < t->nobjs; i++) {
        char *dst = fs_join(tdir, strrchr(t->objs[i], '/') + 1);
        rc = dst ? fs_copy_file(t->objs[i], dst) : -1;
        strv_push(objs, dst ? dst : "");
        free(dst);
    }
    free(tdir);
    return rc < 0 || incs->oom || objs->oom ? -1 : 0;
}

static void bld_push_student_compile(struct strv *a, const struct grader_cfg *cfg,
                                     const struct strv *incs, const char *src,
                                     const char *obj)
{
    strv_push(a, cfg->build.cc);
    strv_push_all(a, cfg->build.cflags.v, cfg->build.cflags.n);
    strv_push_all(a, cfg->build.student_cflags.v, cfg->build.student_cflags.n);
    strv_push_all(a, incs->v, incs->n);
    strv_push(a, "-c");
    strv_push(a, src);
    strv_push(a, "-o");
    strv_push(a, obj);
}

int bld_student(const struct grader_cfg *cfg, const struct bld_trusted *t,
                const struct bld_sandbox *sb, const char *scratch,
                const char *const sources[], size_t nsources,
                const char *program, char ***objs_out, char **log)
{
    struct strv objs = {0}, incs = {0}, staged = {0};
    struct sbx_opts o;
    *log = NULL;
    *objs_out = NULL;
    sbx_opts_init(&o);
    o.use_bwrap = sb->use_bwrap;
    o.uid = sb->uid;
    o.gid = sb->gid;
    o.cancel = sb->cancel;
    o.workdir = scratch;
    int rc = bld_stage(cfg, t, scratch, &incs, &staged);
    if (rc < 0)
        bld_log_append(log, NULL, "grader: cannot stage the trusted files in the scratch folder");
    for (size_t i = 0; i < nsources && rc == 0; i++) {
        struct strv a = {0};
        char *obj = bld_student_obj_path(scratch, sources[i]);
        if (!obj) {
            rc = -1;
            break;
        }
        bld_push_student_compile(&a, cfg, &incs, sources[i], obj);
        rc = bld_run(cfg, &o, &a, log);
        strv_push(&objs, obj);
        free(obj);
        strv_clear(&a);
    }
    if (rc == 0) {
        struct strv a = {0};
        struct bld_trusted staged_t = {.objs = staged.v, .nobjs = staged.n};
        bld_push_link(&a, cfg, &staged_t, objs.v, objs.n, program);
        rc = bld_run(cfg, &o, &a, log);
        strv_clear(&a);
    }
    if (objs.oom)
        rc = -1;
    strv_clear(&incs);
    strv_clear(&staged);
    *objs_out = strv_take(&objs);
    return rc;
}
