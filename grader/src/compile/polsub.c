/*
 * polsub.c -- the symbol policy of one submission folder, as grading
 * checks it (see polsub.h).
 */
#include "compile/polsub.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fsutil.h"
#include "compile/policy.h"

/* One check of a build: the scratch folder and what it found. */
struct polsub_run {
    const struct grader_cfg *cfg;
    const struct bld_trusted *t;
    char *scratch;
    struct strv sources;     /* the copied student files */
    struct polsub_result *out;
    char *err;
    size_t errlen;
};

static int polsub_fail(struct polsub_run *r, const char *what)
{
    snprintf(r->err, r->errlen, "%s: %s", what, strerror(errno));
    return -1;
}

/* Copies one student file into the scratch folder: 0, 1 refused as grading
 * refuses it ("missing file kernels.c: ..."), -1 failure. */
static int polsub_copy(struct polsub_run *r, const char *dir, const struct cfg_student_file *f)
{
    char *src = fs_join(dir, f->path), *dst = fs_join(r->scratch, f->path);
    struct strv *lines = &r->out->lines;
    struct stat st;
    int rc = 1;
    if (!src || !dst)
        rc = polsub_fail(r, "out of memory");
    else if (lstat(src, &st) < 0)
        strv_pushf(lines, "missing file %s: submit it with exactly this name", f->path);
    else if (S_ISLNK(st.st_mode))
        strv_pushf(lines, "%s is a symbolic link: submit the file itself", f->path);
    else if (!S_ISREG(st.st_mode))
        strv_pushf(lines, "%s is not a regular file", f->path);
    else if ((uint64_t)st.st_size > f->max_size)
        strv_pushf(lines, "%s is too large (%lld bytes; the limit is %llu)", f->path,
                   (long long)st.st_size, (unsigned long long)f->max_size);
    else
        rc = 0;
    if (rc == 1)
        r->out->verdict = POLSUB_UNBUILT;
    if (rc == 0) {
        char *slash = strrchr(dst, '/');
        *slash = '\0';
        int mk = fs_mkdir_p(dst, 0755);
        *slash = '/';
        if (mk < 0 || fs_copy_file(src, dst) < 0)
            rc = polsub_fail(r, dst);
        else
            strv_push(&r->sources, dst);
    }
    free(src);
    free(dst);
    return rc;
}

/* The scratch folder with obj/ and perf/, and the student files in it. */
static int polsub_prepare(struct polsub_run *r, const char *work_root, const char *dir)
{
    if (asprintf(&r->scratch, "%s/grader-policy-XXXXXX", work_root) < 0) {
        r->scratch = NULL;
        return polsub_fail(r, "out of memory");
    }
    if (!mkdtemp(r->scratch)) {
        int rc = polsub_fail(r, r->scratch);
        free(r->scratch);
        r->scratch = NULL;
        return rc;
    }
    char *obj = fs_join(r->scratch, "obj"), *perf = fs_join(r->scratch, BLD_PERF_DIR);
    int rc = obj && perf && fs_mkdir_p(obj, 0755) == 0 && fs_mkdir_p(perf, 0755) == 0
                 ? 0 : polsub_fail(r, r->scratch);
    free(obj);
    free(perf);
    for (size_t i = 0; rc == 0 && i < r->cfg->nfiles; i++)
        rc = polsub_copy(r, dir, &r->cfg->files[i]);
    if (rc == 0 && r->sources.oom)
        rc = polsub_fail(r, "out of memory");
    return rc;
}

/* pol_check() on objs; each message becomes "<prefix>: message". */
static int polsub_policy(struct polsub_run *r, char *const objs[], size_t nobjs,
                         const char *prefix)
{
    struct pol_report rep = {0};
    char perr[512] = "";
    if (pol_check(&r->cfg->symbols, (const char *const *)objs, nobjs, pol_run_direct, NULL,
                  &rep, perr, sizeof perr) < 0) {
        snprintf(r->err, r->errlen, "symbol check failed: %s", perr);
        return -1;
    }
    for (size_t i = 0; i < rep.n; i++)
        strv_pushf(&r->out->lines, "%s: %s", prefix, rep.v[i].message);
    if (rep.n > 0)
        r->out->verdict = POLSUB_REFUSED;
    pol_report_release(&rep);
    return 0;
}

/* Appends a build's log to out->log. */
static void polsub_keep_log(struct polsub_run *r, char *log)
{
    if (!log || !*log) {
        free(log);
        return;
    }
    char *both = NULL;
    if (!r->out->log) {
        r->out->log = log;
        return;
    }
    if (asprintf(&both, "%s%s", r->out->log, log) >= 0) {
        free(r->out->log);
        r->out->log = both;
    }
    free(log);
}

/* One flavour: build, then the policy on its objects.  0, or -1. */
static int polsub_build(struct polsub_run *r, bool perf)
{
    struct bld_sandbox sb = {false, geteuid(), getegid(), NULL, NULL};
    char **objs = NULL, *log = NULL;
    char *program = perf ? fs_join(r->scratch, BLD_PERF_DIR "/perf")
                         : fs_join(r->scratch, "tests");
    if (!program)
        return polsub_fail(r, "out of memory");
    int rc = (perf ? bld_perf_student : bld_student)(
        r->cfg, r->t, &sb, r->scratch, (const char *const *)r->sources.v, r->sources.n,
        program, &objs, &log);
    free(program);
    size_t nobjs = 0;
    while (objs && objs[nobjs])
        nobjs++;
    if (rc < 0)
        snprintf(r->err, r->errlen, "%s failed: %s", perf ? "performance build" : "build",
                 log ? log : "unknown reason");
    else if (rc == 1) {
        r->out->verdict = POLSUB_UNBUILT;
        strv_push(&r->out->lines, perf ? "the performance build failed: see the build log"
                                       : "your code did not compile or link: see the build log");
    } else {
        rc = polsub_policy(r, objs, nobjs, perf ? "policy (performance build)" : "policy");
    }
    polsub_keep_log(r, log);
    for (size_t i = 0; i < nobjs; i++)
        free(objs[i]);
    free(objs);
    return rc < 0 ? -1 : 0;
}

int polsub_check(const struct grader_cfg *cfg, const struct bld_trusted *t,
                 const char *work_root, const char *submission_dir,
                 struct polsub_result *out, char *err, size_t errlen)
{
    struct polsub_run r = {.cfg = cfg, .t = t, .out = out, .err = err, .errlen = errlen};
    memset(out, 0, sizeof *out);
    int rc = polsub_prepare(&r, work_root, submission_dir);
    if (rc == 0)
        rc = polsub_build(&r, false);
    if (rc == 0 && out->verdict == POLSUB_CLEAN && cfg->performance.enabled)
        rc = polsub_build(&r, true);
    if (rc == 0 && out->lines.oom) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    if (r.scratch)
        fs_remove_tree(r.scratch);
    free(r.scratch);
    strv_clear(&r.sources);
    return rc < 0 ? -1 : 0;
}

void polsub_result_release(struct polsub_result *r)
{
    if (!r)
        return;
    strv_clear(&r->lines);
    free(r->log);
    r->log = NULL;
    r->verdict = POLSUB_CLEAN;
}
