/*
 * cache.c -- the regrade cache: SHA-256 keys (nettle) over a grading's
 * inputs, and output folders copied in and out.
 */
#include "scale/cache.h"

#include <dirent.h>
#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"

/* Bumped whenever what a key covers changes. */
static const char rcache_version[] = "kernels-grader regrade cache v1";

/* Each item is framed by its length, so two inputs never run together. */
static void rcache_put(struct sha256_ctx *h, const void *data, size_t len)
{
    uint64_t n = len;
    sha256_update(h, sizeof n, (const uint8_t *)&n);
    sha256_update(h, len, data);
}

static void rcache_put_str(struct sha256_ctx *h, const char *s)
{
    rcache_put(h, s ? s : "", s ? strlen(s) : 0);
    sha256_update(h, 1, (const uint8_t *)(s ? "s" : "0"));
}

/*
 * Hashes the file at `path`, named `name` in the key, by what it is:
 * absent, not a regular file (its type: the grading refuses those) or a
 * regular file's bytes.  -1 with errno when a regular file cannot be read.
 */
static int rcache_put_file(struct sha256_ctx *h, const char *name, const char *path,
                           size_t max)
{
    struct stat st;
    rcache_put_str(h, name);
    if (lstat(path, &st) < 0) {
        rcache_put_str(h, errno == ENOENT ? "absent" : "unreadable");
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        char what[64];
        snprintf(what, sizeof what, "type %o size %lld", (unsigned)(st.st_mode & S_IFMT),
                 (long long)st.st_size);
        rcache_put_str(h, what);
        return 0;
    }
    if ((uint64_t)st.st_size > max) {   /* refused as too large: its size says so */
        char what[64];
        snprintf(what, sizeof what, "oversize %lld", (long long)st.st_size);
        rcache_put_str(h, what);
        return 0;
    }
    char *text = NULL;
    size_t len = 0;
    if (fs_read_file(path, max, &text, &len) < 0)
        return -1;
    rcache_put(h, text, len);
    free(text);
    return 0;
}

/* The folder names of the trusted objects: their content hashes (build.h). */
static void rcache_put_trusted(struct sha256_ctx *h, const struct bld_trusted *t)
{
    rcache_put_str(h, t ? t->dir : NULL);
    rcache_put_str(h, t ? t->perf_dir : NULL);
    rcache_put_str(h, t ? t->tsan_dir : NULL);
    rcache_put_str(h, t ? t->io_dir : NULL);
}

/* The files an io test reads (cfg.h, struct cfg_io_test): inputs and expected outputs. */
static int rcache_put_io_files(struct sha256_ctx *h, const struct cfg_test *t)
{
    const struct cfg_io_test *io = &t->io;
    const char *one[] = {io->stdin_file, io->stdout_file, io->stderr_file};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof one / sizeof one[0]; i++)
        if (one[i])
            rc = rcache_put_file(h, one[i], one[i], 64u << 20);
    for (size_t i = 0; rc == 0 && i < io->files.n; i++)
        rc = rcache_put_file(h, io->files.v[i], io->files.v[i], 64u << 20);
    return rc;
}

int rcache_open(struct rcache *c, const char *cache_root, const char *grader_exe,
                const char *adjustments, const struct grade_env *env, char *err,
                size_t errlen)
{
    const struct grader_cfg *cfg = env->cfg;
    struct sha256_ctx h;
    char flags[64];
    memset(c, 0, sizeof *c);
    c->dir = fs_join(cache_root, "results");
    if (!c->dir) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    sha256_init(&h);
    rcache_put_str(&h, rcache_version);
    int rc = rcache_put_file(&h, grader_exe, grader_exe, 256u << 20);
    rc = rc ? rc : rcache_put_file(&h, cfg->path, cfg->path, 16u << 20);
    /* The adjustments change scores and reports: the file's text, all of it. */
    rcache_put_str(&h, env->adjust ? "adjusted" : "unadjusted");
    if (rc == 0 && env->adjust)
        rc = adjustments ? rcache_put_file(&h, "adjustments", adjustments, 16u << 20)
                         : (errno = EINVAL, -1);
    for (size_t i = 0; rc == 0 && i < cfg->nfiles; i++)
        if (cfg->files[i].solution)
            rc = rcache_put_file(&h, cfg->files[i].solution,
                                 cfg->files[i].solution, 64u << 20);
    for (size_t i = 0; rc == 0 && i < cfg->ntests; i++)
        if (cfg->tests[i].kind == CFG_KIND_IO)
            rc = rcache_put_io_files(&h, &cfg->tests[i]);
    rcache_put_trusted(&h, env->trusted);
    rcache_put_str(&h, env->sandbox);
    snprintf(flags, sizeof flags, "bwrap %d perf %d jobs %u", env->use_bwrap,
             !env->skip_performance, env->unit_jobs);
    rcache_put_str(&h, flags);
    sha256_digest(&h, sizeof c->base, c->base);
    if (rc < 0 || fs_mkdir_p(c->dir, 0700) < 0) {
        snprintf(err, errlen, "regrade cache %s: %s", c->dir, strerror(errno));
        rcache_close(c);
        return -1;
    }
    return 0;
}

void rcache_close(struct rcache *c)
{
    free(c->dir);
    c->dir = NULL;
}

int rcache_key(const struct rcache *c, const struct grade_env *env,
               const char *submission_dir, const char *student, char key[RCACHE_KEY_HEX])
{
    static const char *const time_files[] = {"submission_metadata.json", "submitted_at"};
    const struct grader_cfg *cfg = env->cfg;
    struct sha256_ctx h;
    uint8_t d[32];
    int rc = 0;
    sha256_init(&h);
    rcache_put(&h, c->base, sizeof c->base);
    rcache_put_str(&h, student);
    for (size_t i = 0; rc == 0 && i < cfg->nfiles; i++) {
        char *p = fs_join(submission_dir, cfg->files[i].path);
        /* Named relative to the folder: the same submission elsewhere has the same key. */
        rc = p ? rcache_put_file(&h, cfg->files[i].path, p, cfg->files[i].max_size) : -1;
        free(p);
    }
    rcache_put_str(&h, env->submitted_at);
    for (size_t i = 0; rc == 0 && i < sizeof time_files / sizeof time_files[0]; i++) {
        char *p = fs_join(submission_dir, time_files[i]);
        rc = p ? rcache_put_file(&h, time_files[i], p, 1u << 20) : -1;
        free(p);
    }
    sha256_digest(&h, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(key + 2 * i, 3, "%02x", d[i]);
    return rc;
}

/* Copies the tree src into dst (created): folders and regular files only. */
static int rcache_copy_tree(const char *src, const char *dst)
{
    DIR *d = opendir(src);
    struct dirent *e;
    int rc = 0;
    if (!d || fs_mkdir_p(dst, 0755) < 0) {
        if (d)
            closedir(d);
        return -1;
    }
    while (rc == 0 && (e = readdir(d))) {
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *s = fs_join(src, e->d_name), *t = fs_join(dst, e->d_name);
        if (!s || !t || lstat(s, &st) < 0)
            rc = -1;
        else if (S_ISDIR(st.st_mode))
            rc = rcache_copy_tree(s, t);
        else if (S_ISREG(st.st_mode))
            rc = fs_copy_file(s, t);
        free(s);
        free(t);
    }
    closedir(d);
    return rc;
}

int rcache_fetch(const struct rcache *c, const char *key, const char *out_dir)
{
    char *entry = fs_join(c->dir, key), *json = entry ? fs_join(entry, "results.json") : NULL;
    int rc = -1;
    if (!json)
        errno = ENOMEM;
    else if (access(json, F_OK) < 0)
        rc = 0;
    else
        rc = rcache_copy_tree(entry, out_dir) == 0 ? 1 : -1;
    free(entry);
    free(json);
    return rc;
}

int rcache_store(const struct rcache *c, const char *key, const char *out_dir)
{
    char *entry = fs_join(c->dir, key), *tmp = NULL;
    struct stat st;
    int rc = -1;
    if (entry && stat(entry, &st) == 0) {
        rc = 0;                                   /* another worker stored it */
    } else if (entry && asprintf(&tmp, "%s.tmp-%ld-%p", entry, (long)getpid(),
                                 (void *)&st) >= 0) {
        rc = rcache_copy_tree(out_dir, tmp);
        if (rc == 0 && rename(tmp, entry) < 0 && errno != ENOTEMPTY && errno != EEXIST)
            rc = -1;
        fs_remove_tree(tmp);
    } else {
        errno = ENOMEM;
    }
    free(entry);
    free(tmp);
    return rc;
}
