/*
 * grade.c -- one submission, from its folder to its reports.
 */
#include "grade/grade.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compile/buildlog.h"
#include "run/coverage.h"
#include "util/fsutil.h"
#include "report/html.h"
#include "run/perf.h"
#include "compile/policy.h"
#include "report/report.h"
#include "sandbox/sbx.h"
#include "sandbox/scratch.h"
#include "score/outcomes.h"
#include "score/ratelimit.h"
#include "util/strv.h"
#include "run/iotest.h"
#include "run/testrun.h"
#include "run/tsan.h"
#include "grade/grade_priv.h"
#include "grade/perfstage.h"
#include "grade/units.h"

const char *const grade_output_files[] = {
    "build.log", "report.txt", "report-instructor.txt", "report.html",
    "report-instructor.html", "junit.xml",
    "gradebook-row.csv", "report.md", OUTC_FILE, "results.json", NULL,
};

int grade_errf(struct grade_run *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(g->err, g->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void grade_ungradable(struct res_submission *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Marks the submission ungradable; the first reason wins. */
static void grade_ungradable(struct res_submission *res, const char *fmt, ...)
{
    va_list ap;
    if (res->status == RES_UNGRADABLE)
        return;
    res->status = RES_UNGRADABLE;
    va_start(ap, fmt);
    if (vasprintf(&res->reason, fmt, ap) < 0)
        res->reason = NULL;
    va_end(ap);
}

int grade_degrade(struct grade_run *g, const char *stage, const char *message,
                  const char *detail)
{
    struct res_submission *s = g->res;
    struct res_degraded *v = realloc(s->degraded, (s->ndegraded + 1) * sizeof *v);
    if (!v)
        return grade_errf(g, "out of memory");
    s->degraded = v;
    struct res_degraded *d = &v[s->ndegraded];
    d->stage = strdup(stage);
    d->message = strdup(message);
    d->detail = detail && detail[0] ? strdup(detail) : NULL;
    s->ndegraded++;   /* counted even when a strdup failed: released either way */
    if (!d->stage || !d->message || (detail && detail[0] && !d->detail))
        return grade_errf(g, "out of memory");
    return 0;
}

static int grade_init_tests(struct res_submission *res, const struct grader_cfg *cfg)
{
    res->tests = calloc(cfg->ntests ? cfg->ntests : 1, sizeof *res->tests);
    if (!res->tests)
        return -1;
    res->ntests = cfg->ntests;
    for (size_t i = 0; i < cfg->ntests; i++) {
        res->tests[i].cfg = &cfg->tests[i];
        res->tests[i].status = RES_NOT_RUN;
        res->tests[i].max_score = cfg->tests[i].points;
    }
    return 0;
}

/*
 * Copies one student file into scratch.  Only a regular file inside the
 * submission folder is taken: no symlinks (at any level), devices, FIFOs
 * or oversize files.  Returns 0, 1 if the submission is at fault (reason
 * recorded), -1 on a grader failure.
 */
static int grade_copy_file(struct grade_run *g, const char *sub_real,
                           const struct cfg_student_file *f)
{
    char *src = fs_join(sub_real, f->path), *dst = fs_join(g->scratch, f->path);
    char real[PATH_MAX];
    struct stat st;
    int rc = 1;
    if (!src || !dst) {
        rc = grade_errf(g, "out of memory");
    } else if (lstat(src, &st) < 0) {
        grade_ungradable(g->res, "missing file %s: submit it with exactly this name", f->path);
    } else if (S_ISLNK(st.st_mode)) {
        grade_ungradable(g->res, "%s is a symbolic link: submit the file itself", f->path);
    } else if (!S_ISREG(st.st_mode)) {
        grade_ungradable(g->res, "%s is not a regular file", f->path);
    } else if ((uint64_t)st.st_size > f->max_size) {
        grade_ungradable(g->res, "%s is too large (%lld bytes; the limit is %llu)", f->path,
                         (long long)st.st_size, (unsigned long long)f->max_size);
    } else if (!realpath(src, real) || strncmp(real, sub_real, strlen(sub_real)) != 0 ||
               real[strlen(sub_real)] != '/') {
        grade_ungradable(g->res, "%s resolves outside the submission folder", f->path);
    } else {
        char *slash = strrchr(dst, '/');
        *slash = '\0';
        int mk = fs_mkdir_p(dst, 0755);
        *slash = '/';
        if (mk < 0 || fs_copy_file(src, dst) < 0)
            rc = grade_errf(g, "cannot copy %s into %s: %s", f->path, g->scratch, strerror(errno));
        else {
            strv_push(&g->sources, dst);
            rc = 0;
        }
    }
    free(src);
    free(dst);
    return rc;
}

static int grade_prepare(struct grade_run *g, const char *submission_dir)
{
    const struct grader_cfg *cfg = g->env->cfg;
    char sub_real[PATH_MAX];
    bool as_root = geteuid() == 0;
    if (scr_grading_open(g->env->work_root, as_root, g->slot->uid, g->slot->gid,
                         &g->scratch) < 0)
        return grade_errf(g, "cannot create a scratch folder in %s: %s", g->env->work_root,
                          strerror(errno));
    g->program = fs_join(g->scratch, "tests");
    char *obj = fs_join(g->scratch, "obj");
    int ok = g->program && obj && fs_mkdir_p(obj, 0770) == 0;
    free(obj);
    if (!ok)
        return grade_errf(g, "cannot prepare %s: %s", g->scratch, strerror(errno));
    if (!realpath(submission_dir, sub_real)) {
        grade_ungradable(g->res, "cannot open the submission folder: %s", strerror(errno));
        return 0;
    }
    for (size_t i = 0; i < cfg->nfiles; i++)
        if (grade_copy_file(g, sub_real, &cfg->files[i]) < 0)
            return -1;
    if (g->sources.oom)
        return grade_errf(g, "out of memory");
    /* The sandbox users own their scratch folder (group-writable: the unit
     * runners of one submission share it) to write objects and results;
     * no other user may enter it (scratch.h). */
    if (as_root && fs_chown_tree(g->scratch, g->slot->uid, g->slot->gid) < 0)
        return grade_errf(g, "cannot hand %s to uid %u: %s", g->scratch,
                          (unsigned)g->slot->uid, strerror(errno));
    char *objdir = fs_join(g->scratch, "obj");
    int rc = objdir && chmod(g->scratch, 0770) == 0 && chmod(objdir, 0770) == 0 ? 0 : -1;
    free(objdir);
    if (rc < 0)
        return grade_errf(g, "cannot open %s to the sandbox users: %s", g->scratch,
                          strerror(errno));
    return 0;
}

/* Compile, link and check the symbol policy.  0, or -1 on grader failure. */
static int grade_build(struct grade_run *g)
{
    const struct grade_env *env = g->env;
    struct bld_sandbox sb = {env->use_bwrap, g->slot->uid, g->slot->gid, env->cancel,
                             env->probe};
    char **objs = NULL, *log = NULL, perr[512] = "";
    uint64_t t0 = fs_now_ms();
    int rc = bld_student(env->cfg, env->trusted, &sb, g->scratch,
                         (const char *const *)g->sources.v, g->sources.n,
                         g->program, &objs, &log);
    g->res->phases.compile_ms = fs_now_ms() - t0;
    g->res->build_log = log;
    if (rc == 1)
        grade_ungradable(g->res, "your code did not compile or link: see the build log");
    size_t nobjs = 0;
    while (objs && objs[nobjs])
        nobjs++;
    if (rc == 0) {
        struct pol_report rep = {0};
        t0 = fs_now_ms();
        rc = pol_check(&env->cfg->symbols, (const char *const *)objs, nobjs,
                       pol_run_direct, NULL, &rep, perr, sizeof perr);
        g->res->phases.policy_ms = fs_now_ms() - t0;
        if (rc == 0 && rep.n > 0)
            grade_ungradable(g->res, "%s%s", rep.v[0].message,
                             rep.n > 1 ? " (and more: see the build log)" : "");
        for (size_t i = 0; rc == 0 && i < rep.n; i++) {
            char *l = NULL;
            if (asprintf(&l, "%spolicy: %s\n", g->res->build_log ? g->res->build_log : "",
                         rep.v[i].message) >= 0) {
                free(g->res->build_log);
                g->res->build_log = l;
            }
        }
        pol_report_release(&rep);
        if (rc < 0)
            grade_errf(g, "symbol check failed: %s", perr);
    } else if (rc < 0) {
        grade_errf(g, "build failed: %s", log ? log : "unknown reason");
    }
    for (size_t i = 0; i < nobjs; i++)
        free(objs[i]);
    free(objs);
    return rc < 0 ? -1 : 0;
}

bool grade_cancelled(const struct grade_env *env)
{
    return env->cancel && *env->cancel;
}

/* ---- repeated runs and the ThreadSanitizer stage ------------------------------ */

/* Appends `text` to the build log (for both views: buildlog.h filters it). */
static void grade_log_append(struct grade_run *g, const char *head, const char *text)
{
    char *l = NULL;
    if (asprintf(&l, "%s%s%s", g->res->build_log ? g->res->build_log : "", head,
                 text ? text : "") >= 0) {
        free(g->res->build_log);
        g->res->build_log = l;
    }
}

/*
 * The ThreadSanitizer build (build.h), at the same time as the tests build
 * (its own objects, staged headers and program: build.c) and, like it,
 * before any student code runs in scratch.  The thread only builds; what
 * it found is merged into the result by grade_tsan_finish() once both
 * builds are done, so the build log's order does not depend on timing.
 */
struct grade_tsan_job {
    struct grade_run *g;
    pthread_t thread;
    bool started;
    char *program;          /* scratch/BLD_TSAN_DIR/tests */
    int rc;                 /* bld_tsan_student()'s */
    char *log;
    uint64_t ms;
};

static void *grade_tsan_main(void *arg)
{
    struct grade_tsan_job *j = arg;
    struct grade_run *g = j->g;
    const struct grade_env *env = g->env;
    struct bld_sandbox sb = {env->use_bwrap, g->slot->uid, g->slot->gid, env->cancel,
                             env->probe};
    char **objs = NULL;
    uint64_t t0 = fs_now_ms();
    j->rc = bld_tsan_student(env->cfg, env->trusted, &sb, g->scratch,
                             (const char *const *)g->sources.v, g->sources.n, j->program,
                             &objs, &j->log);
    j->ms = fs_now_ms() - t0;
    for (size_t i = 0; objs && objs[i]; i++)
        free(objs[i]);
    free(objs);
    return NULL;
}

/* Starts the ThreadSanitizer build in a thread (else runs it here). */
static int grade_tsan_start(struct grade_run *g, struct grade_tsan_job *j)
{
    j->g = g;
    j->program = fs_join(g->scratch, BLD_TSAN_DIR "/tests");
    if (!j->program)
        return grade_errf(g, "out of memory");
    j->started = pthread_create(&j->thread, NULL, grade_tsan_main, j) == 0;
    if (!j->started)
        grade_tsan_main(j);
    return 0;
}

/*
 * Waits for the ThreadSanitizer build and records it.  The student's file
 * failing to build there (e.g. an #error under __SANITIZE_THREAD__) fails
 * the units TSan would have checked; only a grader failure is -1.
 */
static int grade_tsan_finish(struct grade_run *g, struct grade_tsan_job *j)
{
    if (j->started)
        pthread_join(j->thread, NULL);
    j->started = false;
    /* The builds overlapped: compile_ms counts the longer one's share. */
    g->res->phases.compile_ms = j->ms > g->res->phases.compile_ms ? j->ms
                                                                  : g->res->phases.compile_ms;
    int rc = j->rc;
    if (rc == 0) {
        g->tsan_program = j->program;
        j->program = NULL;
    } else if (g->res->status == RES_GRADED) {   /* a failed tests build says it all */
        if (rc < 0)
            grade_errf(g, "ThreadSanitizer build failed: %s", j->log ? j->log : "unknown reason");
        else
            grade_log_append(g, "ThreadSanitizer build (thread_sanitizer) failed:\n", j->log);
        g->tsan_failed = true;
    }
    free(j->program);
    free(j->log);
    j->program = j->log = NULL;
    return rc < 0 && g->res->status == RES_GRADED ? -1 : 0;
}

/*
 * The io build (build.h): the student's program with their main, after the
 * tests build and before any student code runs.  Code that does not build
 * this way (no main, say) fails the io tests, which then say why; only a
 * grader failure is -1.
 */
static int grade_io_build(struct grade_run *g)
{
    const struct grade_env *env = g->env;
    struct bld_sandbox sb = {env->use_bwrap, g->slot->uid, g->slot->gid, env->cancel,
                             env->probe};
    char **objs = NULL, *log = NULL;
    g->io_root = fs_join(g->scratch, BLD_IO_DIR);
    char *program = g->io_root ? fs_join(g->io_root, env->cfg->io.program) : NULL;
    if (!program)
        return grade_errf(g, "out of memory");
    uint64_t t0 = fs_now_ms();
    int rc = bld_io_student(env->cfg, env->trusted, &sb, g->scratch,
                            (const char *const *)g->sources.v, g->sources.n, program, &objs,
                            &log);
    g->res->phases.compile_ms += fs_now_ms() - t0;
    for (size_t i = 0; objs && objs[i]; i++)
        free(objs[i]);
    free(objs);
    if (rc == 0) {
        g->io_program = program;
        program = NULL;
    } else if (rc > 0) {
        grade_log_append(g, "The program of the io tests (your main) did not build:\n", log);
        g->io_failed = true;
    } else {
        grade_errf(g, "io build failed: %s", log ? log : "unknown reason");
    }
    free(program);
    free(log);
    return rc < 0 ? -1 : 0;
}

/* The tests build (and its symbol policy) and the ThreadSanitizer build,
 * at the same time: each waits mostly on its own compiler; then the io
 * build, if the config has io tests.  The performance build starts first
 * and goes on beside the units (perfstage.h). */
static int grade_builds(struct grade_run *g, struct pstage *perf)
{
    struct grade_tsan_job tsan = {0};
    bool with_tsan = g->env->cfg->tsan.enabled;
    if (pstage_start(perf, g) < 0)
        return -1;
    if (with_tsan && grade_tsan_start(g, &tsan) < 0)
        return -1;
    int rc = grade_build(g);
    if (with_tsan && grade_tsan_finish(g, &tsan) < 0)
        rc = -1;
    if (rc == 0 && g->res->status == RES_GRADED && g->env->cfg->io.enabled &&
        cfg_count_kind(g->env->cfg, CFG_KIND_IO) > 0)
        rc = grade_io_build(g);
    return rc;
}

/* With --no-performance: say why the performance tests scored nothing. */
static int grade_mark_skipped(struct grade_run *g)
{
    const struct grader_cfg *cfg = g->env->cfg;
    for (size_t i = 0; i < cfg->ntests; i++) {
        struct res_test *t = &g->res->tests[i];
        if (cfg->tests[i].kind != CFG_KIND_PERFORMANCE || t->message)
            continue;
        t->message = strdup("not measured: the performance stage was skipped (--no-performance)");
        if (!t->message)
            return grade_errf(g, "out of memory");
    }
    return 0;
}

/*
 * Coverage (gcov, genhtml, gcovr) reads only the tests build's counters,
 * so it runs in a thread of its own beside the performance stage (each
 * its own core): grade_cov_start(), then grade_coverage() joins it and
 * records the outcome.  The thread writes g->res->coverage and its phase
 * time, which nothing else touches meanwhile.
 */
struct grade_cov_job {
    struct grade_run *g;
    char *obj, *cov_dir;
    pthread_t thread;
    bool threaded;            /* the thread runs (until joined) */
    int rc, errnum;
    char err[512];
};

static void *grade_cov_main(void *p)
{
    struct grade_cov_job *c = p;
    struct grade_run *g = c->g;
    const struct grader_cfg *cfg = g->env->cfg;
    struct cov_request req = {
        .build_dir = c->obj, .sources = (const char *const *)g->sources.v,
        .nsources = g->sources.n, .out_dir = c->cov_dir, .source_root = g->scratch,
        .branches = cfg->coverage.branches, .html = cfg->coverage.html, .cobertura = true,
    };
    uint64_t t0 = fs_now_ms();
    c->rc = fs_remove_tree(c->cov_dir) == 0 && fs_mkdir_p(c->cov_dir, 0755) == 0
                ? cov_collect(&req, &g->res->coverage, c->err, sizeof c->err)
                : -1;
    c->errnum = errno;
    g->res->phases.coverage_ms = fs_now_ms() - t0;
    return NULL;
}

/* Starts the collection in a thread; if no thread starts, grade_coverage()
 * collects on its own.  -1: out of memory. */
static int grade_cov_start(struct grade_run *g, const char *out_dir, struct grade_cov_job *c)
{
    c->g = g;
    c->obj = fs_join(g->scratch, "obj");
    c->cov_dir = fs_join(out_dir, "coverage");
    if (!c->obj || !c->cov_dir)
        return grade_errf(g, "out of memory");
    c->threaded = pthread_create(&c->thread, NULL, grade_cov_main, c) == 0;
    if (!c->threaded)           /* no thread: collect here */
        grade_cov_main(c);
    return 0;
}

/* Waits for the thread, if any; frees the job. */
static void grade_cov_join(struct grade_cov_job *c)
{
    if (c->threaded)
        pthread_join(c->thread, NULL);
    c->threaded = false;
    free(c->obj);
    free(c->cov_dir);
    c->obj = c->cov_dir = NULL;
}

static int grade_coverage(struct grade_run *g, const char *out_dir, struct grade_cov_job *c)
{
    int rc;
    if (!c->obj && grade_cov_start(g, out_dir, c) < 0)
        return -1;
    grade_cov_join(c);
    /* Coverage is information only: a failure costs the pages or the
     * figures, never the grading. */
    rc = c->rc;
    if (rc == 1)
        rc = grade_degrade(g, "coverage", "Coverage pages (HTML) were not made; the "
                           "coverage figures are complete. This costs no points.", c->err);
    else if (rc < 0)
        rc = grade_degrade(g, "coverage", "Coverage was not collected. This costs no "
                           "points.", c->err[0] ? c->err : strerror(c->errnum));
    return rc;
}

/* Whether the file at path holds exactly text[len] (rescore: then it is not
 * written again; a new file costs far more than a read on most file systems). */
static bool grade_same_file(const char *path, const char *text, size_t len)
{
    struct stat st;
    char *old = NULL;
    size_t n = 0;
    if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len ||
        fs_read_file(path, len + 1, &old, &n) < 0)
        return false;
    bool same = n == len && memcmp(old, text, len) == 0;
    free(old);
    return same;
}

static int grade_write(struct grade_run *g, const char *out_dir, const char *name, char *text)
{
    char *path = fs_join(out_dir, name);
    size_t len = text ? strlen(text) : 0;
    int rc = text && path ? (g->start_ms ? fs_write_atomic(path, text, len)
                             : grade_same_file(path, text, len) ? 0
                                                                : fs_write_replace(path, text, len))
                          : -1;
    if (rc < 0)
        grade_errf(g, "cannot write %s/%s: %s", out_dir, name, text ? strerror(errno) : "out of memory");
    free(path);
    free(text);
    return rc;
}

/*
 * Splits the build log: the full one for the instructor, the filtered one
 * (no hidden suite, no grader path: buildlog.h) for everything a student
 * sees, build.log included.
 */
static int grade_student_log(struct grade_run *g)
{
    struct res_submission *s = g->res;
    if (!s->build_log)
        return 0;
    char *view = blog_student_view(s->build_log, g->scratch);
    if (!view)
        return grade_errf(g, "out of memory");
    s->build_log_full = s->build_log;
    s->build_log = view;
    return 0;
}

/* Whether genhtml wrote the coverage pages (the HTML reports link them). */
static bool grade_has_coverage_html(const char *out_dir)
{
    char *path = fs_join(out_dir, "coverage/html/index.html");
    bool there = path && access(path, F_OK) == 0;
    free(path);
    return there;
}

/* What report.html and report-instructor.html hold when the HTML report
 * itself failed: a pointer to the reports that were written. */
static const char grade_html_fallback[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
    "<title>Grading report</title></head>\n<body><p>The HTML report could not be made. "
    "Your grade and feedback are in report.txt and report.md beside this file.</p>"
    "</body></html>\n";

/*
 * Both HTML reports into html[0] (student) and html[1] (instructor).  The
 * HTML view is optional: if it fails, both get grade_html_fallback and a
 * grading note (added before any report is written, so every one has it).
 */
static int grade_html(struct grade_run *g, const char *out_dir, char *html[2])
{
    const struct grader_cfg *cfg = g->env->cfg;
    const char *cov_href = grade_has_coverage_html(out_dir) ? "coverage/html/index.html" : NULL;
    html[0] = html_report(g->res, cfg, REPORT_STUDENT, cov_href);
    html[1] = html_report(g->res, cfg, REPORT_INSTRUCTOR, cov_href);
    if (html[0] && html[1])
        return 0;
    free(html[0]);
    free(html[1]);
    html[0] = strdup(grade_html_fallback);
    html[1] = strdup(grade_html_fallback);
    return grade_degrade(g, "html", "The HTML report could not be made; report.txt and "
                         "report.md hold the same feedback.", "html_report() failed");
}

/* Drops the grading notes of stage `stage` (rescore makes the HTML again). */
static void grade_undegrade(struct res_submission *s, const char *stage)
{
    size_t k = 0;
    for (size_t i = 0; i < s->ndegraded; i++) {
        struct res_degraded *d = &s->degraded[i];
        if (d->stage && strcmp(d->stage, stage) == 0) {
            free(d->stage);
            free(d->message);
            free(d->detail);
            continue;
        }
        s->degraded[k++] = *d;
    }
    s->ndegraded = k;
}

/*
 * Writes every report; outcomes.json then results.json last, so it marks
 * completion.  With g->start_ms 0 (rescore), the stored phase times stay
 * and the files are written without fsync (the caller syncs once).
 */
static int grade_reports(struct grade_run *g, const char *out_dir,
                         const struct grade_outcomes *oc)
{
    char *html[2] = {NULL, NULL};
    /* These two are measured while the reports are written: the reports
     * before outcomes.json show them as 0, a rescore's too. */
    uint64_t report_ms = g->res->phases.report_ms, total_ms = g->res->phases.total_ms;
    g->res->phases.report_ms = g->res->phases.total_ms = 0;
    if (g->start_ms == 0)
        grade_undegrade(g->res, "html");
    if (grade_html(g, out_dir, html) < 0) {
        free(html[0]);
        free(html[1]);
        return -1;
    }
    const struct grader_cfg *cfg = g->env->cfg;
    const struct res_submission *s = g->res;
    uint64_t t0 = fs_now_ms();
    char *hdr = report_gradebook_header(cfg), *row = report_gradebook_row(s, cfg);
    char *csv = NULL;
    if (hdr && row && asprintf(&csv, "%s%s", hdr, row) < 0)
        csv = NULL;
    free(hdr);
    free(row);
    int rc = grade_write(g, out_dir, "build.log", strdup(s->build_log ? s->build_log : ""));
    rc = rc ? rc : grade_write(g, out_dir, "report.txt", report_text(s, cfg, REPORT_STUDENT));
    rc = rc ? rc : grade_write(g, out_dir, "report-instructor.txt", report_text(s, cfg, REPORT_INSTRUCTOR));
    /* grade_write() takes the text: a NULL left behind was written. */
    for (int i = 0; i < 2 && rc == 0; i++) {
        rc = grade_write(g, out_dir, i ? "report-instructor.html" : "report.html", html[i]);
        html[i] = NULL;
    }
    free(html[0]);
    free(html[1]);
    rc = rc ? rc : grade_write(g, out_dir, "junit.xml", report_junit(s, cfg, REPORT_STUDENT));
    rc = rc ? rc : grade_write(g, out_dir, "gradebook-row.csv", csv);
    rc = rc ? rc : grade_write(g, out_dir, "report.md", report_markdown(s, cfg));
    g->res->phases.report_ms = g->start_ms ? fs_now_ms() - t0 : report_ms;
    g->res->phases.total_ms = g->start_ms ? fs_now_ms() - g->start_ms : total_ms;
    if (!oc->unchanged)
        rc = rc ? rc : grade_write(g, out_dir, OUTC_FILE,
                                   outc_dump(s, oc->print, oc->adjust, oc->rate_score));
    rc = rc ? rc : grade_write(g, out_dir, "results.json",
                               report_json(s, cfg, (double)g->res->phases.total_ms / 1000.0));
    return rc;
}

int grade_write_reports(const struct grader_cfg *cfg, struct res_submission *res,
                        const struct grade_outcomes *oc, const char *out_dir,
                        char *err, size_t errlen)
{
    struct grade_env env = {.cfg = cfg};
    struct grade_run g = {.env = &env, .res = res, .err = err, .errlen = errlen};
    return grade_reports(&g, out_dir, oc);
}

const char grade_failed_output[] =
    "The grader failed; your submission was not graded; contact the course staff.";

int grade_write_failure(const char *out_dir, const char *student, const char *reason)
{
    json_t *extra = json_pack("{s:s?, s:s, s:s?}", "student", student, "grader_status",
                              "grader_failed", "reason", reason);
    json_t *doc = extra ? json_pack("{s:f, s:s, s:s, s:s, s:s, s:o, s:[]}", "score", 0.0,
                                    "output", grade_failed_output, "output_format", "text",
                                    "visibility", "visible", "stdout_visibility", "hidden",
                                    "extra_data", extra, "tests")
                        : NULL;   /* "o" took extra, also on failure */
    char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    char *path = fs_join(out_dir, "results.json");
    int rc = -1;
    if (!doc)
        json_decref(extra);
    if (text && path && fs_mkdir_p(out_dir, 0755) == 0) {
        size_t n = strlen(text);
        text[n - (n && text[n - 1] == '\n')] = '\0';
        char *line = NULL;
        if (asprintf(&line, "%s\n", text) >= 0)
            rc = fs_write_atomic(path, line, strlen(line));
        free(line);
    } else if (!text || !path) {
        errno = ENOMEM;
    }
    json_decref(doc);
    free(text);
    free(path);
    return rc;
}

/* The late policy: the submission time from the command line, else from
 * the submission folder's files; a file that is there but unreadable is
 * the grader's failure (the instructor's export is broken). */
static int grade_late(struct grade_run *g, const char *submission_dir)
{
    const struct grade_env *env = g->env;
    char *found = NULL, why[512] = "";
    if (!env->cfg->late.enabled) {
        /* No policy: the time is still recorded, best effort (outcomes.json),
         * for a rescore under a late policy added later. */
        if (env->submitted_at)
            (void)res_set_submitted_at(g->res, env->submitted_at);
        else if (res_time_in_folder(submission_dir, &found, why, sizeof why) == 0)
            (void)res_set_submitted_at(g->res, found);
        free(found);
        return 0;
    }
    if (!env->submitted_at && res_time_in_folder(submission_dir, &found, why, sizeof why) < 0)
        return grade_errf(g, "submission time: %s", why);
    const char *iso = env->submitted_at ? env->submitted_at : found;
    int rc = iso && res_set_submitted_at(g->res, iso) < 0
                 ? grade_errf(g, "invalid submission time '%.64s'", iso) : 0;
    free(found);
    res_apply_late(g->res, &env->cfg->late);
    return rc;
}

/* grading.max_per_day (ratelimit.h): over it, the submission is not graded
 * (RES_UNGRADABLE, the limit's message) and keeps the last one's score.
 * The metadata is --metadata's, else the folder's; without it no limit
 * can apply.  A file that is there but unreadable is the grader's failure. */
static int grade_rate_limit(struct grade_run *g, const char *submission_dir)
{
    const struct grade_env *env = g->env;
    struct rate_verdict v;
    char why[512] = "", msg[512], *path;
    if (env->cfg->grading.max_per_day == 0)
        return 0;
    path = env->metadata ? strdup(env->metadata) : fs_join(submission_dir, RES_METADATA_FILE);
    if (!path)
        return grade_errf(g, "out of memory");
    unsigned max = (unsigned)env->cfg->grading.max_per_day;
    int rc = rate_check(path, max, &v, why, sizeof why);
    free(path);
    if (rc < 0)
        return grade_errf(g, "rate limit: %s", why);
    if (rc == 0 && v.limited) {
        rate_message(&v, max, msg, sizeof msg);
        grade_ungradable(g->res, "%s", msg);
        g->res->rate_limited = true;
        g->rate_score = v.previous_score;
    }
    return 0;
}

static void grade_cleanup(struct grade_run *g)
{
    if (g->scratch && !g->env->keep_scratch)
        fs_remove_tree(g->scratch);
    free(g->scratch);
    free(g->program);
    free(g->tsan_program);
    free(g->io_program);
    free(g->io_root);
    strv_clear(&g->sources);
}

int grade_submission(const struct grade_env *env, const struct grade_slot *slot,
                     const char *submission_dir, const char *student,
                     const char *out_dir, struct res_submission *res,
                     char *err, size_t errlen)
{
    struct grade_run g = {.env = env, .slot = slot, .res = res, .err = err,
                          .errlen = errlen, .start_ms = fs_now_ms()};
    int rc = -1;
    struct outc_print print = {0};
    struct grade_cov_job cov = {0};
    struct pstage perf = {0};
    res_submission_init(res);
    res->student = strdup(student);
    res->sandbox = env->sandbox ? strdup(env->sandbox) : NULL;
    res->email = env->student_email ? strdup(env->student_email) : NULL;
    if (!res->student || (env->student_email && !res->email)
        || grade_init_tests(res, env->cfg) < 0) {
        grade_errf(&g, "out of memory");
        goto done;
    }
    if (fs_mkdir_p(out_dir, 0755) < 0) {
        grade_errf(&g, "cannot create %s: %s", out_dir, strerror(errno));
        goto done;
    }
    if (grade_rate_limit(&g, submission_dir) < 0)
        goto done;
    if (!res->rate_limited && grade_prepare(&g, submission_dir) < 0)
        goto done;
    res->phases.prepare_ms = fs_now_ms() - g.start_ms;
    if (res->status == RES_GRADED && grade_builds(&g, &perf) < 0)
        goto done;
    if (res->status == RES_GRADED && units_run(&g) < 0)
        goto done;
    bool with_cov = res->status == RES_GRADED && env->cfg->coverage.enabled;
    if (pstage_wanted(&g)) {
        if (with_cov && grade_cov_start(&g, out_dir, &cov) < 0)
            goto done;
        if (pstage_run(&perf, &g) < 0)
            goto done;
    }
    if (env->skip_performance && grade_mark_skipped(&g) < 0)
        goto done;
    if (grade_cancelled(env)) {   /* killed runs are no verdict: record nothing */
        grade_errf(&g, "interrupted before the grading finished");
        goto done;
    }
    res_score(res);
    if (grade_late(&g, submission_dir) < 0)
        goto done;
    if (env->adjust && res_apply_adjustments(res, adj_find(env->adjust, student),
                                             &env->cfg->late) < 0) {
        grade_errf(&g, "out of memory");
        goto done;
    }
    if (res->rate_limited)   /* the score Gradescope showed stays */
        res->score = g.rate_score;
    if (with_cov && grade_coverage(&g, out_dir, &cov) < 0)
        goto done;
    if (outc_print_init(&print, env->cfg, err, errlen) < 0 || grade_student_log(&g) < 0)
        goto done;
    {
        struct grade_outcomes oc = {.print = &print, .adjust = adj_find(env->adjust, student),
                                    .rate_score = g.rate_score};
        rc = grade_reports(&g, out_dir, &oc);
    }
done:
    grade_cov_join(&cov);       /* before the scratch folder goes */
    pstage_release(&perf, env->keep_scratch);
    outc_print_release(&print);
    grade_cleanup(&g);
    /* The grader failed (not the student, and not Ctrl-C): say so where
     * Gradescope and the staff look, instead of leaving nothing. */
    if (rc < 0 && !grade_cancelled(env))
        grade_write_failure(out_dir, student, err);
    return rc;
}
