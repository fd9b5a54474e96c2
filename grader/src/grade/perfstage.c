/*
 * perfstage.c -- the performance stage of one grading: its own folder,
 * the build in a thread beside the units, then the measurements.
 */
#include "grade/perfstage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/scratch.h"
#include "util/fsutil.h"

bool pstage_wanted(const struct grade_run *g)
{
    const struct grade_env *env = g->env;
    return g->res->status == RES_GRADED && !grade_cancelled(env) && !env->skip_performance &&
           cfg_count_kind(env->cfg, CFG_KIND_PERFORMANCE) > 0;
}

static const char *pstage_valgrind(const struct grader_cfg *cfg)
{
    return cfg->performance.valgrind ? cfg->performance.valgrind : "valgrind";
}

/*
 * Whether `tool` can be run in the sandbox: a path must be executable,
 * a name must be in the sandboxes' PATH (/usr/bin:/bin).
 */
static bool pstage_tool_present(const char *tool)
{
    static const char *const dirs[] = {"/usr/bin", "/bin"};
    if (strchr(tool, '/'))
        return access(tool, X_OK) == 0;
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        char *path = fs_join(dirs[i], tool);
        bool there = path && access(path, X_OK) == 0;
        free(path);
        if (there)
            return true;
    }
    return false;
}

/* Copies the student's files (their copies in g->scratch, which no student
 * code has touched yet) into the stage's folder, beside BLD_PERF_DIR. */
static int pstage_copy(struct pstage *p, struct grade_run *g, uid_t uid)
{
    size_t skip = strlen(g->scratch) + 1;
    char *perf = fs_join(p->scratch, BLD_PERF_DIR);
    int ok = perf && fs_mkdir_p(perf, 0770) == 0;
    for (size_t i = 0; ok && i < g->sources.n; i++) {
        char *dst = fs_join(p->scratch, g->sources.v[i] + skip);
        char *slash = dst ? strrchr(dst, '/') : NULL;
        if (slash) {
            *slash = '\0';
            ok = fs_mkdir_p(dst, 0755) == 0;
            *slash = '/';
        }
        ok = ok && dst && fs_copy_file(g->sources.v[i], dst) == 0;
        if (ok)
            strv_push(&p->sources, dst);
        free(dst);
    }
    ok = ok && !p->sources.oom && chmod(perf, 0770) == 0 &&
         (geteuid() != 0 || fs_chown_tree(p->scratch, uid, g->slot->gid) == 0);
    free(perf);
    return ok ? 0 : grade_errf(g, "cannot prepare %s for the performance stage: %s",
                               p->scratch, strerror(errno));
}

static void *pstage_main(void *arg)
{
    struct pstage *p = arg;
    perf_prebuild(&p->job, &p->pb);
    return NULL;
}

int pstage_start(struct pstage *p, struct grade_run *g)
{
    const struct grade_env *env = g->env;
    if (!pstage_wanted(g) || !pstage_tool_present(pstage_valgrind(env->cfg)))
        return 0;     /* pstage_run() says why it measures nothing */
    uid_t uid = g->slot->uid + PSTAGE_UID_SLOT * GRADE_UID_STRIDE;
    if (scr_grading_open(env->work_root, geteuid() == 0, uid, g->slot->gid, &p->scratch) < 0) {
        p->scratch = NULL;
        return grade_errf(g, "cannot create a scratch folder in %s: %s", env->work_root,
                          strerror(errno));
    }
    if (pstage_copy(p, g, uid) < 0)
        return -1;
    p->job = (struct perf_job){
        .cfg = env->cfg, .trusted = env->trusted, .scratch = p->scratch,
        .sources = (const char *const *)p->sources.v, .nsources = p->sources.n,
        .use_bwrap = env->use_bwrap, .uid = uid, .gid = g->slot->gid, .cancel = env->cancel,
        .probe = env->probe,
    };
    p->started = pthread_create(&p->thread, NULL, pstage_main, p) == 0;
    if (!p->started) {                   /* no thread: build now */
        perf_prebuild(&p->job, &p->pb);
        p->built = true;
    }
    return 0;
}

/* Waits for the build; its outcome is then in p->pb. */
static void pstage_join(struct pstage *p)
{
    if (!p->started)
        return;
    pthread_join(p->thread, NULL);
    p->started = false;
    p->built = true;
}

/*
 * The performance stage could not run (a missing valgrind, a grader
 * error): its tests are not run and score 0, each saying why, and a
 * grading note tells the staff what to fix before they regrade.
 */
static int pstage_degraded(struct grade_run *g, const char *detail)
{
    static const char why[] = "not measured: the grading machine could not run the "
                              "performance tests; the course staff will regrade";
    const struct grader_cfg *cfg = g->env->cfg;
    for (size_t i = 0; i < cfg->ntests; i++) {
        struct res_test *t = &g->res->tests[i];
        if (cfg->tests[i].kind != CFG_KIND_PERFORMANCE)
            continue;
        free(t->message);
        t->message = strdup(why);
        if (!t->message)
            return grade_errf(g, "out of memory");
        t->status = RES_NOT_RUN;
        t->passed = 0;
        memset(&t->perf, 0, sizeof t->perf);
    }
    return grade_degrade(g, "performance", "The performance tests were not run: the grading "
                         "machine could not run them (0 points until the course staff "
                         "regrade).", detail);
}

int pstage_run(struct pstage *p, struct grade_run *g)
{
    const struct grade_env *env = g->env;
    char perr[512] = "";
    const char *valgrind = pstage_valgrind(env->cfg);
    if (!p->scratch) {      /* pstage_start() found no valgrind */
        snprintf(perr, sizeof perr, "%s %s: install it (Debian package valgrind), then regrade",
                 valgrind, strchr(valgrind, '/') ? "is not an executable file"
                                                 : "is not in /usr/bin or /bin (the sandbox's PATH)");
        return pstage_degraded(g, perr);
    }
    uint64_t t0 = fs_now_ms();
    pstage_join(p);
    p->pb.wait_ms = fs_now_ms() - t0;
    p->job.prebuilt = &p->pb;
    int rc = perf_grade(&p->job, g->res->tests, &g->res->build_log, perr, sizeof perr);
    g->res->phases.perf_ms = fs_now_ms() - t0;
    if (rc < 0 && grade_cancelled(env))
        return grade_errf(g, "performance tests: %s", perr);
    if (rc < 0) {
        char detail[640];
        snprintf(detail, sizeof detail, "performance stage failed: %s", perr);
        return pstage_degraded(g, detail);
    }
    return 0;
}

void pstage_release(struct pstage *p, bool keep)
{
    pstage_join(p);
    if (p->built)
        perf_prebuilt_release(&p->pb);
    p->built = false;
    if (p->scratch && !keep)
        fs_remove_tree(p->scratch);
    free(p->scratch);
    p->scratch = NULL;
    strv_clear(&p->sources);
}
