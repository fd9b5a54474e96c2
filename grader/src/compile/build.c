/*
 * build.c -- compile the trusted objects once, the student's per
 * submission (sandboxed), and link them.
 */
#include "compile/build.h"

#include <errno.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "sandbox/sbx.h"
#include "util/strv.h"

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
 * What one flavour of build uses.  The tests build (the Check suites and
 * the student's files with coverage) and the performance build (the
 * performance program and the student's files again, with the
 * performance flags) share every step and differ only in these.
 */
struct bld_flavour {
    const char *name;                    /* part of the cache key */
    const struct cfg_strv *cflags;       /* every compile */
    const struct cfg_strv *student_cflags; /* student files only, or NULL */
    const struct cfg_strv *ldflags;
    const struct cfg_strv *sources;      /* the trusted sources */
    const char *obj_dir;                 /* student objects: scratch/obj_dir/ */
    const char *trusted_dir;             /* staged trusted objects: scratch/trusted_dir/ */
    const char *include_dir;             /* staged headers: scratch/include_dir/N/ (one per
                                            flavour: the builds may run at the same time) */
};

static struct bld_flavour bld_tests_flavour(const struct grader_cfg *cfg)
{
    return (struct bld_flavour){"tests", &cfg->build.cflags, &cfg->build.student_cflags,
                                &cfg->build.ldflags, &cfg->build.sources, "obj", "trusted",
                                "include"};
}

static struct bld_flavour bld_tsan_flavour(const struct grader_cfg *cfg)
{
    const struct cfg_tsan *ts = &cfg->tsan;
    return (struct bld_flavour){"tsan", &ts->cflags, &ts->student_cflags, &ts->ldflags,
                                &ts->sources, BLD_TSAN_DIR, "trusted-tsan",
                                "include-tsan"};
}

static struct bld_flavour bld_io_flavour(const struct grader_cfg *cfg)
{
    const struct cfg_io *io = &cfg->io;
    return (struct bld_flavour){"io", &io->cflags, NULL, &io->ldflags, &io->sources,
                                BLD_IO_DIR, "trusted-io", "include-io"};
}

static struct bld_flavour bld_perf_flavour(const struct grader_cfg *cfg)
{
    const struct cfg_performance *p = &cfg->performance;
    return (struct bld_flavour){"performance", &p->cflags, NULL, &p->ldflags, &p->sources,
                                BLD_PERF_DIR, "trusted-perf", "include-perf"};
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

/* A trusted compile: the flavour's flags, the configured include folders. */
static void bld_push_compile(struct strv *a, const struct grader_cfg *cfg,
                             const struct bld_flavour *f, const char *src, const char *obj)
{
    strv_push(a, cfg->build.cc);
    strv_push_all(a, f->cflags->v, f->cflags->n);
    for (size_t i = 0; i < cfg->build.include_dirs.n; i++)
        strv_pushf(a, "-I%s", cfg->build.include_dirs.v[i]);
    strv_push(a, "-c");
    strv_push(a, src);
    strv_push(a, "-o");
    strv_push(a, obj);
}

static int bld_compile_flavour(const struct grader_cfg *cfg, const struct bld_flavour *f,
                               const char *src, const char *obj, char **log)
{
    struct strv a = {0};
    struct sbx_opts o;
    bld_trusted_opts(&o, cfg->base_dir);
    bld_push_compile(&a, cfg, f, src, obj);
    int rc = bld_run(cfg, &o, &a, log);
    strv_clear(&a);
    return rc == 0 ? 0 : -1;
}

int bld_compile_trusted(const struct grader_cfg *cfg, const char *src,
                        const char *obj, char **log)
{
    struct bld_flavour f = bld_tests_flavour(cfg);
    return bld_compile_flavour(cfg, &f, src, obj, log);
}

int bld_perf_compile_trusted(const struct grader_cfg *cfg, const char *src,
                             const char *obj, char **log)
{
    struct bld_flavour f = bld_perf_flavour(cfg);
    return bld_compile_flavour(cfg, &f, src, obj, log);
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
 * "scratch/obj/kernels.o" for "scratch/kernels.c" (obj_dir "obj"): named
 * after the source (policy messages name it), with '/' of a sub-folder
 * path turned into '_'.
 */
static char *bld_student_obj_path(const char *scratch, const char *obj_dir, const char *src)
{
    size_t skip = strlen(scratch);
    const char *rel = strncmp(src, scratch, skip) == 0 && src[skip] == '/' ? src + skip + 1 : src;
    char *path = NULL;
    size_t len = strlen(rel);
    if (len > 2 && strcmp(rel + len - 2, ".c") == 0)
        len -= 2;
    if (asprintf(&path, "%s/%s/%.*s.o", scratch, obj_dir, (int)len, rel) < 0)
        return NULL;
    for (char *p = path + skip + strlen(obj_dir) + 2; *p; p++)
        if (*p == '/')
            *p = '_';
    return path;
}

/* Appends every *.h of `dir` to *out. */
static int bld_glob_headers(const char *dir, struct strv *out)
{
    glob_t g;
    char *pat = fs_join(dir, "*.h");
    if (!pat)
        return -1;
    int rc = glob(pat, 0, NULL, &g);
    free(pat);
    if (rc == 0)
        strv_push_all(out, g.gl_pathv, g.gl_pathc);
    if (rc == 0 || rc == GLOB_NOMATCH)
        globfree(&g);
    return rc == 0 || rc == GLOB_NOMATCH ? 0 : -1;
}

/* Every *.h of the include folders, so the sandbox can bind just those. */
static int bld_collect_headers(const struct grader_cfg *cfg, struct strv *out)
{
    for (size_t i = 0; i < cfg->build.include_dirs.n; i++)
        if (bld_glob_headers(cfg->build.include_dirs.v[i], out) < 0)
            return -1;
    return out->oom ? -1 : 0;
}

/* The *.h next to each trusted source: a source finds them with #include
 * "x.h" without any -I, so they are part of what it is built from. */
static int bld_collect_sibling_headers(const struct bld_flavour *f, struct strv *out)
{
    for (size_t i = 0; i < f->sources->n; i++) {
        const char *src = f->sources->v[i], *slash = strrchr(src, '/');
        char *dir = slash ? strndup(src, (size_t)(slash - src)) : strdup(".");
        int rc = dir ? bld_glob_headers(dir, out) : -1;
        free(dir);
        if (rc < 0)
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
 * The cache key: the flavour, the compiler, its flags, every trusted
 * source and every header it may include (those of the include folders
 * and those next to the sources).  Any change gives a new folder;
 * nothing is ever rebuilt in place.
 */
static int bld_cache_key(const struct grader_cfg *cfg, const struct bld_flavour *f,
                         const struct strv *headers, char key[17])
{
    struct strv siblings = {0};
    uint64_t h = 0xcbf29ce484222325ull;
    h = bld_hash_str(h, f->name);
    h = bld_hash_str(h, cfg->build.cc);
    for (size_t i = 0; i < f->cflags->n; i++)
        h = bld_hash_str(h, f->cflags->v[i]);
    for (size_t i = 0; i < cfg->build.include_dirs.n; i++)
        h = bld_hash_str(h, cfg->build.include_dirs.v[i]);
    int rc = bld_collect_sibling_headers(f, &siblings);
    for (size_t i = 0; rc == 0 && i < f->sources->n; i++)
        rc = bld_hash_file(&h, f->sources->v[i]);
    for (size_t i = 0; rc == 0 && i < headers->n; i++)
        rc = bld_hash_file(&h, headers->v[i]);
    for (size_t i = 0; rc == 0 && i < siblings.n; i++)
        rc = bld_hash_file(&h, siblings.v[i]);
    strv_clear(&siblings);
    snprintf(key, 17, "%016llx", (unsigned long long)h);
    return rc;
}

/* Compiles every trusted source into dir; objs gets their paths. */
static int bld_compile_all(const struct grader_cfg *cfg, const struct bld_flavour *f,
                           const char *dir, bool compile, struct strv *objs, char **log)
{
    for (size_t i = 0; i < f->sources->n; i++) {
        char *obj = bld_obj_path(dir, i, f->sources->v[i]);
        if (!obj || (compile && bld_compile_flavour(cfg, f, f->sources->v[i], obj, log) < 0)) {
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
static int bld_cache_fill(const struct grader_cfg *cfg, const struct bld_flavour *f,
                          const char *dir, struct strv *objs, char **log)
{
    struct stat st;
    char *tmp = NULL;
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return bld_compile_all(cfg, f, dir, false, objs, log);
    if (asprintf(&tmp, "%s.tmp-%ld", dir, (long)getpid()) < 0)
        return -1;
    struct strv tmp_objs = {0};
    fs_remove_tree(tmp);
    int rc = fs_mkdir_p(tmp, 0755) == 0 ? bld_compile_all(cfg, f, tmp, true, &tmp_objs, log) : -1;
    strv_clear(&tmp_objs);
    if (rc == 0 && rename(tmp, dir) < 0 && errno != ENOTEMPTY && errno != EEXIST)
        rc = -1;                  /* another grader may have won the race: fine */
    fs_remove_tree(tmp);
    free(tmp);
    return rc == 0 ? bld_compile_all(cfg, f, dir, false, objs, log) : -1;
}

/* One flavour's objects from the cache: *dir and *objs (NULL-free arrays). */
static int bld_flavour_init(const struct grader_cfg *cfg, const struct bld_flavour *f,
                            const char *cache_root, const struct strv *headers,
                            char **dir, struct strv *objs, char **log)
{
    char key[17];
    if (bld_cache_key(cfg, f, headers, key) < 0 || !(*dir = fs_join(cache_root, key)))
        return -1;
    return bld_cache_fill(cfg, f, *dir, objs, log);
}

int bld_trusted_init(const struct grader_cfg *cfg, const char *cache_root,
                     struct bld_trusted *out, char **log)
{
    struct strv objs = {0}, perf_objs = {0}, tsan_objs = {0}, io_objs = {0}, headers = {0};
    struct bld_flavour tests = bld_tests_flavour(cfg), perf = bld_perf_flavour(cfg);
    struct bld_flavour tsan = bld_tsan_flavour(cfg), io = bld_io_flavour(cfg);
    memset(out, 0, sizeof *out);
    *log = NULL;
    int rc = bld_collect_headers(cfg, &headers);
    if (rc == 0 && fs_mkdir_p(cache_root, 0755) < 0)
        rc = -1;
    if (rc == 0)
        rc = bld_flavour_init(cfg, &tests, cache_root, &headers, &out->dir, &objs, log);
    if (rc == 0 && cfg->performance.enabled)
        rc = bld_flavour_init(cfg, &perf, cache_root, &headers, &out->perf_dir, &perf_objs,
                              log);
    if (rc == 0 && cfg->tsan.enabled)
        rc = bld_flavour_init(cfg, &tsan, cache_root, &headers, &out->tsan_dir, &tsan_objs,
                              log);
    if (rc == 0 && cfg->io.enabled)
        rc = bld_flavour_init(cfg, &io, cache_root, &headers, &out->io_dir, &io_objs, log);
    out->nio_objs = io_objs.n;
    out->io_objs = strv_take(&io_objs);
    out->nobjs = objs.n;
    out->objs = strv_take(&objs);
    out->nperf_objs = perf_objs.n;
    out->perf_objs = strv_take(&perf_objs);
    out->ntsan_objs = tsan_objs.n;
    out->tsan_objs = strv_take(&tsan_objs);
    out->nheaders = headers.n;
    out->headers = strv_take(&headers);
    if (rc < 0) {
        if (!*log)
            bld_log_append(log, NULL, "grader: cannot prepare the trusted objects");
        bld_trusted_release(out);
        return -1;
    }
    return 0;
}

static void bld_free_array(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

void bld_trusted_release(struct bld_trusted *t)
{
    if (!t)
        return;
    bld_free_array(t->objs, t->nobjs);
    bld_free_array(t->perf_objs, t->nperf_objs);
    bld_free_array(t->tsan_objs, t->ntsan_objs);
    free(t->tsan_dir);
    bld_free_array(t->io_objs, t->nio_objs);
    free(t->io_dir);
    bld_free_array(t->headers, t->nheaders);
    free(t->dir);
    free(t->perf_dir);
    memset(t, 0, sizeof *t);
}

static void bld_push_link(struct strv *a, const struct grader_cfg *cfg,
                          const struct bld_flavour *f, char *const tobjs[], size_t ntobjs,
                          char *const objs[], size_t nobjs, const char *program)
{
    strv_push(a, cfg->build.cc);
    strv_push(a, "-o");
    strv_push(a, program);
    strv_push_all(a, objs, nobjs);
    strv_push_all(a, tobjs, ntobjs);
    strv_push_all(a, f->ldflags->v, f->ldflags->n);
}

static int bld_link_flavour(const struct grader_cfg *cfg, const struct bld_flavour *f,
                            char *const tobjs[], size_t ntobjs, const char *const objs[],
                            size_t nobjs, const char *program, char **log)
{
    struct strv a = {0};
    struct sbx_opts o;
    bld_trusted_opts(&o, cfg->base_dir);
    bld_push_link(&a, cfg, f, tobjs, ntobjs, (char *const *)objs, nobjs, program);
    int rc = bld_run(cfg, &o, &a, log);
    strv_clear(&a);
    return rc;
}

int bld_link_trusted(const struct grader_cfg *cfg, const struct bld_trusted *t,
                     const char *const objs[], size_t nobjs,
                     const char *program, char **log)
{
    struct bld_flavour f = bld_tests_flavour(cfg);
    return bld_link_flavour(cfg, &f, t->objs, t->nobjs, objs, nobjs, program, log);
}

int bld_perf_link_trusted(const struct grader_cfg *cfg, const struct bld_trusted *t,
                          const char *const objs[], size_t nobjs,
                          const char *program, char **log)
{
    struct bld_flavour f = bld_perf_flavour(cfg);
    return bld_link_flavour(cfg, &f, t->perf_objs, t->nperf_objs, objs, nobjs, program, log);
}

int bld_io_link_trusted(const struct grader_cfg *cfg, const struct bld_trusted *t,
                        const char *const objs[], size_t nobjs,
                        const char *program, char **log)
{
    struct bld_flavour f = bld_io_flavour(cfg);
    return bld_link_flavour(cfg, &f, t->io_objs, t->nio_objs, objs, nobjs, program, log);
}

int bld_io_compile_trusted(const struct grader_cfg *cfg, const char *src,
                           const char *obj, char **log)
{
    struct bld_flavour f = bld_io_flavour(cfg);
    return bld_compile_flavour(cfg, &f, src, obj, log);
}

/*
 * Copies the trusted objects and the include folders' headers into the
 * scratch folder: the sandbox then needs no view of the repository or
 * the cache, whatever their permissions, and no #include can reach a
 * solution or a hidden suite.  scratch/<f->include_dir>/N mirrors
 * include_dirs[N]; the objects go to scratch/<f->trusted_dir>/.
 */
static int bld_stage(const struct grader_cfg *cfg, const struct bld_flavour *f,
                     char *const tobjs[], size_t ntobjs, const char *scratch,
                     struct strv *incs, struct strv *objs)
{
    for (size_t i = 0; i < cfg->build.include_dirs.n; i++) {
        glob_t g;
        char *dir = NULL;
        if (asprintf(&dir, "%s/%s/%zu", scratch, f->include_dir, i) < 0)
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
    char *tdir = fs_join(scratch, f->trusted_dir);
    int rc = tdir ? fs_mkdir_p(tdir, 0755) : -1;
    for (size_t i = 0; rc == 0 && i < ntobjs; i++) {
        char *dst = fs_join(tdir, strrchr(tobjs[i], '/') + 1);
        rc = dst ? fs_copy_file(tobjs[i], dst) : -1;
        strv_push(objs, dst ? dst : "");
        free(dst);
    }
    free(tdir);
    return rc < 0 || incs->oom || objs->oom ? -1 : 0;
}

/*
 * The student's compile.  -fmacro-prefix-map drops the scratch folder from
 * __FILE__ (assert messages, for one), so what the code prints names
 * "kernels.c", not a random host path: the same on every grading, and
 * nothing of the host shown to the student.
 */
static void bld_push_student_compile(struct strv *a, const struct grader_cfg *cfg,
                                     const struct bld_flavour *f, const struct strv *incs,
                                     const char *scratch, const char *src, const char *obj)
{
    strv_push(a, cfg->build.cc);
    strv_push_all(a, f->cflags->v, f->cflags->n);
    if (f->student_cflags)
        strv_push_all(a, f->student_cflags->v, f->student_cflags->n);
    strv_pushf(a, "-fmacro-prefix-map=%s/=", scratch);
    strv_push_all(a, incs->v, incs->n);
    strv_push(a, "-c");
    strv_push(a, src);
    strv_push(a, "-o");
    strv_push(a, obj);
}

static int bld_student_flavour(const struct grader_cfg *cfg, const struct bld_flavour *f,
                               char *const tobjs[], size_t ntobjs,
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
    o.probe = sb->probe;
    o.workdir = scratch;
    int rc = bld_stage(cfg, f, tobjs, ntobjs, scratch, &incs, &staged);
    if (rc < 0)
        bld_log_append(log, NULL, "grader: cannot stage the trusted files in the scratch folder");
    for (size_t i = 0; i < nsources && rc == 0; i++) {
        struct strv a = {0};
        char *obj = bld_student_obj_path(scratch, f->obj_dir, sources[i]);
        if (!obj) {
            rc = -1;
            break;
        }
        bld_push_student_compile(&a, cfg, f, &incs, scratch, sources[i], obj);
        rc = bld_run(cfg, &o, &a, log);
        strv_push(&objs, obj);
        free(obj);
        strv_clear(&a);
    }
    if (rc == 0) {
        struct strv a = {0};
        bld_push_link(&a, cfg, f, staged.v, staged.n, objs.v, objs.n, program);
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

int bld_student(const struct grader_cfg *cfg, const struct bld_trusted *t,
                const struct bld_sandbox *sb, const char *scratch,
                const char *const sources[], size_t nsources,
                const char *program, char ***objs_out, char **log)
{
    struct bld_flavour f = bld_tests_flavour(cfg);
    return bld_student_flavour(cfg, &f, t->objs, t->nobjs, sb, scratch, sources, nsources,
                               program, objs_out, log);
}

int bld_perf_student(const struct grader_cfg *cfg, const struct bld_trusted *t,
                     const struct bld_sandbox *sb, const char *scratch,
                     const char *const sources[], size_t nsources,
                     const char *program, char ***objs_out, char **log)
{
    struct bld_flavour f = bld_perf_flavour(cfg);
    return bld_student_flavour(cfg, &f, t->perf_objs, t->nperf_objs, sb, scratch, sources,
                               nsources, program, objs_out, log);
}

/* scratch/`sub` for a build of the sandbox user's, made before any student code runs. */
static int bld_own_dir(const struct bld_sandbox *sb, const char *scratch, const char *sub)
{
    char *dir = fs_join(scratch, sub);
    int ok = dir && fs_mkdir_p(dir, 0770) == 0 && chmod(dir, 0770) == 0 &&
             (geteuid() != 0 || fs_chown_tree(dir, sb->uid, sb->gid) == 0);
    free(dir);
    return ok ? 0 : -1;
}

int bld_io_student(const struct grader_cfg *cfg, const struct bld_trusted *t,
                   const struct bld_sandbox *sb, const char *scratch,
                   const char *const sources[], size_t nsources,
                   const char *program, char ***objs_out, char **log)
{
    struct bld_flavour f = bld_io_flavour(cfg);
    if (bld_own_dir(sb, scratch, BLD_IO_DIR) < 0) {
        *log = NULL;
        *objs_out = NULL;
        bld_log_append(log, NULL, "grader: cannot create the io build folder");
        return -1;
    }
    return bld_student_flavour(cfg, &f, t->io_objs, t->nio_objs, sb, scratch, sources,
                               nsources, program, objs_out, log);
}

int bld_tsan_student(const struct grader_cfg *cfg, const struct bld_trusted *t,
                     const struct bld_sandbox *sb, const char *scratch,
                     const char *const sources[], size_t nsources,
                     const char *program, char ***objs_out, char **log)
{
    struct bld_flavour f = bld_tsan_flavour(cfg);
    char *dir = fs_join(scratch, BLD_TSAN_DIR);
    int ok = dir && fs_mkdir_p(dir, 0770) == 0 && chmod(dir, 0770) == 0 &&
             (geteuid() != 0 || fs_chown_tree(dir, sb->uid, sb->gid) == 0);
    free(dir);
    if (!ok) {
        *log = NULL;
        *objs_out = NULL;
        bld_log_append(log, NULL, "grader: cannot create the ThreadSanitizer build folder");
        return -1;
    }
    return bld_student_flavour(cfg, &f, t->tsan_objs, t->ntsan_objs, sb, scratch, sources,
                               nsources, program, objs_out, log);
}
